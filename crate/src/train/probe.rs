//! How fast a device trains the seed network: a warm-up step, then a few timed steps on noise
//! images (uploaded each step, as in training). "Auto" in the browser uses it to pick between
//! WebGPU and the CPU, since a weak or software-emulated GPU can be slower than the CPU path.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::prelude::*;
use web_time::Instant;

use crate::data::{Batcher, Normalization, Split};
use crate::model::ModelConfig;
use crate::read::{ReadError, read_floats};
use crate::recipe::OptimizerConfig;
use crate::train::optimizer;

/// What a probe measured.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Probe {
    pub images_per_second: f64,
    /// Timed steps (at least one, fewer than asked when the time budget ran out).
    pub steps: usize,
}

/// Train `steps` steps of `batch` images on `device` (after one warm-up step) and time them.
/// Each step ends with a read of its loss, so the time is the device's, not the queue's. Stops
/// early once `budget_seconds` have passed after the first timed step.
pub async fn training_speed(
    device: &Device,
    batch: usize,
    steps: usize,
    budget_seconds: f64,
) -> Result<Probe, ReadError> {
    let device = device.clone().autodiff();
    let mut model = ModelConfig::new()
        .init(&device)
        .expect("the default model is registered");
    let mut optim = optimizer::build(&OptimizerConfig::adam(), 0.0, &[], 1.0);
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let data = Split::noise(batch, 0x5EED);
    let indices: Vec<usize> = (0..batch).collect();
    let batcher = Batcher::new(Normalization::Unit, device.clone());
    let mut step = async |model: crate::model::Model| {
        let b = batcher.batch(&data, &indices);
        let loss = loss_fn.forward(model.forward(b.images), b.targets);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let model = optim.step(1e-3, model, grads);
        read_floats(loss.inner()).await.map(|_| model)
    };
    // The warm-up step, untimed: on a GPU it includes shader compilation.
    model = step(model).await?;
    let start = Instant::now();
    let mut done = 0;
    while done < steps.max(1) {
        model = step(model).await?;
        done += 1;
        if start.elapsed().as_secs_f64() > budget_seconds {
            break;
        }
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    Ok(Probe {
        images_per_second: (done * batch) as f64 / seconds,
        steps: done,
    })
}
