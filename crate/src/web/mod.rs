//! The browser API (wasm-bindgen). The Web Worker in `www/worker.js` owns one [`Engine`]; every
//! method maps its errors to a JS `Error` whose message names the problem. The logic lives in the
//! rest of the crate; this layer only converts values and manages state across awaits.

mod checkpoint;
mod classify;
mod constructors;
pub mod device;
mod evaluation;
mod handover;
mod js;
mod observer;
mod reader;
mod settings;
mod training;
mod weights;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use burn::prelude::*;
use js_sys::{Promise, Uint8Array};
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::cifar::NUM_CLASSES;
use crate::data::{Cifar10, Normalization};
use crate::model::{Model, ModelConfig};
use crate::transfer::move_to_device;
use device::{Chosen, DeviceInfo};
use observer::RunState;

#[wasm_bindgen(start)]
fn start() {
    constructors::run_once();
    console_error_panic_hook::set_once();
}

/// Where the weights in use came from, for the page to say so.
#[derive(Debug, Clone, Serialize)]
struct ActiveModel {
    /// `untrained`, `pretrained` (shipped with the app), `trained` (in this tab), `saved` (a run
    /// kept in this browser) or `file`.
    source: &'static str,
    epochs: usize,
    test_accuracy: Option<f32>,
}

struct Shared {
    /// The device in use; none in the WebGPU module until `init_device` has started WebGPU.
    device: RefCell<Chosen>,
    data: RefCell<Option<Rc<Cifar10>>>,
    /// The names of the files the dataset came from.
    dataset_name: RefCell<String>,
    training: Cell<bool>,
    state: Rc<Cell<RunState>>,
    /// The inference copy of the weights in use, and how to scale their input.
    latest: Rc<RefCell<Option<Model>>>,
    normalization: Cell<Normalization>,
    /// The architecture of `latest`.
    model_config: RefCell<ModelConfig>,
    active: RefCell<ActiveModel>,
    /// The test-set evaluation of the weights in use, when there is one.
    evaluation: RefCell<Option<evaluation::Kept>>,
}

impl Shared {
    /// The device in use.
    fn device(&self) -> Result<Device, &'static str> {
        let device = self.device.borrow().0.clone();
        device.ok_or(
            "no device yet: the WebGPU build computes only once initDevice has started WebGPU",
        )
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

#[derive(Serialize)]
struct DatasetSummary {
    train_images: usize,
    test_images: usize,
    train_per_class: [usize; NUM_CLASSES],
    test_per_class: [usize; NUM_CLASSES],
    class_names: Vec<String>,
}

#[derive(Serialize)]
struct Classification {
    predictions: Vec<crate::infer::Prediction>,
    model: ActiveModel,
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
    /// Starts on the CPU with an untrained seed network; call `init_device` to pick WebGPU.
    /// The WebGPU module, which has no CPU path, starts without a device and without weights.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Engine {
        let device = device::cpu_device();
        let model = device.as_ref().map(untrained_model);
        let info = DeviceInfo {
            backend: "cpu",
            adapter: "CPU".into(),
            fallback_reason: None,
            speeds: None,
        };
        Engine {
            shared: Rc::new(Shared {
                device: RefCell::new((device, info)),
                data: RefCell::new(None),
                dataset_name: RefCell::new(String::new()),
                training: Cell::new(false),
                state: Rc::new(Cell::new(RunState::Running)),
                latest: Rc::new(RefCell::new(model)),
                normalization: Cell::new(Normalization::Unit),
                model_config: RefCell::new(ModelConfig::new()),
                active: RefCell::new(ActiveModel {
                    source: "untrained",
                    epochs: 0,
                    test_accuracy: None,
                }),
                evaluation: RefCell::new(None),
            }),
        }
    }

