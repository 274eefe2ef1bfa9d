//! A run saved at the end of an epoch, to be continued later: the weights, the optimiser's
//! state, the config and the metrics so far. The browser keeps one per run in IndexedDB.

use crate::train::config::TrainingConfig;
use crate::train::optimizer::OptimizerStateError;
use crate::train::trainer::EpochRecord;
use crate::weights::WeightsError;

#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub config: TrainingConfig,
    /// One record per finished epoch; training continues with epoch `history.len()`.
    pub history: Vec<EpochRecord>,
    /// A Kiln weights file (the format of `kiln train --out`).
    pub weights: Vec<u8>,
    /// burn's optimiser record (burnpack), keyed by the weights' parameter ids.
    pub optimizer: Vec<u8>,
    /// With early stopping, the weights of the best epoch so far when it is not the last one
    /// (a Kiln weights file): the weights the run will end with unless a later epoch beats it.
    pub best_weights: Option<Vec<u8>>,
}

impl Checkpoint {
    /// Epochs finished so far.
    pub fn epochs_done(&self) -> usize {
        self.history.len()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("saved run: {0}")]
    Weights(#[from] WeightsError),
    #[error("saved run: {0}")]
    Optimizer(#[from] OptimizerStateError),
    #[error("saved run: {0}")]
    Inconsistent(String),
}
