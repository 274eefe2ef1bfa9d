//! The network drawn for one image (the page's diagram): every layer's output, input to
//! output, read in one transaction. One unit looked inside is `super::unit`'s.

use burn::prelude::*;
use burn::tensor::Transaction;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::data::Normalization;
use crate::infer::{InferError, input_tensor};
use crate::model::Model;
use crate::read::read_transaction;

/// One drawn layer: `values[c][y][x]`, flattened (a dense layer's `height` and `width` are 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewLayer {
    pub name: String,
    /// `input`, `conv`, `pool`, `norm` (BatchNorm then GELU), `dense` or `output` (the logits).
    pub kind: String,
    /// The block it is folded into (airbench's), if any.
    pub group: Option<String>,
    /// The layer it reads.
    pub reads: Option<String>,
    /// The activation after its sum (`relu`, `sigmoid`, `linear`, `gelu`), if it has one.
    pub activation: Option<String>,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub values: Vec<f32>,
}

/// The whole network for one image, input to output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub layers: Vec<ViewLayer>,
    /// Softmax of the output layer's logits, as drawn (without test-time augmentation).
    pub probabilities: Vec<f32>,
}

/// Every layer of `model` for one CHW image. One device read.
pub async fn network_view(
    model: &Model,
    normalization: Normalization,
    chw: &[u8],
    device: &Device,
) -> Result<NetworkView, InferError> {
    let model = model.valid();
    let input = input_tensor(normalization, chw, device)?;
    let layers = model.trace(input).layers;
    let logits = layers
        .last()
        .expect("a trace ends with the logits")
        .output
        .clone();
    let mut transaction = Transaction::default();
    for layer in &layers {
        transaction = transaction.register(layer.output.clone());
    }
    let probabilities = softmax(logits.flatten::<2>(1, 3), 1);
    transaction = transaction.register(probabilities);
    let mut values = read_transaction(transaction).await?;
    let mut view = Vec::with_capacity(layers.len());
    for layer in &layers {
        let [_, channels, height, width] = layer.output.dims();
        view.push(ViewLayer {
            name: layer.name.into(),
            kind: layer.op.kind().into(),
            group: layer.group.map(String::from),
            reads: layer.reads.map(|i| layers[i].name.to_string()),
            activation: layer.op.activation().map(String::from),
            channels,
            height,
            width,
            values: next(&mut values)?,
        });
    }
    Ok(NetworkView {
        layers: view,
        probabilities: next(&mut values)?,
    })
}

pub(super) fn next(
    values: &mut impl Iterator<Item = Result<Vec<f32>, crate::read::ReadError>>,
) -> Result<Vec<f32>, InferError> {
    Ok(values
        .next()
        .unwrap_or_else(|| Err(crate::read::ReadError("a layer was not read".into())))?)
}
