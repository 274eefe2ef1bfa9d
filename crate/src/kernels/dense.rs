//! The dense layers of both networks as one operation each way.
//!
//! burn's `Linear` is a matrix multiply and a broadcast addition of the bias, and its gradient a
//! multiply for the input, another for the weight and a sum for the bias; a ReLU after it is its
//! own operation each way. On WebGPU that is five launches a layer forward and back, seven with
//! the ReLU. Kiln's (`gpu/dense.rs`) is one launch forward with the bias and the ReLU, one for
//! the input's gradient (through the ReLU) and one for the weight's and bias's gradients
//! together, the methods of [`Layers`] that `autodiff/` gives their backward pass. The CPU
//! path keeps burn's operations (the trait's default methods: burn flex's multiply is already
//! the work, and a launch costs nothing there). Like the convolution, a layer whose batch costs
//! more than [`GPU_MAX_MULTIPLY_ADDS`] keeps burn's tuned multiply on a GPU. burn's `Linear` is
//! the reference `check/` holds these to.

use burn::backend::Dispatch;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::DType;

use super::layers::{GPU_MAX_MULTIPLY_ADDS, Layers, bias_or_unread, on_flex};

/// `layer.forward(x)` for `x` `[batch, d_in]`: one operation each way where the layer is one
/// Kiln's kernel covers (f32; on a GPU, a batch under [`GPU_MAX_MULTIPLY_ADDS`]), burn's layer
/// everywhere else.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    dense(layer, x, false)
}

/// `relu(layer.forward(x))`: the ReLU inside the dense layer's operation each way where
/// [`linear`] is Kiln's, burn's layer and the fused ReLU elsewhere.
pub fn linear_relu(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    dense(layer, x, true)
}

fn dense(layer: &Linear, x: Tensor<2>, relu: bool) -> Tensor<2> {
    let burns = |x| match relu {
        true => super::relu(layer.forward(x)),
        false => layer.forward(x),
    };
    let [batch, d_in] = x.dims();
    let weight = layer.weight.val();
    let [weight_in, d_out] = weight.dims();
    // Shapes that do not fit each other go to burn's layer, which reports them.
    let fits = weight_in == d_in && layer.bias.as_ref().is_none_or(|b| b.dims() == [d_out]);
    let small = on_flex(&x) || (batch * d_in).saturating_mul(d_out) <= GPU_MAX_MULTIPLY_ADDS;
    if !(fits && small && x.dtype() == DType::F32 && weight.dtype() == DType::F32) {
        return burns(x);
    }
    let (bias, has_bias) = bias_or_unread(&layer.bias, &weight);
    Tensor::from_dispatch(Dispatch::dense(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias,
        has_bias,
        relu,
    ))
}
