//! Kiln's kernels on WebGPU (CubeCL, through burn's backend extension; in the browser and
//! natively on Vulkan, Metal or DX12): the stride-1 convolution (`conv.rs`, its parameters'
//! gradients in `conv_params.rs`) and the 2×2 max pooling (`pool.rs`) on NCHW tensors without
//! layout copies, the dense layer (`dense.rs`), the loss (`loss.rs`), the fused optimiser
//! updates (`update.rs`), the fused ReLU (`relu.rs`) and GELU (`gelu.rs`), one launch each where
//! burn's composed operations take several. Each kernel but the convolution's parameter
//! gradients and the loss handles one number per invocation, on the grid [`grid`] sizes.

mod conv;
mod conv_params;
mod dense;
mod gelu;
mod loss;
mod norm;
mod pool;
mod relu;
mod update;

use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::calculate_cube_count_elemwise;
use cubecl::prelude::*;

/// A new tensor laid out as `like` (its shape and strides, so a row-major `like` gives a
/// row-major tensor), on its device.
fn empty_like(like: &CubeTensor) -> CubeTensor {
    CubeTensor::new(
        like.client.clone(),
        like.client
            .empty(like.meta.num_elements() * like.dtype.size()),
        (*like.meta).clone(),
        like.device.clone(),
        like.dtype,
    )
}

/// A new row-major tensor of `shape` on `like`'s device, in its dtype.
fn empty(like: &CubeTensor, shape: &[usize]) -> CubeTensor {
    empty_device_dtype(
        like.client.clone(),
        like.device.clone(),
        shape.to_vec().into(),
        like.dtype,
    )
}

/// How many invocations a tensor needs (one per number), and in how many cubes of what size.
fn grid(tensor: &CubeTensor) -> (CubeCount, CubeDim) {
    grid_of(tensor, tensor.meta.num_elements())
}

/// `units` invocations on `like`'s device, in how many cubes of what size.
fn grid_of(like: &CubeTensor, units: usize) -> (CubeCount, CubeDim) {
    let dim = CubeDim::new(&like.client, units);
    (calculate_cube_count_elemwise(&like.client, units, dim), dim)
}

/// The shape of a tensor of rank `D`.
fn dims<const D: usize>(tensor: &CubeTensor) -> [usize; D] {
    tensor.meta.shape().dims()
}
