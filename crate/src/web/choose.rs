//! The device choice as the worker sees it: `decideDevice` says which device and why,
//! `initDevice` starts it, `cpuSpeed` and `timeSteps` give Auto its timings.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::device::{Backend, Known, decide};
use crate::error_code::BusyWhat;
use crate::transfer::move_to_device;
use crate::web::device::{self, Started};
use crate::web::{Engine, InUse, codes, js};

/// Which device to use and why, from what the worker knows: `known` is a
/// `{preference, webgpu_exposed, adapter: {description, software} | null, speeds: {cpu,
/// webgpu} | null, failure: {code, message} | null}`; the answer is `{kind: "cpu" | "webgpu" |
/// "measure", reason: {code, ...}}` (see `crate::device`).
#[wasm_bindgen(js_name = decideDevice)]
pub fn decide_device(known: JsValue) -> Result<JsValue, JsError> {
    let known: Known = serde_wasm_bindgen::from_value(known)
        .map_err(|e| JsError::new(&format!("decideDevice: unreadable facts: {e}")))?;
    Ok(js::to_js(&decide(&known)))
}

#[wasm_bindgen]
impl Engine {
    /// Start `kind` (`"cpu"` or `"webgpu"`) and move the weights in use to it. Resolves to
    /// `{backend, adapter}`; rejects where this build lacks the device or WebGPU does not start
    /// (the weights in use then stay where they were).
    #[wasm_bindgen(js_name = initDevice)]
    pub fn init_device(&self, kind: JsValue) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            if shared.training.get() {
                return Err(codes::busy(
                    "cannot change the device while training; stop first",
                    BusyWhat::Device,
                ));
            }
            let backend: Backend = serde_wasm_bindgen::from_value(kind.clone()).map_err(|_| {
                js::error(format!(
                    "initDevice: {kind:?} is not a device: \"cpu\" or \"webgpu\""
                ))
            })?;
            let Started { device, info } = device::start(backend).await.map_err(js::error)?;
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
            *shared.device.borrow_mut() = Some(InUse { device, backend });
            Ok(js::to_js(&info))
        })
    }

    /// The CPU path's training speed in this build, in images per second: what Auto weighs
    /// WebGPU against. Timed once; rejects in the WebGPU build, which has no CPU path.
    #[wasm_bindgen(js_name = cpuSpeed)]
    pub fn cpu_speed(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            if shared.training.get() {
                return Err(codes::busy(
                    "cannot time the CPU while training",
                    BusyWhat::Time,
                ));
            }
            device::cpu_speed()
                .await
                .map(JsValue::from)
                .map_err(js::error)
        })
    }

    /// The training speed of the device in use (in the WebGPU build: WebGPU once `initDevice`
    /// started it), in images per second. Timed once per device.
    #[wasm_bindgen(js_name = timeSteps)]
    pub fn time_steps(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            if shared.training.get() {
                return Err(codes::busy(
                    "cannot time the device while training",
                    BusyWhat::Time,
                ));
            }
            let in_use = shared.in_use().map_err(js::error)?;
            device::timed(in_use.backend, &in_use.device)
                .await
                .map(JsValue::from)
                .map_err(|e| js::error(format!("{} failed a test step: {e}", in_use.backend)))
        })
    }
}
