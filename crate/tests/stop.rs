//! Stop is honoured wherever it arrives: a stop asked for during an epoch's evaluation or its
//! save (when no step follows to see it) ends the run after that epoch, cancelled, also after
//! the run's last epoch.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs runs in the browser

mod common;

use burn::prelude::*;
use kiln::train::{Trainer, TrainingConfig, TrainingEvent};

/// Asks for a stop when the evaluation of epoch `at` starts, and never between steps; counts
/// the steps reported after it.
struct StopWhenEvaluating {
    at: usize,
    asked: bool,
    steps_after: usize,
}

impl kiln::train::Observer for StopWhenEvaluating {
    fn event(&mut self, event: &TrainingEvent) {
        match event {
            TrainingEvent::Evaluating { epoch } => self.asked |= *epoch == self.at,
            TrainingEvent::Step { .. } if self.asked => self.steps_after += 1,
            _ => {}
        }
    }
    fn stop_requested(&self) -> bool {
        self.asked
    }
}

fn run(epochs: usize, stop_at: usize) -> (Trainer, kiln::train::TrainingSummary, usize) {
    let data = common::noise_data(32, 16, 5);
    let config = TrainingConfig {
        epochs,
        batch_size: 16,
        ..TrainingConfig::default()
    };
    let trainer = Trainer::new(config, &Device::flex(), &data).unwrap();
    let mut observer = StopWhenEvaluating {
        at: stop_at,
        asked: false,
        steps_after: 0,
    };
    let (trainer, summary) = pollster::block_on(trainer.run(&data, &mut observer));
    (trainer, summary.unwrap(), observer.steps_after)
}

#[test]
fn a_stop_during_the_last_epoch_s_evaluation_ends_the_run_cancelled() {
    let (trainer, summary, _) = run(1, 0);
    assert!(summary.cancelled, "{summary:?}");
    assert_eq!(
        trainer.history.epochs_done(),
        1,
        "the evaluated epoch is kept"
    );
}

#[test]
fn a_stop_during_an_earlier_epoch_s_evaluation_ends_the_run_after_that_epoch() {
    let (trainer, summary, steps_after) = run(3, 0);
    assert!(summary.cancelled, "{summary:?}");
    assert_eq!(trainer.history.epochs_done(), 1);
    assert_eq!(steps_after, 0, "the next epoch started after the stop");
}
