//! The backward passes of Kiln's own operations, for burn's autodiff: it calls these for the
//! gradients of the parents that need one. The convolution's, dense layer's and pooling's
//! gradients are computed by the device's kernels (`cpu/`, `gpu/`); the fused ReLU's passes where
//! the input was positive, computed by the device's `fused_relu_backward` (one launch on WebGPU
//! instead of burn's two), and GELU's by `fused_gelu_backward`; the loss's is the one its forward
//! pass wrote (`loss.rs`); BatchNorm with GELU's from its statistics (`norm.rs`).

use burn::backend::TensorMetadata;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::FloatTensor;

use super::gelu::FusedGelu;
use super::layers::Layers;
use super::relu::FusedRelu;

mod loss;
mod norm;

/// Which weighted layer a [`Weighted`] backward pass is for.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Conv { padding: [usize; 2] },
    Dense,
}

/// The backward pass of a convolution or a dense layer (`x`, weight, bias in; a ReLU perhaps
/// fused): the input's gradient from the weight, and the weight's and bias's from the input,
/// each one operation of the inner backend.
#[derive(Debug)]
struct Weighted;

impl<B: Layers> Backward<B, 3> for Weighted {
    /// The input's and weight's nodes, the layer's kind, and the output where the ReLU is fused
    /// (its gradient is zero where that is `≤ 0`).
    type State = (NodeId, NodeId, Kind, Option<FloatTensor<B>>);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, weight_state, kind, relu_out) = ops.state;
        let x: FloatTensor<B> = checkpointer.retrieve_node_output(x_state);
        let weight: FloatTensor<B> = checkpointer.retrieve_node_output(weight_state);
        let through_relu = relu_out.is_some();
        // Not read without the ReLU: any tensor of the right kind will do.
        let relu_out = relu_out.unwrap_or_else(|| grad.clone());

        if let Some(node) = node_x {
            let (weight, grad, relu_out) = (weight.clone(), grad.clone(), relu_out.clone());
            let input_grad = match kind {
                Kind::Conv { padding } => {
                    B::conv2d_stride1_input_grad(weight, grad, relu_out, through_relu, padding)
                }
                Kind::Dense => B::dense_input_grad(weight, grad, relu_out, through_relu),
            };
            grads.register::<B>(node.id, input_grad);
        }
        if node_weight.is_some() || node_bias.is_some() {
            let (weight_grad, bias_grad) = match kind {
                Kind::Conv { padding } => {
                    let shape = weight.shape().dims();
                    B::conv2d_stride1_param_grads(x, grad, relu_out, through_relu, shape, padding)
                }
                Kind::Dense => B::dense_param_grads(x, grad, relu_out, through_relu),
            };
            if let Some(node) = node_weight {
                grads.register::<B>(node.id, weight_grad);
            }
            if let Some(node) = node_bias {
                grads.register::<B>(node.id, bias_grad);
            }
        }
    }
}

