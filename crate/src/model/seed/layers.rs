//! The seed's layers: Conv(32,3×3) → MaxPool 2 → Conv(64,3×3) → MaxPool 2 → Conv(64,3×3) →
//! Flatten → Dense(64) → Dense(10), valid padding, logits out (no softmax).

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::activation::Activation;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::prelude::*;

use crate::kernels;
use crate::model::activation::{self, HiddenActivation};

#[derive(Config, Debug)]
pub struct SeedCnnConfig {
    /// Activation of every hidden layer (the three convolutions and the first dense layer).
    #[config(default = "HiddenActivation::Relu")]
    pub activation: HiddenActivation,
    /// Number of output classes.
    #[config(default = 10)]
    pub num_classes: usize,
    /// Initialise as Keras does (Glorot-uniform weights, zero biases); otherwise burn's
    /// default (PyTorch-style Kaiming-uniform weights and biases).
    #[config(default = true)]
    pub keras_init: bool,
}

#[derive(Module, Debug)]
pub struct SeedCnn {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub conv3: Conv2d,
    pub pool: MaxPool2d,
    pub fc1: Linear,
    pub fc2: Linear,
    pub activation: Activation,
}

/// Glorot-uniform with gain 1 is Keras' default kernel initialiser.
const GLOROT: Initializer = Initializer::XavierUniform { gain: 1.0 };

/// Zero biases that still train: a bare `zeros_like` would come back without `require_grad`,
/// and burn would then leave the biases out of every update.
fn zero_bias<const D: usize>(bias: Option<Param<Tensor<D>>>) -> Option<Param<Tensor<D>>> {
    bias.map(|b| {
        b.map(|t| {
            let trainable = t.is_require_grad();
            let zeros = t.zeros_like();
            if trainable {
                zeros.require_grad()
            } else {
                zeros
            }
        })
    })
}

impl SeedCnnConfig {
    pub fn init(&self, device: &Device) -> SeedCnn {
        let conv = |c_in, c_out| {
            let config = Conv2dConfig::new([c_in, c_out], [3, 3]);
            if self.keras_init {
                let mut conv = config.with_initializer(GLOROT).init(device);
                conv.bias = zero_bias(conv.bias);
                conv
            } else {
                config.init(device)
            }
        };
        let linear = |d_in, d_out| {
            let config = LinearConfig::new(d_in, d_out);
            if self.keras_init {
                let mut linear = config.with_initializer(GLOROT).init(device);
                linear.bias = zero_bias(linear.bias);
                linear
            } else {
                config.init(device)
            }
        };
        SeedCnn {
            conv1: conv(3, 32),
            conv2: conv(32, 64),
            conv3: conv(64, 64),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            fc1: linear(64 * 4 * 4, 64),
            fc2: linear(64, self.num_classes),
            activation: self.activation.init(device),
        }
    }
}

impl SeedCnn {
    /// # Shapes
    /// - images: `[batch, 3, 32, 32]`
    /// - output: `[batch, num_classes]` (logits)
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        // The same layers as `conv_activations`, without keeping the first two activations
        // alive: training and evaluation need only the logits.
        let x = self.pool(self.conv(&self.conv1, images)); // [batch, 32, 15, 15]
        let x = self.pool(self.conv(&self.conv2, x)); // [batch, 64, 6, 6]
        self.head(self.conv(&self.conv3, x))
    }

    /// The output of each convolution after its activation: `[batch, 32, 30, 30]`,
    /// `[batch, 64, 13, 13]` and `[batch, 64, 4, 4]`.
    pub fn conv_activations(&self, images: Tensor<4>) -> [Tensor<4>; 3] {
        let conv1 = self.conv(&self.conv1, images); // [batch, 32, 30, 30]
        let x = self.pool(conv1.clone()); // [batch, 32, 15, 15]
        let conv2 = self.conv(&self.conv2, x); // [batch, 64, 13, 13]
        let x = self.pool(conv2.clone()); // [batch, 64, 6, 6]
        let conv3 = self.conv(&self.conv3, x); // [batch, 64, 4, 4]
        [conv1, conv2, conv3]
    }

    /// One convolution and the hidden activation (Kiln's own convolution, a ReLU inside it).
    fn conv(&self, conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
        activation::after_conv(&self.activation, conv, x)
    }

    /// 2×2 max pooling (Kiln's own).
    fn pool(&self, x: Tensor<4>) -> Tensor<4> {
        kernels::max_pool2d(&self.pool, x)
    }

    /// The dense layers on top of the last convolution's activations: `[batch, 64, 4, 4]` in,
    /// logits out.
    pub fn head(&self, conv3: Tensor<4>) -> Tensor<2> {
        kernels::linear(&self.fc2, self.dense(conv3)) // [batch, num_classes]
    }

    /// The hidden dense layer after its activation: `[batch, 64, 4, 4]` in, `[batch, 64]` out.
    pub fn dense(&self, conv3: Tensor<4>) -> Tensor<2> {
        // Keras flattens NHWC; we flatten NCHW. Same layer, a different (fixed) ordering of
        // the 1,024 features, which the dense layer learns either way.
        let x: Tensor<2> = conv3.flatten(1, 3); // [batch, 1024]
        activation::after_dense(&self.activation, &self.fc1, x) // [batch, 64]
    }
}
