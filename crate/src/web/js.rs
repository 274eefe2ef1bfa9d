//! Small bridges to JavaScript: values, errors and timers.

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// Any serialisable value as a plain JS object (maps become objects, not `Map`s).
pub fn to_js(value: &impl Serialize) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .unwrap_or_else(|e| JsValue::from_str(&e.to_string()))
}

/// A JS `Error` carrying `message`, for rejected promises.
pub fn error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}

/// Resolve after `ms` milliseconds (`setTimeout` of the worker's global scope).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(f) => {
                let _ = f.call2(&global, &resolve, &JsValue::from(ms));
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Let the event loop run (incoming messages are handled), then continue.
pub async fn yield_now() {
    sleep_ms(0).await;
}
