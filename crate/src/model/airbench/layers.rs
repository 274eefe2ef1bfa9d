//! airbench94's layers, as in `airbench94.py`:
//!
//! frozen 2×2 whitening conv (3→24, no padding, trained bias) → GELU → three blocks of widths
//! 64, 256, 256, each Conv3×3 → MaxPool 2 → BatchNorm → GELU → Conv3×3 → BatchNorm → GELU →
//! MaxPool 3 → Linear 256→10 (no bias) → × 1/9. Convolutions have no bias and start as the
//! identity ("Dirac") on their first input-many filters; BatchNorm scales are frozen at 1.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::ops::PadMode;

use crate::kernels;
use crate::model::airbench::whiten::{FILTERS, PATCH};

#[derive(Config, Debug)]
pub struct AirbenchConfig {
    /// Output channels of the three blocks.
    #[config(default = "[64, 256, 256]")]
    pub widths: [usize; 3],
    /// Weight of the newest batch in BatchNorm's running statistics (airbench94's momentum 0.6
    /// in its own convention, `1 − 0.6` in PyTorch's and burn's).
    #[config(default = 0.4)]
    pub batchnorm_momentum: f64,
    #[config(default = 10)]
    pub num_classes: usize,
}

/// One block: Conv3×3 → MaxPool 2 → BatchNorm → GELU → Conv3×3 → BatchNorm → GELU.
#[derive(Module, Debug)]
pub struct ConvGroup {
    pub conv1: Conv2d,
    pub norm1: BatchNorm,
    pub conv2: Conv2d,
    pub norm2: BatchNorm,
    pub pool: MaxPool2d,
}

#[derive(Module, Debug)]
pub struct Airbench {
    /// `[24, 3, 2, 2]`, frozen; set from the training images by `fit_to_data` (`built.rs`).
    pub whiten: Conv2d,
    pub block1: ConvGroup,
    pub block2: ConvGroup,
    pub block3: ConvGroup,
    pub pool: MaxPool2d,
    pub linear: Linear,
}

/// The logits are scaled down by this, as in airbench94.
pub(super) const OUTPUT_SCALE: f32 = 1.0 / 9.0;

impl AirbenchConfig {
    pub fn init(&self, device: &Device) -> Airbench {
        let [w1, w2, w3] = self.widths;
        let mut whiten = Conv2dConfig::new([3, FILTERS], [PATCH, PATCH]).init(device);
        whiten.weight = whiten.weight.set_require_grad(false);
        Airbench {
            whiten,
            block1: self.group(FILTERS, w1, device),
            block2: self.group(w1, w2, device),
            block3: self.group(w2, w3, device),
            pool: MaxPool2dConfig::new([3, 3]).init(),
            linear: LinearConfig::new(w3, self.num_classes)
                .with_bias(false)
                .init(device),
        }
    }

    fn group(&self, c_in: usize, c_out: usize, device: &Device) -> ConvGroup {
        let norm = || {
            let mut norm = BatchNormConfig::new(c_out)
                .with_momentum(self.batchnorm_momentum)
                .with_epsilon(1e-12)
                .init(device);
            norm.gamma = norm.gamma.set_require_grad(false);
            norm
        };
        ConvGroup {
            conv1: dirac_conv(c_in, c_out, device),
            norm1: norm(),
            conv2: dirac_conv(c_out, c_out, device),
            norm2: norm(),
            pool: MaxPool2dConfig::new([2, 2]).init(),
        }
    }
}

/// A 3×3 'same' convolution without bias whose first `c_in` filters pass their own input channel
/// through unchanged (PyTorch's `dirac_`); the others keep burn's default (PyTorch's) random
/// initialisation.
fn dirac_conv(c_in: usize, c_out: usize, device: &Device) -> Conv2d {
    let mut conv = Conv2dConfig::new([c_in, c_out], [3, 3])
        .with_padding(PaddingConfig2d::Same)
        .with_bias(false)
        .init(device);
    let len = c_out * c_in * 9;
    let mut keep = vec![1f32; len];
    let mut identity = vec![0f32; len];
    for o in 0..c_out.min(c_in) {
        keep[o * c_in * 9..(o + 1) * c_in * 9].fill(0.0);
        identity[(o * c_in + o) * 9 + 4] = 1.0;
    }
    let shape = [c_out, c_in, 3, 3];
    let keep = Tensor::<4>::from_data(TensorData::new(keep, shape), device);
    let identity = Tensor::<4>::from_data(TensorData::new(identity, shape), device);
    // A new leaf: the product would otherwise carry its graph into the first training step.
    conv.weight = conv.weight.map(|w| {
        let trains = w.is_require_grad();
        (w * keep + identity).detach().set_require_grad(trains)
    });
    conv
}

impl ConvGroup {
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = kernels::max_pool2d(&self.pool, kernels::conv2d(&self.conv1, x));
        let x = kernels::batch_norm_gelu(&self.norm1, x);
        let x = kernels::conv2d(&self.conv2, x);
        kernels::batch_norm_gelu(&self.norm2, x)
    }
}

impl Airbench {
    /// # Shapes
    /// - images: `[batch, 3, 32, 32]`
    /// - output: `[batch, num_classes]` (logits)
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = kernels::gelu(kernels::conv2d(&self.whiten, images)); // [b, 24, 31, 31]
        let x = self.block1.forward(x); // [b, 64, 15, 15]
        let x = self.block2.forward(x); // [b, 256, 7, 7]
        self.head(self.block3.forward(x)) // block3: [b, 256, 3, 3]
    }

    /// Logits averaged over the mirror image and over the image moved one pixel up-left and
    /// down-right (each with its mirror): airbench94's test-time augmentation, level 2.
    pub fn forward_tta(&self, images: Tensor<4>) -> Tensor<2> {
        let mirrored =
            |x: Tensor<4>| (self.forward(x.clone()) + self.forward(x.flip([3]))).mul_scalar(0.5);
        let [b, c, h, w] = images.dims();
        let padded = images.clone().pad((1, 1, 1, 1), PadMode::Reflect);
        let up_left = padded.clone().slice([0..b, 0..c, 0..h, 0..w]);
        let down_right = padded.slice([0..b, 0..c, 2..h + 2, 2..w + 2]);
        let shifted = (mirrored(up_left) + mirrored(down_right)).mul_scalar(0.5);
        (mirrored(images) + shifted).mul_scalar(0.5)
    }

    /// The output of the whitening layer and of each block, after their activation:
    /// `[b, 24, 31, 31]`, `[b, 64, 15, 15]`, `[b, 256, 7, 7]`, `[b, 256, 3, 3]`.
    pub fn conv_activations(&self, images: Tensor<4>) -> [Tensor<4>; 4] {
        let whiten = kernels::gelu(kernels::conv2d(&self.whiten, images));
        let block1 = self.block1.forward(whiten.clone());
        let block2 = self.block2.forward(block1.clone());
        let block3 = self.block3.forward(block2.clone());
        [whiten, block1, block2, block3]
    }

    /// The classifier on the last block's activations: `[b, 256, 3, 3]` in, logits out.
    pub fn head(&self, block3: Tensor<4>) -> Tensor<2> {
        let x: Tensor<2> = kernels::max_pool2d(&self.pool, block3).flatten(1, 3); // [b, 256]
        kernels::linear(&self.linear, x).mul_scalar(OUTPUT_SCALE)
    }
}
