//! The backward passes of Kiln's own operations, for burn's autodiff: it calls these for the
//! gradients of the parents that need one. The convolution's, dense layer's and pooling's
//! gradients are computed by the device's kernels (`cpu/`, `gpu/`); the fused ReLU's passes where
//! the input was positive, computed by the device's `fused_relu_backward` (one launch on WebGPU
//! instead of burn's two), and GELU's by `fused_gelu_backward`; the loss's is the one its forward
//! pass wrote.

use burn::backend::AutodiffBackend;
use burn::backend::TensorMetadata;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::{FloatTensor, IntTensor};

use super::gelu::FusedGelu;
use super::layers::Layers;
use super::loss::{FusedLoss, LossParts};
use super::norm::{FusedNorm, NormGrads, NormParts};
use super::relu::FusedRelu;

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

/// The backward pass of a one-input operation whose gradient needs only that input (the 2×2
/// max pooling, the fused ReLU and GELU): `backward(input, grad)` on the inner backend.
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
