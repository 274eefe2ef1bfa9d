//! Each layer run forward and backward, Kiln's or burn's, under the loss `(out · upstream).sum()`:
//! the outputs, running statistics and gradients the checks in `mod.rs` compare, flattened.

use burn::module::Param;
use burn::nn::Linear;
use burn::nn::conv::Conv2d;
use burn::nn::pool::MaxPool2d;
use burn::prelude::*;

/// A convolution run forward and backward, under the loss `(out · upstream).sum()`: its output,
/// then the gradients of `x`, of the weight and (if the layer has one) of the bias, flattened.
/// `ours` runs Kiln's convolution ([`crate::kernels::conv2d`]), otherwise burn's layer; `relu` follows it
/// with a ReLU (Kiln's inside its convolution, [`crate::kernels::conv2d_relu`]; burn's after its layer).
pub fn conv_gradients(
    conv: &Conv2d,
    x: &Tensor<4>,
    upstream: &Tensor<4>,
    ours: bool,
    relu: bool,
) -> Vec<Tensor<1>> {
    let x = x.clone().require_grad();
    let out = match (ours, relu) {
        (true, false) => crate::kernels::conv2d(conv, x.clone()),
        (true, true) => crate::kernels::conv2d_relu(conv, x.clone()),
        (false, false) => conv.forward(x.clone()),
        (false, true) => burn::tensor::activation::relu(conv.forward(x.clone())),
    };
    weighted_parts(out, &x, upstream, &conv.weight, conv.bias.as_ref())
}

/// The same for a max pooling: its output, then the gradient of `x`, flattened.
pub fn pool_gradients(
    pool: &MaxPool2d,
    x: &Tensor<4>,
    upstream: &Tensor<4>,
    ours: bool,
) -> Vec<Tensor<1>> {
    let x = x.clone().require_grad();
    let out = if ours {
        crate::kernels::max_pool2d(pool, x.clone())
    } else {
        pool.forward(x.clone())
    };
    let grads = (out.clone() * upstream.clone()).sum().backward();
    let grad = x.grad(&grads).expect("x requires its gradient");
    vec![out.inner().flatten(0, 3), grad.flatten(0, 3)]
}

/// A dense layer run forward and backward as [`conv_gradients`] runs a convolution: its output,
/// then the gradients of `x`, of the weight and (if the layer has one) of the bias, flattened.
pub fn dense_gradients(
    layer: &Linear,
    x: &Tensor<2>,
    upstream: &Tensor<2>,
    ours: bool,
    relu: bool,
) -> Vec<Tensor<1>> {
    let x = x.clone().require_grad();
    let out = match (ours, relu) {
        (true, false) => crate::kernels::linear(layer, x.clone()),
        (true, true) => crate::kernels::linear_relu(layer, x.clone()),
        (false, false) => layer.forward(x.clone()),
        (false, true) => burn::tensor::activation::relu(layer.forward(x.clone())),
    };
    weighted_parts(out, &x, upstream, &layer.weight, layer.bias.as_ref())
}

/// A weighted layer's `out`, then, under the loss `(out · upstream).sum()`, the gradients of its
/// input `x`, its `weight` and (if it has one) its `bias`, flattened.
fn weighted_parts<const D: usize, const W: usize>(
    out: Tensor<D>,
    x: &Tensor<D>,
    upstream: &Tensor<D>,
    weight: &Param<Tensor<W>>,
    bias: Option<&Param<Tensor<1>>>,
) -> Vec<Tensor<1>> {
    let grads = (out.clone() * upstream.clone()).sum().backward();
    let mut parts = vec![
        out.inner().flatten(0, D - 1),
        x.grad(&grads)
            .expect("x requires its gradient")
            .flatten(0, D - 1),
        weight
            .grad(&grads)
            .expect("the weight trains")
            .flatten(0, W - 1),
    ];
    if let Some(bias) = bias {
        parts.push(bias.grad(&grads).expect("the bias trains"));
    }
    parts
}

/// A training BatchNorm (airbench's momentum and ε) and the GELU after it, fused
/// ([`crate::kernels::batch_norm_gelu`]) or burn's, run forward and backward on a batch of 3 of
/// `channels` × `size` × `size` made from `phase`: the output, the running statistics after the
/// step, and the gradients of the input, the scale and the shift, flattened.
pub fn norm_gradients(
    device: &Device,
    channels: usize,
    size: usize,
    phase: f32,
    ours: bool,
) -> Vec<Tensor<1>> {
    let n = 3 * channels * size * size;
    let wave = |len: usize, phase: f32| -> Vec<f32> {
        (0..len).map(|i| (i as f32 * 0.37 + phase).sin()).collect()
    };
    let shape = [3, channels, size, size];
    // Channels with different means and spreads, as a convolution's outputs have.
    let x: Vec<f32> = wave(n, phase)
        .into_iter()
        .enumerate()
        .map(|(i, v)| v * (1.0 + (i / (size * size) % channels) as f32 * 0.1) + 0.3)
        .collect();
    let x = Tensor::<4>::from_data(TensorData::new(x, shape), device).require_grad();
    let upstream = Tensor::<4>::from_data(TensorData::new(wave(n, phase + 1.0), shape), device);
    let mut norm = burn::nn::BatchNormConfig::new(channels)
        .with_momentum(0.4)
        .with_epsilon(1e-12)
        .init(device);
    let vector = |phase: f32, scale: f32, shift: f32| {
        let v: Vec<f32> = wave(channels, phase)
            .iter()
            .map(|v| v * scale + shift)
            .collect();
        Tensor::<1>::from_data(TensorData::new(v, [channels]), device)
    };
    norm.gamma = Param::from_tensor(vector(phase + 2.0, 0.5, 1.0));
    norm.beta = Param::from_tensor(vector(phase + 3.0, 0.5, 0.0));
    let out = match ours {
        true => crate::kernels::batch_norm_gelu(&norm, x.clone()),
        false => crate::kernels::reference::gelu(norm.forward(x.clone())),
    };
    let grads = (out.clone() * upstream).sum().backward();
    vec![
        out.inner().flatten(0, 3),
        norm.running_mean.value().inner(),
        norm.running_var.value().inner(),
        x.grad(&grads)
            .expect("x requires its gradient")
            .flatten(0, 3),
        norm.gamma.grad(&grads).expect("the scale trains"),
        norm.beta.grad(&grads).expect("the shift trains"),
    ]
}
