//! The scalars of one optimiser update, shared by the fused kernels (`update.rs`) and their
//! reference (`reference.rs`).

/// The scalars of one Adam update: `g ← s∇ + λw`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `w ← w − α·(m·c)/(√v + ε̂)`, with burn's bias correction folded into `c` and `ε̂`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamScalars {
    pub lr: f32,
    pub beta_1: f32,
    pub beta_2: f32,
    pub decay: f32,
    /// `√(1−β₂ᵗ) / (1−β₁ᵗ)`, burn's combined bias correction at step `t`.
    pub correction: f32,
    /// `ε·√(1−β₂ᵗ)`.
    pub epsilon: f32,
    /// `s`, the gradient's factor: 1, or the recipe's for airbench's BatchNorm biases
    /// ([`crate::recipe::Recipe::norm_bias_lr_scale`]).
    pub grad_scale: f32,
}

impl AdamScalars {
    /// The scalars of step `time` (1 for the first), computed as burn's Adam computes them.
    pub fn at(time: usize, lr: f64, beta_1: f32, beta_2: f32, epsilon: f32, decay: f32) -> Self {
        let time = i32::try_from(time).unwrap_or(i32::MAX);
        let bias_correction2_sqrt = (1.0 - beta_2.powi(time)).sqrt();
        Self {
            lr: lr as f32,
            beta_1,
            beta_2,
            decay,
            correction: bias_correction2_sqrt / (1.0 - beta_1.powi(time)),
            epsilon: epsilon * bias_correction2_sqrt,
            grad_scale: 1.0,
        }
    }
}

/// The scalars of one SGD update with Nesterov momentum `μ` (PyTorch's, no dampening):
/// `g ← s∇ + λw`, `v ← μv + g`, `w ← w − α(g + μv)`. With no momentum it is plain SGD,
/// `w ← w − α(s∇ + λw)`, and keeps no velocity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdScalars {
    pub lr: f32,
    pub momentum: f32,
    pub decay: f32,
    /// `s`, as [`AdamScalars::grad_scale`].
    pub grad_scale: f32,
}

/// The scalars of one lookahead step, `avg ← d·avg + (1−d)·w` (airbench94's, see
/// [`crate::recipe::extras::Lookahead`]): `d` and `1−d` taken to f32 as burn's `mul_scalar` takes
/// them, so the fused step gives the composition's numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AverageScalars {
    /// `d`, the average's share.
    pub keep: f32,
    /// `1−d`, the current weights' share.
    pub take: f32,
}

impl AverageScalars {
    pub fn of(decay: f64) -> Self {
        Self {
            keep: decay as f32,
            take: (1.0 - decay) as f32,
        }
    }
}
