//! The network drawn for one image (the page's diagram): every layer's output, input to
//! output, read in one transaction. One unit looked inside is `super::unit`'s.

use burn::prelude::*;
use burn::tensor::Transaction;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::data::Normalization;
use crate::infer::{InferError, input_tensor};
use crate::model::Model;
use crate::read::{ReadError, read_transaction};

/// One drawn layer: `values[c][y][x]`, flattened (a dense layer's `height` and `width` are 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct ViewLayer {
    pub name: String,
    /// `input`, `conv`, `pool`, `norm` (BatchNorm then GELU), `dense` or `output` (the logits).
    #[cfg_attr(
        test,
        ts(type = r#""input" | "conv" | "pool" | "norm" | "dense" | "output""#)
    )]
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
    /// A `Float32Array` in the page (`crate::web::network`).
    #[cfg_attr(test, ts(type = "Float32Array"))]
    pub values: Vec<f32>,
}

/// The whole network for one image, input to output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
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
    let drawing = Drawing::new(&model.valid(), input_tensor(normalization, chw, device)?);
    let mut values = read_transaction(drawing.register(Transaction::default())).await?;
    Ok(drawing.decode(&mut values)?)
}

/// A drawing of the network still on the device: every layer's output for one image, and the
/// probabilities. Read alone ([`network_view`]) or with a training step's progress report
/// (`train::window`), so that the drawing follows a run without a read of its own.
pub struct Drawing {
    /// Each layer's description, and its output `[1, channels, height, width]`.
    layers: Vec<(ViewLayer, Tensor<4>)>,
    probabilities: Tensor<2>,
}

impl Drawing {
    /// Trace `model` (an inference copy) on `input`, `[1, 3, 32, 32]`, normalised as it reads.
    pub fn new(model: &Model, input: Tensor<4>) -> Self {
        let traced = model.trace(input).layers;
        let logits = traced
            .last()
            .expect("a trace ends with the logits")
            .output
            .clone();
        let layers = traced
            .iter()
            .map(|layer| {
                let [_, channels, height, width] = layer.output.dims();
                let head = ViewLayer {
                    name: layer.name.into(),
                    kind: layer.op.kind().into(),
                    group: layer.group.map(String::from),
                    reads: layer.reads.map(|i| traced[i].name.to_string()),
                    activation: layer.op.activation().map(String::from),
                    channels,
                    height,
                    width,
                    values: Vec::new(),
                };
                (head, layer.output.clone())
            })
            .collect();
        Self {
            layers,
            probabilities: softmax(logits.flatten::<2>(1, 3), 1),
        }
    }

    /// Add every output to `transaction`, in the order [`Drawing::decode`] takes them.
    pub fn register(&self, mut transaction: Transaction) -> Transaction {
        for (_, output) in &self.layers {
            transaction = transaction.register(output.clone());
        }
        transaction.register(self.probabilities.clone())
    }

    /// The view, from the values read back (each registered tensor's, in order).
    pub fn decode(
        &self,
        values: &mut impl Iterator<Item = Result<Vec<f32>, ReadError>>,
    ) -> Result<NetworkView, ReadError> {
        let mut layers = Vec::with_capacity(self.layers.len());
        for (head, _) in &self.layers {
            layers.push(ViewLayer {
                values: next(values)?,
                ..head.clone()
            });
        }
        Ok(NetworkView {
            layers,
            probabilities: next(values)?,
        })
    }
}

pub(super) fn next(
    values: &mut impl Iterator<Item = Result<Vec<f32>, ReadError>>,
) -> Result<Vec<f32>, ReadError> {
    values
        .next()
        .unwrap_or_else(|| Err(ReadError("a layer of the drawing was not read".into())))
}
