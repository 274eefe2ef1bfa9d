//! The convolutions and 2×2 max pooling of both networks: Kiln's own operations on the CPU path
//! (burn flex) and on WebGPU, burn's layers for what these do not cover.
//!
//! burn flex computes a convolution's forward pass in tiles of one image each, copying the input
//! to channels-last first and scattering the result back; its weight gradient runs as another
//! convolution over transposed copies of the input and the gradient; the bias gradient copies the
//! whole gradient to sum it; and its max pooling is a general loop that works out each window's
//! bounds. Natively these took most of a seed step outside the matrix multiplies
//! (docs/performance.md). Kiln's (`cpu/conv.rs`) computes each convolution (stride 1, symmetric
//! padding) per image as one im2col copy and one matrix multiply (the `gemm` crate, which burn
//! flex uses too), in the layout burn's next operation reads; its weight and bias gradients are
//! one multiply per image summed in fixed groups, and its input gradient one multiply and one
//! col2im per image. Max pooling with a 2×2 window and stride 2, and with a window the size of
//! the map (airbench's head), is one pass each way (`cpu/pool.rs`).
//!
//! On WebGPU burn's convolution and pooling compute channels-last: each one permutes its NCHW
//! input into a copy and back, several launches a layer each way, and the seed's step spent a
//! quarter of its launches on those copies. Kiln's (`gpu/conv.rs`, `gpu/pool.rs`) read and write
//! NCHW directly: one launch for the forward pass with its bias, one for the input's gradient,
//! one for the weight's and the bias's together, and one each way for the pooling. They are
//! direct loops, not tiled matrix multiplies: a WebGPU step at the page's batch sizes is bound by
//! the launches the browser records, not by arithmetic, but a large layer over a large batch is
//! bound by arithmetic, and there burn's tuned kernels are faster. So a convolution whose batch
//! costs more than [`GPU_MAX_MULTIPLY_ADDS`] keeps burn's on a GPU. `autodiff/` gives both
//! operations their backward passes.
//!
//! For any layer these do not cover (another stride, dilation, groups, uneven padding, another
//! dtype), [`conv2d`] and [`max_pool2d`] call burn's own modules, which are also the reference
//! `check/` holds these to.

use burn::backend::{Dispatch, TensorMetadata, backend_extension, tensor::FloatTensor};
use burn::module::Param;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::nn::pool::MaxPool2d;
use burn::prelude::*;
use burn::tensor::DType;

/// The multiply-adds of one convolution's forward pass over a batch above which a GPU keeps
/// burn's convolution: 2³⁰, about a millisecond of a direct loop on a discrete GPU, where
/// burn's layout copies and launches cost less than its tuned kernels save. The seed's layers
/// stay under it to a batch of 256; airbench's largest (64 to 256 channels at
/// 15×15, 33 million per image), to a batch of 32.
pub const GPU_MAX_MULTIPLY_ADDS: usize = 1 << 30;

#[backend_extension(Autodiff, Flex: cfg(feature = "cpu"), Cube: cfg(feature = "webgpu"))]
pub trait Layers: burn::backend::Backend {
    /// Stride-1 convolution with `padding` zeros on each side (above and below, left and right)
    /// and, where `has_bias`, a bias, then a ReLU if `relu`: `x` `[batch, c_in, h, w]`, `weight`
    /// `[c_out, c_in, kh, kw]`, `bias` `[c_out]` (without one, any tensor: it is not read, and a
    /// layer without a bias launches no zeros); out `[batch, c_out, h + 2·pad − kh + 1,
    /// w + 2·pad − kw + 1]`.
    fn conv2d_stride1(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        has_bias: bool,
        padding: [usize; 2],
        relu: bool,
    ) -> FloatTensor<Self>;

    /// The gradients of the convolution's weight and bias, given its input and the gradient of
    /// its output; where `through_relu`, the gradient is taken through the ReLU whose output is
    /// `relu_out`: zero where that is `≤ 0` (without it, `relu_out` is not read).
    fn conv2d_stride1_param_grads(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        relu_out: FloatTensor<Self>,
        through_relu: bool,
        weight_shape: [usize; 4],
        padding: [usize; 2],
    ) -> (FloatTensor<Self>, FloatTensor<Self>);

