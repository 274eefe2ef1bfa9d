//! The fused ReLU's kernels on WebGPU. A tensor not laid out row-major (a permuted view) takes
//! burn's path, so that no copy is added to save a launch.

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::ActivationOps;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;
use cubecl::{calculate_cube_count_elemwise, cube};

use super::FusedRelu;

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

/// A new row-major tensor shaped and typed as `like`, on its device.
fn empty_like(like: &CubeTensor) -> CubeTensor {
    empty_device_dtype(
        like.client.clone(),
        like.device.clone(),
        like.meta.shape().clone(),
        like.dtype,
    )
}

/// How many invocations a tensor needs, and in how many cubes of what size.
fn grid(tensor: &CubeTensor) -> (CubeCount, CubeDim) {
    let units = tensor.meta.num_elements();
    let dim = CubeDim::new(&tensor.client, units);
    (
        calculate_cube_count_elemwise(&tensor.client, units, dim),
        dim,
    )
}

impl FusedRelu for Cube {
    fn fused_relu(input: CubeTensor) -> CubeTensor {
        if !input.is_contiguous() {
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
        if !input.is_contiguous() || !grad.is_contiguous() {
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
