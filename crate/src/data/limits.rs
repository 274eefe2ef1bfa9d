//! How much a dataset file may hold, and a reader that enforces it. Archives come from users
//! (dropped on the page, fetched from a URL), so every size an archive claims is checked against
//! these caps before anything is allocated, and decompression stops at a cap: a 200-byte file
//! that claims a 7 GiB member, or a 14 MB `.tar.gz` that unpacks to gigabytes, is refused in
//! constant memory.

use std::io::Read;

use crate::data::cifar::RECORD_BYTES;

/// Images in the whole of CIFAR-10 (50,000 training and 10,000 test): the most one load holds.
pub const MAX_IMAGES: usize = 60_000;

/// The most bytes of batch files one load holds (every CIFAR-10 image once: 184,380,000).
pub const MAX_BATCH_BYTES: u64 = (MAX_IMAGES * RECORD_BYTES) as u64;

/// The most bytes a `batches.meta.txt` may have: ten short class names need well under this.
pub const MAX_META_BYTES: u64 = 64 * 1024;

/// The most bytes a tar stream may unpack to: every batch file, the class names, a readme and
/// the tar headers fit with room to spare (`cifar-10-binary.tar.gz` unpacks to 184,391,680).
pub const MAX_UNPACKED_BYTES: u64 = 200_000_000;

/// A reader that fails once more than `cap` bytes have come through, and remembers that it did,
/// so the caller can tell "too large" from any other read error after the tar reader wrapped it.
pub struct Capped<R> {
    inner: R,
    left: u64,
    pub exceeded: bool,
}

impl<R: Read> Capped<R> {
    pub fn new(inner: R, cap: u64) -> Self {
        Self {
            inner,
            left: cap,
            exceeded: false,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 && !buf.is_empty() {
            // Past the cap: one more byte means the stream is too large, none means it ended.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.exceeded = true;
            return Err(std::io::Error::other("the unpacked data exceeds the cap"));
        }
        let want = usize::try_from(self.left).map_or(buf.len(), |left| left.min(buf.len()));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Read at most `limit` bytes of `reader` into memory, growing the buffer only as data arrives.
/// Returns `None` when there is more than `limit`.
pub fn read_at_most(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}
