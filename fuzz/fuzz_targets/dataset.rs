//! The CIFAR-10 reader on arbitrary bytes, through the entry points the CLI and the browser use:
//! one stream told apart by its contents (`.tar.gz`, `.tar`, `.bin`), and several named files
//! (batch files, the meta file, archives) read together.
#![no_main]

use kiln::data::Cifar10;
use libfuzzer_sys::fuzz_target;

/// Names the browser and the CLI pass: they decide how a stream is read and which split it
/// joins.
const NAMES: [&str; 6] = [
    "cifar-10-binary.tar.gz",
    "cifar.tar",
    "data_batch_1.bin",
    "test_batch.bin",
    "batches.meta.txt",
    "photo.png",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    // Bits 0-2 name the first file, bits 3-5 the second; bit 7 asks for two files.
    let name = |i: u8| NAMES[usize::from(i & 7) % NAMES.len()].to_string();
    if mode & 0x80 == 0 {
        // One stream, named by the mode byte.
        let _ = Cifar10::from_reader(&name(mode), rest);
    } else {
        // Two named files: the second begins where the two bytes after the mode byte say.
        let Some((split, rest)) = rest.split_first_chunk::<2>() else {
            return;
        };
        let at = usize::from(u16::from_le_bytes(*split)).min(rest.len());
        let (first, second) = rest.split_at(at);
        let files = [(name(mode), first), (name(mode >> 3), second)];
        if let Ok(data) = Cifar10::from_readers(files) {
            // What the browser does with a loaded dataset: export it and read it back.
            let files = data.to_files();
            let again = Cifar10::from_files(files.iter().map(|(n, b)| (n.as_str(), &b[..])));
            assert_eq!(again.ok().as_ref(), Some(&data), "to_files must read back");
        }
    }
});
