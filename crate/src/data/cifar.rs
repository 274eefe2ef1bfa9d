//! The CIFAR-10 binary format: records of one label byte followed by 3,072 pixel bytes
//! (the R, G and B planes of a 32×32 image, each row-major).

use crate::data::error::DataError;

pub use crate::data::format::{
    CHANNELS, CLASS_NAMES, IMAGE_BYTES, IMAGE_SIDE, NUM_CLASSES, RECORD_BYTES,
};

/// A set of images kept as bytes (3,072 per image, CHW order) with one label byte each:
/// the full training set is 150 MB this way instead of 600 MB of `f32`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl Split {
    /// A copy with every image changed by `f` (same labels).
    pub fn map_images(&self, f: impl Fn(&[u8]) -> Vec<u8>) -> Self {
        Self {
            pixels: self.pixels.chunks_exact(IMAGE_BYTES).flat_map(f).collect(),
            labels: self.labels.clone(),
        }
    }

    /// Parse one batch file's bytes and append its records. `name` is used in errors.
    pub fn append_batch_file(&mut self, name: &str, bytes: &[u8]) -> Result<(), DataError> {
        let name = name.to_string();
        if bytes.is_empty() {
            return Err(DataError::Empty { name });
        }
        if !bytes.len().is_multiple_of(RECORD_BYTES) {
            return Err(DataError::BadSize {
                name,
                len: bytes.len(),
            });
        }
        // Validate everything before touching `self`, so a bad file leaves the split as it was.
        if let Some((record, chunk)) = bytes
            .chunks_exact(RECORD_BYTES)
            .enumerate()
            .find(|(_, r)| r[0] as usize >= NUM_CLASSES)
        {
            return Err(DataError::BadLabel {
                name,
                record,
                label: chunk[0],
            });
        }
        let records = bytes.len() / RECORD_BYTES;
        self.pixels.reserve(records * IMAGE_BYTES);
        self.labels.reserve(records);
        for record in bytes.chunks_exact(RECORD_BYTES) {
            self.labels.push(record[0]);
            self.pixels.extend_from_slice(&record[1..]);
        }
        Ok(())
    }

    /// `images` images of deterministic noise labelled 0, 1, …, 9 in turn. For benchmarks and
    /// tests of the training machinery only: this is not CIFAR-10 and never stands in for it.
    pub fn noise(images: usize, seed: u64) -> Self {
        let mut state = seed | 1;
        let mut pixels = Vec::with_capacity(images * IMAGE_BYTES);
        for _ in 0..images * IMAGE_BYTES {
            // xorshift64: fast, and identical on every platform.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            pixels.push(state as u8);
        }
        let labels = (0..images).map(|i| (i % NUM_CLASSES) as u8).collect();
        Self { pixels, labels }
    }

    /// Make room for `images` more images.
    pub fn reserve(&mut self, images: usize) {
        self.pixels.reserve(images * IMAGE_BYTES);
        self.labels.reserve(images);
    }

    /// Append all images of `other`, keeping their order.
    pub fn extend(&mut self, other: Split) {
        if self.is_empty() && self.pixels.capacity() == 0 {
            *self = other;
        } else {
            self.pixels.extend_from_slice(&other.pixels);
            self.labels.extend_from_slice(&other.labels);
        }
    }

    /// Serialise back to the official record layout (label byte, then pixels).
    pub fn to_batch_file(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * RECORD_BYTES);
        for (label, image) in self
            .labels
            .iter()
            .zip(self.pixels.chunks_exact(IMAGE_BYTES))
        {
            out.push(*label);
            out.extend_from_slice(image);
        }
        out
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The 3,072 bytes of image `index` (R plane, G plane, B plane).
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_BYTES..(index + 1) * IMAGE_BYTES]
    }

    /// Keep only the first `limit` images (a quick run on a subset).
    pub fn truncate(&mut self, limit: usize) {
        if limit < self.len() {
            self.labels.truncate(limit);
            self.pixels.truncate(limit * IMAGE_BYTES);
        }
    }

    /// Images per class, indexed by label.
    pub fn class_counts(&self) -> [usize; NUM_CLASSES] {
        let mut counts = [0; NUM_CLASSES];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// Per-channel mean and standard deviation of the pixels on the 0–1 scale.
    pub fn channel_stats(&self) -> ([f32; CHANNELS], [f32; CHANNELS]) {
        let plane = IMAGE_SIDE * IMAGE_SIDE;
        let mut sum = [0f64; CHANNELS];
        let mut sum_sq = [0f64; CHANNELS];
        for image in self.pixels.chunks_exact(IMAGE_BYTES) {
            for (c, channel) in image.chunks_exact(plane).enumerate() {
                // Integer sums per plane are exact and much faster than per-pixel f64 work.
                let (s, s2) = channel.iter().fold((0u64, 0u64), |(s, s2), &p| {
                    (s + p as u64, s2 + (p as u64) * (p as u64))
                });
                sum[c] += s as f64;
                sum_sq[c] += s2 as f64;
            }
        }
        let n = (self.len() * plane).max(1) as f64;
        let mut mean = [0f32; CHANNELS];
        let mut std = [0f32; CHANNELS];
        for c in 0..CHANNELS {
            let m = sum[c] / n / 255.0;
            let var = (sum_sq[c] / n / (255.0 * 255.0) - m * m).max(0.0);
            mean[c] = m as f32;
            std[c] = var.sqrt() as f32;
        }
        (mean, std)
    }
}

/// CIFAR-10 in memory: the training and test splits and the class names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cifar10 {
    pub train: Split,
    pub test: Split,
    pub class_names: Vec<String>,
}

impl Default for Cifar10 {
    fn default() -> Self {
        Self {
            train: Split::default(),
            test: Split::default(),
            class_names: CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
        }
    }
}
