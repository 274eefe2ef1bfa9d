//! The stride-1 convolution (no padding, or the same padding on both sides) on burn flex, image
//! by image in NCHW (the layout burn's pooling, activations and flattening read): the image's
//! patches copied into columns (im2col, `[c_in·kh·kw, oh·ow]`, a row per weight, each row runs of
//! shifted copies of input rows, zeros where the padding is), then one matrix multiply with the
//! weights, which are already `[c_out, c_in·kh·kw]` row-major.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;

use super::multiply::{Operand, multiply};
use super::{each_image, numbers, sum_over_images, tensor, whole};
use crate::kernels::layers::Layers;

/// The sizes of one convolution.
#[derive(Clone, Copy, Debug)]
struct Dims {
    batch: usize,
    c_in: usize,
    h: usize,
    w: usize,
    c_out: usize,
    kh: usize,
    kw: usize,
    /// Zeros added above and below, and left and right.
    pad: [usize; 2],
    oh: usize,
    ow: usize,
}

impl Dims {
    fn new(x: &[usize], weight: &[usize], pad: [usize; 2]) -> Self {
        let (kh, kw) = (weight[2], weight[3]);
        Self {
            batch: x[0],
            c_in: x[1],
            h: x[2],
            w: x[3],
            c_out: weight[0],
            kh,
            kw,
            pad,
            oh: x[2] + 2 * pad[0] + 1 - kh,
            ow: x[3] + 2 * pad[1] + 1 - kw,
        }
    }

    fn from_output(grad: &[usize], weight: &[usize], pad: [usize; 2]) -> Self {
        let (kh, kw) = (weight[2], weight[3]);
        let (h, w) = (grad[2] + kh - 1 - 2 * pad[0], grad[3] + kw - 1 - 2 * pad[1]);
        Self::new(&[grad[0], weight[1], h, w], weight, pad)
    }

    /// Numbers per image of the input.
    fn input(&self) -> usize {
        self.c_in * self.h * self.w
    }

    /// Rows of the columns: one per weight of an output channel.
    fn patch(&self) -> usize {
        self.c_in * self.kh * self.kw
    }

    /// Output positions per channel: the columns' row length.
    fn positions(&self) -> usize {
        self.oh * self.ow
    }

    /// Numbers per image of the output.
    fn output(&self) -> usize {
        self.c_out * self.positions()
    }

    /// Calls `f(column index, input index, length)` for every run of one image's columns that
    /// comes from its input: for weight `(c, ky, kx)` and output row `oy`, the output positions
    /// whose input `(oy + ky − pad, ox + kx − pad)` lies inside the image. The columns' other
    /// numbers are padding, zero.
    fn runs(&self, mut f: impl FnMut(usize, usize, usize)) {
        let positions = self.positions();
        let [pad_y, pad_x] = self.pad;
        for c in 0..self.c_in {
            for ky in 0..self.kh {
                for kx in 0..self.kw {
                    let row = ((c * self.kh + ky) * self.kw + kx) * positions;
                    // Output columns `ox` in `[first, last)` read input columns
                    // `ox + kx − pad_x`, inside `[0, w)`.
                    let first = pad_x.saturating_sub(kx);
                    let last = self.ow.min((self.w + pad_x).saturating_sub(kx));
                    if first >= last {
                        continue;
                    }
                    for oy in 0..self.oh {
                        let Some(iy) = (oy + ky).checked_sub(pad_y).filter(|&iy| iy < self.h)
                        else {
                            continue;
                        };
                        f(
                            row + oy * self.ow + first,
                            (c * self.h + iy) * self.w + first + kx - pad_x,
                            last - first,
                        );
                    }
                }
            }
        }
    }

    /// One image's columns from its input.
    fn im2col(&self, x: &[f32], columns: &mut [f32]) {
        if self.pad != [0, 0] {
            columns.fill(0.0);
        }
        self.runs(|col, inp, n| columns[col..col + n].copy_from_slice(&x[inp..inp + n]));
    }

    /// Adds one image's columns back into its input's places (the adjoint of [`Self::im2col`]).
    fn col2im_add(&self, columns: &[f32], x: &mut [f32]) {
        self.runs(|col, inp, n| {
            x[inp..inp + n]
                .iter_mut()
                .zip(&columns[col..col + n])
                .for_each(|(x, c)| *x += c)
        });
    }
}

/// The gradient `grad` of a convolution's output, made whole; with `relu_out` (the output of the
/// convolution with its ReLU), taken through the ReLU: zero where that output is `≤ 0`, as
/// burn's ReLU gradient is where its input was.
fn masked(grad: FlexTensor, relu_out: Option<FlexTensor>) -> FlexTensor {
    let mut grad = whole(grad);
    if let Some(out) = relu_out {
        let out = whole(out);
        let out = numbers(&out);
        for (g, &o) in grad.storage_mut::<f32>().iter_mut().zip(out) {
            if o <= 0.0 {
                *g = 0.0;
            }
        }
    }
    grad
}

