//! Why the network answered what it did, for one image: the saliency map (gradient of the top
//! class score with respect to the input pixels), Grad-CAM on the last convolution, and the
//! feature maps of every convolution. Also the first layer's filters.
//!
//! Gradients come from autodiff on the input tensor alone: the weights stay constants, so this
//! works with the inference copy of a model on any device. Everything is read back with one
//! async read, as training does.

use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::{relu, softmax};
use serde::{Deserialize, Serialize};

use crate::data::Normalization;
use crate::data::cifar::IMAGE_SIDE;
use crate::infer::{InferError, Prediction, input_tensor, predictions_from};
use crate::model::Model;
use crate::read::read_floats;

// The page receives these with their numbers as `Float32Array`s (crate/src/web/classify.rs
// builds them so), which is what their generated declarations say.

/// One layer's activations for one image: `values[c][y][x]`, flattened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct FeatureMaps {
    pub layer: String,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    #[cfg_attr(test, ts(type = "Float32Array"))]
    pub values: Vec<f32>,
}

/// Everything the page draws next to a classified image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Explanation {
    /// All classes, best first.
    pub predictions: Vec<Prediction>,
    /// The class explained: the top prediction unless another was asked for.
    pub class: usize,
    /// `|∂ score / ∂ pixel|`, the largest over the three colour channels: 32×32, row-major.
    #[cfg_attr(test, ts(type = "Float32Array"))]
    pub saliency: Vec<f32>,
    /// Grad-CAM on the last convolution: `ReLU(Σ_k α_k A_k)` with `α_k` the mean gradient of
    /// the score over channel `k`; `gradcam_side`² values, row-major, never negative.
    #[cfg_attr(test, ts(type = "Float32Array"))]
    pub gradcam: Vec<f32>,
    pub gradcam_side: usize,
    /// Each convolution's output after its activation, first to last.
    pub feature_maps: Vec<FeatureMaps>,
}

/// The first convolution's kernels, as `[filter][channel][y][x]` values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Filters {
    pub count: usize,
    pub channels: usize,
    pub size: usize,
    #[cfg_attr(test, ts(type = "Float32Array"))]
    pub values: Vec<f32>,
}

/// Explain the model's answer for one CHW image: its top class. One device read.
pub async fn explain(
    model: &Model,
    normalization: Normalization,
    chw: &[u8],
    class_names: &[String],
    device: &Device,
) -> Result<Explanation, InferError> {
    explain_class(model, normalization, chw, class_names, device, None).await
}

/// Explain the score of `class` (the top class when `None`) for one CHW image: which pixels
/// and which part of the last convolution speak for that class. One device read.
pub async fn explain_class(
    model: &Model,
    normalization: Normalization,
    chw: &[u8],
    class_names: &[String],
    device: &Device,
    class: Option<usize>,
) -> Result<Explanation, InferError> {
    // An inference copy: BatchNorm uses its running statistics even though the input below is
    // an autodiff tensor.
    let model = &model.valid();
    // Only the input requires a gradient; the weights take part as constants.
    let input = input_tensor(normalization, chw, &device.clone().inner())?
        .autodiff()
        .require_grad();
    let mut convs = model.conv_activations(input.clone());
    let last = convs.pop().expect("a model has at least one convolution");
    // The head runs from a copy of the last activations that is a leaf of its own, so the
    // first backward pass stops there and gives ∂score/∂A for Grad-CAM.
    let last_leaf = last.clone().detach().require_grad();
    let logits = model.head(last_leaf.clone()); // [1, classes]
    // The probabilities (and the top class) with the recipe's test-time augmentation, as
    // classification gives them; the seed's are those of this same pass.
    let plain_logits = match model.has_tta() {
        true => model.infer(input.clone().inner()),
        false => logits.clone().inner(),
    };
    let classes = plain_logits.dims()[1];
    let mask = match class {
        // The asked class' score: a one-hot mask made here.
        Some(c) if c < classes => {
            let one_hot: Vec<f32> = (0..classes).map(|i| f32::from(u8::from(i == c))).collect();
            Tensor::<2>::from_data(
                TensorData::new(one_hot, [1, classes]),
                &plain_logits.device(),
            )
        }
        Some(c) => return Err(InferError::BadClass { class: c, classes }),
        // The top class' score, chosen on the device (no read): a one-hot mask of the maximum.
        None => {
            let top = plain_logits.clone().argmax(1); // [1, 1]
            Tensor::<1, Int>::arange(0..classes as i64, &plain_logits.device())
                .reshape([1, classes])
                .equal(top)
                .float()
        }
    };
    let score = (logits * mask.autodiff()).sum();
    let grads = score.backward();
    let d_last = last_leaf
        .grad(&grads)
        .expect("the leaf copy of the last convolution requires a gradient"); // [1, k, h, w]

    // Saliency: push ∂score/∂A on through the convolutions to the pixels.
    let grads = (last.clone() * d_last.clone().autodiff()).sum().backward();
    let d_input = input.grad(&grads).expect("the input requires a gradient"); // [1, 3, 32, 32]
    let saliency = d_input.abs().max_dim(1); // [1, 1, 32, 32]

    // Grad-CAM.
    let [_, k, h, w] = d_last.dims();
    let plain_last = last.inner();
    let alpha = d_last.mean_dim(3).mean_dim(2); // [1, k, 1, 1]
    let cam = relu((plain_last.clone() * alpha).sum_dim(1)); // [1, 1, h, w]

    let probabilities = softmax(plain_logits, 1); // [1, classes]
    let mut parts: Vec<Tensor<1>> = vec![
        probabilities.flatten(0, 1),
        saliency.flatten(0, 3),
        cam.flatten(0, 3),
    ];
    let mut layers = Vec::new();
    let names = model.conv_names();
    for (i, conv) in convs.into_iter().chain([plain_last]).enumerate() {
        let [_, channels, height, width] = conv.dims();
        layers.push((names[i], channels, height, width));
        parts.push(conv.inner().flatten(0, 3));
    }
    // The only device read.
    let values = read_floats(Tensor::cat(parts, 0)).await?;
    let mut rest = &values[..];
    let mut take = |n: usize| {
        let (head, tail) = rest.split_at(n);
        rest = tail;
        head.to_vec()
    };
    let probabilities = take(classes);
    let saliency = take(IMAGE_SIDE * IMAGE_SIDE);
    let gradcam = take(h * w);
    debug_assert_eq!(k, layers.last().map_or(0, |l| l.1));
    let feature_maps = layers
        .into_iter()
        .map(|(layer, channels, height, width)| FeatureMaps {
            layer: layer.to_string(),
            channels,
            height,
            width,
            values: take(channels * height * width),
        })
        .collect();
    let predictions = predictions_from(&probabilities, class_names);
    Ok(Explanation {
        class: class.unwrap_or(predictions[0].class),
        predictions,
        saliency,
        gradcam,
        gradcam_side: h,
        feature_maps,
    })
}

/// The first layer's filters. One device read.
pub async fn first_layer_filters(model: &Model) -> Result<Filters, InferError> {
    let weights = model.first_layer_filters();
    let [count, channels, size, _] = weights.dims();
    Ok(Filters {
        count,
        channels,
        size,
        values: read_floats(weights).await?,
    })
}
