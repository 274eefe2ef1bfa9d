//! The fused loss on burn flex: one pass over each image's logits.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::tensor::DType;

use super::{numbers, tensor, whole};
use crate::kernels::loss::{FusedLoss, LossParts};

/// The class indices of `targets`, whatever integer type flex holds them in.
fn classes_of(targets: FlexTensor) -> Vec<usize> {
    let targets = targets.to_contiguous();
    match targets.dtype() {
        DType::I32 => targets
            .as_slice::<i32>()
            .map(|t| t.iter().map(|&c| c as usize).collect()),
        _ => targets
            .as_slice::<i64>()
            .map(|t| t.iter().map(|&c| c as usize).collect()),
    }
    .expect("the targets are a contiguous integer tensor")
}

impl FusedLoss for Flex {
    fn cross_entropy(
        logits: FlexTensor,
        targets: FlexTensor,
        running: FlexTensor,
        add: bool,
        smoothing: f32,
    ) -> LossParts<Self> {
        let [batch, classes] = logits.layout().shape()[..] else {
            unreachable!("the logits are [batch, classes]")
        };
        let logits = whole(logits);
        let z = numbers(&logits);
        let targets = classes_of(targets);
        let off = smoothing / classes as f32;
        let on = 1.0 - smoothing + off;
        let mut grad = vec![0.0; batch * classes];
        let (mut loss_sum, mut right) = (0.0f32, 0.0f32);
        for (row, (z, grad)) in z.chunks(classes).zip(grad.chunks_mut(classes)).enumerate() {
            // The first of equal largest logits is the answer.
            let (best, top) =
                z.iter().enumerate().fold(
                    (0, z[0]),
                    |(b, t), (c, &v)| {
                        if v > t { (c, v) } else { (b, t) }
                    },
                );
            let log_total = z.iter().map(|&v| (v - top).exp()).sum::<f32>().ln();
            for (c, (&v, g)) in z.iter().zip(grad.iter_mut()).enumerate() {
                let log_p = v - top - log_total;
                let t = if c == targets[row] { on } else { off };
                loss_sum -= t * log_p;
                *g = (log_p.exp() - t) / batch as f32;
            }
            right += f32::from(u8::from(best == targets[row]));
        }
        let mut sums = vec![loss_sum, right];
        if add {
            let running = whole(running);
            sums.iter_mut()
                .zip(numbers(&running))
                .for_each(|(s, r)| *s += r);
        }
        LossParts {
            loss: tensor(vec![loss_sum / batch as f32], &[1]),
            grad: tensor(grad, &[batch, classes]),
            sums: tensor(sums, &[2]),
        }
    }
}
