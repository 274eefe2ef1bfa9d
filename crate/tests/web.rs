//! In the browser (wasm-bindgen-test in headless Chromium and Firefox, run by `./build.sh test`
//! through `wasm-pack test --headless --chrome` and `--firefox`): training lowers the loss on
//! WebGPU and on the CPU, async reads work, progress reports do not drain the device, Auto's
//! timings lead to the faster device, the engine's state moves between engines, and in Firefox
//! Kiln's kernels give burn's values on its WebGPU. The rules of the device
//! choice are unit-tested natively (`crate::device`); `engine.rs` tests the engine's calls.
// The build with both devices (the default features); `webgpu_module.rs` tests the WebGPU
// module alone.
#![cfg(all(target_arch = "wasm32", feature = "cpu", feature = "webgpu"))]

mod common;
#[path = "web/engine.rs"]
mod engine;

use burn::prelude::*;
use common::StopAfter;
use kiln::data::{Cifar10, Split};
use kiln::device::Backend;
use kiln::read::read_floats;
use kiln::train::{Trainer, TrainingConfig, TrainingEvent};
use kiln::web::device;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The browser's WebGPU device; fails the test when WebGPU does not start.
async fn webgpu() -> Device {
    match device::start(Backend::WebGpu).await {
        Ok(started) => started.device,
        Err(e) => panic!("{e}"),
    }
}

/// Ten images of deterministic noise, one per class: a batch a network can memorise quickly.
fn noise_batch() -> Cifar10 {
    Cifar10 {
        train: Split::noise(10, 0x9E37_79B9_7F4A_7C15),
        ..Cifar10::default()
    }
}

/// Mean loss of the first and of the last progress report of a short run.
async fn first_and_last_loss(device: &Device) -> (f32, f32) {
    // Small: WebGPU on SwiftShader (no GPU) runs at a few images per second.
    let data = noise_batch();
    let config = TrainingConfig {
        epochs: 15,
        batch_size: 10,
        report_every_seconds: 0.0,
        ..TrainingConfig::default()
    };
    let trainer = Trainer::new(config, device, &data).unwrap();
    let mut losses = Vec::new();
    let mut observe = |e: &TrainingEvent| {
        if let TrainingEvent::Step { loss, .. } = e {
            losses.push(*loss);
        }
    };
    trainer.run(&data, &mut observe).await.1.unwrap();
    (losses[0], *losses.last().unwrap())
}

