//! The fused optimisers held to burn's: the same network trained a few steps with each, from
//! the same weights on the same batches, and the weights compared. Used by the native tests
//! (burn flex) and by the browser test on WebGPU (`Engine.testFusedOptimizer`).

use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::Distribution;

use crate::model::{Model, ModelConfig};
use crate::train::config::OptimizerConfig;
use crate::train::optimizer;
use crate::train::read::{ReadError, read_floats};

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
    let batches: Vec<(Tensor<4>, Tensor<1, Int>)> = (0..steps)
        .map(|_| {
            let images = Tensor::random([8, 3, 32, 32], Distribution::Normal(0.0, 1.0), &device);
            let labels = Tensor::<1>::random([8], Distribution::Uniform(0.0, 10.0), &device).int();
            (images, labels)
        })
        .collect();
    let train = |mut optimizer: ModuleOptimizer| {
        let loss = CrossEntropyLossConfig::new().init(&device);
        let mut model = fresh().expect("the same network was built above");
        for (images, labels) in &batches {
            let logits = model.forward(images.clone());
            model.settle_statistics();
            let grads = loss.forward(logits, labels.clone()).backward();
            let grads = GradientsParams::from_grads(grads, &model);
            model = optimizer.step(lr, model, grads);
        }
        model
    };
    let fused = weights(&train(optimizer::build(config, weight_decay)));
    let reference = weights(&train(optimizer::build_reference(config, weight_decay)));
    let largest = |a: Tensor<1>, b: Tensor<1>| read_floats((a - b).abs().max());
    Ok(Agreement {
        largest_difference: largest(fused, reference.clone()).await?[0],
        largest_change: largest(reference, start).await?[0],
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

/// The fused ReLU (`model::relu`) against burn's on `device`, on inputs with exact zeros, laid
/// out row-major and as a permuted view: the largest difference of the outputs and of the
/// gradients, under an upstream gradient that is not all ones.
pub async fn relu_difference(device: &Device) -> Result<f32, ReadError> {
    let device = device.clone().autodiff();
    // Fixed values, not the device's random state (which `compare` seeds): a wave through
    // zero with exact zeros, and an upstream gradient of both signs.
    let values = |f: fn(f32) -> f32| {
        let v: Vec<f32> = (0..64 * 33).map(|i| f(i as f32)).collect();
        Tensor::<2>::from_data(TensorData::new(v, [64, 33]), &device)
    };
    let x = values(|i| {
        if i % 7.0 == 0.0 {
            0.0
        } else {
            (i * 0.37).sin()
        }
    })
    .require_grad();
    let upstream = values(|i| (i * 0.11).cos());
    // Row-major, and as a permuted view (the layout burn's convolutions return).
    let run = |relu: fn(Tensor<2>) -> Tensor<2>, permuted: bool| {
        let input = if permuted {
            x.clone().swap_dims(0, 1)
        } else {
            x.clone()
        };
        let y = relu(input);
        let y = if permuted { y.swap_dims(0, 1) } else { y };
        let grads = (y.clone() * upstream.clone()).sum().backward();
        let grad = x.grad(&grads).expect("x requires its gradient");
        (y.inner(), grad)
    };
    let mut largest = Vec::new();
    for permuted in [false, true] {
        let (fused, fused_grad) = run(crate::model::relu::relu, permuted);
        let (plain, plain_grad) = run(burn::tensor::activation::relu, permuted);
        largest.push((fused - plain).abs().max());
        largest.push((fused_grad - plain_grad).abs().max());
    }
    Ok(read_floats(Tensor::cat(largest, 0).max()).await?[0])
}

/// A convolution run forward and backward, under the loss `(out · upstream).sum()`: its output,
/// then the gradients of `x`, of the weight and (if the layer has one) of the bias, flattened.
/// `flex_layers` runs Kiln's convolution (`model::flex`), otherwise burn's layer.
pub fn conv_gradients(
    conv: &Conv2d,
    x: &Tensor<4>,
    upstream: &Tensor<4>,
    flex_layers: bool,
) -> Vec<Tensor<1>> {
    let x = x.clone().require_grad();
    let out = if flex_layers {
        crate::model::flex::conv2d(conv, x.clone())
    } else {
        conv.forward(x.clone())
    };
    let grads = (out.clone() * upstream.clone()).sum().backward();
    let mut parts = vec![
        out.inner().flatten(0, 3),
        x.grad(&grads)
            .expect("x requires its gradient")
            .flatten(0, 3),
        conv.weight
            .grad(&grads)
            .expect("the weight trains")
            .flatten(0, 3),
    ];
    if let Some(bias) = &conv.bias {
        parts.push(bias.grad(&grads).expect("the bias trains"));
    }
    parts
}

/// The same for a max pooling: its output, then the gradient of `x`, flattened.
pub fn pool_gradients(
    pool: &MaxPool2d,
    x: &Tensor<4>,
    upstream: &Tensor<4>,
    flex_layers: bool,
) -> Vec<Tensor<1>> {
    let x = x.clone().require_grad();
    let out = if flex_layers {
        crate::model::flex::max_pool2d(pool, x.clone())
    } else {
        pool.forward(x.clone())
    };
    let grads = (out.clone() * upstream.clone()).sum().backward();
    let grad = x.grad(&grads).expect("x requires its gradient");
    vec![out.inner().flatten(0, 3), grad.flatten(0, 3)]
}

/// Kiln's convolution and 2×2 max pooling on burn flex (`model::flex`) against burn's on
/// `device`, for the seed's three layer shapes at batch 2: the largest difference of their
/// outputs and gradients, relative to the largest value compared (0 on a device where Kiln's
/// layers are burn's). The convolution sums in another order than burn's, so a few 1e-7 are
/// expected (up to 1e-5 of the largest value, where thousands of products are summed); the
/// pooling agrees exactly.
pub async fn layers_difference(device: &Device) -> Result<f32, ReadError> {
    let device = device.clone().autodiff();
    // Fixed values, not the device's random state; rounded to tenths, so pooling windows tie.
    let values = |shape: [usize; 4], phase: f32| {
        let n = shape.iter().product::<usize>();
        let v: Vec<f32> = (0..n)
            .map(|i| ((i as f32 * 0.37 + phase).sin() * 10.0).round() / 10.0)
            .collect();
        Tensor::<4>::from_data(TensorData::new(v, shape), &device)
    };
    let pool = MaxPool2dConfig::new([2, 2]).init();
    let mut parts = Vec::new();
    let mut compare = |ours: Vec<Tensor<1>>, burns: Vec<Tensor<1>>| {
        for (ours, burns) in ours.into_iter().zip(burns) {
            let scale = burns.clone().abs().max().clamp_min(1.0);
            parts.push((ours - burns).abs().max() / scale);
        }
    };
    for (c_in, c_out, size) in [(3, 32, 32), (32, 64, 15), (64, 64, 6)] {
        let mut conv = Conv2dConfig::new([c_in, c_out], [3, 3]).init(&device);
        conv.weight = Param::from_tensor(values([c_out, c_in, 3, 3], 1.0) * 0.1);
        let x = values([2, c_in, size, size], 2.0);
        let upstream = values([2, c_out, size - 2, size - 2], 3.0);
        compare(
            conv_gradients(&conv, &x, &upstream, true),
            conv_gradients(&conv, &x, &upstream, false),
        );
        // Pooling on its own input: after the convolutions' rounding, ties could fall apart.
        let x = values([2, c_out, size - 2, size - 2], 4.0);
        let upstream = values([2, c_out, (size - 2) / 2, (size - 2) / 2], 5.0);
        compare(
            pool_gradients(&pool, &x, &upstream, true),
            pool_gradients(&pool, &x, &upstream, false),
        );
    }
    Ok(read_floats(Tensor::cat(parts, 0).max()).await?[0])
}
