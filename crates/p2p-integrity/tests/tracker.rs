//! The Tracker (TR 33.844 §5.2, §5.3): bindings, peer lists, possession
//! checks, strikes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{content, segment};
use p2p_integrity::{
    Announcement, AnnouncementPolicy, CheckConfig, CheckFailure, CheckOutcome, Manifest, PeerList,
    PermanentId, PossessionChallenge, PossessionResponse, SegmentBitmap, TemporaryPeerId, Tracker,
    TrackerConfig, TrackerError,
};
use proptest::prelude::*;
use rand::SeedableRng;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn who(name: &str) -> PermanentId {
    PermanentId::new(format!("sip:{name}@ims.example")).unwrap()
}

fn tid(n: u8) -> TemporaryPeerId {
    TemporaryPeerId::from_bytes([n; 16])
}

fn ann(id: &PermanentId, tid: TemporaryPeerId, m: &Manifest, segs: &[u32]) -> Announcement {
    Announcement {
        permanent_id: id.clone(),
        tid,
        content_id: m.content_id().clone(),
        segments: SegmentBitmap::from_indices(m.layout().segment_count(), segs.iter().copied())
            .unwrap(),
    }
}

fn tracker(m: &Manifest) -> Tracker {
    let mut t = Tracker::new(TrackerConfig::default());
    t.register_content(m);
    t
}

fn listed(list: &PeerList) -> Vec<TemporaryPeerId> {
    list.peers.iter().map(|p| p.tid).collect()
}

#[test]
fn a_tid_held_by_one_ue_cannot_be_taken_by_another() {
    let (m, _) = content("c", 4, 0, 1);
    let mut t = tracker(&m);
    let (alice, mallory, bob) = (who("alice"), who("mallory"), who("bob"));
    t.announce(secs(0), &ann(&alice, tid(1), &m, &[0, 1]))
        .unwrap();
    // A collision, or a takeover attempt: the same answer, nothing changes.
    assert_eq!(
        t.announce(secs(1), &ann(&mallory, tid(1), &m, &[2])),
        Err(TrackerError::TidInUse)
    );
    assert_eq!(
        t.bind(secs(1), &mallory, tid(1)),
        Err(TrackerError::TidInUse)
    );
    let list = t.peer_list(secs(1), &bob, m.content_id(), 10);
    assert_eq!(list.peers.len(), 1);
    assert_eq!(list.peers[0].segments.iter().collect::<Vec<_>>(), [0, 1]);
    assert_eq!(t.tid_of(&mallory, secs(1)), None);
}

#[test]
fn a_rotated_away_tid_takes_its_announcements_with_it() {
    let (m, _) = content("c", 4, 0, 1);
    let mut t = tracker(&m);
    let (alice, bob) = (who("alice"), who("bob"));
    t.announce(secs(0), &ann(&alice, tid(1), &m, &[0])).unwrap();
    t.bind(secs(5), &alice, tid(2)).unwrap();
    assert!(!t.is_listed(secs(5), &tid(1), m.content_id()));
    assert!(t
        .peer_list(secs(5), &bob, m.content_id(), 10)
        .peers
        .is_empty());
    // An announcement that names the old TID rebinds, it does not revive.
    t.announce(secs(6), &ann(&alice, tid(3), &m, &[1])).unwrap();
    assert_eq!(
        listed(&t.peer_list(secs(6), &bob, m.content_id(), 10)),
        [tid(3)]
    );
    // The old TIDs are free for anyone now.
    t.bind(secs(7), &bob, tid(1)).unwrap();
}

