//! `kiln bench`: training throughput of the real training loop, after a warm-up.

use std::path::PathBuf;

use burn::prelude::*;
use kiln::data::{Cifar10, Split};
use kiln::device::Backend;
use kiln::train::{Trainer, TrainingConfig, TrainingEvent};

use crate::cli::device::DeviceArgs;
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
    #[command(flatten)]
    device: DeviceArgs,
}

fn random_pixels(images: usize) -> Cifar10 {
    Cifar10 {
        train: Split::noise(images, 0x2545_f491_4f6c_dd1d),
        ..Cifar10::default()
    }
}

/// Images per second of `steps` training steps at `batch_size`.
fn measure(
    device: &Device,
    data: &Cifar10,
    model: &str,
    batch_size: usize,
    steps: usize,
) -> Result<f32, String> {
    // The network's own recipe (airbench: Nesterov SGD, averaging, augmentation), one epoch.
    let config = TrainingConfig {
        epochs: 1,
        train_limit: Some(batch_size * steps),
        test_limit: Some(0),
        ..TrainingConfig::for_model(model, Some(batch_size))
    };
    let trainer = Trainer::new(config, device, data).map_err(|e| e.to_string())?;
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
    let started = args.device.start()?;
    let device = &started.device;
    // The pool burn flex computes on (RAYON_NUM_THREADS sets its size).
    let threads = rayon::current_num_threads();
    println!(
        "kiln bench: {} network on {} ({}), {source}",
        args.model, started.description, started.reason
    );
    println!("{:>10} {:>12} {:>10}", "batch", "img/s", "ms/step");
    let mut results = Vec::new();
    for &batch in &args.batch_sizes {
        // Warm-up: allocator, thread pool, caches; on a GPU, compiling the kernels.
        measure(device, &data, &args.model, batch, 5)?;
        let ips = measure(device, &data, &args.model, batch, args.steps)?;
        let ms_per_step = 1000.0 * batch as f32 / ips;
        println!("{batch:>10} {ips:>12.0} {ms_per_step:>10.1}");
        results.push(serde_json::json!({
            "batch_size": batch,
            "images_per_second": ips,
            "ms_per_step": ms_per_step,
        }));
    }
    let backend = match started.backend {
        Backend::Cpu => "flex",
        Backend::WebGpu => "wgpu",
    };
    print_json(&serde_json::json!({
        "benchmark": "native_training_throughput",
        "model": args.model,
        "backend": backend,
        "device": started.description,
        "threads": threads,
        "data": source,
        "results": results,
    }));
    Ok(())
}
