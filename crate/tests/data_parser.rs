//! The CIFAR-10 reader: round trips and every kind of bad input a user can feed it.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs runs in the browser

mod common;

use common::{archive, batch_file, record, temp_dir};
use kiln::data::{Cifar10, DataError, Split};

const META: &[u8] = b"airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";

#[test]
fn hand_built_records_round_trip() {
    let bytes = batch_file(&[3, 0, 9, 5]);
    let mut split = Split::default();
    split.append_batch_file("x.bin", &bytes).unwrap();
    assert_eq!(split.len(), 4);
    assert_eq!(split.labels(), &[3, 0, 9, 5]);
    assert_eq!(split.image(2), &record(9, 2)[1..]);
    assert_eq!(split.to_batch_file(), bytes);
}

#[test]
fn official_archive_layout_is_read_in_order_with_class_names() {
    let b1 = batch_file(&[1, 2]);
    let b2 = batch_file(&[3]);
    let test = batch_file(&[4, 5, 6]);
    let meta = META.replace_ascii("truck", "lorry");
    let files: Vec<(&str, &[u8])> = vec![
        // Deliberately out of order: the reader sorts by name.
        ("cifar-10-batches-bin/data_batch_2.bin", &b2),
        ("cifar-10-batches-bin/batches.meta.txt", &meta),
        ("cifar-10-batches-bin/readme.html", b"<html>"),
        ("cifar-10-batches-bin/test_batch.bin", &test),
        ("cifar-10-batches-bin/data_batch_1.bin", &b1),
    ];
    for gzip in [true, false] {
        let bytes = archive(&files, gzip);
        let data = Cifar10::from_reader("cifar.tar.gz", &bytes[..]).unwrap();
        assert_eq!(data.train.labels(), &[1, 2, 3]);
        assert_eq!(data.test.labels(), &[4, 5, 6]);
        assert_eq!(data.class_names[9], "lorry");
        assert_eq!(data.class_names.len(), 10);
    }
}

/// How the browser moves a loaded dataset between its two engines (single- and multi-threaded).
#[test]
fn to_files_reads_back_unchanged() {
    let meta = META.replace_ascii("truck", "lorry");
    let (b1, b2, test) = (
        batch_file(&[1, 2]),
        batch_file(&[3]),
        batch_file(&[4, 5, 6]),
    );
    let files: Vec<(&str, &[u8])> = vec![
        ("data_batch_1.bin", &b1),
        ("data_batch_2.bin", &b2),
        ("test_batch.bin", &test),
        ("batches.meta.txt", &meta),
    ];
    let data = Cifar10::from_files(files).unwrap();
    let exported = data.to_files();
    let again = Cifar10::from_files(exported.iter().map(|(n, b)| (n.as_str(), &b[..]))).unwrap();
    assert_eq!(again, data);
    // Only the training split: no empty test file.
    let train_only = Cifar10::from_files([("data_batch_1.bin", &b1[..])]).unwrap();
    let exported = train_only.to_files();
    assert_eq!(exported.len(), 2);
    let again = Cifar10::from_files(exported.iter().map(|(n, b)| (n.as_str(), &b[..]))).unwrap();
    assert_eq!(again, train_only);
}

trait ReplaceAscii {
    fn replace_ascii(&self, from: &str, to: &str) -> Vec<u8>;
}
impl ReplaceAscii for [u8] {
    fn replace_ascii(&self, from: &str, to: &str) -> Vec<u8> {
        String::from_utf8_lossy(self).replace(from, to).into_bytes()
    }
}

#[test]
fn loose_bin_files_folder_and_paths() {
    let dir = temp_dir("folder");
    let nested = dir.join("cifar-10-batches-bin");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("data_batch_1.bin"), batch_file(&[0, 1])).unwrap();
    std::fs::write(nested.join("test_batch.bin"), batch_file(&[7])).unwrap();
    std::fs::write(nested.join("batches.meta.txt"), META).unwrap();

    for path in [&dir, &nested] {
        let data = Cifar10::load(path).unwrap();
        assert_eq!((data.train.len(), data.test.len()), (2, 1));
    }
    let data = Cifar10::load_paths(&[nested.join("data_batch_1.bin")]).unwrap();
    assert_eq!((data.train.len(), data.test.len()), (2, 0));

    let from_memory = Cifar10::from_files([
        ("data_batch_1.bin", &batch_file(&[4])[..]),
        ("test_batch.bin", &[][..]),
    ]);
    assert!(matches!(from_memory, Err(DataError::Empty { name }) if name == "test_batch.bin"));
}

