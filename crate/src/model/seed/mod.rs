//! The seed network: the Keras CIFAR-10 tutorial's CNN, layer for layer (`layers.rs`), trained
//! with the tutorial's program (`recipe.rs`); its shapes and catalog entry in `catalog.rs`.

mod built;
pub mod catalog;
pub mod layers;
pub mod recipe;
mod trace;

use burn::prelude::*;

use crate::model::catalog::ModelInfo;
use crate::model::network::Network;
use crate::model::shapes::LayerShape;
use crate::model::{Model, ModelConfig};
use crate::recipe::TrainingRecipe;

pub use layers::{SeedCnn, SeedCnnConfig};

/// The seed, as the registry names it.
pub struct Seed;

impl Network for Seed {
    fn info(&self) -> ModelInfo {
        catalog::INFO
    }

    fn layers(&self) -> &'static [LayerShape] {
        catalog::LAYERS
    }

    fn recipe(&self, batch_size: Option<usize>) -> TrainingRecipe {
        recipe::recipe(batch_size)
    }

    /// Its hidden layers take `config`'s activation.
    fn init(&self, config: &ModelConfig, device: &Device) -> Model {
        SeedCnnConfig::new()
            .with_activation(config.activation)
            .init(device)
            .into()
    }
}
