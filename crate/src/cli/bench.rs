//! `kiln bench`: training throughput of the real training loop, after a warm-up.

use std::path::PathBuf;

use burn::prelude::*;
use kiln::data::{Cifar10, Split};
use kiln::train::{Trainer, TrainingConfig, TrainingEvent};

use crate::cli::{CliResult, print_json};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// CIFAR-10 to train on; without it, random pixels are used (throughput does not depend
    /// on pixel values, and no accuracy is reported).
    #[arg(long, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Batch sizes to measure, comma-separated.
    #[arg(long, default_value = "32,128", value_delimiter = ',')]
    batch_sizes: Vec<usize>,
    /// Timed steps per batch size (after 5 warm-up steps).
    #[arg(long, default_value_t = 60)]
    steps: usize,
    #[arg(long, default_value = "seed")]
    model: String,
}

fn random_pixels(images: usize) -> Cifar10 {
    Cifar10 {
        train: Split::noise(images, 0x2545_f491_4f6c_dd1d),
        ..Cifar10::default()
    }
}

/// Images per second of `steps` training steps at `batch_size`.
fn measure(data: &Cifar10, model: &str, batch_size: usize, steps: usize) -> Result<f32, String> {
    // The network's own recipe (airbench: Nesterov SGD, averaging, augmentation), one epoch.
    let config = TrainingConfig {
        epochs: 1,
        train_limit: Some(batch_size * steps),
        test_limit: Some(0),
        ..TrainingConfig::for_model(model, Some(batch_size))
    };
    let trainer = Trainer::new(config, &Device::flex(), data).map_err(|e| e.to_string())?;
    let (_, summary) = pollster::block_on(trainer.run(data, &mut |_: &TrainingEvent| {}));
    let summary = summary.map_err(|e| e.to_string())?;
    Ok(summary.images_per_second)
}

pub fn run(args: BenchArgs) -> CliResult {
    let max_batch = args.batch_sizes.iter().copied().max().unwrap_or(32);
    let (data, source) = if args.data.is_empty() {
        (random_pixels(max_batch * args.steps), "random pixels")
    } else {
        (
            Cifar10::load_paths(&args.data).map_err(|e| e.to_string())?,
            "CIFAR-10",
        )
    };
    // The pool burn flex computes on (RAYON_NUM_THREADS sets its size).
    let threads = rayon::current_num_threads();
    println!(
        "kiln bench: {} network, burn flex on {threads} CPU threads, {source}",
        args.model
    );
    println!("{:>10} {:>12}", "batch", "img/s");
    let mut results = Vec::new();
    for &batch in &args.batch_sizes {
        measure(&data, &args.model, batch, 5)?; // warm-up: allocator, thread pool, caches
        let ips = measure(&data, &args.model, batch, args.steps)?;
        println!("{batch:>10} {ips:>12.0}");
        results.push(serde_json::json!({ "batch_size": batch, "images_per_second": ips }));
    }
    print_json(&serde_json::json!({
        "benchmark": "native_training_throughput",
        "model": args.model,
        "backend": "flex",
        "threads": threads,
        "data": source,
        "results": results,
    }));
    Ok(())
}
