//! Assemble a CIFAR-10 dataset from whatever the user has: the official `.tar.gz` archive
//! (read as a stream, never unpacked to disk), a plain `.tar`, or loose `.bin` batch files plus
//! an optional `batches.meta.txt`. Works on bytes, so the browser build uses it unchanged.

use std::io::Read;

use crate::data::cifar::Cifar10;
use crate::data::collector::{Collector, META_FILE};
use crate::data::error::DataError;

impl Cifar10 {
    /// Read an archive or batch file from a stream: a gzip-compressed tar (the official
    /// `cifar-10-binary.tar.gz`), a plain tar, or a single `.bin` batch file, told apart by
    /// their contents. `name` is used for split assignment and in errors.
    pub fn from_reader(name: &str, reader: impl Read) -> Result<Self, DataError> {
        let mut collector = Collector::default();
        collector.add_stream(name, reader)?;
        collector.finish(name)
    }

    /// Read several named files held in memory.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<Self, DataError> {
        Self::from_readers(
            files
                .into_iter()
                .map(|(name, bytes)| (name.to_string(), bytes)),
        )
    }

    /// Read several named streams (the browser's files, read piecewise from JavaScript).
    pub fn from_readers<R: Read>(
        files: impl IntoIterator<Item = (String, R)>,
    ) -> Result<Self, DataError> {
        let mut collector = Collector::default();
        let mut names = Vec::new();
        for (name, reader) in files {
            collector.add_stream(&name, reader)?;
            names.push(name);
        }
        collector.finish(&names.join(", "))
    }

    /// Load from a path: the archive, the unpacked `cifar-10-batches-bin/` folder (or its
    /// parent), or a single `.bin` file.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load(path: &std::path::Path) -> Result<Self, DataError> {
        native::load(path)
    }

    /// Load several paths (e.g. `data_batch_1.bin test_batch.bin`) into one dataset.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_paths(paths: &[std::path::PathBuf]) -> Result<Self, DataError> {
        native::load_paths(paths)
    }

    /// The dataset as files `from_files` reads back unchanged: `data_batch_1.bin` (every
    /// training image), `test_batch.bin` and `batches.meta.txt`. Empty splits are left out.
    pub fn to_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::with_capacity(3);
        if !self.train.is_empty() {
            files.push(("data_batch_1.bin".to_string(), self.train.to_batch_file()));
        }
        if !self.test.is_empty() {
            files.push(("test_batch.bin".to_string(), self.test.to_batch_file()));
        }
        let meta = self.class_names.join("\n") + "\n";
        files.push((META_FILE.to_string(), meta.into_bytes()));
        files
    }

    /// Keep at most `train` training and `test` test images.
    pub fn limit(&mut self, train: Option<usize>, test: Option<usize>) {
        if let Some(n) = train {
            self.train.truncate(n);
        }
        if let Some(n) = test {
            self.test.truncate(n);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::{Path, PathBuf};

    use super::Cifar10;
    use crate::data::collector::{Collector, is_batch_file, is_meta_file};
    use crate::data::error::DataError;

    fn io_error(path: &Path, source: std::io::Error) -> DataError {
        if source.kind() == std::io::ErrorKind::NotFound {
            DataError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            DataError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    pub fn load(path: &Path) -> Result<Cifar10, DataError> {
        load_paths(&[path.to_path_buf()])
    }

    pub fn load_paths(paths: &[PathBuf]) -> Result<Cifar10, DataError> {
        let mut collector = Collector::default();
        for path in paths {
            add_path(&mut collector, path)?;
        }
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        collector.finish(&names.join(", "))
    }

    fn add_path(collector: &mut Collector, path: &Path) -> Result<(), DataError> {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
        if meta.is_dir() {
            let nested = path.join("cifar-10-batches-bin");
            let dir = if nested.is_dir() {
                nested
            } else {
                path.to_path_buf()
            };
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| io_error(&dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.to_string_lossy();
                    p.is_file() && (is_batch_file(&name) || is_meta_file(&name))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(DataError::NoBatchFiles {
                    name: dir.display().to_string(),
                });
            }
            for file in files {
                add_path(collector, &file)?;
            }
            Ok(())
        } else {
            let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
            collector.add_stream(&path.display().to_string(), file)
        }
    }
}
