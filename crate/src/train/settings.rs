//! Every training setting, declared once with its key, kind, default and limits. The defaults
//! of [`TrainingConfig`], its `validate()` (in `validate`), the CLI's defaults, the page's form (the browser
//! asks for [`PAGE`]) and the parsing of that form (`form::parse_form`) all come from here.

use crate::data::{Augmentation, Framing};
use crate::model::{HiddenActivation, ModelConfig, model_names};
use crate::recipe::extras::Recipe;
use crate::recipe::schedule::{Knobs, Schedule};
use crate::recipe::{NormalizationKind, OptimizerConfig};
use crate::train::config::TrainingConfig;
use crate::train::field::{Choice, Flag, Float, Int, Limit, Setting};

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
/// How the learning rate changes over the run (`recipe::schedule`); the default is the
/// network's recipe's (the seed's: constant, airbench's: triangular).
pub const LR_SCHEDULE: Choice = Choice {
    key: "lr_schedule",
    default: "constant",
    choices: || Schedule::NAMES.to_vec(),
};
/// Step decay's and exponential's factor γ, over every `lr_decay_epochs` epochs.
pub const LR_DECAY: Float = Float {
    key: "lr_decay",
    default: 0.5,
    min: 0.0,
    min_exclusive: true,
    max: 1.0,
};
pub const LR_DECAY_EPOCHS: Int = Int {
    key: "lr_decay_epochs",
    default: 3,
    min: 1,
    max: 1000,
};
/// Warm-up's share of the run's steps, before the cosine.
pub const LR_WARMUP: Float = Float {
    key: "lr_warmup",
    default: 0.1,
    min: 0.0,
    min_exclusive: false,
    max: 0.9,
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
/// Re-frame training images at random as photos are framed (`data::framing`): the object
/// smaller or larger, off centre, the picture wider or taller, softer; for any network. On,
/// with the values of the settings below (the CLI sets them; the page uses their defaults).
pub const FRAMING: Flag = Flag {
    key: "framing",
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
/// With framing: the share of the images drawn that are re-framed.
pub const FRAMING_RATE: Float = Float {
    key: "framing_rate",
    default: 0.5,
    min: 0.0,
    min_exclusive: true,
    max: 1.0,
};
/// With framing: the smallest scale of the image in the frame (`kiln eval --reframe shrink`
/// measures 0.75).
pub const MIN_SCALE: Float = Float {
    key: "min_scale",
    default: 0.6,
    min: 0.25,
    min_exclusive: false,
    max: 1.0,
};
/// With framing: the largest scale (the centre 1/scale of the image enlarged to the frame).
pub const MAX_SCALE: Float = Float {
    key: "max_scale",
    default: 1.25,
    min: 1.0,
    min_exclusive: false,
    max: 2.0,
};
/// With framing: the image up to this many times wider than tall or taller than wide
/// (`--reframe stretch` measures 4:3, 1.33).
pub const MAX_ASPECT: Float = Float {
    key: "max_aspect",
    default: 1.4,
    min: 1.0,
    min_exclusive: false,
    max: 2.0,
};
/// With framing: the share of re-framed images also brought down to 16–31 pixels and back.
pub const SOFTEN: Float = Float {
    key: "soften",
    default: 0.25,
    min: 0.0,
    min_exclusive: false,
    max: 1.0,
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
pub const PAGE: [Setting; 16] = [
    Setting::Choice(MODEL),
    Setting::Choice(ACTIVATION),
    Setting::Int(EPOCHS),
    Setting::Int(BATCH_SIZE),
    Setting::Float(LEARNING_RATE),
    Setting::Choice(LR_SCHEDULE),
    Setting::Float(LR_DECAY),
    Setting::Int(LR_DECAY_EPOCHS),
    Setting::Float(LR_WARMUP),
    Setting::Choice(OPTIMIZER),
    Setting::Float(WEIGHT_DECAY),
    Setting::Flag(AUGMENT),
    Setting::Flag(FRAMING),
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

/// The schedules' parameters as declared.
pub fn lr_knobs() -> Knobs {
    Knobs {
        gamma: LR_DECAY.default,
        epochs: LR_DECAY_EPOCHS.default_usize(),
        warmup: LR_WARMUP.default,
    }
}

/// The framing the declared defaults give (the `framing` setting on, nothing else set).
pub fn photo_framing() -> Framing {
    Framing {
        rate: FRAMING_RATE.default as f32,
        min_scale: MIN_SCALE.default as f32,
        max_scale: MAX_SCALE.default as f32,
        max_aspect: MAX_ASPECT.default as f32,
        soften: SOFTEN.default as f32,
    }
}
