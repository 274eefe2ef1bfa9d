//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

#[cfg(target_arch = "wasm32")]
pub mod js;

use kiln::train::{Checkpoint, Control, Observer, Trainer, TrainingEvent};

/// A small dataset of random images and labels (`Split::noise`), for tests that need a run to
/// happen rather than to learn.
pub fn noise_data(train: usize, test: usize, seed: u64) -> kiln::data::Cifar10 {
    use kiln::data::Split;
    kiln::data::Cifar10 {
        train: Split::noise(train, seed),
        test: Split::noise(test, seed + 1),
        ..Default::default()
    }
}

/// An observer that lets `n` steps run, then stops the run between steps.
pub struct StopAfter(pub usize);
impl Observer for StopAfter {
    fn event(&mut self, _: &TrainingEvent) {}
    async fn between_steps(&mut self, _: &kiln::model::Model) -> Control {
        if self.0 == 0 {
            return Control::Stop;
        }
        self.0 -= 1;
        Control::Continue
    }
}

/// The real CIFAR-10 archive: `$KILN_CIFAR10`, else `../shared/cifar10/cifar-10-binary.tar.gz`
/// beside the repository.
pub fn real_data_path() -> PathBuf {
    std::env::var_os("KILN_CIFAR10")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/cifar10/cifar-10-binary.tar.gz")
        })
}

/// The real dataset, or `None` after saying loudly that it is missing (never fake data). Native
/// only: the browser tests have no file system.
#[cfg(not(target_arch = "wasm32"))]
pub fn real_data() -> Option<kiln::data::Cifar10> {
    let path = real_data_path();
    if !path.exists() {
        eprintln!(
            "SKIPPED: real CIFAR-10 not found at {} (set KILN_CIFAR10); this test did not run",
            path.display()
        );
        return None;
    }
    Some(kiln::data::Cifar10::load(&path).expect("the real archive loads"))
}

/// One CIFAR-10 record: the label byte, then 3,072 pixels derived from `seed`.
pub fn record(label: u8, seed: u8) -> Vec<u8> {
    let mut r = vec![label];
    r.extend((0..3072u32).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    r
}

/// A batch file of `labels.len()` records.
pub fn batch_file(labels: &[u8]) -> Vec<u8> {
    labels
        .iter()
        .enumerate()
        .flat_map(|(i, &l)| record(l, i as u8))
        .collect()
}

/// A tar archive (gzip-compressed when `gzip`) with the given files.
pub fn archive(files: &[(&str, &[u8])], gzip: bool) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, *bytes).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    if !gzip {
        return tar;
    }
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&tar).unwrap();
    enc.finish().unwrap()
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Keeps each epoch's checkpoint and every event, and stops the run between steps once
/// `stop_after` checkpoints are kept.
pub struct Saver {
    pub saved: Vec<Checkpoint>,
    pub stop_after: usize,
    pub events: Vec<TrainingEvent>,
}

impl Default for Saver {
    /// Keeps every epoch's checkpoint, stops nothing.
    fn default() -> Self {
        Self::stopping_after(usize::MAX)
    }
}

impl Saver {
    pub fn stopping_after(epochs: usize) -> Self {
        Self {
            saved: vec![],
            stop_after: epochs,
            events: vec![],
        }
    }
}

impl Observer for Saver {
    fn event(&mut self, event: &TrainingEvent) {
        self.events.push(event.clone());
    }

    async fn between_steps(&mut self, _: &kiln::model::Model) -> Control {
        if self.saved.len() >= self.stop_after {
            Control::Stop
        } else {
            Control::Continue
        }
    }

    async fn epoch_finished(&mut self, trainer: &Trainer) {
        self.saved.push(trainer.checkpoint("noise").await.unwrap());
    }
}