impl Layers for Flex {
    fn conv2d_stride1(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        has_bias: bool,
        padding: [usize; 2],
        relu: bool,
    ) -> FlexTensor {
        let d = Dims::new(x.layout().shape(), weight.layout().shape(), padding);
        let (x, weight, bias) = (whole(x), whole(weight), whole(bias));
        let (x, weight, bias) = (numbers(&x), numbers(&weight), numbers(&bias));
        let mut out = vec![0.0; d.batch * d.output()];
        each_image(
            &mut out,
            d.output(),
            d.patch() * d.positions(),
            |image, out, columns| {
                d.im2col(&x[image * d.input()..][..d.input()], columns);
                multiply(
                    out,
                    d.c_out,
                    d.positions(),
                    d.patch(),
                    Operand::rows(weight, d.patch()),
                    Operand::rows(columns, d.positions()),
                    false,
                );
                for (co, channel) in out.chunks_mut(d.positions()).enumerate() {
                    if has_bias {
                        channel.iter_mut().for_each(|v| *v += bias[co]);
                    }
                    if relu {
                        // burn's ReLU: `x ≤ 0 → 0`, a NaN passes.
                        channel
                            .iter_mut()
                            .filter(|v| **v <= 0.0)
                            .for_each(|v| *v = 0.0);
                    }
                }
            },
        );
        tensor(out, &[d.batch, d.c_out, d.oh, d.ow])
    }

    fn conv2d_stride1_param_grads(
        x: FlexTensor,
        grad: FlexTensor,
        relu_out: FlexTensor,
        through_relu: bool,
        weight_shape: [usize; 4],
        padding: [usize; 2],
    ) -> (FlexTensor, FlexTensor) {
        let d = Dims::new(x.layout().shape(), &weight_shape, padding);
        let (x, grad) = (whole(x), masked(grad, through_relu.then_some(relu_out)));
        let (x, grad) = (numbers(&x), numbers(&grad));
        let weights = d.c_out * d.patch();
        // The weight gradient and then the bias gradient, in one buffer summed over the images.
        let sums = sum_over_images(
            d.batch,
            weights + d.c_out,
            d.patch() * d.positions(),
            |image, sum, columns| {
                let grad = &grad[image * d.output()..][..d.output()];
                d.im2col(&x[image * d.input()..][..d.input()], columns);
                let (weight_grad, bias_grad) = sum.split_at_mut(weights);
                multiply(
                    weight_grad,
                    d.c_out,
                    d.patch(),
                    d.positions(),
                    Operand::rows(grad, d.positions()),
                    Operand::transposed(columns, d.positions()),
                    true,
                );
                for (b, channel) in bias_grad.iter_mut().zip(grad.chunks(d.positions())) {
                    *b += channel.iter().sum::<f32>();
                }
            },
        );
        let (weight_grad, bias_grad) = sums.split_at(weights);
        (
            tensor(weight_grad.to_vec(), &weight_shape),
            tensor(bias_grad.to_vec(), &[d.c_out]),
        )
    }

    fn conv2d_stride1_input_grad(
        weight: FlexTensor,
        grad: FlexTensor,
        relu_out: FlexTensor,
        through_relu: bool,
        padding: [usize; 2],
    ) -> FlexTensor {
        let d = Dims::from_output(grad.layout().shape(), weight.layout().shape(), padding);
        let (weight, grad) = (
            whole(weight),
            masked(grad, through_relu.then_some(relu_out)),
        );
        let (weight, grad) = (numbers(&weight), numbers(&grad));
        let mut input_grad = vec![0.0; d.batch * d.input()];
        each_image(
            &mut input_grad,
            d.input(),
            d.patch() * d.positions(),
            |image, input_grad, columns| {
                multiply(
                    columns,
                    d.patch(),
                    d.positions(),
                    d.c_out,
                    Operand::transposed(weight, d.patch()),
                    Operand::rows(&grad[image * d.output()..][..d.output()], d.positions()),
                    false,
                );
                d.col2im_add(columns, input_grad);
            },
        );
        tensor(input_grad, &[d.batch, d.c_in, d.h, d.w])
    }

    fn max_pool2(x: FlexTensor) -> FlexTensor {
        super::pool::forward(x)
    }

    fn max_pool2_backward(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
        super::pool::backward(x, grad)
    }

    fn max_plane(x: FlexTensor) -> FlexTensor {
        super::pool::plane_forward(x)
    }

    fn max_plane_backward(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
        super::pool::plane_backward(x, grad)
    }
}
