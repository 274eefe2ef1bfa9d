//! One unit of the drawn network looked inside, with the engine's own numbers: a
//! convolution's filter, the input patch under it, the sum and the activation; a pooling window
//! and its maximum; BatchNorm and GELU; a dense unit's inputs and weights; the logits and their
//! softmax. One device read.

use burn::prelude::*;
use burn::tensor::Transaction;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::data::Normalization;
use crate::infer::{InferError, input_tensor};
use crate::insight::network::next;
use crate::model::Model;
use crate::model::trace::{Op, Traced};
use crate::read::{ReadError, read_transaction};

/// Which unit to look inside: a layer by name, and a channel (a unit of a dense layer) and a
/// position in its map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct UnitQuery {
    pub layer: String,
    pub channel: usize,
    #[serde(default)]
    pub y: usize,
    #[serde(default)]
    pub x: usize,
}

/// One unit, looked inside. The numbers are the engine's: `sum` and `value` were computed by
/// the network's own layers, not from the terms shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum UnitDetail {
    /// A pixel of the (normalised) input.
    Input { value: f32 },
    /// `value = activation(sum)`, `sum = Σ weights·patch + bias`; `weights` and `patch` are
    /// `[channels_in][kernel][kernel]`, the patch zero where it lies in the padding.
    Conv {
        channels_in: usize,
        kernel: usize,
        padding: usize,
        weights: Vec<f32>,
        patch: Vec<f32>,
        bias: Option<f32>,
        sum: f32,
        activation: String,
        value: f32,
    },
    /// `value = max(window)`, the `size`×`size` window of the layer read.
    Pool {
        size: usize,
        window: Vec<f32>,
        value: f32,
    },
    /// BatchNorm then GELU of the same position of the layer read: `input` in, `value` out.
    Norm { input: f32, value: f32 },
    /// `value = activation(scale · (Σ weights·inputs + bias))` over every input of the
    /// flattened layer read; for the output layer also every logit and its probability.
    Dense {
        weights: Vec<f32>,
        inputs: Vec<f32>,
        bias: Option<f32>,
        scale: f32,
        sum: f32,
        activation: String,
        value: f32,
        logits: Option<Vec<f32>>,
        probabilities: Option<Vec<f32>>,
    },
}

/// Unit queries that name no such unit.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UnitError {
    #[error("the network has no layer {0:?}")]
    NoLayer(String),
    #[error("layer {layer} has no unit ({channel}, {y}, {x}): it is {channels}×{height}×{width}")]
    NoUnit {
        layer: String,
        channel: usize,
        y: usize,
        x: usize,
        channels: usize,
        height: usize,
        width: usize,
    },
}

/// Look inside one unit of `model` for one CHW image. One device read.
pub async fn unit(
    model: &Model,
    normalization: Normalization,
    chw: &[u8],
    query: &UnitQuery,
    device: &Device,
) -> Result<UnitDetail, UnitLookError> {
    let model = model.valid();
    let input = input_tensor(normalization, chw, device)?;
    let layers = model.trace(input).layers;
    let layer = layers
        .iter()
        .find(|l| l.name == query.layer)
        .ok_or_else(|| UnitError::NoLayer(query.layer.clone()))?;
    let [_, channels, height, width] = layer.output.dims();
    let UnitQuery { channel, y, x, .. } = *query;
    if channel >= channels || y >= height || x >= width {
        Err(UnitError::NoUnit {
            layer: query.layer.clone(),
            channel,
            y,
            x,
            channels,
            height,
            width,
        })?;
    }
    let reads = layer.reads.map(|i| &layers[i]);
    let values = read_transaction(register(layer, reads, query))
        .await
        .map_err(InferError::from)?;
    Ok(detail(layer, reads, query, values)?)
}

