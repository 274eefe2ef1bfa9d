//! A trainer: a model, its optimiser state, its normalisation and its history, built fresh,
//! from given weights or from a checkpoint; and the [`Observer`] that watches it train. The
//! training loop itself is in `run`.

use std::future::Future;
use std::rc::Rc;

use burn::optim::ModuleOptimizer;
use burn::prelude::*;

use crate::data::cifar::IMAGE_BYTES;
use crate::data::{Cifar10, Normalization};
use crate::model::{Model, ModelError};
use crate::read::ReadError;
use crate::recipe::NormalizationKind;
use crate::train::average::Average;
use crate::train::checkpoint::{Checkpoint, CheckpointError};
use crate::train::config::TrainingConfig;
use crate::train::events::TrainingEvent;
use crate::train::history::{History, RunResult};
use crate::train::optimizer;
use crate::train::rates::Rates;
use crate::train::validate::ConfigError;

/// Whether training goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// Receives progress and decides, between steps, whether to go on.
pub trait Observer {
    fn event(&mut self, event: &TrainingEvent);

    /// Awaited between steps, with the model as it is now (autodiff; call `valid()` for an
    /// inference copy). The browser worker yields to its event loop here, so that pause and
    /// stop messages arrive, waits here while paused, and snapshots the latest weights.
    fn between_steps(&mut self, model: &Model) -> impl Future<Output = Control> {
        let _ = model;
        std::future::ready(Control::Continue)
    }

    /// Whether a stop has been asked for, without waiting or counting as a step: checked when
    /// an epoch's last steps are done, so that a stop that arrives while the device still runs
    /// the steps already queued ends the run there, before the evaluation.
    fn stop_requested(&self) -> bool {
        false
    }

    /// Whether the page's learning panels are open: progress reports then carry a look inside
    /// the network (gradient and update norms, hidden-layer statistics) from time to time.
    fn watching(&self) -> bool {
        false
    }

    /// The picture (32×32, CHW bytes) the page's drawing of the network shows while it is on
    /// screen: progress reports then carry the network drawn for it from time to time, with
    /// the looks' cadence (`WATCH_EVERY_SECONDS`) and in the same read. Asked before every
    /// step: shared, not copied.
    fn drawing(&self) -> Option<Rc<[u8]>> {
        None
    }

    /// Awaited after each finished epoch (after its `EpochFinished` event). The browser saves a
    /// [`Checkpoint`] of the trainer here.
    fn epoch_finished(&mut self, trainer: &Trainer) -> impl Future<Output = ()> {
        let _ = trainer;
        std::future::ready(())
    }
}

/// A plain callback observes every event and never stops training.
impl<F: FnMut(&TrainingEvent)> Observer for F {
    fn event(&mut self, event: &TrainingEvent) {
        self(event)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("no training images: load data_batch_*.bin files (or the full archive) first")]
    NoTrainingData,
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The loss became NaN or infinite: the weights blew up, almost always from too large a
    /// learning rate. The run stops instead of training (and saving) garbage.
    #[error(
        "training diverged at epoch {epoch}, step {step}: the loss became {loss}, not a finite \
         number. Try a lower learning rate than {learning_rate}"
    )]
    Diverged {
        /// 1-based, as the page and the CLI count epochs.
        epoch: usize,
        /// 1-based within the epoch.
        step: usize,
        loss: f32,
        learning_rate: f64,
    },
}

/// A model, its optimiser state and its progress; `run` trains it for `config.epochs` epochs.
pub struct Trainer {
    pub config: TrainingConfig,
    /// The autodiff device the model lives on.
    pub(super) device: Device,
    /// On `device`; in training mode from the start of `run` (a resumed one is not before).
    pub(super) model: Model,
    pub(super) optimizer: ModuleOptimizer,
    pub(super) normalization: Normalization,
    /// The lookahead average, when the recipe has one.
    pub(super) average: Option<Average>,
    /// The learning rate of each step (the schedule's).
    pub(super) rates: Rates,
    /// The finished epochs, and the weights kept from them.
    pub history: History,
}

