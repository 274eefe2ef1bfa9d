//! The training loop: one implementation for every device (flex CPU natively and in wasm,
//! WebGPU in the browser). It reads tensors only through async reads, a few times a second.

use std::future::Future;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use web_time::Instant;

use crate::data::batcher::epoch_order;
use crate::data::{Augmentation, Batcher, Cifar10, Normalization};
use crate::model::{Model, ModelError};
use crate::train::checkpoint::{Checkpoint, CheckpointError};
use crate::train::compute::on_pool;
use crate::train::config::{ConfigError, NormalizationKind, TrainingConfig};
use crate::train::eval::{Evaluation, evaluate};
use crate::train::events::{Metrics, TrainingEvent, TrainingSummary};
use crate::train::optimizer;
use crate::train::read::ReadError;
use crate::train::window::{PendingRead, Totals, Window};
use crate::weights::{self, WeightsMeta};

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
}

/// A model, its optimiser state and its progress; `run` trains it for `config.epochs` epochs.
pub struct Trainer {
    pub config: TrainingConfig,
    device: Device,
    model: Option<Model>,
    optimizer: ModuleOptimizer,
    normalization: Normalization,
    /// Epochs completed so far, and their metrics.
    pub history: Vec<EpochRecord>,
    /// Inference copy of the weights at the end of the last finished epoch.
    last_epoch: Option<Model>,
    /// With early stopping, the weights (and evaluation) of the epoch [`best_of`] the history
    /// names, when this trainer has them: a resumed run knows older epochs only by their
    /// metrics, unless its checkpoint kept the best epoch's weights.
    best_weights: Option<(Model, Option<Evaluation>)>,
    /// The test-set evaluation of the last finished epoch.
    last_evaluation: Option<Evaluation>,
}

/// What a run leaves behind: the weights to keep, how many epochs they were trained and their
/// test evaluation.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub model: Model,
    pub epochs: usize,
    pub test_accuracy: Option<f32>,
    pub evaluation: Option<Evaluation>,
}

/// The test accuracy of the last finished epoch, when it was evaluated.
pub fn last_test_accuracy(history: &[EpochRecord]) -> Option<f32> {
    history.last().and_then(|r| r.test.map(|t| t.accuracy))
}

/// The first epoch with the highest test accuracy, and that accuracy.
pub fn best_of(history: &[EpochRecord]) -> Option<(usize, f32)> {
    history
        .iter()
        .filter_map(|r| r.test.map(|t| (r.epoch, t.accuracy)))
        .fold(None, |best, (e, a)| match best {
            Some((_, b)) if b >= a => best,
            _ => Some((e, a)),
        })
}

