//! The airbench94 network (Keller Jordan, "94% on CIFAR-10 in 3.29 seconds on a single GPU",
//! arXiv 2404.00498; `airbench94.py`): its layers (`layers.rs`) with the frozen whitening layer
//! computed from the training images (`whiten.rs`), what its recipe does to them (`built.rs`),
//! the recipe (`recipe.rs`), and its shapes and catalog entry (`catalog.rs`).

mod built;
pub mod catalog;
pub mod layers;
pub mod recipe;
mod trace;
pub mod whiten;

use burn::prelude::*;

use crate::model::catalog::ModelInfo;
use crate::model::network::Network;
use crate::model::shapes::LayerShape;
use crate::model::{Model, ModelConfig};
use crate::recipe::TrainingRecipe;

pub use layers::{Airbench, AirbenchConfig, ConvGroup};

/// airbench94, as the registry names it.
pub struct Airbench94;

impl Network for Airbench94 {
    fn info(&self) -> ModelInfo {
        catalog::INFO
    }

    fn layers(&self) -> &'static [LayerShape] {
        catalog::LAYERS
    }

    fn recipe(&self, batch_size: Option<usize>) -> TrainingRecipe {
        recipe::recipe(batch_size)
    }

    /// Its activation is its own GELU, whatever `config` says.
    fn init(&self, _config: &ModelConfig, device: &Device) -> Model {
        AirbenchConfig::new().init(device).into()
    }
}
