//! The look inside the network the page's learning panels show (`kiln::insight`): gradient
//! and update norms per layer, and how each hidden layer's outputs are spread, in a look at the
//! weights in use and in the looks that progress reports carry while training.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::rc::Rc;

use burn::prelude::*;
use kiln::data::{Batcher, Normalization};
use kiln::insight::network::{NetworkView, network_view};
use kiln::insight::{Before, Insight, look};
use kiln::model::{HiddenActivation, Model, ModelConfig};
use kiln::train::{Trainer, TrainingConfig, TrainingEvent};

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
    assert_eq!(relu.activations.len(), 4, "three convolutions and fc1");
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

/// Watches the learning panels' way: every report may carry a look.
#[derive(Default)]
struct Watching {
    looks: Vec<Insight>,
    reports: usize,
}

impl kiln::train::Observer for Watching {
    fn event(&mut self, event: &TrainingEvent) {
        if let TrainingEvent::Step { insight, .. } = event {
            self.reports += 1;
            self.looks.extend(insight.clone());
        }
    }
    fn watching(&self) -> bool {
        true
    }
}

/// Draws the page's way: the drawing is on screen, showing `picture`.
struct Drawing {
    picture: Vec<u8>,
    drawn: Vec<NetworkView>,
}

impl kiln::train::Observer for Drawing {
    fn event(&mut self, event: &TrainingEvent) {
        if let TrainingEvent::Step { network, .. } = event {
            self.drawn.extend(network.clone());
        }
    }
    fn drawing(&self) -> Option<Rc<[u8]>> {
        Some(Rc::from(&self.picture[..]))
    }
}

fn train(model: &str, observer: &mut impl kiln::train::Observer) -> Trainer {
    train_on(48, model, observer)
}

fn train_on(images: usize, model: &str, observer: &mut impl kiln::train::Observer) -> Trainer {
    let data = common::noise_data(images, 0, 11);
    let config = TrainingConfig {
        epochs: 1,
        batch_size: 16,
        report_every_seconds: 0.0,
        model: ModelConfig::new().with_name(model.to_string()),
        ..TrainingConfig::default()
    };
    let trainer = Trainer::new(config, &Device::flex(), &data).unwrap();
    let (trainer, summary) = pollster::block_on(trainer.run(&data, observer));
    summary.unwrap();
    trainer
}

#[test]
fn while_training_a_report_carries_the_step_s_own_look_and_watching_changes_nothing() {
    let mut watching = Watching::default();
    let watched = train("seed", &mut watching);
    assert!(watching.reports >= 3, "a report per step");
    // The first step is looked at; the next look waits for `WATCH_EVERY_SECONDS`.
    let look = watching.looks.first().expect("a report carries a look");
    assert_eq!(look.images, 16, "measured on the step's batch");
    let layers: Vec<&str> = look.layers.iter().map(|l| l.layer.as_str()).collect();
    assert_eq!(layers, ["conv1", "conv2", "conv3", "fc1", "fc2"]);
    for layer in &look.layers {
        assert!(layer.gradient_norm > 0.0, "{layer:?}");
        // The step's own update, not the change since an earlier look.
        assert!(layer.update_norm.is_some_and(|u| u > 0.0), "{layer:?}");
    }
    let hidden: Vec<&str> = look.activations.iter().map(|a| a.layer.as_str()).collect();
    assert_eq!(
        hidden,
        ["conv1", "conv2", "conv3", "fc1"],
        "fc1 is a hidden layer too"
    );
    for a in &look.activations {
        assert!(a.zero_share > 0.0 && a.zero_share < 1.0, "{a:?}");
        assert!(a.histogram.iter().sum::<u32>() > 0, "{a:?}");
    }
    // Looking trains the same network: the weights match a run nobody watched, bit for bit.
    let unwatched = train("seed", &mut |_: &TrainingEvent| {});
    let (a, b) = (weights(&watched), weights(&unwatched));
    assert_eq!(a, b, "watching changed the training");
}

#[test]
fn while_training_a_report_carries_the_network_drawn_for_the_page_s_picture() {
    // One step of 16 images: the report it ends with is the run's only one.
    let data = common::noise_data(1, 0, 5);
    let mut drawing = Drawing {
        picture: data.train.image(0).to_vec(),
        drawn: Vec::new(),
    };
    let trainer = train_on(16, "seed", &mut drawing);
    assert_eq!(
        drawing.drawn.len(),
        1,
        "the step's report carries the drawing"
    );
    let during = &drawing.drawn[0];
    // Drawn with the weights after the step: what the page asks for once the run has ended.
    let after = pollster::block_on(network_view(
        &trainer.model(),
        trainer.normalization(),
        data.train.image(0),
        &Device::flex(),
    ))
    .unwrap();
    assert_eq!(during, &after);
    let names: Vec<&str> = during.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "input", "conv1", "pool1", "conv2", "pool2", "conv3", "fc1", "fc2"
        ]
    );
    // Drawing trains the same network: the weights match a run nobody drew, bit for bit.
    let undrawn = train_on(16, "seed", &mut |_: &TrainingEvent| {});
    assert_eq!(
        weights(&trainer),
        weights(&undrawn),
        "drawing changed the training"
    );
}

#[test]
fn airbench_s_look_names_its_blocks() {
    let mut watching = Watching::default();
    train("airbench", &mut watching);
    let look = watching.looks.first().expect("a report carries a look");
    let hidden: Vec<&str> = look.activations.iter().map(|a| a.layer.as_str()).collect();
    assert_eq!(hidden, ["whiten", "block1", "block2", "block3"]);
    let layers: Vec<&str> = look.layers.iter().map(|l| l.layer.as_str()).collect();
    assert!(
        layers.contains(&"block1.conv1") && layers.contains(&"block2.conv1"),
        "{layers:?}"
    );
}

fn weights(trainer: &Trainer) -> Vec<f32> {
    let layers = kiln::insight::measure::weights(&trainer.model());
    let all = Tensor::cat(layers.into_iter().map(|(_, w)| w).collect(), 0);
    let data = pollster::block_on(all.into_data_async()).unwrap();
    data.try_to_vec::<f32>().unwrap()
}
