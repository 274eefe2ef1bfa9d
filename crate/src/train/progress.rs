//! The progress reports of an epoch, made from the windows of `window` as their reads come
//! back, and the clock of a run (its training time, for the ETA and the summary).

use web_time::Instant;

use crate::read::ReadError;
use crate::train::events::{Metrics, TrainingEvent};
use crate::train::watch::WATCH_EVERY_SECONDS;
use crate::train::window::{PendingRead, Totals, Window};

/// A run's time and work so far in this session.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    /// Wall time spent training (evaluation excluded).
    pub train_seconds: f64,
    /// Images trained in finished epochs.
    pub images: usize,
    /// The CPU's time on the steps (see `TrainingSummary::host_seconds_per_step`).
    pub host_seconds: f64,
    pub host_steps: usize,
}

/// Where an epoch sits in its run, for the step reports' counts and ETA.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub epoch: usize,
    /// The epoch this session started with (later than 0 after a resume).
    pub first_epoch: usize,
    pub epochs: usize,
    pub steps_per_epoch: usize,
}

/// The reports of one epoch: the window being summed on the device, the report being read back
/// while the next steps run, and the epoch's running totals.
pub struct EpochProgress {
    position: Position,
    report_every_seconds: f64,
    window: Window,
    pending: Option<PendingRead>,
    /// Training time of the epochs before this one (in this session).
    seconds_before: f64,
    start: Instant,
    /// Loss sum, correct count, images.
    totals: (f64, usize, usize),
    /// The first report whose loss was not a finite number: its step (1-based) and loss.
    diverged: Option<(usize, f32)>,
    /// When the last look inside the network was taken (see `watch`).
    last_watch: Option<Instant>,
    /// When the last step ended, and how long it took: to tell whether the next one will end
    /// with a report.
    last_step: (Instant, f64),
}

impl EpochProgress {
    pub fn new(position: Position, report_every_seconds: f64, seconds_before: f64) -> Self {
        Self {
            position,
            report_every_seconds,
            window: Window::default(),
            pending: None,
            seconds_before,
            start: Instant::now(),
            totals: (0.0, 0, 0),
            diverged: None,
            last_watch: None,
            last_step: (Instant::now(), 0.0),
        }
    }

    /// The window the next step adds its loss and accuracy to.
    pub fn window(&mut self) -> &mut Window {
        &mut self.window
    }

    /// Whether the next step should take a look inside the network (`train::watch`): it will
    /// end with a report (it is the epoch's `last` step, or the window will be old enough once
    /// it has run as long as the step before), and the last look is at least
    /// `WATCH_EVERY_SECONDS` old. Counts as taken.
    pub fn watch_due(&mut self, last: bool) -> bool {
        let reports = last || self.window.age() + self.last_step.1 >= self.report_every_seconds;
        let due = reports
            && self
                .last_watch
                .is_none_or(|t| t.elapsed().as_secs_f64() >= WATCH_EVERY_SECONDS);
        if due {
            self.last_watch = Some(Instant::now());
        }
        due
    }

    /// The step (1-based) and loss of the first report whose loss was NaN or infinite: the
    /// weights have diverged, and every step after it trains on garbage.
    pub fn diverged(&self) -> Option<(usize, f32)> {
        self.diverged
    }

    /// Seconds since the epoch started.
    pub fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// After step `step` (1-based): when a report is due, wait for the one before it if its
    /// read is still in flight (so the CPU queues at most one report interval ahead of the
    /// device) and start this one's read; pass a report on as soon as its read is done (on the
    /// CPU, at once). Returns the CPU time spent starting a read.
    pub async fn after_step(
        &mut self,
        step: usize,
        emit: &mut impl FnMut(&TrainingEvent),
    ) -> Result<f64, ReadError> {
        let mut host_seconds = 0.0;
        self.last_step = (Instant::now(), self.last_step.0.elapsed().as_secs_f64());
        if self.window.age() >= self.report_every_seconds {
            if let Some(read) = self.pending.take() {
                self.emit_report(read, emit).await?;
            }
            let read_start = Instant::now();
            let full = std::mem::take(&mut self.window);
            self.pending = Some(full.read(step));
            host_seconds = read_start.elapsed().as_secs_f64();
        }
        if let Some(read) = self.pending.take_if(|p| p.poll()) {
            self.emit_report(read, emit).await?;
        }
        Ok(host_seconds)
    }

    /// The epoch's last reports (the one in flight, then the steps since), then its metrics
    /// and its seconds.
    pub async fn finish(
        &mut self,
        emit: &mut impl FnMut(&TrainingEvent),
    ) -> Result<(Metrics, f64), ReadError> {
        if let Some(read) = self.pending.take() {
            self.emit_report(read, emit).await?;
        }
        if !self.window.is_empty() {
            let last = std::mem::take(&mut self.window);
            let steps = self.position.steps_per_epoch;
            self.emit_report(last.read(steps), emit).await?;
        }
        let (loss_sum, correct, images) = self.totals;
        let metrics = Metrics {
            loss: (loss_sum / images.max(1) as f64) as f32,
            accuracy: correct as f32 / images.max(1) as f32,
            images,
        };
        Ok((metrics, self.seconds()))
    }

    /// Wait for a window's read, count it and pass its report on, unless its loss is not a
    /// finite number: the run stops there (`diverged`), and nothing non-finite is shown.
    async fn emit_report(
        &mut self,
        read: PendingRead,
        emit: &mut impl FnMut(&TrainingEvent),
    ) -> Result<(), ReadError> {
        let event = self.report(read).await?;
        if self.diverged.is_none() {
            emit(&event);
        }
        Ok(())
    }

    /// Wait for a window's read, count it and describe it.
    async fn report(&mut self, read: PendingRead) -> Result<TrainingEvent, ReadError> {
        let step = read.step;
        Ok(self.add(read.finish().await?, step))
    }

    /// Count a window read back, which ended with `step` (1-based), and describe it.
    fn add(&mut self, window: Totals, step: usize) -> TrainingEvent {
        self.totals.0 += window.loss_sum;
        self.totals.1 += window.correct;
        self.totals.2 += window.images;
        let Position {
            epoch,
            first_epoch,
            epochs,
            steps_per_epoch,
        } = self.position;
        let done = (epoch - first_epoch) * steps_per_epoch + step;
        let left = (epochs - first_epoch) * steps_per_epoch - done;
        let elapsed = self.seconds_before + self.seconds();
        let images = window.images.max(1) as f64;
        let loss = (window.loss_sum / images) as f32;
        if !loss.is_finite() && self.diverged.is_none() {
            self.diverged = Some((step, loss));
        }
        TrainingEvent::Step {
            epoch,
            step,
            steps_per_epoch,
            position: (epoch as f64 + step as f64 / steps_per_epoch.max(1) as f64) as f32,
            loss,
            accuracy: (window.correct as f64 / images) as f32,
            images_per_second: (window.images as f64 / window.seconds.max(1e-9)) as f32,
            eta_seconds: (elapsed / done as f64 * left as f64) as f32,
            learning_rate: window.learning_rate as f32,
            insight: window.insight,
            network: window.network,
        }
    }
}
