//! The fused ReLU's backward pass: the gradient passes where the input was positive, computed by
//! the device's `fused_relu_backward` (one launch on WebGPU instead of burn's two).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::FloatTensor;

use super::FusedRelu;

impl<B: FusedRelu, C: CheckpointStrategy> FusedRelu for Autodiff<B, C> {
    fn fused_relu(input: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Relu;

        impl<B: FusedRelu> Backward<B, 1> for Relu {
            type State = NodeId;

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                checkpointer: &mut Checkpointer,
            ) {
                let input: FloatTensor<B> = checkpointer.retrieve_node_output(ops.state);
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    B::fused_relu_backward(input, grad)
                });
            }
        }

        match Relu.prepare::<C>([input.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = prep.checkpoint(&input);
                prep.finish(state, B::fused_relu(input.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::fused_relu(input.into_primitive())),
        }
    }
}
