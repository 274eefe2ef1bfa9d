//! Lookahead weight averaging (airbench94's `LookaheadState`): a second copy of every weight
//! and BatchNorm statistic that follows the trained ones slowly, and that training restarts
//! from at each averaging step (see [`crate::recipe::extras::Lookahead`]).

use std::collections::VecDeque;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;

use crate::kernels::{self, AverageScalars};
use crate::model::Model;

/// The averaged weights: an inference copy (no autodiff) of the model.
#[derive(Debug, Clone)]
pub struct Average {
    pub weights: Model,
}

impl Average {
    /// Start the average at `model`'s weights.
    pub fn new(model: &Model) -> Self {
        Self {
            weights: model.valid(),
        }
    }

    /// `avg ← decay·avg + (1 − decay)·w` for every weight and BatchNorm statistic `w` of
    /// `model` (training copy), one fused operation each ([`kernels::average`]), then
    /// `w ← avg`: training goes on from the average.
    pub fn update(&mut self, model: Model, decay: f64) -> Model {
        // `valid()` also settles the BatchNorm statistics the last step updated.
        let current = tensors_of(&model.valid());
        self.weights = self.weights.clone().map(&mut Lerp {
            towards: current,
            decay,
        });
        self.assign_to(model)
    }

    /// The average, put into `model`'s parameters (keeping their ids and what trains).
    pub fn assign_to(&self, model: Model) -> Model {
        let values = tensors_of(&self.weights);
        model.map(&mut Assign { values })
    }
}

/// Every float parameter and running statistic of a module, flattened, in the module's order.
/// Matched by position, not by id: the model and its average have the same layers, but a
/// running statistic read back from a file does not keep its id.
fn tensors_of(model: &Model) -> VecDeque<Tensor<1>> {
    let mut collect = Collect::default();
    model.visit(&mut collect);
    collect.tensors
}

#[derive(Default)]
struct Collect {
    tensors: VecDeque<Tensor<1>>,
}

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let len = tensor.shape().num_elements();
        self.tensors.push_back(tensor.reshape([len]));
    }
}

struct Lerp {
    towards: VecDeque<Tensor<1>>,
    decay: f64,
}

impl ModuleMapper for Lerp {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(current) = self.towards.pop_front() else {
            return param;
        };
        let scalars = AverageScalars::of(self.decay);
        param.map(|avg| {
            let current = current.reshape(avg.shape()).to_device(&avg.device());
            kernels::average(avg, current, scalars)
        })
    }
}

struct Assign {
    values: VecDeque<Tensor<1>>,
}

impl ModuleMapper for Assign {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(value) = self.values.pop_front() else {
            return param;
        };
        param.map(|old| {
            let value = value.reshape(old.shape()).to_device(&old.device());
            if old.is_autodiff() {
                let trains = old.is_require_grad();
                value.autodiff().set_require_grad(trains)
            } else {
                value
            }
        })
    }
}
