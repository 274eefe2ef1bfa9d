//! The model registry: every network Kiln can train, selected by name from a config.

pub mod activation;
pub mod seed;

use burn::config::Config;
use burn::module::Module;
use burn::prelude::*;

pub use activation::HiddenActivation;
pub use seed::{LayerInfo, SeedCnn, SeedCnnConfig};

/// Names accepted by [`ModelConfig::name`], with a one-line description each.
pub const MODELS: &[(&str, &str)] = &[(
    "seed",
    "Keras CIFAR-10 tutorial CNN: 3 conv + 2 dense layers, 122,570 parameters",
)];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("unknown model {0:?} (available: {list})", list = model_names().join(", "))]
    UnknownModel(String),
}

pub fn model_names() -> Vec<&'static str> {
    MODELS.iter().map(|(name, _)| *name).collect()
}

/// Which network to build, and how. Serialisable, so the browser sends it as JSON.
#[derive(Config, Debug, PartialEq)]
pub struct ModelConfig {
    /// A name from [`MODELS`].
    #[config(default = "String::from(\"seed\")")]
    pub name: String,
    /// Activation of the hidden layers.
    #[config(default = "HiddenActivation::Relu")]
    pub activation: HiddenActivation,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelConfig {
    pub fn init(&self, device: &Device) -> Result<Model, ModelError> {
        match self.name.as_str() {
            "seed" => Ok(Model::Seed(
                SeedCnnConfig::new()
                    .with_activation(self.activation)
                    .init(device),
            )),
            other => Err(ModelError::UnknownModel(other.to_string())),
        }
    }
}

/// Any network from the registry. The training loop only sees this type.
#[derive(Module, Debug)]
pub enum Model {
    Seed(SeedCnn),
}

impl Model {
    /// # Shapes
    /// - images: `[batch, 3, 32, 32]`
    /// - output: `[batch, num_classes]` (logits)
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Seed(m) => m.forward(images),
        }
    }

    /// Each convolution's output after its activation, first to last.
    pub fn conv_activations(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        match self {
            Model::Seed(m) => m.conv_activations(images).to_vec(),
        }
    }

    /// Logits from the last convolution's activations.
    pub fn head(&self, last_conv: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Seed(m) => m.head(last_conv),
        }
    }

    /// The first convolution's kernels: `[filters, 3, k, k]`.
    pub fn first_layer_filters(&self) -> Tensor<4> {
        match self {
            Model::Seed(m) => m.conv1.weight.val(),
        }
    }

    /// Names of the convolutions, in the order of [`Model::conv_activations`].
    pub fn conv_names(&self) -> Vec<&'static str> {
        match self {
            Model::Seed(_) => vec!["conv1", "conv2", "conv3"],
        }
    }

    pub fn layer_summary(&self) -> Vec<LayerInfo> {
        match self {
            Model::Seed(m) => m.layer_summary(),
        }
    }
}
