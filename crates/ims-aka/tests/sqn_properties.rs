//! TS 33.102 Annex C under random challenge sequences: vectors from the AuC
//! delivered in order, out of order within and across IND slots, replayed,
//! too old, too far ahead, and at the end of the SEQ space.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ims_aka::home::AuthenticationVector;
use ims_aka::sqn::{FreshnessPolicy, SqnArray, SqnGenerator, SqnLayout, Staleness};
use ims_aka::usim::{Failure, Usim};
use ims_aka::{AkaAlgorithm, Amf, Auts, Milenage, Sqn};
use ims_sec_core::Secret;
use proptest::prelude::*;

fn milenage() -> Milenage {
    Milenage::new(&Secret::new([0x46; 16]), &Secret::new([0xcd; 16]))
}

/// One thing the network (or an attacker) does.
#[derive(Clone, Debug)]
enum Event {
    /// The AuC makes a vector (IND by the general rule) and keeps it.
    Generate,
    /// The AuC makes a vector for a chosen IND slot and keeps it.
    GenerateFor(usize),
    /// A kept vector is sent (possibly again, possibly out of order).
    Deliver(usize),
    /// A vector with a forged SQN far ahead of the USIM (more than Δ).
    JumpAhead(u64),
    /// A vector with an SQN far below what the USIM has accepted.
    Old(u64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => Just(Event::Generate),
        2 => (0usize..32).prop_map(Event::GenerateFor),
        6 => any::<usize>().prop_map(Event::Deliver),
        1 => (1u64..1 << 20).prop_map(Event::JumpAhead),
        1 => (0u64..1 << 10).prop_map(Event::Old),
    ]
}

fn policy(age_limit: Option<u64>) -> FreshnessPolicy {
    FreshnessPolicy {
        layout: SqnLayout::default(),
        delta: 1 << 16,
        age_limit,
    }
}

