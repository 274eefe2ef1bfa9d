//! Data augmentation of training images: horizontal flips (at random, or airbench94's way: each
//! image's own random flip, and every image mirrored on alternate epochs) and random crops of the
//! image padded by a few pixels (black, or mirrored at the border), after an optional random
//! re-framing as photos are framed (`framing`), applied to the bytes before they become a batch.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::data::cifar::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE};
use crate::data::framing::Framing;

/// Which random changes each training image gets, fresh every time it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Augmentation {
    /// Mirror left-right with probability ½.
    pub flip: bool,
    /// Pad each side with this many black pixels, then cut a random 32×32 window (0 = off).
    pub crop_padding: usize,
    /// With `flip`: instead of a fresh coin per draw, each image has one random flip for the
    /// whole run, and on odd epochs every image is mirrored once more. Every image is then seen
    /// both ways round in any two epochs in a row.
    pub alternate_flip: bool,
    /// Pad by mirroring the image at its border instead of with black.
    pub reflect: bool,
    /// Re-frame images as photos are framed (smaller, larger, wider, off centre, softer) before
    /// the flip and crop; off by default.
    pub framing: Framing,
}

impl Augmentation {
    /// The usual CIFAR-10 recipe: random flip and random crop with 4-pixel padding.
    pub fn standard() -> Self {
        Self {
            flip: true,
            crop_padding: 4,
            alternate_flip: false,
            reflect: false,
            framing: Framing::default(),
        }
    }

    pub fn is_off(&self) -> bool {
        !self.flip && self.crop_padding == 0 && self.framing.is_off()
    }

    /// The random number generator of epoch `epoch`: the same for a resumed run.
    pub fn rng(seed: u64, epoch: usize) -> StdRng {
        StdRng::seed_from_u64(
            seed.rotate_left(17) ^ (epoch as u64).wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0xA5A5,
        )
    }

    /// Write an augmented copy of one CHW image into `out` (`IMAGE_BYTES` long). `drawn` names
    /// the image (its index in the split) and when it is drawn, for alternating flips.
    pub fn apply(&self, image: &[u8], drawn: Drawn, rng: &mut impl Rng, out: &mut [u8]) {
        debug_assert_eq!(image.len(), IMAGE_BYTES);
        let mut framed = [0u8; IMAGE_BYTES];
        let image = match self.framing.apply(image, rng, &mut framed) {
            true => &framed[..],
            false => image,
        };
        let flip = match (self.flip, self.alternate_flip) {
            (false, _) => false,
            (true, false) => rng.random_bool(0.5),
            (true, true) => drawn.own_flip() != (drawn.epoch % 2 == 1),
        };
        let pad = self.crop_padding.min(IMAGE_SIDE) as i32;
        let (dy, dx) = if pad > 0 {
            (rng.random_range(-pad..=pad), rng.random_range(-pad..=pad))
        } else {
            (0, 0)
        };
        let (dy, dx) = (dy as isize, dx as isize);
        let border = if self.reflect {
            Border::Mirror
        } else {
            Border::Black
        };
        shift_flip(image, dy, dx, flip, border, out);
    }
}

/// Which image is drawn, in which epoch of which run.
#[derive(Debug, Clone, Copy)]
pub struct Drawn {
    pub seed: u64,
    pub epoch: usize,
    pub index: usize,
}

impl Drawn {
    /// The image's own flip for the whole run: a hash of the seed and the index.
    fn own_flip(&self) -> bool {
        let mut x = self.seed ^ (self.index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 29;
        x & 1 == 1
    }
}

/// What fills the pixels a shift brings in from outside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    Black,
    /// The image mirrored at its edge (without repeating the edge pixel), as `reflect` padding.
    Mirror,
}

/// Mirror `i` back into `0..side` (for shifts smaller than the image).
fn reflect(i: isize, side: isize) -> isize {
    if i < 0 {
        -i
    } else if i >= side {
        2 * (side - 1) - i
    } else {
        i
    }
}

/// `out[c][y][x] = image[c][y + dy][x' + dx]` with `x'` mirrored when `flip`; pixels from
/// outside the image are black or mirrored (`border`). A shift by `(dy, dx)` is the crop at
/// offset `(pad + dy, pad + dx)` of the padded image.
pub fn shift_flip(image: &[u8], dy: isize, dx: isize, flip: bool, border: Border, out: &mut [u8]) {
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
                dst[(y * side + x) as usize] = match (inside, border) {
                    (true, _) => src[(sy * side + sx) as usize],
                    (false, Border::Black) => 0,
                    (false, Border::Mirror) => {
                        src[(reflect(sy, side) * side + reflect(sx, side)) as usize]
                    }
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAWN: Drawn = Drawn {
        seed: 1,
        epoch: 0,
        index: 0,
    };

    #[test]
    fn mirror_border_reflects_without_repeating_the_edge() {
        let image = ramp();
        let mut out = vec![0; IMAGE_BYTES];
        shift_flip(&image, 0, -2, false, Border::Mirror, &mut out);
        // Output columns 0 and 1 show image columns 2 and 1 (reflect padding), then 0, 1, ….
        assert_eq!(&out[..4], &[image[2], image[1], image[0], image[1]]);
    }

    #[test]
    fn alternate_flips_mirror_every_image_on_odd_epochs() {
        // airbench's flips (`model/airbench/recipe.rs`), without the crops.
        let aug = Augmentation {
            flip: true,
            alternate_flip: true,
            reflect: true,
            ..Augmentation::default()
        };
        let image = ramp();
        let mut rng = Augmentation::rng(1, 0);
        let (mut even, mut odd) = (vec![0; IMAGE_BYTES], vec![0; IMAGE_BYTES]);
        let mut flipped = 0;
        for index in 0..64 {
            let at = |epoch| Drawn {
                seed: 5,
                epoch,
                index,
            };
            aug.apply(&image, at(2), &mut rng, &mut even);
            aug.apply(&image, at(3), &mut rng, &mut odd);
            assert_ne!(even, odd, "image {index} is seen both ways round");
            flipped += usize::from(even != image);
        }
        // Each image's own flip is random: about half start mirrored.
        assert!((16..48).contains(&flipped), "{flipped} of 64");
    }

    fn ramp() -> Vec<u8> {
        (0..IMAGE_BYTES).map(|i| (i % 251) as u8 + 1).collect()
    }

    #[test]
    fn identity_without_shift_or_flip() {
        let image = ramp();
        let mut out = vec![0; IMAGE_BYTES];
        shift_flip(&image, 0, 0, false, Border::Black, &mut out);
        assert_eq!(out, image);
    }

    #[test]
    fn flip_mirrors_each_row() {
        let image = ramp();
        let mut out = vec![0; IMAGE_BYTES];
        shift_flip(&image, 0, 0, true, Border::Black, &mut out);
        assert_eq!(out[0], image[31]);
        assert_eq!(out[31], image[0]);
        assert_eq!(out[1024 + 32 * 5 + 2], image[1024 + 32 * 5 + 29]);
    }

    #[test]
    fn shift_fills_with_black() {
        let image = ramp();
        let mut out = vec![0; IMAGE_BYTES];
        shift_flip(&image, 4, -4, false, Border::Black, &mut out);
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
            aug.apply(&image, DRAWN, &mut rng, &mut out);
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
