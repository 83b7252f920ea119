//! p2p-integrity against its raw-crypto floor, and the Tracker's rates.
//!
//! `p2p/manifest/64MiB`: one group over the same 64 MiB (1 MiB segments):
//! - `floor`: SHA-256 of the 64 MiB as one stream (`sha2`, which uses the
//!   CPU's SHA extensions when present): the hashing no Merkle tree over the
//!   bytes can avoid.
//! - `build`: [`ManifestBuilder`] fed 1 MiB chunks: 4096 block hashes plus
//!   the tree's inner nodes.
//! - `verify`: [`SegmentVerifier::verify_segment`] on all 64 segments
//!   (hash list already accepted).
//!
//! `p2p/tracker`: `announce` (10 000 UEs announcing one content of 64
//! segments into a fresh Tracker; criterion reports announcements per
//! second) and `peer_list` (one 50-peer list from a Tracker holding 10 000
//! announcements, encoded; peer lists per second). The bench then prints
//! the heap bytes per announcement, counted by `allocation-counter`.
//!
//! CI only compiles this file; run it with `cargo bench --bench p2p`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ims_sec::p2p::{
    Announcement, ContentId, Manifest, ManifestBuilder, PermanentId, SegmentBitmap, SegmentSize,
    SegmentVerifier, TemporaryPeerId, Tracker, TrackerConfig,
};
use rand::{Rng, RngCore, SeedableRng};
use sha2::{Digest, Sha256};

const LEN: usize = 64 << 20;
const SEGMENT: u64 = 1 << 20;
const UES: usize = 10_000;

fn manifest(c: &mut Criterion) {
    let mut data = vec![0u8; LEN];
    rand::rngs::StdRng::seed_from_u64(1).fill_bytes(&mut data);
    let id = ContentId::new("bench").unwrap();
    let size = SegmentSize::new(SEGMENT).unwrap();
    let m = Manifest::build(id.clone(), size, &data).unwrap();
    let mut g = c.benchmark_group("p2p/manifest/64MiB");
    g.throughput(Throughput::Bytes(LEN as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("floor", |b| {
        b.iter(|| black_box(Sha256::digest(black_box(&data))))
    });
    g.bench_function("build", |b| {
        b.iter(|| {
            let mut builder = ManifestBuilder::new(id.clone(), size);
            for chunk in black_box(&data).chunks(1 << 20) {
                builder.update(chunk).unwrap();
            }
            black_box(builder.finish().unwrap())
        });
    });
    let mut v = SegmentVerifier::from_manifest(&m, m.root()).unwrap();
    g.bench_function("verify", |b| {
        b.iter(|| {
            for (i, seg) in black_box(&data).chunks(SEGMENT as usize).enumerate() {
                v.verify_segment(i as u32, seg).unwrap();
            }
        });
    });
    g.finish();
}

fn announcements(n: usize, m: &Manifest) -> Vec<Announcement> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let segs = m.layout().segment_count();
    (0..n)
        .map(|i| {
            let mut bitmap = SegmentBitmap::new(segs);
            for s in 0..segs {
                if rng.gen_bool(0.5) {
                    bitmap.set(s);
                }
            }
            bitmap.set(0);
            Announcement {
                permanent_id: PermanentId::new(format!("sip:+4670{i:07}@ims.example")).unwrap(),
                tid: TemporaryPeerId::random(&mut rng),
                content_id: m.content_id().clone(),
                segments: bitmap,
            }
        })
        .collect()
}

fn tracker(c: &mut Criterion) {
    // 64 segments of 16 KiB: the Tracker needs only the root and layout.
    let m = Manifest::build(
        ContentId::new("urn:ims:content:bench").unwrap(),
        SegmentSize::MIN,
        &vec![7u8; 64 << 14],
    )
    .unwrap();
    let anns = announcements(UES, &m);
    let fresh = || {
        let mut t = Tracker::new(TrackerConfig::default());
        t.register_content(&m);
        t
    };
    let now = Duration::from_secs(10);
    let mut g = c.benchmark_group("p2p/tracker");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(UES as u64));
    g.bench_function("announce", |b| {
        b.iter_batched(
            fresh,
            |mut t| {
                for a in &anns {
                    t.announce(now, a).unwrap();
                }
                t
            },
            BatchSize::LargeInput,
        );
    });
    let mut full = fresh();
    for a in &anns {
        full.announce(now, a).unwrap();
    }
    let requester = PermanentId::new("sip:bob@ims.example").unwrap();
    g.throughput(Throughput::Elements(1));
    g.bench_function("peer_list", |b| {
        b.iter(|| {
            black_box(
                full.peer_list(now, &requester, m.content_id(), 50)
                    .to_bytes(),
            )
        });
    });
    g.finish();

    let mut t = fresh();
    let info = allocation_counter::measure(|| {
        for a in &anns {
            t.announce(now, a).unwrap();
        }
    });
    println!(
        "p2p/tracker/memory: {} heap bytes per announcement ({} announcements of a 64-segment content, {} bytes held)",
        info.bytes_current / UES as i64,
        UES,
        info.bytes_current
    );
}

criterion_group!(benches, manifest, tracker);
criterion_main!(benches);
