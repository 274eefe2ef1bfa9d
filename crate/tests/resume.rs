//! Saving a run at an epoch boundary and continuing it later: the optimiser state saved with
//! async reads is burn's own record, and a resumed run ends exactly where an uninterrupted
//! one does.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::Saver;

use burn::optim::GradientsParams;
use burn::prelude::*;
use kiln::data::{Batcher, Cifar10, Normalization, Split};
use kiln::model::ModelConfig;
use kiln::train::optimizer;
use kiln::train::{
    Checkpoint, OptimizerConfig, TrainError, Trainer, TrainingConfig, TrainingEvent,
};
use kiln::transfer::read_parameters;

fn noise_data() -> Cifar10 {
    Cifar10 {
        train: Split::noise(192, 1),
        test: Split::noise(64, 2),
        class_names: (0..10).map(|c| format!("class{c}")).collect(),
    }
}

fn config(epochs: usize) -> TrainingConfig {
    TrainingConfig {
        epochs,
        batch_size: 32,
        seed: 7,
        ..TrainingConfig::default()
    }
}

fn parameters(trainer: &Trainer) -> Vec<f32> {
    pollster::block_on(read_parameters(&trainer.model()))
        .unwrap()
        .values
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Everything a burnpack file holds, in a comparable form (tensors sorted by name).
fn contents(bytes: &[u8]) -> impl PartialEq + std::fmt::Debug {
    use burn::store::burn_pack::Reader;
    let reader = Reader::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes.to_vec())).unwrap();
    let metadata = reader.metadata().clone();
    let scalars = format!("{:?}", reader.scalars());
    let mut tensors: Vec<_> = reader
        .into_tensors()
        .unwrap()
        .into_iter()
        .map(|t| {
            let (name, dtype, shape, id, bytes) = t.into_parts().unwrap();
            let hash = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes[..].hash(&mut h);
                h.finish()
            };
            (name, format!("{dtype:?} {shape:?}"), id, bytes.len(), hash)
        })
        .collect();
    tensors.sort();
    (metadata, scalars, tensors)
}

#[test]
fn async_optimizer_state_is_burns_own_record() {
    let device = Device::flex().autodiff();
    device.seed(3);
    let mut model = ModelConfig::new().init(&device).unwrap();
    let mut optim = optimizer::build(&OptimizerConfig::adam(), 0.0, &[], 1.0);
    let data = Split::noise(16, 3);
    let batcher = Batcher::new(Normalization::Unit, device.clone());
    let loss = burn::nn::loss::CrossEntropyLossConfig::new().init(&device);
    for _ in 0..2 {
        let batch = batcher.batch(&data, &(0..16).collect::<Vec<_>>());
        let l = loss.forward(model.forward(batch.images), batch.targets);
        let grads = GradientsParams::from_grads(l.backward(), &model);
        model = optim.step(1e-3, model, grads);
    }
    let sync = optim.into_bytes().unwrap().to_vec(); // burn's synchronous path (CPU only)
    let async_ = pollster::block_on(optimizer::state_bytes(&optim)).unwrap();
    assert_eq!(
        contents(&async_),
        contents(&sync),
        "async and synchronous records differ"
    );
    assert_eq!(optimizer::state_entries(&async_).unwrap(), 10); // 5 layers × (weight, bias)
    assert_eq!(
        format!("{:?}", contents(&async_))
            .matches("moment_")
            .count(),
        20
    );
}

