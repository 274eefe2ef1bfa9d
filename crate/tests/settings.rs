//! The settings as the page and the CLI see them: declared defaults, strict parsing of a form's
//! text, and every refusal named by its key.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use kiln::train::field::Problem;
use kiln::train::settings::{self, PAGE};
use kiln::train::{FieldError, TrainingConfig, parse_form};

fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The page's form as it opens: every field at its declared default.
fn defaults_form() -> HashMap<String, String> {
    PAGE.iter()
        .map(|s| {
            let d = s.describe();
            let text = serde_json::to_value(&d.default).unwrap();
            let text = match text {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (d.key.to_string(), text)
        })
        .collect()
}

fn refused(pairs: &[(&str, &str)]) -> Vec<FieldError> {
    parse_form(&form(pairs)).expect_err("refused")
}

#[test]
fn the_default_form_is_the_default_config() {
    assert_eq!(
        parse_form(&defaults_form()).unwrap(),
        TrainingConfig::default()
    );
    assert_eq!(
        parse_form(&HashMap::new()).unwrap(),
        TrainingConfig::default()
    );
    let config = TrainingConfig::default();
    assert_eq!((config.epochs, config.batch_size), (10, 32));
    assert_eq!(config.learning_rate, 1e-3);
    assert!(config.validate().is_ok());
}

#[test]
fn the_page_gets_the_contract_keys_with_their_limits() {
    let keys: Vec<_> = PAGE.iter().map(|s| s.key()).collect();
    assert_eq!(
        keys,
        [
            "model",
            "activation",
            "epochs",
            "batch_size",
            "learning_rate",
            "lr_schedule",
            "lr_decay",
            "lr_decay_epochs",
            "lr_warmup",
            "optimizer",
            "weight_decay",
            "augment",
            "framing",
            "early_stopping",
            "patience",
            "train_limit"
        ]
    );
    let json = serde_json::to_value(PAGE.map(|s| s.describe())).unwrap();
    assert_eq!(json[2]["kind"], "int");
    assert_eq!(json[2]["default"], 10);
    assert_eq!(json[2]["max"], 1000.0);
    assert_eq!(json[4]["min_exclusive"], true);
    assert_eq!(
        json[5]["choices"],
        serde_json::json!([
            "constant",
            "step",
            "exponential",
            "cosine",
            "warmup_cosine",
            "triangular"
        ])
    );
    assert_eq!(json[5]["default"], "constant");
    assert_eq!(
        json[9]["choices"],
        serde_json::json!(["adam", "sgd", "nesterov"])
    );
    assert_eq!(json[11]["kind"], "bool");
    assert_eq!(json[12]["kind"], "bool");
    assert_eq!(json[12]["default"], false);
    assert_eq!(json[15]["default"], serde_json::Value::Null);
}

#[test]
fn form_text_is_parsed_strictly_and_each_refusal_names_its_key() {
    let one = |key: &str, text: &str| {
        let errors = refused(&[(key, text)]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, key);
        assert!(errors[0].to_string().contains(key), "{}", errors[0]);
        errors[0].problem.clone()
    };
    assert_eq!(one("epochs", "1.5"), Problem::NotWhole);
    assert_eq!(
        one("epochs", "1001"),
        Problem::OutOfRange {
            min: 1.0,
            max: 1000.0
        }
    );
    assert_eq!(one("learning_rate", "abc"), Problem::NotNumber);
    assert!(matches!(
        one("learning_rate", "-0.1"),
        Problem::OutOfOpenRange { .. }
    ));
    assert!(matches!(
        one("learning_rate", "0"),
        Problem::OutOfOpenRange { .. }
    ));
    assert_eq!(one("learning_rate", "NaN"), Problem::NotNumber);
    assert!(matches!(one("batch_size", "0"), Problem::OutOfRange { .. }));
    assert_eq!(one("batch_size", ""), Problem::Missing);
    assert!(matches!(
        one("weight_decay", "2"),
        Problem::OutOfRange { .. }
    ));
    assert!(matches!(
        one("optimizer", "rmsprop"),
        Problem::NotAChoice(_)
    ));
    assert!(matches!(one("activation", "tanh"), Problem::NotAChoice(_)));
    assert_eq!(one("augment", "yes"), Problem::NotFlag);
    assert_eq!(
        one("train_limit", "0"),
        Problem::OutOfRange {
            min: 1.0,
            max: 50_000.0
        }
    );
    // Patience counts only with early stopping on.
    assert_eq!(
        refused(&[("early_stopping", "true"), ("patience", "0")])[0].field,
        "patience"
    );
    assert!(parse_form(&form(&[("early_stopping", "false"), ("patience", "0")])).is_ok());
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let errors = refused(&[
        ("epochs", "1.5"),
        ("learning_rate", "abc"),
        ("batch_size", "0"),
    ]);
    let mut fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    fields.sort();
    assert_eq!(fields, ["batch_size", "epochs", "learning_rate"]);
}

#[test]
fn good_form_text_becomes_the_config_train_takes() {
    let config = parse_form(&form(&[
        ("epochs", " 25 "),
        ("batch_size", "128"),
        ("learning_rate", "5e-4"),
        ("optimizer", "sgd"),
        ("activation", "sigmoid"),
        ("weight_decay", "0.01"),
        ("augment", "true"),
        ("early_stopping", "true"),
        ("patience", "4"),
        ("train_limit", ""),
    ]))
    .unwrap();
    assert_eq!((config.epochs, config.batch_size), (25, 128));
    assert_eq!(config.learning_rate, 5e-4);
    assert_eq!(config.optimizer.name(), "sgd");
    assert_eq!(config.model.activation.name(), "sigmoid");
    assert_eq!(config.augmentation, kiln::data::Augmentation::standard());
    assert_eq!(config.early_stopping, Some(4));
    assert_eq!(config.train_limit, None, "empty: all the images");
    assert_eq!(
        parse_form(&form(&[("train_limit", "64")]))
            .unwrap()
            .train_limit,
        Some(64)
    );
}

#[test]
fn validate_names_the_key_of_a_bad_value() {
    let config = TrainingConfig {
        epochs: 1001,
        learning_rate: 10.0,
        ..TrainingConfig::default()
    };
    let error = config.validate().unwrap_err();
    let fields: Vec<_> = error.0.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["epochs", "learning_rate"]);
    let text = error.to_string();
    assert!(
        text.contains("epochs = 1001") && text.contains("learning_rate = 10"),
        "{text}"
    );
    assert_eq!(settings::EPOCHS.max, 1000);
}