/// A progress report's read runs behind the steps queued after it (WebGPU is not drained for
/// it): the reports still come in order, end each epoch with its last step, and count every
/// training image once.
async fn reports_cover_every_step(device: &Device) {
    let data = Cifar10 {
        train: Split::noise(12, 7),
        ..Cifar10::default()
    };
    let config = TrainingConfig {
        epochs: 2,
        batch_size: 2,
        report_every_seconds: 0.0,
        ..TrainingConfig::default()
    };
    let trainer = Trainer::new(config, device, &data).unwrap();
    let mut steps: Vec<(usize, usize)> = Vec::new();
    let mut images = Vec::new();
    let mut observe = |e: &TrainingEvent| match e {
        TrainingEvent::Step { epoch, step, .. } => steps.push((*epoch, *step)),
        TrainingEvent::EpochFinished { train, .. } => images.push(train.images),
        _ => {}
    };
    trainer.run(&data, &mut observe).await.1.unwrap();
    assert_eq!(images, vec![12, 12]);
    for epoch in 0..2 {
        let of_epoch: Vec<usize> = steps
            .iter()
            .filter(|(e, _)| *e == epoch)
            .map(|(_, s)| *s)
            .collect();
        assert!(of_epoch.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
        assert_eq!(of_epoch.last(), Some(&6), "{steps:?}");
    }
}

#[wasm_bindgen_test]
async fn reports_cover_every_step_on_the_cpu() {
    reports_cover_every_step(&Device::flex()).await;
}

#[wasm_bindgen_test]
async fn reports_cover_every_step_on_webgpu() {
    reports_cover_every_step(&webgpu().await).await;
}

/// Stopping a run while a report's read is in flight leaves WebGPU working: the read finishes
/// on its own (dropped, cubecl-wgpu would reuse its staging buffer while it is being mapped,
/// and the device would be lost).
#[wasm_bindgen_test]
async fn stopping_with_a_read_in_flight_leaves_webgpu_working() {
    let device = webgpu().await;
    let data = noise_batch();
    let config = TrainingConfig {
        epochs: 1,
        batch_size: 2,
        report_every_seconds: 0.0,
        ..TrainingConfig::default()
    };
    for _ in 0..2 {
        let trainer = Trainer::new(config.clone(), &device, &data).unwrap();
        let summary = trainer.run(&data, &mut StopAfter(2)).await.1.unwrap();
        assert!(summary.cancelled);
        for _ in 0..3 {
            let t = Tensor::<1>::from_floats([1.0, 2.0], &device) * 3.0;
            assert_eq!(read_floats(t).await.unwrap(), vec![3.0, 6.0]);
        }
    }
    let (first, last) = first_and_last_loss(&device).await;
    assert!(
        last < first,
        "webgpu after stopping: loss {first} -> {last}"
    );
}

#[wasm_bindgen_test]
async fn async_reads_work_on_every_device() {
    for device in [Device::flex(), webgpu().await] {
        let t = Tensor::<1>::from_floats([1.0, 2.0, 3.5], &device) * 2.0;
        assert_eq!(read_floats(t).await.unwrap(), vec![2.0, 4.0, 7.0]);
    }
}

#[wasm_bindgen_test]
async fn training_lowers_the_loss_on_the_cpu() {
    let (first, last) = first_and_last_loss(&Device::flex()).await;
    assert!(last < first * 0.8, "cpu: loss {first} -> {last}");
}

#[wasm_bindgen_test]
async fn training_lowers_the_loss_on_webgpu() {
    let (first, last) = first_and_last_loss(&webgpu().await).await;
    assert!(last < first * 0.8, "webgpu: loss {first} -> {last}");
}

/// Save a run on `device` after one epoch and continue it there: the checkpoint uses only
/// async reads (WebGPU forbids the others) and the resumed run goes on with epoch 2.
async fn checkpoint_and_resume(device: &Device) {
    struct Keep(Option<kiln::train::Checkpoint>);
    impl kiln::train::Observer for Keep {
        fn event(&mut self, _: &TrainingEvent) {}
        async fn epoch_finished(&mut self, trainer: &Trainer) {
            self.0 = Some(trainer.checkpoint("noise").await.unwrap());
        }
    }
    let data = noise_batch();
    let config = TrainingConfig {
        epochs: 1,
        batch_size: 10,
        ..TrainingConfig::default()
    };
    let trainer = Trainer::new(config, device, &data).unwrap();
    let mut keep = Keep(None);
    trainer.run(&data, &mut keep).await.1.unwrap();
    let mut checkpoint = keep.0.expect("a checkpoint after epoch 1");
    assert_eq!(
        kiln::train::optimizer::state_entries(&checkpoint.optimizer).unwrap(),
        10
    );
    checkpoint.config.epochs = 2;
    let resumed = Trainer::resume(device, &checkpoint).unwrap();
    let mut epochs = Vec::new();
    let mut observe = |e: &TrainingEvent| {
        if let TrainingEvent::EpochFinished { epoch, .. } = e {
            epochs.push(*epoch);
        }
    };
    let summary = resumed.run(&data, &mut observe).await.1.unwrap();
    assert_eq!(epochs, vec![1]);
    assert_eq!(summary.epochs, 2);
}

#[wasm_bindgen_test]
async fn a_run_is_saved_and_resumed_on_the_cpu() {
    checkpoint_and_resume(&Device::flex()).await;
}

#[wasm_bindgen_test]
async fn a_run_is_saved_and_resumed_on_webgpu() {
    checkpoint_and_resume(&webgpu().await).await;
}

/// Saliency and Grad-CAM through autodiff and one async read, on WebGPU as on the CPU: the
/// same answer on both devices for the same weights.
#[wasm_bindgen_test]
async fn explanations_agree_on_webgpu_and_the_cpu() {
    use kiln::data::{CLASS_NAMES, Normalization};
    use kiln::explain::explain;
    let gpu = webgpu().await;
    let names: Vec<String> = CLASS_NAMES.iter().map(|s| s.to_string()).collect();
    let image: Vec<u8> = (0..3072u32).map(|i| (i * 37 % 251) as u8).collect();
    let cpu = Device::flex();
    cpu.seed(3);
    let model = kiln::model::ModelConfig::new().init(&cpu).unwrap();
    let on_cpu = explain(&model, Normalization::Unit, &image, &names, &cpu)
        .await
        .unwrap();
    let fresh = kiln::model::ModelConfig::new().init(&gpu).unwrap();
    let on_gpu_model = kiln::transfer::move_to_device(&model, fresh, &gpu)
        .await
        .unwrap();
    let on_gpu = explain(&on_gpu_model, Normalization::Unit, &image, &names, &gpu)
        .await
        .unwrap();
    assert_eq!(on_cpu.class, on_gpu.class);
    assert_eq!(on_gpu.gradcam.len(), 16);
    assert!(on_gpu.gradcam.iter().all(|&v| v >= 0.0));
    let close = |a: &[f32], b: &[f32]| {
        let scale = a.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-12);
        a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-3 * scale)
    };
    assert!(
        close(&on_cpu.saliency, &on_gpu.saliency),
        "saliency differs"
    );
    assert!(close(&on_cpu.gradcam, &on_gpu.gradcam), "Grad-CAM differs");
}

