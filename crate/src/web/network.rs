//! The page's drawing of the network (`crate::insight::network`): every layer's output for the
//! image shown, and one unit looked inside, with the weights in use (during a run, the
//! snapshot classification uses).

use js_sys::{Array, Float32Array, Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::infer::rgba_to_chw;
use crate::insight::network::{NetworkView, network_view};
use crate::insight::unit::{UnitQuery, unit};
use crate::web::{Engine, codes, js};

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &key.into(), value).map(|_| ())
}

#[wasm_bindgen]
impl Engine {
    /// Every layer of the network in use for 32×32 RGBA pixels: `{layers: [{name, kind, group,
    /// reads, activation, channels, height, width, values: Float32Array}], probabilities}`.
    /// One device read.
    pub fn network(&self, rgba: Vec<u8>) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let chw = rgba_to_chw(&rgba).map_err(js::error)?;
            let model = shared.model_in_use()?;
            let device = shared.device().map_err(js::error)?;
            let view = network_view(&model, shared.normalization.get(), &chw, &device)
                .await
                .map_err(js::error)?;
            view_to_js(&view)
        })
    }

    /// One unit of the network in use looked inside, for 32×32 RGBA pixels: `query` is
    /// `{layer, channel, y, x}`; the reply one of `crate::insight::network::UnitDetail`'s
    /// kinds. One device read.
    pub fn unit(&self, rgba: Vec<u8>, query: JsValue) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let chw = rgba_to_chw(&rgba).map_err(js::error)?;
            let query: UnitQuery = serde_wasm_bindgen::from_value(query)
                .map_err(|e| js::error(format!("a unit query is {{layer, channel, y, x}}: {e}")))?;
            let model = shared.model_in_use()?;
            let device = shared.device().map_err(js::error)?;
            let detail = unit(&model, shared.normalization.get(), &chw, &query, &device)
                .await
                .map_err(|e| codes::unit(&e))?;
            Ok(js::to_js(&detail))
        })
    }
}

/// A drawing for the page: `{layers: [{name, kind, group, reads, activation, channels, height,
/// width, values: Float32Array}], probabilities}`; the small fields through serde, the values
/// as typed arrays (serde would build JS arrays number by number).
pub(super) fn view_to_js(view: &NetworkView) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Head<'a> {
        name: &'a str,
        kind: &'a str,
        group: &'a Option<String>,
        reads: &'a Option<String>,
        activation: &'a Option<String>,
        channels: usize,
        height: usize,
        width: usize,
    }
    let layers = Array::new();
    for l in &view.layers {
        let layer = js::to_js(&Head {
            name: &l.name,
            kind: &l.kind,
            group: &l.group,
            reads: &l.reads,
            activation: &l.activation,
            channels: l.channels,
            height: l.height,
            width: l.width,
        });
        set(&layer, "values", &Float32Array::from(&l.values[..]).into())?;
        layers.push(&layer);
    }
    let value: JsValue = Object::new().into();
    set(&value, "layers", &layers.into())?;
    set(&value, "probabilities", &js::to_js(&view.probabilities))?;
    Ok(value)
}
