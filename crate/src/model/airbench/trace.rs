//! airbench traced layer by layer for one image ([`Tracer`]): the page's drawing of it. The
//! same operations as [`Airbench::forward`], every layer's output kept.

use burn::prelude::*;

use crate::kernels;
use crate::kernels::gelu;
use crate::model::airbench::layers::{Airbench, OUTPUT_SCALE};
use crate::model::trace::{Op, Tracer, as_maps};

impl Airbench {
    /// Every layer's output for `images` (one image), with the operation that made it, each
    /// block's inner layers grouped under its name: the same operations as
    /// [`Airbench::forward`].
    pub fn trace(&self, images: Tensor<4>) -> Tracer {
        const BLOCKS: [[&str; 5]; 3] = [
            [
                "block1.conv1",
                "block1.pool",
                "block1.norm1",
                "block1.conv2",
                "block1",
            ],
            [
                "block2.conv1",
                "block2.pool",
                "block2.norm1",
                "block2.conv2",
                "block2",
            ],
            [
                "block3.conv1",
                "block3.pool",
                "block3.norm1",
                "block3.conv2",
                "block3",
            ],
        ];
        let mut t = Tracer::default();
        t.push("input", None, Op::Input, None, images);
        let pre = kernels::conv2d(&self.whiten, t.last()); // [1, 24, 31, 31]
        let op = Op::conv(&self.whiten, 0, "gelu");
        t.push("whiten", None, op, Some(pre.clone()), gelu(pre));
        for (block, names) in [&self.block1, &self.block2, &self.block3]
            .into_iter()
            .zip(BLOCKS)
        {
            let group = Some(names[4]);
            let x = kernels::conv2d(&block.conv1, t.last());
            t.push(
                names[0],
                group,
                Op::conv(&block.conv1, 1, "linear"),
                None,
                x,
            );
            let x = kernels::max_pool2d(&block.pool, t.last());
            t.push(names[1], group, Op::Pool { size: 2 }, None, x);
            let x = gelu(block.norm1.forward(t.last()));
            t.push(names[2], group, Op::NormGelu, None, x);
            let x = kernels::conv2d(&block.conv2, t.last());
            t.push(
                names[3],
                group,
                Op::conv(&block.conv2, 1, "linear"),
                None,
                x,
            );
            let x = gelu(block.norm2.forward(t.last()));
            t.push(names[4], None, Op::NormGelu, None, x);
        }
        let x = kernels::max_pool2d(&self.pool, t.last()); // [1, 256, 1, 1]
        t.push("pool", None, Op::Pool { size: 3 }, None, x);
        let sum = self.linear.forward(t.last().flatten(1, 3)); // [1, classes]
        let logits = sum.clone().mul_scalar(OUTPUT_SCALE);
        let op = Op::logits(&self.linear, OUTPUT_SCALE);
        t.push("linear", None, op, Some(as_maps(sum)), as_maps(logits));
        t
    }
}
