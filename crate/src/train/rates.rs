//! The learning rate of each step of a run: burn's scheduler for the run's schedule
//! (`Schedule::scheduler`), built when the run starts, and its state, saved with the run.

use burn::lr_scheduler::LrSchedulerRecord;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::tensor::Bytes;

use crate::train::config::TrainingConfig;

/// The saved state's keys: the run's length in steps, and burn's record of its scheduler.
const TOTAL: &str = "total_steps";
const SCHEDULER: &str = "scheduler";

/// The rate of each step of the run being trained, from burn's scheduler, and its state for a
/// saved run.
#[derive(Clone, Default)]
pub struct Rates {
    /// Built by `start` for the run's length, and that length in steps.
    scheduler: Option<(ModuleLrScheduler, usize)>,
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
    /// are trained: burn's scheduler stepped `done` times, and where a saved state of a run of
    /// the same length was given, that state, which must give the same next rate. A run made
    /// longer (more epochs) has a schedule of another length (a cosine over more steps): it goes
    /// on along that one from the step count.
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
        let saved = (self.saved.take()).filter(|s| s.scalar::<u64>(TOTAL) == Some(total as u64));
        if let Some(saved) = saved {
            let loaded = scheduler.clone().load_record(saved.record(SCHEDULER));
            let next = |s: &ModuleLrScheduler| s.clone().step().base();
            if next(&loaded) != next(&scheduler) {
                return Err(format!(
                    "the saved {} schedule's state is not that of step {done}",
                    schedule.name()
                ));
            }
            scheduler = loaded;
        }
        self.scheduler = Some((scheduler, total));
        Ok(())
    }

    /// The learning rate of the next step.
    pub fn next_rate(&mut self) -> f64 {
        let (scheduler, _) = (self.scheduler.as_mut()).expect("`start` builds the scheduler first");
        scheduler.step().base()
    }

    /// The scheduler's state as burn records it, with the run's length (burnpack bytes); `None`
    /// before the first run.
    pub fn state(&self) -> Option<Vec<u8>> {
        let record = match (&self.scheduler, &self.saved) {
            (Some((scheduler, total)), _) => LrSchedulerRecord::new()
                .with_scalar(TOTAL, *total as u64)
                .with_record(SCHEDULER, scheduler.to_record()),
            (None, Some(saved)) => saved.clone(),
            (None, None) => return None,
        };
        let bytes = record
            .into_bytes()
            .expect("a record of scalars writes to memory");
        Some(bytes.to_vec())
    }
}
