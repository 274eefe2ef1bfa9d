//! The "not sure" answer and the test-time augmentation of a user's picture, on the shipped
//! weights and the page's ten sample test images (`www/samples/cifar10-test.bin`).
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use burn::prelude::*;
use kiln::data::outliers::Outlier;
use kiln::data::{Batcher, CLASS_NAMES, Split};
use kiln::infer::classify;
use kiln::model::Model;
use kiln::model::catalog::{self, ModelInfo};
use kiln::train::evaluate;
use kiln::weights::{self, WeightsMeta};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn www(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../www")
        .join(file)
}

fn shipped(name: &str) -> (Model, WeightsMeta) {
    weights::load_file(&www(&format!("models/{name}.bpk")), &Device::flex()).unwrap()
}

fn samples() -> Split {
    let mut split = Split::default();
    let bytes = std::fs::read(www("samples/cifar10-test.bin")).unwrap();
    split.append_batch_file("cifar10-test.bin", &bytes).unwrap();
    split
}

/// The top class and its probability of each image, as the page's `classify` gives them.
fn classified(model: &Model, meta: &WeightsMeta, images: &Split) -> Vec<(usize, f32)> {
    let names: Vec<String> = CLASS_NAMES.iter().map(|s| s.to_string()).collect();
    (0..images.len())
        .map(|i| {
            let p = pollster::block_on(classify(
                model,
                meta.normalization,
                images.image(i),
                &names,
                &Device::flex(),
            ))
            .unwrap();
            (p[0].class, p[0].probability)
        })
        .collect()
}

#[test]
fn a_users_picture_gets_the_test_time_augmentation_kiln_eval_uses() {
    let (model, meta) = shipped("airbench");
    let images = samples();
    let batcher = Batcher::new(meta.normalization, Device::flex());
    let eval = |tta| pollster::block_on(evaluate(&model, &images, &batcher, 10, tta)).unwrap();
    let (with, without) = (eval(true), eval(false));
    let page = classified(&model, &meta, &images);
    for (i, &(class, probability)) in page.iter().enumerate() {
        assert_eq!(class, with.predicted[i] as usize, "image {i}");
        assert!((probability - with.confidence[i]).abs() < 1e-4, "image {i}");
    }
    // Without the augmentation the probabilities differ: the page's are the augmented ones.
    let differs = |i: usize| (page[i].1 - without.confidence[i]).abs() > 1e-3;
    assert!((0..page.len()).any(differs));
}

/// How many of `kind`'s generated pictures (of 20) and of the samples are "not sure".
fn unsure_counts(name: &str, kind: Outlier) -> (usize, usize) {
    let (model, meta) = shipped(name);
    let info: ModelInfo = catalog::info_of(&model);
    let mut rng = StdRng::seed_from_u64(34);
    let mut generated = Split::default();
    let mut records = Vec::new();
    for _ in 0..20 {
        records.push(0);
        records.extend(kind.draw(&mut rng, &samples()));
    }
    generated.append_batch_file("generated", &records).unwrap();
    let count = |images: &Split| {
        classified(&model, &meta, images)
            .iter()
            .filter(|&&(_, p)| catalog::unsure(&info, p))
            .count()
    };
    (count(&generated), count(&samples()))
}

#[test]
fn airbench_is_not_sure_of_noise_and_flat_colours_and_sure_of_test_pictures() {
    for kind in [Outlier::Noise, Outlier::Flat] {
        let (generated, samples) = unsure_counts("airbench", kind);
        // `kiln eval --calibrate`: 100% of noise and 96% of flat colours at its threshold.
        assert!(generated >= 17, "{kind:?}: {generated} of 20 not sure");
        assert!(samples <= 2, "{samples} of the 10 test pictures not sure");
    }
}
