//! Learning-rate schedules: the rate each step reports is the schedule's, by its formula
//! (written out here, not taken from burn), and a run saved mid-schedule continues with the
//! same rates to the same weights. On generated images (`Split::noise`): these runs need to
//! happen, not to learn.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::Saver;

use std::f64::consts::PI;

use burn::prelude::*;
use kiln::model::ModelConfig;
use kiln::train::{OptimizerConfig, Schedule, Trainer, TrainingConfig, TrainingEvent, parse_form};
use kiln::transfer::read_parameters;

/// 20 generated images in batches of 4: 5 steps an epoch, 15 in a run of 3 epochs.
const IMAGES: usize = 20;
const BATCH: usize = 4;
const PER_EPOCH: usize = IMAGES / BATCH;
const EPOCHS: usize = 3;
const TOTAL: usize = PER_EPOCH * EPOCHS;
const RATE: f64 = 0.02;

fn config(schedule: Schedule) -> TrainingConfig {
    let mut config = TrainingConfig {
        epochs: EPOCHS,
        batch_size: BATCH,
        learning_rate: RATE,
        optimizer: OptimizerConfig::Sgd,
        seed: 5,
        test_limit: Some(0),
        // A report after every step, so that every step's rate is seen.
        report_every_seconds: 0.0,
        ..TrainingConfig::default()
    };
    config.recipe.schedule = schedule;
    config
}

/// Each schedule's rate at step `t` (0-based) of `TOTAL`, from its definition.
fn expected(schedule: Schedule, t: usize) -> f64 {
    expected_of(schedule, t, TOTAL)
}

/// Each schedule's rate at step `t` (0-based) of `total`, from its definition.
fn expected_of(schedule: Schedule, t: usize, total: usize) -> f64 {
    let (t, total, per_epoch) = (t as f64, total as f64, PER_EPOCH as f64);
    let factor = match schedule {
        Schedule::Constant => 1.0,
        Schedule::Step { epochs, gamma } => gamma.powf((t / (epochs as f64 * per_epoch)).floor()),
        Schedule::Exponential { epochs, gamma } => gamma.powf(t / (epochs as f64 * per_epoch)),
        Schedule::Cosine => 0.5 * (1.0 + (PI * t / total).cos()),
        Schedule::WarmupCosine { warmup } => {
            let w = (warmup * total).floor();
            if t < w {
                (t + 1.0) / (w + 1.0)
            } else {
                0.5 * (1.0 + (PI * (t - w) / (total - w)).cos())
            }
        }
        // airbench94's: 0.2 → 1 over the first 23% of the steps, then down to 0.07.
        Schedule::Triangular { .. } => {
            let w = (0.23 * total).floor();
            if t < w {
                0.2 + 0.8 * t / w
            } else {
                1.0 - 0.93 * (t - w) / (total - w)
            }
        }
    };
    RATE * factor
}

/// The rate reported for each step, by its index in the run, and the final weights.
#[derive(Default)]
struct Rates {
    reported: Vec<(usize, f32)>,
}

impl Rates {
    fn see(&mut self, event: &TrainingEvent) {
        if let TrainingEvent::Step {
            epoch,
            step,
            steps_per_epoch,
            learning_rate,
            ..
        } = event
        {
            self.reported
                .push((epoch * steps_per_epoch + step - 1, *learning_rate));
        }
    }
}

/// The rates reported in `events`.
fn rates_of(events: &[TrainingEvent]) -> Rates {
    let mut rates = Rates::default();
    for event in events {
        rates.see(event);
    }
    rates
}

fn schedules() -> [Schedule; 6] {
    [
        Schedule::Constant,
        Schedule::Step {
            epochs: 1,
            gamma: 0.5,
        },
        Schedule::Exponential {
            epochs: 2,
            gamma: 0.25,
        },
        Schedule::Cosine,
        Schedule::WarmupCosine { warmup: 0.3 },
        Schedule::AIRBENCH,
    ]
}

fn assert_rate(schedule: Schedule, t: usize, reported: f32) {
    assert_rate_of(schedule, t, TOTAL, reported);
}

