//! The networks the page offers, each with what it says about it before one is picked and the
//! form's values for it (`modelCatalog` in the browser).

use serde::Serialize;

use crate::model::catalog::{ModelInfo, catalog};
use crate::train::TrainingConfig;

/// A network in the page's menu.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Offered {
    #[serde(flatten)]
    pub info: ModelInfo,
    /// The form's values for this network (its recipe at the page's batch size), by key.
    pub defaults: PageDefaults,
}

/// A network's recipe as the page's form shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct PageDefaults {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub lr_schedule: &'static str,
    pub optimizer: &'static str,
    pub weight_decay: f64,
    pub augment: bool,
    pub framing: bool,
}

/// Every network of the registry as the page offers it, in the menu's order.
pub fn offered() -> Vec<Offered> {
    catalog()
        .into_iter()
        .map(|info| {
            let config = TrainingConfig::for_model(info.name, Some(info.page_batch_size));
            Offered {
                defaults: PageDefaults {
                    epochs: config.epochs,
                    batch_size: config.batch_size,
                    learning_rate: config.learning_rate,
                    lr_schedule: config.recipe.schedule.name(),
                    optimizer: config.optimizer.name(),
                    weight_decay: config.weight_decay,
                    augment: config.augmentation.flip || config.augmentation.crop_padding > 0,
                    framing: !config.augmentation.framing.is_off(),
                },
                info,
            }
        })
        .collect()
}
