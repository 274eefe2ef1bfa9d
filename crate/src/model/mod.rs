//! The networks Kiln can train, each in its own folder (`seed/`, `airbench/`) behind one trait
//! ([`Network`]: its name, description, catalog figures, recipe and construction; and
//! [`BuiltNetwork`]: what a built one does), named once in `registry.rs`. A config selects one
//! by name.

pub mod activation;
pub mod airbench;
pub mod catalog;
mod dispatch;
pub mod network;
pub mod registry;
pub mod seed;
pub mod shapes;
pub mod trace;

use burn::config::Config;
use burn::prelude::*;

pub use activation::HiddenActivation;
pub use airbench::{Airbench, AirbenchConfig};
pub use network::{BuiltNetwork, Network};
pub use registry::{Model, NETWORKS, model_names};
pub use seed::{SeedCnn, SeedCnnConfig};
pub use shapes::LayerInfo;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("unknown model {0:?} (available: {list})", list = model_names().join(", "))]
    UnknownModel(String),
}

/// Which network to build, and how. Serialisable, so the browser sends it as JSON.
#[derive(Config, Debug, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct ModelConfig {
    /// A name from the registry ([`NETWORKS`]).
    #[config(default = "String::from(\"seed\")")]
    pub name: String,
    /// Activation of the hidden layers.
    #[config(default = "HiddenActivation::Relu")]
    pub activation: HiddenActivation,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelConfig {
    /// The network [`ModelConfig::name`] names, freshly initialised on `device`.
    pub fn init(&self, device: &Device) -> Result<Model, ModelError> {
        let network = registry::find(&self.name)
            .ok_or_else(|| ModelError::UnknownModel(self.name.clone()))?;
        Ok(network.init(self, device))
    }
}
