//! The optimiser a recipe trains with, and its constants (the implementations are
//! `train::optimizer`).

use serde::{Deserialize, Serialize};

/// The optimiser and its constants. The learning rate lives in the run's configuration
/// (`TrainingConfig::learning_rate`) and in a network's recipe.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum OptimizerConfig {
    /// Adam with Keras' defaults (β₁ 0.9, β₂ 0.999, ε 1e-7).
    Adam {
        beta_1: f32,
        beta_2: f32,
        epsilon: f32,
    },
    /// Plain stochastic gradient descent: w ← w − α∇J(w).
    Sgd,
    /// SGD with Nesterov momentum, as PyTorch defines it (no dampening): the velocity
    /// `v ← μv + g`, the step `α(g + μv)`.
    Nesterov { momentum: f32 },
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self::adam()
    }
}

impl OptimizerConfig {
    pub fn adam() -> Self {
        Self::Adam {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
        }
    }

    /// `adam` or `sgd`, as the CLI and the page spell them.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "adam" => Some(Self::adam()),
            "sgd" => Some(Self::Sgd),
            "nesterov" => Some(Self::nesterov()),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Adam { .. } => "adam",
            Self::Sgd => "sgd",
            Self::Nesterov { .. } => "nesterov",
        }
    }

    /// Nesterov momentum 0.85, airbench94's.
    pub fn nesterov() -> Self {
        Self::Nesterov { momentum: 0.85 }
    }
}
