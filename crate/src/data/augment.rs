//! Data augmentation of training images: random horizontal flips and random crops of the image
//! padded by a few pixels, applied to the bytes before they become a batch.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::data::cifar::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE};

/// Which random changes each training image gets, fresh every time it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Augmentation {
    /// Mirror left-right with probability ½.
    pub flip: bool,
    /// Pad each side with this many black pixels, then cut a random 32×32 window (0 = off).
    pub crop_padding: usize,
}

impl Augmentation {
    /// The usual CIFAR-10 recipe: random flip and random crop with 4-pixel padding.
    pub fn standard() -> Self {
        Self {
            flip: true,
            crop_padding: 4,
        }
    }

    pub fn is_off(&self) -> bool {
        !self.flip && self.crop_padding == 0
    }

    /// The random number generator of epoch `epoch`: the same for a resumed run.
    pub fn rng(seed: u64, epoch: usize) -> StdRng {
        StdRng::seed_from_u64(
            seed.rotate_left(17) ^ (epoch as u64).wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0xA5A5,
        )
    }

    /// Write an augmented copy of one CHW image into `out` (`IMAGE_BYTES` long).
    pub fn apply(&self, image: &[u8], rng: &mut impl Rng, out: &mut [u8]) {
        debug_assert_eq!(image.len(), IMAGE_BYTES);
        let flip = self.flip && rng.random_bool(0.5);
        let pad = self.crop_padding.min(IMAGE_SIDE) as i32;
        let (dy, dx) = if pad > 0 {
            (rng.random_range(-pad..=pad), rng.random_range(-pad..=pad))
        } else {
            (0, 0)
        };
        let (dy, dx) = (dy as isize, dx as isize);
        shift_flip(image, dy, dx, flip, out);
    }
}

/// `out[c][y][x] = image[c][y + dy][x' + dx]` with `x'` mirrored when `flip`; pixels from
/// outside the image are black. A shift by `(dy, dx)` is the crop at offset `(pad + dy, pad +
/// dx)` of the padded image.
pub fn shift_flip(image: &[u8], dy: isize, dx: isize, flip: bool, out: &mut [u8]) {
    let side = IMAGE_SIDE as isize;
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    for c in 0..CHANNELS {
        let src = &image[c * plane..(c + 1) * plane];
        let dst = &mut out[c * plane..(c + 1) * plane];
        for y in 0..side {
            let sy = y + dy;
            for x in 0..side {
                let mx = if flip { side - 1 - x } else { x };
                let sx = mx + dx;
                let inside = (0..side).contains(&sy) && (0..side).contains(&sx);
                dst[(y * side + x) as usize] = if inside {
                    src[(sy * side + sx) as usize]
                } else {
                    0
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Vec<u8> {
        (0..IMAGE_BYTES).map(|i| (i % 251) as u8 + 1).collect()
    }

    #[test]
    fn identity_without_shift_or_flip() {
        let image = ramp();
        let mut out = vec![0; IMAGE_BYTES];
        shift_flip(&image, 0, 0, false, &mut out);
        assert_eq!(out, image);
    }

    #[test]
    fn flip_mirrors_each_row() {
        let image = ramp();
        let mut out = vec![0; IMAGE_BYTES];
        shift_flip(&image, 0, 0, true, &mut out);
        assert_eq!(out[0], image[31]);
        assert_eq!(out[31], image[0]);
        assert_eq!(out[1024 + 32 * 5 + 2], image[1024 + 32 * 5 + 29]);
    }

    #[test]
    fn shift_fills_with_black() {
        let image = ramp();
        let mut out = vec![0; IMAGE_BYTES];
        shift_flip(&image, 4, -4, false, &mut out);
        // Row 0 of the output shows row 4 of the image, moved right by 4 pixels.
        assert_eq!(&out[..4], &[0, 0, 0, 0]);
        assert_eq!(out[4], image[4 * 32]);
        // The last 4 rows come from below the image: black.
        assert!(out[28 * 32..32 * 32].iter().all(|&p| p == 0));
    }

    #[test]
    fn random_draws_stay_within_the_padding() {
        let aug = Augmentation::standard();
        let mut rng = Augmentation::rng(1, 0);
        let image = vec![200u8; IMAGE_BYTES];
        let mut out = vec![0; IMAGE_BYTES];
        let mut flips_or_shifts = 0;
        for _ in 0..200 {
            aug.apply(&image, &mut rng, &mut out);
            // At most 4 black rows and 4 black columns.
            let black = out[..1024].iter().filter(|&&p| p == 0).count();
            assert!(black <= 32 * 4 * 2, "{black} black pixels");
            flips_or_shifts += usize::from(black > 0);
        }
        assert!(flips_or_shifts > 100);
    }

    #[test]
    fn same_seed_same_epoch_same_draws() {
        let a: Vec<u32> = (0..8).map(|_| Augmentation::rng(3, 2).random()).collect();
        let b: Vec<u32> = (0..8).map(|_| Augmentation::rng(3, 2).random()).collect();
        assert_eq!(a, b);
        let c: u32 = Augmentation::rng(3, 3).random();
        assert_ne!(a[0], c);
    }
}
