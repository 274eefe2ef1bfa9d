//! CIFAR-10: parsing, loading and batching.

pub mod augment;
pub mod batcher;
pub mod cifar;
mod collector;
pub mod dataset;
pub mod error;
pub mod format;
pub mod framing;
pub mod limits;
pub mod outliers;
pub mod reframe;
pub mod summary;

pub use augment::Augmentation;
pub use batcher::{Batch, Batcher, Normalization};
pub use cifar::{CLASS_NAMES, Cifar10, NUM_CLASSES, Split};
pub use error::DataError;
pub use framing::Framing;
pub use summary::{DatasetSummary, Samples};
