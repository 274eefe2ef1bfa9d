//! Every training setting, declared once with its key, kind, default and limits. The defaults
//! of [`TrainingConfig`], its `validate()` (in `validate`), the CLI's defaults, the page's form (the browser
//! asks for [`PAGE`]) and the parsing of that form ([`parse_form`]) all come from here.

use std::collections::HashMap;

use crate::data::Augmentation;
use crate::model::{HiddenActivation, ModelConfig, model_names};
use crate::train::config::{NormalizationKind, OptimizerConfig, TrainingConfig};
use crate::train::field::{Choice, FieldError, Flag, Float, Int, Limit, Setting};
use crate::train::recipe::Recipe;

pub const MODEL: Choice = Choice {
    key: "model",
    default: "seed",
    choices: model_names,
};
pub const ACTIVATION: Choice = Choice {
    key: "activation",
    default: "relu",
    choices: || HiddenActivation::ALL.map(HiddenActivation::name).to_vec(),
};
/// Passes over the training set.
pub const EPOCHS: Int = Int {
    key: "epochs",
    default: 10,
    min: 1,
    max: 1000,
};
/// Images per step (Keras' default is 32).
pub const BATCH_SIZE: Int = Int {
    key: "batch_size",
    default: 32,
    min: 1,
    max: 4096,
};
/// At most 4: airbench's recipe uses 1.5 at batch 1,024 (its BatchNorm layers make the step
/// size matter less); a plain network diverges well below that, which the run then reports.
pub const LEARNING_RATE: Float = Float {
    key: "learning_rate",
    default: 1e-3,
    min: 0.0,
    min_exclusive: true,
    max: 4.0,
};
pub const OPTIMIZER: Choice = Choice {
    key: "optimizer",
    default: "adam",
    choices: || vec!["adam", "sgd", "nesterov"],
};
/// L2 penalty λ added to every gradient (`grad + λ·w`); above 1 it outweighs the loss.
pub const WEIGHT_DECAY: Float = Float {
    key: "weight_decay",
    default: 0.0,
    min: 0.0,
    min_exclusive: false,
    max: 1.0,
};
/// Random flips and crops of the training images (off, as in the seed).
pub const AUGMENT: Flag = Flag {
    key: "augment",
    default: false,
};
/// Stop when test accuracy has not improved for `patience` epochs; keep the best epoch.
pub const EARLY_STOPPING: Flag = Flag {
    key: "early_stopping",
    default: false,
};
pub const PATIENCE: Int = Int {
    key: "patience",
    default: 3,
    min: 1,
    max: 1000,
};
/// Train on only the first N images (at most CIFAR-10's 50,000); none: all of them.
pub const TRAIN_LIMIT: Limit = Limit {
    key: "train_limit",
    min: 1,
    max: 50_000,
};

// The CLI's settings beyond the page's.

/// Seeds weight initialisation and the per-epoch shuffles; at most 2⁵³ − 1, the largest whole
/// number JSON (and so the page) carries exactly.
pub const SEED: Int = Int {
    key: "seed",
    default: 42,
    min: 0,
    max: (1 << 53) - 1,
};
pub const NORMALIZATION: Choice = Choice {
    key: "normalization",
    default: "unit",
    choices: || vec!["unit", "mean_std"],
};
/// Padding of the random crop, in pixels, when augmenting (0: flips only).
pub const CROP_PADDING: Int = Int {
    key: "crop_padding",
    default: 4,
    min: 0,
    max: 16,
};
/// Evaluate on only the first N test images (0: no evaluation); none: all of them.
pub const TEST_LIMIT: Limit = Limit {
    key: "test_limit",
    min: 0,
    max: 10_000,
};

// Settings neither the page nor the CLI offers.

/// Images per evaluation batch: larger than training batches, no gradients kept.
pub const EVAL_BATCH_SIZE: Int = Int {
    key: "eval_batch_size",
    default: 500,
    min: 1,
    max: 10_000,
};
/// Seconds between progress reports. Each report is one GPU→CPU read, so not every step.
pub const REPORT_EVERY_SECONDS: Float = Float {
    key: "report_every_seconds",
    default: 0.1,
    min: 0.0,
    min_exclusive: false,
    max: 3600.0,
};

/// The settings the page's training form shows, in its order.
pub const PAGE: [Setting; 11] = [
    Setting::Choice(MODEL),
    Setting::Choice(ACTIVATION),
    Setting::Int(EPOCHS),
    Setting::Int(BATCH_SIZE),
    Setting::Float(LEARNING_RATE),
    Setting::Choice(OPTIMIZER),
    Setting::Float(WEIGHT_DECAY),
    Setting::Flag(AUGMENT),
    Setting::Flag(EARLY_STOPPING),
    Setting::Int(PATIENCE),
    Setting::Limit(TRAIN_LIMIT),
];

impl Default for TrainingConfig {
    /// The declared defaults: the seed's Keras program.
    fn default() -> Self {
        let choice = |c: &Choice| c.default;
        TrainingConfig {
            model: ModelConfig::new().with_name(choice(&MODEL).to_string()),
            optimizer: OptimizerConfig::from_name(choice(&OPTIMIZER))
                .expect("the declared optimizer is one of OptimizerConfig's names"),
            epochs: EPOCHS.default_usize(),
            batch_size: BATCH_SIZE.default_usize(),
            learning_rate: LEARNING_RATE.default,
            seed: SEED.default,
            normalization: NormalizationKind::Unit,
            train_limit: None,
            test_limit: None,
            eval_batch_size: EVAL_BATCH_SIZE.default_usize(),
            report_every_seconds: REPORT_EVERY_SECONDS.default as f32,
            augmentation: Augmentation::default(),
            weight_decay: WEIGHT_DECAY.default,
            early_stopping: None,
            recipe: Recipe::default(),
        }
    }
}

