//! `kiln train`: train on CIFAR-10 with a progress bar; `--json` ends with a summary line.
//! The defaults and limits are the declared settings (`kiln::train::settings`); the values are
//! checked against them after parsing, so an error names the setting's key.

use std::path::PathBuf;

use burn::prelude::*;
use kiln::data::{Augmentation, Cifar10, Normalization};
use kiln::model::{HiddenActivation, ModelConfig};
use kiln::train::schedule::{Knobs, Schedule};
use kiln::train::settings::{ACTIVATION, LR_SCHEDULE, MODEL, SEED, lr_knobs};
use kiln::train::{
    NormalizationKind, OptimizerConfig, Recipe, Trainer, TrainingConfig, TrainingEvent,
};
use kiln::weights::{self, WeightsMeta};

use crate::cli::device::{DeviceArgs, announce};
use crate::cli::progress::Progress;
use crate::cli::{CliResult, DataArgs, checkpoint_file, print_json};

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    device: DeviceArgs,
    /// Model name from the registry.
    #[arg(long, default_value = MODEL.default)]
    model: String,
    /// Hidden-layer activation of the seed network: relu, sigmoid or linear.
    #[arg(long, default_value = ACTIVATION.default)]
    activation: HiddenActivation,
    /// Passes over the training set [default: the model's recipe: 10].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per step [default: the model's recipe: seed 32, airbench 1024].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Learning rate [default: the model's recipe: seed 0.001, airbench 1.5 per 1,024 images
    /// of batch].
    #[arg(long)]
    lr: Option<f64>,
    /// Learning-rate schedule: constant, step, exponential, cosine, warmup-cosine or triangular
    /// (airbench94's) [default: the model's recipe: seed constant, airbench triangular].
    #[arg(long, value_parser = parse_schedule)]
    lr_schedule: Option<&'static str>,
    /// step and exponential: the factor γ over every --lr-decay-epochs epochs [default: 0.5].
    #[arg(long, requires = "lr_schedule")]
    lr_decay: Option<f64>,
    /// step and exponential: the epochs γ applies over [default: 3].
    #[arg(long, requires = "lr_schedule")]
    lr_decay_epochs: Option<usize>,
    /// warmup-cosine: the warm-up's share of the steps [default: 0.1].
    #[arg(long, requires = "lr_schedule")]
    lr_warmup: Option<f64>,
    /// adam (Keras defaults), sgd or nesterov (momentum 0.85) [default: the model's recipe:
    /// seed adam, airbench nesterov].
    #[arg(long, value_parser = parse_optimizer)]
    optimizer: Option<OptimizerConfig>,
    /// Pixel scaling: unit (x/255) or mean-std (per channel) [default: the model's recipe:
    /// seed unit, airbench mean-std].
    #[arg(long, value_parser = parse_normalization)]
    normalize: Option<NormalizationKind>,
    /// Train on only the first N training images.
    #[arg(long)]
    train_limit: Option<usize>,
    /// Augment the seed's training images: random horizontal flip and random crop (see
    /// --crop-padding). airbench's recipe always augments (alternating flips, 2-pixel crops).
    #[arg(long)]
    augment: bool,
    /// Padding in pixels for the random crop (0: flips only) [default: seed 4, airbench 2].
    #[arg(long)]
    crop_padding: Option<usize>,
    /// L2 weight decay added to every gradient [default: the model's recipe: seed 0,
    /// airbench 0.00133].
    #[arg(long)]
    weight_decay: Option<f64>,
    /// Stop when test accuracy has not improved for this many epochs, and keep the best
    /// epoch's weights.
    #[arg(long, value_name = "PATIENCE")]
    early_stopping: Option<usize>,
    /// Seed for weight initialisation and shuffling.
    #[arg(long, default_value_t = SEED.default)]
    seed: u64,
    /// Start from these weights (a file from `--out` or the app) instead of a fresh
    /// initialisation, with a fresh optimiser: to train a finished run further, say at a lower
    /// learning rate.
    #[arg(long, value_name = "WEIGHTS")]
    init: Option<PathBuf>,
    /// Save the trained weights here (burnpack).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Save the run here after every epoch, and continue it from here when the file exists:
    /// a long run that is stopped loses at most one epoch. The other settings must be those
    /// the run was started with (the saved ones are used).
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Print one JSON summary as the last line.
    #[arg(long)]
    json: bool,
}

fn parse_optimizer(s: &str) -> Result<OptimizerConfig, String> {
    OptimizerConfig::from_name(s).ok_or_else(|| format!("unknown optimizer {s:?} (adam or sgd)"))
}

/// The page's spelling (`warmup_cosine`) or the command line's (`warmup-cosine`).
fn parse_schedule(s: &str) -> Result<&'static str, String> {
    LR_SCHEDULE
        .parse(&s.replace('-', "_"))
        .map_err(|e| e.problem.to_string())
}

fn parse_normalization(s: &str) -> Result<NormalizationKind, String> {
    match s {
        "unit" => Ok(NormalizationKind::Unit),
        "mean-std" | "mean_std" => Ok(NormalizationKind::MeanStd),
        _ => Err(format!("unknown normalisation {s:?} (unit or mean-std)")),
    }
}

