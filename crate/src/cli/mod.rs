//! Command-line parsing and dispatch. Each subcommand lives in its own file.

mod bench;
mod calibrate;
mod checkpoint_file;
mod classify;
mod device;
mod eval;
mod info;
mod progress;
mod recipes;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "kiln",
    version,
    about = "Train and evaluate CIFAR-10 networks (burn: the CPU, or the GPU through wgpu)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train a network on CIFAR-10 and evaluate it on the test set after every epoch.
    Train(Box<train::TrainArgs>),
    /// Evaluate saved weights on the CIFAR-10 test set.
    Eval(eval::EvalArgs),
    /// Class probabilities of the first test images under saved weights.
    Classify(classify::ClassifyArgs),
    /// Measure training throughput (images per second) at several batch sizes.
    Bench(bench::BenchArgs),
    /// Show a model's layers, output shapes and parameter count.
    Info(info::InfoArgs),
}

/// Where CIFAR-10 comes from: the archive, the unpacked folder, or `.bin` batch files.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// cifar-10-binary.tar.gz, the cifar-10-batches-bin/ folder, or .bin batch files.
    #[arg(long, required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
    /// Evaluate on only the first N test images.
    #[arg(long)]
    pub test_limit: Option<usize>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(*args),
        Command::Eval(args) => eval::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Info(args) => info::run(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kiln: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Errors end up as one line on stderr; every library error type displays as one.
pub type CliResult = Result<(), String>;

pub fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string(value).expect("plain data serialises")
    );
}
