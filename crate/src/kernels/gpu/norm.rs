//! BatchNorm with the batch's statistics and GELU after it on WebGPU (`kernels/norm.rs`), on
//! row-major NCHW tensors: two launches each way. The per-channel sums (the statistics forward,
//! the two gradient terms back) take a cube of [`UNITS`] invocations per channel, which share out
//! the channel's numbers and add their parts in shared memory; the element-wise passes take one
//! invocation per number.

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::{into_contiguous, slice};
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::gelu::{gelu_at, gelu_slope};
use super::{cube_sum, dims, empty, empty_like, grid};
use crate::kernels::norm::{FusedNorm, NormGrads, NormParts};

/// Invocations per channel in the sums: a power of two, for the halving sum.
const UNITS: usize = 1 << LOG_UNITS;
const LOG_UNITS: usize = 8;

/// The number at `j` of channel `c`'s `n = batch·plane` numbers, in an NCHW tensor.
#[cube]
fn at(j: usize, c: usize, channels: usize, plane: usize) -> usize {
    (j / plane * channels + c) * plane + j % plane
}

/// `x` normalised by channel `c`'s mean and variance in `stats`.
#[cube]
fn normalized<F: Float>(x: F, stats: &Tensor<F>, c: usize, channels: usize, epsilon: f32) -> F {
    (x - stats[c]) / F::sqrt(stats[channels + c] + F::cast_from(epsilon))
}

/// One cube per channel: the batch's mean and biased variance (two passes, as burn computes
/// them), and the running statistics moved `momentum` of the way to them.
#[cube(launch)]
fn norm_stats_kernel<F: Float>(
    x: &Tensor<F>,
    running_mean: &Tensor<F>,
    running_var: &Tensor<F>,
    stats: &mut Tensor<F>,
    new_mean: &mut Tensor<F>,
    new_var: &mut Tensor<F>,
    momentum: f32,
    #[comptime] log_units: usize,
    #[define(F)] _dtype: ElemType,
) {
    let units = comptime!(1usize << log_units);
    let c = CUBE_POS;
    let unit = UNIT_POS as usize;
    let channels = x.shape(1);
    let plane = x.shape(2) * x.shape(3);
    let n = x.shape(0) * plane;
    let mut parts = Shared::<[F]>::new_slice(units);
    let mut sum = F::new(0.0);
    let mut j = unit;
    while j < n {
        sum += x[at(j, c, channels, plane)];
        j += units;
    }
    let mean = cube_sum::<F>(&mut parts, sum, unit, log_units) / F::cast_from(n);
    let mut squares = F::new(0.0);
    let mut j = unit;
    while j < n {
        let d = x[at(j, c, channels, plane)] - mean;
        squares += d * d;
        j += units;
    }
    let variance = cube_sum::<F>(&mut parts, squares, unit, log_units) / F::cast_from(n);
    if unit == 0 {
        let m = F::cast_from(momentum);
        let keep = F::new(1.0) - m;
        stats[c] = mean;
        stats[channels + c] = variance;
        new_mean[c] = running_mean[c] * keep + mean * m;
        new_var[c] = running_var[c] * keep + variance * m;
    }
}

/// One number per invocation: `GELU((x − μ)/√(σ² + ε)·γ + β)`.
#[cube(launch)]
fn norm_gelu_kernel<F: Float>(
    x: &Tensor<F>,
    stats: &Tensor<F>,
    gamma: &Tensor<F>,
    beta: &Tensor<F>,
    output: &mut Tensor<F>,
    epsilon: f32,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= x.len() {
        terminate!();
    }
    let channels = x.shape(1);
    let c = (i / (x.shape(2) * x.shape(3))) % channels;
    let y = normalized::<F>(x[i], stats, c, channels, epsilon) * gamma[c] + beta[c];
    output[i] = gelu_at::<F>(y);
}

/// `x`'s normalised value, and the gradient through GELU at `x` (`grad` times GELU's slope).
#[cube]
fn through_gelu<F: Float>(
    x: F,
    grad: F,
    stats: &Tensor<F>,
    gamma: &Tensor<F>,
    beta: &Tensor<F>,
    c: usize,
    channels: usize,
    epsilon: f32,
) -> (F, F) {
    let xhat = normalized::<F>(x, stats, c, channels, epsilon);
    let y = xhat * gamma[c] + beta[c];
    (xhat, grad * gelu_slope::<F>(y))
}

/// One cube per channel: `Σ dy` (β's gradient) and `Σ dy·x̂` (γ's), `dy` the gradient through
/// GELU, into `sums` `[2, channels]`.
#[cube(launch)]
fn norm_sums_kernel<F: Float>(
    x: &Tensor<F>,
    grad: &Tensor<F>,
    stats: &Tensor<F>,
    gamma: &Tensor<F>,
    beta: &Tensor<F>,
    sums: &mut Tensor<F>,
    epsilon: f32,
    #[comptime] log_units: usize,
    #[define(F)] _dtype: ElemType,
) {
    let units = comptime!(1usize << log_units);
    let c = CUBE_POS;
    let unit = UNIT_POS as usize;
    let channels = x.shape(1);
    let plane = x.shape(2) * x.shape(3);
    let n = x.shape(0) * plane;
    let mut parts = Shared::<[F]>::new_slice(units);
    let mut dy_sum = F::new(0.0);
    let mut dy_xhat_sum = F::new(0.0);
    let mut j = unit;
    while j < n {
        let k = at(j, c, channels, plane);
        let (xhat, dy) = through_gelu::<F>(x[k], grad[k], stats, gamma, beta, c, channels, epsilon);
        dy_sum += dy;
        dy_xhat_sum += dy * xhat;
        j += units;
    }
    let dy_sum = cube_sum::<F>(&mut parts, dy_sum, unit, log_units);
    let dy_xhat_sum = cube_sum::<F>(&mut parts, dy_xhat_sum, unit, log_units);
    if unit == 0 {
        sums[c] = dy_sum;
        sums[channels + c] = dy_xhat_sum;
    }
}

