//! The optimisers' update of one parameter tensor as one fused operation, and the lookahead's
//! step of one averaged tensor.
//!
//! Written with burn's tensor operations, Adam's update is about a dozen element-wise operations
//! per parameter tensor; on WebGPU each is its own kernel launch, and a launch costs the worker
//! a fraction of a millisecond of recording, encoding and binding (docs/performance.md). Here
//! each update is one operation of a backend extension (`#[backend_extension]`): one CubeCL
//! kernel on WebGPU (`gpu/update.rs`), one pass over the numbers on burn flex
//! (`cpu/update.rs`). The [`reference`] functions are the same updates composed from burn's
//! operations, as burn's own optimisers compute them: the tests hold the fused updates to them.

use burn::backend::{Dispatch, ExtensionType, backend_extension, tensor::FloatTensor};
use burn::prelude::*;
use burn::tensor::DType;

use super::reference;
pub use super::scalars::{AdamScalars, AverageScalars, SgdScalars};

/// A parameter and its Adam moments after an update.
#[derive(ExtensionType)]
pub struct AdamUpdate<B: burn::backend::Backend> {
    pub param: FloatTensor<B>,
    pub moment_1: FloatTensor<B>,
    pub moment_2: FloatTensor<B>,
}

/// A parameter and its velocity after a Nesterov update.
#[derive(ExtensionType)]
pub struct NesterovUpdate<B: burn::backend::Backend> {
    pub param: FloatTensor<B>,
    pub velocity: FloatTensor<B>,
}

/// The fused updates, one operation each. Every tensor has the parameter's shape; the moments
/// and the velocity of a first step are zeros.
#[backend_extension(Flex: cfg(feature = "cpu"), Cube: cfg(feature = "webgpu"))]
pub trait FusedUpdate: burn::backend::Backend {
    fn adam_update(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        scalars: AdamScalars,
    ) -> AdamUpdate<Self>;

    fn nesterov_update(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        velocity: FloatTensor<Self>,
        scalars: SgdScalars,
    ) -> NesterovUpdate<Self>;

    fn sgd_update(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        scalars: SgdScalars,
    ) -> FloatTensor<Self>;

    /// The lookahead's step: the average moved towards the current weights (same shape).
    fn average_update(
        average: FloatTensor<Self>,
        current: FloatTensor<Self>,
        scalars: AverageScalars,
    ) -> FloatTensor<Self>;
}

/// The fused kernels handle 32-bit floats, the only type Kiln trains in; anything else (a
/// tensor on a device no kernel is written for cannot reach here: training runs on flex or
/// WebGPU) takes the reference path. The kernels see each tensor as its numbers in order, so
/// they take any rank.
fn fused(dtypes: &[DType]) -> bool {
    dtypes.iter().all(|d| *d == DType::F32)
}

/// One Adam update of `param`; returns the parameter and the two moments.
pub fn adam<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    moments: Option<(Tensor<D>, Tensor<D>)>,
    scalars: AdamScalars,
) -> (Tensor<D>, Tensor<D>, Tensor<D>) {
    let (moment_1, moment_2) = moments.unwrap_or_else(|| {
        let zeros = param.zeros_like();
        (zeros.clone(), zeros)
    });
    if !fused(&[&param, &grad, &moment_1, &moment_2].map(Tensor::dtype)) {
        return reference::adam(param, grad, moment_1, moment_2, scalars);
    }
    let out = Dispatch::adam_update(
        param.into_dispatch(),
        grad.into_dispatch(),
        moment_1.into_dispatch(),
        moment_2.into_dispatch(),
        scalars,
    );
    (
        Tensor::from_dispatch(out.param),
        Tensor::from_dispatch(out.moment_1),
        Tensor::from_dispatch(out.moment_2),
    )
}

/// One Nesterov update of `param`; returns the parameter and its velocity.
pub fn nesterov<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    velocity: Option<Tensor<D>>,
    scalars: SgdScalars,
) -> (Tensor<D>, Tensor<D>) {
    let velocity = velocity.unwrap_or_else(|| param.zeros_like());
    if !fused(&[&param, &grad, &velocity].map(Tensor::dtype)) {
        return reference::nesterov(param, grad, velocity, scalars);
    }
    let out = Dispatch::nesterov_update(
        param.into_dispatch(),
        grad.into_dispatch(),
        velocity.into_dispatch(),
        scalars,
    );
    (
        Tensor::from_dispatch(out.param),
        Tensor::from_dispatch(out.velocity),
    )
}

/// One plain SGD update of `param`.
pub fn sgd<const D: usize>(param: Tensor<D>, grad: Tensor<D>, scalars: SgdScalars) -> Tensor<D> {
    if !fused(&[&param, &grad].map(Tensor::dtype)) {
        return reference::sgd(param, grad, scalars);
    }
    Tensor::from_dispatch(Dispatch::sgd_update(
        param.into_dispatch(),
        grad.into_dispatch(),
        scalars,
    ))
}

/// One lookahead step of `average` towards `current`: `d·avg + (1−d)·w`, one operation where
/// burn's composition launches three.
pub fn average<const D: usize>(
    average: Tensor<D>,
    current: Tensor<D>,
    scalars: AverageScalars,
) -> Tensor<D> {
    if !fused(&[&average, &current].map(Tensor::dtype)) {
        return reference::average(average, current, scalars);
    }
    Tensor::from_dispatch(Dispatch::average_update(
        average.into_dispatch(),
        current.into_dispatch(),
        scalars,
    ))
}
