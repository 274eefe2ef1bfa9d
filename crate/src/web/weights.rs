//! The weights in use: where they came from, downloading them as a file, loading a weights
//! file (or the shipped pretrained ones).

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error_code::BusyWhat;
use crate::train::TrainingSummary;
use crate::web::{Engine, Shared, codes, evaluation, js};
use crate::weights::{self, ActiveModel, Source, WeightsMeta};

/// `source` as the worker spells it.
pub(super) fn parse_source(source: JsValue) -> Result<Source, JsError> {
    serde_wasm_bindgen::from_value(source.clone()).map_err(|_| {
        JsError::new(&format!(
            "{source:?} is not a weights source: untrained, pretrained, trained, saved or file"
        ))
    })
}

/// The weights in use as a burnpack file. One device read.
pub(super) async fn in_use_as_bytes(shared: &Shared) -> Result<Vec<u8>, JsValue> {
    let model = shared.model_in_use()?;
    let active = shared.active.borrow().clone();
    let summary = TrainingSummary {
        epochs: active.epochs,
        test_accuracy: active.test_accuracy,
        ..TrainingSummary::default()
    };
    let mut meta = WeightsMeta::new(
        &shared.model_config.borrow(),
        shared.normalization.get(),
        &summary,
        &[] as &[String],
    );
    meta.dataset = format!(
        "saved from the browser ({} weights)",
        active.source.as_str()
    );
    weights::to_bytes(&model, &meta).await.map_err(js::error)
}

/// Use the weights in `bytes` (a file named `name`) from `source`. A file that does not fit
/// leaves the weights in use untouched.
pub(super) fn use_bytes(
    shared: &Shared,
    name: &str,
    bytes: &[u8],
    source: Source,
) -> Result<ActiveModel, JsValue> {
    if shared.training.get() {
        return Err(codes::busy(
            "cannot load weights while training; stop first",
            BusyWhat::Weights,
        ));
    }
    let device = shared.device().map_err(js::error)?;
    let (model, meta) =
        weights::from_bytes(name, bytes, &device).map_err(|e| codes::weights(&e))?;
    *shared.latest.borrow_mut() = Some(model);
    evaluation::invalidate(shared);
    shared.normalization.set(meta.normalization);
    *shared.model_config.borrow_mut() = meta.model.clone();
    let active = ActiveModel {
        model: meta.model.name.clone(),
        source,
        epochs: meta.epochs,
        test_accuracy: meta.test_accuracy,
    };
    *shared.active.borrow_mut() = active.clone();
    Ok(active)
}

#[wasm_bindgen]
impl Engine {
    /// The weights in use as a burnpack file (the format `kiln eval --weights` reads).
    #[wasm_bindgen(js_name = weightsBytes)]
    pub fn weights_bytes(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let bytes = in_use_as_bytes(&shared).await?;
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// Use the weights in `bytes` (a file named `name`). `source` says where they come from:
    /// `pretrained` (shipped with the app), `saved` (a run kept in this browser) or `file`.
    /// A file that does not fit leaves the weights in use untouched. Returns `{source, epochs,
    /// test_accuracy}`.
    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(
        &self,
        name: String,
        bytes: Vec<u8>,
        source: JsValue,
    ) -> Result<JsValue, JsValue> {
        let source = parse_source(source)?;
        let active = use_bytes(&self.shared, &name, &bytes, source)?;
        Ok(js::to_js(&active))
    }

    /// The weights in use: `{source, epochs, test_accuracy}`.
    #[wasm_bindgen(js_name = activeModel)]
    pub fn active_model(&self) -> JsValue {
        js::to_js(&*self.shared.active.borrow())
    }
}
