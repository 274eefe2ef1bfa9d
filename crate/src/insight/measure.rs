//! A look's figures, computed on the device and read back together with whatever else the
//! caller reads in the same transaction (a progress report's sums, in training): per layer
//! ‖∇J‖², ‖w‖² and ‖w − w_before‖²; per hidden layer how many outputs are zero and how many are
//! saturated, their range, and the outputs of the first images for a histogram.

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::Transaction;

use crate::insight::spread::{Hidden, hidden, histogram};
use crate::insight::{ActivationStats, Insight, LayerGradient};
use crate::model::Model;
use crate::read::{ReadError, read_transaction};

/// Per layer (module path, `block1.conv1`), a figure or the flattened weights, on the device
/// without autodiff.
pub type PerLayer = Vec<(String, Tensor<1>)>;

/// A parameter: its id, its rank and its value, flattened.
type Flat = (ParamId, usize, Tensor<1>);

/// Each float parameter's id and flattened value, grouped by the layer (module) that holds it.
#[derive(Default)]
struct Params {
    path: Vec<String>,
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
        // The path ends with the parameter's own name (`conv1.weight`): its layer is before it,
        // after the `Model` variant (`Seed`, `Airbench`), which names no layer.
        let layer = match self.path.split_last() {
            Some((_param, path)) => path
                .iter()
                .filter(|p| !p.starts_with(char::is_uppercase))
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("."),
            None => String::new(),
        };
        let value = param.val().inner().flatten::<1>(0, D - 1);
        match self.layers.last_mut() {
            Some((name, list)) if *name == layer => list.push((param.id, D, value)),
            _ => self.layers.push((layer, vec![(param.id, D, value)])),
        }
    }
}

fn params(model: &Model) -> Vec<(String, Vec<Flat>)> {
    let mut params = Params::default();
    model.visit(&mut params);
    params.layers
}

/// Each layer's weights (and bias), flattened into one tensor: what an update is measured from.
pub fn weights(model: &Model) -> PerLayer {
    params(model)
        .into_iter()
        .map(|(layer, list)| {
            let flat = list.into_iter().map(|(_, _, w)| w).collect();
            (layer, Tensor::cat(flat, 0))
        })
        .collect()
}

