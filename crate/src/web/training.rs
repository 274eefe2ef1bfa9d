//! Training, pausing and stopping from the worker.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_time::Instant;

use std::rc::Rc;

use crate::data::Cifar10;
use crate::error_code::BusyWhat;
use crate::infer::rgba_to_chw;
use crate::train::{EpochRecord, TrainError, Trainer, TrainingConfig, last_test_accuracy};
use crate::web::evaluation::{self, Kept};
use crate::web::observer::{RunState, WebObserver};
use crate::web::{Engine, Shared, checkpoint, codes, js};
use crate::weights::{ActiveModel, Source};

#[wasm_bindgen]
impl Engine {
    /// Train a fresh model with `config` (a `TrainingConfig` as JSON; missing fields take their
    /// defaults) on the loaded dataset. `on_event(event)` receives every `TrainingEvent`. The
    /// promise resolves to the run's summary, also when stopped early.
    ///
    /// With `from_current`, training starts from the weights in use (for instance the last
    /// finished epoch of a run whose GPU was lost) instead of a fresh initialisation.
    ///
    /// After every epoch, `on_checkpoint(checkpoint)` (when given) receives the run so far
    /// (see `resumeRun`); training waits for the promise it returns, so saves never overlap.
    pub fn train(
        &self,
        config: JsValue,
        on_event: js_sys::Function,
        from_current: bool,
        on_checkpoint: Option<js_sys::Function>,
    ) -> Promise {
        let shared = self.shared.clone();
        let Some(started) = Started::now(&shared) else {
            return already_running();
        };
        future_to_promise(async move {
            let data = with_data(&shared)?;
            let config: TrainingConfig = serde_wasm_bindgen::from_value(config)
                .map_err(|e| js::error(format!("invalid training settings: {e}")))?;
            let device = shared.device().map_err(js::error)?;
            let current = if from_current {
                shared.latest.borrow().clone()
            } else {
                None
            };
            let trainer = match current {
                Some(model) => Trainer::from_model(config, &device, &data, model),
                None => Trainer::new(config, &device, &data),
            }
            .map_err(|e| js::error(e.to_string()))?;
            drive(started, trainer, data, on_event, on_checkpoint).await
        })
    }

    /// Continue a run saved by `on_checkpoint` with its next epoch: the same weights,
    /// optimiser state, settings and history. `epochs` (when given) changes the total number
    /// of epochs, to train a finished run for longer.
    #[wasm_bindgen(js_name = resumeRun)]
    pub fn resume_run(
        &self,
        checkpoint: JsValue,
        epochs: Option<usize>,
        on_event: js_sys::Function,
        on_checkpoint: Option<js_sys::Function>,
    ) -> Promise {
        let shared = self.shared.clone();
        let Some(started) = Started::now(&shared) else {
            return already_running();
        };
        future_to_promise(async move {
            let data = with_data(&shared)?;
            let mut checkpoint = checkpoint::from_js(&checkpoint).map_err(js::error)?;
            if let Some(epochs) = epochs {
                checkpoint.config.epochs = epochs;
            }
            let device = shared.device().map_err(js::error)?;
            let trainer =
                Trainer::resume(&device, &checkpoint).map_err(|e| js::error(e.to_string()))?;
            drive(started, trainer, data, on_event, on_checkpoint).await
        })
    }

    pub fn pause(&self) {
        if self.shared.training.get() {
            self.shared.state.set(RunState::Paused);
        }
    }

    pub fn resume(&self) {
        if self.shared.training.get() {
            self.shared.state.set(RunState::Running);
        }
    }

    /// While paused, train one batch (one step), then pause again and send `{type:
    /// "stepped"}` (the page's slow motion).
    #[wasm_bindgen(js_name = stepOnce)]
    pub fn step_once(&self) {
        if self.shared.training.get() && self.shared.state.get() == RunState::Paused {
            self.shared.state.set(RunState::Step);
        }
    }

    /// Whether the page's learning panels are open: while they are, progress reports carry a
    /// look inside the network (`insight`) from time to time, measured on the step's own batch.
    #[wasm_bindgen(js_name = watchLearning)]
    pub fn watch_learning(&self, on: bool) {
        self.shared.watching.set(on);
    }

    /// The picture (32×32 RGBA) the page's drawing of the network shows while the drawing is
    /// on screen, or none while it is not: progress reports then carry the network drawn for
    /// it (`network`), with the looks' cadence and in the reports' own reads.
    #[wasm_bindgen(js_name = drawDuringRuns)]
    pub fn draw_during_runs(&self, rgba: Option<Vec<u8>>) -> Result<(), JsValue> {
        let chw = rgba
            .map(|rgba| rgba_to_chw(&rgba))
            .transpose()
            .map_err(js::error)?;
        *self.shared.drawing.borrow_mut() = chw.map(Rc::from);
        Ok(())
    }

