//! Choosing the compute device in the browser: WebGPU when it works, the CPU otherwise, and
//! always the reason when the CPU was not the user's choice. "Auto" times a few training steps
//! on each and keeps the faster.
//!
//! A choice is a [`Chosen`]: the device with what the page shows about it. The WebGPU module is
//! built without the CPU path (no `cpu` feature), so where it falls back to the CPU the choice
//! has no device: the worker moves to a CPU-only module.

use std::cell::RefCell;

use burn::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::train::probe::training_speed;

/// What the page shows about the device in use.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceInfo {
    /// `webgpu` or `cpu`.
    pub backend: &'static str,
    /// Adapter name, vendor and architecture where WebGPU exposes them.
    pub adapter: String,
    /// Why WebGPU is not used although the user asked for it (or for Auto).
    pub fallback_reason: Option<String>,
    /// Auto's timing of both devices (images per second), when it ran.
    pub speeds: Option<Speeds>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Speeds {
    pub cpu: f64,
    pub webgpu: f64,
}

/// A device choice. `device` is `None` where the CPU was chosen in a build without the CPU path.
pub type Chosen = (Option<Device>, DeviceInfo);

/// This build's CPU device, where it has the CPU path.
pub fn cpu_device() -> Option<Device> {
    #[cfg(feature = "cpu")]
    return Some(Device::flex());
    #[cfg(not(feature = "cpu"))]
    None
}

fn cpu(fallback_reason: Option<String>) -> Chosen {
    let info = DeviceInfo {
        backend: "cpu",
        adapter: "CPU (burn flex, WebAssembly SIMD)".into(),
        fallback_reason,
        speeds: None,
    };
    (cpu_device(), info)
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
    static WEBGPU: RefCell<Option<Chosen>> = const { RefCell::new(None) };
    /// Auto's timings (images per second), once made: they are not repeated.
    static GPU_SPEED: RefCell<Option<Result<f64, String>>> = const { RefCell::new(None) };
    static CPU_SPEED: RefCell<Option<Result<f64, String>>> = const { RefCell::new(None) };
}

/// `preference` is `auto`, `webgpu` or `cpu`. For Auto, `cpu_speed` is the CPU path's
/// training speed when the caller measured it (the worker does, in the multi-threaded build);
/// without it this build times its own CPU path.
pub async fn choose(preference: &str, cpu_speed: Option<f64>) -> Chosen {
    if preference == "cpu" {
        return cpu(None);
    }
    if !has_webgpu() {
        let reason = "this browser does not expose WebGPU (navigator.gpu is missing)";
        return cpu(Some(reason.into()));
    }
    let chosen = match WEBGPU.with_borrow(|w| w.clone()) {
        Some(ready) => ready,
        None => {
            let chosen = init_webgpu().await;
            if chosen.1.backend == "webgpu" {
                WEBGPU.with_borrow_mut(|w| *w = Some(chosen.clone()));
            }
            chosen
        }
    };
    // Auto with WebGPU running: time both devices and keep the faster.
    let gpu = match &chosen.0 {
        Some(gpu) if preference == "auto" && chosen.1.backend == "webgpu" => gpu.clone(),
        _ => return chosen,
    };
    let cpu_timing = match cpu_speed {
        Some(speed) => Ok(speed),
        None => self::cpu_speed().await,
    };
    let gpu_speed = timed(&GPU_SPEED, &gpu, 1.5).await;
    faster(chosen, cpu_timing, gpu_speed)
}

/// The CPU path's training speed in this build (images per second): what Auto compares with
/// WebGPU. An error in the WebGPU module, which has no CPU path.
pub async fn cpu_speed() -> Result<f64, String> {
    match cpu_device() {
        Some(device) => timed(&CPU_SPEED, &device, 1.0).await,
        None => Err("the WebGPU build of Kiln has no CPU path".into()),
    }
}

/// `device`'s training speed, timed once per page and then kept in `cache`.
async fn timed(
    cache: &'static std::thread::LocalKey<RefCell<Option<Result<f64, String>>>>,
    device: &Device,
    budget_seconds: f64,
) -> Result<f64, String> {
    if let Some(known) = cache.with_borrow(Clone::clone) {
        return known;
    }
    // Batch 32, three timed steps: a second or two on the CPU, less on a real GPU.
    let speed = training_speed(device, 32, 3, budget_seconds)
        .await
        .map(|p| p.images_per_second)
        .map_err(|e| e.to_string());
    cache.with_borrow_mut(|c| *c = Some(speed.clone()));
    speed
}

/// Keep the faster of the CPU path and WebGPU (`gpu`), given their training speeds.
fn faster(
    (gpu, info): Chosen,
    cpu_speed: Result<f64, String>,
    gpu_speed: Result<f64, String>,
) -> Chosen {
    let gpu_speed = match gpu_speed {
        Ok(speed) => speed,
        Err(e) => return cpu(Some(format!("WebGPU failed a test step: {e}"))),
    };
    // Without the CPU's speed (it could not be timed) there is nothing to weigh: keep WebGPU.
    let Ok(cpu_speed) = cpu_speed else {
        return (gpu, info);
    };
    let speeds = Speeds {
        cpu: cpu_speed,
        webgpu: gpu_speed,
    };
    if speeds.cpu > speeds.webgpu {
        let (device, mut info) = cpu(Some(format!(
            "the CPU trains faster here ({:.0} img/s, WebGPU {:.0} img/s)",
            speeds.cpu, speeds.webgpu
        )));
        info.speeds = Some(speeds);
        (device, info)
    } else {
        let mut info = info;
        info.speeds = Some(speeds);
        (gpu, info)
    }
}

/// The CPU-only builds (`pkg-cpu`, and `pkg-threads`, where wgpu's browser objects could not
/// cross threads) have no WebGPU; the worker asks the WebGPU build for it.
#[cfg(not(feature = "webgpu"))]
async fn init_webgpu() -> Chosen {
    cpu(Some("this CPU-only build of Kiln has no WebGPU".into()))
}

#[cfg(feature = "webgpu")]
async fn init_webgpu() -> Chosen {
    super::constructors::run_once();
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
                speeds: None,
            };
            (Some(device), info)
        }
        Err(e) => cpu(Some(format!("WebGPU could not start: {e}"))),
    }
}
