//! Max pooling over 2×2 windows with stride 2, and over whole maps, on WebGPU, NCHW in and out:
//! one launch each way.
//! The backward pass finds each window's maximum again from the input, as the CPU path's does
//! (`cpu/pool.rs`), instead of keeping indices from the forward pass: each invocation gives one
//! input number its gradient, or zero where it was not its window's maximum.

use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::{dims, empty, empty_like, grid};

/// Which number of the `rows × cols` window whose first number is `x[at]` (its rows `w`
/// apart) is its maximum, counted in reading order: a later one replaces the maximum so far only
/// if it is larger, so the first of equal maxima is kept, as in burn's pooling. A NaN is left to
/// the GPU's comparison, as burn's GPU pooling leaves it (WGSL lets an implementation assume
/// there are none).
#[cube]
fn window_max<F: Float>(x: &Tensor<F>, at: usize, w: usize, rows: usize, cols: usize) -> usize {
    let mut best = x[at];
    let mut which = 0usize;
    for k in 1..rows * cols {
        let v = x[at + (k / cols) * w + k % cols];
        if v > best {
            best = v;
            which = k;
        }
    }
    which
}

#[cube(launch)]
fn pool_kernel<F: Float>(x: &Tensor<F>, out: &mut Tensor<F>, #[define(F)] _dtype: ElemType) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (h, w) = (x.shape(2), x.shape(3));
    let (oh, ow) = (out.shape(2), out.shape(3));
    let ox = i % ow;
    let oy = (i / ow) % oh;
    let plane = i / (ow * oh);
    let at = (plane * h + 2 * oy) * w + 2 * ox;
    let k = window_max::<F>(x, at, w, 2, 2);
    out[i] = x[at + (k / 2) * w + k % 2];
}

#[cube(launch)]
fn pool_backward_kernel<F: Float>(
    x: &Tensor<F>,
    grad: &Tensor<F>,
    out: &mut Tensor<F>,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (h, w) = (x.shape(2), x.shape(3));
    let (oh, ow) = (grad.shape(2), grad.shape(3));
    let ix = i % w;
    let iy = (i / w) % h;
    let plane = i / (w * h);
    let (oy, ox) = (iy / 2, ix / 2);
    let mut g = F::new(0.0);
    // A last odd row or column belongs to no window.
    if oy < oh && ox < ow {
        let at = (plane * h + 2 * oy) * w + 2 * ox;
        if window_max::<F>(x, at, w, 2, 2) == (iy % 2) * 2 + ix % 2 {
            g = grad[(plane * oh + oy) * ow + ox];
        }
    }
    out[i] = g;
}

#[cube(launch)]
fn plane_kernel<F: Float>(x: &Tensor<F>, out: &mut Tensor<F>, #[define(F)] _dtype: ElemType) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (h, w) = (x.shape(2), x.shape(3));
    let at = i * h * w;
    out[i] = x[at + window_max::<F>(x, at, w, h, w)];
}

#[cube(launch)]
fn plane_backward_kernel<F: Float>(
    x: &Tensor<F>,
    grad: &Tensor<F>,
    out: &mut Tensor<F>,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (h, w) = (x.shape(2), x.shape(3));
    let plane = i / (h * w);
    let mut g = F::new(0.0);
    if window_max::<F>(x, plane * h * w, w, h, w) == i % (h * w) {
        g = grad[plane];
    }
    out[i] = g;
}

/// Which pooling: 2×2 windows with stride 2, or one window over each whole map.
#[derive(Clone, Copy)]
pub(super) enum Pooling {
    Two,
    Plane,
}

pub(super) fn forward(x: CubeTensor, window: Pooling) -> CubeTensor {
    let x = into_contiguous(x);
    let [batch, channels, h, w] = dims(&x);
    let (oh, ow) = match window {
        Pooling::Two => (h / 2, w / 2),
        Pooling::Plane => (1, 1),
    };
    let out = empty(&x, &[batch, channels, oh, ow]);
    let (count, dim) = grid(&out);
    let client = x.client.clone();
    let dtype = dtype_to_storage_type(x.dtype);
    let (x_arg, out_arg) = (x.into_tensor_arg(), out.clone().into_tensor_arg());
    match window {
        Pooling::Two => pool_kernel::launch(&client, count, dim, x_arg, out_arg, dtype),
        Pooling::Plane => plane_kernel::launch(&client, count, dim, x_arg, out_arg, dtype),
    }
    out
}

pub(super) fn backward(x: CubeTensor, grad: CubeTensor, window: Pooling) -> CubeTensor {
    let [x, grad] = [x, grad].map(into_contiguous);
    let out = empty_like(&x);
    let (count, dim) = grid(&out);
    let client = x.client.clone();
    let dtype = dtype_to_storage_type(x.dtype);
    let args = (
        x.into_tensor_arg(),
        grad.into_tensor_arg(),
        out.clone().into_tensor_arg(),
    );
    match window {
        Pooling::Two => {
            pool_backward_kernel::launch(&client, count, dim, args.0, args.1, args.2, dtype)
        }
        Pooling::Plane => {
            plane_backward_kernel::launch(&client, count, dim, args.0, args.1, args.2, dtype)
        }
    }
    out
}