    /// Stop after the current step; the `train` promise then resolves.
    pub fn stop(&self) {
        if self.shared.training.get() {
            self.shared.state.set(RunState::Stopping);
        }
    }

    #[wasm_bindgen(js_name = isTraining)]
    pub fn is_training(&self) -> bool {
        self.shared.training.get()
    }
}

/// Weights trained in this tab, as far as `history` goes.
fn trained(model: &str, history: &[EpochRecord]) -> ActiveModel {
    ActiveModel {
        model: model.to_string(),
        source: Source::Trained,
        epochs: history.len(),
        test_accuracy: last_test_accuracy(history),
    }
}

/// A run that has started: the engine counts as training from the moment `train` or
/// `resumeRun` is called, before its promise first runs, so that a stop that arrives while the
/// run is being set up is kept (and honoured at the first step) rather than dropped. Dropped,
/// it marks the engine idle again, however the run ended.
struct Started(Rc<Shared>);

impl Started {
    /// Mark the engine as training, unless it already is.
    fn now(shared: &Rc<Shared>) -> Option<Started> {
        if shared.training.get() {
            return None;
        }
        shared.training.set(true);
        shared.state.set(RunState::Running);
        Some(Started(shared.clone()))
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.0.training.set(false);
    }
}

fn already_running() -> Promise {
    Promise::reject(&codes::busy("training is already running", BusyWhat::Train))
}

/// The dataset, when one is loaded.
fn with_data(shared: &Shared) -> Result<Rc<Cifar10>, JsValue> {
    shared
        .data
        .borrow()
        .clone()
        .ok_or_else(|| codes::no_dataset("no dataset loaded: load CIFAR-10 first"))
}

/// Run `trainer` to the end, keeping the engine's weights and state up to date.
async fn drive(
    started: Started,
    trainer: Trainer,
    data: Rc<Cifar10>,
    on_event: js_sys::Function,
    on_checkpoint: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    let shared = started.0.clone();
    // The weights in use before the run: what the page goes back to when the run fails before
    // finishing an epoch.
    let before = (
        shared.latest.borrow().clone(),
        shared.active.borrow().clone(),
        shared.normalization.get(),
        shared.model_config.borrow().clone(),
    );
    shared.normalization.set(trainer.normalization());
    *shared.model_config.borrow_mut() = trainer.config.model.clone();
    *shared.latest.borrow_mut() = Some(trainer.model());
    *shared.active.borrow_mut() = trained(&trainer.config.model.name, &trainer.history.records);
    evaluation::invalidate(&shared);
    let mut observer = WebObserver {
        on_event,
        on_checkpoint,
        dataset: shared.dataset_name.borrow().clone(),
        state: shared.state.clone(),
        watching: shared.watching.clone(),
        drawing: shared.drawing.clone(),
        latest: shared.latest.clone(),
        last_yield: Instant::now(),
        last_snapshot: Instant::now(),
        stepped: false,
    };
    let (trainer, result) = trainer.run(&data, &mut observer).await;
    drop(started);
    match result {
        Ok(summary) => {
            // With early stopping, the best epoch's weights; otherwise the last ones.
            let kept = trainer.result();
            let model = ActiveModel {
                model: trainer.config.model.name.clone(),
                source: Source::Trained,
                epochs: kept.epochs,
                test_accuracy: kept.test_accuracy,
            };
            *shared.latest.borrow_mut() = Some(kept.model);
            *shared.active.borrow_mut() = model.clone();
            *shared.evaluation.borrow_mut() = kept.evaluation.map(|evaluation| Kept {
                evaluation,
                data: data.clone(),
                model,
                // The per-epoch figure leaves the test-time augmentation out (`train::run`).
                tta: false,
            });
            Ok(js::to_js(&summary))
        }
        Err(e) => {
            // A failed read (a lost GPU) or a diverged loss: the weights in use go back to
            // those of the last finished epoch (or to the run's starting weights), never the
            // broken ones a snapshot may have taken mid-epoch.
            let epochs = trainer.history.epochs_done();
            match trainer.last_epoch_model() {
                Some(model) => {
                    *shared.latest.borrow_mut() = Some(model);
                    *shared.active.borrow_mut() =
                        trained(&trainer.config.model.name, &trainer.history.records);
                }
                None => {
                    *shared.latest.borrow_mut() = before.0;
                    *shared.active.borrow_mut() = before.1;
                    shared.normalization.set(before.2);
                    *shared.model_config.borrow_mut() = before.3;
                }
            }
            let kept = if epochs == 0 {
                "The weights in use before the run are kept".to_string()
            } else {
                format!("The weights of the last finished epoch ({epochs}) are kept")
            };
            let next = match e {
                TrainError::Diverged { .. } => "",
                _ => "; switch to the CPU to continue",
            };
            let message = format!("training stopped: {e}. {kept}{next}.");
            Err(codes::train_stopped(&e, message, epochs))
        }
    }
}
