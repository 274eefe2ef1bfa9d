//! Training and evaluation, written once for every device.

pub mod average;
pub mod calibration;
pub mod checkpoint;
pub mod compute;
pub mod config;
pub mod eval;
pub mod events;
pub mod field;
pub mod form;
pub mod history;
pub mod offered;
pub mod optimizer;
pub mod probe;
pub mod progress;
pub mod rates;
pub mod report;
mod run;
pub mod settings;
mod step;
pub mod trainer;
pub mod validate;
pub mod watch;
pub mod window;

// The recipe's vocabulary, where a run's configuration names it.
pub use crate::recipe::{Lookahead, NormalizationKind, OptimizerConfig, Recipe, Schedule};

pub use checkpoint::{Checkpoint, CheckpointError};
pub use config::TrainingConfig;
pub use eval::{ConfusionCell, Evaluation, Judged, evaluate};
pub use events::{EpochRecord, Metrics, TrainingEvent, TrainingSummary};
pub use field::FieldError;
pub use form::parse_form;
pub use history::{History, RunResult, best_of, last_test_accuracy};
pub use report::EvaluationReport;
pub use trainer::{Control, Observer, TrainError, Trainer};
pub use validate::ConfigError;
