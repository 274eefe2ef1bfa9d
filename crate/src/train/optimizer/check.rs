//! The optimisers held to burn's: the same network trained a few steps with Kiln's (each update
//! one fused kernel, [`crate::kernels::update`]) and with burn's own (the updates composed from
//! burn's operations), from the same weights on the same batches, and the weights compared. Used
//! by the native tests (burn flex, and WebGPU on Vulkan) and by the browser test on both devices
//! (`Engine.testFusedOptimizer`). A network whose recipe raises its BatchNorm biases' learning
//! rate (airbench) is trained with it: Kiln's optimiser scales those gradients in its update (a
//! group of its own), the reference scales them first, as a separate operation; one whose recipe
//! averages its weights (airbench's lookahead) also has the averaging step compared, fused
//! ([`crate::kernels::average`]) against its composition. Compiled with the `checks` feature
//! only.

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::prelude::*;
use burn::tensor::Distribution;

use super::Nesterov;
use crate::kernels;
use crate::model::{Model, ModelConfig};
use crate::read::{ReadError, read_floats};
use crate::recipe::OptimizerConfig;

/// burn's own optimisers for a config: the reference the fused ones are tested against.
pub fn build_reference(config: &OptimizerConfig, weight_decay: f64) -> ModuleOptimizer {
    let decay = (weight_decay > 0.0).then(|| WeightDecayConfig::new(weight_decay as f32));
    match *config {
        OptimizerConfig::Adam {
            beta_1,
            beta_2,
            epsilon,
        } => AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .with_weight_decay(decay)
            .init(),
        OptimizerConfig::Sgd => SgdConfig::new().with_weight_decay(decay).init(),
        // burn's Nesterov SGD keeps its velocity private; the reference is the same update
        // composed from burn's operations.
        OptimizerConfig::Nesterov { momentum } => ModuleOptimizer::from(Nesterov {
            momentum,
            weight_decay: weight_decay as f32,
            grad_scale: 1.0,
            composed: true,
        }),
    }
}

/// What a comparison measured.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Agreement {
    /// The largest difference between a weight of the two networks.
    pub largest_difference: f32,
    /// The largest change of a weight from where both started: the difference is small only
    /// if this is not.
    pub largest_change: f32,
}

/// Train `model` (a registered name) `steps` steps on `device` with Kiln's optimiser and with
/// burn's for `config`, at learning rate `lr` with an L2 penalty `weight_decay`.
/// Both networks are built from the same seed of `device`'s random state: nothing else may
/// draw from it meanwhile (run it alone, not beside other tests on the same device).
pub async fn compare(
    device: &Device,
    model: &str,
    config: &OptimizerConfig,
    lr: f64,
    weight_decay: f64,
    steps: usize,
) -> Result<Agreement, ReadError> {
    let device = device.clone().autodiff();
    let model_config = ModelConfig {
        name: model.to_string(),
        ..ModelConfig::new()
    };
    // A new network for each run, from the same seed: clones of one would share BatchNorm's
    // running statistics, which the first run would move.
    let fresh = || {
        device.seed(7);
        model_config.init(&device)
    };
    // Taken now: burn initialises a parameter when it is first used, from the random state of
    // that moment.
    let start = weights(&fresh().map_err(|e| ReadError(e.to_string()))?);
    let extras = crate::model::registry::find(model).map(|network| network.recipe(None).extras);
    let scale = extras.map_or(1.0, |extras| extras.norm_bias_lr_scale);
    let averages = extras.is_some_and(|extras| extras.lookahead.is_some());
    // Random images, 8 a step; airbench's 2 (a step of it is 26 times the seed's arithmetic, and
    // on a software GPU that is most of the check's time).
    let batch = if model == "airbench" { 2 } else { 8 };
    let batches: Vec<(Tensor<4>, Tensor<1, Int>)> = (0..steps)
        .map(|_| {
            let images =
                Tensor::random([batch, 3, 32, 32], Distribution::Normal(0.0, 1.0), &device);
            let labels =
                Tensor::<1>::random([batch], Distribution::Uniform(0.0, 10.0), &device).int();
            (images, labels)
        })
        .collect();
    // `optimizer` is built for the network's own parameter ids (each network has new ones);
    // `scale_first`: the scaled parameters' gradients multiplied before the step (the reference).
    let train = |optimizer: &dyn Fn(&[ParamId]) -> ModuleOptimizer, scale_first: bool| {
        let loss = CrossEntropyLossConfig::new().init(&device);
        let mut model = fresh().expect("the same network was built above");
        let scaled = model.norm_bias_ids();
        let mut optimizer = optimizer(&scaled);
        for (images, labels) in &batches {
            let logits = model.forward(images.clone());
            model.settle_statistics();
            let grads = loss.forward(logits, labels.clone()).backward();
            let mut grads = GradientsParams::from_grads(grads, &model);
            if scale_first {
                for id in &scaled {
                    if let Some(grad) = grads.remove::<1>(*id) {
                        grads.register(*id, grad.mul_scalar(scale));
                    }
                }
            }
            model = optimizer.step(lr, model, grads);
        }
        model
    };
    let fused = weights(&train(
        &|scaled| super::build(config, weight_decay, scaled, scale),
        false,
    ));
    let reference = weights(&train(&|_| build_reference(config, weight_decay), true));
    let largest = |a: Tensor<1>, b: Tensor<1>| (a - b).abs().max();
    let mut differences = vec![largest(fused.clone(), reference.clone())];
    if averages {
        // A lookahead step from the starting weights towards each network's.
        let s = kernels::AverageScalars::of(0.6);
        differences.push(largest(
            kernels::average(start.clone(), fused, s),
            kernels::reference::average(start.clone(), reference.clone(), s),
        ));
    }
    Ok(Agreement {
        largest_difference: read_floats(Tensor::cat(differences, 0).max()).await?[0],
        largest_change: read_floats(largest(reference, start)).await?[0],
    })
}

/// Every float parameter of `model`, flattened and joined, on the device without autodiff.
fn weights(model: &Model) -> Tensor<1> {
    #[derive(Default)]
    struct Collect(Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.val().inner().flatten::<1>(0, D - 1));
        }
    }
    let mut collect = Collect::default();
    model.visit(&mut collect);
    Tensor::cat(collect.0, 0)
}
