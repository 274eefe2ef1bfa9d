//! The WebGPU module as `./build.sh` ships it (`dist/pkg`: `--no-default-features --features
//! webgpu`, no burn flex), in headless Chromium (`./build.sh test` runs it with those features).
//! It has no CPU path: before WebGPU starts it says so instead of computing, and where WebGPU
//! is not chosen it hands the choice back (the worker then moves to a CPU-only module).
#![cfg(all(target_arch = "wasm32", feature = "webgpu", not(feature = "cpu")))]

use js_sys::Promise;
use kiln::web::{Engine, device};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A 32×32 RGBA image, all mid-grey.
fn grey() -> Vec<u8> {
    vec![128; 32 * 32 * 4]
}

async fn settle(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| {
        js_sys::Error::from(e)
            .message()
            .as_string()
            .unwrap_or_default()
    })
}

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap()
}

/// `initDevice(preference)`: the backend chosen and why not WebGPU, if it was not.
async fn init(engine: &Engine, preference: &str) -> (String, Option<String>) {
    let info = settle(engine.init_device(preference.into(), None))
        .await
        .unwrap();
    let backend = field(&info, "backend").as_string().unwrap();
    (backend, field(&info, "fallback_reason").as_string())
}

#[wasm_bindgen_test]
async fn before_webgpu_starts_it_says_so_instead_of_computing() {
    let engine = Engine::new();
    let err = settle(engine.classify(grey())).await.unwrap_err();
    assert!(err.contains("no device yet"), "{err}");
    let err = settle(engine.cpu_speed()).await.unwrap_err();
    assert!(err.contains("has no CPU path"), "{err}");
    assert!(device::cpu_device().is_none());
}

#[wasm_bindgen_test]
async fn the_cpu_choice_is_handed_back_without_a_device() {
    let engine = Engine::new();
    assert_eq!(init(&engine, "cpu").await.0, "cpu");
    // Still nothing to compute on here: the worker moves to a CPU-only module.
    let err = settle(engine.classify(grey())).await.unwrap_err();
    assert!(err.contains("no device yet"), "{err}");
}

#[wasm_bindgen_test]
async fn on_webgpu_it_classifies_and_auto_keeps_webgpu_without_a_cpu_timing() {
    let engine = Engine::new();
    let (backend, reason) = init(&engine, "webgpu").await;
    assert_eq!(backend, "webgpu", "WebGPU did not start: {reason:?}");
    let result = settle(engine.classify(grey())).await.unwrap();
    let predictions = js_sys::Array::from(&field(&result, "predictions"));
    assert_eq!(predictions.length(), 10);
    // Auto without the CPU path's speed (the worker could not time it): this module cannot
    // time a CPU it does not have, so it keeps WebGPU rather than fail.
    assert_eq!(init(&engine, "auto").await.0, "webgpu");
}
