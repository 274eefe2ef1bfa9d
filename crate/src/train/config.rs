//! Every hyperparameter of a run, in one serialisable place (the browser sends it as JSON).

use serde::{Deserialize, Serialize};

use crate::data::Augmentation;
use crate::model::ModelConfig;

/// The optimiser and its constants. The learning rate lives in [`TrainingConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerConfig {
    /// Adam with Keras' defaults (β₁ 0.9, β₂ 0.999, ε 1e-7).
    Adam {
        beta_1: f32,
        beta_2: f32,
        epsilon: f32,
    },
    /// Plain stochastic gradient descent: w ← w − α∇J(w).
    Sgd,
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
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Adam { .. } => "adam",
            Self::Sgd => "sgd",
        }
    }
}

/// How input pixels are scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormalizationKind {
    /// `x / 255`, as the seed does.
    #[default]
    Unit,
    /// Per-channel mean and standard deviation of the training set.
    MeanStd,
}

/// A whole training run. Defaults reproduce the seed's Keras program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingConfig {
    pub model: ModelConfig,
    pub optimizer: OptimizerConfig,
    /// Passes over the training set.
    pub epochs: usize,
    /// Images per step (Keras' default is 32).
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Seeds weight initialisation and the per-epoch shuffles.
    pub seed: u64,
    pub normalization: NormalizationKind,
    /// Use only the first N training images (a quick run).
    pub train_limit: Option<usize>,
    /// Evaluate on only the first N test images.
    pub test_limit: Option<usize>,
    /// Images per evaluation batch: larger than training batches, no gradients kept.
    pub eval_batch_size: usize,
    /// Seconds between progress reports. Each report is one GPU→CPU read, so not every step.
    pub report_every_seconds: f32,
    /// Random flips and crops of the training images (off by default, as in the seed).
    pub augmentation: Augmentation,
    /// L2 penalty added to every gradient (`grad + λ·w`), 0 for none.
    pub weight_decay: f64,
    /// Stop when test accuracy has not improved for this many epochs, and keep the weights of
    /// the best epoch. `None` trains every epoch and keeps the last weights.
    pub early_stopping: Option<usize>,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            model: ModelConfig::new(),
            optimizer: OptimizerConfig::default(),
            epochs: 10,
            batch_size: 32,
            learning_rate: 1e-3,
            seed: 42,
            normalization: NormalizationKind::Unit,
            train_limit: None,
            test_limit: None,
            eval_batch_size: 500,
            report_every_seconds: 0.1,
            augmentation: Augmentation::default(),
            weight_decay: 0.0,
            early_stopping: None,
        }
    }
}

/// A configuration value that cannot work, named.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid training setting {field} = {value}: {reason}")]
pub struct ConfigError {
    pub field: &'static str,
    pub value: String,
    pub reason: &'static str,
}

impl TrainingConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |field, value: String, reason| {
            Err(ConfigError {
                field,
                value,
                reason,
            })
        };
        if self.epochs == 0 || self.epochs > 10_000 {
            return err(
                "epochs",
                self.epochs.to_string(),
                "must be between 1 and 10000",
            );
        }
        if self.batch_size == 0 || self.batch_size > 4096 {
            return err(
                "batch_size",
                self.batch_size.to_string(),
                "must be between 1 and 4096",
            );
        }
        if self.eval_batch_size == 0 || self.eval_batch_size > 10_000 {
            return err(
                "eval_batch_size",
                self.eval_batch_size.to_string(),
                "must be between 1 and 10000",
            );
        }
        if !(self.learning_rate.is_finite()
            && self.learning_rate > 0.0
            && self.learning_rate <= 10.0)
        {
            return err(
                "learning_rate",
                self.learning_rate.to_string(),
                "must be in (0, 10]",
            );
        }
        if self.train_limit == Some(0) {
            return err("train_limit", "0".into(), "must be at least 1");
        }
        if !(self.report_every_seconds.is_finite() && self.report_every_seconds >= 0.0) {
            return err(
                "report_every_seconds",
                self.report_every_seconds.to_string(),
                "must be a non-negative number",
            );
        }
        if !(self.weight_decay.is_finite() && (0.0..=1.0).contains(&self.weight_decay)) {
            return err(
                "weight_decay",
                self.weight_decay.to_string(),
                "must be between 0 and 1",
            );
        }
        if self.augmentation.crop_padding > 16 {
            return err(
                "augmentation.crop_padding",
                self.augmentation.crop_padding.to_string(),
                "must be between 0 and 16 pixels",
            );
        }
        if self.early_stopping == Some(0) {
            return err(
                "early_stopping",
                "0".into(),
                "patience must be at least 1 epoch",
            );
        }
        if let OptimizerConfig::Adam {
            beta_1,
            beta_2,
            epsilon,
        } = self.optimizer
        {
            let in_unit = |b: f32| (0.0..1.0).contains(&b);
            if !(in_unit(beta_1) && in_unit(beta_2) && epsilon > 0.0 && epsilon.is_finite()) {
                return err(
                    "optimizer",
                    format!("adam(β₁={beta_1}, β₂={beta_2}, ε={epsilon})"),
                    "needs 0 ≤ β < 1 and ε > 0",
                );
            }
        }
        Ok(())
    }
}
