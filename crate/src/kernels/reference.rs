//! The reference the kernels are held to (`check/`, and the optimisers' comparison in
//! `train::optimizer::check`): the fused updates composed from burn's tensor operations, in the
//! order burn's `Adam`, `Sgd` and PyTorch's Nesterov SGD apply them, and the lookahead's step; burn's cross-entropy with
//! the progress window's sums; GELU as airbench trains it on the CPU path. The other kernels'
//! reference is burn's own operation (`burn::tensor::activation::relu`, burn's `Conv2d`,
//! `MaxPool2d` and `Linear`). A fused operation falls back to these where its kernel does not
//! apply (a type other than f32).

use burn::prelude::*;

use super::scalars::{AdamScalars, AverageScalars, SgdScalars};

pub fn adam<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    moment_1: Tensor<D>,
    moment_2: Tensor<D>,
    s: AdamScalars,
) -> (Tensor<D>, Tensor<D>, Tensor<D>) {
    let grad = param
        .clone()
        .mul_scalar(s.decay)
        .add(scaled(grad, s.grad_scale));
    let moment_1 = moment_1
        .mul_scalar(s.beta_1)
        .add(grad.clone().mul_scalar(1.0 - s.beta_1));
    let moment_2 = moment_2
        .mul_scalar(s.beta_2)
        .add(grad.square().mul_scalar(1.0 - s.beta_2));
    let step = moment_1
        .clone()
        .mul_scalar(s.correction)
        .div(moment_2.clone().sqrt().add_scalar(s.epsilon));
    (param - step.mul_scalar(s.lr), moment_1, moment_2)
}

pub fn nesterov<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    velocity: Tensor<D>,
    s: SgdScalars,
) -> (Tensor<D>, Tensor<D>) {
    let grad = scaled(grad, s.grad_scale) + param.clone().mul_scalar(s.decay);
    let velocity = velocity.mul_scalar(s.momentum) + grad.clone();
    let step = velocity.clone().mul_scalar(s.momentum) + grad;
    (param - step.mul_scalar(s.lr), velocity)
}

pub fn sgd<const D: usize>(param: Tensor<D>, grad: Tensor<D>, s: SgdScalars) -> Tensor<D> {
    let grad = param
        .clone()
        .mul_scalar(s.decay)
        .add(scaled(grad, s.grad_scale));
    param - grad.mul_scalar(s.lr)
}

pub fn average<const D: usize>(
    average: Tensor<D>,
    current: Tensor<D>,
    s: AverageScalars,
) -> Tensor<D> {
    average.mul_scalar(s.keep) + current.mul_scalar(s.take)
}

/// The gradient times the update's `grad_scale`, left alone at 1 (no operation to launch).
fn scaled<const D: usize>(grad: Tensor<D>, scale: f32) -> Tensor<D> {
    if scale == 1.0 {
        grad
    } else {
        grad.mul_scalar(scale)
    }
}

/// burn's cross-entropy (`CrossEntropyLoss`, label smoothing `smoothing` where it is above 0) and
/// the progress window's sums taken from it: the summed loss, and the right answers by burn's
/// arg-max, added to `running`. Returns the mean loss (tracked) and the sums.
pub fn cross_entropy(
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
    smoothing: f32,
    running: Option<Tensor<1>>,
) -> (Tensor<1>, Tensor<1>) {
    let [batch, _] = logits.dims();
    let loss = burn::nn::loss::CrossEntropyLossConfig::new()
        .with_smoothing((smoothing > 0.0).then_some(smoothing))
        .init(&logits.device())
        .forward(logits.clone(), targets.clone());
    let loss_sum = loss.clone().inner() * batch as f32;
    let predicted = logits.inner().argmax(1).flatten::<1>(0, 1);
    let right = predicted.equal(targets.inner()).int().sum().float();
    let sums = Tensor::cat(vec![loss_sum, right], 0);
    let sums = match running {
        Some(running) => running + sums,
        None => sums,
    };
    (loss, sums)
}

/// GELU, `x·Φ(x) = ½x(1 + erf(x/√2))`, written with tensor operations so that autodiff derives
/// its exact gradient. burn's own GELU takes the gradient of the tanh approximation, and on
/// WebGPU that tanh overflows to NaN for inputs above about 13, which airbench's whitening
/// layer's outputs reach: training there diverged at its second step.
pub fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let phi = x
        .clone()
        .div_scalar(std::f32::consts::SQRT_2)
        .erf()
        .add_scalar(1.0);
    (x * phi).mul_scalar(0.5)
}
