//! What the page shows of a loaded dataset: its size, its images per class and its class names,
//! and the sample images it draws from it.

use serde::Serialize;

use crate::data::{Cifar10, NUM_CLASSES};

/// A loaded dataset, counted (`loadDataset`'s answer).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct DatasetSummary {
    pub train_images: usize,
    pub test_images: usize,
    #[cfg_attr(test, ts(type = "number[]"))]
    pub train_per_class: [usize; NUM_CLASSES],
    #[cfg_attr(test, ts(type = "number[]"))]
    pub test_per_class: [usize; NUM_CLASSES],
    pub class_names: Vec<String>,
}

impl DatasetSummary {
    pub fn of(data: &Cifar10) -> Self {
        DatasetSummary {
            train_images: data.train.len(),
            test_images: data.test.len(),
            train_per_class: data.train.class_counts(),
            test_per_class: data.test.class_counts(),
            class_names: data.class_names.clone(),
        }
    }
}

/// The first images of each class (`sampleImages`' answer): `labels[i]` is the class of the
/// i-th 32×32 RGBA image in `rgba`. The web layer hands both over as `Uint8Array`s.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Samples {
    #[cfg_attr(test, ts(type = "Uint8Array<ArrayBuffer>"))]
    pub labels: Vec<u8>,
    #[cfg_attr(test, ts(type = "Uint8Array<ArrayBuffer>"))]
    pub rgba: Vec<u8>,
}
