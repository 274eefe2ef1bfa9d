//! The look inside the network that a progress report can carry while the page's learning
//! panels are open: measured on a training step's own batch (its loss, gradients and hidden
//! outputs) and on the weights before and after its update, then read back with the report's
//! sums in the same transaction (`window`). Taken at most every `WATCH_EVERY_SECONDS`.

use burn::optim::GradientsParams;
use burn::prelude::*;

use crate::insight::measure::{self, PerLayer};
use crate::insight::{Look, Measured};
use crate::model::{HiddenActivation, Model};

/// The shortest time between two looks during training: a person reads the figures no
/// faster, and each look costs about a hundred small device operations and a copy of the
/// weights.
pub const WATCH_EVERY_SECONDS: f64 = 1.0;

/// A look begun during a step, before its update.
pub struct Watch {
    loss: Tensor<1>,
    gradients: PerLayer,
    before: PerLayer,
    hidden: Vec<(&'static str, Tensor<2>)>,
    saturating: bool,
}

impl Watch {
    /// Begin with the step's loss, gradients and hidden outputs (`Model::forward_hidden`), on
    /// `model`, the weights the step started from.
    pub fn start(
        model: &Model,
        loss: Tensor<1>,
        grads: &GradientsParams,
        hidden: Vec<Tensor<2>>,
        activation: HiddenActivation,
    ) -> Self {
        Self {
            loss,
            gradients: measure::gradient_squares(model, grads),
            before: measure::weights(model),
            hidden: model.hidden_names().into_iter().zip(hidden).collect(),
            saturating: activation == HiddenActivation::Sigmoid,
        }
    }

    /// End with the weights after the update (`model`): the figures to read.
    pub fn finish(self, model: &Model) -> Measured {
        Measured::new(Look {
            loss: self.loss,
            gradients: self.gradients,
            now: &measure::weights(model),
            before: &self.before,
            hidden: self.hidden,
            saturating: self.saturating,
        })
    }
}