#[test]
fn choosing_airbench_in_the_form_brings_its_recipe_scaled_to_the_batch() {
    let form = |pairs: &[(&str, &str)]| {
        let map = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_form(&map).unwrap()
    };
    let recipe = form(&[("model", "airbench")]);
    assert_eq!(recipe, TrainingConfig::for_model("airbench", None));
    assert_eq!(recipe.batch_size, 1024);
    assert!((recipe.learning_rate - 1.5).abs() < 1e-3);
    assert!(recipe.recipe.lookahead.is_some());
    assert!(recipe.augmentation.alternate_flip && recipe.augmentation.reflect);
    // A quarter of the batch, a quarter of the learning rate (the recipe's per-1,024 rule).
    let smaller = form(&[("model", "airbench"), ("batch_size", "256")]);
    assert!((smaller.learning_rate - recipe.learning_rate / 4.0).abs() < 1e-9);
    // What the form sets wins; the seed's form is unchanged by the recipe.
    let set = form(&[
        ("model", "airbench"),
        ("learning_rate", "0.5"),
        ("augment", "false"),
    ]);
    assert_eq!(set.learning_rate, 0.5);
    assert!(set.augmentation.is_off());
    assert_eq!(form(&[]), TrainingConfig::default());
}

#[test]
fn framing_is_offered_to_every_network_and_its_values_are_checked_only_when_on() {
    for model in ["seed", "airbench"] {
        let plain = parse_form(&form(&[("model", model)])).unwrap();
        assert!(
            plain.augmentation.framing.is_off(),
            "{model}: off in the recipe"
        );
        let on = parse_form(&form(&[("model", model), ("framing", "true")])).unwrap();
        assert_eq!(
            on.augmentation.framing,
            settings::photo_framing(),
            "{model}"
        );
        // The network's own flips and crops stay as its recipe has them.
        assert_eq!(on.augmentation.flip, plain.augmentation.flip, "{model}");
        assert_eq!(
            on.augmentation.crop_padding,
            plain.augmentation.crop_padding
        );
    }
    let set = parse_form(&form(&[
        ("framing", "true"),
        ("min_scale", "0.5"),
        ("max_aspect", "1.33"),
    ]))
    .unwrap();
    assert_eq!(set.augmentation.framing.min_scale, 0.5);
    assert_eq!(set.augmentation.framing.max_aspect, 1.33);
    assert!(
        !set.augmentation.is_off(),
        "framing alone is an augmentation"
    );
    // Out of its limits, named by its key; ignored while framing is off.
    let errors = refused(&[("framing", "true"), ("min_scale", "1.5"), ("soften", "x")]);
    let keys: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert!(
        keys.contains(&"min_scale") && keys.contains(&"soften"),
        "{keys:?}"
    );
    assert!(parse_form(&form(&[("framing", "false"), ("min_scale", "1.5")])).is_ok());
}
