//! The optimiser, and its state saved with async reads.
//!
//! Each optimiser computes burn's update (Adam, plain SGD) or PyTorch's (Nesterov SGD) as one
//! fused operation per parameter tensor (`train::fused`), and keeps burn's state types.
//!
//! burn's `ModuleOptimizer::to_record` reads every state tensor synchronously, which panics on
//! WebGPU. Adam's state is therefore wrapped so that it can be *collected* instead of read:
//! while [`state_bytes`] runs, the wrapper's `state_flatten` registers its tensors in one read
//! transaction and writes empty placeholders. The record burn builds from that is then
//! filled with the data of the one async read. The bytes are exactly burn's optimiser record
//! (a test checks this against burn's synchronous path), so they load with burn's
//! `ModuleOptimizer::from_bytes`.

use std::cell::RefCell;

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, ModuleOptimizer, Optimizer, RecordState,
    SgdConfig, SgdState, StateSink, StateSource, join_path,
};
use burn::prelude::*;
use burn::store::burn_pack::{Reader, Scalar, Tensor as PackTensor, Writer};
use burn::tensor::{Bytes, Transaction};

use crate::train::config::OptimizerConfig;
use crate::train::fused::{self, AdamScalars, SgdScalars};

/// Why an optimiser state could not be saved or restored.
#[derive(Debug, thiserror::Error)]
pub enum OptimizerStateError {
    #[error("reading the optimiser state from the device failed: {0}")]
    Read(String),
    #[error("the optimiser state is not readable: {0}")]
    Format(String),
}

/// Build the optimiser a config asks for, with an L2 penalty of `weight_decay` (0 for none)
/// added to every gradient. Each parameter's update is one fused operation (`fused`).
pub fn build(config: &OptimizerConfig, weight_decay: f64) -> ModuleOptimizer {
    let decay = weight_decay as f32;
    match *config {
        OptimizerConfig::Adam {
            beta_1,
            beta_2,
            epsilon,
        } => ModuleOptimizer::from(AsyncAdam {
            beta_1,
            beta_2,
            epsilon,
            decay,
        }),
        OptimizerConfig::Sgd => ModuleOptimizer::from(Sgd { decay }),
        OptimizerConfig::Nesterov { momentum } => ModuleOptimizer::from(Nesterov {
            momentum,
            weight_decay: decay,
            composed: false,
        }),
    }
}

/// burn's own optimisers for a config: the reference the fused ones are tested against.
pub fn build_reference(config: &OptimizerConfig, weight_decay: f64) -> ModuleOptimizer {
    let decay = (weight_decay > 0.0).then(|| WeightDecayConfig::new(weight_decay as f32));
    match *config {
        OptimizerConfig::Adam {
            beta_1,
            beta_2,
            epsilon,
        } => AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .with_weight_decay(decay)
            .init(),
        OptimizerConfig::Sgd => SgdConfig::new().with_weight_decay(decay).init(),
        // burn's Nesterov SGD keeps its velocity private; the reference is the same update
        // composed from burn's operations.
        OptimizerConfig::Nesterov { momentum } => ModuleOptimizer::from(Nesterov {
            momentum,
            weight_decay: weight_decay as f32,
            composed: true,
        }),
    }
}

/// The optimiser's state as burnpack bytes, read from the device with one async read.
pub async fn state_bytes(optimizer: &ModuleOptimizer) -> Result<Vec<u8>, OptimizerStateError> {
    let format = |e: String| OptimizerStateError::Format(e);
    COLLECTING.with(|c| *c.borrow_mut() = Some(Collected::default()));
    let record = optimizer.to_record();
    let collected = COLLECTING
        .with(|c| c.borrow_mut().take())
        .expect("collection was started above");
    let placeholders = record.into_bytes().map_err(|e| format(e.to_string()))?;
    let data = collected
        .transaction
        .execute_async()
        .await
        .map_err(|e| OptimizerStateError::Read(e.to_string()))?;
    let mut filled: std::collections::HashMap<String, TensorData> =
        collected.names.into_iter().zip(data).collect();

    let reader = Reader::from_bytes(placeholders).map_err(|e| format(e.to_string()))?;
    let metadata = reader.metadata().clone();
    let scalars = reader.scalars().clone();
    let tensors = reader
        .into_tensors()
        .map_err(|e| format(e.to_string()))?
        .into_iter()
        .map(|tensor| match filled.remove(&tensor.name) {
            Some(data) => {
                let name = tensor.name.clone();
                let param_id = tensor.param_id;
                let (bytes, shape, dtype) = data.into_parts();
                PackTensor::new(name, dtype, shape, param_id, bytes)
            }
            None => tensor,
        })
        .collect();
    let mut writer = Writer::new(tensors);
    for (key, value) in &metadata {
        writer = writer.with_metadata(key, value);
    }
    for (key, value) in &scalars {
        writer = writer.with_scalar(key, *value);
    }
    Ok(writer
        .into_bytes()
        .map_err(|e| format(e.to_string()))?
        .to_vec())
}

