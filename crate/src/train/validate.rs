//! [`TrainingConfig::validate`]: every value checked against its declared limits (see
//! `settings`), every refusal named by its setting's key.

use crate::recipe::OptimizerConfig;
use crate::recipe::schedule::Schedule;
use crate::train::config::TrainingConfig;
use crate::train::field::{FieldError, Problem};
use crate::train::settings::{
    BATCH_SIZE, CROP_PADDING, EPOCHS, EVAL_BATCH_SIZE, FRAMING_RATE, LEARNING_RATE, LR_DECAY,
    LR_DECAY_EPOCHS, LR_WARMUP, MAX_ASPECT, MAX_SCALE, MIN_SCALE, MODEL, OPTIMIZER, PATIENCE,
    REPORT_EVERY_SECONDS, SEED, SOFTEN, TEST_LIMIT, TRAIN_LIMIT, WEIGHT_DECAY,
};

/// Every value that cannot work, each named by its setting's key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ConfigError(pub Vec<FieldError>);

impl TrainingConfig {
    /// Check every value against its declared limits; the error names each bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let optimizer = match self.optimizer {
            OptimizerConfig::Adam {
                beta_1,
                beta_2,
                epsilon,
            } => {
                let in_unit = |b: f32| (0.0..1.0).contains(&b);
                let ok = in_unit(beta_1) && in_unit(beta_2) && epsilon > 0.0 && epsilon.is_finite();
                let value = format!("adam(β₁={beta_1}, β₂={beta_2}, ε={epsilon})");
                let problem = Problem::Inconsistent("needs 0 ≤ β < 1 and ε > 0");
                (!ok).then(|| FieldError::new(OPTIMIZER.key, value, problem))
            }
            OptimizerConfig::Sgd => None,
            OptimizerConfig::Nesterov { momentum } => {
                (!(0.0..1.0).contains(&momentum)).then(|| {
                    let problem = Problem::Inconsistent("needs a momentum 0 ≤ μ < 1");
                    FieldError::new(OPTIMIZER.key, format!("nesterov(μ={momentum})"), problem)
                })
            }
        };
        let recipe = &self.recipe;
        let smoothing = (!(0.0..1.0).contains(&recipe.label_smoothing)).then(|| {
            let problem = Problem::Inconsistent("needs 0 ≤ label smoothing < 1");
            FieldError::new(
                "label_smoothing",
                recipe.label_smoothing.to_string(),
                problem,
            )
        });
        let bias_scale = (!(recipe.norm_bias_lr_scale > 0.0
            && recipe.norm_bias_lr_scale <= 1000.0))
            .then(|| {
                let problem = Problem::Inconsistent("needs 0 < scale ≤ 1000");
                FieldError::new(
                    "norm_bias_lr_scale",
                    recipe.norm_bias_lr_scale.to_string(),
                    problem,
                )
            });
        let (decay, decay_epochs, warmup) = match recipe.schedule {
            Schedule::Step { epochs, gamma } | Schedule::Exponential { epochs, gamma } => (
                LR_DECAY.check(gamma).err(),
                LR_DECAY_EPOCHS.check(epochs as u64).err(),
                None,
            ),
            Schedule::WarmupCosine { warmup } => (None, None, LR_WARMUP.check(warmup).err()),
            _ => (None, None, None),
        };
        // The framing's values matter (and are checked) only when it is on.
        let framing = self.augmentation.framing;
        let framing: Vec<Option<FieldError>> = match framing.is_off() {
            true => vec![],
            false => vec![
                FRAMING_RATE.check(f64::from(framing.rate)).err(),
                MIN_SCALE.check(f64::from(framing.min_scale)).err(),
                MAX_SCALE.check(f64::from(framing.max_scale)).err(),
                MAX_ASPECT.check(f64::from(framing.max_aspect)).err(),
                SOFTEN.check(f64::from(framing.soften)).err(),
            ],
        };
        let errors: Vec<FieldError> = [
            MODEL.check(&self.model.name).err(),
            EPOCHS.check(self.epochs as u64).err(),
            BATCH_SIZE.check(self.batch_size as u64).err(),
            LEARNING_RATE.check(self.learning_rate).err(),
            decay,
            decay_epochs,
            warmup,
            optimizer,
            smoothing,
            bias_scale,
            WEIGHT_DECAY.check(self.weight_decay).err(),
            self.early_stopping
                .and_then(|patience| PATIENCE.check(patience as u64).err()),
            TRAIN_LIMIT.check(self.train_limit).err(),
            SEED.check(self.seed).err(),
            CROP_PADDING
                .check(self.augmentation.crop_padding as u64)
                .err(),
            TEST_LIMIT.check(self.test_limit).err(),
        ]
        .into_iter()
        .chain(framing)
        .chain([
            EVAL_BATCH_SIZE.check(self.eval_batch_size as u64).err(),
            REPORT_EVERY_SECONDS
                .check(self.report_every_seconds as f64)
                .err(),
        ])
        .flatten()
        .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(errors))
        }
    }
}
