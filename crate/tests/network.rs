//! The page's drawing of the network: every layer of both networks for one image, and one unit
//! looked inside, whose arithmetic (the terms the engine sends) must give the engine's own
//! value. The images are generated here, not CIFAR-10.
#![cfg(not(target_arch = "wasm32"))]

use burn::module::Param;
use burn::prelude::*;
use kiln::data::Normalization;
use kiln::insight::network::{NetworkView, network_view};
use kiln::insight::unit::{UnitDetail, UnitLookError, UnitQuery, unit};
use kiln::model::{Model, ModelConfig, SeedCnnConfig};

/// A generated image: smooth colour gradients with a bright square.
fn image() -> Vec<u8> {
    let mut chw = vec![0u8; 3072];
    for c in 0..3 {
        for y in 0..32 {
            for x in 0..32 {
                let square = (10..20).contains(&y) && (12..24).contains(&x);
                chw[(c * 32 + y) * 32 + x] = if square {
                    240
                } else {
                    (x * 4 + y * 2 + c * 30) as u8
                };
            }
        }
    }
    chw
}

/// The seed with burn's default initialisation, whose biases are not zero.
fn seed() -> Model {
    let device = Device::flex();
    device.seed(7);
    Model::Seed(SeedCnnConfig::new().with_keras_init(false).init(&device))
}

fn airbench() -> Model {
    let device = Device::flex();
    device.seed(7);
    let Model::Airbench(mut a) = ModelConfig::new()
        .with_name("airbench".into())
        .init(&device)
        .unwrap()
    else {
        unreachable!()
    };
    // Whitening filters and BatchNorm statistics that are not the identity.
    a.whiten.weight = Param::from_tensor(Tensor::random(
        [24, 3, 2, 2],
        burn::tensor::Distribution::Normal(0.0, 0.5),
        &device,
    ));
    Model::Airbench(a)
}

fn view(model: &Model) -> NetworkView {
    pollster::block_on(network_view(
        model,
        Normalization::Unit,
        &image(),
        &Device::flex(),
    ))
    .unwrap()
}

fn look(
    model: &Model,
    layer: &str,
    channel: usize,
    y: usize,
    x: usize,
) -> Result<UnitDetail, UnitLookError> {
    let query = UnitQuery {
        layer: layer.into(),
        channel,
        y,
        x,
    };
    pollster::block_on(unit(
        model,
        Normalization::Unit,
        &image(),
        &query,
        &Device::flex(),
    ))
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-4 * (1.0 + a.abs().max(b.abs()))
}

/// The value the drawing shows for a unit.
fn drawn(view: &NetworkView, layer: &str, c: usize, y: usize, x: usize) -> f32 {
    let l = view.layers.iter().find(|l| l.name == layer).unwrap();
    l.values[(c * l.height + y) * l.width + x]
}

fn apply(activation: &str, z: f32) -> f32 {
    match activation {
        "relu" => z.max(0.0),
        "sigmoid" => 1.0 / (1.0 + (-z).exp()),
        "linear" => z,
        other => panic!("no activation {other} in these tests"),
    }
}

#[test]
fn the_seed_is_drawn_input_to_output_with_its_map_counts() {
    let v = view(&seed());
    let shape: Vec<(&str, &str, usize, usize)> = v
        .layers
        .iter()
        .map(|l| (l.name.as_str(), l.kind.as_str(), l.channels, l.height))
        .collect();
    assert_eq!(
        shape,
        [
            ("input", "input", 3, 32),
            ("conv1", "conv", 32, 30),
            ("pool1", "pool", 32, 15),
            ("conv2", "conv", 64, 13),
            ("pool2", "pool", 64, 6),
            ("conv3", "conv", 64, 4),
            ("fc1", "dense", 64, 1),
            ("fc2", "output", 10, 1),
        ]
    );
    for l in &v.layers {
        assert_eq!(
            l.values.len(),
            l.channels * l.height * l.width,
            "{}",
            l.name
        );
    }
    assert!(close(v.probabilities.iter().sum(), 1.0));
    // The input is the image as the network reads it: x / 255.
    assert!(close(drawn(&v, "input", 0, 12, 15), 240.0 / 255.0));
}

