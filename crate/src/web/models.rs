//! The networks the page offers, with what it says about each before one is picked.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::model::catalog::{ModelInfo, catalog};
use crate::train::TrainingConfig;
use crate::web::js;

#[derive(Serialize)]
struct Offered {
    #[serde(flatten)]
    info: ModelInfo,
    /// The form's values for this network (its recipe at the page's batch size), by key.
    defaults: PageDefaults,
}

#[derive(Serialize)]
struct PageDefaults {
    epochs: usize,
    batch_size: usize,
    learning_rate: f64,
    lr_schedule: &'static str,
    optimizer: &'static str,
    weight_decay: f64,
    augment: bool,
    framing: bool,
}

/// `[{name, description, parameters, forward_flops, train_flops, expected_accuracy,
/// accuracy_source, tta, pretrained, page_batch_size, defaults: {epochs, batch_size,
/// learning_rate, lr_schedule, optimizer, weight_decay, augment, framing}}]`.
#[wasm_bindgen(js_name = modelCatalog)]
pub fn model_catalog() -> JsValue {
    let offered: Vec<Offered> = catalog()
        .into_iter()
        .map(|info| {
            let config = TrainingConfig::for_model(info.name, Some(info.page_batch_size));
            Offered {
                defaults: PageDefaults {
                    epochs: config.epochs,
                    batch_size: config.batch_size,
                    learning_rate: config.learning_rate,
                    lr_schedule: config.recipe.schedule.name(),
                    optimizer: config.optimizer.name(),
                    weight_decay: config.weight_decay,
                    augment: config.augmentation.flip || config.augmentation.crop_padding > 0,
                    framing: !config.augmentation.framing.is_off(),
                },
                info,
            }
        })
        .collect();
    js::to_js(&offered)
}
