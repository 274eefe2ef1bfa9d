//! The optimiser's state saved with async reads, and restored.
//!
//! burn's `ModuleOptimizer::to_record` reads every state tensor synchronously, which panics on
//! WebGPU. Adam's state is therefore wrapped so that it can be *collected* instead of read:
//! while [`state_bytes`] runs, the wrapper's `state_flatten` registers its tensors in one read
//! transaction and writes empty placeholders. The record burn builds from that is then
//! filled with the data of the one async read. The bytes are exactly burn's optimiser record
//! (a test checks this against burn's synchronous path), so they load with burn's
//! `ModuleOptimizer::from_bytes`.

use std::cell::RefCell;

use burn::optim::{AdamState, ModuleOptimizer, RecordState, StateSink, StateSource, join_path};
use burn::prelude::*;
use burn::store::burn_pack::{Reader, Scalar, Tensor as PackTensor, Writer};
use burn::tensor::{Bytes, Transaction};

use super::{AsyncAdamState, NesterovState};

/// Why an optimiser state could not be saved or restored.
#[derive(Debug, thiserror::Error)]
pub enum OptimizerStateError {
    #[error("reading the optimiser state from the device failed: {0}")]
    Read(String),
    #[error("the optimiser state is not readable: {0}")]
    Format(String),
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
