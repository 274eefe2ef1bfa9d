//! Starting a device natively (`kiln --device cpu|gpu|auto`, the native tests): the CPU path
//! (burn flex) or the GPU through burn's wgpu runtime (Vulkan, Metal or DX12, WGSL shaders as in
//! the browser) with Kiln's fused kernels. The GPU needs the `webgpu` feature; without it, or
//! without an adapter, starting it is an error that says so, never a panic.
//!
//! The GPU runtime starts once per process (burn cannot start it twice), so [`start`] keeps the
//! first outcome, success or failure, and hands it out again.

use std::sync::OnceLock;

use burn::prelude::*;

use super::Backend;

/// The `--device` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
    Cpu,
    Gpu,
    /// The GPU where a hardware adapter exists, else the CPU ([`auto`]).
    Auto,
}

impl std::str::FromStr for DeviceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "gpu" => Ok(Self::Gpu),
            "auto" => Ok(Self::Auto),
            _ => Err(format!("unknown device {s:?} (cpu, gpu or auto)")),
        }
    }
}

/// A GPU adapter as wgpu reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AdapterInfo {
    pub name: String,
    /// The graphics API: Vulkan, Metal, Dx12, Gl.
    pub api: String,
    /// discrete GPU, integrated GPU, virtual GPU, software (CPU), other.
    pub kind: String,
    pub driver: String,
    /// A software renderer (lavapipe, llvmpipe, WARP): slower than the CPU path.
    pub software: bool,
}

impl std::fmt::Display for AdapterInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}, {}", self.name, self.kind, self.api)?;
        if !self.driver.is_empty() {
            write!(f, ", {}", self.driver)?;
        }
        f.write_str(")")
    }
}

/// Why the GPU cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    #[error(
        "this kiln was built without the GPU (the cargo feature `webgpu`); build it with the \
         default features, or use --device cpu"
    )]
    NotBuilt,
    #[error(
        "no GPU adapter found: wgpu sees no Vulkan, Metal or DX12 device ({detail}). Install the \
         GPU's driver with Vulkan support (on Debian or Ubuntu also libvulkan1; \
         mesa-vulkan-drivers for AMD and Intel), or use --device cpu"
    )]
    NoAdapter { detail: String },
    #[error("the GPU could not start: {0}")]
    Start(String),
}

/// A started device, with what it is and why it was picked.
#[derive(Debug, Clone)]
pub struct Started {
    pub device: Device,
    pub backend: Backend,
    /// The adapter, or how the CPU path computes.
    pub description: String,
    /// Why this device: chosen, or Auto's reason.
    pub reason: String,
}

/// What the CPU path is, for the device line.
pub fn cpu_description() -> String {
    format!("CPU (burn flex, {} threads)", rayon::current_num_threads())
}

/// Start the device `choice` names.
pub fn start(choice: DeviceChoice) -> Result<Started, GpuError> {
    match choice {
        DeviceChoice::Cpu => Ok(cpu("chosen with --device cpu".into())),
        DeviceChoice::Gpu => gpu().map(|(device, adapter)| Started {
            device,
            backend: Backend::WebGpu,
            description: adapter.to_string(),
            reason: "chosen with --device gpu".into(),
        }),
        DeviceChoice::Auto => Ok(auto()),
    }
}

fn cpu(reason: String) -> Started {
    Started {
        device: Device::flex(),
        backend: Backend::Cpu,
        description: cpu_description(),
        reason,
    }
}

/// Auto: the GPU where a Vulkan, Metal or DX12 adapter is hardware; the CPU where there is
/// none, where the only one is a software renderer (far slower than the CPU path, as in the
/// page), or where the GPU does not start. OpenGL is not asked: where it is all a machine has,
/// its adapter is most likely a software one too, and asking it writes windowing-system noise
/// to stderr on a headless machine.
fn auto() -> Started {
    let adapters = match wgpu::adapters(false) {
        Ok(adapters) => adapters,
        Err(e) => return cpu(format!("auto: {e}")),
    };
    let Some(hardware) = adapters.iter().find(|a| !a.software) else {
        return cpu(match adapters.first() {
            None => "auto: no GPU adapter found".into(),
            Some(software) => format!(
                "auto: the only GPU adapter, {software}, is a software renderer, slower than \
                 the CPU path"
            ),
        });
    };
    match gpu() {
        Ok((device, adapter)) => Started {
            device,
            backend: Backend::WebGpu,
            description: adapter.to_string(),
            reason: format!("auto: a hardware GPU adapter, {hardware}"),
        },
        Err(e) => cpu(format!("auto: {e}")),
    }
}

