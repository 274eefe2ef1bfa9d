//! The stride-1 convolution's weight and bias gradients on WebGPU, in one launch (`conv.rs` has
//! the forward pass and the input's gradient). Each weight and each bias gets one invocation
//! where there are many of them, and a cube of [`UNITS`] where there are few with long sums,
//! which share out the batch's output rows and add their parts in shared memory: so the seed's
//! first layer (864 weights, each summed over 960 rows of 30 at batch 32) fills a GPU too.

use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;
use cubecl::{calculate_cube_count_elemwise, cube};

use super::conv::grad_at;
use super::{cube_sum, empty};

/// Invocations per number of the parameters' gradients where they share its sum: a power of
/// two, for the halving sum.
const UNITS: usize = 1 << LOG_UNITS;
const LOG_UNITS: usize = 6;

/// Numbers enough to keep a GPU busy with one invocation each.
const PARALLEL_NUMBERS: usize = 16_384;

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
        sum = cube_sum::<F>(&mut parts, sum, unit, log_units);
    }
    if real && unit == 0 {
        if number < weights {
            weight_grad[number] = sum;
        } else {
            bias_grad[number - weights] = sum;
        }
    }
}

/// The gradients of the weight (`weight_shape`) and the bias of a convolution with `padding`,
/// given its input `x` and its output's gradient `grad` (through the ReLU whose output is
/// `relu_out` where `through_relu`).
pub(super) fn param_grads(
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
    let weight_grad = empty(&x, &weight_shape);
    let bias_grad = empty(&x, &[c_out]);
    let numbers = weight_grad.meta.num_elements() + c_out;
    let [batch, _, h, _] = x.meta.shape().dims();
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
