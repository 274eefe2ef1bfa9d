//! `kiln train`: train on CIFAR-10 with a progress bar; `--json` ends with a summary line.
//! The defaults and limits are the declared settings (`kiln::train::settings`); the values are
//! checked against them after parsing, so an error names the setting's key.

use std::path::PathBuf;

use burn::prelude::*;
use std::collections::HashMap;

use kiln::data::{Cifar10, Normalization};
use kiln::train::form::parse_form;
use kiln::train::settings::MODEL;
use kiln::train::{NormalizationKind, Trainer, TrainingConfig, TrainingEvent};
use kiln::weights::{self, WeightsMeta};

use crate::cli::device::{DeviceArgs, announce};
use crate::cli::progress::Progress;
use crate::cli::{CliResult, DataArgs, checkpoint_file, print_json, recipes};

/// The settings are read as text and parsed by the page's own parser (`train::form`), so a
/// flag takes the same values, defaults (the network's recipe) and limits as the page's form,
/// and a refusal names the setting's key.
#[derive(clap::Args, Debug)]
#[command(after_help = recipes::help())]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    device: DeviceArgs,
    /// The network: one of those listed below with their recipes.
    #[arg(long, default_value = MODEL.default)]
    model: String,
    /// Hidden-layer activation of the seed network: relu, sigmoid or linear.
    #[arg(long)]
    activation: Option<String>,
    /// Passes over the training set [default: the network's recipe].
    #[arg(long)]
    epochs: Option<String>,
    /// Images per step [default: the network's recipe].
    #[arg(long)]
    batch_size: Option<String>,
    /// Learning rate [default: the network's recipe, scaled with --batch-size where it says
    /// so].
    #[arg(long)]
    lr: Option<String>,
    /// Learning-rate schedule: constant, step, exponential, cosine, warmup-cosine or triangular
    /// (airbench94's) [default: the network's recipe].
    #[arg(long)]
    lr_schedule: Option<String>,
    /// step and exponential: the factor γ over every --lr-decay-epochs epochs [default: 0.5].
    #[arg(long, requires = "lr_schedule")]
    lr_decay: Option<String>,
    /// step and exponential: the epochs γ applies over [default: 3].
    #[arg(long, requires = "lr_schedule")]
    lr_decay_epochs: Option<String>,
    /// warmup-cosine: the warm-up's share of the steps [default: 0.1].
    #[arg(long, requires = "lr_schedule")]
    lr_warmup: Option<String>,
    /// adam (Keras defaults), sgd or nesterov (momentum 0.85) [default: the network's
    /// recipe].
    #[arg(long)]
    optimizer: Option<String>,
    /// Pixel scaling: unit (x/255) or mean-std (per channel) [default: the network's recipe].
    #[arg(long)]
    normalize: Option<String>,
    /// Train on only the first N training images.
    #[arg(long)]
    train_limit: Option<String>,
    /// Augment the training images of a network whose recipe does not: random horizontal flip
    /// and random crop (see --crop-padding). A recipe that augments always does (see below).
    #[arg(long)]
    augment: bool,
    /// Padding in pixels for the random crop (0: flips only) [default: the network's recipe's,
    /// else 4].
    #[arg(long)]
    crop_padding: Option<String>,
    /// Re-frame training images at random as photos are framed: smaller or larger in the
    /// frame, off centre, wider or taller, softer (any network; see the four flags below).
    #[arg(long)]
    framing: bool,
    /// With --framing: the share of the images re-framed [default: 0.5].
    #[arg(long, requires = "framing")]
    framing_rate: Option<String>,
    /// With --framing: the smallest scale of the image in the frame [default: 0.6].
    #[arg(long, requires = "framing")]
    min_scale: Option<String>,
    /// With --framing: the largest scale [default: 1.25].
    #[arg(long, requires = "framing")]
    max_scale: Option<String>,
    /// With --framing: up to this many times wider than tall or taller than wide [default: 1.4].
    #[arg(long, requires = "framing")]
    max_aspect: Option<String>,
    /// With --framing: the share also brought down to 16–31 pixels and back [default: 0.25].
    #[arg(long, requires = "framing")]
    soften: Option<String>,
    /// L2 weight decay added to every gradient [default: the network's recipe].
    #[arg(long)]
    weight_decay: Option<String>,
    /// Stop when test accuracy has not improved for this many epochs, and keep the best
    /// epoch's weights.
    #[arg(long, value_name = "PATIENCE")]
    early_stopping: Option<String>,
    /// Seed for weight initialisation and shuffling [default: 42].
    #[arg(long)]
    seed: Option<String>,
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

/// The command line as the page's form: each flag given under its setting's key, in the
/// page's spelling (`warmup_cosine`, `mean_std`); a flag not given leaves the key out, so it
/// takes the network's recipe.
fn form_of(args: &TrainArgs) -> HashMap<String, String> {
    let underscored = |s: &Option<String>| s.as_ref().map(|s| s.replace('-', "_"));
    let on = |flag: bool| flag.then(|| "true".to_string());
    let test_limit = args.data.test_limit.map(|n| n.to_string());
    [
        ("model", Some(args.model.clone())),
        ("activation", args.activation.clone()),
        ("epochs", args.epochs.clone()),
        ("batch_size", args.batch_size.clone()),
        ("learning_rate", args.lr.clone()),
        ("lr_schedule", underscored(&args.lr_schedule)),
        ("lr_decay", args.lr_decay.clone()),
        ("lr_decay_epochs", args.lr_decay_epochs.clone()),
        ("lr_warmup", args.lr_warmup.clone()),
        ("optimizer", args.optimizer.clone()),
        ("normalization", underscored(&args.normalize)),
        ("train_limit", args.train_limit.clone()),
        ("test_limit", test_limit),
        ("augment", on(args.augment)),
        ("crop_padding", args.crop_padding.clone()),
        ("framing", on(args.framing)),
        ("framing_rate", args.framing_rate.clone()),
        ("min_scale", args.min_scale.clone()),
        ("max_scale", args.max_scale.clone()),
        ("max_aspect", args.max_aspect.clone()),
        ("soften", args.soften.clone()),
        ("weight_decay", args.weight_decay.clone()),
        ("early_stopping", on(args.early_stopping.is_some())),
        ("patience", args.early_stopping.clone()),
        ("seed", args.seed.clone()),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((key.to_string(), value?)))
    .collect()
}

/// The run the command line asks for, through the page's parser; every refusal, one a line.
fn config_of(args: &TrainArgs) -> Result<TrainingConfig, String> {
    parse_form(&form_of(args)).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

pub fn run(args: TrainArgs) -> CliResult {
    let config = config_of(&args)?;
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

#[cfg(test)]
mod tests;
