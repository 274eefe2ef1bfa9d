//! The seed's recipe: the Keras tutorial's program. Adam with Keras' constants, 32 images a
//! step for 10 epochs at a constant learning rate of 0.001, pixels scaled to [0, 1], no
//! augmentation and none of the extras. These are also the declared defaults of every setting
//! (`train::settings`), which a test holds them to.

use crate::data::Augmentation;
use crate::recipe::{NormalizationKind, OptimizerConfig, Recipe, TrainingRecipe};

/// Keras' default batch size.
pub const BATCH: usize = 32;
/// Keras' default learning rate for Adam.
pub const LEARNING_RATE: f64 = 1e-3;
pub const EPOCHS: usize = 10;

/// The recipe at `batch_size` images a step ([`BATCH`] when `None`); the learning rate stays
/// the same whatever the batch.
pub fn recipe(batch_size: Option<usize>) -> TrainingRecipe {
    TrainingRecipe {
        epochs: EPOCHS,
        batch_size: batch_size.unwrap_or(BATCH),
        learning_rate: LEARNING_RATE,
        optimizer: OptimizerConfig::adam(),
        weight_decay: 0.0,
        normalization: NormalizationKind::Unit,
        augmentation: Augmentation::default(),
        extras: Recipe::default(),
    }
}