fn load_err(name: &str, bytes: &[u8]) -> DataError {
    Cifar10::from_reader(name, bytes).expect_err("bad input must be rejected")
}

#[test]
fn size_not_a_multiple_of_a_record() {
    let mut bytes = batch_file(&[1, 2]);
    bytes.pop();
    let err = load_err("data_batch_1.bin", &bytes);
    assert!(matches!(err, DataError::BadSize { len: 6145, .. }), "{err}");
    assert!(err.to_string().contains("data_batch_1.bin") && err.to_string().contains("3073"));
}

#[test]
fn label_above_nine() {
    let mut bytes = batch_file(&[1, 2, 3]);
    bytes[2 * 3073] = 10;
    let err = load_err("data_batch_1.bin", &bytes);
    assert!(
        matches!(
            err,
            DataError::BadLabel {
                record: 2,
                label: 10,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("record 2 has label 10"));
}

#[test]
fn empty_file() {
    let err = load_err("test_batch.bin", &[]);
    assert!(matches!(err, DataError::Empty { .. }), "{err}");
    assert!(err.to_string().contains("test_batch.bin"));
}

#[test]
fn corrupt_and_truncated_archives() {
    let good = archive(
        &[(
            "cifar-10-batches-bin/data_batch_1.bin",
            &batch_file(&[1; 50]),
        )],
        true,
    );
    // Truncated gzip stream.
    let err = load_err("cifar-10-binary.tar.gz", &good[..good.len() / 2]);
    assert!(matches!(err, DataError::CorruptArchive { .. }), "{err}");
    assert!(err.to_string().contains("cifar-10-binary.tar.gz"));
    // Corrupt gzip body (valid magic, garbage after).
    let mut corrupt = good.clone();
    for b in corrupt.iter_mut().skip(20).take(200) {
        *b ^= 0x5a;
    }
    let err = load_err("cifar-10-binary.tar.gz", &corrupt);
    assert!(matches!(err, DataError::CorruptArchive { .. }), "{err}");
    // Truncated plain tar.
    let tar = archive(&[("data_batch_1.bin", &batch_file(&[1; 5]))], false);
    let err = load_err("cifar.tar", &tar[..2000]);
    assert!(
        matches!(
            err,
            DataError::CorruptArchive { .. } | DataError::BadSize { .. }
        ),
        "{err}"
    );
    // A named archive that is not one.
    let err = load_err("cifar-10-binary.tar.gz", b"this is not gzip");
    assert!(matches!(err, DataError::CorruptArchive { .. }), "{err}");
}

#[test]
fn archive_without_batch_files() {
    let bytes = archive(&[("readme.html", b"<html></html>")], true);
    let err = load_err("other.tar.gz", &bytes);
    assert!(matches!(err, DataError::NoBatchFiles { .. }), "{err}");
    assert!(err.to_string().contains("other.tar.gz"));
}

#[test]
fn path_that_does_not_exist() {
    let path = std::path::Path::new("/nonexistent/cifar-10-binary.tar.gz");
    let err = Cifar10::load(path).unwrap_err();
    assert!(matches!(err, DataError::NotFound { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("/nonexistent/cifar-10-binary.tar.gz")
    );
}

#[test]
fn foreign_file_is_named() {
    let png = b"\x89PNG\r\n\x1a\n0000000000000000000000000000000000";
    let err = load_err("photo.png", png);
    assert!(matches!(err, DataError::BadSize { .. }), "{err}");
    assert!(err.to_string().contains("photo.png"));
}

#[test]
fn bad_meta_file() {
    let err = Cifar10::from_files([
        ("data_batch_1.bin", &batch_file(&[1])[..]),
        ("batches.meta.txt", &b"cat\ndog\n"[..]),
    ])
    .unwrap_err();
    assert!(matches!(err, DataError::BadMeta { .. }), "{err}");
}

#[test]
fn limits_and_class_counts() {
    let mut data = Cifar10::from_files([
        ("data_batch_1.bin", &batch_file(&[0, 1, 1, 9, 9, 9])[..]),
        ("test_batch.bin", &batch_file(&[2, 2])[..]),
    ])
    .unwrap();
    assert_eq!(data.train.class_counts(), [1, 2, 0, 0, 0, 0, 0, 0, 0, 3]);
    data.limit(Some(3), Some(1));
    assert_eq!((data.train.len(), data.test.len()), (3, 1));
}
