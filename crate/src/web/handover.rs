//! Moving the engine's state to another engine in the same worker. The worker runs one build of
//! Kiln per device (WebGPU, the CPU alone, the CPU on threads; see `www/worker.js`); when the
//! device changes from one build to another, it hands the dataset over with these calls and the
//! weights with `weightsBytes` / `loadWeights`.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::web::{Engine, evaluation};

#[wasm_bindgen]
impl Engine {
    /// The loaded dataset as `{name, names, files}` (batch files `loadDataset` reads back
    /// unchanged, and the name it was loaded under), or `null` when none is loaded.
    #[wasm_bindgen(js_name = exportDataset)]
    pub fn export_dataset(&self) -> Result<JsValue, JsError> {
        let Some(data) = self.shared.data.borrow().clone() else {
            return Ok(JsValue::NULL);
        };
        let names = Array::new();
        let files = Array::new();
        for (name, bytes) in data.to_files() {
            names.push(&JsValue::from_str(&name));
            files.push(&Uint8Array::from(&bytes[..]));
        }
        let out = Object::new();
        let name = self.shared.dataset_name.borrow().clone();
        for (key, value) in [
            ("name", JsValue::from_str(&name)),
            ("names", names.into()),
            ("files", files.into()),
        ] {
            Reflect::set(&out, &JsValue::from_str(key), &value)
                .map_err(|_| JsError::new("exportDataset: could not build the result"))?;
        }
        Ok(out.into())
    }

    /// Forget the dataset (after handing it over), so its memory can be reused.
    #[wasm_bindgen(js_name = releaseDataset)]
    pub fn release_dataset(&self) -> Result<(), JsError> {
        if self.shared.training.get() {
            return Err(JsError::new(
                "cannot release the dataset while training; stop first",
            ));
        }
        *self.shared.data.borrow_mut() = None;
        evaluation::invalidate(&self.shared);
        self.shared.dataset_name.borrow_mut().clear();
        Ok(())
    }
}
