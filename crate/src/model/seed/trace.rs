//! The seed traced layer by layer for one image ([`Tracer`]): the page's drawing of it. The
//! same operations as [`SeedCnn::forward`], every layer's output kept.

use burn::prelude::*;

use crate::kernels;
use crate::model::activation;
use crate::model::seed::SeedCnn;
use crate::model::trace::{Op, Tracer, as_maps};

impl SeedCnn {
    /// Every layer's output for `images` (one image), with the operation that made it: the
    /// same operations as [`SeedCnn::forward`].
    pub fn trace(&self, images: Tensor<4>) -> Tracer {
        let act = activation::name_of(&self.activation);
        let mut t = Tracer::default();
        t.push("input", None, Op::Input, None, images);
        let convs = [
            ("conv1", &self.conv1, Some("pool1")),
            ("conv2", &self.conv2, Some("pool2")),
            ("conv3", &self.conv3, None),
        ];
        for (name, conv, pool) in convs {
            let pre = kernels::conv2d(conv, t.last());
            let out = activation::apply(&self.activation, pre.clone());
            t.push(name, None, Op::conv(conv, 0, act), Some(pre), out);
            if let Some(pool) = pool {
                let out = kernels::max_pool2d(&self.pool, t.last());
                t.push(pool, None, Op::Pool { size: 2 }, None, out);
            }
        }
        let pre = self.fc1.forward(t.last().flatten(1, 3)); // [1, 64]
        let out = activation::apply(&self.activation, pre.clone());
        let op = Op::dense(&self.fc1, act);
        t.push("fc1", None, op, Some(as_maps(pre)), as_maps(out));
        let logits = self.fc2.forward(t.last().flatten(1, 3)); // [1, classes]
        let op = Op::logits(&self.fc2, 1.0);
        t.push(
            "fc2",
            None,
            op,
            Some(as_maps(logits.clone())),
            as_maps(logits),
        );
        t
    }
}
