//! Every hyperparameter of a run, in one serialisable place (the browser sends it as JSON).
//! The defaults and limits of each are declared in `settings`, which also implements
//! `Default` and `validate()` for [`TrainingConfig`].

use serde::{Deserialize, Serialize};

use crate::data::Augmentation;
use crate::model::ModelConfig;
use crate::recipe::{NormalizationKind, OptimizerConfig, Recipe};

/// A whole training run. Defaults (see `settings`) reproduce the seed's Keras program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct TrainingConfig {
    pub model: ModelConfig,
    pub optimizer: OptimizerConfig,
    /// Passes over the training set.
    pub epochs: usize,
    /// Images per step (Keras' default is 32).
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Seeds weight initialisation and the per-epoch shuffles.
    #[cfg_attr(test, ts(type = "number"))]
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
    /// Label smoothing, learning-rate schedule, weight averaging and the like: off for the seed.
    pub recipe: Recipe,
}

impl TrainingConfig {
    /// The configuration a network is meant to be trained with: the seed's Keras program, or
    /// airbench94's recipe. `batch_size` (the recipe's own when `None`) scales the airbench
    /// learning rate, which its recipe gives per 1,024 images.
    pub fn for_model(name: &str, batch_size: Option<usize>) -> Self {
        let mut config = Self::default();
        config.model.name = name.to_string();
        if name == "airbench" {
            let batch = batch_size.unwrap_or(AIRBENCH_BATCH);
            config.batch_size = batch;
            config.epochs = 10;
            config.optimizer = OptimizerConfig::nesterov();
            config.learning_rate = AIRBENCH_LR_PER_1024 * batch as f64 / 1024.0;
            config.weight_decay = AIRBENCH_WEIGHT_DECAY;
            config.normalization = NormalizationKind::MeanStd;
            config.augmentation = Augmentation::airbench();
            config.recipe = Recipe::airbench();
        } else if let Some(batch) = batch_size {
            config.batch_size = batch;
        }
        config
    }
}

/// airbench94's batch size.
pub const AIRBENCH_BATCH: usize = 1024;
/// airbench94's learning rate for a mean loss over 1,024 images: its `lr = 11.5` is per 1,024
/// images of a summed loss and divided by `1 + 1/(1 − momentum)`, so 11.5 / (1 + 1/0.15).
pub const AIRBENCH_LR_PER_1024: f64 = 11.5 / (1.0 + 1.0 / 0.15);
/// airbench94's weight decay 0.0153 as the L2 penalty of a mean loss: `0.0153 / 11.5`, whatever
/// the batch size.
pub const AIRBENCH_WEIGHT_DECAY: f64 = 0.0153 / 11.5;
