//! Weights files: a round trip reproduces the model; foreign or damaged files are refused.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs runs in the browser

mod common;

use burn::prelude::*;
use kiln::data::Normalization;
use kiln::model::{HiddenActivation, ModelConfig};
use kiln::train::TrainingSummary;
use kiln::train::read::read_floats;
use kiln::weights::{self, WeightsError, WeightsMeta};

fn meta(config: &ModelConfig) -> WeightsMeta {
    let summary = TrainingSummary {
        epochs: 3,
        test_accuracy: Some(0.5),
        ..Default::default()
    };
    WeightsMeta::new(config, Normalization::Unit, &summary, &["data_batch_1.bin"])
}

#[test]
fn round_trip_gives_identical_logits() {
    let device = Device::flex();
    let config = ModelConfig::new().with_activation(HiddenActivation::Sigmoid);
    let model = config.init(&device).unwrap();
    let bytes = pollster::block_on(weights::to_bytes(&model, &meta(&config))).unwrap();
    let (loaded, loaded_meta) = weights::from_bytes("m.bpk", &bytes, &device).unwrap();
    assert_eq!(
        loaded_meta,
        meta(&config).clone_with_time(loaded_meta.created_unix)
    );
    assert_eq!(loaded_meta.model.activation, HiddenActivation::Sigmoid);
    let input = Tensor::<4>::random([2, 3, 32, 32], burn::tensor::Distribution::Default, &device);
    let a = pollster::block_on(read_floats(model.forward(input.clone()))).unwrap();
    let b = pollster::block_on(read_floats(loaded.forward(input))).unwrap();
    assert_eq!(a, b);
}

trait WithTime {
    fn clone_with_time(&self, t: u64) -> WeightsMeta;
}
impl WithTime for WeightsMeta {
    fn clone_with_time(&self, t: u64) -> WeightsMeta {
        WeightsMeta {
            created_unix: t,
            ..self.clone()
        }
    }
}

#[test]
fn random_truncated_and_foreign_files_are_refused() {
    let device = Device::flex();
    let config = ModelConfig::new();
    let model = config.init(&device).unwrap();
    let bytes = pollster::block_on(weights::to_bytes(&model, &meta(&config))).unwrap();

    let err = weights::from_bytes("random.bin", b"0123456789abcdef", &device).unwrap_err();
    assert!(matches!(err, WeightsError::NotWeights { .. }), "{err}");
    let err = weights::from_bytes("cut.bpk", &bytes[..bytes.len() / 2], &device).unwrap_err();
    assert!(err.to_string().contains("cut.bpk"), "{err}");

    // A file whose metadata claims a model this build does not know.
    let mut other = meta(&config);
    other.model.name = "resnet".into();
    let foreign = pollster::block_on(weights::to_bytes(&model, &other)).unwrap();
    let err = weights::from_bytes("foreign.bpk", &foreign, &device).unwrap_err();
    assert!(err.to_string().contains("unknown model"), "{err}");
}

#[test]
fn weights_of_another_architecture_are_refused_with_the_mismatch_named() {
    use kiln::model::{Model, SeedCnnConfig};
    let device = Device::flex();
    // Same layer names, but a 5-class head: fc2 has the wrong shape for the seed network.
    let five_class = Model::Seed(SeedCnnConfig::new().with_num_classes(5).init(&device));
    let config = ModelConfig::new();
    let bytes = pollster::block_on(weights::to_bytes(&five_class, &meta(&config))).unwrap();
    let err = weights::from_bytes("five.bpk", &bytes, &device).unwrap_err();
    assert!(matches!(err, WeightsError::Mismatch { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("five.bpk") && text.contains("fc2"), "{text}");
}
