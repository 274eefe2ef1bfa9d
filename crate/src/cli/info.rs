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
    let parameters = model.num_params();
    if args.json {
        print_json(&serde_json::json!({
            "model": args.model,
            "activation": args.activation,
            "input_shape": [3, 32, 32],
            "layers": layers,
            "parameters": parameters,
        }));
        return Ok(());
    }
    println!(
        "model {} (activation {}), input [3, 32, 32]",
        args.model,
        args.activation.name()
    );
    println!("{:<18} {:>16} {:>10}", "layer", "output shape", "params");
    for layer in &layers {
        println!(
            "{:<18} {:>16} {:>10}",
            layer.name,
            format!("{:?}", layer.output_shape),
            layer.params
        );
    }
    println!("total parameters: {parameters}");
    Ok(())
}
