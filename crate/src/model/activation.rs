//! The hidden-layer activations the seed text names: ReLU (default), sigmoid and linear.

use burn::nn::Linear;
use burn::nn::activation::{Activation, ActivationConfig};
use burn::nn::conv::Conv2d;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum HiddenActivation {
    #[default]
    Relu,
    Sigmoid,
    /// No non-linearity: the network collapses to a linear classifier of its inputs.
    Linear,
}

impl HiddenActivation {
    pub const ALL: [HiddenActivation; 3] = [Self::Relu, Self::Sigmoid, Self::Linear];

    pub fn name(self) -> &'static str {
        match self {
            Self::Relu => "relu",
            Self::Sigmoid => "sigmoid",
            Self::Linear => "linear",
        }
    }

    pub fn init(self, device: &Device) -> Activation {
        match self {
            Self::Relu => ActivationConfig::Relu,
            Self::Sigmoid => ActivationConfig::Sigmoid,
            Self::Linear => ActivationConfig::Identity,
        }
        .init(device)
    }
}

/// The name of a hidden activation as built by [`HiddenActivation::init`].
pub fn name_of(activation: &Activation) -> &'static str {
    match activation {
        Activation::Relu(_) => "relu",
        Activation::Sigmoid(_) => "sigmoid",
        _ => "linear",
    }
}

/// `activation` applied to `x`, ReLU as Kiln's fused operation ([`crate::kernels::relu`]).
pub fn apply<const D: usize>(activation: &Activation, x: Tensor<D>) -> Tensor<D> {
    match activation {
        Activation::Relu(_) => crate::kernels::relu(x),
        other => other.forward(x),
    }
}

/// `activation` applied to `conv.forward(x)`, a ReLU inside Kiln's convolution
/// ([`crate::kernels::conv2d_relu`]).
pub fn after_conv(activation: &Activation, conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    match activation {
        Activation::Relu(_) => crate::kernels::conv2d_relu(conv, x),
        other => apply(other, crate::kernels::conv2d(conv, x)),
    }
}

/// `activation` applied to `layer.forward(x)`, a ReLU inside Kiln's dense layer
/// ([`crate::kernels::linear_relu`]).
pub fn after_dense(activation: &Activation, layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    match activation {
        Activation::Relu(_) => crate::kernels::linear_relu(layer, x),
        other => apply(other, crate::kernels::linear(layer, x)),
    }
}

impl std::str::FromStr for HiddenActivation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown activation {s:?} (expected relu, sigmoid or linear)"))
    }
}
