//! The fused loss's backward pass: the logits' gradient its forward pass wrote.

use burn::backend::AutodiffBackend;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::{FloatTensor, IntTensor};

use crate::kernels::loss::{FusedLoss, LossParts};

impl<B: FusedLoss, C: CheckpointStrategy> FusedLoss for Autodiff<B, C> {
    fn cross_entropy(
        logits: FloatTensor<Self>,
        targets: IntTensor<Self>,
        running: FloatTensor<Self>,
        add: bool,
        smoothing: f32,
    ) -> LossParts<Self> {
        /// The logits' gradient: the one the forward pass computed. The loss is the root of the
        /// backward pass (`Loss::backward`, the only way `kernels::cross_entropy` offers), so
        /// its own gradient is exactly 1 and scaling by it would change nothing but cost a
        /// launch.
        #[derive(Debug)]
        struct CrossEntropy;

        impl<B: burn::backend::Backend> Backward<B, 1> for CrossEntropy {
            type State = FloatTensor<B>;

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _checkpointer: &mut Checkpointer,
            ) {
                grads.consume::<B>(&ops.node);
                if let [Some(parent)] = ops.parents {
                    grads.register::<B>(parent.id, ops.state);
                }
            }
        }

        let node = logits.node();
        let running = running.into_primitive();
        let parts = B::cross_entropy(logits.into_primitive(), targets, running, add, smoothing);
        let loss = match CrossEntropy.prepare::<C>([node]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(parts.grad.clone(), parts.loss),
            OpsKind::UnTracked(prep) => prep.finish(parts.loss),
        };
        LossParts {
            loss,
            grad: <Self as AutodiffBackend>::from_inner(parts.grad),
            sums: <Self as AutodiffBackend>::from_inner(parts.sums),
        }
    }
}
