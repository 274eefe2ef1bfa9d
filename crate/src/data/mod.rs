//! CIFAR-10: parsing, loading and batching.

pub mod augment;
pub mod batcher;
pub mod cifar;
mod collector;
pub mod dataset;
pub mod error;
pub mod limits;

pub use augment::Augmentation;
pub use batcher::{Batch, Batcher, Normalization};
pub use cifar::{CLASS_NAMES, NUM_CLASSES, Split};
pub use dataset::Cifar10;
pub use error::DataError;
