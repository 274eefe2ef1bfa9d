//! airbench94's recipe: SGD with Nesterov momentum, 1,024 images a step for 10 epochs, the
//! triangular learning-rate schedule, lookahead averaging, label smoothing, BatchNorm biases
//! at 64× the learning rate, the whitening bias trained for 3 epochs, pixels normalised per
//! channel, alternating flips and 2-pixel crops of the mirror-padded image.

use crate::data::{Augmentation, Framing};
use crate::recipe::{
    Lookahead, NormalizationKind, OptimizerConfig, Recipe, Schedule, TrainingRecipe,
};

/// airbench94's batch size.
pub const BATCH: usize = 1024;
/// airbench94's learning rate for a mean loss over 1,024 images: its `lr = 11.5` is per 1,024
/// images of a summed loss and divided by `1 + 1/(1 − momentum)`, so 11.5 / (1 + 1/0.15).
pub const LR_PER_1024: f64 = 11.5 / (1.0 + 1.0 / 0.15);
/// airbench94's weight decay 0.0153 as the L2 penalty of a mean loss: `0.0153 / 11.5`, whatever
/// the batch size.
pub const WEIGHT_DECAY: f64 = 0.0153 / 11.5;
pub const EPOCHS: usize = 10;

/// The recipe at `batch_size` images a step ([`BATCH`] when `None`), the learning rate scaled
/// with the batch.
pub fn recipe(batch_size: Option<usize>) -> TrainingRecipe {
    let batch = batch_size.unwrap_or(BATCH);
    TrainingRecipe {
        epochs: EPOCHS,
        batch_size: batch,
        learning_rate: LR_PER_1024 * batch as f64 / 1024.0,
        optimizer: OptimizerConfig::nesterov(),
        weight_decay: WEIGHT_DECAY,
        normalization: NormalizationKind::MeanStd,
        augmentation: augmentation(),
        extras: extras(),
    }
}

/// Alternating flips and 2-pixel crops of the mirror-padded image.
pub fn augmentation() -> Augmentation {
    Augmentation {
        flip: true,
        crop_padding: 2,
        alternate_flip: true,
        reflect: true,
        framing: Framing::default(),
    }
}

/// Label smoothing 0.2, the triangular schedule, lookahead every 5 steps, BatchNorm biases at
/// 64× the learning rate, the whitening bias trained for the first 3 epochs.
pub fn extras() -> Recipe {
    Recipe {
        label_smoothing: 0.2,
        schedule: Schedule::AIRBENCH,
        lookahead: Some(Lookahead { every: 5 }),
        norm_bias_lr_scale: 64.0,
        whiten_bias_epochs: Some(3),
    }
}
