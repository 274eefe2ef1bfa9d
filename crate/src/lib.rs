//! Kiln: train a convolutional network on CIFAR-10, natively or in the browser.

pub mod data;
pub mod explain;
pub mod infer;
pub mod model;
pub mod train;
pub mod transfer;
pub mod weights;

/// The browser bindings (wasm-bindgen), used by the Web Worker in `www/`.
#[cfg(target_arch = "wasm32")]
pub mod web;

/// `initThreadPool(n)` for the multi-threaded browser build: call it once, from the worker that
/// owns the engine, before any other call.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use wasm_bindgen_rayon::init_thread_pool;
