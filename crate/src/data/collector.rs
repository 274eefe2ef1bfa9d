//! Gathers the files of one load: reads each stream (a `.tar.gz`, a `.tar` or a loose file, told
//! apart by its contents) within the caps of [`crate::data::limits`], parses batch files and the
//! meta file as they arrive, and assembles the dataset in the official record order.

use std::io::Read;

use crate::data::cifar::{Cifar10, NUM_CLASSES, RECORD_BYTES, Split};
use crate::data::error::DataError;
use crate::data::limits::{
    Capped, MAX_BATCH_BYTES, MAX_IMAGES, MAX_META_BYTES, MAX_UNPACKED_BYTES, read_at_most,
};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
pub const META_FILE: &str = "batches.meta.txt";

/// Which split a batch file belongs to, from its name: `test_batch*` is the test set,
/// every other `.bin` (`data_batch_1.bin` …) is training data.
pub(crate) fn is_test_file(name: &str) -> bool {
    base_name(name).to_ascii_lowercase().starts_with("test")
}

fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\', ':']).next().unwrap_or(name)
}

pub(crate) fn is_batch_file(name: &str) -> bool {
    base_name(name).to_ascii_lowercase().ends_with(".bin")
}

pub(crate) fn is_meta_file(name: &str) -> bool {
    base_name(name) == META_FILE
}

/// Collects batch files, then orders them by name so the record order is the official one
/// whatever order the files arrived in.
#[derive(Default)]
pub(crate) struct Collector {
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

    pub(crate) fn finish(mut self, source: &str) -> Result<Cifar10, DataError> {
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

impl Collector {
    pub(crate) fn add_stream(&mut self, name: &str, reader: impl Read) -> Result<(), DataError> {
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