fn normalization_name(config: &TrainingConfig) -> &'static str {
    match config.normalization {
        NormalizationKind::Unit => "unit",
        NormalizationKind::MeanStd => "mean_std",
    }
}

/// A run's settings from a form's text, by key (`{"epochs": "10", "train_limit": "", …}`):
/// strict, so "1.5" epochs is refused, not truncated; a missing key takes its default; an
/// empty `train_limit` means all the images. Every refusal is returned, each naming its key.
pub fn parse_form(form: &HashMap<String, String>) -> Result<TrainingConfig, Vec<FieldError>> {
    let mut read = Reader::new(form);
    let config = read.config();
    if !read.errors.is_empty() {
        // In the form's order (the batch size is read first: the recipe's defaults depend on it).
        let place = |key: &str| {
            PAGE.iter()
                .position(|s| s.key() == key)
                .unwrap_or(PAGE.len())
        };
        read.errors.sort_by_key(|e| place(e.field));
        return Err(read.errors);
    }
    config.validate().map_err(|e| e.0)?;
    Ok(config)
}

/// Reads settings from a form, keeping every refusal (and the default in its place).
struct Reader<'a> {
    form: &'a HashMap<String, String>,
    errors: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    fn new(form: &'a HashMap<String, String>) -> Self {
        Self {
            form,
            errors: vec![],
        }
    }

    /// `parse` the key's text; its default when the form lacks the key or the text is refused.
    fn read<T>(
        &mut self,
        key: &str,
        default: T,
        parse: impl Fn(&str) -> Result<T, FieldError>,
    ) -> T {
        let Some(text) = self.form.get(key) else {
            return default;
        };
        parse(text).unwrap_or_else(|e| {
            self.errors.push(e);
            default
        })
    }

    fn config(&mut self) -> TrainingConfig {
        let model = self.read(MODEL.key, MODEL.default, |t| MODEL.parse(t));
        // Every default below is the chosen network's recipe (the seed's: the declared
        // defaults), the learning rate scaled to the batch size where the recipe says so.
        let batch_size = self.read(BATCH_SIZE.key, None, |t| BATCH_SIZE.parse(t).map(Some));
        let base = TrainingConfig::for_model(model, batch_size.map(|b| b as usize));
        let activation = self.read(ACTIVATION.key, base.model.activation.name(), |t| {
            ACTIVATION.parse(t)
        });
        let optimizer = self.read(OPTIMIZER.key, base.optimizer.name(), |t| OPTIMIZER.parse(t));
        let normalization = self.read(NORMALIZATION.key, normalization_name(&base), |t| {
            NORMALIZATION.parse(t)
        });
        let augment = self.read(AUGMENT.key, !base.augmentation.is_off(), |t| {
            AUGMENT.parse(t)
        });
        let early_stopping = self.read(EARLY_STOPPING.key, base.early_stopping.is_some(), |t| {
            EARLY_STOPPING.parse(t)
        });
        // Patience matters (and is checked) only with early stopping on.
        let patience = early_stopping
            .then(|| self.read(PATIENCE.key, PATIENCE.default, |t| PATIENCE.parse(t)) as usize);
        // Augmentation on: the recipe's kind (the seed's: random flips and crops).
        let on = if base.augmentation.is_off() {
            Augmentation::standard()
        } else {
            base.augmentation
        };
        let crop_padding = self.read(CROP_PADDING.key, on.crop_padding as u64, |t| {
            CROP_PADDING.parse(t)
        }) as usize;
        TrainingConfig {
            model: ModelConfig::new()
                .with_name(model.to_string())
                .with_activation(
                    activation
                        .parse()
                        .expect("the activation choices are HiddenActivation's names"),
                ),
            optimizer: OptimizerConfig::from_name(optimizer)
                .expect("the optimizer choices are OptimizerConfig's names"),
            epochs: self.read(EPOCHS.key, base.epochs as u64, |t| EPOCHS.parse(t)) as usize,
            batch_size: base.batch_size,
            learning_rate: self.read(LEARNING_RATE.key, base.learning_rate, |t| {
                LEARNING_RATE.parse(t)
            }),
            seed: self.read(SEED.key, SEED.default, |t| SEED.parse(t)),
            normalization: match normalization {
                "mean_std" => NormalizationKind::MeanStd,
                _ => NormalizationKind::Unit,
            },
            train_limit: self.read(TRAIN_LIMIT.key, None, |t| TRAIN_LIMIT.parse(t)),
            test_limit: self.read(TEST_LIMIT.key, None, |t| TEST_LIMIT.parse(t)),
            eval_batch_size: EVAL_BATCH_SIZE.default_usize(),
            report_every_seconds: REPORT_EVERY_SECONDS.default as f32,
            augmentation: if augment {
                Augmentation { crop_padding, ..on }
            } else {
                Augmentation::default()
            },
            weight_decay: self.read(WEIGHT_DECAY.key, base.weight_decay, |t| {
                WEIGHT_DECAY.parse(t)
            }),
            early_stopping: patience,
            recipe: base.recipe,
        }
    }
}
