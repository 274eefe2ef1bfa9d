//! The fused ReLU's kernels on WebGPU. Each invocation handles one number of the buffer, so any
//! layout that fills its buffer exactly (row-major, or the permuted views burn's convolutions
//! return) is handled in place of its layout: the output gets the input's strides, and no copy
//! is added. Anything else (overlapping or sparse views, a gradient laid out unlike the input)
//! takes burn's path.

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::ActivationOps;
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::{empty_like, grid};
use crate::kernels::relu::FusedRelu;

#[cube(launch)]
fn relu_kernel<F: Float>(input: &Tensor<F>, output: &mut Tensor<F>, #[define(F)] _dtype: ElemType) {
    let i = ABSOLUTE_POS;
    if i >= input.len() {
        terminate!();
    }
    let x = input[i];
    let mut y = x;
    if x <= F::new(0.0) {
        y = F::new(0.0);
    }
    output[i] = y;
}

#[cube(launch)]
fn relu_backward_kernel<F: Float>(
    input: &Tensor<F>,
    grad: &Tensor<F>,
    output: &mut Tensor<F>,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= input.len() {
        terminate!();
    }
    let mut g = grad[i];
    if input[i] <= F::new(0.0) {
        g = F::new(0.0);
    }
    output[i] = g;
}

/// `tensor` fills its buffer exactly: no element twice, no gap.
fn dense(tensor: &CubeTensor) -> bool {
    tensor.is_nonoverlapping() && tensor.is_contiguous_buffer()
}

impl FusedRelu for Cube {
    fn fused_relu(input: CubeTensor) -> CubeTensor {
        if !dense(&input) {
            return Cube::relu(input);
        }
        let output = empty_like(&input);
        let (count, dim) = grid(&input);
        let client = input.client.clone();
        let dtype = dtype_to_storage_type(input.dtype);
        relu_kernel::launch(
            &client,
            count,
            dim,
            input.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            dtype,
        );
        output
    }

    fn fused_relu_backward(input: CubeTensor, grad: CubeTensor) -> CubeTensor {
        let same_layout =
            input.meta.strides() == grad.meta.strides() && input.meta.shape() == grad.meta.shape();
        if !(same_layout && dense(&input) && dense(&grad)) {
            return Cube::relu_backward(input, grad);
        }
        let output = empty_like(&grad);
        let (count, dim) = grid(&grad);
        let client = grad.client.clone();
        let dtype = dtype_to_storage_type(grad.dtype);
        relu_backward_kernel::launch(
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
