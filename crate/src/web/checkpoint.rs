//! Checkpoints as JS objects, for the worker to keep in IndexedDB:
//! `{config, history, weights: Uint8Array, optimizer: Uint8Array, best_weights?: Uint8Array,
//! average?: Uint8Array, schedule?: Uint8Array, epochs_done, test_accuracy}`.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::train::{Checkpoint, last_test_accuracy};
use crate::web::js;

pub fn to_js(checkpoint: &Checkpoint) -> JsValue {
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        Reflect::set(&object, &key.into(), &value).expect("setting a field of a new object");
    };
    set("config", js::to_js(&checkpoint.config));
    set("history", js::to_js(&checkpoint.history));
    set("weights", Uint8Array::from(&checkpoint.weights[..]).into());
    set(
        "optimizer",
        Uint8Array::from(&checkpoint.optimizer[..]).into(),
    );
    if let Some(best) = &checkpoint.best_weights {
        set("best_weights", Uint8Array::from(&best[..]).into());
    }
    if let Some(average) = &checkpoint.average {
        set("average", Uint8Array::from(&average[..]).into());
    }
    if let Some(schedule) = &checkpoint.schedule {
        set("schedule", Uint8Array::from(&schedule[..]).into());
    }
    set("epochs_done", checkpoint.epochs_done().into());
    set(
        "test_accuracy",
        js::to_js(&last_test_accuracy(&checkpoint.history)),
    );
    object.into()
}

pub fn from_js(value: &JsValue) -> Result<Checkpoint, String> {
    let field = |key: &str| {
        Reflect::get(value, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
            .ok_or_else(|| format!("the saved run has no {key}"))
    };
    let bytes = |key: &str| -> Result<Vec<u8>, String> {
        let v = field(key)?;
        if let Some(array) = v.dyn_ref::<Uint8Array>() {
            Ok(array.to_vec())
        } else if let Some(buffer) = v.dyn_ref::<js_sys::ArrayBuffer>() {
            Ok(Uint8Array::new(buffer).to_vec())
        } else {
            Err(format!("the saved run's {key} are not bytes"))
        }
    };
    Ok(Checkpoint {
        config: serde_wasm_bindgen::from_value(field("config")?)
            .map_err(|e| format!("the saved run's settings are unreadable: {e}"))?,
        history: serde_wasm_bindgen::from_value(field("history")?)
            .map_err(|e| format!("the saved run's history is unreadable: {e}"))?,
        weights: bytes("weights")?,
        optimizer: bytes("optimizer")?,
        best_weights: match field("best_weights") {
            Ok(_) => Some(bytes("best_weights")?),
            Err(_) => None,
        },
        average: match field("average") {
            Ok(_) => Some(bytes("average")?),
            Err(_) => None,
        },
        schedule: match field("schedule") {
            Ok(_) => Some(bytes("schedule")?),
            Err(_) => None,
        },
    })
}
