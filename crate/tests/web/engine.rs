//! The engine as the worker calls it: the device choice, one classify request per image, and
//! the state moving between engines (as between the worker's builds).

use js_sys::{Array, Function, JSON, Uint8Array};
use kiln::data::{Cifar10, Split};
use kiln::web::{Engine, decide_device};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use crate::common::js::{field, settle};

fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

/// An engine on `kind` (`cpu` or `webgpu`).
async fn engine_on(kind: &str) -> Engine {
    let engine = Engine::new();
    let info = settle(engine.init_device(kind.into())).await.unwrap();
    assert_eq!(field(&info, "backend"), JsValue::from_str(kind));
    engine
}

/// A 32×32 RGBA image of deterministic colours.
fn image() -> Vec<u8> {
    (0..4096u32).map(|i| (i * 37 % 251) as u8).collect()
}

/// The probabilities of a `classify` answer, by class.
fn by_class(result: &JsValue) -> Vec<f32> {
    let mut out = vec![0.0; 10];
    for p in Array::from(&field(result, "predictions")).iter() {
        let class = field(&p, "class").as_f64().unwrap() as usize;
        out[class] = field(&p, "probability").as_f64().unwrap() as f32;
    }
    out
}

fn close(a: &[f32], b: &[f32], tolerance: f32) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tolerance)
}