/// Each layer's ‖∇J‖² (`[1]`), from the gradients of `model`'s parameters.
pub fn gradient_squares(model: &Model, grads: &GradientsParams) -> PerLayer {
    params(model)
        .into_iter()
        .filter_map(|(layer, list)| {
            let squares: Vec<Tensor<1>> = list
                .iter()
                .filter_map(|(id, rank, _)| grad_squared(grads, *id, *rank))
                .collect();
            let total = squares.into_iter().reduce(|a, b| a + b)?;
            Some((layer, total))
        })
        .collect()
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

/// What a look measured, still on the device.
pub struct Measured {
    images: usize,
    loss: Tensor<1>,
    /// Per layer `[‖∇J‖², ‖w‖², ‖w − w_before‖²]`, the last −1 when there is no before.
    layers: PerLayer,
    hidden: Vec<Hidden>,
    saturating: bool,
}

/// The inputs of a look: the batch's images and loss, per layer ‖∇J‖², the weights now and
/// before, and the hidden layers' outputs (`[images, features]`) with their names.
pub struct Look<'a> {
    pub loss: Tensor<1>,
    pub gradients: PerLayer,
    pub now: &'a PerLayer,
    pub before: &'a PerLayer,
    pub hidden: Vec<(&'static str, Tensor<2>)>,
    /// The activation has flat tails at 0 and 1 (sigmoid).
    pub saturating: bool,
}

impl Measured {
    pub fn new(look: Look<'_>) -> Self {
        let images = look.hidden.first().map_or(0, |(_, h)| h.dims()[0]);
        let layers = look
            .now
            .iter()
            .map(|(layer, weights)| {
                let device = weights.device();
                let gradient = look
                    .gradients
                    .iter()
                    .find(|(name, _)| name == layer)
                    .map_or_else(|| Tensor::zeros([1], &device), |(_, g)| g.clone());
                let update = match look.before.iter().find(|(name, _)| name == layer) {
                    Some((_, old)) if old.dims() == weights.dims() => {
                        (weights.clone() - old.clone()).powi_scalar(2).sum()
                    }
                    _ => Tensor::full([1], -1.0, &device),
                };
                let weight = weights.clone().powi_scalar(2).sum();
                (
                    layer.clone(),
                    Tensor::cat(vec![gradient, weight, update], 0),
                )
            })
            .collect();
        let saturating = look.saturating;
        let hidden = look
            .hidden
            .into_iter()
            .map(|(name, outputs)| hidden(name, outputs, saturating))
            .collect();
        Self {
            images,
            loss: look.loss.inner(),
            layers,
            hidden,
            saturating: look.saturating,
        }
    }

    /// Add every figure to `transaction`, in the order [`Measured::decode`] takes them.
    pub fn register(&self, mut transaction: Transaction) -> Transaction {
        transaction = transaction.register(self.loss.clone().reshape([1]));
        for (_, figures) in &self.layers {
            transaction = transaction.register(figures.clone());
        }
        for h in &self.hidden {
            transaction = transaction
                .register(h.figures.clone())
                .register(h.sample.clone());
        }
        transaction
    }

    /// The insight, from the values read back (each registered tensor's, in order).
    pub fn decode(
        &self,
        values: &mut impl Iterator<Item = Result<Vec<f32>, ReadError>>,
    ) -> Result<Insight, ReadError> {
        let mut next = || {
            values
                .next()
                .unwrap_or_else(|| Err(ReadError("a look's figure was not read".into())))
        };
        let loss = next()?[0];
        let mut layers = Vec::new();
        for (layer, _) in &self.layers {
            let f = next()?;
            layers.push(LayerGradient {
                layer: layer.clone(),
                gradient_norm: f[0].sqrt(),
                weight_norm: f[1].sqrt(),
                update_norm: (f[2] >= 0.0).then(|| f[2].sqrt()),
            });
        }
        let mut activations: Vec<ActivationStats> = Vec::new();
        for h in &self.hidden {
            let (f, sample) = (next()?, next()?);
            let n = h.count.max(1) as f32;
            let (min, max) = if f[2].is_finite() && f[3].is_finite() && f[2] <= f[3] {
                (f[2], f[3])
            } else {
                (0.0, 0.0)
            };
            activations.push(ActivationStats {
                layer: h.name.clone(),
                zero_share: f[0] / n,
                saturated_share: self.saturating.then_some(f[1] / n),
                min,
                max,
                histogram: histogram(&sample, min, max),
            });
        }
        Ok(Insight {
            images: self.images,
            loss,
            layers,
            activations,
        })
    }
}

/// Read a look's figures alone.
pub async fn read(measured: &Measured) -> Result<Insight, ReadError> {
    let mut values = read_transaction(measured.register(Transaction::default())).await?;
    measured.decode(&mut values)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::insight::BINS;

    #[test]
    fn a_hidden_layer_s_dead_and_saturated_units_are_counted() {
        let device = Device::flex();
        let outputs =
            Tensor::<2>::from_data(TensorData::new(vec![0.0, 0.0, 0.5, 0.99], [1, 4]), &device);
        let measured = Measured {
            images: 1,
            loss: Tensor::zeros([1], &device),
            layers: vec![],
            hidden: vec![hidden("conv1", outputs, true)],
            saturating: true,
        };
        let s = &pollster::block_on(read(&measured)).unwrap().activations[0];
        assert_eq!(s.zero_share, 0.5);
        // 0, 0 (below 0.05) and 0.99 (above 0.95).
        assert_eq!(s.saturated_share, Some(0.75));
        assert_eq!(s.histogram.iter().sum::<u32>(), 4);
        assert_eq!(s.histogram[0], 2);
        assert_eq!(s.histogram[BINS - 1], 1);
    }
}
