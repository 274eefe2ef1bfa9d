//! The look inside the network the page's learning panels show (`kiln::insight`): gradient
//! and update norms per layer, and how each convolution's activations are spread.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use kiln::data::{Batcher, Normalization};
use kiln::insight::{Before, Insight, look};
use kiln::model::{HiddenActivation, Model, ModelConfig};

fn model(activation: HiddenActivation) -> Model {
    let device = Device::flex();
    device.seed(7);
    ModelConfig::new()
        .with_activation(activation)
        .init(&device)
        .unwrap()
}

fn look_at(model: &Model, activation: HiddenActivation, before: &mut Before) -> Insight {
    let data = common::noise_data(16, 0, 3);
    let indices: Vec<usize> = (0..16).collect();
    let device = Device::flex().autodiff();
    let batch = Batcher::new(Normalization::Unit, device).batch(&data.train, &indices);
    pollster::block_on(look(model, activation, batch, before)).unwrap()
}

#[test]
fn every_layer_has_a_gradient_and_the_update_is_measured_from_the_second_look_on() {
    let mut before = Before::new();
    let relu = model(HiddenActivation::Relu);
    let first = look_at(&relu, HiddenActivation::Relu, &mut before);
    assert_eq!(first.images, 16);
    assert!(first.loss.is_finite() && first.loss > 0.0);
    let names: Vec<&str> = first.layers.iter().map(|l| l.layer.as_str()).collect();
    assert!(names.starts_with(&["conv1", "conv2", "conv3"]), "{names:?}");
    for layer in &first.layers {
        assert!(
            layer.gradient_norm > 0.0 && layer.gradient_norm.is_finite(),
            "{layer:?}"
        );
        assert!(layer.weight_norm > 0.0, "{layer:?}");
        assert_eq!(layer.update_norm, None, "no earlier look: {layer:?}");
    }
    // The same weights again: they did not move.
    let second = look_at(&relu, HiddenActivation::Relu, &mut before);
    for layer in &second.layers {
        assert_eq!(layer.update_norm, Some(0.0), "{layer:?}");
    }
}

#[test]
fn relu_units_can_be_dead_and_sigmoid_units_never_give_zero_but_saturate() {
    let relu = look_at(
        &model(HiddenActivation::Relu),
        HiddenActivation::Relu,
        &mut Before::new(),
    );
    let sigmoid = look_at(
        &model(HiddenActivation::Sigmoid),
        HiddenActivation::Sigmoid,
        &mut Before::new(),
    );
    assert_eq!(relu.activations.len(), 3);
    for (r, s) in relu.activations.iter().zip(&sigmoid.activations) {
        assert!(r.zero_share > 0.0 && r.zero_share < 1.0, "{r:?}");
        assert_eq!(r.min, 0.0);
        assert_eq!(s.zero_share, 0.0, "{s:?}");
        assert!(s.min > 0.0 && s.max < 1.0, "{s:?}");
        assert_eq!(r.saturated_share, None, "ReLU has no flat tails: {r:?}");
        assert!(
            s.saturated_share.is_some_and(|x| (0.0..=1.0).contains(&x)),
            "{s:?}"
        );
        assert!(s.histogram.iter().sum::<u32>() > 0);
    }
}