impl Trainer {
    /// Build a fresh model on `device` (autodiff is enabled here). Mean/std normalisation
    /// statistics, when asked for, come from `data`'s training set.
    pub fn new(
        config: TrainingConfig,
        device: &Device,
        data: &Cifar10,
    ) -> Result<Self, TrainError> {
        config.validate()?;
        let autodiff = device.clone().autodiff();
        autodiff.seed(config.seed);
        let model = config.model.init(&autodiff)?;
        let mut trainer = Self::assemble(config, autodiff, data, model);
        // Layers computed from the data (airbench's whitening), from the first training images.
        let limit = (trainer.model.fit_images())
            .min(data.train.len())
            .min(trainer.config.train_limit.unwrap_or(usize::MAX));
        if limit > 0 {
            let mut pixels = Vec::with_capacity(limit * IMAGE_BYTES);
            for i in 0..limit {
                trainer
                    .normalization
                    .extend_floats(data.train.image(i), &mut pixels);
            }
            trainer.model = trainer.model.fit_to_data(&pixels);
        }
        trainer.average = trainer.new_average();
        Ok(trainer)
    }

    /// A fresh average of the current weights, when the recipe averages.
    fn new_average(&self) -> Option<Average> {
        self.config
            .recipe
            .lookahead
            .map(|_| Average::new(&self.model))
    }

    /// Continue training `model` (moved to `device`) with a fresh optimiser state.
    pub fn from_model(
        config: TrainingConfig,
        device: &Device,
        data: &Cifar10,
        model: Model,
    ) -> Result<Self, TrainError> {
        config.validate()?;
        let device = device.clone().autodiff();
        let model = model.to_device(&device).train();
        let mut trainer = Self::assemble(config, device, data, model);
        trainer.average = trainer.new_average();
        Ok(trainer)
    }

    /// Continue a saved run on `device`: the same weights, optimiser state, config and history,
    /// so that training goes on with the next epoch as if it had never stopped.
    pub fn resume(device: &Device, checkpoint: &Checkpoint) -> Result<Self, TrainError> {
        checkpoint.config.validate()?;
        let restored = checkpoint.restore(device)?;
        Ok(Self {
            config: checkpoint.config.clone(),
            device: device.clone().autodiff(),
            model: restored.model,
            optimizer: restored.optimizer,
            normalization: restored.normalization,
            average: restored.average,
            rates: restored.rates,
            history: restored.history,
        })
    }

    /// Save the run as it is now. Call it between epochs (in `Observer::epoch_finished`); see
    /// [`Checkpoint::capture`].
    pub async fn checkpoint(&self, dataset: &str) -> Result<Checkpoint, TrainError> {
        let checkpoint = Checkpoint::capture(
            &self.config,
            self.normalization,
            &self.model(),
            &self.optimizer,
            self.average.as_ref(),
            &self.history,
            dataset,
        )
        .await?;
        Ok(Checkpoint {
            schedule: self.rates.state(),
            ..checkpoint
        })
    }

    /// `device` has autodiff enabled and `model` lives on it.
    fn assemble(config: TrainingConfig, device: Device, data: &Cifar10, model: Model) -> Self {
        let optimizer = optimizer::build(
            &config.optimizer,
            config.weight_decay,
            &model.norm_bias_ids(),
            config.recipe.norm_bias_lr_scale,
        );
        let normalization = match config.normalization {
            NormalizationKind::Unit => Normalization::Unit,
            NormalizationKind::MeanStd => Normalization::mean_std_of(&data.train),
        };
        Self {
            config,
            device,
            model,
            optimizer,
            normalization,
            average: None,
            rates: Rates::default(),
            history: History::default(),
        }
    }

    /// The model as it is now, for inference (no autodiff).
    pub fn model(&self) -> Model {
        self.model.valid()
    }

    /// The weights a run ends with, with their epoch count and test accuracy: with early
    /// stopping, those of the best epoch (when this trainer saw them); otherwise the current
    /// ones.
    pub fn result(&self) -> RunResult {
        let early_stopping = self.config.early_stopping.is_some();
        self.history.result(self.model(), early_stopping)
    }

    /// The weights as they were when the last epoch finished (`None` before the first).
    pub fn last_epoch_model(&self) -> Option<Model> {
        self.history.last_epoch_model()
    }

    pub fn normalization(&self) -> Normalization {
        self.normalization
    }
}
