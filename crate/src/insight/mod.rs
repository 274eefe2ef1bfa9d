//! A look inside the network while it learns, for the page's learning panels: on a batch of
//! training images, per layer the norm of the loss gradient, of the weights and of their last
//! change, and per hidden layer how its outputs are spread: the share at zero (dead ReLU
//! units), the share saturated (sigmoid outputs below 0.05 or above 0.95) and a histogram.
//! During training the look rides on a progress report's read, measured on the step's own
//! batch (`train::run`); `look` here takes one of the weights in use when no run is going on.

pub mod measure;
pub mod network;
mod spread;
pub mod unit;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use serde::{Deserialize, Serialize};

pub use measure::{Look, Measured};

use crate::data::Batch;
use crate::model::{HiddenActivation, Model};
use crate::read::ReadError;

/// Bins of an activation histogram.
pub const BINS: usize = 20;

/// One layer's gradient and change, over all its parameters (weights and bias).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct LayerGradient {
    pub layer: String,
    /// ‖∇J(w)‖ on the batch.
    pub gradient_norm: f32,
    /// ‖w − w_before‖: during training the step's own update; between runs, the change since
    /// the previous look (none at the first).
    pub update_norm: Option<f32>,
    /// ‖w‖.
    pub weight_norm: f32,
}

/// How one hidden layer's activations are spread on the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct ActivationStats {
    pub layer: String,
    /// Share of the outputs that are exactly 0 (a ReLU unit that gives nothing back).
    pub zero_share: f32,
    /// Share of the outputs below 0.05 or above 0.95: a sigmoid unit in its flat tails, where
    /// almost no gradient passes. None for an activation without such tails (ReLU, whose flat
    /// side is counted in `zero_share`, and linear).
    pub saturated_share: Option<f32>,
    pub min: f32,
    pub max: f32,
    /// `BINS` counts over `[min, max]`.
    pub histogram: Vec<u32>,
}

/// What one look found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Insight {
    pub images: usize,
    pub loss: f32,
    pub layers: Vec<LayerGradient>,
    pub activations: Vec<ActivationStats>,
}

/// The weights of the previous look, flattened per layer, on the device (never read back).
pub type Before = measure::PerLayer;

/// Look at `model` (an inference copy, whose hidden layers use `activation`) on `batch`, made
/// on the autodiff version of the model's device; `before` holds the weights of the previous
/// look and is replaced by these.
pub async fn look(
    model: &Model,
    activation: HiddenActivation,
    batch: Batch,
    before: &mut Before,
) -> Result<Insight, ReadError> {
    let device = batch.images.device();
    let trainable = model.clone().to_device(&device).train();
    let (logits, hidden) = trainable.forward_hidden(batch.images);
    let loss = CrossEntropyLossConfig::new()
        .init(&device)
        .forward(logits, batch.targets);
    let grads = GradientsParams::from_grads(loss.backward(), &trainable);
    let now = measure::weights(model);
    let measured = Measured::new(Look {
        loss,
        gradients: measure::gradient_squares(&trainable, &grads),
        now: &now,
        before,
        hidden: model.hidden_names().into_iter().zip(hidden).collect(),
        saturating: activation == HiddenActivation::Sigmoid,
    });
    let insight = measure::read(&measured).await?;
    *before = now;
    Ok(insight)
}