/// The model's recipe, with what the command line sets instead.
fn config_of(args: &TrainArgs) -> TrainingConfig {
    let base = TrainingConfig::for_model(&args.model, args.batch_size);
    let schedule = match args.lr_schedule {
        Some(name) => {
            let knobs = base.recipe.schedule.knobs(lr_knobs());
            let knobs = Knobs {
                gamma: args.lr_decay.unwrap_or(knobs.gamma),
                epochs: args.lr_decay_epochs.unwrap_or(knobs.epochs),
                warmup: args.lr_warmup.unwrap_or(knobs.warmup),
            };
            Schedule::from_name(name, knobs).expect("the lr_schedule choices are Schedule's names")
        }
        None => base.recipe.schedule,
    };
    let augmentation = if args.augment && base.augmentation.is_off() {
        Augmentation::standard()
    } else {
        base.augmentation
    };
    TrainingConfig {
        model: ModelConfig::new()
            .with_name(args.model.clone())
            .with_activation(args.activation),
        optimizer: args.optimizer.unwrap_or(base.optimizer),
        epochs: args.epochs.unwrap_or(base.epochs),
        learning_rate: args.lr.unwrap_or(base.learning_rate),
        seed: args.seed,
        normalization: args.normalize.unwrap_or(base.normalization),
        train_limit: args.train_limit,
        test_limit: args.data.test_limit,
        augmentation: Augmentation {
            crop_padding: match augmentation.is_off() {
                true => 0,
                false => args.crop_padding.unwrap_or(augmentation.crop_padding),
            },
            ..augmentation
        },
        weight_decay: args.weight_decay.unwrap_or(base.weight_decay),
        early_stopping: args.early_stopping,
        recipe: Recipe {
            schedule,
            ..base.recipe
        },
        ..base
    }
}

pub fn run(args: TrainArgs) -> CliResult {
    let config = config_of(&args);
    config.validate().map_err(|e| e.to_string())?;
    let data = Cifar10::load_paths(&args.data.data).map_err(|e| e.to_string())?;
    let saved = match &args.checkpoint {
        Some(path) if path.exists() => Some((path, checkpoint_file::load(path)?)),
        _ => None,
    };
    let config = saved.as_ref().map_or(config, |(_, c)| c.config.clone());
    // --init's weights, read on the CPU and checked before any device starts, so that a wrong
    // file ends with its one line (`from_model` moves them to the device).
    let init = match (&saved, &args.init) {
        (None, Some(path)) => {
            let (model, meta) =
                weights::load_file(path, &Device::flex()).map_err(|e| e.to_string())?;
            if meta.model != config.model {
                return Err(format!(
                    "{}: the weights are a {:?} model, not the {:?} asked for",
                    path.display(),
                    meta.model,
                    config.model
                ));
            }
            Some((model, meta))
        }
        _ => None,
    };
    // A checkpoint or weights file from either device continues on this one: both are plain
    // numbers, rebuilt on the device in use.
    let started = args.device.start()?;
    let device = started.device.clone();
    let (trainer, init_epochs) = match (&saved, init) {
        (Some((path, saved)), _) => {
            let trainer = Trainer::resume(&device, saved).map_err(|e| e.to_string())?;
            eprintln!(
                "continuing the run saved in {} after epoch {}",
                path.display(),
                saved.epochs_done()
            );
            (trainer, 0)
        }
        (None, Some((model, meta))) => {
            let mut config = config.clone();
            config.normalization = match meta.normalization {
                Normalization::Unit => NormalizationKind::Unit,
                Normalization::MeanStd { .. } => NormalizationKind::MeanStd,
            };
            let trainer =
                Trainer::from_model(config, &device, &data, model).map_err(|e| e.to_string())?;
            (trainer, meta.epochs)
        }
        (None, None) => (
            Trainer::new(config.clone(), &device, &data).map_err(|e| e.to_string())?,
            0,
        ),
    };

    announce(&started);
    let mut progress = Progress::new(&config.model.name, config.epochs);
    let mut on_event = |event: &TrainingEvent| progress.event(event);
    let mut observer = checkpoint_file::Saving {
        on_event: &mut on_event,
        path: args.checkpoint.clone(),
        dataset: args
            .data
            .data
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let (trainer, summary) = pollster::block_on(trainer.run(&data, &mut observer));
    let summary = summary.map_err(|e| e.to_string())?;

    let kept = trainer.result();
    if summary.stopped_early && !args.json {
        println!(
            "stopped early: test accuracy had not improved for {} epochs",
            config.early_stopping.unwrap_or_default()
        );
    }
    if let Some(out) = &args.out {
        let mut meta = WeightsMeta::new(
            &config.model,
            trainer.normalization(),
            &summary,
            &args.data.data,
        );
        meta.epochs = init_epochs + kept.epochs;
        meta.test_accuracy = kept.test_accuracy;
        pollster::block_on(weights::save_file(
            &kept.model,
            &meta,
            out,
            weights::Precision::Full,
        ))
        .map_err(|e| e.to_string())?;
        if !args.json {
            let which = if config.early_stopping.is_some() {
                format!(" (best epoch: {})", kept.epochs)
            } else {
                String::new()
            };
            println!("saved weights to {}{which}", out.display());
        }
    }
    if args.json {
        print_json(&summary);
    } else if let Some(acc) = summary.test_accuracy {
        println!(
            "done: test accuracy {:.2}% after {} epochs, {:.0} img/s, {:.1}s training",
            acc * 100.0,
            summary.epochs,
            summary.images_per_second,
            summary.seconds
        );
    }
    Ok(())
}
