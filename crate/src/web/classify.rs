//! Classifying the user's image, with its explanation when the page shows one, and the first
//! layer's filters.

use js_sys::{Array, Float32Array, Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::CLASS_NAMES;
use crate::explain::{Explanation, explain_class, first_layer_filters};
use crate::infer::{Classification, Prediction, classify, rgba_to_chw};
use crate::model::catalog;
use crate::web::{Engine, Shared, js};
use crate::weights::ActiveModel;

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &key.into(), value).map(|_| ())
}

/// An explanation as a JS object: `{predictions, class, gradcam_side, model, saliency, gradcam,
/// feature_maps: [{layer, channels, height, width, values}]}`. The small fields go through
/// serde, the maps as `Float32Array`s (serde would build JS arrays number by number: seconds
/// for the 41,000 values here).
fn explanation_js(ex: Explanation, model: ActiveModel) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Head {
        predictions: Vec<Prediction>,
        class: usize,
        gradcam_side: usize,
        model: ActiveModel,
    }
    let value = js::to_js(&Head {
        predictions: ex.predictions,
        class: ex.class,
        gradcam_side: ex.gradcam_side,
        model,
    });
    set(
        &value,
        "saliency",
        &Float32Array::from(&ex.saliency[..]).into(),
    )?;
    set(
        &value,
        "gradcam",
        &Float32Array::from(&ex.gradcam[..]).into(),
    )?;
    let layers = Array::new();
    for maps in ex.feature_maps {
        let layer = Object::new().into();
        set(&layer, "layer", &maps.layer.into())?;
        set(&layer, "channels", &maps.channels.into())?;
        set(&layer, "height", &maps.height.into())?;
        set(&layer, "width", &maps.width.into())?;
        set(
            &layer,
            "values",
            &Float32Array::from(&maps.values[..]).into(),
        )?;
        layers.push(&layer);
    }
    set(&value, "feature_maps", &layers.into())?;
    Ok(value)
}

/// The class names of the loaded dataset, or CIFAR-10's.
fn class_names(shared: &Shared) -> Vec<String> {
    shared.data.borrow().as_ref().map_or_else(
        || CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
        |d| d.class_names.clone(),
    )
}

#[wasm_bindgen]
impl Engine {
    /// Classify 32×32 RGBA pixels (the canvas' `ImageData.data`) with the weights in use —
    /// during training, the latest ones. Resolves to `{predictions: [{class, name,
    /// probability}] (all classes, best first), unsure, model: {source, epochs,
    /// test_accuracy}, explanation}`; `unsure` when the top probability is under the network's
    /// "not sure" threshold (`model::catalog`).
    ///
    /// With `explain`, `explanation` holds the saliency map and Grad-CAM of class `cls` (the
    /// top class when absent) and every convolution's feature maps (see `crate::explain`),
    /// from the same forward pass as the probabilities; without, it is `null` and the forward
    /// pass is plain inference. One device read either way.
    pub fn classify(&self, rgba: Vec<u8>, explain: bool, cls: Option<usize>) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let chw = rgba_to_chw(&rgba).map_err(js::error)?;
            let model = shared.model_in_use()?;
            let device = shared.device().map_err(js::error)?;
            let names = class_names(&shared);
            let normalization = shared.normalization.get();
            let (predictions, explanation) = if explain {
                let ex = explain_class(&model, normalization, &chw, &names, &device, cls)
                    .await
                    .map_err(js::error)?;
                (ex.predictions.clone(), Some(ex))
            } else {
                let predictions = classify(&model, normalization, &chw, &names, &device)
                    .await
                    .map_err(js::error)?;
                (predictions, None)
            };
            let top = predictions.first().map_or(f32::NAN, |p| p.probability);
            let unsure = catalog::unsure(&catalog::info_of(&model), top);
            let model = shared.active.borrow().clone();
            let value = js::to_js(&Classification {
                predictions,
                unsure,
                model: model.clone(),
            });
            let explanation = match explanation {
                Some(ex) => explanation_js(ex, model)?,
                None => JsValue::NULL,
            };
            set(&value, "explanation", &explanation)?;
            Ok(value)
        })
    }

    /// The first convolution's filters of the weights in use: `{count, channels, size,
    /// values}`. One device read.
    pub fn filters(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let model = shared.model_in_use()?;
            let f = first_layer_filters(&model).await.map_err(js::error)?;
            let value: JsValue = Object::new().into();
            for (key, v) in [
                ("count", JsValue::from(f.count)),
                ("channels", f.channels.into()),
                ("size", f.size.into()),
                ("values", Float32Array::from(&f.values[..]).into()),
            ] {
                set(&value, key, &v)?;
            }
            Ok(value)
        })
    }
}
