//! Evaluation on a held-out split: loss, accuracy, per-class accuracy and a confusion matrix.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{Batcher, NUM_CLASSES, Split};
use crate::model::Model;
use crate::train::events::Metrics;
use crate::train::read::{ReadError, read_floats, read_ints};

/// The result of evaluating a model on a split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub metrics: Metrics,
    /// `confusion[true_label][predicted_label]` = number of images.
    pub confusion: Vec<Vec<u32>>,
}

impl Evaluation {
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

/// Evaluate `model` (a validation copy: no autodiff) on `split`, in batches of `batch_size`.
///
/// Costs two device reads in total, whatever the size of the split.
pub async fn evaluate(
    model: &Model,
    split: &Split,
    batcher: &Batcher,
    batch_size: usize,
) -> Result<Evaluation, ReadError> {
    let loss_fn = CrossEntropyLossConfig::new().init(&batcher.device);
    let indices: Vec<usize> = (0..split.len()).collect();
    let mut loss_sum: Option<Tensor<1>> = None;
    let mut predictions = Vec::new();
    for chunk in indices.chunks(batch_size.max(1)) {
        let batch = batcher.batch(split, chunk);
        let logits = model.forward(batch.images); // [n, classes]
        let loss = loss_fn.forward(logits.clone(), batch.targets) * chunk.len() as f32;
        loss_sum = Some(match loss_sum {
            Some(sum) => sum + loss,
            None => loss,
        });
        predictions.push(logits.argmax(1).flatten::<1>(0, 1)); // [n]
    }
    let mut confusion = vec![vec![0u32; NUM_CLASSES]; NUM_CLASSES];
    let Some(loss_sum) = loss_sum else {
        return Ok(Evaluation {
            metrics: Metrics::default(),
            confusion,
        });
    };
    // The only two GPU→CPU syncs of an evaluation.
    let predicted = read_ints(Tensor::cat(predictions, 0)).await?;
    let loss_sum = read_floats(loss_sum).await?[0];
    let mut correct = 0usize;
    for (&truth, &pred) in split.labels().iter().zip(&predicted) {
        let pred = (pred.clamp(0, NUM_CLASSES as i64 - 1)) as usize;
        confusion[truth as usize][pred] += 1;
        correct += usize::from(truth as usize == pred);
    }
    let n = split.len();
    Ok(Evaluation {
        metrics: Metrics {
            loss: loss_sum / n as f32,
            accuracy: correct as f32 / n as f32,
            images: n,
        },
        confusion,
    })
}
