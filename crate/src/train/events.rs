//! What the training loop reports. The CLI prints these; the browser worker posts them.

use serde::{Deserialize, Serialize};

use crate::data::Normalization;
use crate::insight::Insight;
use crate::insight::network::NetworkView;
use crate::model::ModelConfig;
use crate::weights::WeightsMeta;

/// Accuracy and mean loss over a set of images.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Metrics {
    pub loss: f32,
    pub accuracy: f32,
    pub images: usize,
}

/// Metrics of one finished epoch: the run's history is a list of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct EpochRecord {
    pub epoch: usize,
    pub train: Metrics,
    pub test: Option<Metrics>,
}

/// The run's best epoch so far: the first with the highest test accuracy
/// (`train::history::best_of`), which early stopping keeps and the charts mark.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Best {
    pub epoch: usize,
    pub accuracy: f32,
}

impl Best {
    pub fn of(best: Option<(usize, f32)>) -> Option<Self> {
        best.map(|(epoch, accuracy)| Self { epoch, accuracy })
    }
}

/// One progress report from [`crate::train::Trainer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum TrainingEvent {
    Started {
        /// The epoch training starts with: 0, or the next one when a saved run is resumed.
        first_epoch: usize,
        epochs: usize,
        steps_per_epoch: usize,
        train_images: usize,
        test_images: usize,
        parameters: usize,
        /// A resumed run's best epoch before this start; `None` for a new run.
        #[serde(default)]
        best: Option<Best>,
    },
    /// Sent every few steps (see `TrainingConfig::report_every`), never every step: each one
    /// costs a GPU→CPU read.
    Step {
        epoch: usize,
        step: usize,
        steps_per_epoch: usize,
        /// Epochs trained so far, the current one by its share of steps done (`epoch +
        /// step / steps_per_epoch`): where the report sits on the charts' step axis.
        position: f32,
        /// Mean loss and accuracy of the batches since the previous report.
        loss: f32,
        accuracy: f32,
        images_per_second: f32,
        eta_seconds: f32,
        /// The learning rate of the report's last step (the schedule's, where there is one).
        learning_rate: f32,
        /// A look inside the network on one of the report's steps, when the observer watches
        /// (`Observer::watching`), at most every `train::watch::WATCH_EVERY_SECONDS`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        insight: Option<Insight>,
        /// The network drawn for the observer's picture after one of the report's steps, when
        /// it asks for one (`Observer::drawing`), with the looks' cadence. Not serialised: the
        /// browser's observer hands its numbers to the page as typed arrays.
        #[serde(skip)]
        network: Option<NetworkView>,
    },
    Evaluating {
        epoch: usize,
    },
    EpochFinished {
        epoch: usize,
        train: Metrics,
        /// `None` when there is no test set.
        test: Option<Metrics>,
        seconds: f32,
        images_per_second: f32,
        /// The best epoch with this one counted.
        #[serde(default)]
        best: Option<Best>,
    },
    Finished {
        summary: TrainingSummary,
    },
}

/// The figures of a whole run (the JSON line `kiln train --json` ends with).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct TrainingSummary {
    pub epochs: usize,
    pub train_loss: f32,
    pub train_accuracy: f32,
    pub test_loss: Option<f32>,
    pub test_accuracy: Option<f32>,
    pub best_test_accuracy: Option<f32>,
    pub best_epoch: Option<usize>,
    pub images_per_second: f32,
    /// Wall time spent training (evaluation excluded).
    pub seconds: f32,
    pub cancelled: bool,
    /// Early stopping ended the run: test accuracy stopped improving.
    #[serde(default)]
    pub stopped_early: bool,
    /// Mean time the CPU spent on each training step, waiting for the device excluded: on the
    /// CPU the whole step; on a GPU building the step's kernels and handing them over, which
    /// caps throughput on any GPU (`batch / host_seconds_per_step` images per second).
    #[serde(default)]
    pub host_seconds_per_step: f32,
}

impl WeightsMeta {
    /// The metadata of weights trained by a run that ended with `summary`, on the files of
    /// `dataset`, dated now.
    pub fn new(
        model: &ModelConfig,
        normalization: Normalization,
        summary: &TrainingSummary,
        dataset: &[impl AsRef<std::path::Path>],
    ) -> Self {
        let dataset: Vec<String> = dataset
            .iter()
            .map(|p| {
                p.as_ref()
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        Self::describe(
            model,
            normalization,
            summary.epochs,
            summary.test_accuracy,
            dataset.join(", "),
        )
    }
}
