//! The training loss as one operation: softmax, cross-entropy (with label smoothing where the
//! recipe has it), its gradient with respect to the logits, and the step's loss and right-answer
//! sums for the progress reports.
//!
//! burn's `CrossEntropyLoss` composes a log-softmax, a gather (or a smoothed one-hot target and a
//! product), a sum and a mean, and its gradient runs back through each; the progress window then
//! takes an arg-max, a comparison, a cast and sums. On WebGPU that was about twenty launches a
//! step. Here the forward pass is one kernel (`gpu/loss.rs`) that also writes the gradient, which
//! the backward pass hands on (the loss is the root of the backward pass, its gradient exactly 1:
//! no launch); the sums come out with the loss, added to the progress window's running sums.
//! On burn flex it is one pass over the logits (`cpu/loss.rs`). The value is burn's:
//! `mean_i(−Σ_c t_ic · log softmax(z_i)_c)` with `t = (1 − α)·onehot + α/C`, and the gradient
//! `(softmax(z_i) − t_i) / batch`; [`reference::cross_entropy`] composes it from burn's
//! operations, and `check/` holds the fused one to it.

use burn::backend::tensor::IntTensor;
use burn::backend::{Dispatch, ExtensionType, backend_extension, tensor::FloatTensor};
use burn::prelude::*;
use burn::tensor::DType;

use super::reference;

/// What the fused loss computes in one pass.
#[derive(ExtensionType)]
pub struct LossParts<B: burn::backend::Backend> {
    /// `[1]`: the batch's mean loss, the value trained on.
    pub loss: FloatTensor<B>,
    /// `[batch, classes]`: the mean loss's gradient with respect to the logits.
    pub grad: FloatTensor<B>,
    /// `[2]`: the batch's summed loss and how many of its images the logits got right (the first
    /// of equal largest logits is the answer), added to the running sums given.
    pub sums: FloatTensor<B>,
}

#[backend_extension(Autodiff, Flex: cfg(feature = "cpu"), Cube: cfg(feature = "webgpu"))]
pub trait FusedLoss: burn::backend::Backend {
    /// The loss of `logits` `[batch, classes]` against `targets` `[batch]` (class indices),
    /// with label smoothing `smoothing` (0 for none); its sums are added to `running` (`[2]`)
    /// where `add` (otherwise `running` is not read: burn's extensions take no optional tensor).
    fn cross_entropy(
        logits: FloatTensor<Self>,
        targets: IntTensor<Self>,
        running: FloatTensor<Self>,
        add: bool,
        smoothing: f32,
    ) -> LossParts<Self>;
}

/// A step's loss, and the progress window's sums with it. The loss is meant to be the root of the
/// backward pass ([`Loss::backward`]): its gradient is then exactly 1, and the fused operation's
/// backward pass hands on the logits' gradient its forward pass computed, unscaled, without a
/// launch. So the tracked loss stays private; [`Loss::value`] is its number, untracked.
pub struct Loss {
    /// `[1]`: the mean loss, tracked for the backward pass.
    loss: Tensor<1>,
    /// `[2]`, on the inner device: the running sums given plus this step's summed loss and
    /// number of right answers.
    pub sums: Tensor<1>,
}

impl Loss {
    pub(super) fn new(loss: Tensor<1>, sums: Tensor<1>) -> Self {
        Self { loss, sums }
    }

    /// `[1]`, on the inner device: the mean loss.
    pub fn value(&self) -> Tensor<1> {
        self.loss.clone().inner()
    }

    /// The gradients of the loss, from it as the root.
    pub fn backward(&self) -> burn::tensor::Gradients {
        self.loss.backward()
    }
}

/// The cross-entropy of `logits` against `targets` with label smoothing `smoothing`, and the
/// step's sums added to `running` (`[2]` on the inner device; none for zeros): one fused
/// operation each way for f32, burn's composition for other types.
pub fn cross_entropy(
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
    smoothing: f32,
    running: Option<Tensor<1>>,
) -> Loss {
    if logits.dtype() != DType::F32 {
        let (loss, sums) = reference::cross_entropy(logits, targets, smoothing, running);
        return Loss::new(loss, sums);
    }
    let add = running.is_some();
    let running = match running {
        Some(running) => Tensor::<1>::from_inner(running).into_dispatch(),
        None => logits.clone().detach().into_dispatch(),
    };
    let parts = Dispatch::cross_entropy(
        logits.into_dispatch(),
        targets.into_dispatch(),
        running,
        add,
        smoothing,
    );
    Loss {
        loss: Tensor::from_dispatch(parts.loss),
        sums: Tensor::<1>::from_dispatch(parts.sums).inner(),
    }
}
