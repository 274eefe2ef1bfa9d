//! The seed's layers as shapes, and its entry in the catalog: what the page and `kiln info`
//! say of it before it is built.

use crate::model::catalog::ModelInfo;
use crate::model::shapes::{self, LayerShape, Weights};

/// A 3×3 convolution with bias, at `side`×`side` outputs (valid padding).
const fn conv(c_in: usize, c_out: usize, side: usize) -> Weights {
    Weights::Conv {
        k: 3,
        c_in,
        c_out,
        side,
        bias: true,
    }
}

const fn dense(d_in: usize, d_out: usize) -> Weights {
    Weights::Dense {
        d_in,
        d_out,
        bias: true,
    }
}

/// Each layer's output for a `[3, 32, 32]` image, as Keras' `model.summary()` lists them.
pub const LAYERS: &[LayerShape] = &[
    LayerShape {
        name: "conv1 3×3",
        output: &[32, 30, 30],
        weights: &[conv(3, 32, 30)],
    },
    LayerShape {
        name: "maxpool 2×2",
        output: &[32, 15, 15],
        weights: &[],
    },
    LayerShape {
        name: "conv2 3×3",
        output: &[64, 13, 13],
        weights: &[conv(32, 64, 13)],
    },
    LayerShape {
        name: "maxpool 2×2",
        output: &[64, 6, 6],
        weights: &[],
    },
    LayerShape {
        name: "conv3 3×3",
        output: &[64, 4, 4],
        weights: &[conv(64, 64, 4)],
    },
    LayerShape {
        name: "flatten",
        output: &[1024],
        weights: &[],
    },
    LayerShape {
        name: "dense",
        output: &[64],
        weights: &[dense(1024, 64)],
    },
    LayerShape {
        name: "dense (logits)",
        output: &[10],
        weights: &[dense(64, 10)],
    },
];

pub const INFO: ModelInfo = ModelInfo {
    name: "seed",
    description: "The Keras tutorial CNN: 3 convolutions, 2 dense layers",
    parameters: shapes::parameters(LAYERS),
    forward_flops: shapes::to_tenth_mflop(shapes::forward_flops(LAYERS)),
    train_flops: shapes::to_tenth_mflop(shapes::train_flops(LAYERS)),
    expected_accuracy: 0.702,
    accuracy_source: "10 epochs with Adam, measured by Kiln (76.3% shipped: trained longer with augmentation and framing)",
    tta: false,
    pretrained: "models/seed.bpk",
    page_batch_size: 32,
    // Fires on 7.2% of its right answers, 37.3% of its wrong ones and 28.3% of the generated
    // pictures (docs/networks.md).
    unsure_below: 0.5,
};
