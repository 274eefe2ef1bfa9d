//! The engine's state as one build hands it to another in the same worker (`exportState`,
//! `importState`, `crate/src/web/state.rs`): the weights in use with their description, and the
//! dataset as the files it was read from. The web layer builds and reads these field by field,
//! their bytes as `Uint8Array`s, as their generated declarations say.

use crate::weights::ActiveModel;

/// `exportState`'s answer and `importState`'s argument.
#[derive(Debug, Clone)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct HandOver {
    #[cfg_attr(test, ts(flatten))]
    pub active: ActiveModel,
    /// A burnpack file; null to keep the weights in use (`importState`).
    #[cfg_attr(test, ts(type = "Uint8Array | null"))]
    pub weights: Option<Vec<u8>>,
    pub dataset: Option<DatasetFiles>,
}

/// A loaded dataset as files that `loadDataset` reads back unchanged.
#[derive(Debug, Clone)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct DatasetFiles {
    /// The name the page shows for it.
    pub name: String,
    /// The files' names, one per file.
    pub names: Vec<String>,
    #[cfg_attr(test, ts(type = "Uint8Array[]"))]
    pub files: Vec<Vec<u8>>,
}
