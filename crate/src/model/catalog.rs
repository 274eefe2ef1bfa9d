//! What the page (and `kiln info`) tells a user about each network before they pick it: its
//! size, its cost per image, the accuracy it is known to reach and the file of pretrained
//! weights shipped with the page. Figures that need no model to be built, so that every build
//! (the WebGPU module has no CPU device) can give them; a test checks them against the models.

use serde::Serialize;

use crate::model::Model;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct ModelInfo {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: usize,
    /// Floating-point operations of one image's forward pass.
    #[cfg_attr(test, ts(type = "number"))]
    pub forward_flops: u64,
    /// About three forward passes: forward, and backward to the inputs and to the weights.
    #[cfg_attr(test, ts(type = "number"))]
    pub train_flops: u64,
    /// The test accuracy its recipe reaches, and where that figure comes from.
    pub expected_accuracy: f32,
    pub accuracy_source: &'static str,
    /// Classification averages several views of the image (test-time augmentation).
    pub tta: bool,
    /// The pretrained weights shipped with the page, relative to it.
    pub pretrained: &'static str,
    /// The batch size the page trains it with by default: airbench's 1,024 would not fit the
    /// CPU path's 4 GB of wasm memory; its learning rate scales with the batch.
    pub page_batch_size: usize,
    /// Classification answers "not sure" (the picture may be none of the ten classes) when the
    /// top class' probability is below this: the highest threshold, in steps of 0.05, at which
    /// the shipped weights' answer is "not sure" for under 8% of the test images they get
    /// right (`kiln eval --calibrate`: the test set and generated pictures of no class).
    pub unsure_below: f32,
}

pub const SEED: ModelInfo = ModelInfo {
    name: "seed",
    description: "The Keras tutorial CNN: 3 convolutions, 2 dense layers",
    parameters: 122_570,
    forward_flops: 9_100_000,
    train_flops: 27_300_000,
    expected_accuracy: 0.702,
    accuracy_source: "10 epochs with Adam, measured by Kiln (75.1% with augmentation)",
    tta: false,
    pretrained: "models/seed.bpk",
    page_batch_size: 32,
    // Fires on 7.6% of its right answers, 37.8% of its wrong ones and 27.2% of the generated
    // pictures (docs/networks.md).
    unsure_below: 0.5,
};

pub const AIRBENCH: ModelInfo = ModelInfo {
    name: "airbench",
    description: "airbench94: whitening, 3 conv blocks with BatchNorm and GELU",
    parameters: 1_975_096,
    forward_flops: 236_300_000,
    train_flops: 708_900_000,
    expected_accuracy: 0.907,
    accuracy_source: "10 epochs of its recipe, measured by Kiln on this copy of CIFAR-10; \
                      airbench94 publishes 94.0% on the original images",
    tta: true,
    pretrained: "models/airbench.bpk",
    page_batch_size: 256,
    // Fires on 7.5% of its right answers, 62.8% of its wrong ones and 88.7% of the generated
    // pictures (label smoothing keeps its top probabilities lower than the seed's).
    unsure_below: 0.45,
};

pub fn catalog() -> [ModelInfo; 2] {
    [SEED, AIRBENCH]
}

/// What the catalog says of the network `model` is.
pub fn info_of(model: &Model) -> ModelInfo {
    match model {
        Model::Seed(_) => SEED,
        Model::Airbench(_) => AIRBENCH,
    }
}

/// The "not sure" rule: the top probability of an answer under `info`'s threshold. A
/// probability that is not a number (weights that diverged) is not sure either.
pub fn unsure(info: &ModelInfo, top_probability: f32) -> bool {
    top_probability.is_nan() || top_probability < info.unsure_below
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_sure_is_under_the_threshold_or_not_a_number() {
        let info = AIRBENCH;
        assert!(unsure(&info, info.unsure_below - 0.01));
        assert!(!unsure(&info, info.unsure_below));
        assert!(!unsure(&info, 0.99));
        assert!(unsure(&info, f32::NAN));
        // Every threshold leaves room on both sides: above one class in ten, below certainty.
        for info in catalog() {
            assert!(
                info.unsure_below > 0.1 && info.unsure_below < 1.0,
                "{}",
                info.name
            );
        }
    }
}