#[test]
fn a_seed_conv_unit_s_arithmetic_gives_the_engine_s_value() {
    let model = seed();
    let v = view(&model);
    for (layer, c, y, x) in [
        ("conv1", 5, 11, 13),
        ("conv2", 40, 0, 12),
        ("conv3", 63, 3, 1),
    ] {
        let UnitDetail::Conv {
            weights,
            patch,
            bias,
            sum,
            activation,
            value,
            channels_in,
            kernel,
            ..
        } = look(&model, layer, c, y, x).unwrap()
        else {
            panic!("{layer} is a convolution")
        };
        assert_eq!(weights.len(), channels_in * kernel * kernel);
        assert_eq!(patch.len(), weights.len());
        let terms: f32 =
            weights.iter().zip(&patch).map(|(w, x)| w * x).sum::<f32>() + bias.unwrap();
        assert!(bias.unwrap() != 0.0);
        assert!(
            close(terms, sum),
            "{layer}: Σ w·x + b = {terms}, the engine's sum {sum}"
        );
        assert!(
            close(apply(&activation, sum), value),
            "{layer}: {activation}({sum}) ≠ {value}"
        );
        assert_eq!(value, drawn(&v, layer, c, y, x), "{layer}: the drawn value");
    }
}

#[test]
fn pooling_dense_and_output_units_show_the_engine_s_numbers() {
    let model = seed();
    let v = view(&model);
    let UnitDetail::Pool {
        size,
        window,
        value,
    } = look(&model, "pool2", 9, 5, 2).unwrap()
    else {
        panic!()
    };
    assert_eq!((size, window.len()), (2, 4));
    assert_eq!(window.iter().copied().fold(f32::MIN, f32::max), value);
    assert_eq!(window[3], drawn(&v, "conv2", 9, 11, 5));
    let UnitDetail::Dense {
        weights,
        inputs,
        bias,
        sum,
        value,
        logits,
        ..
    } = look(&model, "fc1", 17, 0, 0).unwrap()
    else {
        panic!()
    };
    assert_eq!((weights.len(), inputs.len(), logits), (1024, 1024, None));
    let terms: f32 = weights.iter().zip(&inputs).map(|(w, x)| w * x).sum::<f32>() + bias.unwrap();
    assert!(close(terms, sum) && close(sum.max(0.0), value));
    let UnitDetail::Dense {
        logits,
        probabilities,
        value,
        ..
    } = look(&model, "fc2", 3, 0, 0).unwrap()
    else {
        panic!()
    };
    let (logits, probabilities) = (logits.unwrap(), probabilities.unwrap());
    assert_eq!(logits[3], value);
    assert_eq!(probabilities, v.probabilities);
    let softmax = logits[3].exp() / logits.iter().map(|l| l.exp()).sum::<f32>();
    assert!(close(softmax, probabilities[3]));
}

#[test]
fn airbench_is_drawn_block_by_block_and_its_padded_convolutions_add_up() {
    let model = airbench();
    let v = view(&model);
    let main: Vec<(&str, usize, usize)> = v
        .layers
        .iter()
        .filter(|l| l.group.is_none())
        .map(|l| (l.name.as_str(), l.channels, l.height))
        .collect();
    assert_eq!(
        main,
        [
            ("input", 3, 32),
            ("whiten", 24, 31),
            ("block1", 64, 15),
            ("block2", 256, 7),
            ("block3", 256, 3),
            ("pool", 256, 1),
            ("linear", 10, 1)
        ]
    );
    let inner: Vec<&str> = v
        .layers
        .iter()
        .filter(|l| l.group.as_deref() == Some("block2"))
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(
        inner,
        [
            "block2.conv1",
            "block2.pool",
            "block2.norm1",
            "block2.conv2"
        ]
    );
    // A corner unit: half its window lies in the zero padding.
    let UnitDetail::Conv {
        weights,
        patch,
        bias,
        sum,
        value,
        padding,
        ..
    } = look(&model, "block1.conv1", 70 % 64, 0, 30).unwrap()
    else {
        panic!()
    };
    assert_eq!((padding, bias), (1, None));
    let terms: f32 = weights.iter().zip(&patch).map(|(w, x)| w * x).sum();
    assert!(
        close(terms, sum) && sum == value,
        "Σ w·x = {terms}, the engine's {sum}"
    );
    assert_eq!(value, drawn(&v, "block1.conv1", 6, 0, 30));
    let UnitDetail::Dense {
        scale, sum, value, ..
    } = look(&model, "linear", 2, 0, 0).unwrap()
    else {
        panic!()
    };
    assert!(close(sum * scale, value));
}

#[test]
fn a_unit_that_is_not_there_is_refused_by_name() {
    let model = seed();
    let e = look(&model, "conv9", 0, 0, 0).unwrap_err().to_string();
    assert!(e.contains("no layer \"conv9\""), "{e}");
    let e = look(&model, "conv1", 32, 0, 0).unwrap_err().to_string();
    assert!(
        e.contains("conv1 has no unit (32, 0, 0): it is 32×30×30"),
        "{e}"
    );
}
