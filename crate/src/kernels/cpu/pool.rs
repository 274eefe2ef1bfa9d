//! Max pooling over 2×2 windows with stride 2, and over whole maps, on burn flex: one pass over
//! the input each way. The backward pass finds each window's maximum again from the input
//! instead of keeping indices from the forward pass.

use burn::backend::flex::FlexTensor;

use super::{each_image, numbers, tensor, whole};

/// Whether the next number `v` of a window, in reading order, replaces the maximum so far: only
/// if it is larger, or NaN. Over a window this keeps the first of equal maxima and lets a NaN
/// win (the last one), as burn's pooling chooses.
#[inline(always)]
fn replaces(best: f32, v: f32) -> bool {
    v > best || v.is_nan()
}

/// The larger of `best` and `v` by [`replaces`], written as a select, without a branch to
/// mispredict.
#[inline(always)]
fn larger(best: f32, v: f32) -> f32 {
    if replaces(best, v) { v } else { best }
}

/// Where the numbers of a window (reading order) have their maximum, by [`replaces`]: a 2×2
/// window's four, or a whole map.
#[inline(always)]
fn window_max(w: &[f32]) -> usize {
    let (mut best, mut at) = (w[0], 0);
    for (i, &v) in w.iter().enumerate().skip(1) {
        let take = replaces(best, v);
        best = if take { v } else { best };
        at = if take { i } else { at };
    }
    at
}

/// The sizes of one pooling: planes (images × channels) of `h × w` into `oh × ow`.
struct Dims {
    batch: usize,
    channels: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
}

impl Dims {
    fn new(x: &[usize]) -> Self {
        Self {
            batch: x[0],
            channels: x[1],
            h: x[2],
            w: x[3],
            oh: x[2] / 2,
            ow: x[3] / 2,
        }
    }

    /// Calls `f(output row, top input row, bottom input row)` for every output row of one
    /// image: the output row's window `ox` is `top[2ox..2ox+2]` over `bottom[2ox..2ox+2]`.
    fn rows(&self, out: &mut [f32], x: &[f32], mut f: impl FnMut(&mut [f32], &[f32], &[f32])) {
        for c in 0..self.channels {
            for oy in 0..self.oh {
                let top = (c * self.h + 2 * oy) * self.w;
                let o = (c * self.oh + oy) * self.ow;
                f(
                    &mut out[o..o + self.ow],
                    &x[top..top + 2 * self.ow],
                    &x[top + self.w..top + self.w + 2 * self.ow],
                );
            }
        }
    }
}

pub(super) fn forward(x: FlexTensor) -> FlexTensor {
    let d = Dims::new(x.layout().shape());
    let x = whole(x);
    let x = numbers(&x);
    let (input, output) = (d.channels * d.h * d.w, d.channels * d.oh * d.ow);
    let mut out = vec![0.0; d.batch * output];
    each_image(&mut out, output, 0, |image, out, _| {
        d.rows(out, &x[image * input..][..input], |out, top, bottom| {
            for ((o, t), b) in out
                .iter_mut()
                .zip(top.chunks_exact(2))
                .zip(bottom.chunks_exact(2))
            {
                *o = larger(larger(larger(t[0], t[1]), b[0]), b[1]);
            }
        });
    });
    tensor(out, &[d.batch, d.channels, d.oh, d.ow])
}

pub(super) fn backward(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
    let d = Dims::new(x.layout().shape());
    let (x, grad) = (whole(x), whole(grad));
    let (x, grad) = (numbers(&x), numbers(&grad));
    let (input, output) = (d.channels * d.h * d.w, d.channels * d.oh * d.ow);
    let mut input_grad = vec![0.0; d.batch * input];
    each_image(&mut input_grad, input, 0, |image, input_grad, _| {
        let (x, grad) = (
            &x[image * input..][..input],
            &grad[image * output..][..output],
        );
        for c in 0..d.channels {
            for oy in 0..d.oh {
                let top = (c * d.h + 2 * oy) * d.w;
                let places = [top, top + 1, top + d.w, top + d.w + 1];
                for (ox, &g) in grad[(c * d.oh + oy) * d.ow..][..d.ow].iter().enumerate() {
                    let at = window_max(&places.map(|p| x[p + 2 * ox]));
                    input_grad[places[at] + 2 * ox] = g;
                }
            }
        }
    });
    tensor(input_grad, &[d.batch, d.channels, d.h, d.w])
}

/// Each plane's maximum, `[batch, channels, 1, 1]`.
pub(super) fn plane_forward(x: FlexTensor) -> FlexTensor {
    let [batch, channels, h, w] = <[usize; 4]>::try_from(x.layout().shape().to_vec())
        .expect("max_plane takes a 4-dimensional tensor");
    let x = whole(x);
    let out = numbers(&x)
        .chunks_exact(h * w)
        .map(|plane| plane[window_max(plane)])
        .collect();
    tensor(out, &[batch, channels, 1, 1])
}

/// Each plane's gradient at its maximum, zero elsewhere.
pub(super) fn plane_backward(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
    let shape = x.layout().shape().to_vec();
    let len = shape[2] * shape[3];
    let (x, grad) = (whole(x), whole(grad));
    let mut input_grad = vec![0.0; shape.iter().product()];
    for ((out, plane), &g) in input_grad
        .chunks_exact_mut(len)
        .zip(numbers(&x).chunks_exact(len))
        .zip(numbers(&grad))
    {
        out[window_max(plane)] = g;
    }
    tensor(input_grad, &shape)
}
