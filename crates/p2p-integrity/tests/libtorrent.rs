//! BEP 52 conformance against libtorrent 2 (Debian `python3-libtorrent`):
//! for every content length × segment size below, our manifest's root is
//! libtorrent's `pieces root` and our segment hashes are its `piece layers`
//! entry (which BEP 52 omits when the file fits in one piece; our single
//! segment hash is then the root).
//!
//! The lengths cover one byte, a block less one, exactly one block, one byte
//! over, block counts that are not powers of two, exact segment multiples
//! and several megabytes; the segment sizes every power of two from 16 KiB
//! to 4 MiB. The content is hashed twice on our side: in one call, and
//! streamed in uneven chunks. libtorrent runs as one `/usr/bin/python3`
//! process (`tests/interop/libtorrent_peer.py`) for all cases. Under CI
//! (`IMS_SEC_CI` set) a missing libtorrent fails the test; elsewhere the test
//! says so on stderr and passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use p2p_integrity::{ContentId, Manifest, ManifestBuilder, SegmentSize, BLOCK_SIZE};
use rand::{RngCore, SeedableRng};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/libtorrent_peer.py"
);
const PYTHON: &str = "/usr/bin/python3";

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

fn lengths() -> Vec<usize> {
    vec![
        1,
        BLOCK_SIZE - 1,
        BLOCK_SIZE,
        BLOCK_SIZE + 1,
        2 * BLOCK_SIZE,
        3 * BLOCK_SIZE,
        3 * BLOCK_SIZE + 100,
        5 * BLOCK_SIZE + 7,
        7 * BLOCK_SIZE,
        13 * BLOCK_SIZE - 1,
        100_000,
        MIB,
        MIB + 1,
        3 * MIB + 12_345,
        4 * MIB,
        6 * MIB + 1,
        9 * MIB - 17,
    ]
}

fn segment_sizes() -> Vec<usize> {
    (14..=22).map(|log2| 1usize << log2).collect()
}

fn libtorrent_available() -> bool {
    let found = Command::new(PYTHON)
        .args(["-c", "import libtorrent"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("IMS_SEC_CI").is_none(),
            "python3-libtorrent is missing under CI: apt-get install python3-libtorrent"
        );
        eprintln!("python3-libtorrent not installed (apt-get install python3-libtorrent): BEP 52 conformance not run");
    }
    found
}

/// Streams `content` into a builder in uneven chunks.
fn build_streamed(id: &ContentId, size: SegmentSize, content: &[u8]) -> Manifest {
    let mut b = ManifestBuilder::new(id.clone(), size);
    let chunks = [1, 7, 1000, BLOCK_SIZE, 3 * BLOCK_SIZE + 5, 100_003];
    let mut rest = content;
    let mut i = 0;
    while !rest.is_empty() {
        let n = chunks[i % chunks.len()].min(rest.len());
        b.update(&rest[..n]).unwrap();
        rest = &rest[n..];
        i += 1;
    }
    b.finish().unwrap()
}

#[test]
fn roots_and_segment_hashes_equal_libtorrent_pieces_root_and_piece_layers() {
    if !libtorrent_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("p2p-integrity-bep52-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(52);
    let mut files = Vec::new();
    for len in lengths() {
        let mut content = vec![0u8; len];
        rng.fill_bytes(&mut content);
        let path = dir.join(format!("content-{len}"));
        std::fs::write(&path, &content).unwrap();
        files.push((path, content));
    }

    let mut child = Command::new(PYTHON)
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut cases = Vec::new();
    for (path, _) in &files {
        for size in segment_sizes() {
            writeln!(stdin, "{} {size}", path.display()).unwrap();
            cases.push((path.clone(), size));
        }
    }
    drop(stdin);
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .collect();
    assert!(child.wait().unwrap().success(), "libtorrent peer failed");
    assert_eq!(lines.len(), cases.len());

    let id = ContentId::new("bep52").unwrap();
    let mut multi_segment = 0;
    for ((path, size), line) in cases.iter().zip(&lines) {
        let content = &files.iter().find(|(p, _)| p == path).unwrap().1;
        let (root_hex, layer_hex) = line.split_once(' ').unwrap();
        let segment_size = SegmentSize::new(*size as u64).unwrap();
        let manifest = Manifest::build(id.clone(), segment_size, content).unwrap();
        let what = format!("{} bytes, segment {} KiB", content.len(), size / KIB);
        assert_eq!(
            hex::encode(manifest.root()),
            root_hex,
            "pieces root, {what}"
        );
        let ours: String = manifest.segment_hashes().iter().map(hex::encode).collect();
        if layer_hex == "-" {
            assert_eq!(manifest.segment_hashes(), &[*manifest.root()], "{what}");
        } else {
            multi_segment += 1;
            assert_eq!(ours, layer_hex, "piece layers, {what}");
        }
        assert_eq!(
            build_streamed(&id, segment_size, content),
            manifest,
            "streamed, {what}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
    eprintln!(
        "BEP 52: {} cases ({} lengths x {} segment sizes) equal libtorrent's pieces root, {multi_segment} with piece layers",
        cases.len(),
        files.len(),
        segment_sizes().len()
    );
}