/// Kiln's kernels held to burn's on this browser's WebGPU, in Firefox: its WebGPU (wgpu, on
/// Mesa's lavapipe here) is a second implementation beside Chromium's Dawn, which runs the same
/// checks in the page (tests/e2e/fused.test.mjs) and so skips them here. The convolution,
/// pooling, dense layer, GELU and BatchNorm (`check::layers_difference`), the loss, the ReLU,
/// and the seed's fused Adam against burn's for two steps.
#[wasm_bindgen_test]
async fn the_kernels_match_burns_on_firefoxs_webgpu() {
    use kiln::kernels::check;
    let agent = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|navigator| js_sys::Reflect::get(&navigator, &"userAgent".into()))
        .ok()
        .and_then(|agent| agent.as_string())
        .unwrap_or_default();
    if !agent.contains("Firefox") {
        wasm_bindgen_test::console_log!("skipped outside Firefox: the page's test checks {agent}");
        return;
    }
    let device = webgpu().await;
    let layers = check::layers_difference(&device).await.unwrap();
    assert!(
        layers <= 1e-4,
        "convolution, pooling, dense layer, GELU or BatchNorm differs by {layers}"
    );
    let loss = check::loss_difference(&device).await.unwrap();
    assert!(loss <= 1e-5, "the fused loss differs from burn's by {loss}");
    let relu = check::relu_difference(&device).await.unwrap();
    assert_eq!(relu, 0.0, "the fused ReLU differs from burn's");
    let agreement = kiln::train::optimizer::check::compare(
        &device,
        "seed",
        &kiln::train::OptimizerConfig::adam(),
        1e-3,
        5e-4,
        2,
    )
    .await
    .unwrap();
    assert!(agreement.largest_change > 1e-3, "{agreement:?}");
    assert!(
        agreement.largest_difference <= 1e-5,
        "the fused Adam's weights are {} from burn's",
        agreement.largest_difference
    );
}
