//! Training on a native GPU (`kiln --device gpu`: burn's wgpu runtime with Kiln's fused kernels),
//! held to the CPU path: the kernel checks the page runs on WebGPU, one training step of each
//! network from the same weights and batch, a short run that learns, and runs resumed across
//! devices. Any Vulkan adapter will do, lavapipe (Mesa's software Vulkan) included, which is
//! what CI runs them on (`scripts/test.sh`, `ensure_vulkan`): small batches, a few steps.
//!
//! Without an adapter each test prints a `SKIPPED:` line naming the problem; with
//! `KILN_REQUIRE_GPU=1` (set by `./build.sh test` where it installed lavapipe) it fails instead.
#![cfg(all(not(target_arch = "wasm32"), feature = "webgpu"))]

mod common;
use common::Saver;

use std::sync::{Mutex, MutexGuard};

use burn::prelude::*;
use kiln::data::Cifar10;
use kiln::device::native;
use kiln::kernels::check;
use kiln::train::optimizer::check::compare;
use kiln::train::{OptimizerConfig, Trainer, TrainingConfig, TrainingEvent};
use kiln::transfer::read_parameters;

/// The tests share one GPU and seed its random state, and lavapipe has the machine's cores:
/// one test at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The GPU, held for the test; `None` after a `SKIPPED:` line where there is none.
fn gpu() -> Option<(MutexGuard<'static, ()>, Device)> {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    match native::gpu() {
        Ok((device, adapter)) => {
            eprintln!("GPU: {adapter}");
            Some((guard, device))
        }
        Err(e) if std::env::var_os("KILN_REQUIRE_GPU").is_some() => {
            panic!("KILN_REQUIRE_GPU is set, but: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: {e}; this GPU test did not run");
            None
        }
    }
}

fn parameters(trainer: &Trainer) -> Vec<f32> {
    pollster::block_on(read_parameters(&trainer.model()))
        .unwrap()
        .values
}

/// How far weights `a` are from `b`, relative to `b`.
#[derive(Debug, Clone, Copy)]
struct Difference {
    /// ‖a − b‖₂ / ‖b‖₂: what the tests hold to 1e-4.
    norm: f64,
    /// The largest |a − b| over the largest |b|, held to 1e-3 only. Adam divides each gradient
    /// by its own size, so a weight whose gradient is near ε (1e-7) moves by an amount that
    /// float rounding decides, on either device: one such weight can be a few 1e-4 off after a
    /// single step while the weights as a whole agree to 1e-6.
    largest: f64,
}

fn difference(a: &[f32], b: &[f32]) -> Difference {
    assert_eq!(a.len(), b.len());
    let (mut diff2, mut b2, mut diff_max, mut b_max) = (0f64, 0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (d, y) = ((x - y).abs() as f64, y.abs() as f64);
        diff2 += d * d;
        b2 += y * y;
        diff_max = diff_max.max(d);
        b_max = b_max.max(y);
    }
    Difference {
        norm: (diff2 / b2.max(1e-30)).sqrt(),
        largest: diff_max / b_max.max(1e-30),
    }
}

/// `model`'s recipe on `batch` images a step, `steps` steps in one epoch, no test set.
fn short(model: &str, batch: usize, steps: usize) -> TrainingConfig {
    TrainingConfig {
        epochs: 1,
        seed: 7,
        train_limit: Some(batch * steps),
        test_limit: Some(0),
        ..TrainingConfig::for_model(model, Some(batch))
    }
}

/// Train `start` (a trainer's model) on `device` with `config`; the weights after the run.
fn train_from(
    config: &TrainingConfig,
    device: &Device,
    data: &Cifar10,
    start: &Trainer,
) -> Vec<f32> {
    let trainer = Trainer::from_model(config.clone(), device, data, start.model()).unwrap();
    let (trainer, result) = pollster::block_on(trainer.run(data, &mut |_: &TrainingEvent| {}));
    result.unwrap();
    parameters(&trainer)
}

/// The checks `tests/e2e/fused.test.mjs` runs on the page's WebGPU, here on the native GPU: each
/// fused optimiser against burn's composition of the same update, the fused ReLU, the
/// convolution and pooling, and the fused loss against burn's.
#[test]
fn the_fused_kernels_match_burns_on_the_gpu() {
    let Some((_gpu, device)) = gpu() else { return };
    let nesterov = OptimizerConfig::Nesterov { momentum: 0.85 };
    for (model, config, lr) in [
        ("seed", OptimizerConfig::adam(), 1e-3),
        ("seed", OptimizerConfig::Sgd, 0.05),
        ("seed", nesterov, 0.05),
        ("airbench", nesterov, 0.05),
    ] {
        let agreement = pollster::block_on(compare(&device, model, &config, lr, 5e-4, 2)).unwrap();
        println!("{model} {config:?}: {agreement:?}");
        assert!(agreement.largest_change > 1e-3, "{model}: {agreement:?}");
        assert!(
            agreement.largest_difference <= 1e-5,
            "{model} {config:?}: the fused weights are {} from burn's on the GPU",
            agreement.largest_difference
        );
    }
    let relu = pollster::block_on(check::relu_difference(&device)).unwrap();
    assert_eq!(relu, 0.0, "the fused ReLU differs from burn's on the GPU");
    let layers = pollster::block_on(check::layers_difference(&device)).unwrap();
    println!("layers: {layers}");
    assert!(
        layers <= 1e-4,
        "convolution, pooling, dense layer, GELU or BatchNorm differs by {layers}"
    );
    let loss = pollster::block_on(check::loss_difference(&device)).unwrap();
    assert!(loss <= 1e-5, "the fused loss differs from burn's by {loss}");
}

