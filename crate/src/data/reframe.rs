//! Test images re-framed the way users' photos are: a user's picture is not a tight, centred
//! 32×32 crop. Used by `kiln eval --reframe` to measure how a network holds up.
//!
//! - [`Reframe::Shrink`]: the object smaller in the frame: the image scaled to ¾ of its side in
//!   the centre, its border pixels extended to the edges.
//! - [`Reframe::Stretch`]: a non-square photo, as the page frames it: the image stretched to 4:3
//!   (43×32), then the centre 32×32 cut out (the page's "cover" crop).

use serde::{Deserialize, Serialize};

use crate::data::cifar::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reframe {
    Shrink,
    Stretch,
}

impl std::str::FromStr for Reframe {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "shrink" => Ok(Self::Shrink),
            "stretch" => Ok(Self::Stretch),
            _ => Err(format!("unknown re-framing {s:?} (shrink or stretch)")),
        }
    }
}

impl Reframe {
    /// The re-framed copy of one CHW image.
    pub fn apply(self, image: &[u8]) -> Vec<u8> {
        debug_assert_eq!(image.len(), IMAGE_BYTES);
        let side = IMAGE_SIDE as f32;
        // For each output pixel, where it samples the source (in source pixel coordinates).
        let map: Box<dyn Fn(f32, f32) -> (f32, f32)> = match self {
            Reframe::Shrink => {
                let scale = 0.75;
                let offset = side * (1.0 - scale) / 2.0;
                Box::new(move |x, y| ((x - offset) / scale, (y - offset) / scale))
            }
            Reframe::Stretch => {
                let width = side * 4.0 / 3.0;
                let crop = (width - side) / 2.0;
                Box::new(move |x, y| ((x + crop) * side / width, y))
            }
        };
        let mut out = vec![0u8; IMAGE_BYTES];
        let plane = IMAGE_SIDE * IMAGE_SIDE;
        for c in 0..CHANNELS {
            let src = &image[c * plane..(c + 1) * plane];
            for y in 0..IMAGE_SIDE {
                for x in 0..IMAGE_SIDE {
                    // Pixel centres at +0.5, bilinear, clamped at the border (extended edges).
                    let (sx, sy) = map(x as f32 + 0.5, y as f32 + 0.5);
                    out[c * plane + y * IMAGE_SIDE + x] = bilinear(src, sx - 0.5, sy - 0.5);
                }
            }
        }
        out
    }
}

/// The 32×32 plane's value at `(x, y)` in pixel coordinates (pixel centres at whole numbers),
/// bilinear, clamped at the border (the edge pixels extended).
pub(crate) fn bilinear(plane: &[u8], x: f32, y: f32) -> u8 {
    bilinear_f32(plane, IMAGE_SIDE, x, y)
        .round()
        .clamp(0.0, 255.0) as u8
}

/// The same for a `side`×`side` plane, unrounded.
pub(crate) fn bilinear_f32(plane: &[u8], side: usize, x: f32, y: f32) -> f32 {
    let max = (side - 1) as f32;
    let (x, y) = (x.clamp(0.0, max), y.clamp(0.0, max));
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(side - 1), (y0 + 1).min(side - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |x: usize, y: usize| plane[y * side + x] as f32;
    let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
    let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_image_stays_flat() {
        let image = vec![77u8; IMAGE_BYTES];
        assert_eq!(Reframe::Shrink.apply(&image), image);
        assert_eq!(Reframe::Stretch.apply(&image), image);
    }

    #[test]
    fn shrink_extends_the_border_and_keeps_the_centre() {
        // A bright square in the middle, dark elsewhere: shrunk, the dark border grows.
        let mut image = vec![0u8; IMAGE_BYTES];
        for y in 8..24 {
            for x in 8..24 {
                image[y * 32 + x] = 255;
            }
        }
        let out = Reframe::Shrink.apply(&image);
        let bright = |img: &[u8]| img[..1024].iter().filter(|&&p| p > 128).count();
        assert!(bright(&out) < bright(&image) * 3 / 4, "{}", bright(&out));
        assert_eq!(out[16 * 32 + 16], 255);
        assert_eq!(out[0], 0);
    }
}
