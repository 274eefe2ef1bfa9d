//! The training loop: one implementation for every device (flex CPU natively and in wasm,
//! WebGPU in the browser). It reads tensors only through async reads, a few times a second.
//! Each epoch is a run of steps that take the model by value and hand it back updated, then
//! an evaluation, the epoch's record and the observer's `epoch_finished`.

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use web_time::Instant;

use crate::data::batcher::epoch_order;
use crate::data::{Augmentation, Cifar10};
use crate::infer::input_tensor;
use crate::insight::network::Drawing;
use crate::model::Model;
use crate::train::average::Average;
use crate::train::checkpoint::CheckpointError;
use crate::train::compute::on_pool;
use crate::train::config::TrainingConfig;
use crate::train::eval::evaluate;
use crate::train::events::{Best, EpochRecord, Metrics, TrainingEvent, TrainingSummary};
use crate::train::history::History;
use crate::train::progress::{Clock, EpochProgress, Position};
use crate::train::rates::Rates;
use crate::train::step::{Plan, StepImages, train_step};
use crate::train::trainer::{Control, Observer, TrainError, Trainer};

/// How the epoch loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    AllEpochs,
    Cancelled,
    StoppedEarly,
}

impl Trainer {
    /// Train until `config.epochs` epochs are done, early stopping ends the run or the observer
    /// stops it. The trainer is moved in, since its model moves through every step by value,
    /// and handed back with the run's summary or its error, to read its result or history,
    /// save it or train it on.
    pub async fn run(
        mut self,
        data: &Cifar10,
        observer: &mut impl Observer,
    ) -> (Self, Result<TrainingSummary, TrainError>) {
        let plan = match self.plan(data) {
            Ok(plan) => plan,
            Err(e) => return (self, Err(e)),
        };
        // The schedule goes on from the steps already trained (a resumed run's).
        let done = plan.first_epoch * plan.steps_per_epoch;
        let rates = self
            .rates
            .start(&plan.config, plan.steps_per_epoch, plan.total_steps, done);
        if let Err(e) = rates {
            return (self, Err(CheckpointError::Inconsistent(e).into()));
        }
        // A resumed model arrives untrainable (`Checkpoint::restore`); the others already are.
        self.model = self.model.train();
        observer.event(&TrainingEvent::Started {
            first_epoch: plan.first_epoch,
            epochs: plan.config.epochs,
            steps_per_epoch: plan.steps_per_epoch,
            train_images: plan.train_len,
            test_images: plan.test.len(),
            parameters: self.model.num_params(),
            best: Best::of(self.history.best()),
        });
        let mut clock = Clock::default();
        let mut end = End::AllEpochs;
        for epoch in plan.first_epoch..plan.config.epochs {
            let learner = Learner {
                optimizer: &mut self.optimizer,
                average: &mut self.average,
                rates: &mut self.rates,
            };
            let (model, trained) =
                train_epoch(self.model, learner, &plan, epoch, &mut clock, observer).await;
            self.model = model;
            let train = match trained {
                Ok(Some(train)) => train,
                Ok(None) => {
                    end = End::Cancelled;
                    break;
                }
                Err(e) => return (self, Err(e)),
            };
            if let Err(e) = self.finish_epoch(epoch, train, &plan, observer).await {
                return (self, Err(e));
            }
            observer.epoch_finished(&self).await;
            // A stop that arrived during the evaluation or the save ends the run here, also
            // after its last epoch (it would otherwise be lost: no step follows to see it).
            if observer.stop_requested() {
                end = End::Cancelled;
                break;
            }
            // Evaluation and saving use other tensor shapes than training: hand the pool pages
            // they left back, so the device's memory stays at one epoch's level.
            self.device.memory_cleanup();
            let (patience, epochs) = (self.config.early_stopping, self.config.epochs);
            if self.history.stops_early(patience, epochs) {
                end = End::StoppedEarly;
                break;
            }
        }
        let summary = summary(&self.history, &clock, end);
        observer.event(&TrainingEvent::Finished {
            summary: summary.clone(),
        });
        (self, Ok(summary))
    }

    /// Evaluate the epoch's weights, record the epoch and report it.
    async fn finish_epoch(
        &mut self,
        epoch: usize,
        (train, seconds): (Metrics, f64),
        plan: &Plan<'_>,
        observer: &mut impl Observer,
    ) -> Result<(), TrainError> {
        let evaluation = if plan.test.is_empty() {
            None
        } else {
            observer.event(&TrainingEvent::Evaluating { epoch });
            let batch_size = plan.config.eval_batch_size;
            // Without test-time augmentation: the per-epoch figure stays cheap (airbench's
            // would cost six passes); the evaluation views and `kiln eval` use it.
            let model = self.model();
            Some(evaluate(&model, &plan.test, &plan.eval_batcher, batch_size, false).await?)
        };
        let test = evaluation.as_ref().map(|e| e.metrics);
        // The last steps' update can break the weights after their loss was measured: the
        // test loss catches it before the epoch is recorded, kept or saved.
        if let Some(t) = test.filter(|t| !t.loss.is_finite()) {
            return Err(diverged(&plan.config, epoch, plan.steps_per_epoch, t.loss));
        }
        let record = EpochRecord { epoch, train, test };
        let early_stopping = plan.config.early_stopping.is_some();
        self.history
            .push(record, self.model(), evaluation, early_stopping);
        observer.event(&TrainingEvent::EpochFinished {
            epoch,
            train,
            test,
            seconds: seconds as f32,
            images_per_second: (plan.train_len as f64 / seconds.max(1e-9)) as f32,
            best: Best::of(self.history.best()),
        });
        Ok(())
    }
}

