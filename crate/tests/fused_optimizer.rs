//! Kiln's optimisers update each parameter in one fused operation (`kernels::update`). Trained a
//! few steps from the same weights on the same batches, they must leave the same weights as
//! burn's own optimisers, to float tolerance, for every optimiser a recipe can name. The browser test
//! `tests/e2e/fused.test.mjs` runs the same comparison on WebGPU.
#![cfg(not(target_arch = "wasm32"))]

use burn::prelude::*;
use kiln::train::OptimizerConfig;
use kiln::train::optimizer::check::compare;

const ADAM: OptimizerConfig = OptimizerConfig::Adam {
    beta_1: 0.9,
    beta_2: 0.999,
    epsilon: 1e-7,
};

fn assert_agrees(model: &str, config: OptimizerConfig, lr: f64, weight_decay: f64) {
    let agreement = pollster::block_on(compare(
        &Device::flex(),
        model,
        &config,
        lr,
        weight_decay,
        4,
    ))
    .unwrap();
    println!("{model} {config:?} wd {weight_decay}: {agreement:?}");
    assert!(
        agreement.largest_change > 1e-3,
        "the steps barely moved the weights: {agreement:?}"
    );
    assert!(
        agreement.largest_difference <= 1e-5,
        "the fused {config:?} left weights {} away from burn's",
        agreement.largest_difference
    );
}

/// One test: `compare` builds each network from a seed of the device's random state, which
/// tests running at the same time would draw from in between.
#[test]
fn fused_optimisers_match_burns() {
    assert_agrees("seed", ADAM, 1e-3, 0.0);
    assert_agrees("seed", ADAM, 1e-3, 5e-4);
    assert_agrees("seed", OptimizerConfig::Sgd, 0.05, 5e-4);
    let nesterov = OptimizerConfig::Nesterov { momentum: 0.85 };
    assert_agrees("seed", nesterov, 0.05, 5e-4);
    assert_agrees("airbench", nesterov, 0.05, 5e-4);
}

/// The seed network's ReLU is one fused operation each way (`kernels::relu`); its outputs and
/// gradients are burn's, zeros included.
#[test]
fn fused_relu_matches_burns() {
    let difference =
        pollster::block_on(kiln::kernels::check::relu_difference(&Device::flex())).unwrap();
    assert_eq!(
        difference, 0.0,
        "the fused ReLU differs from burn's by {difference}"
    );
}

/// The loss is one fused operation each way (`kernels::cross_entropy`): its loss, sums and
/// gradient are burn's `CrossEntropyLoss`'s, with and without label smoothing.
#[test]
fn fused_loss_matches_burns() {
    let difference =
        pollster::block_on(kiln::kernels::check::loss_difference(&Device::flex())).unwrap();
    assert!(
        difference <= 1e-5,
        "the fused loss differs from burn's by {difference}"
    );
}
