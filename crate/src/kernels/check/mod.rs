//! The kernels held to their reference on the device in use: the fused ReLU to burn's, Kiln's
//! convolution, pooling and dense layer to burn's layers, the fused GELU to its composition and
//! the fused BatchNorm and GELU to burn's `BatchNorm` and that composition, outputs and gradients
//! (each layer run by `runs.rs`). Used by the native tests (burn flex, and WebGPU on Vulkan), by
//! the browser test on both devices (`Engine.testFusedRelu`, `Engine.testLayers`) and by the wasm
//! tests in Firefox. The fused updates are held to
//! [`super::reference`] through the optimisers that use them (`train::optimizer::check`).
//! Compiled with the `checks` feature only: every test build, not the shipped modules.

use burn::module::Param;
use burn::nn::conv::Conv2dConfig;
use burn::nn::pool::MaxPool2dConfig;
use burn::nn::{LinearConfig, PaddingConfig2d};
use burn::prelude::*;

use crate::read::{ReadError, read_floats};

mod runs;

pub use runs::{conv_gradients, dense_gradients, norm_gradients, pool_gradients};

/// The fused ReLU ([`super::relu`]) against burn's on `device`, on inputs with exact zeros, laid
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
        let (fused, fused_grad) = run(super::relu, permuted);
        let (plain, plain_grad) = run(burn::tensor::activation::relu, permuted);
        largest.push((fused - plain).abs().max());
        largest.push((fused_grad - plain_grad).abs().max());
    }
    Ok(read_floats(Tensor::cat(largest, 0).max()).await?[0])
}

/// Kiln's convolution, max pooling (2×2, and over a whole 3×3 map), dense layer and GELU ([`super::conv2d`],
/// [`super::conv2d_relu`], [`super::max_pool2d`], [`super::linear`], [`super::linear_relu`],
/// [`super::gelu`], [`super::batch_norm_gelu`]) against burn's on `device`: the seed's three
/// convolutions (with their ReLU) and airbench's kinds (the 2×2 whitening without padding, a
/// "same" 3×3; neither with a bias), the seed's two dense layers and airbench's, GELU against its
/// composition, and airbench's BatchNorm with its GELU (`norm_gradients`), at batch 3 (so that
/// on a GPU the first layers' parameter gradients share each sum in a cube, the others' do not): the largest difference of their outputs and gradients, relative to the largest value
/// compared. Kiln's layers sum in another order than burn's, so a few 1e-7 are expected (up to
/// 1e-5 of the largest value, where thousands of products are summed); the pooling agrees
/// exactly.
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
    // (in, out, kernel, "same" padding and no bias, input size, a ReLU after it): the seed's
    // three layers with their ReLU, the first also without, then airbench's whitening and one of
    // its blocks' layers.
    let layers = [
        (3, 32, 3, false, 32, true),
        (3, 32, 3, false, 32, false),
        (32, 64, 3, false, 15, true),
        (64, 64, 3, false, 6, true),
        (3, 24, 2, false, 32, false),
        (24, 16, 3, true, 9, false),
    ];
    for (c_in, c_out, k, same, size, relu) in layers {
        let config = Conv2dConfig::new([c_in, c_out], [k, k]);
        let config = match same {
            true => config.with_padding(PaddingConfig2d::Same).with_bias(false),
            false => config,
        };
        let mut conv = config.init(&device);
        conv.weight = Param::from_tensor(values([c_out, c_in, k, k], 1.0) * 0.1);
        // The sums are multiples of 0.001; a bias half of that off keeps every output clear of
        // zero, where a ReLU's mask would hang on the order of the sum.
        if let Some(bias) = &mut conv.bias {
            let tenths = values([1, 1, 1, c_out], 6.0).reshape([c_out]);
            *bias = Param::from_tensor(tenths + 0.0005);
        }
        let out = if same { size } else { size - k + 1 };
        let x = values([3, c_in, size, size], 2.0);
        let upstream = values([3, c_out, out, out], 3.0);
        compare(
            conv_gradients(&conv, &x, &upstream, true, relu),
            conv_gradients(&conv, &x, &upstream, false, relu),
        );
        // Pooling on its own input: after the convolutions' rounding, ties could fall apart.
        let x = values([3, c_out, out, out], 4.0);
        let upstream = values([3, c_out, out / 2, out / 2], 5.0);
        compare(
            pool_gradients(&pool, &x, &upstream, true),
            pool_gradients(&pool, &x, &upstream, false),
        );
    }
    // airbench's head: one window over each 3×3 map (ties among the tenths included).
    let whole_map = MaxPool2dConfig::new([3, 3]).init();
    let x = values([3, 16, 3, 3], 14.0);
    let upstream = values([3, 16, 1, 1], 15.0);
    compare(
        pool_gradients(&whole_map, &x, &upstream, true),
        pool_gradients(&whole_map, &x, &upstream, false),
    );
    // (in, out, a bias, a ReLU after it): the seed's two dense layers and airbench's.
    for (d_in, d_out, bias, relu) in [
        (1024, 64, true, true),
        (64, 10, true, false),
        (256, 10, false, false),
    ] {
        let mut layer = LinearConfig::new(d_in, d_out).with_bias(bias).init(&device);
        let weight = values([1, 1, d_in, d_out], 7.0).reshape([d_in, d_out]) * 0.01;
        layer.weight = Param::from_tensor(weight);
        if let Some(b) = &mut layer.bias {
            // Clear of zero, as for the convolutions' ReLU.
            *b = Param::from_tensor(values([1, 1, 1, d_out], 8.0).reshape([d_out]) + 0.00005);
        }
        let x = values([1, 1, 3, d_in], 9.0).reshape([3, d_in]);
        let upstream = values([1, 1, 3, d_out], 10.0).reshape([3, d_out]);
        compare(
            dense_gradients(&layer, &x, &upstream, true, relu),
            dense_gradients(&layer, &x, &upstream, false, relu),
        );
    }
    // GELU over −20 to 20 (airbench's whitening reaches 13 and more), against its composition.
    let x = values([3, 5, 7, 7], 11.0) * 20.0;
    let upstream = values([3, 5, 7, 7], 12.0);
    let gelu = |ours: bool| {
        let x = x.clone().require_grad();
        let out = match ours {
            true => super::gelu(x.clone()),
            false => super::reference::gelu(x.clone()),
        };
        let grads = (out.clone() * upstream.clone()).sum().backward();
        let grad = x.grad(&grads).expect("x requires its gradient");
        vec![out.inner().flatten(0, 3), grad.flatten(0, 3)]
    };
    compare(gelu(true), gelu(false));
    // airbench's BatchNorm and GELU in training, with a scale that trains too (airbench's is
    // frozen) and one channel count whose gradient rows are views of one buffer on a GPU (64)
    // and one whose are not (16).
    for (channels, size, phase) in [(16, 9, 13.0), (64, 5, 17.0)] {
        compare(
            norm_gradients(&device, channels, size, phase, true),
            norm_gradients(&device, channels, size, phase, false),
        );
    }
    Ok(read_floats(Tensor::cat(parts, 0).max()).await?[0])
}

