//! The fused loss on WebGPU: one launch of one cube, each invocation taking every
//! [`UNITS`]-th image of the batch (its softmax, loss, gradient and whether it is right), then
//! the cube adding the images' losses and right answers in shared memory.

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::{cube_sum, empty, empty_like};
use crate::kernels::loss::{FusedLoss, LossParts};

/// The invocations of the one cube: a power of two, for the halving sums.
const UNITS: usize = 1 << LOG_UNITS;
const LOG_UNITS: usize = 8;

#[cube(launch)]
fn cross_entropy_kernel<F: Float, I: Int>(
    logits: &Tensor<F>,
    targets: &Tensor<I>,
    running: &Tensor<F>,
    loss: &mut Tensor<F>,
    grad: &mut Tensor<F>,
    sums: &mut Tensor<F>,
    smoothing: f32,
    #[comptime] add: bool,
    #[define(F, I)] _dtypes: [ElemType; 2],
) {
    let unit = UNIT_POS as usize;
    let (batch, classes) = (logits.shape(0), logits.shape(1));
    let off = F::cast_from(smoothing) / F::cast_from(classes as u32);
    let on = F::new(1.0) - F::cast_from(smoothing) + off;
    let per_image = F::new(1.0) / F::cast_from(batch as u32);
    let mut loss_sum = F::new(0.0);
    let mut right = F::new(0.0);
    let mut row = unit;
    while row < batch {
        let base = row * classes;
        let target = u32::cast_from(targets[row]) as usize;
        // The first of equal largest logits is the answer.
        let mut top = logits[base];
        let mut best = 0usize;
        for c in 1..classes {
            let v = logits[base + c];
            if v > top {
                top = v;
                best = c;
            }
        }
        let mut total = F::new(0.0);
        for c in 0..classes {
            total += F::exp(logits[base + c] - top);
        }
        let log_total = F::ln(total);
        for c in 0..classes {
            let log_p = logits[base + c] - top - log_total;
            let mut t = off;
            if c == target {
                t = on;
            }
            loss_sum -= t * log_p;
            grad[base + c] = (F::exp(log_p) - t) * per_image;
        }
        if best == target {
            right += F::new(1.0);
        }
        row += UNITS;
    }
    let mut parts = Shared::<[F]>::new_slice(UNITS);
    let loss_sum = cube_sum::<F>(&mut parts, loss_sum, unit, LOG_UNITS);
    let right = cube_sum::<F>(&mut parts, right, unit, LOG_UNITS);
    if unit == 0 {
        loss[0] = loss_sum * per_image;
        if add {
            sums[0] = running[0] + loss_sum;
            sums[1] = running[1] + right;
        } else {
            sums[0] = loss_sum;
            sums[1] = right;
        }
    }
}

impl FusedLoss for Cube {
    fn cross_entropy(
        logits: CubeTensor,
        targets: CubeTensor,
        running: CubeTensor,
        add: bool,
        smoothing: f32,
    ) -> LossParts<Self> {
        let [logits, targets, running] = [logits, targets, running].map(into_contiguous);
        let (loss, sums, grad) = (
            empty(&logits, &[1]),
            empty(&logits, &[2]),
            empty_like(&logits),
        );
        let client = logits.client.clone();
        let dtypes = [
            dtype_to_storage_type(logits.dtype),
            dtype_to_storage_type(targets.dtype),
        ];
        cross_entropy_kernel::launch(
            &client,
            CubeCount::Static(1, 1, 1),
            CubeDim::new_1d(UNITS as u32),
            logits.into_tensor_arg(),
            targets.into_tensor_arg(),
            running.into_tensor_arg(),
            loss.clone().into_tensor_arg(),
            grad.clone().into_tensor_arg(),
            sums.clone().into_tensor_arg(),
            smoothing,
            add,
            dtypes,
        );
        LossParts { loss, grad, sums }
    }
}