/// `forward(x, weight, bias)` of a weighted layer recorded for autodiff, with the output kept
/// for the backward pass where `relu` is fused into it.
fn weighted<B: Layers, C: CheckpointStrategy>(
    [x, weight, bias]: [FloatTensor<Autodiff<B, C>>; 3],
    kind: Kind,
    relu: bool,
    forward: impl FnOnce(FloatTensor<B>, FloatTensor<B>, FloatTensor<B>) -> FloatTensor<B>,
) -> FloatTensor<Autodiff<B, C>> {
    match Weighted
        .prepare::<C>([x.node(), weight.node(), bias.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(mut prep) => {
            let (x_state, weight_state) = (prep.checkpoint(&x), prep.checkpoint(&weight));
            let out = forward(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
            );
            let relu_out = relu.then(|| out.clone());
            prep.finish((x_state, weight_state, kind, relu_out), out)
        }
        OpsKind::UnTracked(prep) => prep.finish(forward(
            x.into_primitive(),
            weight.into_primitive(),
            bias.into_primitive(),
        )),
    }
}

impl<B: Layers, C: CheckpointStrategy> Layers for Autodiff<B, C> {
    fn conv2d_stride1(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        has_bias: bool,
        padding: [usize; 2],
        relu: bool,
    ) -> FloatTensor<Self> {
        weighted::<B, C>(
            [x, weight, bias],
            Kind::Conv { padding },
            relu,
            |x, w, b| B::conv2d_stride1(x, w, b, has_bias, padding, relu),
        )
    }

    fn dense(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        has_bias: bool,
        relu: bool,
    ) -> FloatTensor<Self> {
        weighted::<B, C>([x, weight, bias], Kind::Dense, relu, |x, w, b| {
            B::dense(x, w, b, has_bias, relu)
        })
    }

    fn dense_input_grad(
        _weight: FloatTensor<Self>,
        _grad: FloatTensor<Self>,
        _relu_out: FloatTensor<Self>,
        _through_relu: bool,
    ) -> FloatTensor<Self> {
        unreachable!("the backward pass calls the inner backend's")
    }

    fn dense_param_grads(
        _x: FloatTensor<Self>,
        _grad: FloatTensor<Self>,
        _relu_out: FloatTensor<Self>,
        _through_relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        unreachable!("the backward pass calls the inner backend's")
    }

    fn conv2d_stride1_param_grads(
        _x: FloatTensor<Self>,
        _grad: FloatTensor<Self>,
        _relu_out: FloatTensor<Self>,
        _through_relu: bool,
        _weight_shape: [usize; 4],
        _padding: [usize; 2],
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        unreachable!("the backward pass calls the inner backend's")
    }

    fn conv2d_stride1_input_grad(
        _weight: FloatTensor<Self>,
        _grad: FloatTensor<Self>,
        _relu_out: FloatTensor<Self>,
        _through_relu: bool,
        _padding: [usize; 2],
    ) -> FloatTensor<Self> {
        unreachable!("the backward pass calls the inner backend's")
    }

    fn max_pool2(x: FloatTensor<Self>) -> FloatTensor<Self> {
        backward_from_input::<B, C>(x, B::max_pool2, B::max_pool2_backward)
    }

    fn max_pool2_backward(_x: FloatTensor<Self>, _grad: FloatTensor<Self>) -> FloatTensor<Self> {
        unreachable!("the backward pass calls the inner backend's")
    }

    fn max_plane(x: FloatTensor<Self>) -> FloatTensor<Self> {
        backward_from_input::<B, C>(x, B::max_plane, B::max_plane_backward)
    }

    fn max_plane_backward(_x: FloatTensor<Self>, _grad: FloatTensor<Self>) -> FloatTensor<Self> {
        unreachable!("the backward pass calls the inner backend's")
    }
}

impl<B: FusedGelu, C: CheckpointStrategy> FusedGelu for Autodiff<B, C> {
    fn fused_gelu(input: FloatTensor<Self>) -> FloatTensor<Self> {
        backward_from_input::<B, C>(input, B::fused_gelu, B::fused_gelu_backward)
    }
}

impl<B: FusedRelu, C: CheckpointStrategy> FusedRelu for Autodiff<B, C> {
    fn fused_relu(input: FloatTensor<Self>) -> FloatTensor<Self> {
        backward_from_input::<B, C>(input, B::fused_relu, B::fused_relu_backward)
    }
}

/// The backward pass of a one-input operation whose gradient needs only that input (the max
/// poolings, the fused ReLU and GELU): `backward(input, grad)` on the inner backend.
#[derive(Debug)]
struct FromInput<B: burn::backend::Backend> {
    backward: fn(FloatTensor<B>, FloatTensor<B>) -> FloatTensor<B>,
}

impl<B: burn::backend::Backend> Backward<B, 1> for FromInput<B> {
    type State = NodeId;

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let input: FloatTensor<B> = checkpointer.retrieve_node_output(ops.state);
        unary::<B, _>(ops.parents, ops.node, grads, |grad| {
            (self.backward)(input, grad)
        });
    }
}

/// `forward(input)` recorded for autodiff, its gradient given by `backward(input, grad)`.
fn backward_from_input<B: burn::backend::Backend, C: CheckpointStrategy>(
    input: FloatTensor<Autodiff<B, C>>,
    forward: fn(FloatTensor<B>) -> FloatTensor<B>,
    backward: fn(FloatTensor<B>, FloatTensor<B>) -> FloatTensor<B>,
) -> FloatTensor<Autodiff<B, C>> {
    match (FromInput { backward })
        .prepare::<C>([input.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(mut prep) => {
            let state = prep.checkpoint(&input);
            prep.finish(state, forward(input.into_primitive()))
        }
        OpsKind::UnTracked(prep) => prep.finish(forward(input.into_primitive())),
    }
}