fn assert_rate_of(schedule: Schedule, t: usize, total: usize, reported: f32) {
    let want = expected_of(schedule, t, total) as f32;
    assert!(
        (reported - want).abs() <= 1e-6 * want.abs(),
        "{schedule:?}, step {t}: reported {reported}, the formula gives {want}"
    );
}

#[test]
fn each_schedule_reports_its_formula_s_rate_at_every_step() {
    let data = common::noise_data(IMAGES, 4, 3);
    let device = Device::flex();
    let start = ModelConfig::new().init(&device).unwrap();
    for schedule in schedules() {
        let trainer = Trainer::from_model(config(schedule), &device, &data, start.clone()).unwrap();
        let mut rates = Rates::default();
        let (_, result) =
            pollster::block_on(trainer.run(&data, &mut |e: &TrainingEvent| rates.see(e)));
        result.unwrap();
        let steps: Vec<usize> = rates.reported.iter().map(|r| r.0).collect();
        assert_eq!(
            steps,
            (0..TOTAL).collect::<Vec<_>>(),
            "{schedule:?}: a report per step"
        );
        for &(t, rate) in &rates.reported {
            assert_rate(schedule, t, rate);
        }
    }
    // The schedules are told apart: no two give the same rates.
    let curves: Vec<Vec<u64>> = schedules()
        .iter()
        .map(|&s| (0..TOTAL).map(|t| expected(s, t).to_bits()).collect())
        .collect();
    for (i, a) in curves.iter().enumerate() {
        assert!(curves[i + 1..].iter().all(|b| b != a));
    }
}

#[test]
fn the_form_names_each_schedule_and_its_parameters() {
    let form = |pairs: &[(&str, &str)]| {
        let map = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_form(&map)
    };
    let schedule = |pairs: &[(&str, &str)]| form(pairs).unwrap().recipe.schedule;
    assert_eq!(schedule(&[]), Schedule::Constant, "the seed's recipe");
    assert_eq!(
        schedule(&[("model", "airbench")]),
        Schedule::AIRBENCH,
        "airbench's recipe"
    );
    assert_eq!(
        schedule(&[("model", "airbench"), ("lr_schedule", "cosine")]),
        Schedule::Cosine
    );
    assert_eq!(
        schedule(&[
            ("lr_schedule", "step"),
            ("lr_decay", "0.1"),
            ("lr_decay_epochs", "5")
        ]),
        Schedule::Step {
            epochs: 5,
            gamma: 0.1
        }
    );
    assert_eq!(
        schedule(&[("lr_schedule", "exponential")]),
        Schedule::Exponential {
            epochs: 3,
            gamma: 0.5
        }
    );
    assert_eq!(
        schedule(&[("lr_schedule", "warmup_cosine"), ("lr_warmup", "0.2")]),
        Schedule::WarmupCosine { warmup: 0.2 }
    );
    // A parameter the schedule does not use is not read, so not refused.
    assert_eq!(
        schedule(&[("lr_schedule", "cosine"), ("lr_decay", "7")]),
        Schedule::Cosine
    );
    let refused = |pairs: &[(&str, &str)]| {
        let errors = form(pairs).unwrap_err();
        errors.iter().map(|e| e.field).collect::<Vec<_>>()
    };
    assert_eq!(refused(&[("lr_schedule", "wavy")]), ["lr_schedule"]);
    assert_eq!(
        refused(&[
            ("lr_schedule", "step"),
            ("lr_decay", "1.5"),
            ("lr_decay_epochs", "0")
        ]),
        ["lr_decay", "lr_decay_epochs"]
    );
    assert_eq!(
        refused(&[("lr_schedule", "warmup_cosine"), ("lr_warmup", "1")]),
        ["lr_warmup"]
    );
    // A config's own values are checked too (the CLI's and a saved run's).
    let bad = config(Schedule::Step {
        epochs: 1,
        gamma: 0.0,
    });
    assert_eq!(bad.validate().unwrap_err().0[0].field, "lr_decay");
}

fn parameters(trainer: &Trainer) -> Vec<f32> {
    pollster::block_on(read_parameters(&trainer.model()))
        .unwrap()
        .values
}

