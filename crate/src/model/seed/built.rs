//! What [`crate::model::Model`] asks of the seed, answered with its layers.

use burn::prelude::*;

use crate::model::activation;
use crate::model::network::BuiltNetwork;
use crate::model::seed::SeedCnn;
use crate::model::trace::Tracer;

impl BuiltNetwork for SeedCnn {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        SeedCnn::forward(self, images)
    }

    fn conv_activations(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        SeedCnn::conv_activations(self, images).to_vec()
    }

    fn conv_names(&self) -> Vec<&'static str> {
        vec!["conv1", "conv2", "conv3"]
    }

    fn forward_hidden(&self, images: Tensor<4>) -> (Tensor<2>, Vec<Tensor<2>>) {
        let detached = |t: Tensor<4>| t.inner().flatten::<2>(1, 3);
        let [conv1, conv2, conv3] = SeedCnn::conv_activations(self, images);
        let fc1 = self.dense(conv3.clone());
        let logits = crate::kernels::linear(&self.fc2, fc1.clone());
        let hidden = vec![
            detached(conv1),
            detached(conv2),
            detached(conv3),
            fc1.inner(),
        ];
        (logits, hidden)
    }

    /// The convolutions, then the hidden dense layer.
    fn hidden_names(&self) -> Vec<&'static str> {
        let mut names = self.conv_names();
        names.push("fc1");
        names
    }

    fn head(&self, last_conv: Tensor<4>) -> Tensor<2> {
        SeedCnn::head(self, last_conv)
    }

    fn trace(&self, images: Tensor<4>) -> Tracer {
        SeedCnn::trace(self, images)
    }

    fn first_layer_filters(&self) -> Tensor<4> {
        self.conv1.weight.val()
    }

    fn activation_name(&self) -> &'static str {
        activation::name_of(&self.activation)
    }
}
