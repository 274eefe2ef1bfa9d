//! The backward passes of Kiln's own operations, for burn's autodiff: it calls these for the
//! gradients of the parents that need one. The CPU path's convolution and pooling have their
//! gradients computed by the CPU kernels (`cpu/`); the fused ReLU's passes where the input was
//! positive, computed by the device's `fused_relu_backward` (one launch on WebGPU instead of
//! burn's two).

#[cfg(feature = "cpu")]
use burn::backend::TensorMetadata;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::FloatTensor;

#[cfg(feature = "cpu")]
use super::layers::CpuLayers;
use super::relu::FusedRelu;

#[cfg(feature = "cpu")]
impl<B: CpuLayers, C: CheckpointStrategy> CpuLayers for Autodiff<B, C> {
    fn conv2d_stride1(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        padding: [usize; 2],
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Conv;

        impl<B: CpuLayers> Backward<B, 3> for Conv {
            type State = (NodeId, NodeId, [usize; 2]);

            fn backward(
                self,
                ops: Ops<Self::State, 3>,
                grads: &mut Gradients,
                checkpointer: &mut Checkpointer,
            ) {
                let [node_x, node_weight, node_bias] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                let (x_state, weight_state, padding) = ops.state;
                let x: FloatTensor<B> = checkpointer.retrieve_node_output(x_state);
                let weight: FloatTensor<B> = checkpointer.retrieve_node_output(weight_state);

                if let Some(node) = node_x {
                    let input_grad =
                        B::conv2d_stride1_input_grad(weight.clone(), grad.clone(), padding);
                    grads.register::<B>(node.id, input_grad);
                }
                if node_weight.is_some() || node_bias.is_some() {
                    let shape = weight.shape().dims();
                    let (weight_grad, bias_grad) =
                        B::conv2d_stride1_param_grads(x, grad, shape, padding);
                    if let Some(node) = node_weight {
                        grads.register::<B>(node.id, weight_grad);
                    }
                    if let Some(node) = node_bias {
                        grads.register::<B>(node.id, bias_grad);
                    }
                }
            }
        }

        match Conv
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), padding);
                let out = B::conv2d_stride1(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                    padding,
                );
                prep.finish(state, out)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::conv2d_stride1(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                padding,
            )),
        }
    }

    fn conv2d_stride1_param_grads(
        _x: FloatTensor<Self>,
        _grad: FloatTensor<Self>,
        _weight_shape: [usize; 4],
        _padding: [usize; 2],
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        unreachable!("the backward pass calls the inner backend's")
    }

    fn conv2d_stride1_input_grad(
        _weight: FloatTensor<Self>,
        _grad: FloatTensor<Self>,
        _padding: [usize; 2],
    ) -> FloatTensor<Self> {
        unreachable!("the backward pass calls the inner backend's")
    }

    fn max_pool2(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Pool;

        impl<B: CpuLayers> Backward<B, 1> for Pool {
            type State = NodeId;

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                checkpointer: &mut Checkpointer,
            ) {
                let x: FloatTensor<B> = checkpointer.retrieve_node_output(ops.state);
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    B::max_pool2_backward(x, grad)
                });
            }
        }

        match Pool.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = prep.checkpoint(&x);
                prep.finish(state, B::max_pool2(x.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::max_pool2(x.into_primitive())),
        }
    }

    fn max_pool2_backward(_x: FloatTensor<Self>, _grad: FloatTensor<Self>) -> FloatTensor<Self> {
        unreachable!("the backward pass calls the inner backend's")
    }
}

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
