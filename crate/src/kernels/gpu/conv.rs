//! The stride-1 convolution on WebGPU, NCHW in and out (no layout copies): one launch for the
//! forward pass with its bias (and a ReLU where one is fused), one for the input's gradient, one
//! for the weight's and the bias's gradients together (`conv_params.rs`). The forward pass and
//! the input's gradient give each invocation one number of their output, summed over the layer's
//! window in a fixed order.

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::pool::{self, Pooling};
use super::{dims, empty, grid};
use crate::kernels::layers::Layers;

/// A layer's window, fixed when its kernels compile (a few kinds: the seed's valid 3×3,
/// airbench's 2×2 whitening and "same" 3×3), so that the loops over it unroll and the padding's
/// bounds fold away where there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Window {
    pub(super) kh: usize,
    pub(super) kw: usize,
    pub(super) py: usize,
    pub(super) px: usize,
}

#[cube(launch)]
fn conv_kernel<F: Float>(
    x: &Tensor<F>,
    weight: &Tensor<F>,
    bias: &Tensor<F>,
    out: &mut Tensor<F>,
    #[comptime] window: Window,
    #[comptime] has_bias: bool,
    #[comptime] relu: bool,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (c_in, h, w) = (x.shape(1), x.shape(2), x.shape(3));
    let (c_out, oh, ow) = (out.shape(1), out.shape(2), out.shape(3));
    let (kh, kw, py, px) = comptime!((window.kh, window.kw, window.py, window.px));
    let ox = i % ow;
    let oy = (i / ow) % oh;
    let co = (i / (ow * oh)) % c_out;
    let n = i / (ow * oh * c_out);
    let mut sum = F::new(0.0);
    if has_bias {
        sum = bias[co];
    }
    for ci in 0..c_in {
        let plane = (n * c_in + ci) * h;
        let taps = (co * c_in + ci) * kh;
        #[unroll]
        for ky in 0..kh {
            // The row in the padded input: inside the image from `py` to `py + h`.
            let y = oy + ky;
            if y >= py && y < py + h {
                let row = (plane + y - py) * w;
                #[unroll]
                for kx in 0..kw {
                    let xx = ox + kx;
                    if xx >= px && xx < px + w {
                        sum += x[row + xx - px] * weight[(taps + ky) * kw + kx];
                    }
                }
            }
        }
    }
    // burn's ReLU: `x ≤ 0 → 0`.
    if relu && sum <= F::new(0.0) {
        sum = F::new(0.0);
    }
    out[i] = sum;
}

/// The output gradient at `at`; with `masked`, taken through the ReLU whose output is `out`:
/// zero where that is `≤ 0`.
#[cube]
pub(super) fn grad_at<F: Float>(
    grad: &Tensor<F>,
    out: &Tensor<F>,
    at: usize,
    #[comptime] masked: bool,
) -> F {
    let mut g = grad[at];
    if masked && out[at] <= F::new(0.0) {
        g = F::new(0.0);
    }
    g
}

#[cube(launch)]
fn conv_input_grad_kernel<F: Float>(
    weight: &Tensor<F>,
    grad: &Tensor<F>,
    relu_out: &Tensor<F>,
    out: &mut Tensor<F>,
    #[comptime] window: Window,
    #[comptime] masked: bool,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (c_in, h, w) = (out.shape(1), out.shape(2), out.shape(3));
    let (c_out, oh, ow) = (grad.shape(1), grad.shape(2), grad.shape(3));
    let (kh, kw, py, px) = comptime!((window.kh, window.kw, window.py, window.px));
    let ix = i % w;
    let iy = (i / w) % h;
    let ci = (i / (w * h)) % c_in;
    let n = i / (w * h * c_in);
    // The input at (iy, ix) meets tap (ky, kx) at the output (iy + py − ky, ix + px − kx).
    let (y, xx) = (iy + py, ix + px);
    let mut sum = F::new(0.0);
    for co in 0..c_out {
        let plane = (n * c_out + co) * oh;
        let taps = (co * c_in + ci) * kh;
        #[unroll]
        for ky in 0..kh {
            if y >= ky && y - ky < oh {
                let row = (plane + y - ky) * ow;
                #[unroll]
                for kx in 0..kw {
                    if xx >= kx && xx - kx < ow {
                        sum += grad_at::<F>(grad, relu_out, row + xx - kx, masked)
                            * weight[(taps + ky) * kw + kx];
                    }
                }
            }
        }
    }
    out[i] = sum;
}

