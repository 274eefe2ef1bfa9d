//! How a network is trained, as plain data: the optimiser, the learning-rate schedule, the
//! pixel scaling, the augmentation and the recipe's extras (label smoothing, lookahead, …).
//! Each network declares its [`TrainingRecipe`] in these terms (`model::Network::recipe`);
//! `train` runs them. Below both, so that a network's folder holds its own recipe without
//! `model` importing `train`.

pub mod extras;
pub mod optimizer;
pub mod schedule;

use serde::{Deserialize, Serialize};

use crate::data::Augmentation;

pub use extras::{Lookahead, Recipe};
pub use optimizer::OptimizerConfig;
pub use schedule::{Knobs, Schedule};

/// How input pixels are scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum NormalizationKind {
    /// `x / 255`, as the seed does.
    #[default]
    Unit,
    /// Per-channel mean and standard deviation of the training set.
    MeanStd,
}

/// Everything a network's recipe decides about a run: what `TrainingConfig::for_model` takes
/// from the network. The rest of a run (its seed, limits, reporting, early stopping) is the
/// user's, with the declared defaults (`train::settings`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingRecipe {
    /// Passes over the training set.
    pub epochs: usize,
    /// Images per step.
    pub batch_size: usize,
    /// The learning rate at `batch_size`.
    pub learning_rate: f64,
    pub optimizer: OptimizerConfig,
    /// L2 penalty added to every gradient (`grad + λ·w`).
    pub weight_decay: f64,
    pub normalization: NormalizationKind,
    /// Random changes of the training images (`Augmentation::default()`: none).
    pub augmentation: Augmentation,
    /// Label smoothing, schedule, lookahead and the like (`TrainingConfig::recipe`).
    pub extras: Recipe,
}