#[wasm_bindgen_test]
fn decide_device_reads_the_worker_s_facts_and_answers_in_its_spelling() {
    let facts = r#"{"preference": "auto", "webgpu_exposed": true,
        "adapter": {"description": "Google · swiftshader", "software": true, "timestamp_query": true}}"#;
    let answer = decide_device(json(facts)).unwrap();
    assert_eq!(
        JSON::stringify(&answer).unwrap(),
        r#"{"kind":"cpu","reason":{"code":"software_adapter","adapter":"Google · swiftshader"}}"#
    );
    let measure = decide_device(json(
        r#"{"preference": "auto", "webgpu_exposed": true,
            "adapter": {"description": "NVIDIA", "software": false, "timestamp_query": true}, "speeds": null}"#,
    ))
    .unwrap();
    assert_eq!(JSON::stringify(&measure).unwrap(), r#"{"kind":"measure"}"#);
    assert!(decide_device(json(r#"{"preference": "gpu", "webgpu_exposed": true}"#)).is_err());
}

/// What Auto does after `measure`: the CPU path timed in its build, WebGPU in its, and the
/// faster kept.
#[wasm_bindgen_test]
async fn auto_times_both_devices_and_keeps_the_faster() {
    let cpu = engine_on("cpu").await;
    let cpu_speed = settle(cpu.cpu_speed()).await.unwrap().as_f64().unwrap();
    // The CPU engine's own device is the CPU: the same (kept) timing.
    let own = settle(cpu.time_steps()).await.unwrap().as_f64().unwrap();
    assert_eq!(own, cpu_speed);
    let gpu = engine_on("webgpu").await;
    let gpu_speed = settle(gpu.time_steps()).await.unwrap().as_f64().unwrap();
    assert!(
        cpu_speed > 0.0 && gpu_speed > 0.0,
        "{cpu_speed} {gpu_speed}"
    );
    let facts = format!(
        r#"{{"preference": "auto", "webgpu_exposed": true,
            "adapter": {{"description": "a GPU", "software": false, "timestamp_query": true}},
            "speeds": {{"cpu": {cpu_speed}, "webgpu": {gpu_speed}}}}}"#
    );
    let decision = decide_device(json(&facts)).unwrap();
    let expected = if cpu_speed > gpu_speed {
        "cpu"
    } else {
        "webgpu"
    };
    assert_eq!(field(&decision, "kind"), JsValue::from_str(expected));
}

#[wasm_bindgen_test]
async fn an_unknown_device_is_refused_by_name() {
    let err = settle(Engine::new().init_device("gpu".into()))
        .await
        .unwrap_err();
    assert!(err.contains("\"gpu\"") && err.contains("webgpu"), "{err}");
}

/// One request per image: the probabilities and, when asked, the explanation, from one
/// forward pass; the probabilities are those of plain inference.
async fn classify_explains_in_the_same_answer(engine: &Engine) -> Vec<f32> {
    let plain = settle(engine.classify(image(), false, None)).await.unwrap();
    assert!(field(&plain, "explanation").is_null());
    assert_eq!(
        field(&field(&plain, "model"), "source"),
        JsValue::from_str("untrained")
    );
    let explained = settle(engine.classify(image(), true, None)).await.unwrap();
    assert!(close(&by_class(&plain), &by_class(&explained), 1e-5));
    let ex = field(&explained, "explanation");
    let top = field(
        &Array::from(&field(&explained, "predictions")).get(0),
        "class",
    );
    assert_eq!(field(&ex, "class"), top);
    assert_eq!(
        js_sys::Float32Array::from(field(&ex, "saliency")).length(),
        1024
    );
    assert_eq!(Array::from(&field(&ex, "feature_maps")).length(), 3);
    let third = settle(engine.classify(image(), true, Some(3)))
        .await
        .unwrap();
    assert_eq!(
        field(&field(&third, "explanation"), "class").as_f64(),
        Some(3.0)
    );
    assert!(close(&by_class(&plain), &by_class(&third), 1e-5));
    let err = settle(engine.classify(image(), true, Some(10)))
        .await
        .unwrap_err();
    assert!(err.contains("no class 10"), "{err}");
    by_class(&plain)
}

/// Load `data` into `engine` as the files `loadDataset` reads; its summary.
fn load(engine: &Engine, data: &Cifar10) -> JsValue {
    let (names, files): (Vec<String>, Vec<Uint8Array>) = data
        .to_files()
        .into_iter()
        .map(|(name, bytes)| (name, Uint8Array::from(&bytes[..])))
        .unzip();
    let on_progress = Function::new_no_args("");
    engine
        .load_dataset(names, files, on_progress, Some("noise".into()))
        .unwrap()
}

/// A small dataset.
fn load_noise(engine: &Engine) {
    let data = Cifar10 {
        train: Split::noise(20, 3),
        ..Cifar10::default()
    };
    let summary = load(engine, &data);
    assert_eq!(field(&summary, "train_images").as_f64(), Some(20.0));
}

/// The CPU engine hands its weights and dataset to a WebGPU engine and takes them back, as
/// the worker does between its builds; both classify alike.
#[wasm_bindgen_test]
async fn the_state_moves_between_engines_and_classifies_alike() {
    let cpu = engine_on("cpu").await;
    load_noise(&cpu);
    let on_cpu = classify_explains_in_the_same_answer(&cpu).await;

    let gpu = engine_on("webgpu").await;
    let state = settle(cpu.export_state()).await.unwrap();
    assert_eq!(field(&state, "source"), JsValue::from_str("untrained"));
    assert_eq!(
        field(&field(&state, "dataset"), "name")
            .as_string()
            .as_deref(),
        Some("noise")
    );
    assert!(
        cpu.sample_images(1).is_err(),
        "the CPU engine let its dataset go"
    );
    gpu.import_state(state).unwrap();
    assert!(field(&gpu.sample_images(1).unwrap(), "labels").is_object());
    let on_gpu = classify_explains_in_the_same_answer(&gpu).await;
    assert!(close(&on_cpu, &on_gpu, 1e-4), "{on_cpu:?} vs {on_gpu:?}");

    let back = settle(gpu.export_state()).await.unwrap();
    cpu.import_state(back).unwrap();
    assert!(gpu.sample_images(1).is_err());
    assert!(cpu.sample_images(1).is_ok());
    let again = settle(cpu.classify(image(), false, None)).await.unwrap();
    assert!(close(&on_cpu, &by_class(&again), 1e-6));
}

#[wasm_bindgen_test]
fn a_state_without_weights_is_refused_and_changes_nothing() {
    let engine = Engine::new();
    load_noise(&engine);
    assert!(
        engine
            .import_state(json(r#"{"source": "file", "dataset": null}"#))
            .is_err()
    );
    assert!(engine.sample_images(1).is_ok());
}

/// A run whose loss becomes NaN stops with a message that names the step and suggests a lower
/// learning rate; the weights in use stay those from before the run, and classify finitely.
async fn a_diverging_run_keeps_the_weights_before_it(kind: &str) {
    use kiln::model::{HiddenActivation, ModelConfig};
    use kiln::train::{OptimizerConfig, TrainingConfig};
    let engine = engine_on(kind).await;
    let data = crate::common::noise_data(256, 32, 7);
    load(&engine, &data);
    let before = by_class(&settle(engine.classify(image(), false, None)).await.unwrap());
    // SGD at the largest learning rate the settings allow, on a network without
    // non-linearities: the loss is NaN within a few steps.
    let config = TrainingConfig {
        epochs: 2,
        batch_size: 16,
        learning_rate: 1.0,
        optimizer: OptimizerConfig::Sgd,
        report_every_seconds: 0.0,
        model: ModelConfig::new().with_activation(HiddenActivation::Linear),
        ..TrainingConfig::default()
    };
    let config = serde_wasm_bindgen::to_value(&config).unwrap();
    let losses = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = losses.clone();
    let on_event = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        if field(&e, "type") == JsValue::from_str("step") {
            seen.borrow_mut()
                .push(field(&e, "loss").as_f64().unwrap_or(f64::NAN));
        }
    });
    let err = settle(engine.train(config, on_event.as_ref().clone().into(), false, None))
        .await
        .expect_err("a diverging run must fail");
    assert!(err.contains("diverged at epoch 1, step"), "{kind}: {err}");
    assert!(err.contains("lower learning rate than 1"), "{kind}: {err}");
    assert!(
        err.contains("weights in use before the run are kept"),
        "{kind}: {err}"
    );
    assert!(
        losses.borrow().iter().all(|l| l.is_finite()),
        "{kind}: a non-finite loss was reported: {:?}",
        losses.borrow()
    );
    let after = by_class(&settle(engine.classify(image(), false, None)).await.unwrap());
    assert!(after.iter().all(|p| p.is_finite()), "{kind}: {after:?}");
    assert!(
        close(&before, &after, 1e-6),
        "{kind}: {before:?} against {after:?}"
    );
}

#[wasm_bindgen_test]
async fn a_diverging_run_on_the_cpu_keeps_the_weights_before_it() {
    a_diverging_run_keeps_the_weights_before_it("cpu").await;
}

#[wasm_bindgen_test]
async fn a_diverging_run_on_webgpu_keeps_the_weights_before_it() {
    a_diverging_run_keeps_the_weights_before_it("webgpu").await;
}
