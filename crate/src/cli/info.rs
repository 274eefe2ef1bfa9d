//! `kiln info`: layers, output shapes, parameter count and recipe of a model, and the devices
//! this machine offers (`--device`): the CPU path and every GPU adapter wgpu finds.

use burn::module::Module;
use burn::prelude::*;
use kiln::device::native;
use kiln::model::{HiddenActivation, ModelConfig};

use crate::cli::{CliResult, print_json, recipes};

#[derive(clap::Args, Debug)]
pub struct InfoArgs {
    /// Model name from the registry.
    #[arg(long, default_value = "seed")]
    model: String,
    /// Hidden-layer activation: relu, sigmoid or linear.
    #[arg(long, default_value = "relu")]
    activation: HiddenActivation,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: InfoArgs) -> CliResult {
    let config = ModelConfig::new()
        .with_name(args.model.clone())
        .with_activation(args.activation);
    let model = config.init(&Device::flex()).map_err(|e| e.to_string())?;
    let layers = model.layer_summary();
    // airbench's activation is its own (GELU); the setting applies to the seed.
    let activation = model.activation_name();
    let parameters = model.num_params();
    let cpu = native::cpu_description();
    let adapters = native::adapters();
    if args.json {
        print_json(&serde_json::json!({
            "model": args.model,
            "activation": activation,
            "input_shape": [3, 32, 32],
            "layers": layers,
            "parameters": parameters,
            "forward_flops_per_image": model.forward_flops(),
            "train_flops_per_image": model.train_flops(),
            "recipe": model.network().recipe(None),
            "devices": {
                "cpu": cpu,
                "gpu_adapters": adapters.as_ref().ok(),
                "gpu_error": adapters.as_ref().err().map(ToString::to_string),
            },
        }));
        return Ok(());
    }
    println!(
        "model {} (activation {}), input [3, 32, 32]",
        args.model, activation
    );
    println!("{:<48} {:>16} {:>10}", "layer", "output shape", "params");
    for layer in &layers {
        println!(
            "{:<48} {:>16} {:>10}",
            layer.name,
            format!("{:?}", layer.output_shape),
            layer.params
        );
    }
    println!("total parameters: {parameters}");
    println!(
        "per image: {:.1} MFLOP forward, about {:.1} MFLOP to train",
        model.forward_flops() as f64 / 1e6,
        model.train_flops() as f64 / 1e6
    );
    let [flags, rest] = recipes::describe(model.network());
    println!("recipe (kiln train's defaults): {flags}\n  {rest}");
    println!("devices (--device): cpu: {cpu}");
    match &adapters {
        Ok(found) if found.is_empty() => println!("  gpu: no GPU adapter found"),
        Ok(found) => {
            for adapter in found {
                let software = match adapter.software {
                    true => " — a software renderer: auto takes the CPU",
                    false => "",
                };
                println!("  gpu: {adapter}{software}");
            }
        }
        Err(e) => println!("  gpu: {e}"),
    }
    Ok(())
}
