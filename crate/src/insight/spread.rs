//! How one hidden layer's outputs are spread over a look's batch: the figures measured on the
//! device (the share at zero, the share saturated, the range) and a sample of the outputs read
//! back for the histogram. `measure` registers them with the rest of a look.

use burn::prelude::*;

use crate::insight::BINS;

/// Values of each hidden layer read back for its histogram: the outputs of as many of the
/// batch's first images as fit (at least one image).
const SAMPLE_VALUES: usize = 65_536;

/// One hidden layer's figures: `[zeros, saturated, min, max]` over the whole batch, the sample
/// of outputs for the histogram, and how many outputs there were.
pub(super) struct Hidden {
    pub(super) name: String,
    pub(super) figures: Tensor<1>,
    pub(super) sample: Tensor<1>,
    pub(super) count: usize,
}

/// The figures of one hidden layer's outputs, `[images, features]`; the saturated ones are
/// counted only for an activation that saturates.
pub(super) fn hidden(name: &str, outputs: Tensor<2>, saturating: bool) -> Hidden {
    let [images, features] = outputs.dims();
    let count = images * features;
    let sample_images = (SAMPLE_VALUES / features.max(1)).clamp(1, images.max(1));
    let sample = outputs
        .clone()
        .narrow(0, 0, sample_images.min(images))
        .flatten::<1>(0, 1);
    let flat = outputs.flatten::<1>(0, 1);
    let zeros = flat.clone().equal_elem(0.0).int().sum().float();
    let saturated = if saturating {
        let low = flat.clone().lower_elem(0.05);
        low.bool_or(flat.clone().greater_elem(0.95))
            .int()
            .sum()
            .float()
    } else {
        Tensor::zeros([1], &flat.device())
    };
    let figures = Tensor::cat(vec![zeros, saturated, flat.clone().min(), flat.max()], 0);
    Hidden {
        name: name.to_string(),
        figures,
        sample,
        count,
    }
}

/// `BINS` counts of `values` (a sample of a layer's outputs) over the range `[min, max]` of all
/// of them.
pub(super) fn histogram(values: &[f32], min: f32, max: f32) -> Vec<u32> {
    let width = (max - min).max(f32::EPSILON);
    let mut histogram = vec![0u32; BINS];
    for v in values.iter().filter(|v| v.is_finite()) {
        let bin = (((v - min) / width) * BINS as f32).max(0.0) as usize;
        histogram[bin.min(BINS - 1)] += 1;
    }
    histogram
}
