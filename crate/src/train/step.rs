//! What every step of a run works with (its [`Plan`]) and one training step: forward, loss,
//! backward, update. The loop over epochs and steps is in `run`.

use burn::optim::{GradientsParams, ModuleOptimizer};
use rand::rngs::StdRng;

use crate::data::{Batcher, Cifar10, Split};
use crate::kernels;
use crate::model::Model;
use crate::train::config::TrainingConfig;
use crate::train::trainer::{TrainError, Trainer};
use crate::train::watch::Watch;
use crate::train::window::Window;

/// What a run works with, fixed for all its epochs.
pub(super) struct Plan<'a> {
    pub(super) config: TrainingConfig,
    pub(super) data: &'a Cifar10,
    /// Training images used per epoch (`train_limit` applied).
    pub(super) train_len: usize,
    pub(super) test: Split,
    pub(super) batcher: Batcher,
    pub(super) eval_batcher: Batcher,
    /// The recipe's label smoothing (0: none), for the loss.
    pub(super) smoothing: f32,
    pub(super) steps_per_epoch: usize,
    /// Steps of the whole run, from its first epoch: the schedule's and the averaging's scale.
    pub(super) total_steps: usize,
    pub(super) first_epoch: usize,
}

impl Trainer {
    /// What a run of this trainer on `data` works with; refused without training images.
    pub(super) fn plan<'a>(&self, data: &'a Cifar10) -> Result<Plan<'a>, TrainError> {
        let config = self.config.clone();
        let train_len = config
            .train_limit
            .map_or(data.train.len(), |l| l.min(data.train.len()));
        if train_len == 0 {
            return Err(TrainError::NoTrainingData);
        }
        let mut test = data.test.clone();
        if let Some(limit) = config.test_limit {
            test.truncate(limit);
        }
        let steps_per_epoch = train_len.div_ceil(config.batch_size);
        Ok(Plan {
            smoothing: config.recipe.label_smoothing,
            steps_per_epoch,
            total_steps: steps_per_epoch * config.epochs,
            config,
            data,
            train_len,
            test,
            batcher: Batcher::new(self.normalization, self.device.clone()),
            eval_batcher: Batcher::new(self.normalization, self.device.clone().inner()),
            first_epoch: self.history.epochs_done(),
        })
    }
}

/// One step's images (their indices in the training split), its epoch and learning rate.
pub(super) struct StepImages<'a> {
    pub(super) epoch: usize,
    pub(super) chunk: &'a [usize],
    pub(super) lr: f64,
}

/// One optimiser step on the images `chunk` names: forward, loss, backward, update. The loss
/// and accuracy are added to `window` on the device, by the loss's own operation. With `watch`,
/// the step also begins a look inside the network (its hidden outputs, gradients and the
/// weights before the update).
pub(super) fn train_step(
    model: Model,
    optimizer: &mut ModuleOptimizer,
    plan: &Plan<'_>,
    StepImages { epoch, chunk, lr }: StepImages<'_>,
    rng: &mut StdRng,
    window: &mut Window,
    watch: bool,
) -> (Model, Option<Watch>) {
    let config = &plan.config;
    let batch = plan.batcher.augmented_batch(
        &plan.data.train,
        chunk,
        &config.augmentation,
        (config.seed, epoch),
        rng,
    );
    let (logits, hidden) = if watch {
        let (logits, hidden) = model.forward_hidden(batch.images);
        (logits, Some(hidden))
    } else {
        (model.forward(batch.images), None)
    }; // logits: [batch, classes]
    model.settle_statistics();
    let loss = kernels::cross_entropy(logits, batch.targets, plan.smoothing, window.sums());
    window.add(loss.sums.clone(), chunk.len());
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let activation = config.model.activation;
    let watched =
        hidden.map(|hidden| Watch::start(&model, loss.value(), &grads, hidden, activation));
    (optimizer.step(lr, model, grads), watched)
}
