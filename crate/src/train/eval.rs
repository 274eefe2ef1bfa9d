//! Evaluation on a held-out split: loss, accuracy, per-class accuracy and a confusion matrix.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::data::{Batcher, NUM_CLASSES, Split};
use crate::model::Model;
use crate::read::{ReadError, read_floats, read_ints};
use crate::train::events::Metrics;

/// The result of evaluating a model on a split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub metrics: Metrics,
    /// `confusion[true_label][predicted_label]` = number of images.
    pub confusion: Vec<Vec<u32>>,
    /// The predicted class of every image of the split, in order.
    #[serde(skip)]
    pub predicted: Vec<u8>,
    /// The probability the model gave its predicted class, per image.
    #[serde(skip)]
    pub confidence: Vec<f32>,
    /// The true class of every image.
    #[serde(skip)]
    pub labels: Vec<u8>,
}

/// One image of a split with what the model made of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Judged {
    /// Position in the split.
    pub index: usize,
    pub label: u8,
    pub predicted: u8,
    /// Probability of the predicted class.
    pub confidence: f32,
}

/// The test images of one confusion-matrix cell (`confusionCell`'s answer): what the model
/// made of each, and their pixels, 32×32 RGBA one after another. The web layer hands `rgba`
/// over as a `Uint8Array`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct ConfusionCell {
    pub items: Vec<Judged>,
    #[cfg_attr(test, ts(type = "Uint8Array<ArrayBuffer>"))]
    pub rgba: Vec<u8>,
}

impl Evaluation {
    /// How many of the most confident mistakes Kiln shows: the page's gallery and
    /// `kiln eval --json` list as many.
    pub const MISTAKES_SHOWN: usize = 24;

    /// The images the model got wrong, most confident first, at most `limit`.
    pub fn most_confident_mistakes(&self, limit: usize) -> Vec<Judged> {
        self.select(|label, predicted| label != predicted, limit)
    }

    /// The images of one confusion-matrix cell, most confident first, at most `limit`.
    pub fn cell(&self, label: u8, predicted: u8, limit: usize) -> Vec<Judged> {
        self.select(|l, p| l == label && p == predicted, limit)
    }

    fn select(&self, keep: impl Fn(u8, u8) -> bool, limit: usize) -> Vec<Judged> {
        let mut picked: Vec<Judged> = (0..self.predicted.len())
            .filter(|&i| keep(self.labels[i], self.predicted[i]))
            .map(|i| Judged {
                index: i,
                label: self.labels[i],
                predicted: self.predicted[i],
                confidence: self.confidence[i],
            })
            .collect();
        picked.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.index.cmp(&b.index))
        });
        picked.truncate(limit);
        picked
    }

    /// Accuracy per true class (`None` where the split has no image of that class).
    pub fn per_class_accuracy(&self) -> Vec<Option<f32>> {
        self.confusion
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let total: u32 = row.iter().sum();
                (total > 0).then(|| row[c] as f32 / total as f32)
            })
            .collect()
    }
}

/// Evaluate `model` (a validation copy: no autodiff) on `split`, in batches of `batch_size`,
/// with the test-time augmentation of the network's recipe when `tta` (see [`Model::infer`]).
///
/// Costs two device reads in total, whatever the size of the split.
pub async fn evaluate(
    model: &Model,
    split: &Split,
    batcher: &Batcher,
    batch_size: usize,
    tta: bool,
) -> Result<Evaluation, ReadError> {
    let loss_fn = CrossEntropyLossConfig::new().init(&batcher.device);
    let indices: Vec<usize> = (0..split.len()).collect();
    let mut loss_sum: Option<Tensor<1>> = None;
    let mut predictions = Vec::new();
    let mut confidences = Vec::new();
    for chunk in indices.chunks(batch_size.max(1)) {
        let batch = batcher.batch(split, chunk);
        let logits = match tta {
            true => model.infer(batch.images),
            false => model.forward(batch.images),
        }; // [n, classes]
        let loss = loss_fn.forward(logits.clone(), batch.targets) * chunk.len() as f32;
        loss_sum = Some(match loss_sum {
            Some(sum) => sum + loss,
            None => loss,
        });
        predictions.push(logits.clone().argmax(1).flatten::<1>(0, 1)); // [n]
        confidences.push(softmax(logits, 1).max_dim(1).flatten::<1>(0, 1)); // [n]
    }
    let mut confusion = vec![vec![0u32; NUM_CLASSES]; NUM_CLASSES];
    let Some(loss_sum) = loss_sum else {
        return Ok(Evaluation {
            metrics: Metrics::default(),
            confusion,
            predicted: vec![],
            confidence: vec![],
            labels: vec![],
        });
    };
    // The only two GPU→CPU syncs of an evaluation: predicted classes, then the confidences
    // with the loss sum appended.
    let predicted = read_ints(Tensor::cat(predictions, 0)).await?;
    confidences.push(loss_sum);
    let mut confidence = read_floats(Tensor::cat(confidences, 0)).await?;
    let loss_sum = confidence.pop().unwrap_or(f32::NAN);
    let predicted: Vec<u8> = predicted
        .iter()
        .map(|&p| p.clamp(0, NUM_CLASSES as i64 - 1) as u8)
        .collect();
    let mut correct = 0usize;
    for (&truth, &pred) in split.labels().iter().zip(&predicted) {
        confusion[truth as usize][pred as usize] += 1;
        correct += usize::from(truth == pred);
    }
    let n = split.len();
    Ok(Evaluation {
        metrics: Metrics {
            loss: loss_sum / n as f32,
            accuracy: correct as f32 / n as f32,
            images: n,
        },
        confusion,
        predicted,
        confidence,
        labels: split.labels().to_vec(),
    })
}
