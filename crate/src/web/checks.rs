//! The fused optimisers, ReLU and loss, and Kiln's own convolution and pooling, held to burn's
//! on the device in use (`kernels::check`, `train::optimizer::check`), for the browser test on
//! both devices: the worker answers only on a page opened with `?test`. Compiled with the
//! `checks` feature only, which the build of dist/ for the browser tests turns on
//! (`KILN_CHECKS=1`, scripts/wasm.sh); the shipped modules go without.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::kernels::check::{layers_difference, loss_difference, relu_difference};
use crate::train::OptimizerConfig;
use crate::train::optimizer::check::compare;
use crate::web::{Engine, js};

#[wasm_bindgen]
impl Engine {
    /// Train `model` four steps with Kiln's fused `optimizer` ("adam", "sgd" or "nesterov") and
    /// with burn's, from the same weights on the same random batches, on the device in use:
    /// `{largest_difference, largest_change}` of their weights.
    #[wasm_bindgen(js_name = testFusedOptimizer)]
    pub fn test_fused_optimizer(&self, model: String, optimizer: String) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let device = shared.device().map_err(js::error)?;
            let (config, lr) = match optimizer.as_str() {
                "adam" => (OptimizerConfig::adam(), 1e-3),
                "sgd" => (OptimizerConfig::Sgd, 0.05),
                "nesterov" => (OptimizerConfig::nesterov(), 0.05),
                other => {
                    return Err(js::error(format!(
                        "testFusedOptimizer: no optimiser {other:?} (adam, sgd or nesterov)"
                    )));
                }
            };
            // Two steps carry the optimiser's state from one to the next; airbench's take most of
            // the browser test's time on a software GPU, so it runs those two, the seed four.
            let steps = if model == "airbench" { 2 } else { 4 };
            let agreement = compare(&device, &model, &config, lr, 5e-4, steps)
                .await
                .map_err(js::error)?;
            Ok(js::to_js(&agreement))
        })
    }

    /// The fused ReLU against burn's on the device in use: the largest difference of their
    /// outputs and gradients.
    /// The fused loss against burn's cross-entropy on the device in use: the largest difference
    /// of their values, sums and gradients, relative to the largest value.
    #[wasm_bindgen(js_name = testFusedLoss)]
    pub fn test_fused_loss(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let device = shared.device().map_err(js::error)?;
            let difference = loss_difference(&device).await.map_err(js::error)?;
            Ok(JsValue::from_f64(difference.into()))
        })
    }

    #[wasm_bindgen(js_name = testFusedRelu)]
    pub fn test_fused_relu(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let device = shared.device().map_err(js::error)?;
            let difference = relu_difference(&device).await.map_err(js::error)?;
            Ok(JsValue::from_f64(difference.into()))
        })
    }

    /// Kiln's convolution and pooling against burn's on the device in use: the
    /// largest relative difference of their outputs and gradients.
    #[wasm_bindgen(js_name = testLayers)]
    pub fn test_layers(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let device = shared.device().map_err(js::error)?;
            let difference = layers_difference(&device).await.map_err(js::error)?;
            Ok(JsValue::from_f64(difference.into()))
        })
    }
}
