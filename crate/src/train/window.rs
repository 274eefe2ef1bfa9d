//! Progress reports that do not stall the device. Loss and accuracy are summed on the device
//! between two reports, so a report costs one read however many steps it covers. That read
//! runs while the next steps are queued: the training loop polls it between steps, and waits
//! for it only when the next report is due. Waiting at once would drain the WebGPU queue once
//! per report and leave the GPU idle while the CPU prepares the next step (about 20% of the
//! throughput on a software GPU, where a step takes seconds and every report is one step);
//! never waiting would let the CPU queue a whole epoch ahead of a slow GPU (no live progress,
//! a late Stop, memory held by the queued steps). So the CPU stays at most one report interval
//! ahead of the device.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use burn::prelude::*;
use burn::tensor::Transaction;
use web_time::Instant;

use crate::insight::network::{Drawing, NetworkView};
use crate::insight::{Insight, Measured};
use crate::read::{ReadError, read_transaction};

/// Loss and accuracy summed on the device since the last report.
pub struct Window {
    /// `[loss sum, correct count]`, no autodiff; none before the window's first step.
    sums: Option<Tensor<1>>,
    images: usize,
    start: Instant,
    /// The learning rate of the window's last step.
    learning_rate: f64,
    /// A look inside the network taken on one of the window's steps, read with its sums.
    insight: Option<Measured>,
    /// The page's drawing of the network after one of the window's steps, read with its sums.
    drawing: Option<Drawing>,
}

/// What a window held, read back.
#[derive(Debug, Clone)]
pub struct Totals {
    pub loss_sum: f64,
    pub correct: usize,
    pub images: usize,
    /// From the window's first step to the start of its read.
    pub seconds: f64,
    /// The learning rate of the window's last step.
    pub learning_rate: f64,
    pub insight: Option<Insight>,
    pub network: Option<NetworkView>,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            sums: None,
            images: 0,
            start: Instant::now(),
            learning_rate: 0.0,
            insight: None,
            drawing: None,
        }
    }
}

impl Window {
    /// The learning rate of the step being added, which the report shows.
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    /// Read `insight` with this window's sums (replacing one attached before).
    pub fn attach(&mut self, insight: Measured) {
        self.insight = Some(insight);
    }

    /// Read `drawing` with this window's sums (replacing one attached before).
    pub fn attach_drawing(&mut self, drawing: Drawing) {
        self.drawing = Some(drawing);
    }

    /// The window's running sums (`[2]`; none before its first step), for the step's loss to add
    /// its own to ([`crate::kernels::cross_entropy`]) without a launch of its own.
    pub fn sums(&self) -> Option<Tensor<1>> {
        self.sums.clone()
    }

    /// Add a step of `n` images: `sums` are the window's running sums with the step's summed
    /// loss and right answers added (`[2]`).
    pub fn add(&mut self, sums: Tensor<1>, n: usize) {
        self.sums = Some(sums);
        self.images += n;
    }

    pub fn age(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    pub fn is_empty(&self) -> bool {
        self.images == 0
    }

    /// Start reading the window back; `step` is the step it ends with. The read is issued here
    /// (on the CPU it is already done when this returns).
    pub fn read(self, step: usize) -> PendingRead {
        let (images, seconds, learning_rate) = (self.images, self.age(), self.learning_rate);
        let future = async move {
            // A window without a step has nothing on the device to read: its sums are zeros.
            let summed = self.sums.is_some();
            let mut transaction = Transaction::default();
            if let Some(sums) = self.sums {
                transaction = transaction.register(sums);
            }
            if let Some(measured) = &self.insight {
                transaction = measured.register(transaction);
            }
            if let Some(drawing) = &self.drawing {
                transaction = drawing.register(transaction);
            }
            let mut values = read_transaction(transaction).await?;
            let sums = match summed {
                true => values
                    .next()
                    .unwrap_or_else(|| Err(ReadError("a report's sums were not read".into())))?,
                false => vec![0.0; 2],
            };
            let insight = (self.insight.as_ref())
                .map(|measured| measured.decode(&mut values))
                .transpose()?;
            let network = (self.drawing.as_ref())
                .map(|drawing| drawing.decode(&mut values))
                .transpose()?;
            Ok(Totals {
                loss_sum: sums[0] as f64,
                correct: sums[1].round() as usize,
                images,
                seconds,
                learning_rate,
                insight,
                network,
            })
        };
        let mut pending = PendingRead {
            future: Some(Box::pin(future)),
            step,
            done: None,
        };
        pending.poll();
        pending
    }
}

type ReadFuture = Pin<Box<dyn Future<Output = Result<Totals, ReadError>>>>;

/// A window's read in flight. Dropped before it has finished (training stopped, or failed), it
/// finishes on its own: cubecl-wgpu hands the read's staging buffer back to its pool when the
/// read is dropped, while the buffer's map is still pending, and the next read would copy into
/// that buffer, which WebGPU rejects ("used in submit while pending map") and the device is lost.
pub struct PendingRead {
    /// `None` once taken by `finish` or `drop`.
    future: Option<ReadFuture>,
    /// The step the window ended with.
    pub step: usize,
    done: Option<Result<Totals, ReadError>>,
}

impl PendingRead {
    /// Whether the read has finished (polls it once, without waiting).
    pub fn poll(&mut self) -> bool {
        if self.done.is_none()
            && let Some(future) = self.future.as_mut()
            && let Poll::Ready(result) = future
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
        {
            self.done = Some(result);
            self.future = None;
        }
        self.done.is_some()
    }

    /// The totals, waiting for the read if it has not finished.
    pub async fn finish(mut self) -> Result<Totals, ReadError> {
        if let Some(result) = self.done.take() {
            return result;
        }
        let future = self
            .future
            .take()
            .expect("a read not finished is in flight");
        future.await
    }
}

impl Drop for PendingRead {
    fn drop(&mut self) {
        let Some(future) = self.future.take() else {
            return;
        };
        // In the browser, let the read run to its end in the background. Natively, wait for it
        // here: on the CPU it finished when it was issued, and on a native GPU it is one copy
        // already queued.
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_futures::spawn_local(async move {
            let _ = future.await;
        });
        #[cfg(not(target_arch = "wasm32"))]
        let _ = pollster::block_on(future);
    }
}
