//! The errors a user can cause as JS `Error`s the page words in its own language (www/i18n): each
//! carries `code` (declared in [`crate::error_code`]) and `params` beside its English message,
//! which stays the fallback.

use js_sys::Reflect;
use serde_json::{Value, json};
use wasm_bindgen::JsValue;

use crate::data::DataError;
use crate::data::format::{NUM_CLASSES, RECORD_BYTES};
use crate::error_code::{BusyWhat, ErrorCode, FieldCode};
use crate::train::TrainError;
use crate::train::field::Problem;
use crate::web::js;
use crate::weights::WeightsError;

/// A JS `Error` with `message`, `error.code = code` and `error.params = params`.
pub fn coded(message: impl std::fmt::Display, code: ErrorCode, params: Value) -> JsValue {
    let error = js::error(message);
    let _ = Reflect::set(&error, &"code".into(), &js::to_js(&code));
    let _ = Reflect::set(&error, &"params".into(), &js::to_js(&params));
    error
}

/// A dataset that cannot be read: `data_*`, with the file's name.
pub fn data(e: &DataError) -> JsValue {
    use DataError::*;
    let (code, params) = match e {
        NotFound { path } => (
            ErrorCode::DataNotFound,
            json!({ "name": path.display().to_string() }),
        ),
        Io { path, source } => (
            ErrorCode::DataIo,
            json!({ "name": path.display().to_string(), "reason": source.to_string() }),
        ),
        Empty { name } => (ErrorCode::DataEmpty, json!({ "name": name })),
        BadSize { name, len } => (
            ErrorCode::DataBadSize,
            json!({ "name": name, "len": len, "record": RECORD_BYTES }),
        ),
        BadLabel {
            name,
            record,
            label,
        } => (
            ErrorCode::DataBadLabel,
            json!({ "name": name, "record": record, "label": label, "max": NUM_CLASSES - 1 }),
        ),
        CorruptArchive { name, reason } => (
            ErrorCode::DataCorruptArchive,
            json!({ "name": name, "reason": reason }),
        ),
        NoBatchFiles { name } => (ErrorCode::DataNoBatchFiles, json!({ "name": name })),
        BadMeta { name, reason } => (
            ErrorCode::DataBadMeta,
            json!({ "name": name, "reason": reason }),
        ),
        TooLarge { name, cap } => (ErrorCode::DataTooLarge, json!({ "name": name, "cap": cap })),
        MemberTooLarge {
            name,
            claimed,
            limit,
        } => (
            ErrorCode::DataMemberTooLarge,
            json!({ "name": name, "claimed": claimed, "limit": limit }),
        ),
        TooManyImages { name, max } => (
            ErrorCode::DataTooManyImages,
            json!({ "name": name, "max": max }),
        ),
    };
    coded(e, code, params)
}

/// A weights file that does not fit: `weights_*`, with the file's name.
pub fn weights(e: &WeightsError) -> JsValue {
    let (code, params) = match e {
        WeightsError::NotWeights { name, reason } => (
            ErrorCode::WeightsNotKiln,
            json!({ "name": name, "reason": reason }),
        ),
        WeightsError::Model { name, source } => (
            ErrorCode::WeightsModel,
            json!({ "name": name, "reason": source.to_string() }),
        ),
        WeightsError::Mismatch {
            name,
            model,
            reason,
        } => (
            ErrorCode::WeightsMismatch,
            json!({ "name": name, "model": model, "reason": reason }),
        ),
        WeightsError::Write { name, reason } => (
            ErrorCode::WeightsWrite,
            json!({ "name": name, "reason": reason }),
        ),
        WeightsError::Io { name, source } => (
            ErrorCode::WeightsIo,
            json!({ "name": name, "reason": source.to_string() }),
        ),
    };
    coded(e, code, params)
}

/// What is wrong with a setting's value: `field_*` and its limits.
pub fn problem(p: &Problem) -> (FieldCode, Value) {
    match p {
        Problem::Missing => (FieldCode::FieldMissing, json!({})),
        Problem::NotWhole => (FieldCode::FieldNotWhole, json!({})),
        Problem::NotNumber => (FieldCode::FieldNotNumber, json!({})),
        Problem::NotFlag => (FieldCode::FieldNotFlag, json!({})),
        Problem::OutOfRange { min, max } => (
            FieldCode::FieldOutOfRange,
            json!({ "min": min, "max": max }),
        ),
        Problem::OutOfOpenRange { min, max } => (
            FieldCode::FieldOutOfOpenRange,
            json!({ "min": min, "max": max }),
        ),
        Problem::NotAChoice(choices) => (FieldCode::FieldNotAChoice, json!({ "choices": choices })),
        Problem::Inconsistent(reason) => {
            (FieldCode::FieldInconsistent, json!({ "reason": reason }))
        }
    }
}

/// A run that stopped on an error: `train_diverged` or `train_failed`, with the number of
/// finished epochs whose weights are kept (`kept`, 0: the weights from before the run).
pub fn train_stopped(e: &TrainError, message: String, kept: usize) -> JsValue {
    match e {
        TrainError::Diverged {
            epoch,
            step,
            loss,
            learning_rate,
        } => coded(
            message,
            ErrorCode::TrainDiverged,
            json!({ "epoch": epoch, "step": step, "loss": loss.to_string(),
                    "learning_rate": learning_rate, "kept": kept }),
        ),
        other => coded(
            message,
            ErrorCode::TrainFailed,
            json!({ "reason": other.to_string(), "kept": kept }),
        ),
    }
}

/// The engine is busy training: `busy_training` (`what` says what was refused).
pub fn busy(message: &str, what: BusyWhat) -> JsValue {
    coded(message, ErrorCode::BusyTraining, json!({ "what": what }))
}

/// No dataset is loaded: `no_dataset`.
pub fn no_dataset(message: &str) -> JsValue {
    coded(message, ErrorCode::NoDataset, json!({}))
}

/// A unit of the drawing that the network does not have: `unit_no_layer` or `unit_no_unit`.
pub fn unit(e: &crate::insight::unit::UnitLookError) -> JsValue {
    use crate::insight::unit::{UnitError, UnitLookError};
    match e {
        UnitLookError::Unit(UnitError::NoLayer(layer)) => {
            coded(e, ErrorCode::UnitNoLayer, json!({ "layer": layer }))
        }
        UnitLookError::Unit(UnitError::NoUnit { layer, .. }) => {
            coded(e, ErrorCode::UnitNoUnit, json!({ "layer": layer }))
        }
        UnitLookError::Infer(_) => js::error(e),
    }
}
