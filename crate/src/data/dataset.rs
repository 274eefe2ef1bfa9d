//! Assemble a CIFAR-10 dataset from whatever the user has: the official `.tar.gz` archive
//! (read as a stream, never unpacked to disk), a plain `.tar`, or loose `.bin` batch files plus
//! an optional `batches.meta.txt`. Works on bytes, so the browser build uses it unchanged.

use std::io::Read;

use crate::data::cifar::{CLASS_NAMES, NUM_CLASSES, RECORD_BYTES, Split};
use crate::data::error::DataError;
use crate::data::limits::{
    Capped, MAX_BATCH_BYTES, MAX_IMAGES, MAX_META_BYTES, MAX_UNPACKED_BYTES, read_at_most,
};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const META_FILE: &str = "batches.meta.txt";

/// CIFAR-10 in memory: the training and test splits and the class names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cifar10 {
    pub train: Split,
    pub test: Split,
    pub class_names: Vec<String>,
}

impl Default for Cifar10 {
    fn default() -> Self {
        Self {
            train: Split::default(),
            test: Split::default(),
            class_names: CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// Which split a batch file belongs to, from its name: `test_batch*` is the test set,
/// every other `.bin` (`data_batch_1.bin` …) is training data.
fn is_test_file(name: &str) -> bool {
    base_name(name).to_ascii_lowercase().starts_with("test")
}

fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\', ':']).next().unwrap_or(name)
}

fn is_batch_file(name: &str) -> bool {
    base_name(name).to_ascii_lowercase().ends_with(".bin")
}

fn is_meta_file(name: &str) -> bool {
    base_name(name) == META_FILE
}

/// Collects batch files, then orders them by name so the record order is the official one
/// whatever order the files arrived in.
#[derive(Default)]
struct Collector {
    batches: Vec<(String, bool, Split)>,
    class_names: Option<Vec<String>>,
    /// Images in `batches`, never more than [`MAX_IMAGES`].
    images: usize,
}

impl Collector {
    fn add_file(&mut self, name: &str, bytes: &[u8]) -> Result<(), DataError> {
        if is_meta_file(name) {
            self.class_names = Some(parse_meta(name, bytes)?);
        } else {
            let mut split = Split::default();
            split.append_batch_file(name, bytes)?;
            if split.len() > MAX_IMAGES - self.images {
                return Err(DataError::TooManyImages {
                    name: name.to_string(),
                    max: MAX_IMAGES,
                });
            }
            self.images += split.len();
            self.batches
                .push((name.to_string(), is_test_file(name), split));
        }
        Ok(())
    }

    /// The most bytes the next file called `name` may hold: a meta file is small, and batch
    /// files together hold at most [`MAX_IMAGES`] records.
    fn limit_for(&self, name: &str) -> u64 {
        if is_meta_file(name) {
            MAX_META_BYTES
        } else {
            ((MAX_IMAGES - self.images) * RECORD_BYTES) as u64
        }
    }

    /// The error for a file called `name` that holds more than [`Self::limit_for`] allows.
    fn too_large(&self, name: &str, claimed: u64) -> DataError {
        let limit = self.limit_for(name);
        if !is_meta_file(name) && self.images > 0 && claimed <= MAX_BATCH_BYTES {
            DataError::TooManyImages {
                name: name.to_string(),
                max: MAX_IMAGES,
            }
        } else {
            DataError::MemberTooLarge {
                name: name.to_string(),
                claimed,
                limit,
            }
        }
    }

    /// Read a tar stream, unpacking at most [`MAX_UNPACKED_BYTES`].
    fn add_tar(&mut self, name: &str, reader: impl Read) -> Result<(), DataError> {
        let mut capped = Capped::new(reader, MAX_UNPACKED_BYTES);
        let result = self.read_tar(name, &mut capped);
        if capped.exceeded {
            return Err(DataError::TooLarge {
                name: name.to_string(),
                cap: MAX_UNPACKED_BYTES,
            });
        }
        result
    }

    fn read_tar(&mut self, name: &str, reader: impl Read) -> Result<(), DataError> {
        let corrupt = |e: std::io::Error| DataError::CorruptArchive {
            name: name.to_string(),
            reason: e.to_string(),
        };
        let mut archive = tar::Archive::new(reader);
        for entry in archive.entries().map_err(corrupt)? {
            let mut entry = entry.map_err(corrupt)?;
            let path = entry
                .path()
                .map_err(corrupt)?
                .to_string_lossy()
                .into_owned();
            if !(is_batch_file(&path) || is_meta_file(&path)) {
                // Skipped: the tar reader reads past it in small pieces.
                continue;
            }
            let member = format!("{name}:{path}");
            // The header's size is a claim: checked before reading, and against what arrives.
            let claimed = entry.size();
            if claimed > self.limit_for(&path) {
                return Err(self.too_large(&member, claimed));
            }
            let bytes = read_at_most(&mut entry, claimed)
                .map_err(corrupt)?
                .unwrap_or_default();
            if bytes.len() as u64 != claimed {
                return Err(DataError::CorruptArchive {
                    name: member,
                    reason: format!(
                        "the archive says it holds {claimed} bytes, but it ends after {}",
                        bytes.len()
                    ),
                });
            }
            self.add_file(&member, &bytes)?;
        }
        Ok(())
    }

    fn finish(mut self, source: &str) -> Result<Cifar10, DataError> {
        if self.batches.is_empty() {
            return Err(DataError::NoBatchFiles {
                name: source.to_string(),
            });
        }
        self.batches.sort_by(|a, b| a.0.cmp(&b.0));
        let mut data = Cifar10::default();
        if let Some(names) = self.class_names {
            data.class_names = names;
        }
        let count = |test: bool| -> usize {
            self.batches
                .iter()
                .filter(|b| b.1 == test)
                .map(|b| b.2.len())
                .sum()
        };
        data.train.reserve(count(false));
        data.test.reserve(count(true));
        for (_, is_test, part) in self.batches {
            if is_test {
                &mut data.test
            } else {
                &mut data.train
            }
            .extend(part);
        }
        Ok(data)
    }
}

fn parse_meta(name: &str, bytes: &[u8]) -> Result<Vec<String>, DataError> {
    let bad = |reason: String| DataError::BadMeta {
        name: name.to_string(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".into()))?;
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if names.len() != NUM_CLASSES {
        return Err(bad(format!(
            "expected {NUM_CLASSES} class names, found {}",
            names.len()
        )));
    }
    Ok(names)
}

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

impl Collector {
    fn add_stream(&mut self, name: &str, reader: impl Read) -> Result<(), DataError> {
        let corrupt = |e: std::io::Error| DataError::CorruptArchive {
            name: name.into(),
            reason: e.to_string(),
        };
        let mut reader = std::io::BufReader::with_capacity(1 << 20, reader);
        let head = std::io::BufRead::fill_buf(&mut reader).map_err(corrupt)?;
        if head.starts_with(&GZIP_MAGIC) {
            return self.add_tar(name, flate2::bufread::GzDecoder::new(reader));
        }
        if head.len() > 262 && &head[257..262] == b"ustar" {
            return self.add_tar(name, reader);
        }
        let archive_name = [".gz", ".tgz", ".tar"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if archive_name && !is_batch_file(name) {
            return Err(DataError::CorruptArchive {
                name: name.into(),
                reason: "not a gzip or tar file".into(),
            });
        }
        // A batch file (or an unknown name, treated as one: its checks name what is wrong).
        let limit = self.limit_for(name);
        let bytes = read_at_most(reader, limit)
            .map_err(corrupt)?
            .ok_or_else(|| match self.too_large(name, limit.saturating_add(1)) {
                DataError::MemberTooLarge { name, limit, .. } => {
                    DataError::TooLarge { name, cap: limit }
                }
                other => other,
            })?;
        self.add_file(name, &bytes)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::{Path, PathBuf};

    use super::{Cifar10, Collector, is_batch_file, is_meta_file};
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
