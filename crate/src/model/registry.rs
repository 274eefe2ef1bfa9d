//! Every network Kiln offers, named once. A network is a folder under `model/` (its layers,
//! recipe, description and catalog figures, behind [`Network`] and [`BuiltNetwork`]) and one
//! line in the `networks!` list below, which declares [`Model`]'s variant for it and its place
//! in [`NETWORKS`].

use burn::module::Module;

use crate::model::airbench::{self, Airbench};
use crate::model::network::{BuiltNetwork, Network};
use crate::model::seed::{self, SeedCnn};

/// `Variant(LayersType) = network`, one a line: [`Model`] with one variant per network (burn's
/// `Module` derive needs the concrete layers), [`NETWORKS`], and the two ways from a built
/// [`Model`] to its network's code.
macro_rules! networks {
    ($($(#[$doc:meta])* $variant:ident($layers:ty) = $network:expr),+ $(,)?) => {
        /// Any network from the registry. The training loop only sees this type. (The variants
        /// differ in size, but a run holds one or two models, and burn's `Module` derive takes
        /// no `Box`.) Its variant names are part of saved weights' parameter names.
        #[allow(clippy::large_enum_variant)]
        #[derive(Module, Debug)]
        pub enum Model {
            $($(#[$doc])* $variant($layers)),+
        }

        /// Every network, in the order the page and the CLI list them.
        pub const NETWORKS: &[&dyn Network] = &[$(&$network),+];

        impl Model {
            /// The network this is: its name, figures and recipe.
            pub fn network(&self) -> &'static dyn Network {
                match self {
                    $(Model::$variant(_) => &$network),+
                }
            }

            /// The built network, for what each network does its own way.
            pub(crate) fn built(&self) -> &dyn BuiltNetwork {
                match self {
                    $(Model::$variant(layers) => layers),+
                }
            }

            pub(crate) fn built_mut(&mut self) -> &mut dyn BuiltNetwork {
                match self {
                    $(Model::$variant(layers) => layers),+
                }
            }
        }

        $(impl From<$layers> for Model {
            fn from(layers: $layers) -> Self {
                Model::$variant(layers)
            }
        })+
    };
}

networks! {
    /// The Keras tutorial's CNN (`seed/`).
    Seed(SeedCnn) = seed::Seed,
    /// airbench94 (`airbench/`).
    Airbench(Airbench) = airbench::Airbench94,
}

/// The network called `name`.
pub fn find(name: &str) -> Option<&'static dyn Network> {
    NETWORKS.iter().copied().find(|n| n.name() == name)
}

/// The names [`crate::model::ModelConfig::name`] accepts.
pub fn model_names() -> Vec<&'static str> {
    NETWORKS.iter().map(|n| n.name()).collect()
}
