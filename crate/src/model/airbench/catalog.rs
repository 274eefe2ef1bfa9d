//! airbench's layers as shapes, and its entry in the catalog: what the page and `kiln info`
//! say of it before it is built.

use crate::model::airbench::whiten::{FILTERS, PATCH};
use crate::model::catalog::ModelInfo;
use crate::model::shapes::{self, LayerShape, Weights};

/// A 3×3 'same' convolution without bias, at `side`×`side` outputs (before its block's pooling).
const fn conv(c_in: usize, c_out: usize, side: usize) -> Weights {
    Weights::Conv {
        k: 3,
        c_in,
        c_out,
        side,
        bias: false,
    }
}

const fn norm(channels: usize) -> Weights {
    Weights::Norm { channels }
}

/// Each layer's output for a `[3, 32, 32]` image; a block's convolution, pooling, BatchNorm
/// and GELU are one row.
pub const LAYERS: &[LayerShape] = &[
    LayerShape {
        name: "whitening conv 2×2 (frozen) + GELU",
        output: &[FILTERS, 31, 31],
        weights: &[Weights::Conv {
            k: PATCH,
            c_in: 3,
            c_out: FILTERS,
            side: 31,
            bias: true,
        }],
    },
    LayerShape {
        name: "block1 conv 3×3, maxpool 2, batchnorm, GELU",
        output: &[64, 15, 15],
        weights: &[conv(FILTERS, 64, 31), norm(64)],
    },
    LayerShape {
        name: "block1 conv 3×3, batchnorm, GELU",
        output: &[64, 15, 15],
        weights: &[conv(64, 64, 15), norm(64)],
    },
    LayerShape {
        name: "block2 conv 3×3, maxpool 2, batchnorm, GELU",
        output: &[256, 7, 7],
        weights: &[conv(64, 256, 15), norm(256)],
    },
    LayerShape {
        name: "block2 conv 3×3, batchnorm, GELU",
        output: &[256, 7, 7],
        weights: &[conv(256, 256, 7), norm(256)],
    },
    LayerShape {
        name: "block3 conv 3×3, maxpool 2, batchnorm, GELU",
        output: &[256, 3, 3],
        weights: &[conv(256, 256, 7), norm(256)],
    },
    LayerShape {
        name: "block3 conv 3×3, batchnorm, GELU",
        output: &[256, 3, 3],
        weights: &[conv(256, 256, 3), norm(256)],
    },
    LayerShape {
        name: "maxpool 3×3",
        output: &[256, 1, 1],
        weights: &[],
    },
    LayerShape {
        name: "dense (logits × 1/9)",
        output: &[10],
        weights: &[Weights::Dense {
            d_in: 256,
            d_out: 10,
            bias: false,
        }],
    },
];

/// Its figures are one forward pass; classification takes six (test-time augmentation).
pub const INFO: ModelInfo = ModelInfo {
    name: "airbench",
    description: "airbench94: whitening, 3 conv blocks with BatchNorm and GELU",
    parameters: shapes::parameters(LAYERS),
    forward_flops: shapes::to_tenth_mflop(shapes::forward_flops(LAYERS)),
    train_flops: shapes::to_tenth_mflop(shapes::train_flops(LAYERS)),
    expected_accuracy: 0.907,
    accuracy_source: "10 epochs of its recipe, measured by Kiln on this copy of CIFAR-10; \
                      airbench94 publishes 94.0% on the original images",
    tta: true,
    pretrained: "models/airbench.bpk",
    page_batch_size: 256,
    // Fires on 7.6% of its right answers, 61.5% of its wrong ones and 71.5% of the generated
    // pictures (label smoothing keeps its top probabilities lower than the seed's).
    unsure_below: 0.45,
};
