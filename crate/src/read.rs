//! GPU→CPU reads. Every read here stalls the device pipeline, so callers batch what they need
//! into as few reads as possible. Only the async variants are used: synchronous reads panic on
//! WebGPU.

use burn::prelude::*;
use burn::tensor::Transaction;

/// A tensor could not be read back (a lost GPU device, a failed kernel).
#[derive(Debug, thiserror::Error)]
#[error("reading results from the device failed: {0}")]
pub struct ReadError(pub String);

pub async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, ReadError> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| ReadError(e.to_string()))?;
    data.try_into_vec_as::<f32>()
        .map_err(|e| ReadError(format!("{e:?}")))
}

pub async fn read_ints<const D: usize>(tensor: Tensor<D, Int>) -> Result<Vec<i64>, ReadError> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| ReadError(e.to_string()))?;
    data.try_into_vec_as::<i64>()
        .map_err(|e| ReadError(format!("{e:?}")))
}

/// Every tensor registered in `transaction`, read in one go, as floats, in the order registered.
pub async fn read_transaction(
    transaction: Transaction,
) -> Result<impl Iterator<Item = Result<Vec<f32>, ReadError>>, ReadError> {
    let data = transaction
        .execute_async()
        .await
        .map_err(|e| ReadError(e.to_string()))?;
    Ok(data.into_iter().map(|d| {
        d.try_into_vec_as::<f32>()
            .map_err(|e| ReadError(format!("{e:?}")))
    }))
}
