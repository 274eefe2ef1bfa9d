//! A look inside the network while it learns, for the page's learning panels: on one batch of
//! training images and the weights in use, per layer the norm of the loss gradient and of the
//! change of the weights since the previous look, and per convolution (a hidden layer) how its
//! activations are spread: the share at zero (dead ReLU units), the share saturated (sigmoid
//! outputs below 0.05 or above 0.95) and a histogram. Everything comes back in one async read,
//! as a progress report does, and nothing here touches the training step itself.

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::Transaction;
use serde::{Deserialize, Serialize};

use crate::data::Batch;
use crate::model::{HiddenActivation, Model};
use crate::train::read::ReadError;

/// Bins of an activation histogram.
pub const BINS: usize = 20;

/// One layer's gradient and change, over all its parameters (weights and bias).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerGradient {
    pub layer: String,
    /// ‖∇J(w)‖ on the batch.
    pub gradient_norm: f32,
    /// ‖w − w_before‖ since the previous look; none at the first.
    pub update_norm: Option<f32>,
    /// ‖w‖.
    pub weight_norm: f32,
}

/// How one hidden layer's activations are spread on the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct Insight {
    pub images: usize,
    pub loss: f32,
    pub layers: Vec<LayerGradient>,
    pub activations: Vec<ActivationStats>,
}

/// The weights of the previous look, flattened per layer, on the device (never read back).
pub type Before = Vec<(String, Tensor<1>)>;

/// A parameter: its id, its rank and its value, flattened.
type Flat = (ParamId, usize, Tensor<1>);

/// Each float parameter's id and flattened value, grouped by the layer (module) that holds it.
#[derive(Default)]
struct Params {
    path: Vec<String>,
    /// Per layer: each parameter's id, rank and flattened value.
    layers: Vec<(String, Vec<Flat>)>,
}

impl ModuleVisitor for Params {
    fn enter_module(&mut self, name: &str, _container: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        // The path ends with the parameter's own name (`conv1.weight`): its layer is before it.
        let layer = match self.path.as_slice() {
            [.., layer, _param] => layer.clone(),
            _ => String::new(),
        };
        let value = param.val().flatten::<1>(0, D - 1);
        match self.layers.last_mut() {
            Some((name, list)) if *name == layer => list.push((param.id, D, value)),
            _ => self.layers.push((layer, vec![(param.id, D, value)])),
        }
    }
}

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
    let images = batch.images.dims()[0];
    let convs = trainable.conv_activations(batch.images);
    let last = convs
        .last()
        .expect("a model has at least one convolution")
        .clone();
    let logits = trainable.head(last);
    let loss = CrossEntropyLossConfig::new()
        .init(&device)
        .forward(logits, batch.targets);
    let grads = GradientsParams::from_grads(loss.backward(), &trainable);

    // The figures to read, in one transaction: the loss, then per layer ‖g‖², ‖w‖² and
    // ‖w − w_before‖², then each convolution's activations.
    let mut params = Params::default();
    model.visit(&mut params);
    let mut transaction = Transaction::default().register(loss.inner().reshape([1]));
    let mut now: Before = Vec::new();
    for (layer, list) in &params.layers {
        let mut grad_sq = Tensor::<1>::zeros([1], &device.clone().inner());
        for (id, rank, _) in list {
            if let Some(sq) = grad_squared(&grads, *id, *rank) {
                grad_sq = grad_sq + sq;
            }
        }
        let weights = Tensor::cat(list.iter().map(|(_, _, w)| w.clone()).collect(), 0);
        let weight_sq = weights.clone().powi_scalar(2).sum();
        let update_sq = match before.iter().find(|(name, _)| name == layer) {
            Some((_, old)) if old.dims() == weights.dims() && old.device() == weights.device() => {
                (weights.clone() - old.clone()).powi_scalar(2).sum()
            }
            _ => Tensor::<1>::full([1], -1.0, &weights.device()),
        };
        transaction = transaction
            .register(grad_sq)
            .register(weight_sq)
            .register(update_sq);
        now.push((layer.clone(), weights));
    }
    for conv in &convs {
        transaction = transaction.register(conv.clone().inner().flatten::<1>(0, 3));
    }
    let data = transaction
        .execute_async()
        .await
        .map_err(|e| ReadError(e.to_string()))?;
    let mut values = data.into_iter().map(|d| {
        d.try_into_vec_as::<f32>()
            .map_err(|e| ReadError(format!("{e:?}")))
    });
    let mut next = || values.next().expect("one value per registered tensor");
    let loss = next()?[0];
    let mut layers = Vec::new();
    for (layer, _) in &params.layers {
        let (g, w, u) = (next()?[0], next()?[0], next()?[0]);
        layers.push(LayerGradient {
            layer: layer.clone(),
            gradient_norm: g.sqrt(),
            weight_norm: w.sqrt(),
            update_norm: (u >= 0.0).then(|| u.sqrt()),
        });
    }
    let mut activations = Vec::new();
    for name in model.conv_names() {
        let saturating = activation == HiddenActivation::Sigmoid;
        activations.push(stats(name, &next()?, saturating));
    }
    *before = now;
    Ok(Insight {
        images,
        loss,
        layers,
        activations,
    })
}

/// The squared norm of the gradient of a parameter of `rank` 1 to 4 (convolution kernels).
fn grad_squared(grads: &GradientsParams, id: ParamId, rank: usize) -> Option<Tensor<1>> {
    let sq = |t: Tensor<1>| t.powi_scalar(2).sum();
    match rank {
        1 => grads.get::<1>(id).map(sq),
        2 => grads.get::<2>(id).map(|g| sq(g.flatten(0, 1))),
        3 => grads.get::<3>(id).map(|g| sq(g.flatten(0, 2))),
        4 => grads.get::<4>(id).map(|g| sq(g.flatten(0, 3))),
        _ => None,
    }
}

/// The spread of one layer's activations; `saturating`: the activation has flat tails at 0
/// and 1 (sigmoid).
pub fn stats(layer: &str, values: &[f32], saturating: bool) -> ActivationStats {
    let n = values.len().max(1) as f32;
    let zero = values.iter().filter(|v| **v == 0.0).count() as f32;
    let saturated = values.iter().filter(|v| **v < 0.05 || **v > 0.95).count() as f32;
    let (min, max) = values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let (min, max) = if min.is_finite() {
        (min, max)
    } else {
        (0.0, 0.0)
    };
    let width = (max - min).max(f32::EPSILON);
    let mut histogram = vec![0u32; BINS];
    for v in values {
        let bin = (((v - min) / width) * BINS as f32) as usize;
        histogram[bin.min(BINS - 1)] += 1;
    }
    ActivationStats {
        layer: layer.to_string(),
        zero_share: zero / n,
        saturated_share: saturating.then_some(saturated / n),
        min,
        max,
        histogram,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_count_dead_and_saturated_units() {
        let s = stats("conv1", &[0.0, 0.0, 0.5, 0.99], true);
        assert_eq!(s.zero_share, 0.5);
        // 0, 0 (below 0.05) and 0.99 (above 0.95).
        assert_eq!(s.saturated_share, Some(0.75));
        assert_eq!(stats("conv1", &[0.0], false).saturated_share, None);
        assert_eq!(s.histogram.iter().sum::<u32>(), 4);
        assert_eq!(s.histogram[0], 2);
        assert_eq!(s.histogram[BINS - 1], 1);
    }
}
