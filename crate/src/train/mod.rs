//! Training and evaluation, written once for every device.

pub mod checkpoint;
pub mod compute;
pub mod config;
pub mod eval;
pub mod events;
pub mod optimizer;
pub mod probe;
pub mod read;
pub mod trainer;
pub mod window;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use config::{NormalizationKind, OptimizerConfig, TrainingConfig};
pub use eval::{Evaluation, Judged, evaluate};
pub use events::{Metrics, TrainingEvent, TrainingSummary};
pub use trainer::{
    Control, EpochRecord, Observer, RunResult, TrainError, Trainer, best_of, last_test_accuracy,
};
