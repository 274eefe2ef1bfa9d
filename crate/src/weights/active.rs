//! The weights in use as the page describes them: which network, where they came from, how
//! long they trained and how well they did.

use serde::{Deserialize, Serialize};

/// Where the weights in use came from, for the page to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, rename = "WeightsSource"))]
pub enum Source {
    Untrained,
    /// Shipped with the app.
    Pretrained,
    /// Trained in this tab.
    Trained,
    /// A run kept in this browser.
    Saved,
    /// A weights file the user loaded.
    File,
}

impl Source {
    /// The name the page and the worker use (serde's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Untrained => "untrained",
            Source::Pretrained => "pretrained",
            Source::Trained => "trained",
            Source::Saved => "saved",
            Source::File => "file",
        }
    }
}

/// The weights in use, as the page describes them: `{model, source, epochs, test_accuracy}`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct ActiveModel {
    /// The network's name in the registry.
    pub model: String,
    pub source: Source,
    pub epochs: usize,
    pub test_accuracy: Option<f32>,
}
