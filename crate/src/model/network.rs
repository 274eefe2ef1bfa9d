//! What a network is, known without building it ([`Network`]), and what a built one does
//! ([`BuiltNetwork`]). Each network is one folder under `model/` that implements both, named
//! once in `registry.rs`.

use burn::module::ParamId;
use burn::prelude::*;

use crate::model::catalog::ModelInfo;
use crate::model::shapes::LayerShape;
use crate::model::trace::Tracer;
use crate::model::{Model, ModelConfig};
use crate::recipe::TrainingRecipe;

/// A network Kiln offers: its description, its figures, the recipe it is meant to be trained
/// with, and how to build it.
pub trait Network: Sync {
    /// What the page and `kiln info` tell a user before it is built: its name, a one-line
    /// description, its size and cost (computed from [`Network::layers`]), the accuracy its
    /// recipe reaches, its shipped weights and its "not sure" threshold.
    fn info(&self) -> ModelInfo;

    /// The name `--model`, the page and saved configurations (`ModelConfig::name`) use.
    fn name(&self) -> &'static str {
        self.info().name
    }

    /// One line: what the network is.
    fn description(&self) -> &'static str {
        self.info().description
    }

    /// Its layers as shapes, first to last: `kiln info`'s table, its parameter count and cost.
    fn layers(&self) -> &'static [LayerShape];

    /// The recipe it is meant to be trained with, at `batch_size` images a step (the recipe's
    /// own when `None`; a recipe may scale its learning rate with it).
    fn recipe(&self, batch_size: Option<usize>) -> TrainingRecipe;

    /// A fresh network on `device`, initialised from the device's seed, as `config` asks.
    fn init(&self, config: &ModelConfig, device: &Device) -> Model;
}

/// What every built network does, each its own way: what [`Model`] asks of the one it holds.
/// The defaults are those of a plain network (no test-time augmentation, nothing fitted to the
/// data, no BatchNorm).
pub trait BuiltNetwork {
    /// `[batch, 3, 32, 32]` images in, `[batch, num_classes]` logits out.
    fn forward(&self, images: Tensor<4>) -> Tensor<2>;

    /// Logits for evaluation and classification, with the test-time augmentation of the
    /// network's recipe (`ModelInfo::tta`).
    fn infer(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward(images)
    }

    /// Each convolution's output after its activation, first to last.
    fn conv_activations(&self, images: Tensor<4>) -> Vec<Tensor<4>>;

    /// Names of the convolutions, in the order of [`BuiltNetwork::conv_activations`].
    fn conv_names(&self) -> Vec<&'static str>;

    /// The logits, with every hidden layer's output after its activation (detached from the
    /// autodiff graph, one row per image), named as [`BuiltNetwork::hidden_names`] names them:
    /// the same operations as [`BuiltNetwork::forward`].
    fn forward_hidden(&self, images: Tensor<4>) -> (Tensor<2>, Vec<Tensor<2>>);

    /// Names of the hidden layers, in the order of [`BuiltNetwork::forward_hidden`].
    fn hidden_names(&self) -> Vec<&'static str> {
        self.conv_names()
    }

    /// Logits from the last convolution's activations.
    fn head(&self, last_conv: Tensor<4>) -> Tensor<2>;

    /// Every layer's output for one image, with the operation that made it.
    fn trace(&self, images: Tensor<4>) -> Tracer;

    /// The first convolution's kernels: `[filters, 3, k, k]`.
    fn first_layer_filters(&self) -> Tensor<4>;

    /// The activation of the hidden layers, by name.
    fn activation_name(&self) -> &'static str;

    /// How many training images [`BuiltNetwork::fit_to_data`] looks at.
    fn fit_images(&self) -> usize {
        0
    }

    /// Prepare a fresh network from the (normalised) training images it will learn from: CHW
    /// floats, one image after another.
    fn fit_to_data(&mut self, _images: &[f32]) {}

    /// The BatchNorm biases, which a recipe may train at a higher rate.
    fn norm_bias_ids(&self) -> Vec<ParamId> {
        Vec::new()
    }

    /// Settle the BatchNorm running statistics after a training step.
    fn settle_statistics(&self) {}

    /// Train or freeze the bias of a layer the recipe trains for its first epochs only.
    fn set_whiten_bias_trained(&mut self, _trained: bool) {}
}
