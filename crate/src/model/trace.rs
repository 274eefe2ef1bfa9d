//! A network traced layer by layer for one image, for the page's drawing of it: each layer's
//! output, the layer it reads, and the operation that made it, so that one unit can be looked
//! inside with the engine's own numbers (`crate::insight::network`).

use burn::nn::Linear;
use burn::nn::conv::Conv2d;
use burn::prelude::*;

/// How a traced layer was computed from the layer it reads.
#[derive(Clone)]
pub enum Op {
    /// The image, normalised as the network reads it.
    Input,
    /// A convolution, stride 1, then `activation`: `Σ w·x (+ b)` over a `kernel`×`kernel`
    /// window of every input channel, the input padded by `padding` zeros.
    Conv {
        weight: Tensor<4>,
        bias: Option<Tensor<1>>,
        padding: usize,
        activation: &'static str,
    },
    /// Max pooling over `size`×`size` windows, stride `size`.
    Pool { size: usize },
    /// Batch normalisation with its running statistics, then GELU (airbench).
    NormGelu,
    /// A dense layer on the flattened input, then `activation`; the sum is multiplied by
    /// `scale` (airbench's output scale; 1 elsewhere). `logits`: the network's output, which
    /// softmax turns into probabilities.
    Dense {
        weight: Tensor<2>,
        bias: Option<Tensor<1>>,
        activation: &'static str,
        scale: f32,
        logits: bool,
    },
}

impl Op {
    /// A convolution's weights and bias, as the operation reads them.
    pub fn conv(conv: &Conv2d, padding: usize, activation: &'static str) -> Self {
        Op::Conv {
            weight: conv.weight.val(),
            bias: conv.bias.as_ref().map(|b| b.val()),
            padding,
            activation,
        }
    }

    /// A hidden dense layer's weights (`[inputs, outputs]`) and bias.
    pub fn dense(linear: &Linear, activation: &'static str) -> Self {
        Op::Dense {
            weight: linear.weight.val(),
            bias: linear.bias.as_ref().map(|b| b.val()),
            activation,
            scale: 1.0,
            logits: false,
        }
    }

    /// The output layer: logits, `scale` times the sum.
    pub fn logits(linear: &Linear, scale: f32) -> Self {
        Op::Dense {
            weight: linear.weight.val(),
            bias: linear.bias.as_ref().map(|b| b.val()),
            activation: "linear",
            scale,
            logits: true,
        }
    }

    /// The operation's kind, as the page names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Conv { .. } => "conv",
            Op::Pool { .. } => "pool",
            Op::NormGelu => "norm",
            Op::Dense { logits: true, .. } => "output",
            Op::Dense { .. } => "dense",
        }
    }

    /// The activation after the sum, for the layers that have one.
    pub fn activation(&self) -> Option<&'static str> {
        match self {
            Op::Conv { activation, .. } | Op::Dense { activation, .. } => Some(activation),
            Op::NormGelu => Some("gelu"),
            _ => None,
        }
    }
}

/// One traced layer.
pub struct Traced {
    /// The name the page and the tests use (`conv1`, `pool1`, `block2`, `block2.conv1`…).
    pub name: &'static str,
    /// The block it belongs to (airbench's), drawn folded inside the block's own output.
    pub group: Option<&'static str>,
    /// The index of the traced layer it reads; `None` for the input.
    pub reads: Option<usize>,
    pub op: Op,
    /// Before the activation, for convolutions and dense layers: `[1, c, h, w]`.
    pub pre: Option<Tensor<4>>,
    /// The layer's output: `[1, c, h, w]`, a dense layer's as `[1, n, 1, 1]`.
    pub output: Tensor<4>,
}

/// Builds a trace layer by layer: each layer reads the one added before it unless told.
#[derive(Default)]
pub struct Tracer {
    pub layers: Vec<Traced>,
}

impl Tracer {
    /// Add a layer that reads the last one added (the input reads none).
    pub fn push(
        &mut self,
        name: &'static str,
        group: Option<&'static str>,
        op: Op,
        pre: Option<Tensor<4>>,
        output: Tensor<4>,
    ) -> Tensor<4> {
        let reads = self.layers.len().checked_sub(1);
        self.layers.push(Traced {
            name,
            group,
            reads,
            op,
            pre,
            output: output.clone(),
        });
        output
    }

    /// The last layer's output.
    pub fn last(&self) -> Tensor<4> {
        self.layers
            .last()
            .expect("a trace starts with its input")
            .output
            .clone()
    }
}

/// A `[1, n]` row as a `[1, n, 1, 1]` map stack, so every layer has the same rank.
pub fn as_maps(x: Tensor<2>) -> Tensor<4> {
    let [b, n] = x.dims();
    x.reshape([b, n, 1, 1])
}