#[test]
fn bindings_expire_at_the_time_the_caller_gives() {
    let (m, _) = content("c", 4, 0, 1);
    let mut t = tracker(&m);
    let lifetime = t.config().binding_lifetime;
    let (alice, bob, carol) = (who("alice"), who("bob"), who("carol"));
    let ack = t
        .announce(secs(10), &ann(&alice, tid(1), &m, &[0]))
        .unwrap();
    assert_eq!(ack.expires_at, secs(10) + lifetime);
    assert_eq!(
        t.peer_list(ack.expires_at - secs(1), &bob, m.content_id(), 10)
            .peers
            .len(),
        1
    );
    assert!(t
        .peer_list(ack.expires_at, &bob, m.content_id(), 10)
        .peers
        .is_empty());
    // Even before the sweep, an expired TID may be bound by someone else.
    t.bind(ack.expires_at, &carol, tid(1)).unwrap();
    t.handle_timeout(ack.expires_at + secs(1));
    assert_eq!(t.offer_count(), 0);
    assert_eq!(t.tid_of(&alice, ack.expires_at), None);
}

#[test]
fn announcements_are_checked_against_the_content() {
    let (m, _) = content("c", 4, 0, 1);
    let (other, _) = content("other", 2, 0, 2);
    let mut t = tracker(&m);
    let a = who("alice");
    assert_eq!(
        t.announce(secs(0), &ann(&a, tid(1), &other, &[0])),
        Err(TrackerError::UnknownContent)
    );
    assert_eq!(
        t.announce(secs(0), &ann(&a, tid(1), &m, &[])),
        Err(TrackerError::EmptyAnnouncement)
    );
    let mut wrong = ann(&a, tid(1), &m, &[0]);
    wrong.segments = SegmentBitmap::full(5);
    assert_eq!(
        t.announce(secs(0), &wrong),
        Err(TrackerError::BitmapLength {
            expected: 4,
            got: 5
        })
    );
    assert_eq!(t.tid_of(&a, secs(0)), None);
}

#[test]
fn without_ue_announcements_peer_lists_come_from_the_service_records() {
    let (m, _) = content("c", 4, 0, 1);
    let mut t = Tracker::new(TrackerConfig {
        policy: AnnouncementPolicy::NoUeAnnouncements,
        ..TrackerConfig::default()
    });
    t.register_content(&m);
    let (alice, bob) = (who("alice"), who("bob"));
    assert_eq!(
        t.announce(secs(0), &ann(&alice, tid(1), &m, &[0])),
        Err(TrackerError::AnnouncementsNotAccepted)
    );
    let segs = SegmentBitmap::from_indices(4, [1, 2]).unwrap();
    assert_eq!(
        t.record_delivery(secs(0), &alice, m.content_id(), &segs),
        Err(TrackerError::NotBound)
    );
    t.bind(secs(0), &alice, tid(1)).unwrap();
    t.record_delivery(secs(0), &alice, m.content_id(), &segs)
        .unwrap();
    let list = t.peer_list(secs(1), &bob, m.content_id(), 10);
    assert_eq!(listed(&list), [tid(1)]);
    assert_eq!(list.peers[0].segments, segs);
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    assert!(t.poll_challenges(secs(1), &mut rng).is_empty());
}

fn answer(m: &Manifest, data: &[u8], c: &PossessionChallenge) -> PossessionResponse {
    c.answer(m, segment(m, data, c.segment)).unwrap()
}

