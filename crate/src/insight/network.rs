//! The network drawn for one image (the page's diagram): every layer's output, and one unit
//! looked inside with the engine's own numbers: a convolution's filter, the input patch under
//! it, the sum and the activation; a pooling window and its maximum; a dense unit's inputs and
//! weights; the logits and their softmax. One device read each.

use burn::prelude::*;
use burn::tensor::Transaction;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::data::Normalization;
use crate::infer::{InferError, input_tensor};
use crate::model::Model;
use crate::model::trace::{Op, Traced};
use crate::train::read::read_transaction;

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

/// Which unit to look inside: a layer by name, and a channel (a unit of a dense layer) and a
/// position in its map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    let logits = layers.last().expect("a trace ends with the logits").output.clone();
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

fn next(
    values: &mut impl Iterator<Item = Result<Vec<f32>, crate::train::read::ReadError>>,
) -> Result<Vec<f32>, InferError> {
    Ok(values
        .next()
        .unwrap_or_else(|| Err(crate::train::read::ReadError("a layer was not read".into())))?)
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
    let at = layers
        .iter()
        .position(|l| l.name == query.layer)
        .ok_or_else(|| UnitError::NoLayer(query.layer.clone()))?;
    let layer = &layers[at];
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
    // Read: the unit's output (and sum), the layer it reads, and the unit's own weights.
    let pick = |t: &Tensor<4>| {
        t.clone()
            .slice([0..1, channel..channel + 1, y..y + 1, x..x + 1])
            .reshape([1])
    };
    let mut transaction = Transaction::default().register(pick(&layer.output));
    transaction = transaction.register(pick(layer.pre.as_ref().unwrap_or(&layer.output)));
    if let Some(reads) = reads {
        transaction = transaction.register(reads.output.clone().flatten::<1>(0, 3));
    }
    let mut logits = None;
    match &layer.op {
        Op::Conv { weight, bias, .. } => {
            let [_, c_in, k, _] = weight.dims();
            let w = weight.clone().slice([channel..channel + 1, 0..c_in, 0..k, 0..k]);
            transaction = transaction.register(w.flatten::<1>(0, 3));
            if let Some(b) = bias {
                transaction = transaction.register(b.clone().slice([channel..channel + 1]));
            }
        }
        Op::Dense {
            weight,
            bias,
            logits: is_logits,
            ..
        } => {
            let [d_in, _] = weight.dims();
            let w = weight.clone().slice([0..d_in, channel..channel + 1]);
            transaction = transaction.register(w.flatten::<1>(0, 1));
            if let Some(b) = bias {
                transaction = transaction.register(b.clone().slice([channel..channel + 1]));
            }
            if *is_logits {
                let all = layer.output.clone().flatten::<2>(1, 3);
                transaction = transaction
                    .register(all.clone().flatten::<1>(0, 1))
                    .register(softmax(all, 1).flatten::<1>(0, 1));
                logits = Some(());
            }
        }
        Op::Input | Op::Pool { .. } | Op::NormGelu => {}
    }
    let mut values = read_transaction(transaction).await.map_err(InferError::from)?;
    let value = next(&mut values)?[0];
    let sum = next(&mut values)?[0];
    let read = match reads {
        Some(_) => next(&mut values)?,
        None => Vec::new(),
    };
    Ok(detail(DetailIn {
        layer,
        reads,
        read,
        channel,
        y,
        x,
        value,
        sum,
        values: &mut values,
        logits: logits.is_some(),
    })?)
}

struct DetailIn<'a, I> {
    layer: &'a Traced,
    reads: Option<&'a Traced>,
    read: Vec<f32>,
    channel: usize,
    y: usize,
    x: usize,
    value: f32,
    sum: f32,
    values: &'a mut I,
    logits: bool,
}

/// The unit's detail from what was read, in the order `unit` registered it.
fn detail<I>(d: DetailIn<'_, I>) -> Result<UnitDetail, InferError>
where
    I: Iterator<Item = Result<Vec<f32>, crate::train::read::ReadError>>,
{
    let DetailIn {
        layer,
        reads,
        read,
        channel,
        y,
        x,
        value,
        sum,
        values,
        logits,
    } = d;
    // The layer read, `[c][h][w]`.
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
                        let (yy, xx) = ((y + ky).checked_sub(*padding), (x + kx).checked_sub(*padding));
                        patch.push(match (yy, xx) {
                            (Some(yy), Some(xx)) if yy < in_h && xx < in_w => at(c, yy, xx),
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
                    window.push(at(channel, y * size + ky, x * size + kx));
                }
            }
            UnitDetail::Pool {
                size: *size,
                window,
                value,
            }
        }
        Op::NormGelu => UnitDetail::Norm {
            input: at(channel, y, x),
            value,
        },
        Op::Dense {
            bias,
            activation,
            scale,
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

