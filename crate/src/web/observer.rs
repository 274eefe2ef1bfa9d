//! The training observer of the browser: posts events to JavaScript, yields to the worker's
//! event loop so that pause and stop messages arrive, and keeps a copy of the latest weights
//! for classification during training.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use burn::module::Module;
use wasm_bindgen::{JsCast, JsValue};
use web_time::Instant;

use crate::model::Model;
use crate::train::{Control, Observer, Trainer, TrainingEvent};
use crate::web::{checkpoint, js, network};

/// Run state shared between the worker's message handlers and the running loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Paused,
    /// Paused, but one step may run (slow motion), then paused again.
    Step,
    Stopping,
}

pub struct WebObserver {
    pub on_event: js_sys::Function,
    /// Receives a checkpoint after each epoch and returns a promise (the IndexedDB write).
    pub on_checkpoint: Option<js_sys::Function>,
    /// Named in the checkpoint's weights metadata.
    pub dataset: String,
    pub state: Rc<Cell<RunState>>,
    /// Whether progress reports should carry looks inside the network (`Observer::watching`).
    pub watching: Rc<Cell<bool>>,
    /// The picture the page's drawing shows, while it is on screen (`Observer::drawing`).
    pub drawing: Rc<RefCell<Option<Rc<[u8]>>>>,
    /// The latest weights (inference copy), refreshed a few times a second.
    pub latest: Rc<RefCell<Option<Model>>>,
    pub last_yield: Instant,
    pub last_snapshot: Instant,
    /// A single step ran (`RunState::Step`): say so before the next one.
    pub stepped: bool,
}

impl WebObserver {
    /// Tell the page that the single step it asked for has run.
    fn post_stepped(&self) {
        let event = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&event, &"type".into(), &"stepped".into());
        let _ = self.on_event.call1(&JsValue::NULL, &event);
    }

    /// Tell the page that the epoch's checkpoint could not be made.
    fn post_failure(&self, message: &str) {
        let event = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&event, &"type".into(), &"checkpoint_failed".into());
        let _ = js_sys::Reflect::set(&event, &"message".into(), &message.into());
        let _ = self.on_event.call1(&JsValue::NULL, &event);
    }
}

/// Yield at most this often: each yield is a trip through the event loop (a few ms).
const YIELD_EVERY_S: f64 = 0.03;
const SNAPSHOT_EVERY_S: f64 = 0.5;

impl Observer for WebObserver {
    fn event(&mut self, event: &TrainingEvent) {
        let value = js::to_js(event);
        // The drawing's numbers as typed arrays (`TrainingEvent` does not serialise them).
        if let TrainingEvent::Step {
            network: Some(view),
            ..
        } = event
            && let Ok(network) = network::view_to_js(view)
        {
            let _ = js_sys::Reflect::set(&value, &"network".into(), &network);
        }
        if let Err(e) = self.on_event.call1(&JsValue::NULL, &value) {
            web_sys::console::error_2(&"progress callback failed".into(), &e);
        }
    }

    async fn epoch_finished(&mut self, trainer: &Trainer) {
        let Some(on_checkpoint) = self.on_checkpoint.clone() else {
            return;
        };
        let value = match trainer.checkpoint(&self.dataset).await {
            Ok(c) => checkpoint::to_js(&c),
            Err(e) => {
                // Saving is best effort: the run goes on, and the page says the save failed.
                self.post_failure(&e.to_string());
                return;
            }
        };
        match on_checkpoint.call1(&JsValue::NULL, &value) {
            Ok(v) => {
                if let Some(promise) = v.dyn_ref::<js_sys::Promise>() {
                    // The worker reports a failed write itself (a full quota, for instance).
                    let _ = wasm_bindgen_futures::JsFuture::from(promise.clone()).await;
                }
            }
            Err(e) => web_sys::console::error_2(&"checkpoint callback failed".into(), &e),
        }
    }

    fn watching(&self) -> bool {
        self.watching.get()
    }

    fn drawing(&self) -> Option<Rc<[u8]>> {
        self.drawing.borrow().clone()
    }

    fn stop_requested(&self) -> bool {
        self.state.get() == RunState::Stopping
    }

    async fn between_steps(&mut self, model: &Model) -> Control {
        if self.last_snapshot.elapsed().as_secs_f64() >= SNAPSHOT_EVERY_S {
            *self.latest.borrow_mut() = Some(model.valid());
            self.last_snapshot = Instant::now();
        }
        if self.last_yield.elapsed().as_secs_f64() >= YIELD_EVERY_S {
            js::yield_now().await;
            self.last_yield = Instant::now();
        }
        if std::mem::take(&mut self.stepped) {
            *self.latest.borrow_mut() = Some(model.valid());
            self.post_stepped();
        }
        loop {
            match self.state.get() {
                RunState::Running => return Control::Continue,
                RunState::Stopping => return Control::Stop,
                RunState::Step => {
                    self.state.set(RunState::Paused);
                    self.stepped = true;
                    return Control::Continue;
                }
                RunState::Paused => {
                    *self.latest.borrow_mut() = Some(model.valid());
                    js::sleep_ms(100).await;
                }
            }
        }
    }
}
