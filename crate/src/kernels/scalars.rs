//! The scalars of one optimiser update, shared by the fused kernels (`update.rs`) and their
//! reference (`reference.rs`).

/// The scalars of one Adam update: `g ← ∇ + λw`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
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
        }
    }
}

/// The scalars of one SGD update with Nesterov momentum `μ` (PyTorch's, no dampening):
/// `g ← ∇ + λw`, `v ← μv + g`, `w ← w − α(g + μv)`. With no momentum it is plain SGD,
/// `w ← w − α(∇ + λw)`, and keeps no velocity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdScalars {
    pub lr: f32,
    pub momentum: f32,
    pub decay: f32,
}
