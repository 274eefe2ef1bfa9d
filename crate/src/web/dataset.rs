//! The dataset in the browser: loading CIFAR-10 from files, the sample grid, and letting go of
//! it.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::data::cifar::NUM_CLASSES;
use crate::data::{Cifar10, DatasetSummary, Samples};
use crate::error_code::BusyWhat;
use crate::web::{Engine, Shared, codes, evaluation, js, reader};

/// Read the dataset in `files` (`names[i]` is the name of `files[i]`) and make it the one in
/// use, named `dataset_name`. `on_progress(bytesRead, totalBytes)`, when given, is called as
/// the archive is decompressed. Leaves the dataset in use untouched on failure.
pub(super) fn install(
    shared: &Shared,
    names: Vec<String>,
    files: Vec<Uint8Array>,
    on_progress: Option<js_sys::Function>,
    dataset_name: String,
) -> Result<JsValue, JsValue> {
    if shared.training.get() {
        return Err(codes::busy(
            "cannot replace the dataset while training; stop first",
            BusyWhat::Dataset,
        ));
    }
    if names.len() != files.len() {
        return Err(js::error("loadDataset: names and files differ in length"));
    }
    let total: f64 = files.iter().map(|f| f.length() as f64).sum();
    let mut offset = 0f64;
    let streams: Vec<(String, reader::JsArrayReader)> = names
        .into_iter()
        .zip(files)
        .map(|(name, file)| {
            let size = file.length() as f64;
            let reader = reader::JsArrayReader::new(file, on_progress.clone(), offset, total);
            offset += size;
            (name, reader)
        })
        .collect();
    let data = Cifar10::from_readers(streams).map_err(|e| codes::data(&e))?;
    let summary = DatasetSummary::of(&data);
    *shared.data.borrow_mut() = Some(std::rc::Rc::new(data));
    evaluation::invalidate(shared);
    *shared.dataset_name.borrow_mut() = dataset_name;
    Ok(js::to_js(&summary))
}

/// Forget the dataset, so that its memory can be reused.
pub(super) fn release(shared: &Shared) {
    *shared.data.borrow_mut() = None;
    evaluation::invalidate(shared);
    shared.dataset_name.borrow_mut().clear();
}

#[wasm_bindgen]
impl Engine {
    /// Load CIFAR-10 from files (`names[i]` is the name of `files[i]`): the archive, `.bin`
    /// batch files and `batches.meta.txt`. `on_progress(bytesRead, totalBytes)` is called as the
    /// archive is decompressed. Replaces any dataset loaded before only on success.
    /// `display_name` (optional) names the dataset instead of the files' names.
    /// Resolves to `{train_images, test_images, train_per_class, test_per_class,
    /// class_names}`.
    #[wasm_bindgen(js_name = loadDataset)]
    pub fn load_dataset(
        &self,
        names: Vec<String>,
        files: Vec<Uint8Array>,
        on_progress: js_sys::Function,
        display_name: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let dataset_name = display_name.unwrap_or_else(|| names.join(", "));
        install(&self.shared, names, files, Some(on_progress), dataset_name)
    }

    /// Forget the dataset, so that its memory can be reused.
    #[wasm_bindgen(js_name = releaseDataset)]
    pub fn release_dataset(&self) -> Result<(), JsError> {
        if self.shared.training.get() {
            return Err(JsError::new(
                "cannot release the dataset while training; stop first",
            ));
        }
        release(&self.shared);
        Ok(())
    }

    /// RGBA pixels (`count` images of 32×32, one after another) and labels of the first
    /// `per_class` images of each class in turn, for the sample grid: `{labels, rgba}`.
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
        for class in 0..NUM_CLASSES as u8 {
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
        let samples = Samples {
            labels: picked.iter().map(|&i| split.labels()[i]).collect(),
            rgba: evaluation::rgba(split, &picked),
        };
        let result = Object::new();
        let bytes = |b: &[u8]| Uint8Array::from(b);
        Reflect::set(&result, &"labels".into(), &bytes(&samples.labels))
            .and_then(|_| Reflect::set(&result, &"rgba".into(), &bytes(&samples.rgba)))
            .map_err(|_| JsError::new("could not build the sample object"))?;
        Ok(result.into())
    }
}