/// The fused loss ([`super::cross_entropy`]) against burn's ([`super::reference::cross_entropy`])
/// on `device`, without and with label smoothing, for a batch of 300 (more images than the GPU
/// kernel's invocations) and one of 3: the largest difference of the losses, the sums and the
/// logits' gradients, each relative to the largest value compared.
pub async fn loss_difference(device: &Device) -> Result<f32, ReadError> {
    let device = device.clone().autodiff();
    let mut parts = Vec::new();
    for (batch, smoothing) in [(300, 0.0), (300, 0.2), (3, 0.0)] {
        // Fixed values: logits of both signs, far apart and close, and targets of every class.
        let v: Vec<f32> = (0..batch * 10)
            .map(|i| ((i as f32 * 0.61).sin() * 6.0).round() / 2.0)
            .collect();
        let logits =
            Tensor::<2>::from_data(TensorData::new(v, [batch, 10]), &device).require_grad();
        let t: Vec<i64> = (0..batch as i64).map(|i| (i * 7) % 10).collect();
        let targets = Tensor::<1, Int>::from_data(TensorData::new(t, [batch]), &device);
        // Running sums to add to, as a progress window's after its first step.
        let running = Tensor::<1>::from_floats([12.5, 3.0], &device.clone().inner());
        let run = |fused: bool| {
            let (z, t, running) = (logits.clone(), targets.clone(), Some(running.clone()));
            let loss = if fused {
                super::cross_entropy(z, t, smoothing, running)
            } else {
                let (loss, sums) = super::reference::cross_entropy(z, t, smoothing, running);
                super::loss::Loss::new(loss, sums)
            };
            let grads = loss.backward();
            let grad = logits
                .grad(&grads)
                .expect("the logits require their gradient");
            [loss.value(), loss.sums, grad.flatten(0, 1)]
        };
        for (ours, burns) in run(true).into_iter().zip(run(false)) {
            let scale = burns.clone().abs().max().clamp_min(1e-3);
            parts.push((ours - burns).abs().max() / scale);
        }
    }
    Ok(read_floats(Tensor::cat(parts, 0).max()).await?[0])
}
