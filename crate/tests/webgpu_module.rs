//! The WebGPU module as `./build.sh` ships it (`dist/pkg`: `--no-default-features --features
//! webgpu`, no burn flex), in headless Chromium (`./build.sh test` runs it with those features).
//! It has no CPU path: before WebGPU starts it says so instead of computing, and it refuses to
//! start the CPU (the worker runs the CPU path in a CPU-only module).
#![cfg(all(target_arch = "wasm32", feature = "webgpu", not(feature = "cpu")))]

mod common;

use common::js::{field, settle};
use js_sys::JSON;
use kiln::web::{Engine, decide_device, device};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A 32×32 RGBA image, all mid-grey.
fn grey() -> Vec<u8> {
    vec![128; 32 * 32 * 4]
}

#[wasm_bindgen_test]
async fn before_webgpu_starts_it_says_so_instead_of_computing() {
    let engine = Engine::new();
    let err = settle(engine.classify(grey(), false, None))
        .await
        .unwrap_err();
    assert!(err.contains("no device yet"), "{err}");
    let err = settle(engine.time_steps()).await.unwrap_err();
    assert!(err.contains("no device yet"), "{err}");
    let err = settle(engine.cpu_speed()).await.unwrap_err();
    assert!(err.contains("has no CPU path"), "{err}");
    assert!(device::cpu_device().is_none());
}

#[wasm_bindgen_test]
async fn the_cpu_is_refused_and_nothing_changes() {
    let engine = Engine::new();
    let err = settle(engine.init_device("cpu".into())).await.unwrap_err();
    assert!(err.contains("has no CPU path"), "{err}");
    let err = settle(engine.classify(grey(), false, None))
        .await
        .unwrap_err();
    assert!(err.contains("no device yet"), "{err}");
}

#[wasm_bindgen_test]
fn the_device_choice_is_exported_from_this_module_too() {
    let known = r#"{"preference": "webgpu", "webgpu_exposed": false}"#;
    let decision = decide_device(JSON::parse(known).unwrap()).unwrap();
    assert_eq!(
        JSON::stringify(&decision).unwrap(),
        r#"{"kind":"cpu","reason":{"code":"no_webgpu_in_browser"}}"#
    );
}

#[wasm_bindgen_test]
async fn on_webgpu_it_classifies_explains_times_and_hands_its_state_over() {
    let engine = Engine::new();
    let info = settle(engine.init_device("webgpu".into())).await.unwrap();
    assert_eq!(field(&info, "backend"), JsValue::from_str("webgpu"));
    let result = settle(engine.classify(grey(), true, None)).await.unwrap();
    let predictions = js_sys::Array::from(&field(&result, "predictions"));
    assert_eq!(predictions.length(), 10);
    let explanation = field(&result, "explanation");
    assert_eq!(
        field(&explanation, "class"),
        field(&predictions.get(0), "class")
    );
    let speed = settle(engine.time_steps()).await.unwrap().as_f64().unwrap();
    assert!(speed > 0.0, "{speed}");
    // Into a second engine of this module (the worker's handover, without a dataset).
    let state = settle(engine.export_state()).await.unwrap();
    assert!(field(&state, "dataset").is_null());
    let other = Engine::new();
    settle(other.init_device("webgpu".into())).await.unwrap();
    other.import_state(state).unwrap();
    let again = settle(other.classify(grey(), false, None)).await.unwrap();
    let first = |r: &JsValue| {
        field(
            &js_sys::Array::from(&field(r, "predictions")).get(0),
            "probability",
        )
    };
    assert_eq!(first(&result).as_f64(), first(&again).as_f64());
}
