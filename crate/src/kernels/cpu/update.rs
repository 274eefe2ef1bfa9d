//! The fused updates on burn flex: one pass over each parameter's numbers, written in place
//! where flex owns the buffer alone (it copies on write where another tensor shares it).

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;

use super::{numbers, whole};
use crate::kernels::update::{
    AdamScalars, AdamUpdate, AverageScalars, FusedUpdate, NesterovUpdate, SgdScalars,
};

impl FusedUpdate for Flex {
    fn adam_update(
        param: FlexTensor,
        grad: FlexTensor,
        moment_1: FlexTensor,
        moment_2: FlexTensor,
        s: AdamScalars,
    ) -> AdamUpdate<Self> {
        let grad = whole(grad);
        let (mut param, mut moment_1, mut moment_2) =
            (whole(param), whole(moment_1), whole(moment_2));
        let g = numbers(&grad);
        let w = param.storage_mut::<f32>();
        let m = moment_1.storage_mut::<f32>();
        let v = moment_2.storage_mut::<f32>();
        for i in 0..w.len() {
            let g = w[i] * s.decay + g[i] * s.grad_scale;
            m[i] = m[i] * s.beta_1 + g * (1.0 - s.beta_1);
            v[i] = v[i] * s.beta_2 + g * g * (1.0 - s.beta_2);
            w[i] -= m[i] * s.correction / (v[i].sqrt() + s.epsilon) * s.lr;
        }
        AdamUpdate {
            param,
            moment_1,
            moment_2,
        }
    }

    fn nesterov_update(
        param: FlexTensor,
        grad: FlexTensor,
        velocity: FlexTensor,
        s: SgdScalars,
    ) -> NesterovUpdate<Self> {
        let grad = whole(grad);
        let (mut param, mut velocity) = (whole(param), whole(velocity));
        let g = numbers(&grad);
        let w = param.storage_mut::<f32>();
        let v = velocity.storage_mut::<f32>();
        for i in 0..w.len() {
            let g = g[i] * s.grad_scale + w[i] * s.decay;
            v[i] = v[i] * s.momentum + g;
            w[i] -= (v[i] * s.momentum + g) * s.lr;
        }
        NesterovUpdate { param, velocity }
    }

    fn sgd_update(param: FlexTensor, grad: FlexTensor, s: SgdScalars) -> FlexTensor {
        let grad = whole(grad);
        let mut param = whole(param);
        let g = numbers(&grad);
        let w = param.storage_mut::<f32>();
        for i in 0..w.len() {
            w[i] -= (w[i] * s.decay + g[i] * s.grad_scale) * s.lr;
        }
        param
    }

    fn average_update(average: FlexTensor, current: FlexTensor, s: AverageScalars) -> FlexTensor {
        let current = whole(current);
        let mut average = whole(average);
        let w = numbers(&current);
        let a = average.storage_mut::<f32>();
        for i in 0..a.len() {
            a[i] = a[i] * s.keep + w[i] * s.take;
        }
        average
    }
}