/// TS 33.102 Annex C.2 read literally, with signed arithmetic: the verdict
/// a USIM holding `entries` (SEQ_MS(0..a)) must give for `sqn`.
fn reference_verdict(entries: &[u64], policy: &FreshnessPolicy, sqn: Sqn) -> Result<(), Staleness> {
    let layout = policy.layout;
    let seq = i128::from(layout.seq(sqn));
    let seq_ms = i128::from(entries.iter().copied().max().unwrap_or(0));
    // C.2.1: "SQN shall only be accepted by the USIM if SEQ - SEQ_MS <= Δ".
    if seq - seq_ms > i128::from(policy.delta) {
        return Err(Staleness::TooFarAhead);
    }
    // C.2.2: "only be accepted by the USIM if SEQ_MS - SEQ < L".
    if let Some(l) = policy.age_limit {
        if seq_ms - seq >= i128::from(l) {
            return Err(Staleness::TooOld);
        }
    }
    // C.2.2 (a)/(b): fresh if SEQ > SEQ_MS(i), i = IND.
    if seq > i128::from(entries[layout.ind(sqn)]) {
        Ok(())
    } else {
        Err(Staleness::NotFresh)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the order: every verdict is the one Annex C.2 gives, an
    /// accepted SQN is recorded in its slot and nowhere else, a replay is
    /// refused, a refusal leaves the state as it was, and every refusal of an
    /// authentic AUTN carries an AUTS that the AuC verifies and that makes
    /// its next vector acceptable. Half the runs start near the end of the
    /// SEQ space, where nothing may wrap around.
    #[test]
    fn usim_freshness_holds_under_random_sequences(
        events in proptest::collection::vec(event(), 1..80),
        age_limit in proptest::option::of(1u64..64),
        near_end in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let alg = milenage();
        let policy = policy(age_limit);
        let layout = policy.layout;
        let start = if near_end { layout.max_seq() - 40 } else { 0 };
        let mut model = vec![start; layout.ind_count()];
        let mut usim = Usim::new(&alg, SqnArray::from_entries(policy, &model).unwrap());
        let mut auc = SqnGenerator::new(layout, policy.delta, layout.sqn(start, 0).unwrap());
        let mut kept: Vec<AuthenticationVector> = Vec::new();
        // Slots that start above zero hold SQNs accepted before the run.
        let mut accepted: Vec<Sqn> = if near_end {
            (0..layout.ind_count()).map(|i| layout.sqn(start, i).unwrap()).collect()
        } else {
            Vec::new()
        };
        let rand = |i: u64| -> [u8; 16] { (u128::from(seed ^ i)).to_be_bytes() };
        let amf = Amf([0x80, 0x00]);
        for (step, e) in events.into_iter().enumerate() {
            let sqn = match e {
                Event::Generate | Event::GenerateFor(_) => {
                    let before = auc.sqn_he();
                    let next = match e {
                        Event::GenerateFor(ind) => auc.next_sqn_with_ind(ind),
                        _ => auc.next_sqn(),
                    };
                    match next {
                        Ok(sqn) => kept.push(AuthenticationVector::generate(&alg, rand(step as u64), sqn, amf)),
                        Err(err) => {
                            // The end of the SEQ space: refused, counter kept.
                            prop_assert_eq!(err, ims_aka::Error::SqnExhausted);
                            prop_assert_eq!(layout.seq(before), layout.max_seq());
                            prop_assert_eq!(auc.sqn_he(), before);
                        }
                    }
                    continue;
                }
                Event::Deliver(_) if !kept.is_empty() => None,
                Event::Deliver(_) => continue,
                Event::JumpAhead(extra) => {
                    let seq = usim.sqn_state().highest_seq() + policy.delta + extra;
                    // Beyond the last SEQ no SQN exists: it cannot wrap to a small one.
                    let Some(sqn) = layout.sqn(seq, 0) else { continue };
                    Some(sqn)
                }
                Event::Old(back) => {
                    let seq = usim.sqn_state().highest_seq().saturating_sub(64 + back);
                    Some(layout.sqn(seq, (back % 32) as usize).unwrap())
                }
            };
            let av = match (sqn, e) {
                (Some(sqn), _) => AuthenticationVector::generate(&alg, rand(step as u64), sqn, amf),
                (None, Event::Deliver(i)) => kept[i % kept.len()].clone(),
                (None, _) => unreachable!(),
            };
            let before = usim.sqn_state().clone();
            let sqn = Sqn::reveal(av.autn.concealed_sqn, &ims_aka::AkaAlgorithm::f2345(&alg, &av.rand).ak);
            let expected = reference_verdict(&model, &policy, sqn);
            match usim.authenticate(&av.rand, &av.autn) {
                Ok(ok) => {
                    prop_assert_eq!(expected, Ok(()));
                    prop_assert_eq!(ok.sqn, sqn);
                    prop_assert!(!accepted.contains(&sqn), "replay of {} accepted", sqn);
                    prop_assert_eq!(ok.res, av.xres);
                    model[layout.ind(sqn)] = layout.seq(sqn);
                    prop_assert_eq!(usim.sqn_state().entries(), &model[..]);
                    accepted.push(sqn);
                }
                Err(Failure::Sync { reason, auts }) => {
                    prop_assert_eq!(Err(reason), expected);
                    prop_assert_eq!(usim.sqn_state(), &before, "refusal changed state");
                    // The AuC verifies AUTS and recovers the highest accepted SQN.
                    let resync = auc.resynchronise(&alg, &av.rand, &auts).unwrap();
                    prop_assert_eq!(resync.sqn_ms, before.sqn_ms());
                    if let Some(&highest) = accepted.iter().max() {
                        prop_assert_eq!(resync.sqn_ms, highest);
                    }
                    // After resynchronisation the AuC's next vector is accepted,
                    // unless the SEQ space is used up.
                    kept.clear();
                    let Ok(next) = auc.next_sqn() else {
                        prop_assert_eq!(layout.seq(resync.sqn_ms), layout.max_seq());
                        continue;
                    };
                    let fresh = AuthenticationVector::generate(&alg, rand(!(step as u64)), next, amf);
                    prop_assert!(usim.authenticate(&fresh.rand, &fresh.autn).is_ok(), "vector after resync refused");
                    model[layout.ind(next)] = layout.seq(next);
                    accepted.push(next);
                }
                Err(other) => prop_assert!(false, "authentic AUTN refused: {other:?}"),
            }
        }
    }

    /// A forged or corrupted AUTN is a MAC failure and changes nothing.
    #[test]
    fn tampered_autn_is_a_mac_failure_and_changes_nothing(
        byte in 0usize..16, bit in 0u8..8, seq in 1u64..1000,
    ) {
        let alg = milenage();
        let mut usim = Usim::new(&alg, SqnArray::default());
        let sqn = SqnLayout::default().sqn(seq, 0).unwrap();
        let av = AuthenticationVector::generate(&alg, [7; 16], sqn, Amf::default());
        let mut bytes = av.autn.to_bytes();
        bytes[byte] ^= 1 << bit;
        let forged = ims_aka::Autn::from_bytes(&bytes).unwrap();
        let before = usim.sqn_state().clone();
        prop_assert_eq!(usim.authenticate(&av.rand, &forged), Err(Failure::Mac));
        prop_assert_eq!(usim.sqn_state(), &before);
    }

    /// In-order delivery of the AuC's vectors is always accepted.
    #[test]
    fn in_order_vectors_are_accepted(n in 1usize..100, ind_bits in 0u8..=10) {
        let alg = milenage();
        let layout = SqnLayout::new(ind_bits).unwrap();
        let policy = FreshnessPolicy { layout, ..FreshnessPolicy::default() };
        let mut usim = Usim::new(&alg, SqnArray::new(policy));
        let mut auc = SqnGenerator::new(layout, policy.delta, Sqn::default());
        for i in 0..n {
            let av = AuthenticationVector::generate(&alg, [i as u8; 16], auc.next_sqn().unwrap(), Amf::default());
            prop_assert!(usim.authenticate(&av.rand, &av.autn).is_ok());
        }
    }
}

#[test]
fn replayed_autn_is_refused_and_state_unchanged() {
    let alg = milenage();
    let mut usim = Usim::new(&alg, SqnArray::default());
    let sqn = SqnLayout::default().sqn(1, 4).unwrap();
    let av = AuthenticationVector::generate(&alg, [1; 16], sqn, Amf::default());
    usim.authenticate(&av.rand, &av.autn).unwrap();
    let before = usim.sqn_state().clone();
    let err = usim.authenticate(&av.rand, &av.autn).unwrap_err();
    assert!(matches!(
        err,
        Failure::Sync {
            reason: Staleness::NotFresh,
            ..
        }
    ));
    assert_eq!(usim.sqn_state(), &before);
}

#[test]
fn out_of_order_in_other_slots_is_accepted_but_not_within_a_slot() {
    let layout = SqnLayout::default();
    let mut array = SqnArray::default();
    array.accept(layout.sqn(10, 3).unwrap()).unwrap();
    // An older SEQ in a different slot: the case the array exists for (C.2.2).
    array.accept(layout.sqn(7, 5).unwrap()).unwrap();
    // An older SEQ in the same slot: refused.
    assert_eq!(
        array.accept(layout.sqn(9, 3).unwrap()),
        Err(Staleness::NotFresh)
    );
    assert_eq!(array.sqn_ms(), layout.sqn(10, 3).unwrap());
}

#[test]
fn jumps_beyond_delta_are_refused_and_delta_itself_is_accepted() {
    let policy = FreshnessPolicy {
        delta: 100,
        ..FreshnessPolicy::default()
    };
    let layout = policy.layout;
    let mut array = SqnArray::new(policy);
    array.accept(layout.sqn(50, 0).unwrap()).unwrap();
    assert_eq!(
        array.check(layout.sqn(151, 1).unwrap()),
        Err(Staleness::TooFarAhead)
    );
    array.accept(layout.sqn(150, 1).unwrap()).unwrap();
}

#[test]
fn age_limit_l_refuses_old_sqns_in_unused_slots() {
    let policy = FreshnessPolicy {
        age_limit: Some(10),
        ..FreshnessPolicy::default()
    };
    let layout = policy.layout;
    let mut array = SqnArray::new(policy);
    array.accept(layout.sqn(100, 0).unwrap()).unwrap();
    // C.2.2: accepted only if SEQ_MS - SEQ < L.
    assert_eq!(
        array.check(layout.sqn(90, 1).unwrap()),
        Err(Staleness::TooOld)
    );
    array.accept(layout.sqn(91, 1).unwrap()).unwrap();
}

#[test]
fn seq_space_ends_without_wrapping() {
    let layout = SqnLayout::default();
    let max = layout.max_seq();
    assert_eq!(max, (1 << 43) - 1);
    // The AuC at the last SEQ refuses to wrap and keeps its counter.
    let last = layout.sqn(max, 7).unwrap();
    let mut auc = SqnGenerator::new(layout, 1 << 28, last);
    assert_eq!(auc.next_sqn(), Err(ims_aka::Error::SqnExhausted));
    assert_eq!(auc.sqn_he(), last);
    // The USIM that has seen the last SEQ in a slot accepts nothing more there,
    // and a wrapped-around small SEQ is not taken as fresh.
    let mut array = SqnArray::new(FreshnessPolicy {
        delta: u64::MAX,
        ..FreshnessPolicy::default()
    });
    array.accept(last).unwrap();
    assert_eq!(
        array.check(layout.sqn(1, 7).unwrap()),
        Err(Staleness::NotFresh)
    );
    assert!(Sqn::new(Sqn::MAX.value() + 1).is_none());
}

#[test]
fn general_rule_cycles_ind_and_resync_resets_only_when_needed() {
    let layout = SqnLayout::default();
    let alg = milenage();
    let mut auc = SqnGenerator::new(layout, 1 << 28, Sqn::default());
    let inds: Vec<usize> = (0..34)
        .map(|_| layout.ind(auc.next_sqn().unwrap()))
        .collect();
    assert_eq!(&inds[..3], &[1, 2, 3]);
    assert_eq!(inds[31], 0);
    assert_eq!(inds[32], 1);
    let auts_for = |sqn_ms: Sqn, rand: &[u8; 16]| Auts {
        concealed_sqn: sqn_ms.conceal(&alg.f5_star(rand)),
        mac: alg.f1_star(rand, sqn_ms, Amf::RESYNC),
    };
    // SQN_HE ahead of SQN_MS within Δ: kept.
    let rand = [9; 16];
    let resync = auc
        .resynchronise(&alg, &rand, &auts_for(layout.sqn(20, 4).unwrap(), &rand))
        .unwrap();
    assert!(!resync.reset);
    // An AUTS that does not verify changes nothing.
    let mut forged = auts_for(layout.sqn(1000, 9).unwrap(), &rand);
    forged.concealed_sqn[5] ^= 1;
    let before = auc.clone();
    assert_eq!(
        auc.resynchronise(&alg, &rand, &forged),
        Err(ims_aka::Error::MacS)
    );
    assert_eq!(auc, before);
    // SQN_MS ahead of SQN_HE: reset to SQN_MS, next SEQ is SEQ_MS + 1.
    let resync = auc
        .resynchronise(&alg, &rand, &auts_for(layout.sqn(1000, 9).unwrap(), &rand))
        .unwrap();
    assert!(resync.reset);
    let next = auc.next_sqn().unwrap();
    assert_eq!((layout.seq(next), layout.ind(next)), (1001, 10));
    // SQN_HE more than Δ ahead of SQN_MS (the USIM would refuse): reset back.
    let mut far = SqnGenerator::new(layout, 100, layout.sqn(5000, 0).unwrap());
    assert!(
        far.resynchronise(&alg, &rand, &auts_for(layout.sqn(10, 2).unwrap(), &rand))
            .unwrap()
            .reset
    );
    assert_eq!(layout.seq(far.next_sqn().unwrap()), 11);
}
