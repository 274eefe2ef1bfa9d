//! The stride-1 convolution on WebGPU, NCHW in and out (no layout copies): one launch for the
//! forward pass with its bias, one for the input's gradient, one for the weight's and the bias's
//! gradients together. The forward pass and the input's gradient give each invocation one number
//! of their output, summed over the layer's window in a fixed order. The parameters' gradients
//! give each weight and each bias one invocation where there are many of them, and a cube of
//! [`UNITS`] where there are few with long sums, which share out the batch's output rows and add
//! their parts in shared memory: so the seed's first layer (864 weights, each summed over 960
//! rows of 30 at batch 32) fills a GPU too.

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;
use cubecl::{calculate_cube_count_elemwise, cube};

use super::grid;
use crate::kernels::layers::Layers;

/// Invocations per number of the parameters' gradients where they share its sum: a power of
/// two, for the halving sum.
const UNITS: usize = 1 << LOG_UNITS;
const LOG_UNITS: usize = 6;

/// Numbers enough to keep a GPU busy with one invocation each.
const PARALLEL_NUMBERS: usize = 16_384;

#[cube(launch)]
fn conv_kernel<F: Float>(
    x: &Tensor<F>,
    weight: &Tensor<F>,
    bias: &Tensor<F>,
    out: &mut Tensor<F>,
    pad_y: u32,
    pad_x: u32,
    #[comptime] relu: bool,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (c_in, h, w) = (x.shape(1), x.shape(2), x.shape(3));
    let (c_out, oh, ow) = (out.shape(1), out.shape(2), out.shape(3));
    let (kh, kw) = (weight.shape(2), weight.shape(3));
    let (py, px) = (pad_y as usize, pad_x as usize);
    let ox = i % ow;
    let oy = (i / ow) % oh;
    let co = (i / (ow * oh)) % c_out;
    let n = i / (ow * oh * c_out);
    let mut sum = bias[co];
    for ci in 0..c_in {
        let plane = (n * c_in + ci) * h;
        let taps = (co * c_in + ci) * kh;
        for ky in 0..kh {
            // The row in the padded input: inside the image from `py` to `py + h`.
            let y = oy + ky;
            if y >= py && y < py + h {
                let row = (plane + y - py) * w;
                for kx in 0..kw {
                    let xx = ox + kx;
                    if xx >= px && xx < px + w {
                        sum += x[row + xx - px] * weight[(taps + ky) * kw + kx];
                    }
                }
            }
        }
    }
    // burn's ReLU: `x ≤ 0 → 0`.
    if relu && sum <= F::new(0.0) {
        sum = F::new(0.0);
    }
    out[i] = sum;
}

/// The output gradient at `at`; with `masked`, taken through the ReLU whose output is `out`:
/// zero where that is `≤ 0`.
#[cube]
fn grad_at<F: Float>(grad: &Tensor<F>, out: &Tensor<F>, at: usize, #[comptime] masked: bool) -> F {
    let mut g = grad[at];
    if masked && out[at] <= F::new(0.0) {
        g = F::new(0.0);
    }
    g
}

#[cube(launch)]
fn conv_input_grad_kernel<F: Float>(
    weight: &Tensor<F>,
    grad: &Tensor<F>,
    relu_out: &Tensor<F>,
    out: &mut Tensor<F>,
    pad_y: u32,
    pad_x: u32,
    #[comptime] masked: bool,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= out.len() {
        terminate!();
    }
    let (c_in, h, w) = (out.shape(1), out.shape(2), out.shape(3));
    let (c_out, oh, ow) = (grad.shape(1), grad.shape(2), grad.shape(3));
    let (kh, kw) = (weight.shape(2), weight.shape(3));
    let (py, px) = (pad_y as usize, pad_x as usize);
    let ix = i % w;
    let iy = (i / w) % h;
    let ci = (i / (w * h)) % c_in;
    let n = i / (w * h * c_in);
    // The input at (iy, ix) meets tap (ky, kx) at the output (iy + py − ky, ix + px − kx).
    let (y, xx) = (iy + py, ix + px);
    let mut sum = F::new(0.0);
    for co in 0..c_out {
        let plane = (n * c_out + co) * oh;
        let taps = (co * c_in + ci) * kh;
        for ky in 0..kh {
            if y >= ky && y - ky < oh {
                let row = (plane + y - ky) * ow;
                for kx in 0..kw {
                    if xx >= kx && xx - kx < ow {
                        sum += grad_at::<F>(grad, relu_out, row + xx - kx, masked)
                            * weight[(taps + ky) * kw + kx];
                    }
                }
            }
        }
    }
    out[i] = sum;
}

