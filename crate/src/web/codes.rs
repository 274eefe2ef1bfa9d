//! Stable codes and parameters for the errors a user can cause, so that the page words them in
//! its own language (www/i18n): each such JS `Error` carries `code` and `params` beside its
//! English message, which stays the fallback.

use js_sys::Reflect;
use serde_json::{Value, json};
use wasm_bindgen::JsValue;

use crate::data::DataError;
use crate::data::format::{NUM_CLASSES, RECORD_BYTES};
use crate::train::TrainError;
use crate::train::field::Problem;
use crate::web::js;
use crate::weights::WeightsError;

/// A JS `Error` with `message`, `error.code = code` and `error.params = params`.
pub fn coded(message: impl std::fmt::Display, code: &str, params: Value) -> JsValue {
    let error = js::error(message);
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    let _ = Reflect::set(&error, &"params".into(), &js::to_js(&params));
    error
}

/// A dataset that cannot be read: `data_*`, with the file's name.
pub fn data(e: &DataError) -> JsValue {
    use DataError::*;
    let (code, params) = match e {
        NotFound { path } => (
            "data_not_found",
            json!({ "name": path.display().to_string() }),
        ),
        Io { path, source } => (
            "data_io",
            json!({ "name": path.display().to_string(), "reason": source.to_string() }),
        ),
        Empty { name } => ("data_empty", json!({ "name": name })),
        BadSize { name, len } => (
            "data_bad_size",
            json!({ "name": name, "len": len, "record": RECORD_BYTES }),
        ),
        BadLabel {
            name,
            record,
            label,
        } => (
            "data_bad_label",
            json!({ "name": name, "record": record, "label": label, "max": NUM_CLASSES - 1 }),
        ),
        CorruptArchive { name, reason } => (
            "data_corrupt_archive",
            json!({ "name": name, "reason": reason }),
        ),
        NoBatchFiles { name } => ("data_no_batch_files", json!({ "name": name })),
        BadMeta { name, reason } => ("data_bad_meta", json!({ "name": name, "reason": reason })),
        TooLarge { name, cap } => ("data_too_large", json!({ "name": name, "cap": cap })),
        MemberTooLarge {
            name,
            claimed,
            limit,
        } => (
            "data_member_too_large",
            json!({ "name": name, "claimed": claimed, "limit": limit }),
        ),
        TooManyImages { name, max } => {
            ("data_too_many_images", json!({ "name": name, "max": max }))
        }
    };
    coded(e, code, params)
}

/// A weights file that does not fit: `weights_*`, with the file's name.
pub fn weights(e: &WeightsError) -> JsValue {
    let (code, params) = match e {
        WeightsError::NotWeights { name, reason } => (
            "weights_not_kiln",
            json!({ "name": name, "reason": reason }),
        ),
        WeightsError::Model { name, source } => (
            "weights_model",
            json!({ "name": name, "reason": source.to_string() }),
        ),
        WeightsError::Mismatch {
            name,
            model,
            reason,
        } => (
            "weights_mismatch",
            json!({ "name": name, "model": model, "reason": reason }),
        ),
        WeightsError::Write { name, reason } => {
            ("weights_write", json!({ "name": name, "reason": reason }))
        }
        WeightsError::Io { name, source } => (
            "weights_io",
            json!({ "name": name, "reason": source.to_string() }),
        ),
    };
    coded(e, code, params)
}

/// What is wrong with a setting's value: `field_*` and its limits.
pub fn problem(p: &Problem) -> (&'static str, Value) {
    match p {
        Problem::Missing => ("field_missing", json!({})),
        Problem::NotWhole => ("field_not_whole", json!({})),
        Problem::NotNumber => ("field_not_number", json!({})),
        Problem::NotFlag => ("field_not_flag", json!({})),
        Problem::OutOfRange { min, max } => {
            ("field_out_of_range", json!({ "min": min, "max": max }))
        }
        Problem::OutOfOpenRange { min, max } => {
            ("field_out_of_open_range", json!({ "min": min, "max": max }))
        }
        Problem::NotAChoice(choices) => ("field_not_a_choice", json!({ "choices": choices })),
        Problem::Inconsistent(reason) => ("field_inconsistent", json!({ "reason": reason })),
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
            "train_diverged",
            json!({ "epoch": epoch, "step": step, "loss": loss.to_string(),
                    "learning_rate": learning_rate, "kept": kept }),
        ),
        other => coded(
            message,
            "train_failed",
            json!({ "reason": other.to_string(), "kept": kept }),
        ),
    }
}

/// The engine is busy training: `busy_training` (`what` says what was refused).
pub fn busy(message: &str, what: &str) -> JsValue {
    coded(message, "busy_training", json!({ "what": what }))
}

/// No dataset is loaded: `no_dataset`.
pub fn no_dataset(message: &str) -> JsValue {
    coded(message, "no_dataset", json!({}))
}

/// A unit of the drawing that the network does not have: `unit_no_layer` or `unit_no_unit`.
pub fn unit(e: &crate::insight::unit::UnitLookError) -> JsValue {
    use crate::insight::unit::{UnitError, UnitLookError};
    match e {
        UnitLookError::Unit(UnitError::NoLayer(layer)) => {
            coded(e, "unit_no_layer", json!({ "layer": layer }))
        }
        UnitLookError::Unit(UnitError::NoUnit { layer, .. }) => {
            coded(e, "unit_no_unit", json!({ "layer": layer }))
        }
        UnitLookError::Infer(_) => js::error(e),
    }
}
