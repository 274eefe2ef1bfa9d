//! How much memory the engine holds, for the page's memory readout and the memory tests.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::device::MemoryUsage;
use crate::web::{Engine, js};

#[wasm_bindgen]
impl Engine {
    /// Memory in use: `{wasm_bytes, device_reserved_bytes, device_in_use_bytes}` (the last two
    /// from burn's allocator, on WebGPU; null on the CPU, whose tensors live in wasm memory).
    #[wasm_bindgen(js_name = memoryUsage)]
    pub fn memory_usage(&self) -> JsValue {
        // An ArrayBuffer, or a SharedArrayBuffer in the multi-threaded build: both have
        // `byteLength`.
        let wasm_bytes = wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .ok()
            .and_then(|m| js_sys::Reflect::get(&m.buffer(), &JsValue::from_str("byteLength")).ok())
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0);
        let pools = self
            .shared
            .device()
            .ok()
            .and_then(|d| d.memory_pool_usage());
        js::to_js(&MemoryUsage {
            wasm_bytes,
            device_reserved_bytes: pools.as_ref().map(|p| p.bytes_reserved),
            device_in_use_bytes: pools.as_ref().map(|p| p.bytes_in_use),
        })
    }
}