#[cube(launch)]
fn conv_param_grads_kernel<F: Float>(
    x: &Tensor<F>,
    grad: &Tensor<F>,
    relu_out: &Tensor<F>,
    weight_grad: &mut Tensor<F>,
    bias_grad: &mut Tensor<F>,
    pad_y: u32,
    pad_x: u32,
    #[comptime] log_units: usize,
    #[comptime] masked: bool,
    #[define(F)] _dtype: ElemType,
) {
    // `units` invocations per number: the weights', then the biases'. With more than one, a cube
    // holds one number's; none leaves early, since WGSL wants every barrier below reached by all
    // of a cube's invocations (its uniformity analysis cannot see that a cube agrees).
    let units = comptime!(1usize << log_units);
    let number = ABSOLUTE_POS / units;
    let unit = ABSOLUTE_POS % units;
    let weights = weight_grad.len();
    let real = number < weights + bias_grad.len();
    let (c_in, h, w) = (x.shape(1), x.shape(2), x.shape(3));
    let (c_out, oh, ow) = (grad.shape(1), grad.shape(2), grad.shape(3));
    let (kh, kw) = (weight_grad.shape(2), weight_grad.shape(3));
    let (py, px) = (pad_y as usize, pad_x as usize);
    // The sums run over the batch's output rows (image, row), shared out among the `units`, and
    // along each row: one division a row, not one a product.
    let rows = grad.shape(0) * oh;
    let mut sum = F::new(0.0);
    // A cube's spare invocations (past the last number) sum nothing.
    if real && number < weights {
        let kx = number % kw;
        let ky = (number / kw) % kh;
        let ci = (number / (kw * kh)) % c_in;
        let co = number / (kw * kh * c_in);
        let mut r = unit;
        while r < rows {
            let n = r / oh;
            let oy = r % oh;
            let y = oy + ky;
            if y >= py && y < py + h {
                let grad_row = ((n * c_out + co) * oh + oy) * ow;
                let x_row = ((n * c_in + ci) * h + y - py) * w;
                for ox in 0..ow {
                    let xx = ox + kx;
                    if xx >= px && xx < px + w {
                        sum += grad_at::<F>(grad, relu_out, grad_row + ox, masked)
                            * x[x_row + xx - px];
                    }
                }
            }
            r += units;
        }
    } else if real {
        let co = number - weights;
        let mut r = unit;
        while r < rows {
            let grad_row = (((r / oh) * c_out + co) * oh + r % oh) * ow;
            for ox in 0..ow {
                sum += grad_at::<F>(grad, relu_out, grad_row + ox, masked);
            }
            r += units;
        }
    }
    if comptime!(log_units > 0) {
        let mut parts = Shared::<[F]>::new_slice(units);
        parts[unit] = sum;
        sync_cube();
        // Halving sums, unrolled (cubecl's SPIR-V verification refuses a runtime loop around
        // the barrier): units / 2, …, 1.
        #[unroll]
        for step in 1..log_units + 1 {
            let half = units >> step;
            if unit < half {
                let other = parts[unit + half];
                sum += other;
                parts[unit] = sum;
            }
            sync_cube();
        }
    }
    if real && unit == 0 {
        if number < weights {
            weight_grad[number] = sum;
        } else {
            bias_grad[number - weights] = sum;
        }
    }
}

/// A new row-major tensor of `shape` on `like`'s device, in its dtype.
fn empty(like: &CubeTensor, shape: [usize; 4]) -> CubeTensor {
    empty_device_dtype(
        like.client.clone(),
        like.device.clone(),
        shape.into(),
        like.dtype,
    )
}

fn dims(tensor: &CubeTensor) -> [usize; 4] {
    tensor.meta.shape().dims()
}

