//! Where a training step's CPU work runs. Natively, burn flex runs its kernels on rayon's
//! thread pool: each parallel kernel started from outside the pool hands its work to the pool
//! and waits for it, a few hundred hand-overs per step. Running the whole step on one of the
//! pool's threads lets those kernels share their work out within the pool instead, with one
//! hand-over per step: 1.3× the images per second at batch 32 on two cores (`kiln bench`, four
//! alternating runs each), the same at batch 128.
//!
//! The multi-threaded browser build does not do this: measured there, the same change was
//! slower (about 0.85× at batch 32 and 128), so in wasm the step runs where it is called.

/// Run `f` (a step's synchronous work) on the CPU thread pool natively; in wasm, here.
#[cfg(not(target_arch = "wasm32"))]
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

/// Run `f` (a step's synchronous work) on the CPU thread pool natively; in wasm, here.
#[cfg(target_arch = "wasm32")]
pub fn on_pool<R>(f: impl FnOnce() -> R) -> R {
    f()
}
