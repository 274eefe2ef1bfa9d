//! `kiln eval`: test accuracy, per-class accuracy and confusion matrix of saved weights.

use std::path::PathBuf;

use burn::prelude::*;
use kiln::data::{Batcher, Cifar10, Split};
use kiln::model::catalog;
use kiln::train::EvaluationReport;
use kiln::train::evaluate;
use kiln::train::settings::EVAL_BATCH_SIZE;
use kiln::weights;

use crate::cli::calibrate;
use crate::cli::device::{DeviceArgs, announce};
use crate::cli::{CliResult, DataArgs, print_json};

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    device: DeviceArgs,
    /// A weights file written by `kiln train --out` or downloaded from the app.
    #[arg(long)]
    weights: PathBuf,
    /// Print one JSON object as the last line.
    #[arg(long)]
    json: bool,
    /// Leave out the test-time augmentation of the network's recipe (airbench: mirror and
    /// one-pixel shifts; the seed has none).
    #[arg(long)]
    no_tta: bool,
    /// Re-frame every test image as users' photos are: `shrink` (the object smaller, the border
    /// extended) or `stretch` (a 4:3 photo, centre-cropped as the page does).
    #[arg(long)]
    reframe: Option<kiln::data::reframe::Reframe>,
    /// Also classify 1,400 generated pictures of no class (noise, flat colours, gradients,
    /// stripes, checkerboards, text-like marks, mosaics of test-image patches) and print how
    /// often "not sure" fires at each threshold on them and on the test set.
    #[arg(long)]
    calibrate: bool,
    /// Write the weights again to FILE, with this evaluation's accuracy in their metadata (the
    /// whole test set, as the page classifies: with the recipe's test-time augmentation).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// With --out: store the parameters in half precision (half the size; they load as 32-bit
    /// floats).
    #[arg(long, requires = "out")]
    half: bool,
}

pub fn run(args: EvalArgs) -> CliResult {
    if args.out.is_some()
        && (args.reframe.is_some() || args.data.test_limit.is_some() || args.no_tta)
    {
        return Err(
            "--out stores the accuracy of the plain, whole test set with the network's own \
                    inference: leave out --reframe, --test-limit and --no-tta"
                .into(),
        );
    }
    // Read on the CPU before any device starts, and moved there after: a bad file ends with
    // its one line, before a GPU driver has written to stderr.
    let (model, meta) =
        weights::load_file(&args.weights, &Device::flex()).map_err(|e| e.to_string())?;
    let mut data = Cifar10::load_paths(&args.data.data).map_err(|e| e.to_string())?;
    data.limit(None, args.data.test_limit);
    if data.test.is_empty() {
        return Err(format!(
            "{}: no test images (expected test_batch.bin)",
            args.data
                .data
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // The generated mosaics take their patches from the test images as they are.
    let source = match args.calibrate {
        true => data.test.clone(),
        false => Split::default(),
    };
    if let Some(reframe) = args.reframe {
        data.test = data.test.map_images(|image| reframe.apply(image));
    }
    let started = args.device.start()?;
    announce(&started);
    let device = started.device.clone();
    let model = model.to_device(&device);
    let batcher = Batcher::new(meta.normalization, device);
    let ev = pollster::block_on(evaluate(
        &model,
        &data.test,
        &batcher,
        EVAL_BATCH_SIZE.default_usize(),
        !args.no_tta,
    ))
    .map_err(|e| e.to_string())?;
    let per_class = ev.per_class_accuracy();
    let unsure = calibrate::report(
        &model,
        &catalog::info_of(&model),
        &ev,
        &source,
        &batcher,
        !args.no_tta,
        args.calibrate,
    )?;
    if let Some(out) = &args.out {
        let meta = weights::WeightsMeta {
            test_accuracy: Some(ev.metrics.accuracy),
            ..meta.clone()
        };
        let precision = if args.half {
            weights::Precision::Half
        } else {
            weights::Precision::Full
        };
        pollster::block_on(weights::save_file(&model, &meta, out, precision))
            .map_err(|e| e.to_string())?;
        eprintln!("wrote {} ({:?} precision)", out.display(), precision);
    }
    if args.json {
        #[derive(serde::Serialize)]
        struct Printed {
            #[serde(flatten)]
            report: EvaluationReport,
            reframe: Option<kiln::data::reframe::Reframe>,
            unsure: serde_json::Value,
        }
        let tta = !args.no_tta && model.has_tta();
        print_json(&Printed {
            report: ev.report(&data.class_names, &meta.model.name, tta),
            reframe: args.reframe,
            unsure,
        });
        return Ok(());
    }
    println!(
        "{} images: accuracy {:.2}%, loss {:.4}",
        ev.metrics.images,
        ev.metrics.accuracy * 100.0,
        ev.metrics.loss
    );
    for (name, acc) in data.class_names.iter().zip(&per_class) {
        let acc = acc.map_or("-".into(), |a| format!("{:.1}%", a * 100.0));
        println!("  {name:<12} {acc:>7}");
    }
    let pct = |v: &serde_json::Value| {
        v.as_f64()
            .map_or("-".into(), |v| format!("{:.1}%", v * 100.0))
    };
    let rule = &unsure["rule"];
    println!(
        "\"not sure\" (top probability under {:.2}): {} of the images, {} of the right answers, {} of the wrong ones",
        rule["threshold"].as_f64().unwrap_or(f64::NAN),
        pct(&rule["test"]),
        pct(&rule["correct"]),
        pct(&rule["wrong"]),
    );
    Ok(())
}
