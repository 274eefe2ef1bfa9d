//! Training images re-framed at random the way users' photos are framed: the object smaller or
//! larger in the frame, off centre, the picture wider or taller than square, its detail softer
//! (a small photo enlarged). Part of [`Augmentation`](crate::data::Augmentation); off unless a
//! run asks for it (the `framing` setting). `kiln eval --reframe` measures what it is for.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::data::cifar::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE};
use crate::data::reframe::bilinear_f32;

/// How often, and how far, images are re-framed. The default is off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Framing {
    /// Share of the images drawn that are re-framed (0: none).
    pub rate: f32,
    /// Smallest scale of the image in the frame (0.6: shrunk to 60% of the side, its border
    /// pixels extended to the edges), at most 1.
    pub min_scale: f32,
    /// Largest scale (1.25: the centre 80% of the image enlarged to the frame), at least 1.
    pub max_scale: f32,
    /// The image up to this many times wider than tall, or taller than wide (1: square).
    pub max_aspect: f32,
    /// Share of the re-framed images first brought down to between 16 and 31 pixels a side
    /// and enlarged back: softer detail, as in a small photo.
    pub soften: f32,
}

impl Default for Framing {
    fn default() -> Self {
        Self {
            rate: 0.0,
            min_scale: 1.0,
            max_scale: 1.0,
            max_aspect: 1.0,
            soften: 0.0,
        }
    }
}

impl Framing {
    pub fn is_off(&self) -> bool {
        self.rate <= 0.0
    }

