//! Resuming a saved run from arbitrary bytes: the checkpoint the browser keeps in IndexedDB
//! (weights, optimiser state, the best epoch's weights, the schedule's state), through
//! `Trainer::resume`.
//!
//! Input: `[flags][u32 LE weights length][weights][u32 LE optimiser length][optimiser][best]`,
//! where a set bit 0 of `flags` means the rest is the best epoch's weights, and bits 1-2 give
//! the number of finished epochs in the history; with bit 3 the rest is also the learning-rate
//! schedule's state.
#![no_main]

use burn::prelude::Device;
use kiln::train::{Checkpoint, EpochRecord, Metrics, Trainer, TrainingConfig};
use libfuzzer_sys::fuzz_target;

fn take<'a>(data: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, rest) = data.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_le_bytes(*len))
        .ok()?
        .min(rest.len());
    let (part, rest) = rest.split_at(len);
    *data = rest;
    Some(part)
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let (Some(weights), Some(optimizer)) = (take(&mut rest), take(&mut rest)) else {
        return;
    };
    let metrics = Metrics {
        loss: 1.0,
        accuracy: 0.5,
        images: 100,
    };
    let history = (0..usize::from(flags >> 1 & 3))
        .map(|epoch| EpochRecord {
            epoch,
            train: metrics.clone(),
            test: Some(metrics.clone()),
        })
        .collect();
    let checkpoint = Checkpoint {
        config: TrainingConfig::default(),
        history,
        weights: weights.to_vec(),
        optimizer: optimizer.to_vec(),
        best_weights: (flags & 1 == 1).then(|| rest.to_vec()),
        average: (flags & 2 == 2).then(|| rest.to_vec()),
        schedule: (flags & 8 == 8).then(|| rest.to_vec()),
    };
    let _ = Trainer::resume(&Device::flex(), &checkpoint);
});
