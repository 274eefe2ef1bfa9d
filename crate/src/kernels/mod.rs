//! Kiln's own operations, where burn's cost a step too much: each one a backend extension
//! (`#[backend_extension]`, no patched burn) with a kernel per device, its backward pass for
//! burn's autodiff where it has one, the reference it is held to and the check that does so.
//!
//! | operation | entry point | CPU path (burn flex) | WebGPU (CubeCL) |
//! | --- | --- | --- | --- |
//! | stride-1 convolution (a ReLU fused where one follows), 2×2 max pooling | [`conv2d`], [`conv2d_relu`], [`max_pool2d`] (`layers.rs`) | `cpu/conv.rs`, `cpu/pool.rs` | `gpu/conv.rs`, `gpu/conv_params.rs`, `gpu/pool.rs` |
//! | dense layer (a ReLU fused where one follows) | [`linear`], [`linear_relu`] (`dense.rs`) | burn flex's own | `gpu/dense.rs` |
//! | GELU (its exact gradient) | [`gelu`] (`gelu.rs`) | burn's composition | `gpu/gelu.rs` |
//! | BatchNorm with the batch's statistics, then GELU (training) | [`batch_norm_gelu`] (`norm.rs`) | burn's `BatchNorm` and GELU's composition | `gpu/norm.rs` |
//! | ReLU | [`relu`] (`relu.rs`) | burn flex's own | `gpu/relu.rs` |
//! | softmax cross-entropy, its gradient and the step's sums | [`cross_entropy`] (`loss.rs`) | `cpu/loss.rs` | `gpu/loss.rs` |
//! | optimiser updates (Adam, SGD, Nesterov SGD; a gradient scale for a group of parameters), the lookahead's step | [`adam`], [`sgd`], [`nesterov`], [`average`] (`update.rs`) | `cpu/update.rs` | `gpu/update.rs` |
//!
//! - `layers.rs`, `dense.rs`, `gelu.rs`, `norm.rs`, `relu.rs`, `update.rs`: each operation's extension trait (the device-independent
//!   signature) and the function the networks and the optimisers call, which takes burn's path
//!   wherever the kernel does not apply (another dtype, a layer setting it does not cover).
//! - `cpu/`, `gpu/`: the kernels, one folder per device, with what their kernels share.
//! - `autodiff/`: the backward passes, as burn's autodiff calls them.
//! - `reference.rs`: the fused updates composed from burn's operations; the other operations'
//!   reference is burn's own.
//! - `check/` (the `checks` feature: test builds only): each kernel against its reference on a
//!   device, for the native tests and, through the page's `?test` hooks, the browser tests.
//!
//! A new kernel: its trait and entry point in a file here, marked
//! `#[backend_extension(Autodiff, Flex: cfg(feature = "cpu"), Cube: cfg(feature = "webgpu"))]`
//! (leave out a device it has no kernel for, or give the trait default methods that call burn's
//! operation); its implementation for `Flex` in `cpu/`, for `Cube` in `gpu/`; for `Autodiff` in
//! `autodiff/` if it has a gradient; its reference (burn's operations) and a check in
//! `check/`, called from a native test in `crate/tests/` and from `web/checks.rs` for the
//! browser. `docs/architecture.md` says why each of these exists.

mod autodiff;
#[cfg(feature = "checks")]
pub mod check;
#[cfg(feature = "cpu")]
mod cpu;
pub mod dense;
pub mod gelu;
#[cfg(feature = "webgpu")]
mod gpu;
pub mod layers;
pub mod loss;
pub mod norm;
pub mod reference;
pub mod relu;
pub mod scalars;
pub mod update;

pub use dense::{linear, linear_relu};
pub use gelu::gelu;
pub use layers::{conv2d, conv2d_relu, max_pool2d};
pub use loss::cross_entropy;
pub use norm::batch_norm_gelu;
pub use relu::relu;
pub use update::{AdamScalars, AverageScalars, SgdScalars, adam, average, nesterov, sgd};