/// Metrics of one finished epoch.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub train: Metrics,
    pub test: Option<Metrics>,
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
        Ok(Self::assemble(config, autodiff, data, model))
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
        Ok(Self::assemble(config, device, data, model))
    }

    /// Continue a saved run on `device`: the same weights, optimiser state, config and history,
    /// so that training goes on with the next epoch as if it had never stopped.
    pub fn resume(
        device: &Device,
        data: &Cifar10,
        checkpoint: &Checkpoint,
    ) -> Result<Self, TrainError> {
        let config = checkpoint.config.clone();
        config.validate()?;
        let autodiff = device.clone().autodiff();
        let (model, meta) = weights::from_bytes("saved run", &checkpoint.weights, &autodiff)
            .map_err(CheckpointError::from)?;
        let inconsistent = |m: String| TrainError::from(CheckpointError::Inconsistent(m));
        if meta.model != config.model {
            return Err(inconsistent(format!(
                "the weights are a {:?} model but the run is configured for {:?}",
                meta.model, config.model
            )));
        }
        if meta.epochs != checkpoint.history.len() {
            return Err(inconsistent(format!(
                "the weights are from epoch {} but the history has {} epochs",
                meta.epochs,
                checkpoint.history.len()
            )));
        }
        let mut trainer = Self::assemble(config, autodiff, data, model.train());
        trainer.optimizer = optimizer::load_state(
            optimizer::build(&trainer.config.optimizer, trainer.config.weight_decay),
            &checkpoint.optimizer,
            device,
        )
        .map_err(CheckpointError::from)?;
        // The statistics the weights were trained with, not recomputed from today's data.
        trainer.normalization = meta.normalization;
        trainer.history = checkpoint.history.clone();
        trainer.last_epoch = Some(trainer.model());
        let best_is_last =
            best_of(&trainer.history).is_some_and(|(epoch, _)| epoch + 1 == trainer.history.len());
        trainer.best_weights = match &checkpoint.best_weights {
            _ if best_is_last => Some((trainer.model(), None)),
            Some(bytes) => Some((
                weights::from_bytes("saved run's best epoch", bytes, device)
                    .map_err(CheckpointError::from)?
                    .0,
                None,
            )),
            None => None,
        };
        Ok(trainer)
    }

    /// Save the run as it is now. Call it between epochs (in `Observer::epoch_finished`): a
    /// checkpoint taken mid-epoch would repeat that epoch's first steps on resume. Two async
    /// reads (the weights, then the optimiser state), and a third for the best epoch's weights
    /// when early stopping keeps older ones.
    pub async fn checkpoint(&self, dataset: &str) -> Result<Checkpoint, TrainError> {
        let model = self.model();
        let meta = WeightsMeta::describe(
            &self.config.model,
            self.normalization,
            self.history.len(),
            last_test_accuracy(&self.history),
            dataset.to_string(),
        );
        let weights = weights::to_bytes(&model, &meta)
            .await
            .map_err(CheckpointError::from)?;
        let optimizer = optimizer::state_bytes(&self.optimizer)
            .await
            .map_err(CheckpointError::from)?;
        let best_weights = match (&self.best_weights, best_of(&self.history)) {
            (Some((model, _)), Some((epoch, accuracy)))
                if self.config.early_stopping.is_some() && epoch + 1 != self.history.len() =>
            {
                let meta = WeightsMeta::describe(
                    &self.config.model,
                    self.normalization,
                    epoch + 1,
                    Some(accuracy),
                    dataset.to_string(),
                );
                Some(
                    weights::to_bytes(model, &meta)
                        .await
                        .map_err(CheckpointError::from)?,
                )
            }
            _ => None,
        };
        Ok(Checkpoint {
            config: self.config.clone(),
            history: self.history.clone(),
            weights,
            optimizer,
            best_weights,
        })
    }

    /// `device` has autodiff enabled and `model` lives on it.
    fn assemble(config: TrainingConfig, device: Device, data: &Cifar10, model: Model) -> Self {
        let optimizer = optimizer::build(&config.optimizer, config.weight_decay);
        let normalization = match config.normalization {
            NormalizationKind::Unit => Normalization::Unit,
            NormalizationKind::MeanStd => Normalization::mean_std_of(&data.train),
        };
        Self {
            config,
            device,
            model: Some(model),
            optimizer,
            normalization,
            history: vec![],
            last_epoch: None,
            best_weights: None,
            last_evaluation: None,
        }
    }

    /// The model as it is now, for inference (no autodiff).
    pub fn model(&self) -> Model {
        self.model
            .as_ref()
            .expect("the model is only taken out during a step")
            .valid()
    }

    /// The weights a run ends with, with their epoch count and test accuracy: with early
    /// stopping, those of the best epoch (when this trainer saw them); otherwise the current
    /// ones.
    pub fn result(&self) -> RunResult {
        if self.config.early_stopping.is_some()
            && let (Some((model, evaluation)), Some((epoch, accuracy))) =
                (&self.best_weights, best_of(&self.history))
        {
            return RunResult {
                model: model.clone(),
                epochs: epoch + 1,
                test_accuracy: Some(accuracy),
                evaluation: evaluation.clone(),
            };
        }
        RunResult {
            model: self.model(),
            epochs: self.history.len(),
            test_accuracy: last_test_accuracy(&self.history),
            evaluation: self.last_evaluation.clone(),
        }
    }

    /// The weights as they were when the last epoch finished (`None` before the first).
    pub fn last_epoch_model(&self) -> Option<Model> {
        self.last_epoch.clone()
    }

    pub fn normalization(&self) -> Normalization {
        self.normalization
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Train until `config.epochs` epochs are done or the observer stops it.
    pub async fn run(
        &mut self,
        data: &Cifar10,
        observer: &mut impl Observer,
    ) -> Result<TrainingSummary, TrainError> {
        let cfg = self.config.clone();
        let train_len = cfg
            .train_limit
            .map_or(data.train.len(), |l| l.min(data.train.len()));
        if train_len == 0 {
            return Err(TrainError::NoTrainingData);
        }
        let mut test = data.test.clone();
        if let Some(limit) = cfg.test_limit {
            test.truncate(limit);
        }
        let batcher = Batcher::new(self.normalization, self.device.clone());
        let eval_batcher = Batcher::new(self.normalization, self.device.clone().inner());
        let loss_fn = CrossEntropyLossConfig::new().init(&self.device);
        let steps_per_epoch = train_len.div_ceil(cfg.batch_size);
        let first_epoch = self.history.len();
        observer.event(&TrainingEvent::Started {
            first_epoch,
            epochs: cfg.epochs,
            steps_per_epoch,
            train_images: train_len,
            test_images: test.len(),
            parameters: self.model.as_ref().map_or(0, Module::num_params),
        });

        let mut train_seconds = 0f64;
        let mut trained_images = 0usize;
        let mut cancelled = false;
        let mut stopped_early = false;
        // The CPU's time on the steps (see `TrainingSummary::host_seconds_per_step`).
        let (mut host_seconds, mut host_steps) = (0f64, 0usize);
        'epochs: for epoch in first_epoch..cfg.epochs {
            let epoch_start = Instant::now();
            let order = epoch_order(train_len, cfg.seed, epoch);
            let mut augment_rng = Augmentation::rng(cfg.seed, epoch);
            let mut window = Window::new(&self.device);
            // The report being read back while the next steps run (see `window`).
            let mut pending: Option<PendingRead> = None;
            let mut progress = Progress {
                epoch,
                first_epoch,
                epochs: cfg.epochs,
                steps_per_epoch,
                seconds_before: train_seconds,
                epoch_start,
                totals: (0.0, 0, 0),
            };
            for (step, chunk) in order.chunks(cfg.batch_size).enumerate() {
                let current = self.model.as_ref().expect("model present between steps");
                if observer.between_steps(current).await == Control::Stop {
                    cancelled = true;
                    train_seconds += epoch_start.elapsed().as_secs_f64();
                    break 'epochs;
                }
                let model = self.model.take().expect("model present between steps");
                let (optimizer, sums, rng) = (&mut self.optimizer, &mut window, &mut augment_rng);
                let (batcher, loss_fn) = (&batcher, &loss_fn);
                let host_start = Instant::now();
                // The step's CPU work, on the thread pool where there is one (see `compute`).
                let model = on_pool(move || {
                    let batch = batcher.augmented_batch(&data.train, chunk, &cfg.augmentation, rng);
                    let logits = model.forward(batch.images); // [batch, classes]
                    let loss = loss_fn.forward(logits.clone(), batch.targets.clone()); // [1]
                    sums.add(&loss, &logits, &batch.targets, chunk.len());
                    let grads = GradientsParams::from_grads(loss.backward(), &model);
                    optimizer.step(cfg.learning_rate, model, grads)
                });
                self.model = Some(model);
                host_seconds += host_start.elapsed().as_secs_f64();
                host_steps += 1;

                // A report is due: wait for the one before it, if its read is still in flight
                // (so the CPU queues at most one report interval ahead of the device), and
                // start this one's read. Pass a report on as soon as its read is done (on the
                // CPU, at once).
                if window.age() >= cfg.report_every_seconds as f64 {
                    if let Some(read) = pending.take() {
                        observer.event(&progress.report(read).await?);
                    }
                    let read_start = Instant::now();
                    let read =
                        std::mem::replace(&mut window, Window::new(&self.device)).read(step + 1);
                    pending = Some(read);
                    host_seconds += read_start.elapsed().as_secs_f64();
                }
                if let Some(read) = pending.take_if(|p| p.poll()) {
                    observer.event(&progress.report(read).await?);
                }
            }
            // The epoch's last reports: the one in flight, then the steps since.
            if let Some(read) = pending.take() {
                observer.event(&progress.report(read).await?);
            }
            if !window.is_empty() {
                observer.event(&progress.report(window.read(steps_per_epoch)).await?);
            }
            let epoch_totals = progress.totals;
            let seconds = epoch_start.elapsed().as_secs_f64();
            train_seconds += seconds;
            trained_images += train_len;
            let train = Metrics {
                loss: (epoch_totals.0 / epoch_totals.2.max(1) as f64) as f32,
                accuracy: epoch_totals.1 as f32 / epoch_totals.2.max(1) as f32,
                images: epoch_totals.2,
            };
            let test_metrics = if test.is_empty() {
                None
            } else {
                observer.event(&TrainingEvent::Evaluating { epoch });
                let ev = evaluate(&self.model(), &test, &eval_batcher, cfg.eval_batch_size).await?;
                let metrics = ev.metrics;
                self.last_evaluation = Some(ev);
                Some(metrics)
            };
            self.history.push(EpochRecord {
                epoch,
                train,
                test: test_metrics,
            });
            let current = self.model();
            let best = best_of(&self.history);
            if cfg.early_stopping.is_some() && best.is_some_and(|(e, _)| e == epoch) {
                self.best_weights = Some((current.clone(), self.last_evaluation.clone()));
            }
            self.last_epoch = Some(current);
            observer.event(&TrainingEvent::EpochFinished {
                epoch,
                train,
                test: test_metrics,
                seconds: seconds as f32,
                images_per_second: (train_len as f64 / seconds.max(1e-9)) as f32,
            });
            observer.epoch_finished(self).await;
            // Evaluation and saving use other tensor shapes than training: hand the pool pages
            // they left back, so the device's memory stays at one epoch's level.
            self.device.memory_cleanup();
            if let (Some(patience), Some((best_epoch, _))) = (cfg.early_stopping, best)
                && epoch - best_epoch >= patience
                && epoch + 1 < cfg.epochs
            {
                stopped_early = true;
                break;
            }
        }
        let mut summary = self.summary(trained_images, train_seconds, cancelled);
        summary.stopped_early = stopped_early;
        summary.host_seconds_per_step = (host_seconds / host_steps.max(1) as f64) as f32;
        observer.event(&TrainingEvent::Finished {
            summary: summary.clone(),
        });
        Ok(summary)
    }

    fn summary(&self, images: usize, seconds: f64, cancelled: bool) -> TrainingSummary {
        let last = self.history.last();
        let best = best_of(&self.history);
        TrainingSummary {
            epochs: self.history.len(),
            train_loss: last.map_or(f32::NAN, |r| r.train.loss),
            train_accuracy: last.map_or(f32::NAN, |r| r.train.accuracy),
            test_loss: last.and_then(|r| r.test.map(|t| t.loss)),
            test_accuracy: last.and_then(|r| r.test.map(|t| t.accuracy)),
            best_test_accuracy: best.map(|b| b.1),
            best_epoch: best.map(|b| b.0),
            images_per_second: (images as f64 / seconds.max(1e-9)) as f32,
            seconds: seconds as f32,
            cancelled,
            stopped_early: false,
            host_seconds_per_step: 0.0,
        }
    }
}

