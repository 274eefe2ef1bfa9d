//! The browser API (wasm-bindgen). The Web Worker in `www/worker.js` owns one [`Engine`] per
//! build of Kiln; every method maps its errors to a JS `Error` whose message names the problem.
//! The logic lives in the rest of the crate; this layer only converts values and manages state
//! across awaits. The methods are grouped by job, one file each: the device (`choose`), the
//! dataset, training, classification, evaluation, weights, memory, and the state that moves
//! between builds (`state`).

mod checkpoint;
#[cfg(feature = "checks")]
mod checks;
mod choose;
mod classify;
mod codes;
mod constructors;
mod dataset;
pub mod device;
mod evaluation;
mod insight;
mod js;
mod memory;
mod models;
mod network;
mod observer;
mod reader;
mod settings;
mod state;
mod training;
mod weights;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use burn::prelude::*;
use wasm_bindgen::prelude::*;

use crate::data::{Cifar10, Normalization};
use crate::device::Backend;
use crate::model::{Model, ModelConfig};
use crate::weights::{ActiveModel, Source};
pub use choose::decide_device;
use observer::RunState;

#[wasm_bindgen(start)]
fn start() {
    constructors::run_once();
    console_error_panic_hook::set_once();
}

/// The device computing now.
#[derive(Debug, Clone)]
struct InUse {
    device: Device,
    backend: Backend,
}

struct Shared {
    /// The device in use; none in the WebGPU module until `initDevice` has started WebGPU.
    device: RefCell<Option<InUse>>,
    data: RefCell<Option<Rc<Cifar10>>>,
    /// The names of the files the dataset came from.
    dataset_name: RefCell<String>,
    training: Cell<bool>,
    state: Rc<Cell<RunState>>,
    /// The page's learning panels are open: progress reports carry looks inside the network.
    watching: Rc<Cell<bool>>,
    /// The picture (CHW) of the page's drawing of the network while it is on screen: progress
    /// reports carry the network drawn for it.
    drawing: Rc<RefCell<Option<Rc<[u8]>>>>,
    /// The inference copy of the weights in use, and how to scale their input.
    latest: Rc<RefCell<Option<Model>>>,
    normalization: Cell<Normalization>,
    /// The architecture of `latest`.
    model_config: RefCell<ModelConfig>,
    active: RefCell<ActiveModel>,
    /// The test-set evaluation of the weights in use, when there is one.
    evaluation: RefCell<Option<evaluation::Kept>>,
}

const NO_DEVICE_YET: &str =
    "no device yet: the WebGPU build computes only once initDevice has started WebGPU";

impl Shared {
    /// The device in use, with its backend.
    fn in_use(&self) -> Result<InUse, &'static str> {
        self.device.borrow().clone().ok_or(NO_DEVICE_YET)
    }

    /// The device in use.
    fn device(&self) -> Result<Device, &'static str> {
        self.in_use().map(|d| d.device)
    }

    /// The inference copy of the weights in use (cheap: tensors are shared, not copied).
    fn model_in_use(&self) -> Result<Model, JsValue> {
        self.latest
            .borrow()
            .clone()
            .ok_or_else(|| js::error(self.device().err().unwrap_or("no model")))
    }
}

#[wasm_bindgen]
pub struct Engine {
    shared: Rc<Shared>,
}

fn untrained_model(device: &Device) -> Model {
    device.seed(0);
    ModelConfig::new()
        .init(device)
        .expect("the default model is registered")
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Engine {
    /// Starts on the CPU with an untrained seed network; `initDevice` starts WebGPU. The WebGPU
    /// module, which has no CPU path, starts without a device and without weights.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Engine {
        let device = device::cpu_device();
        let model = device.as_ref().map(untrained_model);
        let in_use = device.map(|device| InUse {
            device,
            backend: Backend::Cpu,
        });
        Engine {
            shared: Rc::new(Shared {
                device: RefCell::new(in_use),
                data: RefCell::new(None),
                dataset_name: RefCell::new(String::new()),
                training: Cell::new(false),
                state: Rc::new(Cell::new(RunState::Running)),
                watching: Rc::new(Cell::new(false)),
                drawing: Rc::new(RefCell::new(None)),
                latest: Rc::new(RefCell::new(model)),
                normalization: Cell::new(Normalization::Unit),
                model_config: RefCell::new(ModelConfig::new()),
                active: RefCell::new(ActiveModel {
                    model: ModelConfig::new().name,
                    source: Source::Untrained,
                    epochs: 0,
                    test_accuracy: None,
                }),
                evaluation: RefCell::new(None),
            }),
        }
    }

    /// Panic, which traps the wasm instance: for the browser test of the worker's recovery
    /// (`www/worker.js` calls it only on a page opened with `?test`). A trapped instance is
    /// never used again: the page replaces the worker, and with it the instance.
    #[wasm_bindgen(js_name = testTrap)]
    pub fn test_trap(&self) {
        panic!("testTrap: a panic asked for by a browser test");
    }
}