    /// The gradient of the convolution's input, given its weight and the gradient of its output
    /// (through the ReLU, as above).
    fn conv2d_stride1_input_grad(
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        relu_out: FloatTensor<Self>,
        through_relu: bool,
        padding: [usize; 2],
    ) -> FloatTensor<Self>;

    /// Max pooling over 2×2 windows with stride 2 (a last odd row or column is left out).
    fn max_pool2(x: FloatTensor<Self>) -> FloatTensor<Self>;

    /// The gradient of [`Layers::max_pool2`]'s input: each window's gradient goes to its
    /// maximum (the first of equal ones; a NaN wins, as in burn), zero elsewhere.
    fn max_pool2_backward(x: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self>;

    /// Max pooling whose window is the whole map: each plane's maximum, `[batch, channels, 1,
    /// 1]` (airbench's head, 3×3 maps).
    fn max_plane(x: FloatTensor<Self>) -> FloatTensor<Self>;

    /// The gradient of [`Layers::max_plane`]'s input: each plane's gradient goes to its maximum
    /// (the first of equal ones; a NaN wins, as in burn), zero elsewhere.
    fn max_plane_backward(x: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self>;

    /// A dense layer, then a ReLU if `relu`: `x` `[batch, d_in]` times `weight`
    /// `[d_in, d_out]` (burn's `Linear` layout) plus, where `has_bias`, `bias` `[d_out]` (not
    /// read otherwise, as for the convolution). burn's operations by default (the CPU path: its
    /// multiply, broadcast addition and ReLU, as burn's `Linear`).
    fn dense(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        has_bias: bool,
        relu: bool,
    ) -> FloatTensor<Self> {
        let d_out = weight.shape().dims::<2>()[1];
        let mut out = Self::float_matmul(x, weight);
        if has_bias {
            out = Self::float_add(out, Self::float_reshape(bias, [1, d_out].into()));
        }
        if relu { Self::relu(out) } else { out }
    }

    /// The gradient of the dense layer's input, given its weight and the gradient of its output
    /// (through the ReLU whose output is `relu_out` where `through_relu`, as for the
    /// convolution): `grad · weightᵀ`.
    fn dense_input_grad(
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        relu_out: FloatTensor<Self>,
        through_relu: bool,
    ) -> FloatTensor<Self> {
        let grad = if through_relu {
            Self::relu_backward(relu_out, grad)
        } else {
            grad
        };
        Self::float_matmul(grad, Self::float_transpose(weight))
    }

    /// The gradients of the dense layer's weight and bias, given its input and the gradient of
    /// its output (through the ReLU, as above): `xᵀ · grad` and the sum of `grad` over the batch.
    fn dense_param_grads(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        relu_out: FloatTensor<Self>,
        through_relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let grad = if through_relu {
            Self::relu_backward(relu_out, grad)
        } else {
            grad
        };
        let d_out = grad.shape().dims::<2>()[1];
        let bias = Self::float_reshape(Self::float_sum_dim(grad.clone(), 0), [d_out].into());
        (Self::float_matmul(Self::float_transpose(x), grad), bias)
    }
}

/// Whether `x` is on the CPU path (burn flex); otherwise it is on a GPU.
pub(super) fn on_flex<const D: usize>(x: &Tensor<D>) -> bool {
    #[cfg(feature = "cpu")]
    {
        x.device() == Device::from(burn::backend::flex::FlexDevice)
    }
    #[cfg(not(feature = "cpu"))]
    {
        let _ = x;
        false
    }
}

/// The zeros a convolution adds on each side (above and below, left and right) where Kiln's
/// convolution covers it: no padding, or the same on both sides.
fn symmetric_padding(conv: &Conv2d) -> Option<[usize; 2]> {
    let [kh, kw] = conv.kernel_size;
    match conv.padding {
        PaddingConfig2d::Valid => Some([0, 0]),
        // Stride 1, odd kernels: (k − 1) / 2 on each side.
        PaddingConfig2d::Same if kh % 2 == 1 && kw % 2 == 1 => Some([kh / 2, kw / 2]),
        PaddingConfig2d::Explicit(top, left, bottom, right) if top == bottom && left == right => {
            Some([top, left])
        }
        _ => None,
    }
}

/// `conv.forward(x)`: Kiln's convolution where the layer is one it covers (f32, stride and
/// dilation 1, one group, symmetric padding; on a GPU, a batch under
/// [`GPU_MAX_MULTIPLY_ADDS`]), burn's everywhere else.
pub fn conv2d(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    convolve(conv, x, false)
}

/// `relu(conv.forward(x))`: one operation each way where [`conv2d`] is Kiln's, the ReLU's
/// forward pass in the convolution's and its backward pass in the convolution's gradients, so
/// neither costs a launch of its own on WebGPU; the fused ReLU after burn's layer elsewhere.
pub fn conv2d_relu(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    convolve(conv, x, true)
}

fn convolve(conv: &Conv2d, x: Tensor<4>, relu: bool) -> Tensor<4> {
    let burns = |x| match relu {
        true => super::relu(conv.forward(x)),
        false => conv.forward(x),
    };
    let [batch, c_in, h, w] = x.dims();
    let [c_out, weight_c_in, kh, kw] = conv.weight.dims();
    // Shapes that do not fit each other go to burn's layer, which reports them.
    let padding = symmetric_padding(conv).filter(|[py, px]| {
        c_in == weight_c_in
            && (1..=h + 2 * py).contains(&kh)
            && (1..=w + 2 * px).contains(&kw)
            && conv.bias.as_ref().is_none_or(|b| b.dims() == [c_out])
    });
    let covered = conv.stride == [1, 1]
        && conv.dilation == [1, 1]
        && conv.groups == 1
        && x.dtype() == DType::F32;
    match padding {
        Some(padding @ [py, px]) if covered => {
            let outputs = batch * c_out * (h + 2 * py - kh + 1) * (w + 2 * px - kw + 1);
            if !on_flex(&x) && outputs.saturating_mul(c_in * kh * kw) > GPU_MAX_MULTIPLY_ADDS {
                return burns(x);
            }
            let weight = conv.weight.val();
            let (bias, has_bias) = bias_or_unread(&conv.bias, &weight);
            Tensor::from_dispatch(Dispatch::conv2d_stride1(
                x.into_dispatch(),
                weight.into_dispatch(),
                bias,
                has_bias,
                padding,
                relu,
            ))
        }
        _ => burns(x),
    }
}

/// A layer's bias and `true`, or, for a layer without one, a stand-in the kernels do not read
/// (the weight, detached, so that no gradient goes to it) and `false`.
pub(super) fn bias_or_unread<const D: usize>(
    bias: &Option<Param<Tensor<1>>>,
    weight: &Tensor<D>,
) -> (FloatTensor<Dispatch>, bool) {
    match bias {
        Some(bias) => (bias.val().into_dispatch(), true),
        None => (weight.clone().detach().into_dispatch(), false),
    }
}

/// `pool.forward(x)`: Kiln's pooling for a 2×2 window with stride 2, or a window the size of the
/// map, without padding on f32; burn's everywhere else.
pub fn max_pool2d(pool: &MaxPool2d, x: Tensor<4>) -> Tensor<4> {
    let [_, _, h, w] = x.dims();
    let plain = pool.dilation == [1, 1]
        && matches!(pool.padding, PaddingConfig2d::Valid)
        && !pool.ceil_mode
        && x.dtype() == DType::F32;
    if plain && h >= 2 && w >= 2 && pool.kernel_size == [2, 2] && pool.stride == [2, 2] {
        Tensor::from_dispatch(Dispatch::max_pool2(x.into_dispatch()))
    } else if plain && pool.kernel_size == [h, w] {
        // One window covers the map, whatever the stride.
        Tensor::from_dispatch(Dispatch::max_plane(x.into_dispatch()))
    } else {
        pool.forward(x)
    }
}
