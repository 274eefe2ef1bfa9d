//! Typed errors for everything a user can feed the data loader.

use std::path::PathBuf;

use crate::data::format::{NUM_CLASSES, RECORD_BYTES};

/// What went wrong while reading CIFAR-10. Every variant names the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },

    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{name}: the file is empty")]
    Empty { name: String },

    #[error(
        "{name}: {len} bytes is not a whole number of CIFAR-10 records ({RECORD_BYTES} bytes each); \
         the file is truncated or not a CIFAR-10 batch file"
    )]
    BadSize { name: String, len: usize },

    #[error(
        "{name}: record {record} has label {label}, but CIFAR-10 labels are 0..={max}; \
         this is not a CIFAR-10 batch file",
        max = NUM_CLASSES - 1
    )]
    BadLabel {
        name: String,
        record: usize,
        label: u8,
    },

    #[error("{name}: corrupt or truncated archive: {reason}")]
    CorruptArchive { name: String, reason: String },

    #[error(
        "{name}: no CIFAR-10 batch files found (expected data_batch_1.bin … data_batch_5.bin \
         and test_batch.bin)"
    )]
    NoBatchFiles { name: String },

    #[error("{name}: {reason}")]
    BadMeta { name: String, reason: String },

    #[error(
        "{name}: more than {cap} bytes (unpacked), more than a CIFAR-10 dataset file holds; \
         refused (a damaged archive, or not CIFAR-10)"
    )]
    TooLarge { name: String, cap: u64 },

    #[error(
        "{name}: the archive says this file holds {claimed} bytes, more than the {limit} it may \
         hold; refused without reading it"
    )]
    MemberTooLarge {
        name: String,
        claimed: u64,
        limit: u64,
    },

    #[error(
        "{name}: more than {max} images in all with the files read before it (CIFAR-10 has \
         {max}); is a batch file loaded twice?"
    )]
    TooManyImages { name: String, max: usize },
}
