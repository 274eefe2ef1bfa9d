//! Which device trains and classifies: the WebGPU adapter or the CPU path. The browser's
//! worker gathers what it knows (the menu choice, whether the browser exposes WebGPU, the
//! adapter, Auto's timings, a failed start) and asks [`decide`]; the answer names the device
//! and the reason, which the page words. Pure and native, so every rule is unit-tested here.

use serde::{Deserialize, Serialize};

/// Starting a device natively: the CLI's `--device`, the native tests.
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
#[cfg(test)]
mod tests;

/// What the page shows about the device an engine started (`initDevice`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, rename = "EngineDeviceInfo"))]
pub struct DeviceInfo {
    pub backend: Backend,
    /// Adapter name and driver where WebGPU exposes them; how the CPU path computes.
    pub adapter: String,
}

/// Memory the engine holds, for the page's memory readout and the memory tests
/// (`memoryUsage`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct MemoryUsage {
    /// The wasm instance's memory.
    pub wasm_bytes: f64,
    /// burn's allocator on WebGPU: what it reserved and what is in use; null on the CPU,
    /// whose tensors live in wasm memory.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub device_reserved_bytes: Option<u64>,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub device_in_use_bytes: Option<u64>,
}

/// The device menu's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum Preference {
    /// The faster of WebGPU and the CPU path, timed on a few training steps.
    Auto,
    WebGpu,
    Cpu,
}

/// A device an engine can start: what [`Decision`] picks and `initDevice` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum Backend {
    Cpu,
    WebGpu,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Cpu => "the CPU",
            Backend::WebGpu => "WebGPU",
        })
    }
}

/// The WebGPU adapter the browser offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Adapter {
    /// Vendor, architecture and description, as the browser reports them.
    pub description: String,
    /// A software renderer (SwiftShader, llvmpipe, a fallback adapter): far slower than the
    /// CPU path, so Auto does not even time it.
    pub software: bool,
    /// The adapter offers the optional `timestamp-query` feature. burn's WebGPU runtime
    /// (cubecl-wgpu 0.11) panics in the browser without it (it would time its work by blocking,
    /// which wasm cannot), so Kiln does not start WebGPU on such an adapter: docs/upstream.md.
    pub timestamp_query: bool,
}

/// Training speeds of both devices, in images per second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Speeds {
    pub cpu: f64,
    pub webgpu: f64,
}

/// What Auto measured: WebGPU's speed, and the CPU path's where it could be timed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Measured {
    pub cpu: Option<f64>,
    pub webgpu: f64,
}

/// Why WebGPU could not be used although it was tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum Failure {
    /// WebGPU did not start, or failed a test step.
    #[serde(rename = "webgpu_failed")]
    WebGpuFailed { message: String },
    /// The WebGPU build of Kiln could not be fetched or instantiated.
    BuildNotLoaded { message: String },
}

/// Everything the choice depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Known {
    pub preference: Preference,
    /// `navigator.gpu` exists.
    pub webgpu_exposed: bool,
    /// The adapter `navigator.gpu.requestAdapter()` gave, if any.
    #[serde(default)]
    pub adapter: Option<Adapter>,
    /// Auto's timings, once made (after a [`Decision::Measure`]).
    #[serde(default)]
    pub speeds: Option<Measured>,
    /// WebGPU was tried and failed.
    #[serde(default)]
    pub failure: Option<Failure>,
}

/// Why the CPU path computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum CpuReason {
    /// The user picked the CPU.
    Chosen,
    /// The browser does not expose WebGPU (`navigator.gpu` is missing).
    #[serde(rename = "no_webgpu_in_browser")]
    NoWebGpuInBrowser,
    /// The browser exposes WebGPU but offers no adapter.
    NoAdapter,
    /// Auto: WebGPU here runs in software.
    SoftwareAdapter {
        adapter: String,
    },
    /// The adapter lacks `timestamp-query`, without which burn's WebGPU runtime cannot run in
    /// a browser ([`Adapter::timestamp_query`]).
    NoTimestampQuery {
        adapter: String,
    },
    #[serde(rename = "webgpu_failed")]
    WebGpuFailed {
        message: String,
    },
    BuildNotLoaded {
        message: String,
    },
    /// Auto: the CPU path trained faster.
    CpuFaster {
        speeds: Speeds,
    },
}

/// Why WebGPU computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum GpuReason {
    /// The user picked WebGPU.
    Chosen,
    /// Auto: WebGPU trained faster.
    Faster { speeds: Speeds },
    /// Auto: the CPU path could not be timed, so there is nothing to weigh WebGPU against.
    CpuNotTimed,
}

/// The device to use and why; or, for Auto, that both devices must be timed first.
/// As JSON: `{kind: "cpu" | "webgpu" | "measure", reason: {code, ...params}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "reason", rename_all = "lowercase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum Decision {
    Cpu(CpuReason),
    WebGpu(GpuReason),
    /// Time a few training steps on the CPU path and on WebGPU, then decide again with
    /// [`Known::speeds`].
    Measure,
}

impl Decision {
    /// The device to start, or `None` while Auto still has to measure.
    pub fn backend(&self) -> Option<Backend> {
        match self {
            Decision::Cpu(_) => Some(Backend::Cpu),
            Decision::WebGpu(_) => Some(Backend::WebGpu),
            Decision::Measure => None,
        }
    }
}

/// Choose the device from what is known.
pub fn decide(known: &Known) -> Decision {
    use Decision::{Cpu, WebGpu};
    if known.preference == Preference::Cpu {
        return Cpu(CpuReason::Chosen);
    }
    if let Some(failure) = &known.failure {
        return Cpu(match failure.clone() {
            Failure::WebGpuFailed { message } => CpuReason::WebGpuFailed { message },
            Failure::BuildNotLoaded { message } => CpuReason::BuildNotLoaded { message },
        });
    }
    if !known.webgpu_exposed {
        return Cpu(CpuReason::NoWebGpuInBrowser);
    }
    let Some(adapter) = &known.adapter else {
        return Cpu(CpuReason::NoAdapter);
    };
    if !adapter.timestamp_query {
        return Cpu(CpuReason::NoTimestampQuery {
            adapter: adapter.description.clone(),
        });
    }
    if known.preference == Preference::WebGpu {
        return WebGpu(GpuReason::Chosen);
    }
    if adapter.software {
        return Cpu(CpuReason::SoftwareAdapter {
            adapter: adapter.description.clone(),
        });
    }
    let Some(measured) = known.speeds else {
        return Decision::Measure;
    };
    let Some(cpu) = measured.cpu else {
        return WebGpu(GpuReason::CpuNotTimed);
    };
    let speeds = Speeds {
        cpu,
        webgpu: measured.webgpu,
    };
    if speeds.cpu > speeds.webgpu {
        Cpu(CpuReason::CpuFaster { speeds })
    } else {
        WebGpu(GpuReason::Faster { speeds })
    }
}