/// The process's GPU: started on the first call, the same device (or error) after.
pub fn gpu() -> Result<(Device, AdapterInfo), GpuError> {
    static GPU: OnceLock<Result<(Device, AdapterInfo), GpuError>> = OnceLock::new();
    GPU.get_or_init(wgpu::start).clone()
}

/// Every GPU adapter wgpu finds on this machine (Vulkan, Metal, DX12 and OpenGL), hardware
/// first.
pub fn adapters() -> Result<Vec<AdapterInfo>, GpuError> {
    wgpu::adapters(true)
}

#[cfg(feature = "webgpu")]
mod wgpu {
    use std::sync::Mutex;

    use burn::prelude::*;
    use burn::tensor::wgpu::{WgpuInitError, wgpu};

    use super::{AdapterInfo, GpuError};

    /// The Vulkan loader crashes when instances come and go on several threads at once (as
    /// cubecl-wgpu notes of its own): Kiln makes its instances one at a time.
    static INSTANCES: Mutex<()> = Mutex::new(());

    fn info(info: wgpu::AdapterInfo) -> AdapterInfo {
        use wgpu::DeviceType;
        let kind = match info.device_type {
            DeviceType::DiscreteGpu => "discrete GPU",
            DeviceType::IntegratedGpu => "integrated GPU",
            DeviceType::VirtualGpu => "virtual GPU",
            DeviceType::Cpu => "software",
            DeviceType::Other => "other",
        };
        let mut driver: Vec<String> = [info.driver, info.driver_info]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        driver.dedup();
        AdapterInfo {
            name: info.name,
            api: format!("{:?}", info.backend),
            kind: kind.into(),
            driver: driver.join(" "),
            software: info.device_type == DeviceType::Cpu,
        }
    }

    /// The adapters of Vulkan, Metal and DX12, and of OpenGL if `with_gl`.
    pub fn adapters(with_gl: bool) -> Result<Vec<AdapterInfo>, GpuError> {
        let _one_at_a_time = INSTANCES.lock().unwrap_or_else(|e| e.into_inner());
        let mut backends = wgpu::Backends::PRIMARY;
        if with_gl {
            backends |= wgpu::Backends::GL;
        }
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let mut found: Vec<AdapterInfo> = pollster::block_on(instance.enumerate_adapters(backends))
            .iter()
            .map(|a| info(a.get_info()))
            .collect();
        found.sort_by_key(|a| a.software);
        Ok(found)
    }

    /// burn's default adapter: the first graphics API with a hardware adapter, preferring a
    /// high-performance one; a software adapter only where nothing else exists.
    pub fn start() -> Result<(Device, AdapterInfo), GpuError> {
        let _one_at_a_time = INSTANCES.lock().unwrap_or_else(|e| e.into_inner());
        let (device, setup) = Device::wgpu_options()
            .init_with_setup()
            .map_err(|e| match e {
                WgpuInitError::AdapterUnavailable { message, .. } => {
                    GpuError::NoAdapter { detail: message }
                }
                other => GpuError::Start(other.to_string()),
            })?;
        Ok((device, info(setup.adapter.get_info())))
    }
}

/// Without the `webgpu` feature there is no GPU to start or list.
#[cfg(not(feature = "webgpu"))]
mod wgpu {
    use burn::prelude::*;

    use super::{AdapterInfo, GpuError};

    pub fn adapters(_with_gl: bool) -> Result<Vec<AdapterInfo>, GpuError> {
        Err(GpuError::NotBuilt)
    }

    pub fn start() -> Result<(Device, AdapterInfo), GpuError> {
        Err(GpuError::NotBuilt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_and_others_are_named() {
        assert_eq!("gpu".parse(), Ok(DeviceChoice::Gpu));
        assert_eq!("auto".parse(), Ok(DeviceChoice::Auto));
        assert_eq!("cpu".parse(), Ok(DeviceChoice::Cpu));
        let err = "cuda".parse::<DeviceChoice>().unwrap_err();
        assert!(err.contains("cpu, gpu or auto"), "{err}");
    }

    #[test]
    fn an_adapter_names_its_kind_and_api() {
        let a = AdapterInfo {
            name: "llvmpipe (LLVM 19.1.7, 256 bits)".into(),
            api: "Vulkan".into(),
            kind: "software".into(),
            driver: "llvmpipe Mesa 25.0.7".into(),
            software: true,
        };
        assert_eq!(
            a.to_string(),
            "llvmpipe (LLVM 19.1.7, 256 bits) (software, Vulkan, llvmpipe Mesa 25.0.7)"
        );
    }
}
