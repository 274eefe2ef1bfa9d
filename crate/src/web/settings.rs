//! The training settings for the page: their declarations (to draw the form and fill its
//! defaults and limits) and the parsing of the form's text, both from `train::settings`.

use std::collections::HashMap;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::train::form::parse_form;
use crate::train::settings::PAGE;
use crate::web::{codes, js};

/// `[{key, kind: "int"|"float"|"bool"|"choice", default, min, max, min_exclusive, choices}]`,
/// in the form's order. A `null` default (`train_limit`) means empty: all the images.
#[wasm_bindgen(js_name = trainingSettings)]
pub fn training_settings() -> JsValue {
    let described: Vec<_> = PAGE.iter().map(|s| s.describe()).collect();
    js::to_js(&described)
}

/// The form's text by key (`{epochs: "10", train_limit: "", …}`) as the `TrainingConfig` that
/// `train` takes. Throws an `Error` whose message names every refused setting, with
/// `error.fields = [{field, message}]`, one per refused setting, named by its key.
#[wasm_bindgen(js_name = parseSettings)]
pub fn parse_settings(form: JsValue) -> Result<JsValue, JsValue> {
    let form: HashMap<String, String> = serde_wasm_bindgen::from_value(form)
        .map_err(|e| js::error(format!("the settings form is not text by key: {e}")))?;
    let errors = match parse_form(&form) {
        Ok(config) => return Ok(js::to_js(&config)),
        Err(errors) => errors,
    };
    let message: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let error = js::error(message.join("; "));
    let fields = Array::new();
    for e in &errors {
        let field = Object::new();
        let set = |key: &str, value: &str| {
            Reflect::set(&field, &key.into(), &value.into())
                .expect("setting a field of a new object")
        };
        set("field", e.field);
        set("message", &e.problem.to_string());
        let (code, params) = codes::problem(&e.problem);
        Reflect::set(&field, &"code".into(), &js::to_js(&code))
            .expect("setting a field of a new object");
        Reflect::set(&field, &"params".into(), &js::to_js(&params))
            .expect("setting a field of a new object");
        fields.push(&field);
    }
    Reflect::set(&error, &"fields".into(), &fields).expect("setting a field of a new Error");
    Err(error)
}
