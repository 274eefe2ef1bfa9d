//! Classifying the user's image and showing sample images of the dataset.

use js_sys::{Array, Float32Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::CLASS_NAMES;
use crate::explain::{Explanation, explain_class, first_layer_filters};
use crate::infer::{classify, rgba_to_chw};
use crate::web::{ActiveModel, Classification, Engine, Shared, evaluation, js};

/// An explanation as a JS object: the small fields through serde, the maps as `Float32Array`s
/// (serde would build JS arrays number by number: seconds for the 41,000 values here).
fn explanation_js(ex: Explanation, model: ActiveModel) -> Result<JsValue, JsValue> {
    #[derive(serde::Serialize)]
    struct Head {
        predictions: Vec<crate::infer::Prediction>,
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
    let set =
        |target: &JsValue, key: &str, v: &JsValue| Reflect::set(target, &key.into(), v).map(|_| ());
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

/// What classifying (or explaining) 32×32 RGBA pixels needs: the image in CHW layout, the
/// weights in use, the class names and the device.
fn image_request(
    shared: &Shared,
    rgba: &[u8],
) -> Result<
    (
        Vec<u8>,
        crate::model::Model,
        Vec<String>,
        burn::prelude::Device,
    ),
    JsValue,
> {
    let chw = rgba_to_chw(rgba).map_err(js::error)?;
    let model = shared.model_in_use()?;
    let device = shared.device().map_err(js::error)?;
    Ok((chw, model, class_names(shared), device))
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
    /// probability}] (all classes, best first), model: {source, epochs, test_accuracy}}`.
    pub fn classify(&self, rgba: Vec<u8>) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let (chw, model, names, device) = image_request(&shared, &rgba)?;
            let predictions = classify(&model, shared.normalization.get(), &chw, &names, &device)
                .await
                .map_err(js::error)?;
            let model = shared.active.borrow().clone();
            Ok(js::to_js(&Classification { predictions, model }))
        })
    }

    /// Classify and explain 32×32 RGBA pixels with the weights in use: the predictions, the
    /// saliency map and Grad-CAM of the top class, and every convolution's feature maps.
    /// Resolves to an `Explanation` (see `crate::explain`) with `model` added. One device read.
    ///
    /// `class` picks the class whose score is explained (the top one when absent).
    pub fn explain(&self, rgba: Vec<u8>, class: Option<usize>) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let (chw, model, names, device) = image_request(&shared, &rgba)?;
            let normalization = shared.normalization.get();
            let explanation = explain_class(&model, normalization, &chw, &names, &device, class)
                .await
                .map_err(js::error)?;
            explanation_js(explanation, shared.active.borrow().clone())
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
                Reflect::set(&value, &key.into(), &v)?;
            }
            Ok(value)
        })
    }

    /// RGBA pixels (`count` images of 32×32, one after another) and labels of the first
    /// `count` images of each class in turn, for the sample grid: `{labels, rgba}`.
    #[wasm_bindgen(js_name = sampleImages)]
    pub fn sample_images(&self, per_class: usize) -> Result<JsValue, JsError> {
        let data = self
            .shared
            .data
            .borrow()
            .clone()
            .ok_or_else(|| JsError::new("no dataset"))?;
        let split = if data.train.is_empty() {
            &data.test
        } else {
            &data.train
        };
        let mut picked: Vec<usize> = Vec::new();
        for class in 0..crate::data::NUM_CLASSES as u8 {
            picked.extend(
                split
                    .labels()
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| **l == class)
                    .take(per_class)
                    .map(|(i, _)| i),
            );
        }
        let rgba = evaluation::rgba(split, &picked);
        let labels: Vec<u8> = picked.iter().map(|&i| split.labels()[i]).collect();
        let result = js_sys::Object::new();
        js_sys::Reflect::set(
            &result,
            &"labels".into(),
            &js_sys::Uint8Array::from(&labels[..]),
        )
        .and_then(|_| {
            js_sys::Reflect::set(
                &result,
                &"rgba".into(),
                &js_sys::Uint8Array::from(&rgba[..]),
            )
        })
        .map_err(|_| JsError::new("could not build the sample object"))?;
        Ok(result.into())
    }

    /// The weights in use: `{source, epochs, test_accuracy}`.
    #[wasm_bindgen(js_name = activeModel)]
    pub fn active_model(&self) -> JsValue {
        js::to_js(&*self.shared.active.borrow())
    }
}