/// One epoch's steps. The model goes in by value and comes back updated, also when the observer
/// stops the run (then `Ok(None)`), a progress read fails or the loss stops being a finite
/// number (`TrainError::Diverged`, found when a report is read). A stop asked for while the
/// last steps' reports were awaited also ends it (`Ok(None)`). A finished epoch gives its
/// training metrics and its seconds.
async fn train_epoch(
    mut model: Model,
    learner: Learner<'_>,
    plan: &Plan<'_>,
    epoch: usize,
    clock: &mut Clock,
    observer: &mut impl Observer,
) -> (Model, Result<Option<(Metrics, f64)>, TrainError>) {
    let config = &plan.config;
    let order = epoch_order(plan.train_len, config.seed, epoch);
    let mut rng = Augmentation::rng(config.seed, epoch);
    let position = Position {
        epoch,
        first_epoch: plan.first_epoch,
        epochs: config.epochs,
        steps_per_epoch: plan.steps_per_epoch,
    };
    let report_every = config.report_every_seconds as f64;
    let seconds_before = clock.train_seconds;
    let mut progress = EpochProgress::new(position, report_every, seconds_before);
    let Learner {
        optimizer,
        average,
        rates,
    } = learner;
    let whiten_bias_trained = config.recipe.whiten_bias_epochs.is_none_or(|n| epoch < n);
    model = model.with_whiten_bias_trained(whiten_bias_trained);
    for (step, chunk) in order.chunks(config.batch_size).enumerate() {
        if observer.between_steps(&model).await == Control::Stop {
            clock.train_seconds += progress.seconds();
            return (model, Ok(None));
        }
        let host_start = Instant::now();
        // A look inside the network, and the page's drawing of it, ride on the report this
        // step ends, when one is due.
        let last = (step + 1) * config.batch_size >= order.len();
        let picture = observer.drawing();
        let due = (observer.watching() || picture.is_some()) && progress.watch_due(last);
        let watch = due && observer.watching();
        let drawn = picture.filter(|_| due).and_then(|chw| {
            input_tensor(
                plan.eval_batcher.normalization,
                &chw,
                &plan.eval_batcher.device,
            )
            .ok()
        });
        let window = progress.window();
        // The schedule's rate for this step, which its report shows.
        let lr = rates.next_rate();
        window.set_learning_rate(lr);
        // The step's CPU work, on the thread pool where there is one (see `compute`).
        let at = epoch * plan.steps_per_epoch + step;
        model = on_pool(|| {
            let batch = StepImages { epoch, chunk, lr };
            let (model, watched) =
                train_step(model, optimizer, plan, batch, &mut rng, window, watch);
            let decay = (config.recipe.lookahead).and_then(|l| l.decay(at + 1, plan.total_steps));
            let model = match (decay, average.as_mut()) {
                (Some(decay), Some(average)) => average.update(model, decay),
                _ => model,
            };
            if let Some(watched) = watched {
                window.attach(watched.finish(&model));
            }
            if let Some(input) = drawn {
                window.attach_drawing(Drawing::new(&model.valid(), input));
            }
            model
        });
        clock.host_seconds += host_start.elapsed().as_secs_f64();
        clock.host_steps += 1;
        match progress
            .after_step(step + 1, &mut |e| observer.event(e))
            .await
        {
            Ok(read_seconds) => clock.host_seconds += read_seconds,
            Err(e) => return (model, Err(e.into())),
        }
        if let Some((step, loss)) = progress.diverged() {
            return (model, Err(diverged(config, epoch, step, loss)));
        }
    }
    let (train, seconds) = match progress.finish(&mut |e| observer.event(e)).await {
        Ok(finished) => finished,
        Err(e) => return (model, Err(e.into())),
    };
    if let Some((step, loss)) = progress.diverged() {
        return (model, Err(diverged(config, epoch, step, loss)));
    }
    clock.train_seconds += seconds;
    if observer.stop_requested() {
        return (model, Ok(None));
    }
    // After the run's last step, the weights are the average (airbench94's final lookahead).
    if epoch + 1 == config.epochs
        && let Some(average) = average.as_ref()
    {
        model = average.assign_to(model);
    }
    clock.images += plan.train_len;
    (model, Ok(Some((train, seconds))))
}

/// The error for a loss that is no longer a finite number at `step` (1-based) of `epoch`.
fn diverged(config: &TrainingConfig, epoch: usize, step: usize, loss: f32) -> TrainError {
    TrainError::Diverged {
        epoch: epoch + 1,
        step,
        loss,
        learning_rate: config.learning_rate,
    }
}

/// What updates the weights: the optimiser, its learning rates and, with lookahead, the
/// averaged weights.
struct Learner<'a> {
    optimizer: &'a mut ModuleOptimizer,
    average: &'a mut Option<Average>,
    rates: &'a mut Rates,
}

/// The figures of the run, from its finished state.
fn summary(history: &History, clock: &Clock, end: End) -> TrainingSummary {
    let last = history.records.last();
    let best = history.best();
    TrainingSummary {
        epochs: history.epochs_done(),
        train_loss: last.map_or(f32::NAN, |r| r.train.loss),
        train_accuracy: last.map_or(f32::NAN, |r| r.train.accuracy),
        test_loss: last.and_then(|r| r.test.map(|t| t.loss)),
        test_accuracy: last.and_then(|r| r.test.map(|t| t.accuracy)),
        best_test_accuracy: best.map(|b| b.1),
        best_epoch: best.map(|b| b.0),
        images_per_second: (clock.images as f64 / clock.train_seconds.max(1e-9)) as f32,
        seconds: clock.train_seconds as f32,
        cancelled: end == End::Cancelled,
        stopped_early: end == End::StoppedEarly,
        host_seconds_per_step: (clock.host_seconds / clock.host_steps.max(1) as f64) as f32,
    }
}
