//! The codes of the errors a user can cause, declared once. The engine sets them on the errors it
//! hands the page (`web/codes.rs`: `error.code`, `error.params`); the page words each in its
//! language (`error.<code>`, `error.busy_training.<what>` and `field.<code>` in www/i18n). The
//! page reads them as TypeScript types generated from these (www/types/engine/, ts-rs), and tsc
//! holds its catalogs to them (www/words.js): a code added here without its words fails the
//! test command.

use serde::Serialize;

/// An error the engine raises, by what went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum ErrorCode {
    // A dataset that cannot be read (`DataError`), with the file's name.
    DataNotFound,
    DataIo,
    DataEmpty,
    DataBadSize,
    DataBadLabel,
    DataCorruptArchive,
    DataNoBatchFiles,
    DataBadMeta,
    DataTooLarge,
    DataMemberTooLarge,
    DataTooManyImages,
    // A weights file that does not fit (`WeightsError`), with the file's name.
    WeightsNotKiln,
    WeightsModel,
    WeightsMismatch,
    WeightsWrite,
    WeightsIo,
    /// A run stopped: its loss became infinite or NaN.
    TrainDiverged,
    /// A run stopped on any other error.
    TrainFailed,
    /// Refused while a run trains; `what` ([`BusyWhat`]) says what was refused.
    BusyTraining,
    /// No dataset is loaded.
    NoDataset,
    /// The dataset has no test images to evaluate on.
    NoTestImages,
    /// A confusion-matrix cell asked for before any evaluation.
    NotEvaluated,
    /// A unit of the drawing asked for in a layer the network does not have.
    UnitNoLayer,
    /// A unit asked for past its layer's last.
    UnitNoUnit,
}

/// What a run in training refused (`busy_training`'s `what`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum BusyWhat {
    Dataset,
    Weights,
    Train,
    Device,
    Evaluate,
    Time,
    HandOver,
}

/// What is wrong with a training setting's value (`FieldError`'s `Problem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum FieldCode {
    FieldMissing,
    FieldNotWhole,
    FieldNotNumber,
    FieldNotFlag,
    FieldOutOfRange,
    FieldOutOfOpenRange,
    FieldNotAChoice,
    FieldInconsistent,
}