/// One number per invocation: `γ/√(σ² + ε)·(dy − mean(dy) − x̂·mean(dy·x̂))`.
#[cube(launch)]
fn norm_input_grad_kernel<F: Float>(
    x: &Tensor<F>,
    grad: &Tensor<F>,
    stats: &Tensor<F>,
    gamma: &Tensor<F>,
    beta: &Tensor<F>,
    sums: &Tensor<F>,
    output: &mut Tensor<F>,
    epsilon: f32,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= x.len() {
        terminate!();
    }
    let channels = x.shape(1);
    let c = (i / (x.shape(2) * x.shape(3))) % channels;
    let n = F::cast_from(x.len() / channels);
    let (xhat, dy) = through_gelu::<F>(x[i], grad[i], stats, gamma, beta, c, channels, epsilon);
    let inv_std = F::new(1.0) / F::sqrt(stats[channels + c] + F::cast_from(epsilon));
    output[i] = gamma[c] * inv_std * (dy - sums[c] / n - xhat * (sums[channels + c] / n));
}

/// A cube per channel, of [`UNITS`] invocations.
fn per_channel(channels: usize) -> (CubeCount, CubeDim) {
    (
        CubeCount::Static(channels as u32, 1, 1),
        CubeDim::new_1d(UNITS as u32),
    )
}

impl FusedNorm for Cube {
    fn batch_norm_gelu(
        x: CubeTensor,
        gamma: CubeTensor,
        beta: CubeTensor,
        running_mean: CubeTensor,
        running_var: CubeTensor,
        momentum: f64,
        epsilon: f64,
    ) -> NormParts<Self> {
        let [x, gamma, beta, running_mean, running_var] =
            [x, gamma, beta, running_mean, running_var].map(into_contiguous);
        let [_, channels, _, _] = dims::<4>(&x);
        let stats = empty(&x, &[2, channels]);
        let (new_mean, new_var) = (empty(&x, &[channels]), empty(&x, &[channels]));
        let client = x.client.clone();
        let dtype = dtype_to_storage_type(x.dtype);
        let (count, dim) = per_channel(channels);
        norm_stats_kernel::launch(
            &client,
            count,
            dim,
            x.clone().into_tensor_arg(),
            running_mean.into_tensor_arg(),
            running_var.into_tensor_arg(),
            stats.clone().into_tensor_arg(),
            new_mean.clone().into_tensor_arg(),
            new_var.clone().into_tensor_arg(),
            momentum as f32,
            LOG_UNITS,
            dtype,
        );
        let output = empty_like(&x);
        let (count, dim) = grid(&x);
        norm_gelu_kernel::launch(
            &client,
            count,
            dim,
            x.into_tensor_arg(),
            stats.clone().into_tensor_arg(),
            gamma.into_tensor_arg(),
            beta.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            epsilon as f32,
            dtype,
        );
        NormParts {
            output,
            stats,
            running_mean: new_mean,
            running_var: new_var,
        }
    }

    fn batch_norm_gelu_backward(
        x: CubeTensor,
        gamma: CubeTensor,
        beta: CubeTensor,
        stats: CubeTensor,
        epsilon: f64,
        grad: CubeTensor,
    ) -> NormGrads<Self> {
        let [x, gamma, beta, stats, grad] = [x, gamma, beta, stats, grad].map(into_contiguous);
        let [_, channels, _, _] = dims::<4>(&x);
        let sums = empty(&x, &[2 * channels]);
        let client = x.client.clone();
        let dtype = dtype_to_storage_type(x.dtype);
        let epsilon = epsilon as f32;
        let (count, dim) = per_channel(channels);
        norm_sums_kernel::launch(
            &client,
            count,
            dim,
            x.clone().into_tensor_arg(),
            grad.clone().into_tensor_arg(),
            stats.clone().into_tensor_arg(),
            gamma.clone().into_tensor_arg(),
            beta.clone().into_tensor_arg(),
            sums.clone().into_tensor_arg(),
            epsilon,
            LOG_UNITS,
            dtype,
        );
        let x_grad = empty_like(&x);
        let (count, dim) = grid(&x);
        norm_input_grad_kernel::launch(
            &client,
            count,
            dim,
            x.into_tensor_arg(),
            grad.into_tensor_arg(),
            stats.into_tensor_arg(),
            gamma.into_tensor_arg(),
            beta.into_tensor_arg(),
            sums.clone().into_tensor_arg(),
            x_grad.clone().into_tensor_arg(),
            epsilon,
            dtype,
        );
        // Views of `sums` where its rows are aligned for the device (no launch), else copies.
        let rows = [0..channels, channels..2 * channels];
        NormGrads {
            x: x_grad,
            gamma: slice(sums.clone(), &rows[1..]),
            beta: slice(sums, &rows[..1]),
        }
    }
}
