//! Saliency, Grad-CAM and feature maps on networks whose answer is known to depend on one
//! region of the image.
#![cfg(not(target_arch = "wasm32"))]

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::TensorData;
use kiln::data::{CLASS_NAMES, Normalization};
use kiln::explain::{Explanation, explain_class, first_layer_filters};
use kiln::infer::InferError;
use kiln::model::{Model, ModelConfig};

fn names() -> Vec<String> {
    CLASS_NAMES.iter().map(|s| s.to_string()).collect()
}

/// Explain `image` on the CPU: `class`, or the top class when `None`.
fn explain_on_cpu(
    model: &Model,
    image: &[u8],
    class: Option<usize>,
) -> Result<Explanation, InferError> {
    let device = Device::flex();
    pollster::block_on(explain_class(
        model,
        Normalization::Unit,
        image,
        &names(),
        &device,
        class,
    ))
}

/// A seed network whose logits see only the conv3 features at spatial position (0, 0): the
/// dense layer's weights for every other position are zero. That position's receptive field
/// is the input's top-left 18×18 pixels (3×3 conv, pool 2, 3×3 conv, pool 2, 3×3 conv).
fn top_left_network(device: &Device, seed: u64) -> Model {
    device.seed(seed);
    let Model::Seed(mut seed_cnn) = ModelConfig::new().init(device).unwrap() else {
        unreachable!("the default model is the seed")
    };
    let w = seed_cnn.fc1.weight.val(); // [1024, 64], rows are NCHW-flattened (c, h, w)
    let [rows, cols] = w.dims();
    let keep: Vec<f32> = (0..rows)
        .flat_map(|r| std::iter::repeat_n(if r % 16 == 0 { 1.0 } else { 0.0 }, cols))
        .collect();
    let mask = Tensor::<2>::from_data(TensorData::new(keep, [rows, cols]), device);
    seed_cnn.fc1.weight = Param::from_tensor(w * mask);
    Model::Seed(seed_cnn)
}

/// The seed network with the weights drawn from `seed`, on the CPU.
fn seeded_network(seed: u64) -> Model {
    let device = Device::flex();
    device.seed(seed);
    ModelConfig::new().init(&device).unwrap()
}

fn image(seed: u32) -> Vec<u8> {
    (0..3072u32)
        .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed * 97) >> 24) as u8)
        .collect()
}

#[test]
fn saliency_lies_in_the_region_the_output_depends_on() {
    let device = Device::flex();
    for seed in 1..=3 {
        let model = top_left_network(&device, seed);
        let ex = explain_on_cpu(&model, &image(seed as u32), None).unwrap();
        assert_eq!(ex.saliency.len(), 32 * 32);
        let total: f32 = ex.saliency.iter().sum();
        assert!(total > 0.0, "the map is not blank");
        let inside: f32 = (0..32)
            .flat_map(|y| (0..32).map(move |x| (y, x)))
            .filter(|&(y, x)| y < 18 && x < 18)
            .map(|(y, x)| ex.saliency[y * 32 + x])
            .sum();
        assert!(
            inside / total > 0.999,
            "seed {seed}: {:.4} of the mass lies in the top-left 18×18",
            inside / total
        );
        // Grad-CAM: conv3's spatial size, and never negative.
        assert_eq!(ex.gradcam_side, 4);
        assert_eq!(ex.gradcam.len(), 16);
        assert!(ex.gradcam.iter().all(|&v| v >= 0.0 && v.is_finite()));
    }
}

#[test]
fn explanation_agrees_with_classification_and_has_every_layer() {
    let model = seeded_network(7);
    let img = image(5);
    let ex = explain_on_cpu(&model, &img, None).unwrap();
    let plain = pollster::block_on(kiln::infer::classify(
        &model,
        Normalization::Unit,
        &img,
        &names(),
        &Device::flex(),
    ))
    .unwrap();
    assert_eq!(ex.class, plain[0].class);
    for (a, b) in ex.predictions.iter().zip(&plain) {
        assert_eq!(a.class, b.class);
        assert!((a.probability - b.probability).abs() < 1e-5);
    }
    let shapes: Vec<_> = ex
        .feature_maps
        .iter()
        .map(|f| {
            (
                f.layer.as_str(),
                f.channels,
                f.height,
                f.width,
                f.values.len(),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            ("conv1", 32, 30, 30, 32 * 900),
            ("conv2", 64, 13, 13, 64 * 169),
            ("conv3", 64, 4, 4, 64 * 16)
        ]
    );
    // ReLU activations are never negative.
    assert!(
        ex.feature_maps
            .iter()
            .all(|f| f.values.iter().all(|&v| v >= 0.0))
    );
    let filters = pollster::block_on(first_layer_filters(&model)).unwrap();
    assert_eq!((filters.count, filters.channels, filters.size), (32, 3, 3));
    assert_eq!(filters.values.len(), 32 * 27);
}

#[test]
fn explain_refuses_a_wrong_sized_image() {
    let device = Device::flex();
    let model = ModelConfig::new().init(&device).unwrap();
    let err = explain_on_cpu(&model, &[0u8; 100], None).unwrap_err();
    assert!(
        err.to_string().contains("3072") || err.to_string().contains("bytes"),
        "{err}"
    );
}

#[test]
fn any_class_can_be_explained_and_a_missing_one_is_refused() {
    let model = seeded_network(11);
    let img = image(9);
    let run = |class| explain_on_cpu(&model, &img, class);
    let top = run(None).unwrap();
    let same = run(Some(top.class)).unwrap();
    assert_eq!(same.saliency, top.saliency, "the top class, asked by name");
    let other_class = (top.class + 1) % 10;
    let other = run(Some(other_class)).unwrap();
    assert_eq!(other.class, other_class);
    assert_eq!(other.predictions, top.predictions);
    assert_ne!(other.saliency, top.saliency);
    let err = run(Some(10)).unwrap_err();
    assert!(err.to_string().contains("no class 10"), "{err}");
}