/// The epoch's running totals, and the step events made from them.
struct Progress {
    epoch: usize,
    first_epoch: usize,
    epochs: usize,
    steps_per_epoch: usize,
    /// Training time of the epochs before this one (in this session).
    seconds_before: f64,
    epoch_start: Instant,
    /// Loss sum, correct count, images.
    totals: (f64, usize, usize),
}

impl Progress {
    /// Wait for a window's read, count it and describe it.
    async fn report(&mut self, read: PendingRead) -> Result<TrainingEvent, ReadError> {
        let step = read.step;
        Ok(self.add(read.finish().await?, step))
    }

    /// Count a window read back, which ended with `step` (1-based), and describe it.
    fn add(&mut self, window: Totals, step: usize) -> TrainingEvent {
        self.totals.0 += window.loss_sum;
        self.totals.1 += window.correct;
        self.totals.2 += window.images;
        let done = (self.epoch - self.first_epoch) * self.steps_per_epoch + step;
        let left = (self.epochs - self.first_epoch) * self.steps_per_epoch - done;
        let elapsed = self.seconds_before + self.epoch_start.elapsed().as_secs_f64();
        let images = window.images.max(1) as f64;
        TrainingEvent::Step {
            epoch: self.epoch,
            step,
            steps_per_epoch: self.steps_per_epoch,
            loss: (window.loss_sum / images) as f32,
            accuracy: (window.correct as f64 / images) as f32,
            images_per_second: (window.images as f64 / window.seconds.max(1e-9)) as f32,
            eta_seconds: (elapsed / done as f64 * left as f64) as f32,
        }
    }
}
