//! Every hyperparameter of a run, in one serialisable place (the browser sends it as JSON).
//! The defaults and limits of each are declared in `settings`, which also implements
//! `Default` and `validate()` for [`TrainingConfig`].

use serde::{Deserialize, Serialize};

use crate::data::Augmentation;
use crate::model::{ModelConfig, registry};
use crate::recipe::{NormalizationKind, OptimizerConfig, Recipe, TrainingRecipe};

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
    /// The configuration a network is meant to be trained with: its recipe
    /// ([`crate::model::Network::recipe`]) at `batch_size` images a step (the recipe's own when
    /// `None`), with the declared defaults for the rest of the run. A name the registry lacks
    /// gets the declared defaults, which `ModelConfig::init` then refuses.
    pub fn for_model(name: &str, batch_size: Option<usize>) -> Self {
        let mut config = Self::default();
        config.model.name = name.to_string();
        match registry::find(name) {
            Some(network) => config.with_recipe(network.recipe(batch_size)),
            None => Self {
                batch_size: batch_size.unwrap_or(config.batch_size),
                ..config
            },
        }
    }

    /// This run with everything `recipe` decides taken from it.
    pub fn with_recipe(self, recipe: TrainingRecipe) -> Self {
        Self {
            epochs: recipe.epochs,
            batch_size: recipe.batch_size,
            learning_rate: recipe.learning_rate,
            optimizer: recipe.optimizer,
            weight_decay: recipe.weight_decay,
            normalization: recipe.normalization,
            augmentation: recipe.augmentation,
            recipe: recipe.extras,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_defaults_are_the_seeds_recipe() {
        assert_eq!(
            TrainingConfig::for_model("seed", None),
            TrainingConfig::default()
        );
        let seed_at_64 = TrainingConfig::for_model("seed", Some(64));
        assert_eq!(seed_at_64.batch_size, 64);
        assert_eq!(
            seed_at_64.learning_rate,
            TrainingConfig::default().learning_rate
        );
    }

    #[test]
    fn every_networks_recipe_is_within_the_declared_limits() {
        for network in crate::model::NETWORKS {
            for batch in [None, Some(network.info().page_batch_size)] {
                let config = TrainingConfig::for_model(network.name(), batch);
                assert_eq!(config.model.name, network.name());
                assert!(config.validate().is_ok(), "{}: {config:?}", network.name());
            }
        }
    }
}
