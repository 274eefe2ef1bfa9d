//! The optimisers: burn's update (Adam, plain SGD) or PyTorch's (Nesterov SGD), each computed
//! as one fused operation per parameter tensor ([`crate::kernels::update`]), with burn's state
//! types, so checkpoints are burn's optimiser records. Saving and restoring that state with
//! async reads is `state.rs`'s job; holding the optimisers to burn's, `check.rs`'s (the `checks`
//! feature: test builds only).

#[cfg(feature = "checks")]
pub mod check;
mod state;

use burn::module::{ParamGroup, ParamId};
use burn::optim::{Adam, AdamState, AdaptiveMomentumState, ModuleOptimizer, Optimizer, SgdState};
use burn::prelude::*;

use crate::kernels::{self, AdamScalars, SgdScalars};
use crate::recipe::OptimizerConfig;

pub use state::{OptimizerStateError, check_state, load_state, state_bytes, state_entries};

/// Build the optimiser a config asks for, with an L2 penalty of `weight_decay` (0 for none)
/// added to every gradient. Each parameter's update is one fused operation ([`kernels::update`]).
/// The gradients of the parameters `scaled` names are multiplied by `scale` in their update
/// (airbench's BatchNorm biases: a higher learning rate for them, as a larger gradient,
/// [`crate::recipe::Recipe::norm_bias_lr_scale`]): they are a group of their own, so the factor
/// costs no operation of its own. The groups share the state's type, so a saved state loads
/// into either.
pub fn build(
    config: &OptimizerConfig,
    weight_decay: f64,
    scaled: &[ParamId],
    scale: f32,
) -> ModuleOptimizer {
    let decay = weight_decay as f32;
    match *config {
        OptimizerConfig::Adam {
            beta_1,
            beta_2,
            epsilon,
        } => grouped(scaled, scale, |grad_scale| AsyncAdam {
            beta_1,
            beta_2,
            epsilon,
            decay,
            grad_scale,
        }),
        OptimizerConfig::Sgd => grouped(scaled, scale, |grad_scale| Sgd { decay, grad_scale }),
        OptimizerConfig::Nesterov { momentum } => grouped(scaled, scale, |grad_scale| Nesterov {
            momentum,
            weight_decay: decay,
            grad_scale,
            composed: false,
        }),
    }
}

/// `make(1)` for every parameter, and `make(scale)` for those `scaled` names where the scale
/// is not 1.
fn grouped<O: Optimizer>(
    scaled: &[ParamId],
    scale: f32,
    make: impl Fn(f32) -> O,
) -> ModuleOptimizer {
    let optimizer = ModuleOptimizer::from(make(1.0));
    if scale == 1.0 || scaled.is_empty() {
        return optimizer;
    }
    optimizer.with_group(ParamGroup::from_ids(scaled.to_vec()), make(scale), None)
}

/// Adam as burn computes it (`AdamConfig`, no AMSGrad), each parameter's update one fused
/// operation, with a state that can be saved without synchronous reads. The state is burn's
/// [`AdamState`], so checkpoints are burn's Adam records.
#[derive(Clone)]
pub struct AsyncAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    decay: f32,
    grad_scale: f32,
}

/// [`AdamState`] under another name, so that its record can be collected.
#[derive(Clone)]
pub struct AsyncAdamState<const D: usize>(AdamState<D>);

impl Optimizer for AsyncAdam {
    type State<const D: usize> = AsyncAdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let (time, moments) = match state {
            Some(AsyncAdamState(AdamState { momentum })) => (
                momentum.time + 1,
                Some((momentum.moment_1, momentum.moment_2)),
            ),
            None => (1, None),
        };
        let scalars = AdamScalars {
            grad_scale: self.grad_scale,
            ..AdamScalars::at(time, lr, self.beta_1, self.beta_2, self.epsilon, self.decay)
        };
        let (tensor, moment_1, moment_2) = kernels::adam(tensor, grad, moments, scalars);
        let momentum = AdaptiveMomentumState::new(time, moment_1, moment_2);
        (tensor, Some(AsyncAdamState(AdamState::new(momentum))))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AsyncAdamState(Adam::to_device(state.0, device))
    }
}

/// Plain SGD as burn's `Sgd` without momentum computes it, the update one fused operation. Its
/// state is burn's empty [`SgdState`], so its records are burn's.
#[derive(Clone)]
pub struct Sgd {
    decay: f32,
    grad_scale: f32,
}

impl Optimizer for Sgd {
    type State<const D: usize> = SgdState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        _state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let scalars = SgdScalars {
            lr: lr as f32,
            momentum: 0.0,
            decay: self.decay,
            grad_scale: self.grad_scale,
        };
        (
            kernels::sgd(tensor, grad, scalars),
            Some(SgdState::new(None)),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, _device: &Device) -> Self::State<D> {
        state
    }
}

/// SGD with Nesterov momentum and an L2 penalty, as PyTorch's `SGD(nesterov=True)` (no
/// dampening): `g ← ∇ + λw`, `v ← μv + g`, `w ← w − α(g + μv)`, the update one fused operation.
/// burn's own keeps its velocity private, so its state could not be saved with an async read;
/// this one's can.
#[derive(Clone)]
pub struct Nesterov {
    momentum: f32,
    weight_decay: f32,
    grad_scale: f32,
    /// The update composed from burn's operations ([`kernels::reference::nesterov`]) instead of
    /// fused: the reference the fused update is tested against.
    composed: bool,
}

#[derive(Clone)]
pub struct NesterovState<const D: usize> {
    velocity: Tensor<D>,
}

impl Optimizer for Nesterov {
    type State<const D: usize> = NesterovState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let scalars = SgdScalars {
            lr: lr as f32,
            momentum: self.momentum,
            decay: self.weight_decay,
            grad_scale: self.grad_scale,
        };
        let velocity = state.map(|s| s.velocity);
        let (tensor, velocity) = if self.composed {
            let velocity = velocity.unwrap_or_else(|| tensor.zeros_like());
            kernels::reference::nesterov(tensor, grad, velocity, scalars)
        } else {
            kernels::nesterov(tensor, grad, velocity, scalars)
        };
        (tensor, Some(NesterovState { velocity }))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        NesterovState {
            velocity: state.velocity.to_device(device),
        }
    }
}
