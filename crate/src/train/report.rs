//! One evaluation as every reader gets it: `kiln eval --json`, the page's evaluation views and
//! the tests read the same fields, under the same names.

use serde::Serialize;

use crate::train::eval::{Evaluation, Judged};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct EvaluationReport {
    /// Share of the images classified right.
    pub accuracy: f32,
    /// Mean cross-entropy.
    pub loss: f32,
    pub images: usize,
    /// Per true class; `None` for a class with no image.
    pub per_class_accuracy: Vec<Option<f32>>,
    /// `confusion[true_label][predicted_label]` = number of images.
    pub confusion: Vec<Vec<u32>>,
    /// Images per true class (the confusion matrix' row sums).
    pub test_per_class: Vec<u32>,
    pub class_names: Vec<String>,
    /// The most confident mistakes, most confident first ([`Evaluation::MISTAKES_SHOWN`]).
    pub misclassified: Vec<Judged>,
    /// The network evaluated (`seed`, `airbench`).
    pub network: String,
    /// Whether the network's test-time augmentation was used.
    pub tta: bool,
}

impl Evaluation {
    /// The report of this evaluation of `network` (with its test-time augmentation when `tta`).
    pub fn report(&self, class_names: &[String], network: &str, tta: bool) -> EvaluationReport {
        EvaluationReport {
            accuracy: self.metrics.accuracy,
            loss: self.metrics.loss,
            images: self.metrics.images,
            per_class_accuracy: self.per_class_accuracy(),
            confusion: self.confusion.clone(),
            test_per_class: self.confusion.iter().map(|row| row.iter().sum()).collect(),
            class_names: class_names.to_vec(),
            misclassified: self.most_confident_mistakes(Self::MISTAKES_SHOWN),
            network: network.to_string(),
            tta,
        }
    }
}
