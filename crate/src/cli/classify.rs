//! `kiln classify`: class probabilities of CIFAR-10 test images under saved weights, as the
//! browser computes them for a user's image (the same `infer::classify`).

use std::path::PathBuf;

use burn::prelude::*;
use kiln::data::Cifar10;
use kiln::infer::classify;
use kiln::weights;

use crate::cli::device::{DeviceArgs, announce};
use crate::cli::{CliResult, print_json};

#[derive(clap::Args, Debug)]
pub struct ClassifyArgs {
    /// cifar-10-binary.tar.gz, the cifar-10-batches-bin/ folder, or test_batch.bin.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    #[command(flatten)]
    device: DeviceArgs,
    /// A weights file written by `kiln train --out` or downloaded from the app.
    #[arg(long)]
    weights: PathBuf,
    /// Classify the first N test images.
    #[arg(long, default_value_t = 10)]
    first: usize,
    /// Print one JSON object (probabilities in class order) as the last line.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ClassifyArgs) -> CliResult {
    // Read on the CPU before any device starts, and moved there after: a bad file ends with
    // its one line, before a GPU driver has written to stderr.
    let (model, meta) =
        weights::load_file(&args.weights, &Device::flex()).map_err(|e| e.to_string())?;
    let mut data = Cifar10::load_paths(&args.data).map_err(|e| e.to_string())?;
    data.limit(None, Some(args.first));
    if data.test.is_empty() {
        return Err("no test images to classify (expected test_batch.bin)".into());
    }
    let started = args.device.start()?;
    announce(&started);
    let device = started.device.clone();
    let model = model.to_device(&device);
    let mut images = Vec::new();
    for index in 0..data.test.len() {
        let label = data.test.labels()[index] as usize;
        let predictions = pollster::block_on(classify(
            &model,
            meta.normalization,
            data.test.image(index),
            &data.class_names,
            &device,
        ))
        .map_err(|e| e.to_string())?;
        let mut by_class = vec![0f32; predictions.len()];
        for p in &predictions {
            by_class[p.class] = p.probability;
        }
        let top = &predictions[0];
        if !args.json {
            println!(
                "{index:>5}  true {:<10}  predicted {:<10} {:5.1}%",
                data.class_names[label],
                top.name,
                top.probability * 100.0
            );
        }
        images.push(serde_json::json!({
            "index": index,
            "label": label,
            "top": top.class,
            "probabilities": by_class,
        }));
    }
    if args.json {
        print_json(&serde_json::json!({ "images": images, "class_names": data.class_names }));
    }
    Ok(())
}
