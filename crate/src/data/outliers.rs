//! Pictures of none of the ten classes, generated in code (nothing downloaded), to calibrate
//! the "not sure" answer: what a network says of noise, flat colours, gradients, stripes,
//! checkerboards, text-like marks and mosaics of shuffled test-image patches (every patch real,
//! no object left whole). `kiln eval --calibrate` classifies them.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::data::cifar::{IMAGE_BYTES, IMAGE_SIDE, Split};

/// One kind of generated picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outlier {
    Noise,
    Flat,
    Gradient,
    Stripes,
    Checkerboard,
    Text,
    Mosaic,
}

impl Outlier {
    pub const ALL: [Outlier; 7] = [
        Outlier::Noise,
        Outlier::Flat,
        Outlier::Gradient,
        Outlier::Stripes,
        Outlier::Checkerboard,
        Outlier::Text,
        Outlier::Mosaic,
    ];

    /// One CHW picture of this kind; `source` gives the mosaic its patches (a test split).
    pub fn draw(self, rng: &mut StdRng, source: &Split) -> Vec<u8> {
        let [a, b] = [colour(rng), colour(rng)];
        match self {
            Outlier::Noise => (0..IMAGE_BYTES).map(|_| rng.random()).collect(),
            Outlier::Flat => paint(|_, _| a),
            Outlier::Gradient => {
                let angle = rng.random_range(0.0..std::f32::consts::TAU);
                let (dx, dy) = (angle.cos(), angle.sin());
                // Position along the direction, 0 at one corner of the square and 1 at the other.
                let span = dx.abs() + dy.abs();
                paint(|x, y| {
                    let t = ((x as f32 / 31.0 - 0.5) * dx + (y as f32 / 31.0 - 0.5) * dy) / span;
                    mix(a, b, t + 0.5)
                })
            }
            Outlier::Stripes => {
                let period = rng.random_range(2..=8);
                let slant = rng.random_range(0..3); // vertical, horizontal, diagonal
                paint(|x, y| {
                    let along = [x, y, x + y][slant];
                    if along % period < period / 2 { a } else { b }
                })
            }
            Outlier::Checkerboard => {
                let cell = rng.random_range(1..=8);
                paint(|x, y| if (x / cell + y / cell) % 2 == 0 { a } else { b })
            }
            Outlier::Text => text(rng),
            Outlier::Mosaic => mosaic(rng, source),
        }
    }
}

/// `per_kind` pictures of each kind, in [`Outlier::ALL`]'s order, labelled 0 (they have no
/// class); the same for the same seed.
pub fn generate(per_kind: usize, source: &Split, seed: u64) -> Split {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut records = Vec::with_capacity(Outlier::ALL.len() * per_kind * (IMAGE_BYTES + 1));
    for kind in Outlier::ALL {
        for _ in 0..per_kind {
            records.push(0);
            records.extend(kind.draw(&mut rng, source));
        }
    }
    let mut split = Split::default();
    split
        .append_batch_file("generated pictures", &records)
        .expect("generated records have the CIFAR-10 layout and label 0");
    split
}

type Rgb = [u8; 3];

fn colour(rng: &mut StdRng) -> Rgb {
    [rng.random(), rng.random(), rng.random()]
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|c| (a[c] as f32 * (1.0 - t) + b[c] as f32 * t).round() as u8)
}

/// A CHW picture with each pixel's colour from `at(x, y)`.
fn paint(at: impl Fn(usize, usize) -> Rgb) -> Vec<u8> {
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    let mut out = vec![0u8; IMAGE_BYTES];
    for y in 0..IMAGE_SIDE {
        for x in 0..IMAGE_SIDE {
            let rgb = at(x, y);
            for (c, value) in rgb.into_iter().enumerate() {
                out[c * plane + y * IMAGE_SIDE + x] = value;
            }
        }
    }
    out
}

/// Dark marks on a pale ground in lines, like a screenshot of text: each character a 3×5 cell
/// of random strokes, a column between characters and two rows between lines.
fn text(rng: &mut StdRng) -> Vec<u8> {
    let ground: Rgb = [0, 1, 2].map(|_| rng.random_range(200..=255));
    let ink: Rgb = [0, 1, 2].map(|_| rng.random_range(0..80));
    let mut ink_at = vec![false; IMAGE_SIDE * IMAGE_SIDE];
    let top = rng.random_range(0..4);
    for line in (top..IMAGE_SIDE - 5).step_by(7) {
        let mut x = rng.random_range(0..3);
        let end = rng.random_range(16..IMAGE_SIDE);
        while x + 3 <= end {
            if rng.random_bool(0.15) {
                x += 2; // a space between words
                continue;
            }
            for dy in 0..5 {
                for dx in 0..3 {
                    ink_at[(line + dy) * IMAGE_SIDE + x + dx] = rng.random_bool(0.5);
                }
            }
            x += 4;
        }
    }
    paint(|x, y| match ink_at[y * IMAGE_SIDE + x] {
        true => ink,
        false => ground,
    })
}

/// A 4×4 grid of 8×8 patches, each from a random place in a random image of `source`; plain
/// noise where `source` is empty.
fn mosaic(rng: &mut StdRng, source: &Split) -> Vec<u8> {
    if source.is_empty() {
        return (0..IMAGE_BYTES).map(|_| rng.random()).collect();
    }
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    let mut out = vec![0u8; IMAGE_BYTES];
    for tile in 0..16 {
        let image = source.image(rng.random_range(0..source.len()));
        let (sx, sy) = (rng.random_range(0..=24), rng.random_range(0..=24));
        let (tx, ty) = (tile % 4 * 8, tile / 4 * 8);
        for c in 0..3 {
            for dy in 0..8 {
                let from = c * plane + (sy + dy) * IMAGE_SIDE + sx;
                let to = c * plane + (ty + dy) * IMAGE_SIDE + tx;
                out[to..to + 8].copy_from_slice(&image[from..from + 8]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_drawn_the_same_for_the_same_seed() {
        let source = Split::noise(4, 1);
        let a = generate(3, &source, 7);
        let b = generate(3, &source, 7);
        assert_eq!(a.len(), 3 * Outlier::ALL.len());
        assert_eq!(a.to_batch_file(), b.to_batch_file());
        assert_ne!(a.to_batch_file(), generate(3, &source, 8).to_batch_file());
    }

    #[test]
    fn flat_pictures_are_one_colour_and_noise_is_not() {
        let mut rng = StdRng::seed_from_u64(3);
        let source = Split::default();
        let flat = Outlier::Flat.draw(&mut rng, &source);
        let plane = IMAGE_SIDE * IMAGE_SIDE;
        for c in 0..3 {
            let channel = &flat[c * plane..(c + 1) * plane];
            assert!(channel.iter().all(|&v| v == channel[0]));
        }
        let noise = Outlier::Noise.draw(&mut rng, &source);
        assert!(noise[..plane].iter().any(|&v| v != noise[0]));
    }

    #[test]
    fn a_mosaic_is_made_of_the_source_patches() {
        let source = Split::noise(2, 5);
        let mut rng = StdRng::seed_from_u64(9);
        let out = Outlier::Mosaic.draw(&mut rng, &source);
        // The first row of the first tile is 8 pixels of one of the source images' R planes.
        let row = &out[..8];
        let found = (0..source.len()).any(|i| source.image(i)[..1024].windows(8).any(|w| w == row));
        assert!(found);
    }
}
