//! Starting a device in the browser, and timing it. Which device to start is decided by
//! [`crate::device::decide`] (exported as `decideDevice`); this module only does what it is
//! told. The WebGPU module is built without the CPU path (no `cpu` feature) and the CPU-only
//! modules without WebGPU: each starts only what it has, and says so otherwise.

use std::cell::RefCell;

use burn::prelude::*;

use crate::device::{Backend, DeviceInfo};
use crate::train::probe::training_speed;

/// A device that did not start.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StartError {
    #[error("the WebGPU build of Kiln has no CPU path")]
    NoCpuPath,
    #[error("this CPU-only build of Kiln has no WebGPU")]
    NoWebGpu,
    #[error("WebGPU could not start: {0}")]
    WebGpu(String),
}

/// A started device with what the page shows about it.
#[derive(Debug, Clone)]
pub struct Started {
    pub device: Device,
    pub info: DeviceInfo,
}

/// This build's CPU device, where it has the CPU path.
pub fn cpu_device() -> Option<Device> {
    #[cfg(feature = "cpu")]
    return Some(Device::flex());
    #[cfg(not(feature = "cpu"))]
    None
}

thread_local! {
    /// WebGPU can be initialised once per page: later starts reuse the first device.
    static WEBGPU: RefCell<Option<Started>> = const { RefCell::new(None) };
    /// Training speeds (images per second), timed once per page and device.
    static CPU_SPEED: RefCell<Option<Result<f64, String>>> = const { RefCell::new(None) };
    static GPU_SPEED: RefCell<Option<Result<f64, String>>> = const { RefCell::new(None) };
}

/// Start `backend`'s device in this build.
pub async fn start(backend: Backend) -> Result<Started, StartError> {
    match backend {
        Backend::Cpu => {
            let device = cpu_device().ok_or(StartError::NoCpuPath)?;
            let adapter = "CPU (burn flex, WebAssembly SIMD)".into();
            Ok(Started {
                device,
                info: DeviceInfo { backend, adapter },
            })
        }
        Backend::WebGpu => {
            if let Some(started) = WEBGPU.with_borrow(Clone::clone) {
                return Ok(started);
            }
            let started = start_webgpu().await?;
            WEBGPU.with_borrow_mut(|w| *w = Some(started.clone()));
            Ok(started)
        }
    }
}

/// The CPU path's training speed in this build (images per second).
pub async fn cpu_speed() -> Result<f64, String> {
    let device = cpu_device().ok_or_else(|| StartError::NoCpuPath.to_string())?;
    timed(Backend::Cpu, &device).await
}

/// `device`'s training speed (images per second): a warm-up and a few timed steps of the seed
/// network at batch 32, the first time only; later calls give the same figure.
pub async fn timed(backend: Backend, device: &Device) -> Result<f64, String> {
    let (cache, budget_seconds) = match backend {
        Backend::Cpu => (&CPU_SPEED, 1.0),
        Backend::WebGpu => (&GPU_SPEED, 1.5),
    };
    if let Some(known) = cache.with_borrow(Clone::clone) {
        return known;
    }
    // Three timed steps: a second or two on the CPU, less on a real GPU.
    let speed = training_speed(device, 32, 3, budget_seconds)
        .await
        .map(|p| p.images_per_second)
        .map_err(|e| e.to_string());
    cache.with_borrow_mut(|c| *c = Some(speed.clone()));
    speed
}

/// The CPU-only builds (`pkg-cpu`, and `pkg-threads`, where wgpu's browser objects could not
/// cross threads) have no WebGPU; the worker starts it in the WebGPU build.
#[cfg(not(feature = "webgpu"))]
async fn start_webgpu() -> Result<Started, StartError> {
    Err(StartError::NoWebGpu)
}

#[cfg(feature = "webgpu")]
async fn start_webgpu() -> Result<Started, StartError> {
    super::constructors::run_once();
    let (device, setup) = Device::wgpu_options()
        .init_with_setup_async()
        .await
        .map_err(|e| StartError::WebGpu(e.to_string()))?;
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
    Ok(Started {
        device,
        info: DeviceInfo {
            backend: Backend::WebGpu,
            adapter,
        },
    })
}
