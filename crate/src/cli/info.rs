//! `kiln info`: layers, output shapes and parameter count of a model.

use burn::module::Module;
use burn::prelude::*;
use kiln::model::{HiddenActivation, ModelConfig};

use crate::cli::{CliResult, print_json};

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
    // airbench's activation is part of its recipe (GELU); the setting applies to the seed.
    let activation = match model {
        kiln::model::Model::Airbench(_) => "gelu",
        _ => args.activation.name(),
    };
    let parameters = model.num_params();
    if args.json {
        print_json(&serde_json::json!({
            "model": args.model,
            "activation": activation,
            "input_shape": [3, 32, 32],
            "layers": layers,
            "parameters": parameters,
            "forward_flops_per_image": model.forward_flops(),
            "train_flops_per_image": model.train_flops(),
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
    Ok(())
}
