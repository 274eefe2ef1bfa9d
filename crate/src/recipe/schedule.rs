//! How the learning rate changes over a run, and the rate of each step: burn's learning-rate
//! schedulers (`burn::lr_scheduler`), built for the run's length. With `α` the configured
//! learning rate, `t` the step (0-based) of a run of `T` steps, `S` steps per epoch:
//!
//! - constant: `α`;
//! - step decay: `α·γ^⌊t / (k·S)⌋`, γ every `k` epochs;
//! - exponential: `α·γ^(t / (k·S))`, the same decay smoothly, γ over every `k` epochs;
//! - cosine: `α·½(1 + cos(π·t / T))`;
//! - warm-up then cosine, over the first `W = ⌊w·T⌋` steps: `α·(t + 1)/(W + 1)` while `t < W`,
//!   then `α·½(1 + cos(π·(t − W) / (T − W)))`;
//! - triangular (airbench94's): see [`Schedule::factor`].
//!
//! burn's curves from 1 down are given as factors (its cosine, linear and exponential
//! schedulers take rates of at most 1), multiplied by `α` in a composed scheduler; the
//! triangular schedule stays Kiln's own formula, as a scheduler of its own (see [`Triangular`]).

use burn::lr_scheduler::composed::ComposedLrSchedulerConfig;
use burn::lr_scheduler::constant::ConstantLr;
use burn::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::lr_scheduler::exponential::ExponentialLrSchedulerConfig;
use burn::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::lr_scheduler::sequential::SequentialLrSchedulerConfig;
use burn::lr_scheduler::step::StepLrSchedulerConfig;
use burn::lr_scheduler::{LrScheduler, LrSchedulerConfig, LrSchedulerRecord};
use serde::{Deserialize, Serialize};

/// How the learning rate changes over a run (the module's comment gives each one's formula).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum Schedule {
    #[default]
    Constant,
    /// × `gamma` every `epochs` epochs.
    Step { epochs: usize, gamma: f64 },
    /// × `gamma` over every `epochs` epochs, a little at every step.
    Exponential { epochs: usize, gamma: f64 },
    /// Half a cosine from the rate down to 0 after the last step.
    Cosine,
    /// A straight line up to the rate over the first `warmup` share of the steps, then cosine.
    WarmupCosine { warmup: f64 },
    /// From `start` up to 1 over the first `warmup` share of the steps, then down to `end` at
    /// the last step, in straight lines.
    Triangular { warmup: f32, start: f32, end: f32 },
}

/// A schedule's parameters as the settings give them, whichever the schedule uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knobs {
    /// Step decay's and exponential's factor.
    pub gamma: f64,
    /// Epochs over which that factor applies.
    pub epochs: usize,
    /// Warm-up's share of the steps.
    pub warmup: f64,
}

impl Schedule {
    /// airbench94's: from 0.2× up over the first 23% of the steps, then down to 0.07×.
    pub const AIRBENCH: Schedule = Schedule::Triangular {
        warmup: 0.23,
        start: 0.2,
        end: 0.07,
    };

