//! The parts of a training recipe beyond the seed's plain loop: label smoothing, a learning-rate
//! schedule, lookahead weight averaging, a higher learning rate for BatchNorm biases and a
//! layer trained for the first epochs only. All off by default (the seed's program); the airbench
//! network's recipe turns them on (`model/airbench/recipe.rs`).

use serde::{Deserialize, Serialize};

use crate::recipe::schedule::Schedule;

/// Off by default: a config saved before these existed reads back unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Recipe {
    /// Share of each target's probability spread evenly over all classes (0: none).
    pub label_smoothing: f32,
    /// How the learning rate changes over the run (the `lr_schedule` setting).
    pub schedule: Schedule,
    /// Average the weights every few steps (see [`Lookahead`]); `None`: no averaging.
    pub lookahead: Option<Lookahead>,
    /// The BatchNorm biases' learning rate, as a multiple of the others' (their weight decay
    /// stays the same). Done by scaling their gradients in the optimiser's step (its own group
    /// of parameters, `train::optimizer::build`), which is the same update for SGD with momentum.
    pub norm_bias_lr_scale: f32,
    /// Train the whitening layer's bias for this many epochs, then freeze it; `None`: always.
    pub whiten_bias_epochs: Option<usize>,
}

impl Default for Recipe {
    fn default() -> Self {
        Self {
            label_smoothing: 0.0,
            schedule: Schedule::Constant,
            lookahead: None,
            norm_bias_lr_scale: 1.0,
            whiten_bias_epochs: None,
        }
    }
}

/// airbench94's lookahead: every `every` steps, the averaged weights move towards the current
/// ones, `avg ← d·avg + (1 − d)·w` with `d = 0.95^every · (step/total)³`, and training goes on
/// from the average. Early on `d` is near 0 (no averaging); towards the end the average moves
/// slowly. After the last step the weights are the average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Lookahead {
    pub every: usize,
}

impl Lookahead {
    /// The decay after step `step` (1-based) of `total`, when an average is due; `None` between.
    pub fn decay(&self, step: usize, total: usize) -> Option<f64> {
        (self.every > 0 && step.is_multiple_of(self.every)).then(|| {
            let progress = step as f64 / total.max(1) as f64;
            0.95f64.powi(self.every as i32) * progress.powi(3)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangular_rises_then_falls() {
        let s = Schedule::AIRBENCH;
        let total = 100;
        assert!((s.factor(0, total) - 0.2).abs() < 1e-6);
        assert!((s.factor(23, total) - 1.0).abs() < 1e-6);
        assert!(s.factor(10, total) > s.factor(5, total));
        assert!(s.factor(60, total) < s.factor(30, total));
        assert!((s.factor(100, total) - 0.07).abs() < 1e-6);
        assert_eq!(Schedule::Constant.factor(7, total), 1.0);
    }

    #[test]
    fn lookahead_every_fifth_step() {
        let l = Lookahead { every: 5 };
        assert_eq!(l.decay(4, 100), None);
        let d = l.decay(50, 100).unwrap();
        assert!((d - 0.95f64.powi(5) * 0.125).abs() < 1e-12);
        assert!(l.decay(100, 100).unwrap() < 1.0);
    }

    #[test]
    fn old_configs_read_back_as_no_recipe() {
        let r: Recipe = serde_json::from_str("{}").unwrap();
        assert_eq!(r, Recipe::default());
    }
}
