//! The fused updates on WebGPU: one CubeCL kernel launch per parameter tensor, each invocation
//! updating one number of the parameter and of its optimiser state (or of the lookahead's
//! average).

use burn::backend::Cube;
use burn::backend::cubecl::dtype_to_storage_type;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::cube;
use cubecl::prelude::*;

use super::{empty_like, grid};
use crate::kernels::update::{
    AdamScalars, AdamUpdate, AverageScalars, FusedUpdate, NesterovUpdate, SgdScalars,
};

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn adam_kernel<F: Float>(
    param: &Tensor<F>,
    grad: &Tensor<F>,
    moment_1: &Tensor<F>,
    moment_2: &Tensor<F>,
    param_out: &mut Tensor<F>,
    moment_1_out: &mut Tensor<F>,
    moment_2_out: &mut Tensor<F>,
    lr: f32,
    beta_1: f32,
    beta_2: f32,
    decay: f32,
    correction: f32,
    epsilon: f32,
    grad_scale: f32,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= param.len() {
        terminate!();
    }
    let w = param[i];
    let g = w * F::cast_from(decay) + grad[i] * F::cast_from(grad_scale);
    let m = moment_1[i] * F::cast_from(beta_1) + g * F::cast_from(1.0 - beta_1);
    let v = moment_2[i] * F::cast_from(beta_2) + g * g * F::cast_from(1.0 - beta_2);
    moment_1_out[i] = m;
    moment_2_out[i] = v;
    param_out[i] =
        w - m * F::cast_from(correction) / (F::sqrt(v) + F::cast_from(epsilon)) * F::cast_from(lr);
}

#[cube(launch)]
fn nesterov_kernel<F: Float>(
    param: &Tensor<F>,
    grad: &Tensor<F>,
    velocity: &Tensor<F>,
    param_out: &mut Tensor<F>,
    velocity_out: &mut Tensor<F>,
    lr: f32,
    momentum: f32,
    decay: f32,
    grad_scale: f32,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= param.len() {
        terminate!();
    }
    let w = param[i];
    let g = grad[i] * F::cast_from(grad_scale) + w * F::cast_from(decay);
    let v = velocity[i] * F::cast_from(momentum) + g;
    velocity_out[i] = v;
    param_out[i] = w - (v * F::cast_from(momentum) + g) * F::cast_from(lr);
}

#[cube(launch)]
fn sgd_kernel<F: Float>(
    param: &Tensor<F>,
    grad: &Tensor<F>,
    param_out: &mut Tensor<F>,
    lr: f32,
    decay: f32,
    grad_scale: f32,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= param.len() {
        terminate!();
    }
    let w = param[i];
    param_out[i] =
        w - (w * F::cast_from(decay) + grad[i] * F::cast_from(grad_scale)) * F::cast_from(lr);
}

#[cube(launch)]
fn average_kernel<F: Float>(
    average: &Tensor<F>,
    current: &Tensor<F>,
    out: &mut Tensor<F>,
    keep: f32,
    take: f32,
    #[define(F)] _dtype: ElemType,
) {
    let i = ABSOLUTE_POS;
    if i >= average.len() {
        terminate!();
    }
    out[i] = average[i] * F::cast_from(keep) + current[i] * F::cast_from(take);
}

impl FusedUpdate for Cube {
    fn adam_update(
        param: CubeTensor,
        grad: CubeTensor,
        moment_1: CubeTensor,
        moment_2: CubeTensor,
        s: AdamScalars,
    ) -> AdamUpdate<Self> {
        let [param, grad, moment_1, moment_2] =
            [param, grad, moment_1, moment_2].map(into_contiguous);
        let [param_out, moment_1_out, moment_2_out] =
            [&param, &moment_1, &moment_2].map(empty_like);
        let (count, dim) = grid(&param);
        let client = param.client.clone();
        let dtype = dtype_to_storage_type(param.dtype);
        adam_kernel::launch(
            &client,
            count,
            dim,
            param.into_tensor_arg(),
            grad.into_tensor_arg(),
            moment_1.into_tensor_arg(),
            moment_2.into_tensor_arg(),
            param_out.clone().into_tensor_arg(),
            moment_1_out.clone().into_tensor_arg(),
            moment_2_out.clone().into_tensor_arg(),
            s.lr,
            s.beta_1,
            s.beta_2,
            s.decay,
            s.correction,
            s.epsilon,
            s.grad_scale,
            dtype,
        );
        AdamUpdate {
            param: param_out,
            moment_1: moment_1_out,
            moment_2: moment_2_out,
        }
    }

    fn nesterov_update(
        param: CubeTensor,
        grad: CubeTensor,
        velocity: CubeTensor,
        s: SgdScalars,
    ) -> NesterovUpdate<Self> {
        let [param, grad, velocity] = [param, grad, velocity].map(into_contiguous);
        let [param_out, velocity_out] = [&param, &velocity].map(empty_like);
        let (count, dim) = grid(&param);
        let client = param.client.clone();
        let dtype = dtype_to_storage_type(param.dtype);
        nesterov_kernel::launch(
            &client,
            count,
            dim,
            param.into_tensor_arg(),
            grad.into_tensor_arg(),
            velocity.into_tensor_arg(),
            param_out.clone().into_tensor_arg(),
            velocity_out.clone().into_tensor_arg(),
            s.lr,
            s.momentum,
            s.decay,
            s.grad_scale,
            dtype,
        );
        NesterovUpdate {
            param: param_out,
            velocity: velocity_out,
        }
    }

    fn sgd_update(param: CubeTensor, grad: CubeTensor, s: SgdScalars) -> CubeTensor {
        let [param, grad] = [param, grad].map(into_contiguous);
        let param_out = empty_like(&param);
        let (count, dim) = grid(&param);
        let client = param.client.clone();
        let dtype = dtype_to_storage_type(param.dtype);
        sgd_kernel::launch(
            &client,
            count,
            dim,
            param.into_tensor_arg(),
            grad.into_tensor_arg(),
            param_out.clone().into_tensor_arg(),
            s.lr,
            s.decay,
            s.grad_scale,
            dtype,
        );
        param_out
    }

    fn average_update(average: CubeTensor, current: CubeTensor, s: AverageScalars) -> CubeTensor {
        let [average, current] = [average, current].map(into_contiguous);
        let out = empty_like(&average);
        let (count, dim) = grid(&average);
        let client = average.client.clone();
        let dtype = dtype_to_storage_type(average.dtype);
        average_kernel::launch(
            &client,
            count,
            dim,
            average.into_tensor_arg(),
            current.into_tensor_arg(),
            out.clone().into_tensor_arg(),
            s.keep,
            s.take,
            dtype,
        );
        out
    }
}