#[test]
fn a_run_resumed_mid_schedule_goes_on_with_the_same_rates_to_the_same_weights() {
    let data = common::noise_data(IMAGES, 4, 9);
    let device = Device::flex();
    let start = ModelConfig::new().init(&device).unwrap();
    // Warm-up then cosine: burn's sequential scheduler, a line then a cosine, each with state;
    // the warm-up ends in the first epoch, so the resume falls in the cosine.
    let schedule = Schedule::WarmupCosine { warmup: 0.2 };
    let run = |observer: &mut Saver| {
        let trainer = Trainer::from_model(config(schedule), &device, &data, start.clone()).unwrap();
        pollster::block_on(trainer.run(&data, observer))
    };
    let mut straight = Saver::stopping_after(EPOCHS);
    let (straight_trainer, result) = run(&mut straight);
    result.unwrap();

    // Stopped after epoch 1 of 3, then continued from its checkpoint.
    let mut first = Saver::stopping_after(1);
    let (_, result) = run(&mut first);
    assert!(result.unwrap().cancelled);
    let checkpoint = first.saved.pop().unwrap();
    assert_eq!(checkpoint.epochs_done(), 1);
    assert!(
        checkpoint.schedule.is_some(),
        "the scheduler's state is saved"
    );
    let mut resumed = Saver::stopping_after(EPOCHS);
    let trainer = Trainer::resume(&device, &checkpoint).unwrap();
    let (resumed_trainer, result) = pollster::block_on(trainer.run(&data, &mut resumed));
    result.unwrap();

    let after: Vec<_> = rates_of(&straight.events).reported[PER_EPOCH..].to_vec();
    assert_eq!(
        rates_of(&resumed.events).reported,
        after,
        "the same steps at the same rates"
    );
    for &(t, rate) in &rates_of(&resumed.events).reported {
        assert_rate(schedule, t, rate);
    }
    let (a, b) = (parameters(&resumed_trainer), parameters(&straight_trainer));
    let diff = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    assert!(diff < 1e-6, "the resumed run drifted by {diff}");

    // A checkpoint saved without the schedule's state continues from the step count, the same.
    let mut older = checkpoint.clone();
    older.schedule = None;
    let trainer = Trainer::resume(&device, &older).unwrap();
    let mut rates = Rates::default();
    let (_, result) = pollster::block_on(trainer.run(&data, &mut |e: &TrainingEvent| rates.see(e)));
    result.unwrap();
    assert_eq!(rates.reported, after);

    // The same run trained for longer (the page's "train more"): the schedule is that of the
    // longer run, from the step count, whatever state the shorter one saved.
    let mut longer = checkpoint.clone();
    longer.config.epochs = EPOCHS + 1;
    let trainer = Trainer::resume(&device, &longer).unwrap();
    let mut rates = Rates::default();
    let (_, result) = pollster::block_on(trainer.run(&data, &mut |e: &TrainingEvent| rates.see(e)));
    result.unwrap();
    assert_eq!(rates.reported.len(), EPOCHS * PER_EPOCH);
    for &(t, rate) in &rates.reported {
        assert_rate_of(schedule, t, TOTAL + PER_EPOCH, rate);
    }

    // A state from another step is refused, naming the schedule.
    let mut wrong = checkpoint.clone();
    wrong.schedule = first_state(&data, &device, schedule);
    let trainer = Trainer::resume(&device, &wrong).unwrap();
    let (_, result) = pollster::block_on(trainer.run(&data, &mut |_: &TrainingEvent| {}));
    let error = result.unwrap_err().to_string();
    assert!(error.contains("warmup_cosine schedule"), "{error}");
}

/// The scheduler's state of a run stopped before its first step.
fn first_state(data: &kiln::data::Cifar10, device: &Device, schedule: Schedule) -> Option<Vec<u8>> {
    let trainer = Trainer::new(config(schedule), device, data).unwrap();
    let (trainer, _) = pollster::block_on(trainer.run(data, &mut common::StopAfter(0)));
    pollster::block_on(trainer.checkpoint("noise"))
        .unwrap()
        .schedule
}
