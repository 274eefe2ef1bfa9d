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

/// A tar header for `name` that claims `size` bytes, followed by only `data`: what a crafted or
/// cut-off archive looks like.
fn lying_tar(name: &str, size: u64, data: &[u8]) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path(name).unwrap();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    let mut tar = header.as_bytes().to_vec();
    tar.extend_from_slice(data);
    tar
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// The 219-byte `.tar.gz` of issue 18: a header claiming a 7 GiB batch file. Refused from the
/// header alone, naming the member and the claim, before anything is allocated.
#[test]
fn header_claiming_7_gib_is_refused_without_reading() {
    let claim = 7u64 << 30;
    let tar = lying_tar("cifar-10-batches-bin/data_batch_1.bin", claim, &[1; 600]);
    let tgz = gzip(&tar);
    assert!(tgz.len() < 400, "{} bytes", tgz.len());
    for (name, bytes) in [("evil.tar.gz", &tgz), ("evil.tar", &tar)] {
        let err = load_err(name, bytes);
        assert!(
            matches!(err, DataError::MemberTooLarge { claimed, .. } if claimed == claim),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("{name}:cifar-10-batches-bin/data_batch_1.bin"))
                && text.contains("7516192768")
                && text.contains("184380000"),
            "{text}"
        );
    }
}

#[test]
fn oversized_meta_claim_and_short_member_are_refused() {
    let tar = lying_tar("batches.meta.txt", 1 << 40, b"cat\n");
    let err = load_err("meta.tar", &tar);
    assert!(
        matches!(err, DataError::MemberTooLarge { limit: 65536, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("meta.tar:batches.meta.txt"),
        "{err}"
    );

    // A header claiming two records, then the stream ends after one.
    let tar = lying_tar("data_batch_1.bin", 2 * 3073, &batch_file(&[1]));
    let err = load_err("short.tar.gz", &gzip(&tar));
    assert!(matches!(err, DataError::CorruptArchive { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("short.tar.gz:data_batch_1.bin") && text.contains("6146"),
        "{text}"
    );
}

/// A gzip bomb: a small `.tar.gz` whose skipped member unpacks to gigabytes of zeros. Reading
/// stops at the cap, with an error naming the file and the cap, in constant memory.
#[test]
fn gzip_bomb_stops_at_the_unpacked_cap() {
    use std::io::Write;
    let member = 3u64 << 30;
    let mut header = tar::Header::new_gnu();
    header.set_path("cifar-10-batches-bin/readme.html").unwrap();
    header.set_size(member);
    header.set_cksum();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(header.as_bytes()).unwrap();
    // 256 MB of zeros is enough to pass the 200 MB cap; the claim says 3 GiB.
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());

    let started = std::time::Instant::now();
    let err = load_err("bomb.tar.gz", &bomb);
    assert!(
        matches!(
            err,
            DataError::TooLarge {
                cap: 200_000_000,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("bomb.tar.gz") && text.contains("200000000"),
        "{text}"
    );
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

/// Well-formed records beyond CIFAR-10's 60,000 images: refused at the first member that does
/// not fit, from its header, naming it.
#[test]
fn more_records_than_cifar10_has_are_refused() {
    use std::io::Write;
    let batch = batch_file(&[3; 10_000]);
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for i in 1..=7 {
        let mut header = tar::Header::new_gnu();
        header.set_size(batch.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        let name = format!("cifar-10-batches-bin/data_batch_{i}.bin");
        builder.append_data(&mut header, name, &batch[..]).unwrap();
    }
    let mut enc = builder.into_inner().unwrap();
    enc.flush().unwrap();
    let tgz = enc.finish().unwrap();
    let err = load_err("many.tar.gz", &tgz);
    assert!(
        matches!(err, DataError::TooManyImages { max: 60_000, .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("many.tar.gz:cifar-10-batches-bin/data_batch_7.bin")
            && text.contains("60000"),
        "{text}"
    );
}

/// A loose batch file that never ends (a device file, a runaway stream): reading stops at the
/// most a batch file may hold.
#[test]
fn endless_loose_file_is_cut_at_the_cap() {
    let endless = std::io::repeat(1);
    let err = Cifar10::from_readers([("data_batch_1.bin".to_string(), endless)]).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TooLarge {
                cap: 184_380_000,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("data_batch_1.bin"), "{err}");
}

/// The real archive (6 batch files, the class names, a readme) fits within every cap.
#[test]
fn real_archive_loads_within_the_caps() {
    let Some(data) = common::real_data() else {
        return;
    };
    assert_eq!((data.train.len(), data.test.len()), (50_000, 10_000));
    assert_eq!(data.class_names, kiln::data::CLASS_NAMES);
}
