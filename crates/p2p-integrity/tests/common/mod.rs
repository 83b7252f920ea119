//! Helpers shared by the p2p-integrity integration tests.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use p2p_integrity::{ContentId, Manifest, SegmentSize};
use rand::{RngCore, SeedableRng};

/// A content of `segments` segments of 32 KiB (the last `short` bytes
/// shorter), random bytes from `seed`, and its manifest.
pub fn content(name: &str, segments: usize, short: usize, seed: u64) -> (Manifest, Vec<u8>) {
    let mut data = vec![0u8; segments * 32 * 1024 - short];
    rand::rngs::StdRng::seed_from_u64(seed).fill_bytes(&mut data);
    let m = Manifest::build(
        ContentId::new(name).unwrap(),
        SegmentSize::new(32 * 1024).unwrap(),
        &data,
    )
    .unwrap();
    (m, data)
}

/// The bytes of segment `i`.
pub fn segment<'a>(m: &Manifest, data: &'a [u8], i: u32) -> &'a [u8] {
    let (start, len) = m.layout().segment_range(i).unwrap();
    &data[start as usize..(start + len) as usize]
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
