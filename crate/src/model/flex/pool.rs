//! Max pooling over 2×2 windows with stride 2 on burn flex: one pass over the input each way.
//! The backward pass finds each window's maximum again from the input instead of keeping
//! indices from the forward pass.

use burn::backend::flex::FlexTensor;

use crate::flex::{each_image, numbers, tensor, whole};

/// Which of a window's four numbers (in reading order) is its maximum: the first of equal
/// ones, a NaN over any number (the last NaN), as burn's pooling chooses.
fn window_max(window: [f32; 4]) -> usize {
    let mut best = 0;
    for i in 1..4 {
        if window[i] > window[best] || window[i].is_nan() {
            best = i;
        }
    }
    best
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

    /// Calls `f(output index, the window's four input indices)` for every output number of one
    /// image.
    fn windows(&self, mut f: impl FnMut(usize, [usize; 4])) {
        for c in 0..self.channels {
            for oy in 0..self.oh {
                let top = (c * self.h + 2 * oy) * self.w;
                for ox in 0..self.ow {
                    let i = top + 2 * ox;
                    f(
                        (c * self.oh + oy) * self.ow + ox,
                        [i, i + 1, i + self.w, i + self.w + 1],
                    );
                }
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
        let x = &x[image * input..][..input];
        d.windows(|o, idx| {
            let window = idx.map(|i| x[i]);
            out[o] = window[window_max(window)];
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
        d.windows(|o, idx| input_grad[idx[window_max(idx.map(|i| x[i]))]] = grad[o]);
    });
    tensor(input_grad, &[d.batch, d.channels, d.h, d.w])
}
