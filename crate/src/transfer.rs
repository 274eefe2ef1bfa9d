//! Read a model's parameters with one async read, and rebuild the model on any device from
//! them. WebGPU forbids synchronous reads, so moving a model off the GPU (or saving it) goes
//! through here rather than `to_device` or burn's record/store paths, which read synchronously.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::model::Model;
use crate::read::{ReadError, read_floats};

/// Every float parameter of a model, in visiting order: shape and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    pub shapes: Vec<Vec<usize>>,
    pub values: Vec<f32>,
}

struct Collect(Vec<(Vec<usize>, Tensor<1>)>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        self.0.push((shape, tensor.reshape([-1])));
    }
}

/// Read all parameters of `model` in a single device read.
pub async fn read_parameters(model: &Model) -> Result<Parameters, ReadError> {
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    let (shapes, flat): (Vec<_>, Vec<_>) = collect.0.into_iter().unzip();
    let values = if flat.is_empty() {
        Vec::new()
    } else {
        read_floats(Tensor::cat(flat, 0)).await?
    };
    Ok(Parameters { shapes, values })
}

struct Replace<'a> {
    parameters: &'a Parameters,
    index: usize,
    offset: usize,
    device: Device,
}

impl ModuleMapper for Replace<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let shape = self.parameters.shapes[self.index].clone();
        let len: usize = shape.iter().product();
        let values = self.parameters.values[self.offset..self.offset + len].to_vec();
        self.index += 1;
        self.offset += len;
        let device = self.device.clone();
        param.map(|_| Tensor::from_data(TensorData::new(values, shape), &device))
    }
}

/// `model` (already on `device`) with its parameters replaced by `parameters`, read from a
/// model of the same architecture.
pub fn with_parameters(model: Model, parameters: &Parameters, device: &Device) -> Model {
    model.map(&mut Replace {
        parameters,
        index: 0,
        offset: 0,
        device: device.clone(),
    })
}

/// Copy `model`'s parameters into `fresh_on_device` (same architecture, built on `device`),
/// reading them asynchronously: safe on WebGPU, where `to_device` would read synchronously.
pub async fn move_to_device(
    model: &Model,
    fresh_on_device: Model,
    device: &Device,
) -> Result<Model, ReadError> {
    let parameters = read_parameters(model).await?;
    Ok(with_parameters(fresh_on_device, &parameters, device))
}
