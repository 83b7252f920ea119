//! Identity privacy (TR 33.844 §4.1, §5.3): peer lists never reveal a
//! permanent identity, and TIDs of different epochs cannot be linked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{contains, content};
use ims_sec_core::Secret;
use p2p_integrity::{
    Announcement, PeerEntry, PeerList, PermanentId, SegmentBitmap, TemporaryPeerId, TidSecret,
    Tracker, TrackerConfig,
};
use proptest::prelude::*;
use rand::{Rng, RngCore, SeedableRng};

/// What a peer list can say about a peer: a TID and a bitmap. This
/// destructuring names every field; adding one (a permanent ID, say) stops
/// the test from compiling.
fn fields(entry: &PeerEntry) -> (&TemporaryPeerId, &SegmentBitmap) {
    let PeerEntry { tid, segments } = entry;
    (tid, segments)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random registries: UEs with random permanent identities (SIP URIs and
    /// raw byte strings) announce random segments of two contents, some
    /// rotate their TID, some let their binding expire, some try to collide.
    /// Every peer list the Tracker gives any requester, encoded, contains no
    /// permanent ID's bytes.
    #[test]
    fn no_encoded_peer_list_contains_a_permanent_id(seed in any::<u64>(), ues in 2usize..40) {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let contents = [content("film", 5, 17, 1).0, content("song", 2, 0, 2).0];
        let mut t = Tracker::new(TrackerConfig::default());
        for m in &contents {
            t.register_content(m);
        }
        let mut ids = Vec::new();
        for i in 0..ues {
            let id = if i % 2 == 0 {
                format!("sip:user{}.{:08x}@ims.example", i, rng.next_u32()).into_bytes()
            } else {
                let mut b = vec![0u8; rng.gen_range(12..40)];
                rng.fill_bytes(&mut b);
                b
            };
            ids.push(PermanentId::new(id).unwrap());
        }
        let mut now = Duration::ZERO;
        let secrets: Vec<TidSecret> = ids.iter().map(|_| TidSecret::generate(&mut rng)).collect();
        for round in 0..4u64 {
            for (i, id) in ids.iter().enumerate() {
                if rng.gen_bool(0.3) {
                    continue;
                }
                // Epoch = round for most; a few draw at random or reuse another's TID.
                let tid = match rng.gen_range(0..10) {
                    0 => TemporaryPeerId::random(&mut rng),
                    1 => secrets[(i + 1) % ues].tid(round),
                    _ => secrets[i].tid(round),
                };
                let m = &contents[rng.gen_range(0..2)];
                let n = m.layout().segment_count();
                let mut segs = SegmentBitmap::new(n);
                segs.set(rng.gen_range(0..n));
                for s in 0..n {
                    if rng.gen_bool(0.5) {
                        segs.set(s);
                    }
                }
                let _ = t.announce(now, &Announcement {
                    permanent_id: id.clone(),
                    tid,
                    content_id: m.content_id().clone(),
                    segments: segs,
                });
            }
            now += Duration::from_secs(rng.gen_range(1..2000));
            t.handle_timeout(now);
            for requester in &ids {
                for m in &contents {
                    let list = t.peer_list(now, requester, m.content_id(), 1000);
                    let wire = list.to_bytes();
                    for id in &ids {
                        prop_assert!(!contains(&wire, id.as_bytes()), "peer list leaks {:?}", id);
                    }
                    let parsed = PeerList::parse(&wire).unwrap();
                    for e in &parsed.peers {
                        let (tid, segs) = fields(e);
                        prop_assert!(t.is_listed(now, tid, m.content_id()));
                        prop_assert_eq!(segs.len(), m.layout().segment_count());
                    }
                    // The requester never sees itself.
                    if let Some(own) = t.tid_of(requester, now) {
                        prop_assert!(parsed.peers.iter().all(|e| e.tid != own));
                    }
                }
            }
        }
    }

    /// TIDs of different epochs differ, and nothing computable without the
    /// secret links them: their XOR changes from one UE to another (no
    /// fixed offset), they share no position-wise structure, and neither
    /// carries the epoch.
    #[test]
    fn tids_of_different_epochs_differ_and_share_no_structure(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), e1 in any::<u64>(), e2 in any::<u64>()) {
        prop_assume!(e1 != e2 && a != b);
        let (sa, sb) = (TidSecret::new(Secret::new(a)), TidSecret::new(Secret::new(b)));
        let (t1, t2) = (sa.tid(e1), sa.tid(e2));
        prop_assert_ne!(t1, t2);
        let xor_a: Vec<u8> = t1.as_bytes().iter().zip(t2.as_bytes()).map(|(x, y)| x ^ y).collect();
        let xor_b: Vec<u8> = sb.tid(e1).as_bytes().iter().zip(sb.tid(e2).as_bytes()).map(|(x, y)| x ^ y).collect();
        prop_assert_ne!(xor_a, xor_b);
        for t in [t1, t2] {
            prop_assert!(!contains(t.as_bytes(), &e1.to_be_bytes()));
            prop_assert!(!contains(t.as_bytes(), &e2.to_be_bytes()));
        }
    }
}

