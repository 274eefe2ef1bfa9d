//! GELU as one operation each way: `x·Φ(x) = ½x(1 + erf(x/√2))` with its exact gradient
//! `½(1 + erf(x/√2)) + x·φ(x)`, `φ` the standard normal density. airbench has seven, each
//! composed of five of burn's operations forward and about ten back, so on WebGPU they were
//! about a hundred launches of its step; here each is one launch forward and one back
//! (`gpu/gelu.rs`). The CPU path keeps burn's composition ([`reference::gelu`]), the numbers it
//! has always trained with: there a launch costs nothing. The reference `check/` holds the
//! kernel to is that composition, through burn's autodiff.

use burn::backend::{Dispatch, backend_extension, tensor::FloatTensor};
use burn::prelude::*;
use burn::tensor::DType;
use std::f32::consts::SQRT_2;

use super::layers::on_flex;
use super::reference;

#[backend_extension(Autodiff, Flex: cfg(feature = "cpu"), Cube: cfg(feature = "webgpu"))]
pub trait FusedGelu: burn::backend::Backend {
    /// `½x(1 + erf(x/√2))`, by default composed of burn's operations as [`reference::gelu`].
    fn fused_gelu(x: FloatTensor<Self>) -> FloatTensor<Self> {
        composed::<Self>(x)
    }

    /// `grad · (½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π))`.
    fn fused_gelu_backward(x: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
        composed_backward::<Self>(x, grad)
    }
}

/// GELU composed of `B`'s operations, as [`reference::gelu`] composes it.
pub(super) fn composed<B: burn::backend::Backend>(x: FloatTensor<B>) -> FloatTensor<B> {
    let erf = B::float_erf(B::float_div_scalar(x.clone(), SQRT_2.into()));
    let phi = B::float_add_scalar(erf, 1.0f32.into());
    B::float_mul_scalar(B::float_mul(x, phi), 0.5f32.into())
}

/// GELU's gradient composed of `B`'s operations: `grad` times the slope at `x`.
pub(super) fn composed_backward<B: burn::backend::Backend>(
    x: FloatTensor<B>,
    grad: FloatTensor<B>,
) -> FloatTensor<B> {
    let erf = B::float_erf(B::float_div_scalar(x.clone(), SQRT_2.into()));
    let half_phi = B::float_mul_scalar(B::float_add_scalar(erf, 1.0f32.into()), 0.5f32.into());
    let square = B::float_mul(x.clone(), x.clone());
    let density = B::float_mul_scalar(
        B::float_exp(B::float_mul_scalar(square, (-0.5f32).into())),
        FRAC_1_SQRT_2PI.into(),
    );
    let slope = B::float_add(half_phi, B::float_mul(x, density));
    B::float_mul(grad, slope)
}

/// `1/√(2π)`, the standard normal density at 0.
pub(super) const FRAC_1_SQRT_2PI: f32 = 0.398_942_3;

/// GELU with its exact gradient: one operation each way on WebGPU, burn's composition on the
/// CPU path and for other types.
pub fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if on_flex(&x) || x.dtype() != DType::F32 {
        return reference::gelu(x);
    }
    Tensor::from_dispatch(Dispatch::fused_gelu(x.into_dispatch()))
}
