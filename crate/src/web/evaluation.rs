//! The test-set evaluation views: accuracy, per-class accuracy, confusion matrix, the most
//! confidently wrong images and the images of one confusion-matrix cell.

use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::cifar::{IMAGE_SIDE, Split};
use crate::data::{Batcher, Cifar10};
use crate::error_code::{BusyWhat, ErrorCode};
use crate::train::settings::EVAL_BATCH_SIZE;
use crate::train::{ConfusionCell, Evaluation, EvaluationReport, evaluate};
use crate::web::{Engine, Shared, codes, js};
use crate::weights::ActiveModel;

/// An evaluation of the weights in use, with the dataset it was made on.
pub(crate) struct Kept {
    pub evaluation: Evaluation,
    pub data: Rc<Cifar10>,
    pub model: ActiveModel,
    /// Made with the network's test-time augmentation.
    pub tta: bool,
}

/// The report, and the weights it was made of.
#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    report: EvaluationReport,
    model: &'a ActiveModel,
}

/// `{..report, model, misclassified_rgba}`: the report, the weights evaluated and the
/// mistakes' pixels (32×32 RGBA each).
fn summary_js(kept: &Kept) -> Result<JsValue, JsValue> {
    let ev = &kept.evaluation;
    let report = ev.report(&kept.data.class_names, &kept.model.model, kept.tta);
    let indices: Vec<usize> = report.misclassified.iter().map(|j| j.index).collect();
    let value = js::to_js(&Summary {
        report,
        model: &kept.model,
    });
    set(
        &value,
        "misclassified_rgba",
        &rgba(&kept.data.test, &indices),
    )?;
    Ok(value)
}

fn set(target: &JsValue, key: &str, value: &[u8]) -> Result<(), JsValue> {
    js_sys::Reflect::set(target, &key.into(), &Uint8Array::from(value)).map(|_| ())
}

/// The images at `indices` as 32×32 RGBA, one after another.
pub(crate) fn rgba(split: &Split, indices: &[usize]) -> Vec<u8> {
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    let mut out = Vec::with_capacity(indices.len() * plane * 4);
    for &i in indices {
        let image = split.image(i);
        for p in 0..plane {
            out.extend_from_slice(&[image[p], image[plane + p], image[2 * plane + p], 255]);
        }
    }
    out
}

/// Forget the evaluation: the weights in use changed.
pub(crate) fn invalidate(shared: &Shared) {
    *shared.evaluation.borrow_mut() = None;
}

#[wasm_bindgen]
impl Engine {
    /// Evaluate the weights in use on the loaded test set. Resolves to `{accuracy, loss,
    /// images, per_class_accuracy, confusion, test_per_class, class_names, misclassified:
    /// [{index, label, predicted, confidence}] (most confident first), misclassified_rgba,
    /// model}`. Two device reads.
    pub fn evaluate(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            if shared.training.get() {
                return Err(codes::busy(
                    "training is running: its evaluation comes after each epoch",
                    BusyWhat::Evaluate,
                ));
            }
            let data = shared.data.borrow().clone().ok_or_else(|| {
                codes::no_dataset("no dataset loaded: load CIFAR-10 (with test_batch.bin) first")
            })?;
            if data.test.is_empty() {
                return Err(codes::coded(
                    "the loaded dataset has no test images: add test_batch.bin",
                    ErrorCode::NoTestImages,
                    serde_json::json!({}),
                ));
            }
            let model = shared.model_in_use()?;
            let device = shared.device().map_err(js::error)?;
            let batcher = Batcher::new(shared.normalization.get(), device);
            let evaluation = evaluate(
                &model,
                &data.test,
                &batcher,
                EVAL_BATCH_SIZE.default_usize(),
                true,
            )
            .await
            .map_err(js::error)?;
            let kept = Kept {
                evaluation,
                data,
                model: shared.active.borrow().clone(),
                tta: model.has_tta(),
            };
            let value = summary_js(&kept)?;
            *shared.evaluation.borrow_mut() = Some(kept);
            Ok(value)
        })
    }

    /// The evaluation of the weights in use (as `evaluate` gives it), or `null` when they have
    /// not been evaluated on the loaded dataset. Training keeps its last one.
    #[wasm_bindgen(js_name = lastEvaluation)]
    pub fn last_evaluation(&self) -> Result<JsValue, JsValue> {
        match &*self.shared.evaluation.borrow() {
            Some(kept) => summary_js(kept),
            None => Ok(JsValue::NULL),
        }
    }

    /// The test images of one confusion-matrix cell (true class `label`, predicted
    /// `predicted`), most confident first, at most `limit`: `{items, rgba}`.
    #[wasm_bindgen(js_name = confusionCell)]
    pub fn confusion_cell(
        &self,
        label: u8,
        predicted: u8,
        limit: usize,
    ) -> Result<JsValue, JsValue> {
        let kept = self.shared.evaluation.borrow();
        let kept = kept.as_ref().ok_or_else(|| {
            codes::coded(
                "evaluate the weights first",
                ErrorCode::NotEvaluated,
                serde_json::json!({}),
            )
        })?;
        let items = kept.evaluation.cell(label, predicted, limit);
        let indices: Vec<usize> = items.iter().map(|j| j.index).collect();
        let cell = ConfusionCell {
            rgba: rgba(&kept.data.test, &indices),
            items,
        };
        let value: JsValue = js_sys::Object::new().into();
        js_sys::Reflect::set(&value, &"items".into(), &js::to_js(&cell.items))?;
        set(&value, "rgba", &cell.rgba)?;
        Ok(value)
    }
}
