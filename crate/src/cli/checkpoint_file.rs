//! `kiln train --checkpoint FILE`: the run saved after every epoch as a tar file (settings and
//! history as JSON, weights and optimiser state as burnpack), and read back to continue it.
//! The file is written next to its place and renamed, so a run stopped mid-write keeps the
//! previous epoch's file.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use kiln::train::{Checkpoint, Observer, Trainer, TrainingEvent};

/// No part of a checkpoint is near this; a larger entry is a damaged or foreign file.
const MAX_ENTRY: u64 = 1 << 30;

/// Entries: `config.json`, `history.json`, `weights.bpk`, `optimizer.bpk`, `schedule.bpk` (the
/// learning-rate scheduler's state), and when the run has them `best.bpk`, `average.bpk`.
pub fn save(path: &Path, checkpoint: &Checkpoint) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let config = serde_json::to_vec(&checkpoint.config).map_err(|e| e.to_string())?;
    let history = serde_json::to_vec(&checkpoint.history).map_err(|e| e.to_string())?;
    let mut entries: Vec<(&str, Vec<u8>)> = vec![
        ("config.json", config),
        ("history.json", history),
        ("weights.bpk", checkpoint.weights.clone()),
        ("optimizer.bpk", checkpoint.optimizer.clone()),
    ];
    if let Some(best) = &checkpoint.best_weights {
        entries.push(("best.bpk", best.clone()));
    }
    if let Some(average) = &checkpoint.average {
        entries.push(("average.bpk", average.clone()));
    }
    if let Some(schedule) = &checkpoint.schedule {
        entries.push(("schedule.bpk", schedule.clone()));
    }
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial).map_err(err)?;
    let mut tar = tar::Builder::new(file);
    for (name, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, &bytes[..])
            .map_err(err)?;
    }
    tar.into_inner().and_then(|f| f.sync_all()).map_err(err)?;
    std::fs::rename(&partial, path).map_err(err)
}

pub fn load(path: &Path) -> Result<Checkpoint, String> {
    let bad = |why: String| format!("{}: not a Kiln checkpoint: {why}", path.display());
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut entries: HashMap<String, Vec<u8>> = HashMap::new();
    let mut archive = tar::Archive::new(file);
    for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
        let entry = entry.map_err(|e| bad(e.to_string()))?;
        let name = entry
            .path()
            .map_err(|e| bad(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        if entry.size() > MAX_ENTRY {
            return Err(bad(format!("{name} claims {} bytes", entry.size())));
        }
        let mut bytes = Vec::new();
        entry
            .take(MAX_ENTRY)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(e.to_string()))?;
        entries.insert(name, bytes);
    }
    let mut take = |name: &str| entries.remove(name);
    let mut need = |name: &str| take(name).ok_or_else(|| bad(format!("{name} is missing")));
    let config = serde_json::from_slice(&need("config.json")?).map_err(|e| bad(e.to_string()))?;
    let history = serde_json::from_slice(&need("history.json")?).map_err(|e| bad(e.to_string()))?;
    Ok(Checkpoint {
        config,
        history,
        weights: need("weights.bpk")?,
        optimizer: need("optimizer.bpk")?,
        best_weights: take("best.bpk"),
        average: take("average.bpk"),
        schedule: take("schedule.bpk"),
    })
}

/// The CLI's observer: progress to a callback, and the checkpoint file after every epoch.
pub struct Saving<'a, F: FnMut(&TrainingEvent)> {
    pub on_event: &'a mut F,
    pub path: Option<PathBuf>,
    /// Where the data came from, as the weights' metadata records it.
    pub dataset: String,
}

impl<F: FnMut(&TrainingEvent)> Observer for Saving<'_, F> {
    fn event(&mut self, event: &TrainingEvent) {
        (self.on_event)(event)
    }

    async fn epoch_finished(&mut self, trainer: &Trainer) {
        let Some(path) = &self.path else {
            return;
        };
        let saved = match trainer.checkpoint(&self.dataset).await {
            Ok(checkpoint) => save(path, &checkpoint),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = saved {
            eprintln!("warning: the checkpoint was not saved: {e}");
        }
    }
}
