//! ReLU as one operation each way. burn computes `relu(x)` as a comparison and a masked fill, and
//! its gradient the same way again: four kernel launches on WebGPU per activation and step,
//! where one each way does (`gpu/relu.rs`). The seed network has four ReLUs, so its WebGPU step
//! launches eight fewer kernels. On burn flex, whose ReLU is already one pass, the extension
//! calls burn's own. The values are burn's: `x ≤ 0 → 0` (NaN passes through), and the gradient
//! is zero where the input was `≤ 0`; burn's `relu` is the reference `check/` holds it to.

use burn::backend::{Dispatch, backend_extension, tensor::FloatTensor};
use burn::prelude::*;
use burn::tensor::DType;

#[backend_extension(Autodiff, Flex: cfg(feature = "cpu"), Cube: cfg(feature = "webgpu"))]
pub trait FusedRelu: burn::backend::Backend {
    fn fused_relu(input: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::relu(input)
    }

    /// `grad` where `input > 0`, else 0.
    fn fused_relu_backward(input: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::relu_backward(input, grad)
    }
}

/// ReLU, one operation each way where the device has a fused kernel.
pub fn relu<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    if input.dtype() != DType::F32 {
        return burn::tensor::activation::relu(input);
    }
    Tensor::from_dispatch(Dispatch::fused_relu(input.into_dispatch()))
}
