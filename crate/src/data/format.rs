//! The layout of a CIFAR-10 record and the class names: the constants every reader, error
//! message and tensor shape refers to.

pub const IMAGE_SIDE: usize = 32;
pub const CHANNELS: usize = 3;
pub const IMAGE_BYTES: usize = CHANNELS * IMAGE_SIDE * IMAGE_SIDE;
pub const RECORD_BYTES: usize = 1 + IMAGE_BYTES;
pub const NUM_CLASSES: usize = 10;

/// The class names in label order, as `batches.meta.txt` lists them.
pub const CLASS_NAMES: [&str; NUM_CLASSES] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];
