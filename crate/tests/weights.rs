//! Weights files: a round trip reproduces the model; foreign or damaged files are refused.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs runs in the browser

mod common;

use burn::prelude::*;
use kiln::data::Normalization;
use kiln::model::{HiddenActivation, ModelConfig};
use kiln::read::read_floats;
use kiln::train::TrainingSummary;
use kiln::weights::{self, Precision, WeightsError, WeightsMeta};

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

#[test]
fn half_precision_files_are_half_the_size_and_load_as_the_same_network() {
    let device = Device::flex();
    let config = ModelConfig::new();
    let model = config.init(&device).unwrap();
    let full = pollster::block_on(weights::to_bytes(&model, &meta(&config))).unwrap();
    let half = pollster::block_on(weights::to_bytes_in(
        &model,
        &meta(&config),
        Precision::Half,
    ))
    .unwrap();
    assert!(
        half.len() < full.len() * 6 / 10,
        "{} bytes against {}",
        half.len(),
        full.len()
    );
    let (loaded, _) = weights::from_bytes("half.bpk", &half, &device).unwrap();
    let input = Tensor::<4>::random([8, 3, 32, 32], burn::tensor::Distribution::Default, &device);
    let a = pollster::block_on(read_floats(model.forward(input.clone()))).unwrap();
    let b = pollster::block_on(read_floats(loaded.forward(input))).unwrap();
    // Rounded to 11 significant bits: the logits move by far less than they differ.
    let largest = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    assert!(largest < 1e-2, "logits moved by {largest}");
    // Saved again in full precision, the loaded network is plain 32-bit floats.
    let again = pollster::block_on(weights::to_bytes(&loaded, &meta(&config))).unwrap();
    assert_eq!(again.len(), full.len());
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

/// Cut anywhere, a weights file is refused with the file named, never a panic.
#[test]
fn every_truncation_is_refused_with_the_file_named() {
    let device = Device::flex();
    let config = ModelConfig::new();
    let model = config.init(&device).unwrap();
    let bytes = pollster::block_on(weights::to_bytes(&model, &meta(&config))).unwrap();
    let step = (bytes.len() / 97).max(1);
    let cuts = (0..bytes.len())
        .step_by(step)
        .chain([1, 9, 10, 11, bytes.len() - 1]);
    for cut in cuts {
        let err = weights::from_bytes("cut.bpk", &bytes[..cut], &device)
            .expect_err("a truncated file must be refused");
        assert!(
            err.to_string().starts_with("cut.bpk: "),
            "cut at {cut}: {err}"
        );
    }
}

/// Random bytes, with and without burnpack's magic number in front, are not weights.
#[test]
fn random_bytes_are_not_weights() {
    let device = Device::flex();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for len in [0, 3, 10, 64, 1000, 100_000] {
        let mut bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        for magic in [false, true] {
            if magic && len >= 6 {
                bytes[..6].copy_from_slice(b"NRUB\x01\x00");
            }
            let err = weights::from_bytes("noise.bpk", &bytes, &device).unwrap_err();
            assert!(
                matches!(err, WeightsError::NotWeights { .. }),
                "{len}: {err}"
            );
            assert!(
                err.to_string()
                    .contains("noise.bpk: not a Kiln weights file"),
                "{err}"
            );
        }
    }
}

/// A header that claims far more metadata than the file holds is refused from the header,
/// without allocating what it claims.
#[test]
fn header_claiming_huge_metadata_is_refused() {
    let device = Device::flex();
    for claim in [u32::MAX, 100 << 20, 4096] {
        let mut bytes = b"NRUB\x01\x00".to_vec();
        bytes.extend_from_slice(&claim.to_le_bytes());
        bytes.extend_from_slice(&[0xa0; 32]);
        let err = weights::from_bytes("claim.bpk", &bytes, &device).unwrap_err();
        assert!(
            matches!(err, WeightsError::NotWeights { .. }),
            "{claim}: {err}"
        );
        assert!(err.to_string().contains("claim.bpk"), "{err}");
    }
}

/// Metadata that would poison every prediction (a zero or infinite std) is refused by name.
#[test]
fn metadata_with_an_unusable_normalisation_is_refused() {
    let device = Device::flex();
    let config = ModelConfig::new();
    let model = config.init(&device).unwrap();
    let mut bad = meta(&config);
    bad.normalization = Normalization::MeanStd {
        mean: [0.5; 3],
        std: [0.2, 0.0, 0.2],
    };
    let bytes = pollster::block_on(weights::to_bytes(&model, &bad)).unwrap();
    let err = weights::from_bytes("zero-std.bpk", &bytes, &device).unwrap_err();
    assert!(matches!(err, WeightsError::NotWeights { .. }), "{err}");
    assert!(
        err.to_string().contains("zero-std.bpk") && err.to_string().contains("std 0"),
        "{err}"
    );
}

/// The pretrained weights the page ships load.
#[test]
fn shipped_seed_weights_load() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/models/seed.bpk");
    let (_, meta) = weights::load_file(&path, &Device::flex()).unwrap();
    assert_eq!(meta.model, ModelConfig::new());
}

/// Writes the fuzz seed for `fuzz/fuzz_targets/checkpoint.rs`: a genuine checkpoint after one
/// epoch on noise, framed as that target reads it. Run by hand when the formats change:
/// `cargo test --release --test weights -- --ignored write_checkpoint_fuzz_seed`.
#[test]
#[ignore]
fn write_checkpoint_fuzz_seed() {
    use kiln::train::{Trainer, TrainingConfig};
    let data = common::noise_data(64, 10, 1);
    let config = TrainingConfig {
        epochs: 1,
        ..Default::default()
    };
    let device = Device::flex();
    let trainer = Trainer::new(config, &device, &data).unwrap();
    let (trainer, summary) =
        pollster::block_on(trainer.run(&data, &mut |_: &kiln::train::TrainingEvent| {}));
    summary.unwrap();
    let checkpoint = pollster::block_on(trainer.checkpoint("noise")).unwrap();
    assert_eq!(checkpoint.epochs_done(), 1);
    // Flags: no best-epoch weights, one finished epoch.
    let mut framed = vec![1u8 << 1];
    for part in [&checkpoint.weights, &checkpoint.optimizer] {
        framed.extend_from_slice(&u32::try_from(part.len()).unwrap().to_le_bytes());
        framed.extend_from_slice(part);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/checkpoint");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("one_epoch.bin"), framed).unwrap();
}
