//! The learning rate of each step of a run: burn's scheduler for the run's schedule
//! (`Schedule::scheduler`), built when the run starts, and its state, saved with the run.

use burn::lr_scheduler::LrSchedulerRecord;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::tensor::Bytes;

use crate::train::config::TrainingConfig;

/// The rate of each step of the run being trained, from burn's scheduler, and its state for a
/// saved run.
#[derive(Clone, Default)]
pub struct Rates {
    /// Built by `start` for the run's length.
    scheduler: Option<ModuleLrScheduler>,
    /// A saved run's scheduler state, until `start`.
    saved: Option<LrSchedulerRecord>,
}

impl Rates {
    /// Rates that continue from a saved run's scheduler state (burnpack bytes, see
    /// [`Rates::state`]); none saved: from the step count alone.
    pub fn restored(state: Option<&[u8]>) -> Result<Self, String> {
        let saved = state
            .map(|bytes| LrSchedulerRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())))
            .transpose()
            .map_err(|e| format!("the learning-rate schedule's state is unreadable: {e}"))?;
        Ok(Self {
            scheduler: None,
            saved,
        })
    }

    /// Build the scheduler for a run of `total` steps, `per_epoch` an epoch, of which `done`
    /// are trained: burn's scheduler stepped `done` times, and where a saved state was given,
    /// that state, which must give the same next rate.
    pub fn start(
        &mut self,
        config: &TrainingConfig,
        per_epoch: usize,
        total: usize,
        done: usize,
    ) -> Result<(), String> {
        let schedule = config.recipe.schedule;
        let mut scheduler = schedule.scheduler(config.learning_rate, per_epoch, total);
        for _ in 0..done {
            scheduler.step();
        }
        if let Some(saved) = self.saved.take() {
            let loaded = scheduler.clone().load_record(saved);
            let next = |s: &ModuleLrScheduler| s.clone().step().base();
            if next(&loaded) != next(&scheduler) {
                return Err(format!(
                    "the saved {} schedule's state is not that of step {done}",
                    schedule.name()
                ));
            }
            scheduler = loaded;
        }
        self.scheduler = Some(scheduler);
        Ok(())
    }

    /// The learning rate of the next step.
    pub fn next_rate(&mut self) -> f64 {
        let scheduler = self
            .scheduler
            .as_mut()
            .expect("`start` builds the scheduler first");
        scheduler.step().base()
    }

    /// The scheduler's state as burn records it (burnpack bytes); `None` before the first run.
    pub fn state(&self) -> Option<Vec<u8>> {
        let record = match (&self.scheduler, &self.saved) {
            (Some(scheduler), _) => scheduler.to_record(),
            (None, Some(saved)) => saved.clone(),
            (None, None) => return None,
        };
        let bytes = record
            .into_bytes()
            .expect("a record of scalars writes to memory");
        Some(bytes.to_vec())
    }
}
