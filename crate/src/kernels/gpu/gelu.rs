//! The fused GELU's kernels on WebGPU: one number per invocation, on row-major tensors.

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::{empty_like, grid};
use crate::kernels::gelu::{FRAC_1_SQRT_2PI, FusedGelu};

/// `1 + erf(x/√2)`, as burn's composition computes it (a division, then erf).
#[cube]
fn one_plus_erf<F: Float>(x: F) -> F {
    F::erf(x / F::new(core::f32::consts::SQRT_2)) + F::new(1.0)
}

/// GELU at `x`: `½x(1 + erf(x/√2))` (also BatchNorm's, `norm.rs`).
#[cube]
pub(super) fn gelu_at<F: Float>(x: F) -> F {
    x * one_plus_erf::<F>(x) * F::new(0.5)
}

/// GELU's slope at `x`: `½(1 + erf(x/√2)) + x·φ(x)`, `φ` the standard normal density.
#[cube]
pub(super) fn gelu_slope<F: Float>(x: F) -> F {
    let density = F::exp(x * x * F::new(-0.5)) * F::new(FRAC_1_SQRT_2PI);
    one_plus_erf::<F>(x) * F::new(0.5) + x * density
}

#[cube(launch)]
fn gelu_kernel<F: Float>(input: &Tensor<F>, output: &mut Tensor<F>, #[define(F)] _dtype: ElemType) {
    let i = ABSOLUTE_POS;
    if i >= input.len() {
        terminate!();
    }
    let x = input[i];
    output[i] = gelu_at::<F>(x);
}

#[cube(launch)]
fn gelu_backward_kernel<F: Float>(
    input: &Tensor<F>,
    grad: &Tensor<F>,
    output: &mut Tensor<F>,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= input.len() {
        terminate!();
    }
    let x = input[i];
    output[i] = grad[i] * gelu_slope::<F>(x);
}

impl FusedGelu for Cube {
    fn fused_gelu(input: CubeTensor) -> CubeTensor {
        let input = into_contiguous(input);
        let output = empty_like(&input);
        let (count, dim) = grid(&input);
        let client = input.client.clone();
        let dtype = dtype_to_storage_type(input.dtype);
        gelu_kernel::launch(
            &client,
            count,
            dim,
            input.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            dtype,
        );
        output
    }

    fn fused_gelu_backward(input: CubeTensor, grad: CubeTensor) -> CubeTensor {
        let [input, grad] = [input, grad].map(into_contiguous);
        let output = empty_like(&grad);
        let (count, dim) = grid(&grad);
        let client = grad.client.clone();
        let dtype = dtype_to_storage_type(grad.dtype);
        gelu_backward_kernel::launch(
            &client,
            count,
            dim,
            input.into_tensor_arg(),
            grad.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            dtype,
        );
        output
    }
}