/// What a unit's detail needs, in the order [`detail`] takes it: the unit's output and sum, the
/// layer it reads, then its own weights and bias, and for the output layer every logit and
/// probability.
fn register(layer: &Traced, reads: Option<&Traced>, q: &UnitQuery) -> Transaction {
    let c = q.channel;
    let pick = |t: &Tensor<4>| {
        t.clone()
            .slice([0..1, c..c + 1, q.y..q.y + 1, q.x..q.x + 1])
            .reshape([1])
    };
    let mut t = Transaction::default()
        .register(pick(&layer.output))
        .register(pick(layer.pre.as_ref().unwrap_or(&layer.output)));
    if let Some(reads) = reads {
        t = t.register(reads.output.clone().flatten::<1>(0, 3));
    }
    let (weights, bias) = match &layer.op {
        Op::Conv { weight, bias, .. } => {
            let [_, c_in, k, _] = weight.dims();
            let w = weight.clone().slice([c..c + 1, 0..c_in, 0..k, 0..k]);
            (Some(w.flatten::<1>(0, 3)), bias)
        }
        Op::Dense { weight, bias, .. } => {
            let [d_in, _] = weight.dims();
            let w = weight.clone().slice([0..d_in, c..c + 1]);
            (Some(w.flatten::<1>(0, 1)), bias)
        }
        Op::Input | Op::Pool { .. } | Op::NormGelu => (None, &None),
    };
    if let Some(w) = weights {
        t = t.register(w);
    }
    if let Some(b) = bias {
        t = t.register(b.clone().narrow(0, c, 1));
    }
    if let Op::Dense { logits: true, .. } = layer.op {
        let all = layer.output.clone().flatten::<2>(1, 3);
        t = t
            .register(all.clone().flatten::<1>(0, 1))
            .register(softmax(all, 1).flatten::<1>(0, 1));
    }
    t
}

/// The unit's detail from what [`register`] had read.
fn detail(
    layer: &Traced,
    reads: Option<&Traced>,
    q: &UnitQuery,
    mut values: impl Iterator<Item = Result<Vec<f32>, ReadError>>,
) -> Result<UnitDetail, InferError> {
    let values = &mut values;
    let value = next(values)?[0];
    let sum = next(values)?[0];
    // The layer read, `[c][h][w]`.
    let read = match reads {
        Some(_) => next(values)?,
        None => Vec::new(),
    };
    let [_, _, in_h, in_w] = reads.map_or([0; 4], |r| r.output.dims());
    let at = |c: usize, yy: usize, xx: usize| read[(c * in_h + yy) * in_w + xx];
    Ok(match &layer.op {
        Op::Input => UnitDetail::Input { value },
        Op::Conv {
            weight,
            bias,
            padding,
            activation,
        } => {
            let [_, c_in, k, _] = weight.dims();
            let weights = next(values)?;
            let bias = match bias {
                Some(_) => Some(next(values)?[0]),
                None => None,
            };
            let mut patch = Vec::with_capacity(c_in * k * k);
            for c in 0..c_in {
                for ky in 0..k {
                    for kx in 0..k {
                        let yy = (q.y + ky).checked_sub(*padding).filter(|&v| v < in_h);
                        let xx = (q.x + kx).checked_sub(*padding).filter(|&v| v < in_w);
                        patch.push(match (yy, xx) {
                            (Some(yy), Some(xx)) => at(c, yy, xx),
                            _ => 0.0,
                        });
                    }
                }
            }
            UnitDetail::Conv {
                channels_in: c_in,
                kernel: k,
                padding: *padding,
                weights,
                patch,
                bias,
                sum,
                activation: activation.to_string(),
                value,
            }
        }
        Op::Pool { size } => {
            let mut window = Vec::with_capacity(size * size);
            for ky in 0..*size {
                for kx in 0..*size {
                    window.push(at(q.channel, q.y * size + ky, q.x * size + kx));
                }
            }
            UnitDetail::Pool {
                size: *size,
                window,
                value,
            }
        }
        Op::NormGelu => UnitDetail::Norm {
            input: at(q.channel, q.y, q.x),
            value,
        },
        Op::Dense {
            bias,
            activation,
            scale,
            logits,
            ..
        } => {
            let weights = next(values)?;
            let bias = match bias {
                Some(_) => Some(next(values)?[0]),
                None => None,
            };
            let (logits, probabilities) = match logits {
                true => (Some(next(values)?), Some(next(values)?)),
                false => (None, None),
            };
            UnitDetail::Dense {
                weights,
                inputs: read,
                bias,
                scale: *scale,
                sum,
                activation: activation.to_string(),
                value,
                logits,
                probabilities,
            }
        }
    })
}

/// Why a unit could not be looked inside.
#[derive(Debug, thiserror::Error)]
pub enum UnitLookError {
    #[error(transparent)]
    Unit(#[from] UnitError),
    #[error(transparent)]
    Infer(#[from] InferError),
}
