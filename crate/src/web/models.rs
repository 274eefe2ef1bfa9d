//! The networks the page offers, with what it says about each before one is picked.

use wasm_bindgen::prelude::*;

use crate::train::offered::offered;
use crate::web::js;

/// `[{name, description, parameters, forward_flops, train_flops, expected_accuracy,
/// accuracy_source, tta, pretrained, page_batch_size, defaults: {epochs, batch_size,
/// learning_rate, lr_schedule, optimizer, weight_decay, augment, framing}}]`.
#[wasm_bindgen(js_name = modelCatalog)]
pub fn model_catalog() -> JsValue {
    js::to_js(&offered())
}