/// A whole training step of each network (its own recipe: the seed's Adam, airbench's
/// whitening, BatchNorm, Nesterov SGD, label smoothing) on the GPU and on the CPU, from the same
/// weights on the same batch, leaves the same weights.
#[test]
fn a_training_step_on_the_gpu_matches_the_cpu() {
    let Some((_gpu, device)) = gpu() else { return };
    for (model, batch) in [("seed", 16), ("airbench", 8)] {
        let data = common::noise_data(batch, 0, 11);
        let mut config = short(model, batch, 1);
        // airbench's lookahead sets the weights to its average after the last step, which
        // after one step is still the start: the step itself is what is compared.
        config.recipe.lookahead = None;
        let start = Trainer::new(config.clone(), &Device::flex(), &data).unwrap();
        let before = parameters(&start);
        let on_cpu = train_from(&config, &Device::flex(), &data, &start);
        let on_gpu = train_from(&config, &device, &data, &start);
        let moved = difference(&on_cpu, &before);
        let apart = difference(&on_gpu, &on_cpu);
        println!("{model}: one step moved the weights {moved:?}; GPU against CPU {apart:?}");
        assert!(
            moved.norm > 1e-4,
            "{model}: the step barely moved the weights"
        );
        assert!(
            apart.norm <= 1e-4 && apart.largest <= 1e-3,
            "{model}: the GPU's step left weights {apart:?} from the CPU's"
        );
    }
}

/// A short run of the seed on real CIFAR-10 learns on the GPU: the loss falls and the test
/// accuracy is clearly above chance.
#[test]
fn a_short_run_on_the_gpu_learns() {
    let Some((_gpu, device)) = gpu() else { return };
    let Some(data) = common::real_data() else {
        return;
    };
    let config = TrainingConfig {
        epochs: 2,
        test_limit: Some(500),
        ..short("seed", 32, 40)
    };
    let trainer = Trainer::new(config, &device, &data).unwrap();
    let (trainer, summary) = pollster::block_on(trainer.run(&data, &mut |_: &TrainingEvent| {}));
    let summary = summary.unwrap();
    let records = &trainer.history.records;
    println!("{records:?}");
    let (first, last) = (records.first().unwrap(), records.last().unwrap());
    assert!(
        last.train.loss < first.train.loss,
        "the loss did not fall: {} then {}",
        first.train.loss,
        last.train.loss
    );
    // Chance is 0.1; over 500 test images its standard error is 0.013, so 0.17 is five of them
    // above it. Two epochs of 40 steps reach about 0.2, and float rounding (the GPU sums in
    // another order than the CPU) moves that by a point or two.
    let accuracy = summary.test_accuracy.unwrap();
    assert!(
        accuracy > 0.17,
        "test accuracy {accuracy} is near chance (0.1)"
    );
}

/// A run saved after an epoch on one device continues on the other, from the next epoch, and
/// ends where the same run does on the first device alone (to the devices' rounding). Not
/// against the other device's whole run: on random labels, the rounding of the first epoch's
/// eight Adam steps (1e-4) grows to 1e-2 in the second, whichever device runs it.
#[test]
fn a_run_resumes_across_devices() {
    let Some((_gpu, gpu)) = gpu() else { return };
    let cpu = Device::flex();
    let data = common::noise_data(64, 16, 5);
    let config = TrainingConfig {
        epochs: 2,
        batch_size: 16,
        seed: 7,
        ..TrainingConfig::default()
    };
    let start = Trainer::new(config.clone(), &cpu, &data).unwrap();

    for (first, then, name) in [(&cpu, &gpu, "CPU → GPU"), (&gpu, &cpu, "GPU → CPU")] {
        let straight = train_from(&config, first, &data, &start);
        let one_epoch = TrainingConfig {
            epochs: 1,
            ..config.clone()
        };
        let trainer = Trainer::from_model(one_epoch, first, &data, start.model()).unwrap();
        let mut saver = Saver::default();
        pollster::block_on(trainer.run(&data, &mut saver))
            .1
            .unwrap();
        let mut checkpoint = saver.saved.pop().unwrap();
        checkpoint.config.epochs = 2;

        let resumed = Trainer::resume(then, &checkpoint).unwrap();
        let mut epochs = Vec::new();
        let (resumed, result) = pollster::block_on(resumed.run(&data, &mut |e: &TrainingEvent| {
            if let TrainingEvent::EpochFinished { epoch, .. } = e {
                epochs.push(*epoch);
            }
        }));
        result.unwrap();
        assert_eq!(
            epochs,
            vec![1],
            "{name}: the resumed run goes on with epoch 2"
        );
        assert_eq!(resumed.history.records.len(), 2);
        let apart = difference(&parameters(&resumed), &straight);
        println!("{name}: against the run on the first device alone {apart:?}");
        assert!(
            apart.norm <= 1e-4 && apart.largest <= 1e-3,
            "{name}: drifted by {apart:?}"
        );
    }
}
