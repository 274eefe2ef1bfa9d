//! The module's static constructors, run once.
//!
//! wasm-ld collects static constructors into `__wasm_call_ctors`. In the WebGPU build these are
//! the `inventory` registrations of cubecl's IR (pliron dialects, several hundred of them).
//! Unless the module calls that function itself, wasm-ld takes it for a command-style module and
//! calls it at the top of every exported function, so every call from JS into the module (each
//! WebGPU object handed to Rust is one) ran all the constructors again: measured, half the
//! worker's CPU time on WebGPU, and 1.29 s of CPU per training step on SwiftShader against
//! 0.12 s with it called once. With the call here, the linker adds no such wrappers.

#[cfg(feature = "webgpu")]
unsafe extern "C" {
    fn __wasm_call_ctors();
}

/// Run the constructors if they have not run yet: at start (`#[wasm_bindgen(start)]`), and
/// before WebGPU starts, which needs them (the test harness does not call the start function).
pub fn run_once() {
    #[cfg(feature = "webgpu")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: the linker's constructor list, called once per instance (`Once`), as the
        // linker expects once it sees the call.
        ONCE.call_once(|| unsafe { __wasm_call_ctors() });
    }
}
