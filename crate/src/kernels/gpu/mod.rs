//! Kiln's kernels on WebGPU (CubeCL, through burn's backend extension; in the browser and
//! natively on Vulkan, Metal or DX12): the stride-1 convolution (`conv.rs`, its parameters'
//! gradients in `conv_params.rs`) and the 2×2 max pooling (`pool.rs`) on NCHW tensors without
//! layout copies, the dense layer (`dense.rs`), the loss (`loss.rs`), the fused optimiser
//! updates (`update.rs`), the fused ReLU (`relu.rs`), GELU (`gelu.rs`) and BatchNorm with GELU
//! (`norm.rs`), one launch each where burn's composed operations take several. Each kernel but
//! the convolution's parameter gradients, the loss and BatchNorm's sums (`norm.rs`) handles one
//! number per invocation, on the grid [`grid`] sizes; those share each sum among a cube's
//! invocations, added up by [`cube_sum`].

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
use cubecl::prelude::*;
use cubecl::{calculate_cube_count_elemwise, cube};

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

/// The sum of every unit's `value` over the cube, in every unit (`parts` holds `units`).
#[cube]
fn cube_sum<F: Float>(
    parts: &mut Shared<[F]>,
    value: F,
    unit: usize,
    #[comptime] log_units: usize,
) -> F {
    let units = comptime!(1usize << log_units);
    let mut sum = value;
    parts[unit] = sum;
    sync_cube();
    // Halving sums, unrolled (cubecl's SPIR-V verification refuses a runtime loop around the
    // barrier): units / 2, …, 1.
    #[unroll]
    for step in 1..log_units + 1 {
        let half = units >> step;
        if unit < half {
            let other = parts[unit + half];
            sum += other;
            parts[unit] = sum;
        }
        sync_cube();
    }
    let total = parts[0];
    sync_cube(); // every unit has read it before `parts` is written again
    total
}