/// Over many UEs and consecutive epochs, a TID and its successor differ in
/// about half their bits (as two independent random values do), each bit
/// position flips about half the time, and no TID repeats.
#[test]
fn consecutive_tids_look_independent() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let mut seen = HashSet::new();
    let mut distances = 0u64;
    let mut per_bit = [0u32; 128];
    let (ues, epochs) = (200, 50u64);
    for _ in 0..ues {
        let s = TidSecret::generate(&mut rng);
        let mut prev = s.tid(0);
        assert!(seen.insert(prev));
        for e in 1..epochs {
            let t = s.tid(e);
            assert!(seen.insert(t), "TID repeated");
            for (i, (x, y)) in prev.as_bytes().iter().zip(t.as_bytes()).enumerate() {
                let d = x ^ y;
                distances += u64::from(d.count_ones());
                for bit in 0..8 {
                    per_bit[i * 8 + bit] += u32::from(d >> bit & 1);
                }
            }
            prev = t;
        }
    }
    let pairs = ues as u64 * (epochs - 1);
    let mean = distances as f64 / pairs as f64;
    assert!((62.0..66.0).contains(&mean), "mean Hamming distance {mean}");
    for (bit, flips) in per_bit.iter().enumerate() {
        let p = f64::from(*flips) / pairs as f64;
        assert!((0.45..0.55).contains(&p), "bit {bit} flips with p = {p}");
    }
}

/// After Alice rotates, Bob's peer lists before and after share no TID, and
/// the list after is what a new UE with the same segments would produce.
#[test]
fn after_rotation_bob_cannot_link_the_two_tids() {
    let (m, _) = content("film", 3, 0, 3);
    let mut t = Tracker::new(TrackerConfig::default());
    t.register_content(&m);
    let alice = PermanentId::new("sip:alice@ims.example").unwrap();
    let bob = PermanentId::new("sip:bob@ims.example").unwrap();
    let secret = TidSecret::generate(&mut rand::rngs::StdRng::seed_from_u64(4));
    let announce = |t: &mut Tracker, now: u64, epoch: u64| {
        t.announce(
            Duration::from_secs(now),
            &Announcement {
                permanent_id: alice.clone(),
                tid: secret.tid(epoch),
                content_id: m.content_id().clone(),
                segments: SegmentBitmap::full(3),
            },
        )
        .unwrap();
        t.peer_list(Duration::from_secs(now), &bob, m.content_id(), 10)
    };
    let before = announce(&mut t, 0, 0);
    let after = announce(&mut t, 10, 1);
    assert_eq!((before.peers.len(), after.peers.len()), (1, 1));
    assert_ne!(before.peers[0].tid, after.peers[0].tid);
    assert!(!contains(&after.to_bytes(), before.peers[0].tid.as_bytes()));
    let mut fresh = Tracker::new(TrackerConfig::default());
    fresh.register_content(&m);
    let carol = PermanentId::new("sip:carol@ims.example").unwrap();
    fresh
        .announce(
            Duration::from_secs(10),
            &Announcement {
                permanent_id: carol,
                tid: secret.tid(1),
                content_id: m.content_id().clone(),
                segments: SegmentBitmap::full(3),
            },
        )
        .unwrap();
    assert_eq!(
        fresh.peer_list(Duration::from_secs(10), &bob, m.content_id(), 10),
        after
    );
}
