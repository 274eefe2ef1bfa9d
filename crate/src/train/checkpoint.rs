//! A run saved at the end of an epoch, to be continued later: the weights, the optimiser's
//! state, the config and the metrics so far. The browser keeps one per run in IndexedDB.

use burn::optim::ModuleOptimizer;
use burn::prelude::*;

use crate::data::Normalization;
use crate::model::Model;
use crate::train::average::Average;
use crate::train::config::TrainingConfig;
use crate::train::events::EpochRecord;
use crate::train::history::{History, last_test_accuracy};
use crate::train::optimizer::{self, OptimizerStateError};
use crate::train::rates::Rates;
use crate::weights::{self, WeightsError, WeightsMeta};

/// A run so far: what the browser keeps in IndexedDB after every epoch and `kiln train
/// --checkpoint` in a file. The web layer hands it to the worker with its bytes as
/// `Uint8Array`s (`crate/src/web/checkpoint.rs`), as its generated declaration says.
#[derive(Debug, Clone)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Checkpoint {
    pub config: TrainingConfig,
    /// One record per finished epoch; training continues with epoch `history.len()`.
    pub history: Vec<EpochRecord>,
    /// A Kiln weights file (the format of `kiln train --out`).
    #[cfg_attr(test, ts(type = "Uint8Array"))]
    pub weights: Vec<u8>,
    /// burn's optimiser record (burnpack), keyed by the weights' parameter ids.
    #[cfg_attr(test, ts(type = "Uint8Array"))]
    pub optimizer: Vec<u8>,
    /// With early stopping, the weights of the best epoch so far when it is not the last one
    /// (a Kiln weights file): the weights the run will end with unless a later epoch beats it.
    #[cfg_attr(test, ts(optional, type = "Uint8Array"))]
    pub best_weights: Option<Vec<u8>>,
    /// With lookahead averaging, the averaged weights (a Kiln weights file).
    #[cfg_attr(test, ts(optional, type = "Uint8Array"))]
    pub average: Option<Vec<u8>>,
    /// burn's learning-rate scheduler state and the run's length in steps (an
    /// `LrSchedulerRecord` as burnpack); a run saved without it, or continued for more epochs,
    /// goes on with its schedule from the step count.
    #[cfg_attr(test, ts(optional, type = "Uint8Array"))]
    pub schedule: Option<Vec<u8>>,
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

/// A checkpoint read back: what a resumed run starts from.
pub struct Restored {
    /// On the autodiff device the checkpoint was restored to, not yet trainable: `Trainer::run`
    /// makes it trainable when training starts (see [`Checkpoint::restore`]).
    pub model: Model,
    pub optimizer: ModuleOptimizer,
    /// The statistics the weights were trained with, not recomputed from today's data.
    pub normalization: Normalization,
    pub average: Option<Average>,
    pub rates: Rates,
    pub history: History,
}

impl Checkpoint {
    /// Epochs finished so far.
    pub fn epochs_done(&self) -> usize {
        self.history.len()
    }

    /// Save a run between epochs: a checkpoint taken mid-epoch would repeat that epoch's first
    /// steps on resume. `model` is the inference copy of the weights. Two async reads (the
    /// weights, then the optimiser state), and a third for the best epoch's weights when early
    /// stopping keeps older ones.
    pub async fn capture(
        config: &TrainingConfig,
        normalization: Normalization,
        model: &Model,
        optimizer: &ModuleOptimizer,
        average: Option<&Average>,
        history: &History,
        dataset: &str,
    ) -> Result<Self, CheckpointError> {
        let describe = |epochs, accuracy| {
            WeightsMeta::describe(
                &config.model,
                normalization,
                epochs,
                accuracy,
                dataset.to_string(),
            )
        };
        let meta = describe(history.epochs_done(), last_test_accuracy(&history.records));
        let weights = weights::to_bytes(model, &meta).await?;
        let optimizer = optimizer::state_bytes(optimizer).await?;
        let best_weights = match history.best_apart(config.early_stopping.is_some()) {
            Some((best, epoch, accuracy)) => {
                Some(weights::to_bytes(best, &describe(epoch + 1, Some(accuracy))).await?)
            }
            None => None,
        };
        let average = match average {
            Some(average) => Some(weights::to_bytes(&average.weights, &meta).await?),
            None => None,
        };
        Ok(Self {
            config: config.clone(),
            history: history.records.clone(),
            weights,
            optimizer,
            best_weights,
            average,
            // The trainer adds its scheduler's state (`Trainer::checkpoint`).
            schedule: None,
        })
    }

    /// Read the weights, optimiser state and history back onto `device`, checking that they
    /// belong together; the model ends on `device` with autodiff enabled.
    ///
    /// Everything is read and checked on the plain device, and the model is moved to the
    /// autodiff device last, not yet trainable (`Trainer::run` makes it trainable). burn-autodiff
    /// records each parameter made trainable in a process-wide graph that only a backward pass
    /// clears (about 12 kB per model): made trainable here, a checkpoint refused halfway or a
    /// resumed run that never trains would leave them behind, and resuming many checkpoints
    /// without training (the checkpoint fuzzer) would grow without bound.
    pub fn restore(&self, device: &Device) -> Result<Restored, CheckpointError> {
        let (model, meta) = weights::from_bytes("saved run", &self.weights, device)?;
        if meta.model != self.config.model {
            return Err(CheckpointError::Inconsistent(format!(
                "the weights are a {:?} model but the run is configured for {:?}",
                meta.model, self.config.model
            )));
        }
        if meta.epochs != self.history.len() {
            return Err(CheckpointError::Inconsistent(format!(
                "the weights are from epoch {} but the history has {} epochs",
                meta.epochs,
                self.history.len()
            )));
        }
        optimizer::check_state(&self.optimizer, &self.weights)?;
        let optimizer = optimizer::load_state(
            optimizer::build(
                &self.config.optimizer,
                self.config.weight_decay,
                &model.norm_bias_ids(),
                self.config.recipe.norm_bias_lr_scale,
            ),
            &self.optimizer,
            device,
        )?;
        let best = match &self.best_weights {
            Some(bytes) => Some(weights::from_bytes("saved run's best epoch", bytes, device)?.0),
            None => None,
        };
        let average = match (&self.average, self.config.recipe.lookahead) {
            (Some(bytes), Some(_)) => Some(Average {
                weights: weights::from_bytes("saved run's averaged weights", bytes, device)?.0,
            }),
            (None, Some(_)) => {
                return Err(CheckpointError::Inconsistent(
                    "the run averages its weights, but the averaged weights were not saved".into(),
                ));
            }
            (_, None) => None,
        };
        let rates =
            Rates::restored(self.schedule.as_deref()).map_err(CheckpointError::Inconsistent)?;
        let history = History::restored(self.history.clone(), model.valid(), best);
        Ok(Restored {
            model: model.fork(&device.clone().autodiff()),
            optimizer,
            normalization: meta.normalization,
            average,
            rates,
            history,
        })
    }
}
