//! What [`crate::model::Model`] asks of airbench, answered with its layers, and what its recipe
//! does to them: the whitening fitted to the training images, the BatchNorm statistics settled
//! after each step, the BatchNorm biases trained faster, the whitening bias frozen after the
//! first epochs.

use burn::module::{Module, ParamId};
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::model::airbench::layers::Airbench;
use crate::model::airbench::whiten::{FILTERS, PATCH, WHITENING_IMAGES, whitening_filters};
use crate::model::network::BuiltNetwork;
use crate::model::trace::Tracer;

impl BuiltNetwork for Airbench {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        Airbench::forward(self, images)
    }

    /// Mirror and one-pixel shifts ([`Airbench::forward_tta`]).
    fn infer(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward_tta(images)
    }

    fn conv_activations(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        Airbench::conv_activations(self, images).to_vec()
    }

    fn conv_names(&self) -> Vec<&'static str> {
        vec!["whiten", "block1", "block2", "block3"]
    }

    fn forward_hidden(&self, images: Tensor<4>) -> (Tensor<2>, Vec<Tensor<2>>) {
        let detached = |t: Tensor<4>| t.inner().flatten::<2>(1, 3);
        let convs = Airbench::conv_activations(self, images);
        let logits = Airbench::head(self, convs[3].clone());
        (logits, convs.into_iter().map(detached).collect())
    }

    fn head(&self, last_conv: Tensor<4>) -> Tensor<2> {
        Airbench::head(self, last_conv)
    }

    fn trace(&self, images: Tensor<4>) -> Tracer {
        Airbench::trace(self, images)
    }

    fn first_layer_filters(&self) -> Tensor<4> {
        self.whiten.weight.val()
    }

    fn activation_name(&self) -> &'static str {
        "gelu"
    }

    fn fit_images(&self) -> usize {
        WHITENING_IMAGES
    }

    /// Set the whitening filters from the images. Nothing changes when there are none.
    fn fit_to_data(&mut self, images: &[f32]) {
        if let Some(filters) = whitening_filters(images) {
            let device = self.whiten.weight.device();
            let shape = [FILTERS, 3, PATCH, PATCH];
            let filters = Tensor::<4>::from_data(TensorData::new(filters, shape), &device);
            let weight = self.whiten.weight.clone();
            self.whiten.weight = weight.map(|_| filters).set_require_grad(false);
        }
    }

    /// The BatchNorm biases, which the recipe trains at a higher learning rate.
    fn norm_bias_ids(&self) -> Vec<ParamId> {
        [&self.block1, &self.block2, &self.block3]
            .iter()
            .flat_map(|g| [g.norm1.beta.id, g.norm2.beta.id])
            .collect()
    }

    /// Fold each BatchNorm's new running statistics into its value. burn keeps a statistic's
    /// update per thread and averages the threads' updates when read, so a training step that
    /// runs on another pool thread than the last one would average two steps' statistics (and
    /// read a stale one): settling after each step keeps them exact and deterministic.
    fn settle_statistics(&self) {
        for group in [&self.block1, &self.block2, &self.block3] {
            for norm in [&group.norm1, &group.norm2] {
                // `valid()` settles the shared statistics; the copy is dropped.
                let _ = norm.valid();
            }
        }
    }

    /// The whitening layer's bias: the recipe trains it for its first epochs only.
    fn set_whiten_bias_trained(&mut self, trained: bool) {
        self.whiten.bias = self.whiten.bias.take().map(|b| b.set_require_grad(trained));
    }
}
