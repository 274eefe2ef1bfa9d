//! What the page (and `kiln info`) tells a user about each network before they pick it: its
//! size, its cost per image, the accuracy it is known to reach and the file of pretrained
//! weights shipped with the page. Each network's entry is in its folder (`seed/catalog.rs`,
//! `airbench/catalog.rs`), its size and cost computed from its layers' shapes (`shapes.rs`):
//! figures that need no model to be built, so that every build (the WebGPU module has no CPU
//! device) can give them; tests check them against the built models.

use serde::Serialize;

use crate::model::{Model, NETWORKS};

#[derive(Debug, Clone, PartialEq, Serialize)]
// Typed for the page through `train::offered::Offered`, which flattens it.
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ModelInfo {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: usize,
    /// Floating-point operations of one image's forward pass (one pass, whatever `tta` says),
    /// to the nearest 0.1 MFLOP.
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

/// Every network's entry, in the registry's order.
pub fn catalog() -> Vec<ModelInfo> {
    NETWORKS.iter().map(|n| n.info()).collect()
}

/// What the catalog says of the network `model` is.
pub fn info_of(model: &Model) -> ModelInfo {
    model.network().info()
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
        let info = crate::model::airbench::catalog::INFO;
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