/// Restore a state saved by [`state_bytes`] (or burn's own saver) into `optimizer`, with its
/// tensors created on `device`. The state is keyed by parameter id, so the model must be the
/// one the state was saved with (weights files keep the ids).
pub fn load_state(
    optimizer: ModuleOptimizer,
    bytes: &[u8],
    device: &Device,
) -> Result<ModuleOptimizer, OptimizerStateError> {
    LOAD_DEVICE.with(|d| *d.borrow_mut() = Some(device.clone().inner()));
    let result = optimizer.from_bytes(Bytes::from_bytes_vec(bytes.to_vec()));
    LOAD_DEVICE.with(|d| *d.borrow_mut() = None);
    result.map_err(|e| OptimizerStateError::Format(e.to_string()))
}

/// Check a saved optimiser state against the weights it belongs to before burn reads it: every
/// state tensor is named after its parameter's id, carries that id, and has that parameter's
/// shape (Adam's moments, SGD's velocity); every `ID.__rank` scalar, from which burn takes the
/// rank it builds a parameter's state tensors at, names a parameter of that rank. burn panics on
/// a state that breaks any of these (a damaged file), so a mismatch is refused here, naming the
/// tensor or scalar.
pub fn check_state(state: &[u8], weights: &[u8]) -> Result<(), OptimizerStateError> {
    let read = |bytes: &[u8]| {
        Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .map_err(|e| OptimizerStateError::Format(e.to_string()))
    };
    let tensors = |reader: Reader| {
        reader
            .into_tensors()
            .map_err(|e| OptimizerStateError::Format(e.to_string()))
    };
    let params: std::collections::BTreeMap<u64, Vec<usize>> = tensors(read(weights)?)?
        .into_iter()
        .filter_map(|t| Some((t.param_id?, t.shape.as_slice().to_vec())))
        .collect();
    let format = |message: String| Err(OptimizerStateError::Format(message));
    let state = read(state)?;
    for (name, value) in state.scalars() {
        let Some(id) = name.strip_suffix(".__rank") else {
            continue;
        };
        // burn skips a rank it cannot read; any other must be the parameter's.
        let (Ok(id), Ok(rank)) = (id.parse::<u64>(), usize::try_from(*value)) else {
            continue;
        };
        match params.get(&id) {
            Some(shape) if shape.len() == rank => {}
            Some(shape) => {
                return format(format!(
                    "{name} is {rank}, but its parameter has shape {shape:?}"
                ));
            }
            None => return format(format!("{name} belongs to no parameter of the weights")),
        }
    }
    for tensor in tensors(state)? {
        let id = tensor
            .name
            .split('.')
            .next()
            .and_then(|id| id.parse::<u64>().ok());
        match tensor.param_id {
            Some(param) if Some(param) != id => {
                return format(format!(
                    "{} is stored for parameter {param}, not the one it is named after",
                    tensor.name
                ));
            }
            Some(_) => {}
            None => return format(format!("{} names no parameter id", tensor.name)),
        }
        let expected = id.and_then(|id| params.get(&id));
        match expected {
            Some(shape) if *shape == tensor.shape.as_slice() => {}
            Some(shape) => {
                return format(format!(
                    "{} has shape {:?}, but its parameter has shape {shape:?}",
                    tensor.name,
                    tensor.shape.as_slice()
                ));
            }
            None => {
                return format(format!(
                    "{} belongs to no parameter of the weights",
                    tensor.name
                ));
            }
        }
    }
    Ok(())
}

/// The number of parameters an optimiser holds state for (0 before the first step).
pub fn state_entries(bytes: &[u8]) -> Result<usize, OptimizerStateError> {
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| OptimizerStateError::Format(e.to_string()))?;
    let ids: std::collections::BTreeSet<_> = reader
        .into_tensors()
        .map_err(|e| OptimizerStateError::Format(e.to_string()))?
        .into_iter()
        .filter_map(|t| t.param_id)
        .collect();
    Ok(ids.len())
}

#[derive(Default)]
struct Collected {
    names: Vec<String>,
    transaction: Transaction,
}

thread_local! {
    /// Set while [`state_bytes`] runs: state tensors are registered here instead of read.
    static COLLECTING: RefCell<Option<Collected>> = const { RefCell::new(None) };
    /// Set while [`load_state`] runs: where restored state tensors are created. burn would use
    /// `Device::default()`, which is the GPU when WebGPU is compiled in, even for a CPU run.
    static LOAD_DEVICE: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// Register `tensor` under `prefix.leaf` for the collecting read, with a placeholder in `out`.
fn collect<const D: usize>(prefix: &str, leaf: &str, tensor: &Tensor<D>, out: &mut StateSink) {
    COLLECTING.with(|c| {
        let mut c = c.borrow_mut();
        let c = c.as_mut().expect("only called while collecting");
        c.names.push(join_path(prefix, leaf));
        c.transaction = std::mem::take(&mut c.transaction).register(tensor.clone());
    });
    out.push_tensor(prefix, leaf, TensorData::new(Vec::<f32>::new(), [0]));
}

fn collecting() -> bool {
    COLLECTING.with(|c| c.borrow().is_some())
}

/// Adam as burn computes it (`AdamConfig`, no AMSGrad), each parameter's update one fused
/// operation, with a state that can be saved without synchronous reads. The state is burn's
/// [`AdamState`], so checkpoints are burn's Adam records.
#[derive(Clone)]
pub struct AsyncAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    decay: f32,
}

