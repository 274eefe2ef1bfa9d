//! Moving the engine's state to the engine of another build in the same worker. The worker runs
//! one build of Kiln per device (WebGPU, the CPU alone, the CPU on threads; see
//! `www/worker.js`); when the device moves from one build to another, `exportState` on the old
//! engine and `importState` on the new one carry the weights in use and the dataset across.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error_code::BusyWhat;
use crate::web::{Engine, Shared, codes, dataset, js, weights};
use crate::weights::{DatasetFiles, HandOver};

/// `value[key]`, refusing a state without it.
fn field(value: &JsValue, key: &str) -> Result<JsValue, JsError> {
    Reflect::get(value, &key.into())
        .ok()
        .filter(|v| !v.is_undefined())
        .ok_or_else(|| JsError::new(&format!("importState: the state has no {key}")))
}

fn bytes(value: JsValue, what: &str) -> Result<Uint8Array, JsError> {
    value
        .dyn_into::<Uint8Array>()
        .map_err(|_| JsError::new(&format!("importState: {what} is not a Uint8Array")))
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &key.into(), value).map(|_| ())
}

#[wasm_bindgen]
impl Engine {
    /// The weights in use and the dataset, for `importState` in another build: `{weights:
    /// Uint8Array (a burnpack file), source, epochs, test_accuracy, dataset: {name, names,
    /// files} | null}`. The dataset is released here (its memory is reused), so the state
    /// must go to another engine (or back to this one). One device read.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            if shared.training.get() {
                return Err(codes::busy(
                    "cannot hand the state over while training; stop first",
                    BusyWhat::HandOver,
                ));
            }
            let state = HandOver {
                weights: Some(weights::in_use_as_bytes(&shared).await?),
                active: shared.active.borrow().clone(),
                dataset: dataset_files(&shared),
            };
            dataset::release(&shared);
            hand_over_js(state)
        })
    }

    /// The dataset alone, as `exportState` gives it (null when none is loaded), without reading
    /// the device: for leaving a GPU that was lost, whose weights cannot be read any more.
    /// The dataset is released here, as by `exportState`.
    #[wasm_bindgen(js_name = exportDataset)]
    pub fn export_dataset(&self) -> Result<JsValue, JsValue> {
        if self.shared.training.get() {
            return Err(codes::busy(
                "cannot hand the dataset over while training; stop first",
                BusyWhat::HandOver,
            ));
        }
        let dataset = dataset_files(&self.shared);
        dataset::release(&self.shared);
        dataset_js(dataset)
    }

    /// Take over a state made by `exportState` (in this build or another): its weights, with
    /// their source, and its dataset. Returns the weights in use, `{source, epochs,
    /// test_accuracy}`. Nothing changes where the weights do not load. With `weights: null`,
    /// the weights in use stay.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(&self, state: JsValue) -> Result<JsValue, JsValue> {
        let weights = field(&state, "weights")?;
        let weights = match weights.is_null() {
            true => None,
            false => Some((
                bytes(weights, "weights")?.to_vec(),
                weights::parse_source(field(&state, "source")?)?,
            )),
        };
        let dataset = field(&state, "dataset")?;
        let data = match dataset.is_null() {
            true => None,
            // `DatasetFiles` as `dataset_js` wrote it, its files left in JS memory: the
            // reader streams them into the dataset without a copy of the whole.
            false => {
                let name = field(&dataset, "name")?.as_string().unwrap_or_default();
                let names: Vec<String> = Array::from(&field(&dataset, "names")?)
                    .iter()
                    .map(|n| n.as_string().unwrap_or_default())
                    .collect();
                let files = Array::from(&field(&dataset, "files")?)
                    .iter()
                    .map(|f| bytes(f, "a dataset file"))
                    .collect::<Result<Vec<_>, _>>()?;
                Some((name, names, files))
            }
        };
        let active = match weights {
            Some((bytes, source)) => {
                weights::use_bytes(&self.shared, "the weights in use", &bytes, source)?
            }
            None => self.shared.active.borrow().clone(),
        };
        if let Some((name, names, files)) = data {
            dataset::install(&self.shared, names, files, None, name)?;
        }
        Ok(js::to_js(&active))
    }
}

/// The loaded dataset as files `loadDataset` reads back unchanged, or none.
fn dataset_files(shared: &Shared) -> Option<DatasetFiles> {
    let data = shared.data.borrow().clone()?;
    let (names, files) = data.to_files().into_iter().unzip();
    Some(DatasetFiles {
        name: shared.dataset_name.borrow().clone(),
        names,
        files,
    })
}

/// `{...active, weights, dataset}`: the description through serde, the bytes as `Uint8Array`s.
fn hand_over_js(state: HandOver) -> Result<JsValue, JsValue> {
    let out = js::to_js(&state.active).unchecked_into::<Object>();
    let weights = match &state.weights {
        Some(weights) => Uint8Array::from(&weights[..]).into(),
        None => JsValue::NULL,
    };
    set(&out, "weights", &weights)?;
    set(&out, "dataset", &dataset_js(state.dataset)?)?;
    Ok(out.into())
}

/// `{name, names, files}`, or null.
fn dataset_js(dataset: Option<DatasetFiles>) -> Result<JsValue, JsValue> {
    let Some(dataset) = dataset else {
        return Ok(JsValue::NULL);
    };
    let names = Array::new();
    let files = Array::new();
    // By value: each file's bytes are freed once JS has its copy, as the dataset's are (tens of
    // megabytes each).
    for (name, bytes) in dataset.names.into_iter().zip(dataset.files) {
        names.push(&JsValue::from_str(&name));
        files.push(&Uint8Array::from(&bytes[..]));
    }
    let out = Object::new();
    set(&out, "name", &JsValue::from_str(&dataset.name))?;
    set(&out, "names", &names)?;
    set(&out, "files", &files)?;
    Ok(out.into())
}
