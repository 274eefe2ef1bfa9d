//! The page's training form, parsed into a [`TrainingConfig`]: strict, every refusal named by
//! its setting's key, every default the chosen network's recipe (the settings are declared in
//! `settings`).

use std::collections::HashMap;

use crate::data::Augmentation;
use crate::data::Framing;
use crate::model::ModelConfig;
use crate::recipe::extras::Recipe;
use crate::recipe::schedule::Schedule;
use crate::recipe::{NormalizationKind, OptimizerConfig};
use crate::train::config::TrainingConfig;
use crate::train::field::FieldError;
use crate::train::settings::{
    ACTIVATION, AUGMENT, BATCH_SIZE, CROP_PADDING, EARLY_STOPPING, EPOCHS, EVAL_BATCH_SIZE,
    FRAMING, FRAMING_RATE, LEARNING_RATE, LR_DECAY, LR_DECAY_EPOCHS, LR_SCHEDULE, LR_WARMUP,
    MAX_ASPECT, MAX_SCALE, MIN_SCALE, MODEL, NORMALIZATION, OPTIMIZER, PAGE, PATIENCE,
    REPORT_EVERY_SECONDS, SEED, SOFTEN, TEST_LIMIT, TRAIN_LIMIT, WEIGHT_DECAY, lr_knobs,
    photo_framing,
};

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
        let framing = self.framing(base.augmentation.framing);
        let schedule = self.schedule(base.recipe.schedule);
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
                Augmentation {
                    crop_padding,
                    framing,
                    ..on
                }
            } else {
                Augmentation {
                    framing,
                    ..Augmentation::default()
                }
            },
            weight_decay: self.read(WEIGHT_DECAY.key, base.weight_decay, |t| {
                WEIGHT_DECAY.parse(t)
            }),
            early_stopping: patience,
            recipe: Recipe {
                schedule,
                ..base.recipe
            },
        }
    }

    /// The re-framing asked for (the recipe's `base` when the form does not say), each of its
    /// values read and checked only when it is on.
    fn framing(&mut self, base: Framing) -> Framing {
        let on = self.read(FRAMING.key, !base.is_off(), |t| FRAMING.parse(t));
        if !on {
            return Framing::default();
        }
        let base = if base.is_off() { photo_framing() } else { base };
        let mut value = |setting: &crate::train::field::Float, default: f32| {
            self.read(setting.key, f64::from(default), |t| setting.parse(t)) as f32
        };
        Framing {
            rate: value(&FRAMING_RATE, base.rate),
            min_scale: value(&MIN_SCALE, base.min_scale),
            max_scale: value(&MAX_SCALE, base.max_scale),
            max_aspect: value(&MAX_ASPECT, base.max_aspect),
            soften: value(&SOFTEN, base.soften),
        }
    }

    /// The learning-rate schedule named (the recipe's `base` when none is), with the parameters
    /// it uses: each read and checked only where the schedule uses it.
    fn schedule(&mut self, base: Schedule) -> Schedule {
        let name = self.read(LR_SCHEDULE.key, base.name(), |t| LR_SCHEDULE.parse(t));
        let defaults = base.knobs(lr_knobs());
        let (decays, warms) = Schedule::uses(name);
        let mut knobs = defaults;
        if decays {
            knobs.gamma = self.read(LR_DECAY.key, defaults.gamma, |t| LR_DECAY.parse(t));
            let epochs = self.read(LR_DECAY_EPOCHS.key, defaults.epochs as u64, |t| {
                LR_DECAY_EPOCHS.parse(t)
            });
            knobs.epochs = epochs as usize;
        }
        if warms {
            knobs.warmup = self.read(LR_WARMUP.key, defaults.warmup, |t| LR_WARMUP.parse(t));
        }
        Schedule::from_name(name, knobs).expect("the lr_schedule choices are Schedule's names")
    }
}
