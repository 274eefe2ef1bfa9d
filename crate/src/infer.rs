//! Classify a user's image: 32×32 RGBA pixels in, class probabilities out.

use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::data::Normalization;
use crate::data::cifar::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE};
use crate::model::Model;
use crate::read::{ReadError, read_floats};
use crate::weights::ActiveModel;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Prediction {
    pub class: usize,
    pub name: String,
    pub probability: f32,
}

/// A picture classified by the weights in use (`classify`; the page's explanation, when asked
/// for, is added beside these as typed arrays).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Classification {
    /// Every class, best first.
    pub predictions: Vec<Prediction>,
    /// The top probability is under the network's "not sure" threshold
    /// (`model::catalog::unsure`): the picture may be none of the classes.
    pub unsure: bool,
    /// The weights that answered.
    pub model: ActiveModel,
}

#[derive(Debug, thiserror::Error)]
pub enum InferError {
    #[error("expected {expected} bytes of 32×32 RGBA pixels, got {got}")]
    BadInput { expected: usize, got: usize },
    #[error("there is no class {class} to explain: the model has {classes} classes")]
    BadClass { class: usize, classes: usize },
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// Convert 32×32 RGBA (row-major, as a canvas gives it) to CIFAR's CHW byte layout; alpha is
/// dropped.
pub fn rgba_to_chw(rgba: &[u8]) -> Result<Vec<u8>, InferError> {
    let pixels = IMAGE_SIDE * IMAGE_SIDE;
    if rgba.len() != pixels * 4 {
        return Err(InferError::BadInput {
            expected: pixels * 4,
            got: rgba.len(),
        });
    }
    let mut chw = vec![0u8; IMAGE_BYTES];
    for (i, px) in rgba.chunks_exact(4).enumerate() {
        for c in 0..CHANNELS {
            chw[c * pixels + i] = px[c];
        }
    }
    Ok(chw)
}

/// One CHW image as the network's input, `[1, 3, 32, 32]`, scaled by `normalization`.
pub fn input_tensor(
    normalization: Normalization,
    chw: &[u8],
    device: &Device,
) -> Result<Tensor<4>, InferError> {
    if chw.len() != IMAGE_BYTES {
        return Err(InferError::BadInput {
            expected: IMAGE_BYTES,
            got: chw.len(),
        });
    }
    let mut floats = Vec::with_capacity(IMAGE_BYTES);
    normalization.extend_floats(chw, &mut floats);
    Ok(Tensor::from_data(
        TensorData::new(floats, [1, CHANNELS, IMAGE_SIDE, IMAGE_SIDE]),
        device,
    ))
}

/// Class probabilities of one CHW image, best first. One device read.
pub async fn classify(
    model: &Model,
    normalization: Normalization,
    chw: &[u8],
    class_names: &[String],
    device: &Device,
) -> Result<Vec<Prediction>, InferError> {
    let input = input_tensor(normalization, chw, device)?;
    let probabilities = softmax(model.infer(input), 1); // [1, classes]
    let probabilities = read_floats(probabilities).await?;
    Ok(predictions_from(&probabilities, class_names))
}

/// Class probabilities as predictions, best first.
pub fn predictions_from(probabilities: &[f32], class_names: &[String]) -> Vec<Prediction> {
    let mut predictions: Vec<Prediction> = probabilities
        .iter()
        .enumerate()
        .map(|(class, &probability)| Prediction {
            class,
            name: class_names
                .get(class)
                .cloned()
                .unwrap_or_else(|| format!("class {class}")),
            probability,
        })
        .collect();
    predictions.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    predictions
}
