//! Kiln: train a convolutional network on CIFAR-10, natively or in the browser.

pub mod data;
pub mod device;
pub mod error_code;
pub mod explain;
pub mod infer;
pub mod insight;
pub mod kernels;
pub mod model;
pub mod read;
pub mod recipe;
pub mod train;
pub mod transfer;
pub mod weights;

#[cfg(all(not(target_arch = "wasm32"), not(feature = "cpu")))]
compile_error!("the native build computes on burn flex: enable the `cpu` feature");
#[cfg(all(target_arch = "wasm32", not(any(feature = "cpu", feature = "webgpu"))))]
compile_error!("a browser build needs a device: enable `cpu`, `webgpu` or both");

/// The browser bindings (wasm-bindgen), used by the Web Worker in `www/`.
#[cfg(target_arch = "wasm32")]
pub mod web;

/// `initThreadPool(n)` for the multi-threaded browser build: call it once, from the worker that
/// owns the engine, before any other call.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use wasm_bindgen_rayon::init_thread_pool;
