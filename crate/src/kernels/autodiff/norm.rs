//! BatchNorm with GELU's backward pass: the gradients of the input, scale and shift from the
//! input and the batch's statistics, one operation of the inner backend.

use burn::backend::AutodiffBackend;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;

use crate::kernels::norm::{FusedNorm, NormGrads, NormParts};

impl<B: FusedNorm, C: CheckpointStrategy> FusedNorm for Autodiff<B, C> {
    fn batch_norm_gelu(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        running_mean: FloatTensor<Self>,
        running_var: FloatTensor<Self>,
        momentum: f64,
        epsilon: f64,
    ) -> NormParts<Self> {
        /// The gradients of `x`, `gamma` and `beta`, from `x` and the batch's statistics.
        #[derive(Debug)]
        struct NormGelu;

        impl<B: FusedNorm> Backward<B, 3> for NormGelu {
            /// `x`'s node; `gamma`, `beta`, the batch's statistics and `epsilon`.
            type State = (NodeId, [FloatTensor<B>; 3], f64);

            fn backward(
                self,
                ops: Ops<Self::State, 3>,
                grads: &mut Gradients,
                checkpointer: &mut Checkpointer,
            ) {
                let grad = grads.consume::<B>(&ops.node);
                let (x_state, [gamma, beta, stats], epsilon) = ops.state;
                let x: FloatTensor<B> = checkpointer.retrieve_node_output(x_state);
                let g = B::batch_norm_gelu_backward(x, gamma, beta, stats, epsilon, grad);
                let [node_x, node_gamma, node_beta] = ops.parents;
                for (node, grad) in [(node_x, g.x), (node_gamma, g.gamma), (node_beta, g.beta)] {
                    if let Some(node) = node {
                        grads.register::<B>(node.id, grad);
                    }
                }
            }
        }

        let nodes = [x.node(), gamma.node(), beta.node()];
        let (gamma, beta) = (gamma.into_primitive(), beta.into_primitive());
        let (running_mean, running_var) =
            (running_mean.into_primitive(), running_var.into_primitive());
        let forward = |x| {
            B::batch_norm_gelu(
                x,
                gamma.clone(),
                beta.clone(),
                running_mean,
                running_var,
                momentum,
                epsilon,
            )
        };
        let (output, parts) = match NormGelu.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let parts = forward(x.into_primitive());
                let state = (x_state, [gamma, beta, parts.stats.clone()], epsilon);
                (prep.finish(state, parts.output.clone()), parts)
            }
            OpsKind::UnTracked(prep) => {
                let parts = forward(x.into_primitive());
                (prep.finish(parts.output.clone()), parts)
            }
        };
        NormParts {
            output,
            stats: <Self as AutodiffBackend>::from_inner(parts.stats),
            running_mean: <Self as AutodiffBackend>::from_inner(parts.running_mean),
            running_var: <Self as AutodiffBackend>::from_inner(parts.running_var),
        }
    }

    fn batch_norm_gelu_backward(
        _x: FloatTensor<Self>,
        _gamma: FloatTensor<Self>,
        _beta: FloatTensor<Self>,
        _stats: FloatTensor<Self>,
        _epsilon: f64,
        _grad: FloatTensor<Self>,
    ) -> NormGrads<Self> {
        unreachable!("the backward pass calls the inner backend's")
    }
}
