//! Reading the engine's answers in the browser tests.

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Await a promise; a rejection becomes its `Error`'s message.
pub async fn settle(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| {
        js_sys::Error::from(e)
            .message()
            .as_string()
            .unwrap_or_default()
    })
}

/// A property of a JS object.
pub fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap()
}
