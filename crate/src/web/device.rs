//! Choosing the compute device in the browser: WebGPU when it works, the CPU otherwise, and
//! always the reason when the CPU was not the user's choice.

use std::cell::RefCell;

use burn::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// What the page shows about the device in use.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceInfo {
    /// `webgpu` or `cpu`.
    pub backend: &'static str,
    /// Adapter name, vendor and architecture where WebGPU exposes them.
    pub adapter: String,
    /// Why WebGPU is not used although the user asked for it (or for Auto).
    pub fallback_reason: Option<String>,
}

fn cpu(fallback_reason: Option<String>) -> (Device, DeviceInfo) {
    let info = DeviceInfo {
        backend: "cpu",
        adapter: "CPU (burn flex, WebAssembly SIMD)".into(),
        fallback_reason,
    };
    (Device::flex(), info)
}

/// `navigator.gpu` exists in this worker.
fn has_webgpu() -> bool {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .and_then(|nav| js_sys::Reflect::get(&nav, &JsValue::from_str("gpu")))
        .is_ok_and(|gpu| !gpu.is_undefined() && !gpu.is_null())
}

thread_local! {
    /// WebGPU can be initialised once per page: later choices reuse the first device.
    static WEBGPU: RefCell<Option<(Device, DeviceInfo)>> = const { RefCell::new(None) };
}

/// `preference` is `auto`, `webgpu` or `cpu`.
pub async fn choose(preference: &str) -> (Device, DeviceInfo) {
    if preference == "cpu" {
        return cpu(None);
    }
    if !has_webgpu() {
        let reason = "this browser does not expose WebGPU (navigator.gpu is missing)";
        return cpu(Some(reason.into()));
    }
    if let Some(ready) = WEBGPU.with_borrow(|w| w.clone()) {
        return ready;
    }
    let chosen = init_webgpu().await;
    if chosen.1.backend == "webgpu" {
        WEBGPU.with_borrow_mut(|w| *w = Some(chosen.clone()));
    }
    chosen
}

async fn init_webgpu() -> (Device, DeviceInfo) {
    match Device::wgpu_options().init_with_setup_async().await {
        Ok((device, setup)) => {
            let info = setup.adapter.get_info();
            let mut parts: Vec<String> = [info.name, info.driver, info.driver_info]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            parts.dedup();
            let adapter = match parts.is_empty() {
                true => "WebGPU adapter".into(),
                false => parts.join(" · "),
            };
            let info = DeviceInfo {
                backend: "webgpu",
                adapter,
                fallback_reason: None,
            };
            (device, info)
        }
        Err(e) => cpu(Some(format!("WebGPU could not start: {e}"))),
    }
}