#[test]
fn a_resumed_run_ends_where_an_uninterrupted_one_does() {
    let data = noise_data();
    let device = Device::flex();

    // Both runs start from the same weights (the global RNG is shared by parallel tests).
    let start = ModelConfig::new().init(&device).unwrap();
    let straight = Trainer::from_model(config(3), &device, &data, start.clone()).unwrap();
    let (straight, result) = pollster::block_on(straight.run(&data, &mut |_: &TrainingEvent| {}));
    result.unwrap();

    // Stop after epoch 1 of 3, keep the checkpoint, resume from it.
    let first = Trainer::from_model(config(1), &device, &data, start).unwrap();
    let mut saver = Saver::default();
    pollster::block_on(first.run(&data, &mut saver)).1.unwrap();
    assert_eq!(saver.saved.len(), 1);
    let mut checkpoint = saver.saved.pop().unwrap();
    assert_eq!(checkpoint.epochs_done(), 1);
    checkpoint.config.epochs = 3;

    let resumed = Trainer::resume(&device, &checkpoint).unwrap();
    let mut started_at = None;
    let mut epochs_seen = Vec::new();
    let (resumed, result) =
        pollster::block_on(resumed.run(&data, &mut |e: &TrainingEvent| match e {
            TrainingEvent::Step { epoch, .. } => {
                started_at.get_or_insert(*epoch);
            }
            TrainingEvent::EpochFinished { epoch, .. } => epochs_seen.push(*epoch),
            _ => {}
        }));
    result.unwrap();
    assert_eq!(
        started_at,
        Some(1),
        "resuming continues with the next epoch"
    );
    assert_eq!(epochs_seen, vec![1, 2]);
    assert_eq!(resumed.history.records.len(), 3);
    // Epoch 1's record comes from the checkpoint. (Metrics are sums over progress windows
    // whose boundaries depend on timing, so they can differ in the last bit.)
    let (a, b) = (&resumed.history.records[0], &straight.history.records[0]);
    assert_eq!(a.epoch, b.epoch);
    assert!((a.train.loss - b.train.loss).abs() < 1e-4, "{a:?} vs {b:?}");
    assert_eq!(a.test.map(|t| t.accuracy), b.test.map(|t| t.accuracy));

    let diff = max_diff(&parameters(&resumed), &parameters(&straight));
    eprintln!("resumed vs uninterrupted: largest parameter difference {diff:e}");
    assert!(diff < 1e-5, "resumed run drifted by {diff}");

    // Without the optimiser state (a fresh Adam from the same weights) the run goes elsewhere:
    // the state is what makes the resume exact.
    let (model, _) = kiln::weights::from_bytes("w", &checkpoint.weights, &device).unwrap();
    let mut fresh = Trainer::from_model(config(3), &device, &data, model).unwrap();
    fresh.history.records = checkpoint.history.clone();
    let (fresh, result) = pollster::block_on(fresh.run(&data, &mut |_: &TrainingEvent| {}));
    result.unwrap();
    let fresh_diff = max_diff(&parameters(&fresh), &parameters(&straight));
    assert!(
        fresh_diff > 100.0 * diff.max(1e-7),
        "a fresh optimiser should not match ({fresh_diff})"
    );
}

#[test]
fn a_broken_or_mismatched_checkpoint_is_refused() {
    let data = noise_data();
    let device = Device::flex();
    let trainer = Trainer::new(config(1), &device, &data).unwrap();
    let mut saver = Saver::default();
    pollster::block_on(trainer.run(&data, &mut saver))
        .1
        .unwrap();
    let good = saver.saved.pop().unwrap();

    let message = |c: &Checkpoint| match Trainer::resume(&device, c) {
        Ok(_) => panic!("a bad checkpoint was accepted"),
        Err(e @ TrainError::Checkpoint(_)) => e.to_string(),
        Err(e) => panic!("unexpected error kind: {e}"),
    };

    let mut bad = good.clone();
    bad.optimizer = vec![1, 2, 3];
    assert!(
        message(&bad).contains("optimiser state"),
        "{}",
        message(&bad)
    );

    let mut bad = good.clone();
    bad.weights.truncate(100);
    assert!(message(&bad).contains("saved run"), "{}", message(&bad));

    let mut bad = good.clone();
    bad.config.model.activation = kiln::model::HiddenActivation::Sigmoid;
    assert!(
        message(&bad).contains("configured for"),
        "{}",
        message(&bad)
    );

    let mut bad = good.clone();
    bad.history.clear();
    assert!(message(&bad).contains("epoch 1"), "{}", message(&bad));

    assert!(Trainer::resume(&device, &good).is_ok());
}

#[test]
fn a_resumed_early_stopping_run_keeps_the_best_epoch_from_before_the_resume() {
    let data = noise_data();
    // Test accuracy cannot move at this learning rate: epoch 1 stays the best.
    let config = TrainingConfig {
        learning_rate: 1e-12,
        early_stopping: Some(2),
        ..config(2)
    };
    let trainer = Trainer::new(config, &Device::flex(), &data).unwrap();
    let mut saver = Saver::default();
    pollster::block_on(trainer.run(&data, &mut saver))
        .1
        .unwrap();
    let first = &saver.saved[0];
    assert!(
        first.best_weights.is_none(),
        "the best epoch is the last one"
    );
    let second = saver.saved.last().unwrap().clone();
    let best = second
        .best_weights
        .as_ref()
        .expect("after epoch 2, the best weights are epoch 1's");
    let (best_model, meta) = kiln::weights::from_bytes("best", best, &Device::flex()).unwrap();
    assert_eq!(meta.epochs, 1);

    let mut checkpoint = second;
    checkpoint.config.epochs = 6;
    let resumed = Trainer::resume(&Device::flex(), &checkpoint).unwrap();
    let (resumed, summary) = pollster::block_on(resumed.run(&data, &mut |_: &TrainingEvent| {}));
    let summary = summary.unwrap();
    assert!(summary.stopped_early);
    assert_eq!(summary.epochs, 3, "epoch 1 best, epochs 2 and 3 no better");
    let kept = resumed.result();
    assert_eq!(kept.epochs, 1);
    let kept_values = pollster::block_on(read_parameters(&kept.model))
        .unwrap()
        .values;
    let best_values = pollster::block_on(read_parameters(&best_model))
        .unwrap()
        .values;
    assert_eq!(max_diff(&kept_values, &best_values), 0.0);
}