#[test]
fn an_honest_answer_verifies_and_a_wrong_one_costs_the_announcement_and_a_strike() {
    let (m, data) = content("c", 6, 1000, 3);
    let mut t = tracker(&m);
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let (alice, mallory, bob) = (who("alice"), who("mallory"), who("bob"));
    t.announce(secs(0), &ann(&alice, tid(1), &m, &[5])).unwrap();
    t.announce(secs(0), &ann(&mallory, tid(2), &m, &[0, 1, 2]))
        .unwrap();
    let issued = t.poll_challenges(secs(1), &mut rng);
    assert_eq!(issued.len(), 2);
    for i in &issued {
        let c = PossessionChallenge::parse(&i.challenge.to_bytes()).unwrap();
        assert_eq!(c, i.challenge);
        if i.recipient == alice {
            assert_eq!(c.segment, 5);
            let r = answer(&m, &data, &c);
            let r = PossessionResponse::parse(&r.to_bytes()).unwrap();
            // Someone else cannot answer for Alice, and that changes nothing.
            assert_eq!(
                t.handle_response(secs(2), &bob, &r),
                Err(TrackerError::WrongResponder)
            );
            let out = t.handle_response(secs(2), &alice, &r).unwrap();
            assert!(
                matches!(out, CheckOutcome::Passed { segment: 5, .. }),
                "{out:?}"
            );
            assert_eq!(
                t.handle_response(secs(2), &alice, &r),
                Err(TrackerError::UnknownChallenge)
            );
        } else {
            // Mallory has some other content's block, with a proof for it.
            let (other, other_data) = content("c", 6, 1000, 99);
            let mut fake = c.clone();
            fake.segment = c.segment;
            let r = answer(&other, &other_data, &fake);
            match t.handle_response(secs(2), &mallory, &r).unwrap() {
                CheckOutcome::Failed {
                    reason: CheckFailure::WrongData(e),
                    strikes: 1,
                    banned_until: None,
                    ..
                } => assert_eq!(e.segment(), Some(c.segment)),
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(t.is_verified(&alice, m.content_id()));
    assert_eq!(
        listed(&t.peer_list(secs(3), &bob, m.content_id(), 10)),
        [tid(1)]
    );
    assert_eq!((t.strikes(&alice), t.strikes(&mallory)), (0, 1));
}

#[test]
fn late_answers_fail_and_strikes_end_in_a_ban() {
    let (m, data) = content("c", 3, 0, 4);
    let checks = CheckConfig {
        period: secs(60),
        checks_per_period: 5,
        answer_within: secs(10),
        max_strikes: 2,
        ban: secs(1000),
    };
    let mut t = Tracker::new(TrackerConfig {
        checks,
        ..TrackerConfig::default()
    });
    t.register_content(&m);
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let lazy = who("lazy");
    t.announce(secs(0), &ann(&lazy, tid(1), &m, &[0, 1, 2]))
        .unwrap();
    let c = t.poll_challenges(secs(0), &mut rng).remove(0).challenge;
    // Answered after the deadline: late even with the right block.
    let out = t
        .handle_response(secs(11), &lazy, &answer(&m, &data, &c))
        .unwrap();
    assert!(matches!(
        out,
        CheckOutcome::Failed {
            reason: CheckFailure::Late,
            strikes: 1,
            ..
        }
    ));
    assert_eq!(t.offer_count(), 0);
    t.announce(secs(60), &ann(&lazy, tid(1), &m, &[0])).unwrap();
    assert_eq!(t.poll_challenges(secs(60), &mut rng).len(), 1);
    // Never answered: the sweep fails it, and the second strike bans.
    assert!(t.handle_timeout(secs(70)).is_empty());
    let out = t.handle_timeout(secs(71));
    assert!(
        matches!(out[..], [CheckOutcome::Failed { reason: CheckFailure::Late, strikes: 2, banned_until: Some(u), .. }] if u == secs(1071))
    );
    assert_eq!(
        t.announce(secs(100), &ann(&lazy, tid(1), &m, &[0])),
        Err(TrackerError::Banned { until: secs(1071) })
    );
    t.handle_timeout(secs(1071));
    assert_eq!(t.strikes(&lazy), 0);
    t.announce(secs(1071), &ann(&lazy, tid(1), &m, &[0]))
        .unwrap();
}

#[test]
fn each_period_checks_at_most_its_budget_unverified_and_recent_first() {
    let (m, data) = content("c", 2, 0, 5);
    let checks = CheckConfig {
        checks_per_period: 3,
        ..CheckConfig::default()
    };
    let mut t = Tracker::new(TrackerConfig {
        checks,
        ..TrackerConfig::default()
    });
    t.register_content(&m);
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let peers: Vec<PermanentId> = (0..5).map(|i| who(&format!("p{i}"))).collect();
    // p0 is verified first; p1..p4 announce later, p4 last.
    t.announce(secs(0), &ann(&peers[0], tid(0), &m, &[0]))
        .unwrap();
    let c = t.poll_challenges(secs(0), &mut rng).remove(0);
    t.handle_response(secs(0), &peers[0], &answer(&m, &data, &c.challenge))
        .unwrap();
    for (i, p) in peers.iter().enumerate().skip(1) {
        t.announce(secs(60 + i as u64), &ann(p, tid(i as u8), &m, &[1]))
            .unwrap();
    }
    let issued = t.poll_challenges(secs(120), &mut rng);
    let order: Vec<_> = issued.iter().map(|i| i.recipient.clone()).collect();
    assert_eq!(
        order,
        [peers[4].clone(), peers[3].clone(), peers[2].clone()]
    );
    assert!(
        t.poll_challenges(secs(150), &mut rng).is_empty(),
        "budget spent"
    );
    for i in issued {
        let out = t.handle_response(secs(121), &i.recipient, &answer(&m, &data, &i.challenge));
        assert!(matches!(out, Ok(CheckOutcome::Passed { .. })));
    }
    let next: Vec<_> = t
        .poll_challenges(secs(180), &mut rng)
        .into_iter()
        .map(|i| i.recipient)
        .collect();
    assert_eq!(next, [peers[1].clone(), peers[0].clone(), peers[2].clone()]);
}

#[test]
fn withdrawing_a_challenged_segment_withdraws_the_challenge() {
    let (m, _) = content("c", 2, 0, 6);
    let mut t = tracker(&m);
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let a = who("a");
    t.announce(secs(0), &ann(&a, tid(1), &m, &[0])).unwrap();
    let c = t.poll_challenges(secs(0), &mut rng).remove(0);
    t.announce(secs(1), &ann(&a, tid(1), &m, &[1])).unwrap();
    assert_eq!(t.pending_count(), 0);
    assert!(t.handle_timeout(secs(100)).is_empty());
    assert_eq!(t.strikes(&a), 0);
    assert_eq!(
        t.handle_response(
            secs(2),
            &a,
            &PossessionResponse {
                nonce: c.challenge.nonce,
                block: vec![],
                proof: p2p_integrity::BlockProof::new(0, vec![])
            }
        ),
        Err(TrackerError::UnknownChallenge)
    );
}

proptest! {
    #[test]
    fn tracker_messages_round_trip(
        id in proptest::collection::vec(any::<u8>(), 1..=255),
        t in any::<[u8; 16]>(),
        bits in proptest::collection::vec(any::<bool>(), 1..100),
        peers in 0usize..20,
        nonce in any::<[u8; 16]>(),
        block in proptest::collection::vec(any::<u8>(), 0..=16384),
        uncles in proptest::collection::vec(any::<[u8; 32]>(), 0..=26),
        ms in any::<u64>(),
    ) {
        let segs = SegmentBitmap::from_indices(
            bits.len() as u32,
            bits.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| i as u32),
        ).unwrap();
        let content_id = p2p_integrity::ContentId::new(id.clone()).unwrap();
        let a = Announcement { permanent_id: PermanentId::new(id).unwrap(), tid: TemporaryPeerId::from_bytes(t), content_id: content_id.clone(), segments: segs.clone() };
        prop_assert_eq!(Announcement::parse(&a.to_bytes()).unwrap(), a);
        let list = PeerList { content_id: content_id.clone(), peers: (0..peers).map(|i| p2p_integrity::PeerEntry { tid: TemporaryPeerId::from_bytes([i as u8; 16]), segments: segs.clone() }).collect() };
        prop_assert_eq!(PeerList::parse(&list.to_bytes()).unwrap(), list);
        let c = PossessionChallenge { nonce, content_id, tid: TemporaryPeerId::from_bytes(t), segment: 3, block: 7, deadline: Duration::from_millis(ms) };
        prop_assert_eq!(PossessionChallenge::parse(&c.to_bytes()).unwrap(), c);
        let r = PossessionResponse { nonce, block, proof: p2p_integrity::BlockProof::new(9, uncles) };
        prop_assert_eq!(PossessionResponse::parse(&r.to_bytes()).unwrap(), r);
    }
}