    /// Write a re-framed copy of one CHW image into `out` and return true, or return false
    /// (and leave `out` alone) when this draw keeps the image as it is. Draws from `rng` only
    /// when on, so runs without framing draw exactly as before it existed.
    pub fn apply(&self, image: &[u8], rng: &mut impl Rng, out: &mut [u8]) -> bool {
        debug_assert_eq!(image.len(), IMAGE_BYTES);
        if self.is_off() || !rng.random_bool(f64::from(self.rate.min(1.0))) {
            return false;
        }
        let scale = log_uniform(rng, self.min_scale, self.max_scale);
        let aspect = log_uniform(rng, 1.0 / self.max_aspect, self.max_aspect);
        let (sx, sy) = (scale * aspect.sqrt(), scale / aspect.sqrt());
        let side = IMAGE_SIDE as f32;
        let (cx, cy) = (centre(rng, sx), centre(rng, sy));
        let softened = self.soften > 0.0 && rng.random_bool(f64::from(self.soften.min(1.0)));
        let small = softened.then(|| rng.random_range(16..IMAGE_SIDE));
        let plane = IMAGE_SIDE * IMAGE_SIDE;
        let mut source = [0u8; IMAGE_SIDE * IMAGE_SIDE];
        for c in 0..CHANNELS {
            let src = &image[c * plane..(c + 1) * plane];
            let src = match small {
                Some(n) => {
                    soften(src, n, &mut source);
                    &source[..]
                }
                None => src,
            };
            // Each output pixel: the mean of 2×2 samples under it, so a shrunk image is
            // averaged rather than sampled (as the page's area average does).
            for y in 0..IMAGE_SIDE {
                for x in 0..IMAGE_SIDE {
                    let mut sum = 0.0;
                    for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                        let px = (x as f32 + ox - cx) / sx + side / 2.0 - 0.5;
                        let py = (y as f32 + oy - cy) / sy + side / 2.0 - 0.5;
                        sum += bilinear_f32(src, IMAGE_SIDE, px, py);
                    }
                    out[c * plane + y * IMAGE_SIDE + x] =
                        (sum / 4.0).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        true
    }
}

/// A number between `lo` and `hi` whose logarithm is uniform (so ×0.8 is as likely as ×1.25).
fn log_uniform<R: Rng + ?Sized>(rng: &mut R, lo: f32, hi: f32) -> f32 {
    let (lo, hi) = (lo.ln(), hi.ln());
    if hi > lo {
        rng.random_range(lo..=hi).exp()
    } else {
        lo.exp()
    }
}

/// The image's centre on one axis when scaled by `s`: anywhere that keeps it covering the
/// frame (enlarged) or inside it (shrunk).
fn centre<R: Rng + ?Sized>(rng: &mut R, s: f32) -> f32 {
    let side = IMAGE_SIDE as f32;
    let slack = (side * s - side).abs() / 2.0;
    side / 2.0
        + if slack > 0.0 {
            rng.random_range(-slack..=slack)
        } else {
            0.0
        }
}

/// One 32×32 plane brought down to `n`×`n` (each small pixel the mean of 4×4 samples under
/// it) and enlarged back to 32×32 (bilinear), into `out`.
fn soften(plane: &[u8], n: usize, out: &mut [u8]) {
    let side = IMAGE_SIDE as f32;
    let ratio = side / n as f32;
    // At most 31×31 (`n` < 32), on the stack: this runs for every softened training image.
    let mut small = [0u8; IMAGE_SIDE * IMAGE_SIDE];
    for y in 0..n {
        for x in 0..n {
            let mut sum = 0.0;
            for i in 0..4 {
                for j in 0..4 {
                    let px = (x as f32 + (j as f32 + 0.5) / 4.0) * ratio - 0.5;
                    let py = (y as f32 + (i as f32 + 0.5) / 4.0) * ratio - 0.5;
                    sum += bilinear_f32(plane, IMAGE_SIDE, px, py);
                }
            }
            small[y * n + x] = (sum / 16.0).round().clamp(0.0, 255.0) as u8;
        }
    }
    for y in 0..IMAGE_SIDE {
        for x in 0..IMAGE_SIDE {
            let px = (x as f32 + 0.5) / ratio - 0.5;
            let py = (y as f32 + 0.5) / ratio - 0.5;
            let value = bilinear_f32(&small[..n * n], n, px, py);
            out[y * IMAGE_SIDE + x] = value.round().clamp(0.0, 255.0) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Augmentation;

    fn photo() -> Framing {
        Framing {
            rate: 1.0,
            min_scale: 0.6,
            max_scale: 1.25,
            max_aspect: 1.4,
            soften: 0.25,
        }
    }

    /// A bright square in the middle of a dark image.
    fn square() -> Vec<u8> {
        let mut image = vec![0u8; IMAGE_BYTES];
        for c in 0..CHANNELS {
            for y in 8..24 {
                for x in 8..24 {
                    image[c * 1024 + y * 32 + x] = 255;
                }
            }
        }
        image
    }

    fn bright(image: &[u8]) -> usize {
        image[..1024].iter().filter(|&&p| p > 128).count()
    }

    #[test]
    fn off_draws_nothing_and_changes_nothing() {
        let mut rng = Augmentation::rng(1, 0);
        let mut out = vec![9u8; IMAGE_BYTES];
        assert!(!Framing::default().apply(&square(), &mut rng, &mut out));
        assert!(out.iter().all(|&p| p == 9));
        // The generator was not advanced.
        let next: u64 = rng.random();
        assert_eq!(next, Augmentation::rng(1, 0).random::<u64>());
    }

    #[test]
    fn a_flat_image_stays_flat() {
        let mut rng = Augmentation::rng(2, 0);
        let mut out = vec![0u8; IMAGE_BYTES];
        for _ in 0..20 {
            assert!(photo().apply(&vec![77u8; IMAGE_BYTES], &mut rng, &mut out));
            assert!(out.iter().all(|&p| p == 77));
        }
    }

    #[test]
    fn the_object_grows_and_shrinks_within_the_scales() {
        let image = square();
        let mut rng = Augmentation::rng(3, 0);
        let mut out = vec![0u8; IMAGE_BYTES];
        let (mut smaller, mut larger) = (0, 0);
        for _ in 0..200 {
            photo().apply(&image, &mut rng, &mut out);
            let area = bright(&out) as f32 / bright(&image) as f32;
            // Scales 0.6–1.25 on each side (with the aspect change, up to 1.25·√1.4 on one).
            assert!((0.25..2.0).contains(&area), "area ×{area}");
            smaller += usize::from(area < 0.8);
            larger += usize::from(area > 1.2);
        }
        assert!(
            smaller > 30 && larger > 30,
            "{smaller} smaller, {larger} larger"
        );
    }

    #[test]
    fn shrunk_images_move_off_centre() {
        let framing = Framing {
            min_scale: 0.6,
            max_scale: 0.6,
            max_aspect: 1.0,
            soften: 0.0,
            ..photo()
        };
        let image = square();
        let mut rng = Augmentation::rng(4, 0);
        let mut out = vec![0u8; IMAGE_BYTES];
        let mut centres = std::collections::HashSet::new();
        for _ in 0..50 {
            framing.apply(&image, &mut rng, &mut out);
            let (mut sx, mut n) = (0usize, 0usize);
            for (i, &p) in out[..1024].iter().enumerate() {
                if p > 128 {
                    sx += i % 32;
                    n += 1;
                }
            }
            centres.insert(sx / n.max(1));
        }
        assert!(centres.len() > 3, "the object's column: {centres:?}");
    }

    #[test]
    fn softening_blurs_an_edge() {
        // Left half dark, right half bright: softened, the edge gets in-between values.
        let mut image = vec![0u8; 1024];
        for y in 0..32 {
            for x in 16..32 {
                image[y * 32 + x] = 255;
            }
        }
        let mut out = vec![0u8; 1024];
        soften(&image, 16, &mut out);
        let between = out.iter().filter(|&&p| p > 20 && p < 235).count();
        assert!(between >= 32, "{between} pixels between dark and bright");
        assert_eq!(out[0], 0);
        assert_eq!(out[31], 255);
    }
}