    /// Pick the device: `auto`, `webgpu` or `cpu`. Resolves to `{backend, adapter,
    /// fallback_reason, speeds}`. The weights in use move to the new device. For Auto,
    /// `cpu_speed` (images per second, from `cpuSpeed` in another build) stands for this
    /// build's CPU path in the comparison with WebGPU. Where the CPU is chosen in the WebGPU
    /// module, which has no CPU path, nothing changes here: the caller moves to a CPU build.
    #[wasm_bindgen(js_name = initDevice)]
    pub fn init_device(&self, preference: String, cpu_speed: Option<f64>) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            if shared.training.get() {
                return Err(js::error(
                    "cannot change the device while training; stop first",
                ));
            }
            let (device, info) = device::choose(&preference, cpu_speed).await;
            let Some(device) = device else {
                return Ok(js::to_js(&info));
            };
            // Copy the weights in use with an async read (`to_device` would read a GPU tensor
            // synchronously, which WebGPU forbids). No RefCell borrow is held across the await.
            let current = shared.latest.borrow().clone();
            let fresh = shared
                .model_config
                .borrow()
                .init(&device)
                .map_err(js::error)?;
            let moved = match current {
                Some(model) => move_to_device(&model, fresh, &device)
                    .await
                    .map_err(js::error)?,
                None => fresh,
            };
            *shared.latest.borrow_mut() = Some(moved);
            let value = js::to_js(&info);
            *shared.device.borrow_mut() = (Some(device), info);
            Ok(value)
        })
    }

    /// The CPU path's training speed in this build, in images per second (a warm-up and a few
    /// timed steps of the seed network at batch 32, the first time only): what Auto compares
    /// with WebGPU.
    #[wasm_bindgen(js_name = cpuSpeed)]
    pub fn cpu_speed(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            if shared.training.get() {
                return Err(js::error("cannot time the CPU while training"));
            }
            device::cpu_speed()
                .await
                .map(JsValue::from)
                .map_err(js::error)
        })
    }

    /// Memory in use: `{wasm_bytes, device_reserved_bytes, device_in_use_bytes}` (the last two
    /// from burn's allocator, on WebGPU; null on the CPU, whose tensors live in wasm memory).
    #[wasm_bindgen(js_name = memoryUsage)]
    pub fn memory_usage(&self) -> JsValue {
        #[derive(Serialize)]
        struct Usage {
            wasm_bytes: f64,
            device_reserved_bytes: Option<u64>,
            device_in_use_bytes: Option<u64>,
        }
        // An ArrayBuffer, or a SharedArrayBuffer in the multi-threaded build: both have
        // `byteLength`.
        let wasm_bytes = wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .ok()
            .and_then(|m| js_sys::Reflect::get(&m.buffer(), &JsValue::from_str("byteLength")).ok())
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0);
        let device = self.shared.device.borrow().0.clone();
        let pools = device.and_then(|d| d.memory_pool_usage());
        js::to_js(&Usage {
            wasm_bytes,
            device_reserved_bytes: pools.as_ref().map(|p| p.bytes_reserved),
            device_in_use_bytes: pools.as_ref().map(|p| p.bytes_in_use),
        })
    }

    /// Load CIFAR-10 from files (`names[i]` is the name of `files[i]`): the archive, `.bin`
    /// batch files and `batches.meta.txt`. `on_progress(bytesRead, totalBytes)` is called as the
    /// archive is decompressed. Replaces any dataset loaded before only on success.
    /// `display_name` (optional) names the dataset instead of the files' names.
    #[wasm_bindgen(js_name = loadDataset)]
    pub fn load_dataset(
        &self,
        names: Vec<String>,
        files: Vec<Uint8Array>,
        on_progress: js_sys::Function,
        display_name: Option<String>,
    ) -> Result<JsValue, JsError> {
        if self.shared.training.get() {
            return Err(JsError::new(
                "cannot replace the dataset while training; stop first",
            ));
        }
        if names.len() != files.len() {
            return Err(JsError::new(
                "loadDataset: names and files differ in length",
            ));
        }
        let total: f64 = files.iter().map(|f| f.length() as f64).sum();
        let dataset_name = display_name.unwrap_or_else(|| names.join(", "));
        let mut offset = 0f64;
        let streams: Vec<(String, reader::JsArrayReader)> = names
            .into_iter()
            .zip(files)
            .map(|(name, file)| {
                let size = file.length() as f64;
                let reader = reader::JsArrayReader::new(file, on_progress.clone(), offset, total);
                offset += size;
                (name, reader)
            })
            .collect();
        let data = Cifar10::from_readers(streams).map_err(|e| JsError::new(&e.to_string()))?;
        let summary = DatasetSummary {
            train_images: data.train.len(),
            test_images: data.test.len(),
            train_per_class: data.train.class_counts(),
            test_per_class: data.test.class_counts(),
            class_names: data.class_names.clone(),
        };
        *self.shared.data.borrow_mut() = Some(Rc::new(data));
        evaluation::invalidate(&self.shared);
        *self.shared.dataset_name.borrow_mut() = dataset_name;
        Ok(js::to_js(&summary))
    }
}
