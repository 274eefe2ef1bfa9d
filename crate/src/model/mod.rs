//! The model registry: every network Kiln can train, selected by name from a config.

pub mod activation;
pub mod airbench;
pub mod catalog;
pub mod seed;
pub mod trace;
mod traces;
pub mod whiten;

use burn::config::Config;
use burn::module::Module;
use burn::prelude::*;

pub use activation::HiddenActivation;
pub use airbench::{Airbench, AirbenchConfig};
pub use seed::{LayerInfo, SeedCnn, SeedCnnConfig};

/// Names accepted by [`ModelConfig::name`], with a one-line description each.
pub const MODELS: &[(&str, &str)] = &[
    (
        "seed",
        "Keras CIFAR-10 tutorial CNN: 3 conv + 2 dense layers, 122,570 parameters",
    ),
    (
        "airbench",
        "airbench94 (Jordan 2024): whitening conv + 3 conv blocks with BatchNorm and GELU, \
         1.97 M parameters, 90.7% here in 10 epochs (94.0% published)",
    ),
];

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
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
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
            "airbench" => Ok(Model::Airbench(AirbenchConfig::new().init(device))),
            other => Err(ModelError::UnknownModel(other.to_string())),
        }
    }
}

/// Any network from the registry. The training loop only sees this type. (The variants differ
/// in size, but a run holds one or two models, and burn's `Module` derive takes no `Box`.)
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Model {
    Seed(SeedCnn),
    Airbench(Airbench),
}

impl Model {
    /// # Shapes
    /// - images: `[batch, 3, 32, 32]`
    /// - output: `[batch, num_classes]` (logits)
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Seed(m) => m.forward(images),
            Model::Airbench(m) => m.forward(images),
        }
    }

    /// Logits for evaluation and classification, with the test-time augmentation of the
    /// network's recipe (airbench: mirror and one-pixel shifts; the seed: none).
    pub fn infer(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Seed(m) => m.forward(images),
            Model::Airbench(m) => m.forward_tta(images),
        }
    }

    /// Whether [`Model::infer`] averages several passes.
    pub fn has_tta(&self) -> bool {
        matches!(self, Model::Airbench(_))
    }

    /// Prepare a fresh network from the (normalised) training images it will learn from: the
    /// airbench whitening layer is computed from them; the seed needs nothing.
    pub fn fit_to_data(self, images: &[f32]) -> Self {
        match self {
            Model::Airbench(m) => Model::Airbench(m.fit_whitening(images)),
            seed => seed,
        }
    }

    /// The BatchNorm biases (none in the seed), which a recipe may train at a higher rate.
    pub fn norm_bias_ids(&self) -> Vec<burn::module::ParamId> {
        match self {
            Model::Seed(_) => vec![],
            Model::Airbench(m) => m.norm_bias_ids(),
        }
    }

    /// Settle the BatchNorm running statistics after a training step (see
    /// [`Airbench::settle_statistics`]); the seed has none.
    pub fn settle_statistics(&self) {
        if let Model::Airbench(m) = self {
            m.settle_statistics();
        }
    }

    /// Train or freeze the airbench whitening layer's bias; the seed has none.
    pub fn with_whiten_bias_trained(self, trained: bool) -> Self {
        match self {
            Model::Airbench(m) => Model::Airbench(m.with_whiten_bias_trained(trained)),
            seed => seed,
        }
    }

    /// How many training images [`Model::fit_to_data`] looks at (airbench94 uses 5,000).
    pub fn fit_images(&self) -> usize {
        match self {
            Model::Seed(_) => 0,
            Model::Airbench(_) => 5000,
        }
    }

    /// Each convolution's output after its activation, first to last.
    pub fn conv_activations(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        match self {
            Model::Seed(m) => m.conv_activations(images).to_vec(),
            Model::Airbench(m) => m.conv_activations(images).to_vec(),
        }
    }

    /// The logits, with every hidden layer's output after its activation (detached from the
    /// autodiff graph, one row per image), named as [`Model::hidden_names`] names them. The
    /// same operations as [`Model::forward`], so a step trained through either is the same.
    pub fn forward_hidden(&self, images: Tensor<4>) -> (Tensor<2>, Vec<Tensor<2>>) {
        let detached = |t: Tensor<4>| t.inner().flatten::<2>(1, 3);
        match self {
            Model::Seed(m) => {
                let [conv1, conv2, conv3] = m.conv_activations(images);
                let fc1 = m.dense(conv3.clone());
                let logits = m.fc2.forward(fc1.clone());
                let hidden = vec![
                    detached(conv1),
                    detached(conv2),
                    detached(conv3),
                    fc1.inner(),
                ];
                (logits, hidden)
            }
            Model::Airbench(m) => {
                let convs = m.conv_activations(images);
                let logits = m.head(convs[3].clone());
                (logits, convs.into_iter().map(detached).collect())
            }
        }
    }

    /// Names of the hidden layers, in the order of [`Model::forward_hidden`]: the convolutions,
    /// then the seed's hidden dense layer.
    pub fn hidden_names(&self) -> Vec<&'static str> {
        let mut names = self.conv_names();
        if let Model::Seed(_) = self {
            names.push("fc1");
        }
        names
    }

    /// Logits from the last convolution's activations.
    pub fn head(&self, last_conv: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Seed(m) => m.head(last_conv),
            Model::Airbench(m) => m.head(last_conv),
        }
    }

    /// Every layer's output for one image, with the operation that made it
    /// ([`trace::Tracer`]): the page's drawing of the network.
    pub fn trace(&self, images: Tensor<4>) -> trace::Tracer {
        match self {
            Model::Seed(m) => m.trace(images),
            Model::Airbench(m) => m.trace(images),
        }
    }

    /// The first convolution's kernels: `[filters, 3, k, k]`.
    pub fn first_layer_filters(&self) -> Tensor<4> {
        match self {
            Model::Seed(m) => m.conv1.weight.val(),
            Model::Airbench(m) => m.whiten.weight.val(),
        }
    }

    /// Names of the convolutions, in the order of [`Model::conv_activations`].
    pub fn conv_names(&self) -> Vec<&'static str> {
        match self {
            Model::Seed(_) => vec!["conv1", "conv2", "conv3"],
            Model::Airbench(_) => vec!["whiten", "block1", "block2", "block3"],
        }
    }

    /// Floating-point operations of one image's forward pass.
    pub fn forward_flops(&self) -> u64 {
        match self {
            Model::Seed(m) => m.forward_flops(),
            Model::Airbench(m) => m.forward_flops(),
        }
    }

    /// Floating-point operations of one training image: the forward pass and a backward pass
    /// of about twice its cost (the gradients of the inputs and of the weights).
    pub fn train_flops(&self) -> u64 {
        3 * self.forward_flops()
    }

    pub fn layer_summary(&self) -> Vec<LayerInfo> {
        match self {
            Model::Seed(m) => m.layer_summary(),
            Model::Airbench(m) => m.layer_summary(),
        }
    }
}
