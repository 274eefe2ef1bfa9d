//! `--device cpu|gpu|auto` for `train`, `eval`, `classify` and `bench`: which device computes,
//! and the line that says which and why (on stderr, so `--json` output stays one object).

use std::str::FromStr;

use kiln::device::native::{self, DeviceChoice, Started};

#[derive(clap::Args, Debug)]
pub struct DeviceArgs {
    /// Where to compute: cpu (burn flex), gpu (burn's wgpu runtime on Vulkan, Metal or DX12,
    /// with Kiln's fused kernels) or auto (the GPU where a hardware adapter exists; the CPU
    /// where there is none or only a software renderer). The choice and why go to stderr.
    #[arg(long, default_value = "auto", value_parser = DeviceChoice::from_str)]
    pub device: DeviceChoice,
}

impl DeviceArgs {
    /// Start the device; an unusable GPU is an error naming the problem. Says nothing yet: see
    /// [`announce`], called once the command's inputs have been read, so that a bad input
    /// still ends with its one line.
    pub fn start(&self) -> Result<Started, String> {
        native::start(self.device).map_err(|e| e.to_string())
    }
}

/// The device line: which device computes, and why.
pub fn announce(started: &Started) {
    eprintln!("device: {} ({})", started.description, started.reason);
}