    /// The names the settings offer, in the page's order.
    pub const NAMES: [&'static str; 6] = [
        "constant",
        "step",
        "exponential",
        "cosine",
        "warmup_cosine",
        "triangular",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::Step { .. } => "step",
            Schedule::Exponential { .. } => "exponential",
            Schedule::Cosine => "cosine",
            Schedule::WarmupCosine { .. } => "warmup_cosine",
            Schedule::Triangular { .. } => "triangular",
        }
    }

    /// The schedule `name` with the parameters it uses; triangular is airbench94's.
    pub fn from_name(name: &str, knobs: Knobs) -> Option<Self> {
        let Knobs {
            gamma,
            epochs,
            warmup,
        } = knobs;
        Some(match name {
            "constant" => Schedule::Constant,
            "step" => Schedule::Step { epochs, gamma },
            "exponential" => Schedule::Exponential { epochs, gamma },
            "cosine" => Schedule::Cosine,
            "warmup_cosine" => Schedule::WarmupCosine { warmup },
            "triangular" => Schedule::AIRBENCH,
            _ => return None,
        })
    }

    /// Which parameters the schedule `name` uses: (γ and its epochs, the warm-up).
    pub fn uses(name: &str) -> (bool, bool) {
        (
            matches!(name, "step" | "exponential"),
            name == "warmup_cosine",
        )
    }

    /// The parameters this schedule has, over `defaults` for those it lacks.
    pub fn knobs(&self, defaults: Knobs) -> Knobs {
        match *self {
            Schedule::Step { epochs, gamma } | Schedule::Exponential { epochs, gamma } => Knobs {
                epochs,
                gamma,
                ..defaults
            },
            Schedule::WarmupCosine { warmup } => Knobs { warmup, ..defaults },
            _ => defaults,
        }
    }

    /// The triangular schedule's factor for step `step` (0-based) of a run of `total` steps
    /// (1 for the others, which burn's schedulers compute: [`Schedule::scheduler`]).
    pub fn factor(&self, step: usize, total: usize) -> f64 {
        match *self {
            Schedule::Triangular { warmup, start, end } => {
                let warmup_steps = (total as f64 * warmup as f64) as usize;
                let (start, end) = (start as f64, end as f64);
                if step < warmup_steps {
                    let frac = step as f64 / warmup_steps as f64;
                    start * (1.0 - frac) + frac
                } else {
                    let frac = (step - warmup_steps) as f64 / (total - warmup_steps).max(1) as f64;
                    (1.0 - frac) + end * frac
                }
            }
            _ => 1.0,
        }
    }

    /// burn's scheduler giving the rate of each step in turn, from the first, for a run of
    /// `total` steps of which `per_epoch` make an epoch, at `learning_rate`. The parameters
    /// must have passed `TrainingConfig::validate`.
    pub fn scheduler(
        &self,
        learning_rate: f64,
        per_epoch: usize,
        total: usize,
    ) -> ModuleLrScheduler {
        let total = total.max(1);
        let times_rate = |factor: LrSchedulerConfig| {
            ComposedLrSchedulerConfig::new()
                .with_schedulers(vec![LrSchedulerConfig::Constant(learning_rate), factor])
                .init()
        };
        let cosine = |steps: usize| CosineAnnealingLrSchedulerConfig::new(1.0, steps).into();
        let built = match *self {
            Schedule::Constant => return ConstantLr::new(learning_rate).into(),
            Schedule::Triangular { .. } => {
                return Triangular {
                    learning_rate,
                    schedule: *self,
                    total,
                    step: 0,
                }
                .into();
            }
            Schedule::Step { epochs, gamma } => times_rate(
                StepLrSchedulerConfig::new(1.0, epochs * per_epoch)
                    .with_gamma(gamma)
                    .into(),
            ),
            Schedule::Exponential { epochs, gamma } => {
                let per_step = gamma.powf(1.0 / (epochs * per_epoch) as f64);
                times_rate(ExponentialLrSchedulerConfig::new(1.0, per_step).into())
            }
            Schedule::Cosine => times_rate(cosine(total)),
            Schedule::WarmupCosine { warmup } => {
                let steps = (warmup * total as f64) as usize;
                if steps == 0 {
                    times_rate(cosine(total))
                } else {
                    // (t + 1)/(W + 1) for t < W: burn's line from 1/(W + 1) in W steps.
                    let first = 1.0 / (steps + 1) as f64;
                    let line = LinearLrSchedulerConfig::new(first, 1.0, steps).into();
                    let parts = vec![line, cosine(total - steps)];
                    times_rate(SequentialLrSchedulerConfig::new(parts, vec![steps]).into())
                }
            }
        };
        built.expect("a validated schedule builds")
    }
}

/// airbench94's triangular schedule as a burn scheduler: Kiln's own formula
/// ([`Schedule::factor`]), kept rather than burn's linear schedulers in sequence, whose
/// arithmetic (`final − step·remaining`) gives other last bits than the recipe's interpolation,
/// and so other weights than the shipped airbench run's. Its state is the step count.
#[derive(Debug, Clone)]
struct Triangular {
    learning_rate: f64,
    schedule: Schedule,
    total: usize,
    step: usize,
}

impl LrScheduler for Triangular {
    fn step(&mut self) -> f64 {
        let rate = self.learning_rate * self.schedule.factor(self.step, self.total);
        self.step += 1;
        rate
    }

    fn to_record(&self) -> LrSchedulerRecord {
        LrSchedulerRecord::new().with_scalar("step", self.step as u64)
    }

    fn load_record(&mut self, record: LrSchedulerRecord) {
        if let Some(step) = record.scalar::<u64>("step") {
            self.step = step as usize;
        }
    }
}
