//! The airbench network and its recipe: the registry entry, a resumed run that ends exactly
//! where an uninterrupted one does (optimiser, schedule, lookahead average and BatchNorm
//! statistics included), and learning on real images.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::Saver;

use burn::prelude::*;
use burn::tensor::Distribution;
use kiln::model::ModelConfig;
use kiln::train::{Trainer, TrainingConfig, TrainingEvent};
use kiln::transfer::read_parameters;

/// airbench's recipe at a size a test can afford: 6 steps of 16 images per epoch, so that the
/// lookahead (every 5 steps) falls inside epochs and across their boundary.
fn config(epochs: usize) -> TrainingConfig {
    let mut config = TrainingConfig::for_model("airbench", Some(16));
    config.epochs = epochs;
    config.seed = 3;
    config.test_limit = Some(16);
    config
}

/// Every tensor's values, numbered in the model's order.
fn parameters(model: &kiln::model::Model) -> Vec<(String, Vec<f32>)> {
    let p = pollster::block_on(read_parameters(model)).unwrap();
    let mut offset = 0;
    p.shapes
        .iter()
        .enumerate()
        .map(|(i, shape)| {
            let len: usize = shape.iter().product();
            offset += len;
            (
                format!("tensor {i} {shape:?}"),
                p.values[offset - len..offset].to_vec(),
            )
        })
        .collect()
}

#[test]
fn info_lists_the_network_with_its_parameter_count() {
    let model = ModelConfig::new()
        .with_name("airbench".into())
        .init(&Device::flex())
        .unwrap();
    let total: usize = model.layer_summary().iter().map(|l| l.params).sum();
    assert_eq!(total, model.num_params());
    // airbench94's 1.97 M (BatchNorm scales counted, though frozen).
    assert!((1_950_000..2_000_000).contains(&total), "{total}");
}

#[test]
fn a_resumed_airbench_run_ends_where_an_uninterrupted_one_does() {
    let data = common::noise_data(96, 16, 11);
    let device = Device::flex();
    // The interrupted run starts from a copy of the fresh trainer's weights (whitening
    // included) and average, read back from a checkpoint taken before its first step.
    let straight = Trainer::new(config(3), &device, &data).unwrap();
    let saved_start = pollster::block_on(straight.checkpoint("noise")).unwrap();
    let (straight, result) = pollster::block_on(straight.run(&data, &mut |_: &TrainingEvent| {}));
    result.unwrap();

    let first = Trainer::resume(&device, &saved_start).unwrap();
    let mut saver = Saver::stopping_after(1);
    let (_, result) = pollster::block_on(first.run(&data, &mut saver));
    assert!(result.unwrap().cancelled);
    let checkpoint = saver.saved.pop().unwrap();
    assert_eq!(checkpoint.epochs_done(), 1);
    assert!(
        checkpoint.average.is_some(),
        "the lookahead average is saved"
    );
    let resumed = Trainer::resume(&device, &checkpoint).unwrap();
    let (resumed, result) = pollster::block_on(resumed.run(&data, &mut |_: &TrainingEvent| {}));
    result.unwrap();

    let (a, b) = (parameters(&resumed.model()), parameters(&straight.model()));
    let mut worst = (0.0f32, String::new());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        let d = x
            .iter()
            .zip(y)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f32::max);
        if d > worst.0 {
            worst = (d, name.clone());
        }
    }
    eprintln!(
        "resumed vs uninterrupted: largest difference {:e} in {}",
        worst.0, worst.1
    );
    assert!(
        worst.0 < 1e-5,
        "resumed run drifted by {} in {}",
        worst.0,
        worst.1
    );
}

#[test]
fn the_catalog_figures_are_those_of_the_built_networks() {
    // Computed from each network's layer shapes: its parameters as the built network counts
    // them, the FLOPs of one forward pass exactly, and the catalog's to 0.1 MFLOP.
    let expected = [
        ("seed", 122_570, 9_097_216, 9_100_000, 27_300_000),
        ("airbench", 1_975_096, 236_294_720, 236_300_000, 708_900_000),
    ];
    let catalog = kiln::model::catalog::catalog();
    assert_eq!(catalog.len(), expected.len());
    let device = Device::flex();
    for (info, (name, parameters, flops, forward, train)) in catalog.into_iter().zip(expected) {
        assert_eq!(info.name, name);
        let model = ModelConfig::new()
            .with_name(name.into())
            .init(&device)
            .unwrap();
        assert_eq!(info.parameters, model.num_params(), "{name}");
        assert_eq!(info.parameters, parameters, "{name}");
        assert_eq!(model.forward_flops(), flops, "{name}");
        assert_eq!(model.train_flops(), 3 * flops, "{name}");
        assert_eq!((info.forward_flops, info.train_flops), (forward, train));
        // Test-time augmentation: `infer` averages several passes exactly when the catalog
        // says so.
        let image = Tensor::<4>::random([1, 3, 32, 32], Distribution::Normal(0.0, 1.0), &device);
        let plain = model.forward(image.clone());
        let inferred = model.infer(image);
        let differs = (plain - inferred).abs().max().into_scalar::<f32>() > 1e-6;
        assert_eq!(differs, info.tta, "{name}");
        assert_eq!(info.tta, model.has_tta());
    }
}
