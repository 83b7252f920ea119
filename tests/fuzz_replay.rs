//! Replays every fuzz corpus and crash artifact on stable Rust, so bugs the
//! fuzzers found stay fixed (see `fuzz/src/lib.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::path::Path;

#[test]
fn every_fuzz_target_is_replayed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(
            targets::TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz target {name} has no body in fuzz/src/lib.rs TARGETS"
        );
    }
}

#[test]
fn corpus_and_artifacts_replay_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for (name, body) in targets::TARGETS {
        for kind in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(root.join(kind).join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_file() {
                    body(&std::fs::read(&path).unwrap());
                    replayed += 1;
                }
            }
        }
    }
    assert!(replayed > 0, "no corpus files found under fuzz/");
}
