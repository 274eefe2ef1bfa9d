//! A saved run whose optimiser state does not fit its weights is refused with a message naming
//! the entry, never a panic in burn: burn builds each parameter's state at the rank its
//! `ID.__rank` scalar gives and from the tensors that carry its id (the checkpoint fuzzer found
//! a rank that did not match the tensors; the input is kept in fuzz/seeds/checkpoint).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::Saver;

use burn::prelude::*;
use burn::store::burn_pack::{Reader, Scalar, Tensor as PackTensor, Writer};
use burn::tensor::Bytes;
use kiln::train::{Checkpoint, TrainError, Trainer, TrainingConfig};

/// A run saved after one epoch of Adam: every parameter has its moments and its rank.
fn one_epoch() -> Checkpoint {
    let data = common::noise_data(64, 16, 3);
    let config = TrainingConfig {
        epochs: 1,
        batch_size: 32,
        ..TrainingConfig::default()
    };
    let trainer = Trainer::new(config, &Device::flex(), &data).unwrap();
    let mut saver = Saver::default();
    pollster::block_on(trainer.run(&data, &mut saver))
        .1
        .unwrap();
    saver.saved.pop().unwrap()
}

/// The optimiser state's tensors (name, shape, parameter id) and scalars, to be changed and
/// written back with `write`.
struct State {
    tensors: Vec<PackTensor>,
    scalars: Vec<(String, Scalar)>,
}

fn read(bytes: &[u8]) -> State {
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).unwrap();
    let scalars = reader.scalars().clone().into_iter().collect();
    State {
        tensors: reader.into_tensors().unwrap(),
        scalars,
    }
}

fn write(state: State) -> Vec<u8> {
    let mut writer = Writer::new(state.tensors);
    for (key, value) in state.scalars {
        writer = writer.with_scalar(&key, value);
    }
    writer.into_bytes().unwrap().to_vec()
}

/// Resume `checkpoint` with its optimiser state changed by `change`: the error's message.
fn refusal(checkpoint: &Checkpoint, change: impl FnOnce(&mut State)) -> String {
    let mut state = read(&checkpoint.optimizer);
    change(&mut state);
    let bad = Checkpoint {
        optimizer: write(state),
        ..checkpoint.clone()
    };
    match Trainer::resume(&Device::flex(), &bad) {
        Ok(_) => panic!("a state that does not fit its weights was accepted"),
        Err(e @ TrainError::Checkpoint(_)) => e.to_string(),
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// The id of a parameter of rank `rank`, from the state's `ID.__rank` scalars.
fn param_of_rank(state: &State, rank: u64) -> String {
    state
        .scalars
        .iter()
        .find(|(name, value)| name.ends_with(".__rank") && *value == Scalar::UInt(rank))
        .map(|(name, _)| name.trim_end_matches(".__rank").to_string())
        .unwrap_or_else(|| panic!("no rank-{rank} parameter among {:?}", state.scalars))
}

#[test]
fn an_optimiser_state_that_does_not_fit_its_weights_is_refused() {
    let good = one_epoch();
    let state = read(&good.optimizer);
    let matrix = param_of_rank(&state, 2);
    let bias = param_of_rank(&state, 1);

    // The fuzzer's input: a matrix's state said to be of rank 1.
    let message = refusal(&good, |state| {
        let rank = format!("{matrix}.__rank");
        for (name, value) in &mut state.scalars {
            if *name == rank {
                *value = Scalar::UInt(1);
            }
        }
    });
    assert!(
        message.contains("optimiser state") && message.contains(&format!("{matrix}.__rank")),
        "{message}"
    );

    // A rank burn has no code for.
    let message = refusal(&good, |state| {
        state
            .scalars
            .push((format!("{bias}.__rank"), Scalar::UInt(9)));
    });
    assert!(message.contains(&format!("{bias}.__rank")), "{message}");

    // A bias's moment that carries the matrix's id: without rank scalars, burn takes a
    // parameter's rank from the tensors that carry its id.
    let message = refusal(&good, |state| {
        let moved = state
            .tensors
            .iter()
            .position(|t| t.name.starts_with(&format!("{bias}.")))
            .unwrap();
        let (name, dtype, shape, _, bytes) = state.tensors.remove(moved).into_parts().unwrap();
        let matrix_id = matrix.parse().unwrap();
        state.tensors.push(PackTensor::new(
            name.clone(),
            dtype,
            shape,
            Some(matrix_id),
            bytes,
        ));
    });
    assert!(
        message.contains("not the one it is named after"),
        "{message}"
    );

    // Written back unchanged, the state still resumes.
    let same = Checkpoint {
        optimizer: write(read(&good.optimizer)),
        ..good.clone()
    };
    assert!(Trainer::resume(&Device::flex(), &same).is_ok());
}