impl Layers for Cube {
    fn conv2d_stride1(
        x: CubeTensor,
        weight: CubeTensor,
        bias: CubeTensor,
        padding: [usize; 2],
        relu: bool,
    ) -> CubeTensor {
        let [x, weight, bias] = [x, weight, bias].map(into_contiguous);
        let ([batch, _, h, w], [c_out, _, kh, kw]) = (dims(&x), dims(&weight));
        let [py, px] = padding;
        let out = empty(&x, [batch, c_out, h + 2 * py - kh + 1, w + 2 * px - kw + 1]);
        let (count, dim) = grid(&out);
        let client = x.client.clone();
        let dtype = dtype_to_storage_type(x.dtype);
        conv_kernel::launch(
            &client,
            count,
            dim,
            x.into_tensor_arg(),
            weight.into_tensor_arg(),
            bias.into_tensor_arg(),
            out.clone().into_tensor_arg(),
            py as u32,
            px as u32,
            relu,
            dtype,
        );
        out
    }

    fn conv2d_stride1_param_grads(
        x: CubeTensor,
        grad: CubeTensor,
        relu_out: CubeTensor,
        through_relu: bool,
        weight_shape: [usize; 4],
        padding: [usize; 2],
    ) -> (CubeTensor, CubeTensor) {
        let [x, grad] = [x, grad].map(into_contiguous);
        let (relu_out, masked) = (into_contiguous(relu_out), through_relu);
        let c_out = weight_shape[0];
        let weight_grad = empty(&x, weight_shape);
        let bias_grad =
            empty_device_dtype(x.client.clone(), x.device.clone(), [c_out].into(), x.dtype);
        let numbers = weight_grad.meta.num_elements() + c_out;
        let [batch, _, h, _] = dims(&x);
        let [py, px] = padding;
        let rows = batch * (h + 2 * py + 1 - weight_shape[2]);
        // A cube of invocations per number where the numbers alone would leave a GPU idle and
        // there are rows enough to share out; one invocation each otherwise.
        let log_units = if numbers < PARALLEL_NUMBERS && rows >= UNITS {
            LOG_UNITS
        } else {
            0
        };
        let units = 1 << log_units;
        let dim = match units {
            1 => CubeDim::new(&x.client, numbers),
            _ => CubeDim::new_1d(units as u32),
        };
        let count = calculate_cube_count_elemwise(&x.client, numbers * units, dim);
        let client = x.client.clone();
        let dtype = dtype_to_storage_type(x.dtype);
        conv_param_grads_kernel::launch(
            &client,
            count,
            dim,
            x.into_tensor_arg(),
            grad.into_tensor_arg(),
            relu_out.into_tensor_arg(),
            weight_grad.clone().into_tensor_arg(),
            bias_grad.clone().into_tensor_arg(),
            py as u32,
            px as u32,
            log_units,
            masked,
            dtype,
        );
        (weight_grad, bias_grad)
    }

    fn conv2d_stride1_input_grad(
        weight: CubeTensor,
        grad: CubeTensor,
        relu_out: CubeTensor,
        through_relu: bool,
        padding: [usize; 2],
    ) -> CubeTensor {
        let [weight, grad] = [weight, grad].map(into_contiguous);
        let (relu_out, masked) = (into_contiguous(relu_out), through_relu);
        let ([batch, _, oh, ow], [_, c_in, kh, kw]) = (dims(&grad), dims(&weight));
        let [py, px] = padding;
        let out = empty(
            &grad,
            [batch, c_in, oh + kh - 1 - 2 * py, ow + kw - 1 - 2 * px],
        );
        let (count, dim) = grid(&out);
        let client = grad.client.clone();
        let dtype = dtype_to_storage_type(grad.dtype);
        conv_input_grad_kernel::launch(
            &client,
            count,
            dim,
            weight.into_tensor_arg(),
            grad.into_tensor_arg(),
            relu_out.into_tensor_arg(),
            out.clone().into_tensor_arg(),
            py as u32,
            px as u32,
            masked,
            dtype,
        );
        out
    }

    fn max_pool2(x: CubeTensor) -> CubeTensor {
        super::pool::forward(x)
    }

    fn max_pool2_backward(x: CubeTensor, grad: CubeTensor) -> CubeTensor {
        super::pool::backward(x, grad)
    }
}
