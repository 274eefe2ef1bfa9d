//! The frozen whitening layer of the airbench network: 2×2 filters that decorrelate the pixels of
//! every 2×2 patch, computed from training images before training starts.
//!
//! As airbench94 does it: the (uncentred) covariance of all 2×2×3 patches, its eigenvectors
//! scaled by `1/√(λ + ε)`, largest eigenvalue first, each stored twice, as `+v` and `−v`, so that
//! a ReLU-like activation after it keeps both signs. burn has no symmetric eigendecomposition;
//! the 12×12 matrix is small enough for Jacobi rotations in f64.

use crate::data::cifar::{CHANNELS, IMAGE_SIDE};

/// Side of the whitening filters.
pub const PATCH: usize = 2;
/// Values in one patch: 3 channels × 2 × 2.
pub const PATCH_LEN: usize = CHANNELS * PATCH * PATCH;
/// Filters of the whitening layer: each eigenvector and its negative.
pub const FILTERS: usize = 2 * PATCH_LEN;
/// Training images the filters are computed from, as airbench94 does.
pub const WHITENING_IMAGES: usize = 5000;
/// Added to each eigenvalue before the square root, as airbench94 does.
const EPSILON: f64 = 5e-4;

/// The whitening filters, `[FILTERS, 3, 2, 2]` flattened, from `images`: normalised CHW images of
/// 3×32×32 floats each, one after the other. `None` when there are no images.
pub fn whitening_filters(images: &[f32]) -> Option<Vec<f32>> {
    let covariance = patch_covariance(images)?;
    let (values, vectors) = symmetric_eigen(covariance);
    let mut order: Vec<usize> = (0..PATCH_LEN).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut filters = Vec::with_capacity(FILTERS * PATCH_LEN);
    for sign in [1.0, -1.0] {
        for &k in &order {
            let scale = sign / (values[k].max(0.0) + EPSILON).sqrt();
            filters.extend((0..PATCH_LEN).map(|i| (vectors[i][k] * scale) as f32));
        }
    }
    Some(filters)
}

// Matrix code reads best with indices.
#[allow(clippy::needless_range_loop)]
/// `E[p pᵀ]` over every 2×2 patch `p` (a vector of `PATCH_LEN`, ordered channel, row, column, as a
/// filter's weights are) of every image.
fn patch_covariance(images: &[f32]) -> Option<[[f64; PATCH_LEN]; PATCH_LEN]> {
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    let image_len = CHANNELS * plane;
    let count = images.len() / image_len;
    if count == 0 {
        return None;
    }
    let mut sum = [[0f64; PATCH_LEN]; PATCH_LEN];
    let mut patch = [0f64; PATCH_LEN];
    // Per image, sums in f32 rows would lose precision over 961 patches; f64 throughout.
    for image in images.chunks_exact(image_len) {
        for y in 0..IMAGE_SIDE - PATCH + 1 {
            for x in 0..IMAGE_SIDE - PATCH + 1 {
                let mut i = 0;
                for c in 0..CHANNELS {
                    for dy in 0..PATCH {
                        for dx in 0..PATCH {
                            patch[i] = image[c * plane + (y + dy) * IMAGE_SIDE + x + dx] as f64;
                            i += 1;
                        }
                    }
                }
                for (a, row) in sum.iter_mut().enumerate() {
                    for (b, cell) in row.iter_mut().enumerate().skip(a) {
                        *cell += patch[a] * patch[b];
                    }
                }
            }
        }
    }
    let patches = (count * (IMAGE_SIDE - PATCH + 1) * (IMAGE_SIDE - PATCH + 1)) as f64;
    for a in 0..PATCH_LEN {
        for b in a..PATCH_LEN {
            sum[a][b] /= patches;
            sum[b][a] = sum[a][b];
        }
    }
    Some(sum)
}

#[allow(clippy::needless_range_loop)]
/// Eigenvalues and eigenvectors (as the columns of the second value) of a symmetric matrix, by
/// cyclic Jacobi rotations: each rotation zeroes one off-diagonal pair; sweeps repeat until the
/// off-diagonal part is negligible.
fn symmetric_eigen<const N: usize>(mut a: [[f64; N]; N]) -> ([f64; N], [[f64; N]; N]) {
    let mut v = [[0f64; N]; N];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..N)
            .flat_map(|p| (0..N).filter(move |&q| q != p).map(move |q| (p, q)))
            .map(|(p, q)| a[p][q] * a[p][q])
            .sum();
        let diagonal: f64 = (0..N).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-30 * diagonal.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..N {
            for q in p + 1..N {
                if a[p][q] == 0.0 {
                    continue;
                }
                // The rotation angle that zeroes a[p][q] (Golub & Van Loan, algorithm 8.4.1).
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..N {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..N {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    (std::array::from_fn(|i| a[i][i]), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises_a_symmetric_matrix() {
        let a = [[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]];
        let (values, vectors) = symmetric_eigen(a);
        for k in 0..3 {
            // A v = λ v, and v has unit length.
            for i in 0..3 {
                let av: f64 = (0..3).map(|j| a[i][j] * vectors[j][k]).sum();
                assert!((av - values[k] * vectors[i][k]).abs() < 1e-10);
            }
            let norm: f64 = (0..3).map(|i| vectors[i][k] * vectors[i][k]).sum();
            assert!((norm - 1.0).abs() < 1e-10);
        }
        let trace: f64 = values.iter().sum();
        assert!((trace - 12.0).abs() < 1e-10);
    }

    #[test]
    fn whitened_patches_have_unit_covariance() {
        // Correlated pixels: each image a smooth ramp plus noise, so neighbours covary strongly.
        let mut state = 7u64;
        let mut noise = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let images: Vec<f32> = (0..4)
            .flat_map(|_| (0..3 * 32 * 32).map(|i| (i % 32) as f32 / 32.0))
            .map(|v| v + noise())
            .collect();
        let filters = whitening_filters(&images).unwrap();
        assert_eq!(filters.len(), FILTERS * PATCH_LEN);
        let covariance = patch_covariance(&images).unwrap();
        // W C Wᵀ ≈ I for the first (positive) half of the filters, up to the ε regulariser.
        for a in 0..PATCH_LEN {
            for b in 0..PATCH_LEN {
                let mut v = 0.0;
                for i in 0..PATCH_LEN {
                    for j in 0..PATCH_LEN {
                        v += filters[a * PATCH_LEN + i] as f64
                            * covariance[i][j]
                            * filters[b * PATCH_LEN + j] as f64;
                    }
                }
                let expected = if a == b { 1.0 } else { 0.0 };
                assert!((v - expected).abs() < 0.05, "({a},{b}): {v}");
            }
        }
        // The second half is the negative of the first.
        assert_eq!(filters[FILTERS * PATCH_LEN / 2], -filters[0]);
    }

    #[test]
    fn no_images_no_filters() {
        assert!(whitening_filters(&[]).is_none());
    }
}
