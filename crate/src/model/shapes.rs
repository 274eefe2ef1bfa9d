//! A network's layers as shapes, and the figures that follow from them without building it (the
//! WebGPU module has no CPU device to build one on): its parameter count, the floating-point
//! operations of one image's forward pass, and `kiln info`'s table. Tests hold them to the built
//! networks (`num_params`, `crate/tests/model.rs` and `crate/tests/airbench.rs`).

/// A part of a layer with weights, as the figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// A `k`×`k` convolution from `c_in` to `c_out` channels, computed at `side`×`side` outputs
    /// (before any pooling that follows it).
    Conv {
        k: usize,
        c_in: usize,
        c_out: usize,
        side: usize,
        bias: bool,
    },
    /// Batch normalisation of `channels`: burn counts its scale and shift and also its running
    /// mean and variance.
    Norm { channels: usize },
    /// A dense layer from `d_in` to `d_out` features.
    Dense {
        d_in: usize,
        d_out: usize,
        bias: bool,
    },
}

impl Weights {
    pub const fn parameters(&self) -> usize {
        match *self {
            Weights::Conv {
                k,
                c_in,
                c_out,
                bias,
                ..
            } => k * k * c_in * c_out + if bias { c_out } else { 0 },
            Weights::Norm { channels } => 4 * channels,
            Weights::Dense { d_in, d_out, bias } => d_in * d_out + if bias { d_out } else { 0 },
        }
    }

    /// Two per multiply-add of the weights, at every output position; biases, normalisation,
    /// activations and pooling are left out (a few per cent of the whole).
    pub const fn flops(&self) -> u64 {
        match *self {
            Weights::Conv {
                k,
                c_in,
                c_out,
                side,
                ..
            } => 2 * (k * k * c_in * c_out * side * side) as u64,
            Weights::Norm { .. } => 0,
            Weights::Dense { d_in, d_out, .. } => 2 * (d_in * d_out) as u64,
        }
    }
}

/// One row of `kiln info`'s table: a layer, or a few applied one after the other, with its
/// output shape for one image (no batch dimension) and its weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerShape {
    pub name: &'static str,
    pub output: &'static [usize],
    pub weights: &'static [Weights],
}

/// Parameters of all the layers.
pub const fn parameters(layers: &[LayerShape]) -> usize {
    let mut total = 0;
    let mut i = 0;
    while i < layers.len() {
        let mut j = 0;
        while j < layers[i].weights.len() {
            total += layers[i].weights[j].parameters();
            j += 1;
        }
        i += 1;
    }
    total
}

/// Floating-point operations of one image's forward pass through all the layers.
pub const fn forward_flops(layers: &[LayerShape]) -> u64 {
    let mut total = 0;
    let mut i = 0;
    while i < layers.len() {
        let mut j = 0;
        while j < layers[i].weights.len() {
            total += layers[i].weights[j].flops();
            j += 1;
        }
        i += 1;
    }
    total
}

/// Floating-point operations of one training image: the forward pass and a backward pass of
/// about twice its cost (the gradients of the inputs and of the weights).
pub const fn train_flops(layers: &[LayerShape]) -> u64 {
    3 * forward_flops(layers)
}

/// `flops` to the nearest 0.1 MFLOP, as the catalog and the docs state them.
pub const fn to_tenth_mflop(flops: u64) -> u64 {
    (flops + 50_000) / 100_000 * 100_000
}

/// One row of a model summary, as `kiln info --json` writes it: the output shape excludes the
/// batch dimension.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LayerInfo {
    pub name: String,
    pub output_shape: Vec<usize>,
    pub params: usize,
}

impl From<&LayerShape> for LayerInfo {
    fn from(layer: &LayerShape) -> Self {
        LayerInfo {
            name: layer.name.to_string(),
            output_shape: layer.output.to_vec(),
            params: parameters(std::slice::from_ref(layer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONV: Weights = Weights::Conv {
        k: 3,
        c_in: 2,
        c_out: 4,
        side: 5,
        bias: true,
    };

    #[test]
    fn a_convolution_counts_its_kernels_at_every_output() {
        assert_eq!(CONV.parameters(), 3 * 3 * 2 * 4 + 4);
        assert_eq!(CONV.flops(), 2 * 72 * 25);
        let layers = [LayerShape {
            name: "conv",
            output: &[4, 5, 5],
            weights: &[CONV, Weights::Norm { channels: 4 }],
        }];
        assert_eq!(parameters(&layers), 76 + 16);
        assert_eq!(train_flops(&layers), 3 * 3600);
        assert_eq!(to_tenth_mflop(9_097_216), 9_100_000);
        assert_eq!(to_tenth_mflop(236_249_999), 236_200_000);
    }
}
