//! What a run remembers of its finished epochs: their metrics, the best epoch, the weights of
//! the last epoch and (with early stopping) of the best one, and so what a run keeps at its end
//! and when early stopping ends it.

use crate::model::Model;
use crate::train::eval::Evaluation;
use crate::train::events::EpochRecord;

/// The test accuracy of the last finished epoch, when it was evaluated.
pub fn last_test_accuracy(records: &[EpochRecord]) -> Option<f32> {
    records.last().and_then(|r| r.test.map(|t| t.accuracy))
}

/// The first epoch with the highest test accuracy, and that accuracy.
pub fn best_of(records: &[EpochRecord]) -> Option<(usize, f32)> {
    records
        .iter()
        .filter_map(|r| r.test.map(|t| (r.epoch, t.accuracy)))
        .fold(None, |best, (e, a)| match best {
            Some((_, b)) if b >= a => best,
            _ => Some((e, a)),
        })
}

/// What a run leaves behind: the weights to keep, how many epochs they were trained and their
/// test evaluation.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub model: Model,
    pub epochs: usize,
    pub test_accuracy: Option<f32>,
    pub evaluation: Option<Evaluation>,
}

/// The finished epochs of a run (also those before a resume) and the weights kept from them.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// One record per finished epoch; training continues with epoch `records.len()`.
    pub records: Vec<EpochRecord>,
    /// Inference copy of the weights at the end of the last finished epoch.
    last_epoch: Option<Model>,
    /// With early stopping, the weights (and evaluation) of the epoch [`best_of`] names, when
    /// this run has them: a resumed run knows older epochs only by their metrics, unless its
    /// checkpoint kept the best epoch's weights.
    best: Option<(Model, Option<Evaluation>)>,
    /// The test-set evaluation of the last finished epoch.
    last_evaluation: Option<Evaluation>,
}

impl History {
    /// The history of a saved run: its records, the weights it ended with and, when the
    /// checkpoint kept them, those of its best epoch.
    pub fn restored(records: Vec<EpochRecord>, last: Model, best: Option<Model>) -> Self {
        let best_is_last = best_of(&records).is_some_and(|(epoch, _)| epoch + 1 == records.len());
        let best = if best_is_last {
            Some(last.clone())
        } else {
            best
        };
        Self {
            records,
            last_epoch: Some(last),
            best: best.map(|model| (model, None)),
            last_evaluation: None,
        }
    }

    pub fn epochs_done(&self) -> usize {
        self.records.len()
    }

    /// The first epoch with the highest test accuracy, and that accuracy.
    pub fn best(&self) -> Option<(usize, f32)> {
        best_of(&self.records)
    }

    /// The weights as they were when the last epoch finished (`None` before the first).
    pub fn last_epoch_model(&self) -> Option<Model> {
        self.last_epoch.clone()
    }

    /// Add a finished epoch, with the weights it ended with (an inference copy) and its test
    /// evaluation. With `early_stopping`, the weights are kept if this epoch is the best.
    pub fn push(
        &mut self,
        record: EpochRecord,
        model: Model,
        evaluation: Option<Evaluation>,
        early_stopping: bool,
    ) {
        let epoch = record.epoch;
        self.records.push(record);
        self.last_evaluation = evaluation;
        if early_stopping && self.best().is_some_and(|(best, _)| best == epoch) {
            self.best = Some((model.clone(), self.last_evaluation.clone()));
        }
        self.last_epoch = Some(model);
    }

    /// Whether early stopping with `patience` ends a run of `epochs` epochs now: the best epoch
    /// is `patience` epochs back, and epochs are left to train.
    pub fn stops_early(&self, patience: Option<usize>, epochs: usize) -> bool {
        let (Some(patience), Some((best, _)), Some(last)) =
            (patience, self.best(), self.records.last())
        else {
            return false;
        };
        last.epoch - best >= patience && last.epoch + 1 < epochs
    }

    /// With early stopping, the best epoch's weights, number and accuracy when that epoch is
    /// not the last one (a checkpoint then keeps them apart).
    pub fn best_apart(&self, early_stopping: bool) -> Option<(&Model, usize, f32)> {
        match (&self.best, self.best()) {
            (Some((model, _)), Some((epoch, accuracy)))
                if early_stopping && epoch + 1 != self.records.len() =>
            {
                Some((model, epoch, accuracy))
            }
            _ => None,
        }
    }

    /// The weights a run ends with, with their epoch count and test accuracy: with early
    /// stopping, those of the best epoch (when this run saw them); otherwise `current`.
    pub fn result(&self, current: Model, early_stopping: bool) -> RunResult {
        if early_stopping
            && let (Some((model, evaluation)), Some((epoch, accuracy))) = (&self.best, self.best())
        {
            return RunResult {
                model: model.clone(),
                epochs: epoch + 1,
                test_accuracy: Some(accuracy),
                evaluation: evaluation.clone(),
            };
        }
        RunResult {
            model: current,
            epochs: self.records.len(),
            test_accuracy: last_test_accuracy(&self.records),
            evaluation: self.last_evaluation.clone(),
        }
    }
}