impl Layers for Cube {
    fn conv2d_stride1(
        x: CubeTensor,
        weight: CubeTensor,
        bias: CubeTensor,
        has_bias: bool,
        padding: [usize; 2],
        relu: bool,
    ) -> CubeTensor {
        let [x, weight, bias] = [x, weight, bias].map(into_contiguous);
        let ([batch, _, h, w], [c_out, _, kh, kw]) = (dims(&x), dims(&weight));
        let [py, px] = padding;
        let out = empty(
            &x,
            &[batch, c_out, h + 2 * py - kh + 1, w + 2 * px - kw + 1],
        );
        let (count, dim) = grid(&out);
        let client = x.client.clone();
        let dtype = dtype_to_storage_type(x.dtype);
        conv_kernel::launch(
            &client,
            count,
            dim,
            x.into_tensor_arg(),
            weight.into_tensor_arg(),
            bias.into_tensor_arg(),
            out.clone().into_tensor_arg(),
            Window { kh, kw, py, px },
            has_bias,
            relu,
            dtype,
        );
        out
    }

    fn conv2d_stride1_param_grads(
        x: CubeTensor,
        grad: CubeTensor,
        relu_out: CubeTensor,
        through_relu: bool,
        weight_shape: [usize; 4],
        padding: [usize; 2],
    ) -> (CubeTensor, CubeTensor) {
        super::conv_params::param_grads(x, grad, relu_out, through_relu, weight_shape, padding)
    }

    fn conv2d_stride1_input_grad(
        weight: CubeTensor,
        grad: CubeTensor,
        relu_out: CubeTensor,
        through_relu: bool,
        padding: [usize; 2],
    ) -> CubeTensor {
        let [weight, grad] = [weight, grad].map(into_contiguous);
        let (relu_out, masked) = (into_contiguous(relu_out), through_relu);
        let ([batch, _, oh, ow], [_, c_in, kh, kw]) = (dims(&grad), dims(&weight));
        let [py, px] = padding;
        let out = empty(
            &grad,
            &[batch, c_in, oh + kh - 1 - 2 * py, ow + kw - 1 - 2 * px],
        );
        let (count, dim) = grid(&out);
        let client = grad.client.clone();
        let dtype = dtype_to_storage_type(grad.dtype);
        conv_input_grad_kernel::launch(
            &client,
            count,
            dim,
            weight.into_tensor_arg(),
            grad.into_tensor_arg(),
            relu_out.into_tensor_arg(),
            out.clone().into_tensor_arg(),
            Window { kh, kw, py, px },
            masked,
            dtype,
        );
        out
    }

    fn max_pool2(x: CubeTensor) -> CubeTensor {
        pool::forward(x, Pooling::Two)
    }

    fn max_pool2_backward(x: CubeTensor, grad: CubeTensor) -> CubeTensor {
        pool::backward(x, grad, Pooling::Two)
    }

    fn max_plane(x: CubeTensor) -> CubeTensor {
        pool::forward(x, Pooling::Plane)
    }

    fn max_plane_backward(x: CubeTensor, grad: CubeTensor) -> CubeTensor {
        pool::backward(x, grad, Pooling::Plane)
    }

    fn dense(
        x: CubeTensor,
        weight: CubeTensor,
        bias: CubeTensor,
        has_bias: bool,
        relu: bool,
    ) -> CubeTensor {
        super::dense::forward(x, weight, bias, has_bias, relu)
    }

    fn dense_input_grad(
        weight: CubeTensor,
        grad: CubeTensor,
        relu_out: CubeTensor,
        through_relu: bool,
    ) -> CubeTensor {
        super::dense::input_grad(weight, grad, relu_out, through_relu)
    }

    fn dense_param_grads(
        x: CubeTensor,
        grad: CubeTensor,
        relu_out: CubeTensor,
        through_relu: bool,
    ) -> (CubeTensor, CubeTensor) {
        super::dense::param_grads(x, grad, relu_out, through_relu)
    }
}
