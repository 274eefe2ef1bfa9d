//! The page's look inside the network while it learns (`crate::insight`): the weights in use
//! (during a run, the snapshot classification uses) on the first images of the training set.

use std::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::Batcher;
use crate::insight::{self, Before};
use crate::web::{Engine, codes, js};

/// The most images one look takes.
const MAX_IMAGES: usize = 64;

thread_local! {
    /// The weights of the previous look, to measure how far they moved since.
    static BEFORE: RefCell<Before> = const { RefCell::new(Vec::new()) };
}

#[wasm_bindgen]
impl Engine {
    /// Look at the weights in use on the first `images` (at most 64) training images: `{images,
    /// loss, layers: [{layer, gradient_norm, update_norm, weight_norm}], activations: [{layer,
    /// zero_share, saturated_share, min, max, histogram}]}`. One device read; the training
    /// step is not touched.
    pub fn insight(&self, images: usize) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            let model = shared.model_in_use()?;
            let data = shared
                .data
                .borrow()
                .clone()
                .ok_or_else(|| codes::no_dataset("no dataset loaded: load CIFAR-10 first"))?;
            let device = shared.device().map_err(js::error)?;
            let split = if data.train.is_empty() {
                &data.test
            } else {
                &data.train
            };
            let count = images.clamp(1, MAX_IMAGES).min(split.len());
            if count == 0 {
                return Err(codes::no_dataset("the dataset holds no images"));
            }
            let indices: Vec<usize> = (0..count).collect();
            let batcher = Batcher::new(shared.normalization.get(), device.autodiff());
            let batch = batcher.batch(split, &indices);
            let mut before = BEFORE.with(|b| std::mem::take(&mut *b.borrow_mut()));
            let activation = shared.model_config.borrow().activation;
            let result = insight::look(&model, activation, batch, &mut before).await;
            BEFORE.with(|b| *b.borrow_mut() = before);
            Ok(js::to_js(&result.map_err(js::error)?))
        })
    }
}
