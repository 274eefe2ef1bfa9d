//! Resuming saved runs over and over, refused or not, without training them, holds memory
//! steady. burn-autodiff keeps a record of every parameter made trainable until a backward pass
//! runs: a resume that made its model trainable would leave about 24 kB behind, and the
//! checkpoint fuzzer, which resumes a hundred checkpoints a second and never trains, would grow
//! past its 2 GB limit (docs/robustness.md).
//!
//! The memory is the process's resident set (Linux), so this file holds a single test: tests
//! run in parallel threads of one process, and another test's allocations would be counted.
#![cfg(target_os = "linux")]

mod common;

use burn::prelude::*;
use kiln::train::{Checkpoint, Trainer, TrainingConfig};

/// Resumes measured: resumes that left their records behind would grow the process by about
/// 24 kB each, 7 MB in all.
const RESUMES: usize = 300;
/// What the process may grow by over those resumes: allocator noise, a fraction of the leak.
const ALLOWED_GROWTH_KB: u64 = 2048;

fn resident_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// A saved run as the page keeps it, taken from a fresh trainer before its first step.
fn saved_run() -> Checkpoint {
    let data = common::noise_data(64, 16, 1);
    let trainer = Trainer::new(TrainingConfig::default(), &Device::flex(), &data).unwrap();
    pollster::block_on(trainer.checkpoint("noise")).unwrap()
}

#[test]
fn resuming_saved_runs_again_and_again_does_not_grow_memory() {
    let valid = saved_run();
    // Refused after the weights were read: the optimiser state is not burn's record.
    let broken = Checkpoint {
        optimizer: b"not an optimiser state".to_vec(),
        ..valid.clone()
    };
    let resume = |checkpoint: &Checkpoint| Trainer::resume(&Device::flex(), checkpoint);
    // The allocator's pools and burn's caches fill on the first resumes.
    for _ in 0..20 {
        resume(&valid).unwrap();
        assert!(resume(&broken).is_err());
    }
    let before = resident_kb();
    for _ in 0..RESUMES / 2 {
        resume(&valid).unwrap();
        assert!(resume(&broken).is_err());
    }
    let grown = resident_kb().saturating_sub(before);
    eprintln!("{RESUMES} resumes grew the process by {grown} kB");
    assert!(
        grown <= ALLOWED_GROWTH_KB,
        "{RESUMES} resumes, half of them refused, grew the process by {grown} kB \
         (at most {ALLOWED_GROWTH_KB} kB allowed): something each resume makes outlives it"
    );
}
