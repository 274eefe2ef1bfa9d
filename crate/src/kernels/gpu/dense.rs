//! The dense layer on WebGPU: one launch for the forward pass with its bias (and a ReLU where one
//! is fused), one for the input's gradient, one for the weight's and the bias's gradients
//! together. Each invocation computes one number of its output, summed in a fixed order. The
//! layers this covers are small (the seed's 1,024 × 64 and 64 × 10, airbench's 256 × 10):
//! direct loops, like the convolution's, not tiled multiplies.

use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::conv::grad_at;
use super::{dims, empty, grid, grid_of};

#[cube(launch)]
fn dense_kernel<F: Float>(
    x: &Tensor<F>,
    weight: &Tensor<F>,
    bias: &Tensor<F>,
    out: &mut Tensor<F>,
    #[comptime] has_bias: bool,
    #[comptime] relu: bool,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (d_in, d_out) = (weight.shape(0), weight.shape(1));
    let (n, o) = (i / d_out, i % d_out);
    let mut sum = F::new(0.0);
    if has_bias {
        sum = bias[o];
    }
    for k in 0..d_in {
        sum += x[n * d_in + k] * weight[k * d_out + o];
    }
    // burn's ReLU: `x ≤ 0 → 0`.
    if relu && sum <= F::new(0.0) {
        sum = F::new(0.0);
    }
    out[i] = sum;
}

#[cube(launch)]
fn dense_input_grad_kernel<F: Float>(
    weight: &Tensor<F>,
    grad: &Tensor<F>,
    relu_out: &Tensor<F>,
    out: &mut Tensor<F>,
    #[comptime] masked: bool,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (d_in, d_out) = (weight.shape(0), weight.shape(1));
    let (n, k) = (i / d_in, i % d_in);
    let mut sum = F::new(0.0);
    for o in 0..d_out {
        sum += grad_at::<F>(grad, relu_out, n * d_out + o, masked) * weight[k * d_out + o];
    }
    out[i] = sum;
}

/// The weights' gradients (one invocation each, `[d_in, d_out]` in order), then the biases'.
#[cube(launch)]
fn dense_param_grads_kernel<F: Float>(
    x: &Tensor<F>,
    grad: &Tensor<F>,
    relu_out: &Tensor<F>,
    weight_grad: &mut Tensor<F>,
    bias_grad: &mut Tensor<F>,
    #[comptime] masked: bool,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    let weights = weight_grad.len();
    if i >= weights + bias_grad.len() {
        terminate!();
    }
    let (batch, d_in, d_out) = (x.shape(0), x.shape(1), grad.shape(1));
    let mut sum = F::new(0.0);
    if i < weights {
        let (k, o) = (i / d_out, i % d_out);
        for n in 0..batch {
            sum += x[n * d_in + k] * grad_at::<F>(grad, relu_out, n * d_out + o, masked);
        }
        weight_grad[i] = sum;
    } else {
        let o = i - weights;
        for n in 0..batch {
            sum += grad_at::<F>(grad, relu_out, n * d_out + o, masked);
        }
        bias_grad[o] = sum;
    }
}

pub(super) fn forward(
    x: CubeTensor,
    weight: CubeTensor,
    bias: CubeTensor,
    has_bias: bool,
    relu: bool,
) -> CubeTensor {
    let [x, weight, bias] = [x, weight, bias].map(into_contiguous);
    let ([batch, _], [_, d_out]) = (dims(&x), dims(&weight));
    let out = empty(&x, &[batch, d_out]);
    let (count, dim) = grid(&out);
    let client = x.client.clone();
    let dtype = dtype_to_storage_type(x.dtype);
    dense_kernel::launch(
        &client,
        count,
        dim,
        x.into_tensor_arg(),
        weight.into_tensor_arg(),
        bias.into_tensor_arg(),
        out.clone().into_tensor_arg(),
        has_bias,
        relu,
        dtype,
    );
    out
}

pub(super) fn input_grad(
    weight: CubeTensor,
    grad: CubeTensor,
    relu_out: CubeTensor,
    masked: bool,
) -> CubeTensor {
    let [weight, grad, relu_out] = [weight, grad, relu_out].map(into_contiguous);
    let ([batch, _], [d_in, _]) = (dims(&grad), dims(&weight));
    let out = empty(&grad, &[batch, d_in]);
    let (count, dim) = grid(&out);
    let client = grad.client.clone();
    let dtype = dtype_to_storage_type(grad.dtype);
    dense_input_grad_kernel::launch(
        &client,
        count,
        dim,
        weight.into_tensor_arg(),
        grad.into_tensor_arg(),
        relu_out.into_tensor_arg(),
        out.clone().into_tensor_arg(),
        masked,
        dtype,
    );
    out
}

pub(super) fn param_grads(
    x: CubeTensor,
    grad: CubeTensor,
    relu_out: CubeTensor,
    masked: bool,
) -> (CubeTensor, CubeTensor) {
    let [x, grad, relu_out] = [x, grad, relu_out].map(into_contiguous);
    let ([_, d_in], [_, d_out]) = (dims(&x), dims(&grad));
    let (weight_grad, bias_grad) = (empty(&x, &[d_in, d_out]), empty(&x, &[d_out]));
    let (count, dim) = grid_of(&x, d_in * d_out + d_out);
    let client = x.client.clone();
    let dtype = dtype_to_storage_type(x.dtype);
    dense_param_grads_kernel::launch(
        &client,
        count,
        dim,
        x.into_tensor_arg(),
        grad.into_tensor_arg(),
        relu_out.into_tensor_arg(),
        weight_grad.clone().into_tensor_arg(),
        bias_grad.clone().into_tensor_arg(),
        masked,
        dtype,
    );
    (weight_grad, bias_grad)
}
