//! The seed network: exactly the Keras tutorial's size and shapes.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs runs in the browser

use burn::module::Module;
use burn::prelude::*;
use kiln::model::{HiddenActivation, ModelConfig, ModelError};

#[test]
fn seed_network_has_keras_parameter_count_and_logit_shape() {
    let device = Device::flex();
    let model = ModelConfig::new().init(&device).unwrap();
    assert_eq!(model.num_params(), 122_570);
    let logits = model.forward(Tensor::zeros([5, 3, 32, 32], &device));
    assert_eq!(logits.dims(), [5, 10]);
}

#[test]
fn every_parameter_trains_biases_included() {
    use burn::module::{ModuleVisitor, Param};
    use burn::optim::GradientsParams;
    struct Ids(Vec<burn::module::ParamId>);
    impl ModuleVisitor for Ids {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.id);
        }
    }
    let device = Device::flex().autodiff();
    for activation in [HiddenActivation::Relu, HiddenActivation::Sigmoid] {
        let model = ModelConfig::new()
            .with_activation(activation)
            .init(&device)
            .unwrap();
        let images = Tensor::<4>::ones([2, 3, 32, 32], &device);
        let grads = model.forward(images).sum().backward();
        let grads = GradientsParams::from_grads(grads, &model);
        let mut ids = Ids(vec![]);
        model.visit(&mut ids);
        assert_eq!(ids.0.len(), 10, "5 layers × (weight, bias)");
        assert_eq!(
            grads.len(),
            10,
            "parameters with a gradient ({activation:?})"
        );
    }
}

#[test]
fn layer_summary_matches_keras_model_summary() {
    let model = ModelConfig::new().init(&Device::flex()).unwrap();
    let layers = model.layer_summary();
    let shapes: Vec<Vec<usize>> = layers.iter().map(|l| l.output_shape.clone()).collect();
    assert_eq!(
        shapes,
        vec![
            vec![32, 30, 30],
            vec![32, 15, 15],
            vec![64, 13, 13],
            vec![64, 6, 6],
            vec![64, 4, 4],
            vec![1024],
            vec![64],
            vec![10],
        ]
    );
    // Keras' model.summary(): 896, 18496, 36928, 65600, 650.
    let params: Vec<usize> = layers.iter().map(|l| l.params).filter(|&p| p > 0).collect();
    assert_eq!(params, vec![896, 18_496, 36_928, 65_600, 650]);
}

#[test]
fn every_hidden_activation_builds_and_runs() {
    let device = Device::flex();
    for activation in HiddenActivation::ALL {
        let model = ModelConfig::new()
            .with_activation(activation)
            .init(&device)
            .unwrap();
        let out = model.forward(Tensor::ones([2, 3, 32, 32], &device));
        assert_eq!(out.dims(), [2, 10], "{activation:?}");
        assert_eq!(model.num_params(), 122_570);
    }
    assert_eq!(
        "Sigmoid".parse::<HiddenActivation>(),
        Ok(HiddenActivation::Sigmoid)
    );
    assert!("tanhh".parse::<HiddenActivation>().is_err());
}

#[test]
fn unknown_model_name_is_an_error_listing_the_registry() {
    let err = ModelConfig::new()
        .with_name("resnet".into())
        .init(&Device::flex())
        .unwrap_err();
    assert_eq!(err, ModelError::UnknownModel("resnet".into()));
    assert!(err.to_string().contains("seed"));
}

#[test]
fn model_config_travels_as_json() {
    let config = ModelConfig::new().with_activation(HiddenActivation::Linear);
    let json = serde_json::to_string(&config).unwrap();
    assert!(json.contains("\"linear\""), "{json}");
    let back: ModelConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, config);
}
