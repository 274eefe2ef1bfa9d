//! Trained-model files: burn's burnpack container, with Kiln's own metadata (model config,
//! normalisation, epochs, test accuracy, date, dataset) stored as a JSON string inside it.
//! The same bytes are written by `kiln train --out` and read by the browser.

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::prelude::*;
use burn::store::{BurnpackStore, FloatCastAdapter, ModuleSnapshot};
use burn::tensor::{Bytes, DType, Transaction};
use serde::{Deserialize, Serialize};

mod active;
mod handover;

pub use active::{ActiveModel, Source};
pub use handover::{DatasetFiles, HandOver};

use crate::data::Normalization;
use crate::model::{Model, ModelConfig, ModelError};

/// Metadata key under which [`WeightsMeta`] is stored, as JSON.
const META_KEY: &str = "kiln";

/// What a weights file says about the model inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsMeta {
    pub model: ModelConfig,
    pub normalization: Normalization,
    pub epochs: usize,
    pub test_accuracy: Option<f32>,
    /// Seconds since the Unix epoch.
    pub created_unix: u64,
    /// Where the training data came from (file names).
    pub dataset: String,
    pub kiln_version: String,
}

/// `WeightsMeta::new`, the metadata of a run's weights from its summary, is the training loop's
/// (`train/events.rs`): this file reads and writes weights without knowing how they were made.
impl WeightsMeta {
    /// Metadata for weights trained `epochs` epochs, dated now.
    pub fn describe(
        model: &ModelConfig,
        normalization: Normalization,
        epochs: usize,
        test_accuracy: Option<f32>,
        dataset: String,
    ) -> Self {
        Self {
            model: model.clone(),
            normalization,
            epochs,
            test_accuracy,
            created_unix: web_time::SystemTime::now()
                .duration_since(web_time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            dataset,
            kiln_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("{name}: not a Kiln weights file ({reason})")]
    NotWeights { name: String, reason: String },
    #[error("{name}: {source}")]
    Model {
        name: String,
        #[source]
        source: ModelError,
    },
    #[error("{name}: the weights do not match the {model} model: {reason}")]
    Mismatch {
        name: String,
        model: String,
        reason: String,
    },
    #[error("{name}: cannot write weights: {reason}")]
    Write { name: String, reason: String },
    #[error("{name}: cannot read: {source}")]
    Io {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// Collects every float parameter (its dotted path and id) into one read transaction.
#[derive(Default)]
struct ParamReader {
    path: Vec<String>,
    names: Vec<(String, ParamId)>,
    transaction: Transaction,
}

impl ModuleVisitor for ParamReader {
    fn enter_module(&mut self, name: &str, _container: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.names.push((self.path.join("."), param.id));
        let tensor = param.transform_for_save().val();
        self.transaction = std::mem::take(&mut self.transaction).register(tensor);
    }
}

/// How the parameters are stored in a file. Either loads the same: as 32-bit floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// 32-bit floats, as trained: what runs and checkpoints save, so that a resumed run is
    /// exact.
    #[default]
    Full,
    /// 16-bit floats: half the size, for weights shipped to the page.
    Half,
}

/// Serialise `model` and `meta` to burnpack bytes, in full precision. The parameters are read
/// with one async read, so this works on WebGPU, where burn's own savers read synchronously
/// and panic.
pub async fn to_bytes(model: &Model, meta: &WeightsMeta) -> Result<Vec<u8>, WeightsError> {
    to_bytes_in(model, meta, Precision::Full).await
}

/// [`to_bytes`], storing the parameters in `precision`.
pub async fn to_bytes_in(
    model: &Model,
    meta: &WeightsMeta,
    precision: Precision,
) -> Result<Vec<u8>, WeightsError> {
    let write_err = |reason: String| WeightsError::Write {
        name: "weights".into(),
        reason,
    };
    let mut reader = ParamReader::default();
    model.visit(&mut reader);
    // The one GPU→CPU read of a save.
    let data = reader
        .transaction
        .execute_async()
        .await
        .map_err(|e| write_err(e.to_string()))?;
    let tensors = reader
        .names
        .into_iter()
        .zip(data)
        .map(|((name, id), data)| {
            let data = match precision {
                Precision::Full => data,
                Precision::Half => data.convert_dtype(DType::F16),
            };
            burn::store::bridge::from_data(data, name, Some(id.val()))
        })
        .collect();
    let json = serde_json::to_string(meta).expect("metadata is plain data");
    let mut writer = burn::store::burn_pack::Writer::new(tensors);
    for (key, value) in BurnpackStore::default_metadata() {
        writer = writer.with_metadata(&key, &value);
    }
    let bytes = writer
        .with_metadata(META_KEY, &json)
        .into_bytes()
        .map_err(|e| write_err(e.to_string()))?;
    Ok(bytes.to_vec())
}

/// Read the metadata of a weights file without building the model.
pub fn read_meta(name: &str, bytes: &[u8]) -> Result<WeightsMeta, WeightsError> {
    let not_weights = |reason: String| WeightsError::NotWeights {
        name: name.into(),
        reason,
    };
    let reader = burn::store::burn_pack::Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| not_weights(e.to_string()))?;
    let json = reader
        .metadata()
        .get(META_KEY)
        .ok_or_else(|| not_weights("a burnpack file without Kiln metadata".into()))?;
    let meta: WeightsMeta =
        serde_json::from_str(json).map_err(|e| not_weights(format!("unreadable metadata: {e}")))?;
    check_meta(&meta).map_err(not_weights)?;
    Ok(meta)
}

/// Values the metadata may not hold: the normalisation divides by `std`, and the accuracy is
/// shown as a percentage.
fn check_meta(meta: &WeightsMeta) -> Result<(), String> {
    if let Normalization::MeanStd { mean, std } = meta.normalization {
        if let Some(m) = mean.iter().find(|m| !m.is_finite()) {
            return Err(format!("normalisation mean {m} is not a number"));
        }
        if let Some(s) = std.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return Err(format!("normalisation std {s} is not a positive number"));
        }
    }
    match meta.test_accuracy {
        Some(a) if !(0.0..=1.0).contains(&a) => Err(format!("test accuracy {a} is not 0..=1")),
        _ => Ok(()),
    }
}

/// Build the model a weights file describes, on `device`, with its trained parameters.
pub fn from_bytes(
    name: &str,
    bytes: &[u8],
    device: &Device,
) -> Result<(Model, WeightsMeta), WeightsError> {
    let meta = read_meta(name, bytes)?;
    let mut model = meta
        .model
        .init(device)
        .map_err(|source| WeightsError::Model {
            name: name.into(),
            source,
        })?;
    // Parameters stored in half precision load as 32-bit floats, as the model computes.
    let mut store = BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes.to_vec())))
        .with_from_adapter(FloatCastAdapter::to(DType::F32));
    let mismatch = |reason: String| WeightsError::Mismatch {
        name: name.into(),
        model: meta.model.name.clone(),
        reason,
    };
    let result = model
        .load_from(&mut store)
        .map_err(|e| mismatch(e.to_string()))?;
    if !result.errors.is_empty() || !result.missing.is_empty() {
        let mut problems: Vec<String> = result.errors.iter().map(|e| format!("{e:?}")).collect();
        problems.extend(
            result
                .missing
                .iter()
                .map(|(path, _)| format!("missing {path}")),
        );
        return Err(mismatch(problems.join("; ")));
    }
    Ok((model, meta))
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn save_file(
    model: &Model,
    meta: &WeightsMeta,
    path: &std::path::Path,
    precision: Precision,
) -> Result<(), WeightsError> {
    let bytes = to_bytes_in(model, meta, precision).await?;
    std::fs::write(path, bytes).map_err(|e| WeightsError::Write {
        name: path.display().to_string(),
        reason: e.to_string(),
    })
}

#[cfg(not(target_arch = "wasm32"))]
pub fn load_file(
    path: &std::path::Path,
    device: &Device,
) -> Result<(Model, WeightsMeta), WeightsError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| WeightsError::Io {
        name: name.clone(),
        source,
    })?;
    from_bytes(&name, &bytes, device)
}
