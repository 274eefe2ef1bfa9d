//! Weights in the browser: download the weights in use, load a weights file (or the shipped
//! pretrained ones).

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::train::TrainingSummary;
use crate::web::{ActiveModel, Engine, evaluation, js};
use crate::weights::{self, WeightsMeta};

#[wasm_bindgen]
impl Engine {
    /// The weights in use as a burnpack file (the format `kiln eval --weights` reads).
    #[wasm_bindgen(js_name = weightsBytes)]
    pub fn weights_bytes(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let model = shared.model_in_use()?;
            let active = shared.active.borrow().clone();
            let summary = TrainingSummary {
                epochs: active.epochs,
                test_accuracy: active.test_accuracy,
                ..TrainingSummary::default()
            };
            let dataset: Vec<String> = Vec::new();
            let mut meta = WeightsMeta::new(
                &shared.model_config.borrow(),
                shared.normalization.get(),
                &summary,
                &dataset,
            );
            meta.dataset = format!("saved from the browser ({} weights)", active.source);
            let bytes = weights::to_bytes(&model, &meta).await.map_err(js::error)?;
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// Use the weights in `bytes` (a file named `name`). `source` says where they come from:
    /// `pretrained` (shipped with the app), `saved` (a run kept in this browser), `file`, or
    /// `trained` / `untrained` (handed over from the worker's other engine).
    /// A file that does not fit leaves the weights in use untouched.
    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(
        &self,
        name: String,
        bytes: Vec<u8>,
        source: String,
    ) -> Result<JsValue, JsError> {
        if self.shared.training.get() {
            return Err(JsError::new(
                "cannot load weights while training; stop first",
            ));
        }
        let device = self.shared.device().map_err(JsError::new)?;
        let (model, meta) = weights::from_bytes(&name, &bytes, &device)
            .map_err(|e| JsError::new(&e.to_string()))?;
        *self.shared.latest.borrow_mut() = Some(model);
        evaluation::invalidate(&self.shared);
        self.shared.normalization.set(meta.normalization);
        *self.shared.model_config.borrow_mut() = meta.model.clone();
        let active = ActiveModel {
            source: match source.as_str() {
                "pretrained" => "pretrained",
                "saved" => "saved",
                "trained" => "trained",
                "untrained" => "untrained",
                _ => "file",
            },
            epochs: meta.epochs,
            test_accuracy: meta.test_accuracy,
        };
        *self.shared.active.borrow_mut() = active.clone();
        Ok(js::to_js(&active))
    }
}
