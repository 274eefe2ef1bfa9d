//! BatchNorm with the batch's statistics and the GELU after it, as two operations each way while
//! training: airbench's six `BatchNorm → GELU` pairs. burn computes a training BatchNorm from
//! about a dozen of its operations (a layout copy and a reduction per statistic, then the
//! normalisation's arithmetic), six more move the running statistics, and its gradient takes
//! about fifteen: with GELU's two, about 37 launches per pair and step on WebGPU. Here
//! (`gpu/norm.rs`) one launch, a cube per channel, sums the batch's mean and variance and moves
//! the running statistics, and one normalises and applies GELU; back, one sums the two
//! per-channel gradient terms and one writes the input's gradient. airbench's step went from 302
//! launches to 104.
//!
//! The values are burn's: the biased variance normalises and feeds the running variance (burn's
//! convention, not PyTorch's unbiased one), `y = (x − μ)/√(σ² + ε)·γ + β`, and the gradient is
//! [`burn::backend::ops::ModuleOps::batch_norm_train_backward`]'s through GELU's exact slope.
//! The CPU path, and inference on every device, keep burn's `BatchNorm` and
//! [`super::reference::gelu`]: `check/` holds the fused operation to them.

use burn::backend::{
    Dispatch, ExtensionType, TensorMetadata, backend_extension, tensor::FloatTensor,
};
use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::DType;

use super::gelu::{composed, composed_backward};
use super::layers::on_flex;

/// What the fused forward pass computes.
#[derive(ExtensionType)]
pub struct NormParts<B: burn::backend::Backend> {
    /// `GELU(BatchNorm(x))`, `x`'s shape.
    pub output: FloatTensor<B>,
    /// `[2, channels]`: the batch's mean and biased variance per channel.
    pub stats: FloatTensor<B>,
    /// `[channels]`: the running mean moved `momentum` of the way to the batch's.
    pub running_mean: FloatTensor<B>,
    /// `[channels]`: the running variance moved `momentum` of the way to the batch's.
    pub running_var: FloatTensor<B>,
}

/// The fused operation's gradients.
#[derive(ExtensionType)]
pub struct NormGrads<B: burn::backend::Backend> {
    pub x: FloatTensor<B>,
    /// `[channels]`
    pub gamma: FloatTensor<B>,
    /// `[channels]`
    pub beta: FloatTensor<B>,
}

#[backend_extension(Autodiff, Flex: cfg(feature = "cpu"), Cube: cfg(feature = "webgpu"))]
pub trait FusedNorm: burn::backend::Backend {
    /// `GELU(BatchNorm(x))` of `x` `[batch, channels, h, w]` with the batch's statistics, scale
    /// `gamma` and shift `beta`; by default composed of burn's operations.
    fn batch_norm_gelu(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        running_mean: FloatTensor<Self>,
        running_var: FloatTensor<Self>,
        momentum: f64,
        epsilon: f64,
    ) -> NormParts<Self> {
        let train = Self::batch_norm_train(x, gamma, beta, epsilon);
        let moved = |running: FloatTensor<Self>, batch: FloatTensor<Self>| {
            Self::float_add(
                Self::float_mul_scalar(running, (1.0 - momentum).into()),
                Self::float_mul_scalar(batch, momentum.into()),
            )
        };
        let channels = train.mean.shape()[0];
        let stats = Self::float_cat(vec![train.mean.clone(), train.variance.clone()], 0);
        NormParts {
            output: composed::<Self>(train.output),
            stats: Self::float_reshape(stats, Shape::new([2, channels])),
            running_mean: moved(running_mean, train.mean),
            running_var: moved(running_var, train.variance),
        }
    }

    /// The gradients of `x`, `gamma` and `beta` given the output's `grad` and the batch's
    /// `stats` the forward pass gave; by default composed of burn's operations.
    fn batch_norm_gelu_backward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        epsilon: f64,
        grad: FloatTensor<Self>,
    ) -> NormGrads<Self> {
        let channels = stats.shape()[1];
        let row = |i: usize| {
            let flat = Self::float_reshape(stats.clone(), Shape::new([2 * channels]));
            Self::float_slice(
                flat,
                &[burn::tensor::Slice::from(i * channels..(i + 1) * channels)],
            )
        };
        let (mean, variance) = (row(0), row(1));
        let normalized = Self::batch_norm(
            x.clone(),
            gamma.clone(),
            beta,
            mean.clone(),
            variance.clone(),
            epsilon,
        );
        let grad = composed_backward::<Self>(normalized, grad);
        let g = Self::batch_norm_train_backward(x, gamma, mean, variance, epsilon, grad);
        NormGrads {
            x: g.x_grad,
            gamma: g.gamma_grad,
            beta: g.beta_grad,
        }
    }
}

/// `GELU(norm(x))`: two fused operations each way where `norm` trains on a GPU (its running
/// statistics updated as burn's `BatchNorm::forward` updates them), burn's `BatchNorm` and
/// GELU's composition otherwise.
pub fn batch_norm_gelu<const D: usize>(norm: &BatchNorm, x: Tensor<D>) -> Tensor<D> {
    let training = x.device().is_autodiff() && norm.training.is_enabled();
    if !training || on_flex(&x) || x.dtype() != DType::F32 || D != 4 {
        return super::gelu(norm.forward(x));
    }
    let device = x.device();
    let running = |state: &burn::module::RunningState<Tensor<1>>| {
        state.value_sync().to_device(&device).into_dispatch()
    };
    let parts = Dispatch::batch_norm_gelu(
        x.into_dispatch(),
        norm.gamma.val().into_dispatch(),
        norm.beta.val().into_dispatch(),
        running(&norm.running_mean),
        running(&norm.running_var),
        norm.momentum,
        norm.epsilon,
    );
    norm.running_mean
        .update(Tensor::<1>::from_dispatch(parts.running_mean).detach());
    norm.running_var
        .update(Tensor::<1>::from_dispatch(parts.running_var).detach());
    Tensor::from_dispatch(parts.output)
}
