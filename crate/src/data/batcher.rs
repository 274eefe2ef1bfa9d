//! Turn images kept as bytes into float tensors, one batch at a time, in a seeded order.

use burn::prelude::*;
use burn::tensor::TensorData;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::data::augment::{Augmentation, Drawn};
use crate::data::cifar::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE, Split};

/// How pixels are scaled before they reach the network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Normalization {
    /// `x / 255`, as the seed's Keras program does.
    #[default]
    Unit,
    /// `(x / 255 - mean[c]) / std[c]` per channel.
    MeanStd {
        mean: [f32; CHANNELS],
        std: [f32; CHANNELS],
    },
}

impl Normalization {
    /// Per-channel mean/std measured on a split (normally the training set).
    pub fn mean_std_of(split: &Split) -> Self {
        let (mean, std) = split.channel_stats();
        Normalization::MeanStd {
            mean,
            std: std.map(|s| s.max(1e-6)),
        }
    }

    /// Scale and shift per channel: `x_byte * scale[c] + shift[c]`.
    fn affine(&self) -> ([f32; CHANNELS], [f32; CHANNELS]) {
        match *self {
            Normalization::Unit => ([1.0 / 255.0; CHANNELS], [0.0; CHANNELS]),
            Normalization::MeanStd { mean, std } => {
                let mut scale = [0.0; CHANNELS];
                let mut shift = [0.0; CHANNELS];
                for c in 0..CHANNELS {
                    scale[c] = 1.0 / (255.0 * std[c]);
                    shift[c] = -mean[c] / std[c];
                }
                (scale, shift)
            }
        }
    }

    /// Convert one image's bytes (CHW) to floats, appending to `out`.
    pub fn extend_floats(&self, image: &[u8], out: &mut Vec<f32>) {
        let (scale, shift) = self.affine();
        let plane = IMAGE_SIDE * IMAGE_SIDE;
        for (c, channel) in image.chunks_exact(plane).enumerate() {
            out.extend(channel.iter().map(|&p| p as f32 * scale[c] + shift[c]));
        }
    }
}

/// Images and labels of one batch, on the device.
#[derive(Debug, Clone)]
pub struct Batch {
    /// `[batch, 3, 32, 32]`
    pub images: Tensor<4>,
    /// `[batch]`
    pub targets: Tensor<1, Int>,
}

/// Builds batches of a split on a device.
#[derive(Debug, Clone)]
pub struct Batcher {
    pub normalization: Normalization,
    pub device: Device,
}

impl Batcher {
    pub fn new(normalization: Normalization, device: Device) -> Self {
        Self {
            normalization,
            device,
        }
    }

    /// The batch made of the images at `indices`.
    pub fn batch(&self, split: &Split, indices: &[usize]) -> Batch {
        self.build(split, indices, None)
    }

    /// The batch made of the images at `indices`, each changed at random by `augmentation`,
    /// in epoch `epoch` of a run seeded with `seed`.
    pub fn augmented_batch(
        &self,
        split: &Split,
        indices: &[usize],
        augmentation: &Augmentation,
        (seed, epoch): (u64, usize),
        rng: &mut StdRng,
    ) -> Batch {
        if augmentation.is_off() {
            return self.batch(split, indices);
        }
        self.build(split, indices, Some((augmentation, (seed, epoch), rng)))
    }

    fn build(
        &self,
        split: &Split,
        indices: &[usize],
        mut augment: Option<(&Augmentation, (u64, usize), &mut StdRng)>,
    ) -> Batch {
        let mut pixels = Vec::with_capacity(indices.len() * IMAGE_BYTES);
        let mut changed = vec![0u8; IMAGE_BYTES];
        for &i in indices {
            let image = match augment.as_mut() {
                Some((augmentation, (seed, epoch), rng)) => {
                    let drawn = Drawn {
                        seed: *seed,
                        epoch: *epoch,
                        index: i,
                    };
                    augmentation.apply(split.image(i), drawn, *rng, &mut changed);
                    &changed[..]
                }
                None => split.image(i),
            };
            self.normalization.extend_floats(image, &mut pixels);
        }
        let labels: Vec<i64> = indices.iter().map(|&i| split.labels()[i] as i64).collect();
        let n = indices.len();
        let images = Tensor::from_data(
            TensorData::new(pixels, [n, CHANNELS, IMAGE_SIDE, IMAGE_SIDE]),
            &self.device,
        );
        let targets = Tensor::from_data(TensorData::new(labels, [n]), &self.device);
        Batch { images, targets }
    }
}

/// The order in which epoch `epoch` visits a split of `len` images: a permutation that depends
/// only on `(seed, epoch)`, so a run (or a resumed run) is reproducible from its seed.
pub fn epoch_order(len: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut rng = StdRng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    order.shuffle(&mut rng);
    order
}