/// [`AdamState`] under another name, so that its record can be collected.
#[derive(Clone)]
pub struct AsyncAdamState<const D: usize>(AdamState<D>);

impl Optimizer for AsyncAdam {
    type State<const D: usize> = AsyncAdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let (time, moments) = match state {
            Some(AsyncAdamState(AdamState { momentum })) => (
                momentum.time + 1,
                Some((momentum.moment_1, momentum.moment_2)),
            ),
            None => (1, None),
        };
        let scalars = AdamScalars::at(time, lr, self.beta_1, self.beta_2, self.epsilon, self.decay);
        let (tensor, moment_1, moment_2) = fused::adam(tensor, grad, moments, scalars);
        let momentum = AdaptiveMomentumState::new(time, moment_1, moment_2);
        (tensor, Some(AsyncAdamState(AdamState::new(momentum))))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AsyncAdamState(Adam::to_device(state.0, device))
    }
}

/// Plain SGD as burn's `Sgd` without momentum computes it, the update one fused operation. Its
/// state is burn's empty [`SgdState`], so its records are burn's.
#[derive(Clone)]
pub struct Sgd {
    decay: f32,
}

impl Optimizer for Sgd {
    type State<const D: usize> = SgdState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        _state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let scalars = SgdScalars {
            lr: lr as f32,
            momentum: 0.0,
            decay: self.decay,
        };
        (fused::sgd(tensor, grad, scalars), Some(SgdState::new(None)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, _device: &Device) -> Self::State<D> {
        state
    }
}

impl<const D: usize> RecordState for AsyncAdamState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        if !collecting() {
            return self.0.state_flatten(prefix, out);
        }
        // The same leaves, in the same order, as burn's derived `AdamState::state_flatten`.
        let momentum = &self.0.momentum;
        let prefix = join_path(prefix, "momentum");
        out.push_scalar(&prefix, "time", Scalar::from(momentum.time));
        collect(&prefix, "moment_1", &momentum.moment_1, out);
        collect(&prefix, "moment_2", &momentum.moment_2, out);
        if let Some(max) = &momentum.max_moment_2 {
            collect(&prefix, "max_moment_2", max, out);
        }
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let device = LOAD_DEVICE
            .with(|d| d.borrow().clone())
            .unwrap_or_else(|| device.clone());
        AdamState::state_unflatten(prefix, src, &device).map(AsyncAdamState)
    }
}

/// SGD with Nesterov momentum and an L2 penalty, as PyTorch's `SGD(nesterov=True)` (no
/// dampening): `g ← ∇ + λw`, `v ← μv + g`, `w ← w − α(g + μv)`, the update one fused operation.
/// burn's own keeps its velocity private, so its state could not be saved with an async read;
/// this one's can.
#[derive(Clone)]
pub struct Nesterov {
    momentum: f32,
    weight_decay: f32,
    /// The update composed from burn's operations ([`fused::reference::nesterov`]) instead of
    /// fused: the reference the fused update is tested against.
    composed: bool,
}

#[derive(Clone)]
pub struct NesterovState<const D: usize> {
    velocity: Tensor<D>,
}

impl Optimizer for Nesterov {
    type State<const D: usize> = NesterovState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let scalars = SgdScalars {
            lr: lr as f32,
            momentum: self.momentum,
            decay: self.weight_decay,
        };
        let velocity = state.map(|s| s.velocity);
        let (tensor, velocity) = if self.composed {
            let velocity = velocity.unwrap_or_else(|| tensor.zeros_like());
            fused::reference::nesterov(tensor, grad, velocity, scalars)
        } else {
            fused::nesterov(tensor, grad, velocity, scalars)
        };
        (tensor, Some(NesterovState { velocity }))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        NesterovState {
            velocity: state.velocity.to_device(device),
        }
    }
}

impl<const D: usize> RecordState for NesterovState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        if collecting() {
            collect(prefix, "velocity", &self.velocity, out);
        } else {
            out.push_tensor(prefix, "velocity", self.velocity.clone().into_data());
        }
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let device = LOAD_DEVICE
            .with(|d| d.borrow().clone())
            .unwrap_or_else(|| device.clone());
        let velocity = Tensor::from_data(src.take_tensor(prefix, "velocity")?, &device);
        Some(Self { velocity })
    }
}
