//! `kiln train`'s progress: on a terminal a bar with each report's loss, accuracy, learning
//! rate and speed; everywhere a line when training starts and one per epoch, which ends with
//! the learning rate of the epoch's last step.

use indicatif::{ProgressBar, ProgressStyle};
use kiln::train::TrainingEvent;

pub struct Progress {
    bar: ProgressBar,
    model: String,
    epochs: usize,
    /// The rate of the last step reported.
    last_rate: f32,
}

impl Progress {
    pub fn new(model: &str, epochs: usize) -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} steps  {msg}  ({elapsed} elapsed, ~{eta} left)",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        Self {
            bar,
            model: model.to_string(),
            epochs,
            last_rate: 0.0,
        }
    }

    pub fn event(&mut self, event: &TrainingEvent) {
        let bar = &self.bar;
        match event {
            TrainingEvent::Started {
                epochs,
                steps_per_epoch,
                train_images,
                test_images,
                parameters,
                ..
            } => {
                bar.set_length((epochs * steps_per_epoch) as u64);
                say(
                    bar,
                    format!(
                        "training {} ({parameters} parameters) on {train_images} images, testing \
                         on {test_images}, {epochs} epochs of {steps_per_epoch} steps",
                        self.model
                    ),
                );
            }
            TrainingEvent::Step {
                epoch,
                step,
                steps_per_epoch,
                loss,
                accuracy,
                images_per_second,
                learning_rate,
                ..
            } => {
                self.last_rate = *learning_rate;
                bar.set_prefix(format!("epoch {}/{}", epoch + 1, self.epochs));
                bar.set_position((epoch * steps_per_epoch + step) as u64);
                bar.set_message(format!(
                    "loss {loss:.4} acc {:.1}% lr {learning_rate:.3e} {images_per_second:.0} img/s",
                    accuracy * 100.0
                ));
            }
            TrainingEvent::Evaluating { .. } => bar.set_message("evaluating on the test set…"),
            TrainingEvent::EpochFinished {
                epoch,
                train,
                test,
                seconds,
                images_per_second,
                ..
            } => {
                let test = test.map_or("no test set".into(), |t| {
                    format!("test loss {:.4} acc {:.2}%", t.loss, t.accuracy * 100.0)
                });
                let rate = self.last_rate;
                say(
                    bar,
                    format!(
                        "epoch {:>3}: train loss {:.4} acc {:.2}% | {test} | lr {rate:.3e} | \
                         {seconds:.1}s, {images_per_second:.0} img/s",
                        epoch + 1,
                        train.loss,
                        train.accuracy * 100.0,
                    ),
                );
            }
            TrainingEvent::Finished { .. } => bar.finish_and_clear(),
        }
    }
}

/// A line above the progress bar; plain stderr when the bar is hidden (not a terminal).
fn say(bar: &ProgressBar, line: String) {
    if bar.is_hidden() {
        eprintln!("{line}");
    } else {
        bar.println(line);
    }
}
