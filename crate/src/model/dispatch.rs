//! What the training loop, evaluation and the page ask of a [`Model`], whichever network it
//! holds: each asks the network's own code ([`BuiltNetwork`], or [`Network`] for what is known
//! without the weights).

use burn::module::ParamId;
use burn::prelude::*;

use crate::model::Model;
use crate::model::shapes::{self, LayerInfo};
use crate::model::trace::Tracer;

#[cfg(doc)]
use crate::model::network::{BuiltNetwork, Network};

impl Model {
    /// # Shapes
    /// - images: `[batch, 3, 32, 32]`
    /// - output: `[batch, num_classes]` (logits)
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.built().forward(images)
    }

    /// Logits for evaluation and classification, with the test-time augmentation of the
    /// network's recipe (airbench: mirror and one-pixel shifts; the seed: none).
    pub fn infer(&self, images: Tensor<4>) -> Tensor<2> {
        self.built().infer(images)
    }

    /// Whether [`Model::infer`] averages several passes.
    pub fn has_tta(&self) -> bool {
        self.network().info().tta
    }

    /// Prepare a fresh network from the (normalised) training images it will learn from: the
    /// airbench whitening layer is computed from them; the seed needs nothing.
    pub fn fit_to_data(mut self, images: &[f32]) -> Self {
        self.built_mut().fit_to_data(images);
        self
    }

    /// The BatchNorm biases (none in the seed), which a recipe may train at a higher rate.
    pub fn norm_bias_ids(&self) -> Vec<ParamId> {
        self.built().norm_bias_ids()
    }

    /// Settle the BatchNorm running statistics after a training step (see
    /// [`BuiltNetwork::settle_statistics`]); the seed has none.
    pub fn settle_statistics(&self) {
        self.built().settle_statistics();
    }

    /// Train or freeze the airbench whitening layer's bias; the seed has none.
    pub fn with_whiten_bias_trained(mut self, trained: bool) -> Self {
        self.built_mut().set_whiten_bias_trained(trained);
        self
    }

    /// How many training images [`Model::fit_to_data`] looks at (airbench94 uses 5,000).
    pub fn fit_images(&self) -> usize {
        self.built().fit_images()
    }

    /// Each convolution's output after its activation, first to last.
    pub fn conv_activations(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        self.built().conv_activations(images)
    }

    /// The logits, with every hidden layer's output after its activation (detached from the
    /// autodiff graph, one row per image), named as [`Model::hidden_names`] names them. The
    /// same operations as [`Model::forward`], so a step trained through either is the same.
    pub fn forward_hidden(&self, images: Tensor<4>) -> (Tensor<2>, Vec<Tensor<2>>) {
        self.built().forward_hidden(images)
    }

    /// Names of the hidden layers, in the order of [`Model::forward_hidden`]: the convolutions,
    /// then the seed's hidden dense layer.
    pub fn hidden_names(&self) -> Vec<&'static str> {
        self.built().hidden_names()
    }

    /// Logits from the last convolution's activations.
    pub fn head(&self, last_conv: Tensor<4>) -> Tensor<2> {
        self.built().head(last_conv)
    }

    /// Every layer's output for one image, with the operation that made it
    /// ([`crate::model::trace::Tracer`]): the page's drawing of the network.
    pub fn trace(&self, images: Tensor<4>) -> Tracer {
        self.built().trace(images)
    }

    /// The first convolution's kernels: `[filters, 3, k, k]`.
    pub fn first_layer_filters(&self) -> Tensor<4> {
        self.built().first_layer_filters()
    }

    /// Names of the convolutions, in the order of [`Model::conv_activations`].
    pub fn conv_names(&self) -> Vec<&'static str> {
        self.built().conv_names()
    }

    /// The activation of the hidden layers, by name (airbench's is its own GELU).
    pub fn activation_name(&self) -> &'static str {
        self.built().activation_name()
    }

    /// Floating-point operations of one image's forward pass (one pass: test-time
    /// augmentation takes several), from the network's layer shapes ([`Network::layers`]).
    pub fn forward_flops(&self) -> u64 {
        shapes::forward_flops(self.network().layers())
    }

    /// Floating-point operations of one training image: the forward pass and a backward pass
    /// of about twice its cost (the gradients of the inputs and of the weights).
    pub fn train_flops(&self) -> u64 {
        shapes::train_flops(self.network().layers())
    }

    /// Output shape and parameters of each layer for a `[batch, 3, 32, 32]` input, for
    /// `kiln info`.
    pub fn layer_summary(&self) -> Vec<LayerInfo> {
        self.network()
            .layers()
            .iter()
            .map(LayerInfo::from)
            .collect()
    }
}
