//! The anti-replay window against a model of RFC 4303 §3.4.3: random
//! arrival orders with duplicates, old packets, shifts larger than the window
//! and, with extended sequence numbers, the 2^32 boundary.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use esp_sa::{Replay, ReplayWindow};
use proptest::prelude::*;

/// RFC 4303 §3.4.3 stated directly on full sequence numbers.
struct Model {
    size: u64,
    accepted: BTreeSet<u64>,
}

impl Model {
    fn top(&self) -> u64 {
        self.accepted.last().copied().unwrap_or(0)
    }

    fn verdict(&self, seq: u64) -> Result<(), Replay> {
        if seq == 0 || (seq <= self.top() && self.top() - seq >= self.size) {
            Err(Replay::TooOld)
        } else if self.accepted.contains(&seq) {
            Err(Replay::Duplicate)
        } else {
            Ok(())
        }
    }
}

/// The sender's next full sequence number, relative to the receiver's top.
#[derive(Clone, Debug)]
enum Arrival {
    /// Just ahead of the top (in order, or after a few losses).
    Ahead(u64),
    /// Far ahead: a shift larger than the window.
    Jump(u64),
    /// Behind the top by this much (late, duplicate or too old).
    Behind(u64),
    /// Exactly on the left edge of the window, or just outside it.
    Edge(bool),
}

fn arrival(size: u64) -> impl Strategy<Value = Arrival> {
    prop_oneof![
        4 => (1u64..4).prop_map(Arrival::Ahead),
        1 => (size..size * 3 + 2).prop_map(Arrival::Jump),
        4 => (0u64..size * 2).prop_map(Arrival::Behind),
        1 => any::<bool>().prop_map(Arrival::Edge),
    ]
}

fn run(size: u32, esn: bool, start: u64, arrivals: Vec<Arrival>) -> Result<(), TestCaseError> {
    let mut window = ReplayWindow::new(size, esn).unwrap();
    let size = u64::from(size);
    let mut model = Model {
        size,
        accepted: BTreeSet::new(),
    };
    if start > 0 {
        window.accept(start).unwrap();
        model.accepted.insert(start);
    }
    for a in arrivals {
        let top = model.top();
        let seq = match a {
            Arrival::Ahead(n) => top + n,
            Arrival::Jump(n) => top + n,
            Arrival::Behind(n) => top.saturating_sub(n),
            Arrival::Edge(inside) => (top + 1).saturating_sub(size + u64::from(!inside)),
        };
        if !esn && seq > u64::from(u32::MAX) {
            continue;
        }
        let before = window.clone();
        let expected = model.verdict(seq);
        // Only the low 32 bits travel; the receiver infers the rest.
        let got = window.check(seq as u32);
        match expected {
            Ok(()) => {
                prop_assert_eq!(got, Ok(seq), "seq {} top {}", seq, top);
                window.accept(seq).unwrap();
                model.accepted.insert(seq);
                prop_assert_eq!(window.top(), model.top());
            }
            Err(reason) => {
                // With ESN an old number may be read as one from the next
                // subspace (RFC 4303 A2.2); its ICV then fails, so what
                // matters is that it is never taken as this number.
                if esn && got.is_ok() {
                    prop_assert_ne!(got, Ok(seq));
                } else {
                    prop_assert_eq!(got, Err(reason), "seq {} top {}", seq, top);
                }
                // A refusal, and an accept of a refused number, change nothing.
                prop_assert_eq!(window.accept(seq), Err(reason));
                prop_assert_eq!(&window, &before);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn window_matches_rfc4303_with_32_bit_numbers(
        size in prop_oneof![Just(1u32), Just(32), Just(64), Just(100), Just(4096), 1u32..300],
        arrivals in proptest::collection::vec(arrival(4096), 1..200),
    ) {
        let arrivals = arrivals.into_iter().map(|a| clamp(a, u64::from(size))).collect();
        run(size, false, 0, arrivals)?;
    }

    #[test]
    fn window_matches_rfc4303_with_extended_numbers_across_2_32(
        size in prop_oneof![Just(32u32), Just(64), Just(1024), 1u32..200],
        below in 0u64..300,
        arrivals in proptest::collection::vec(arrival(1024), 1..200),
    ) {
        let arrivals = arrivals.into_iter().map(|a| clamp(a, u64::from(size))).collect();
        // Start just below a 2^32 boundary so the run crosses it.
        run(size, true, (3u64 << 32) - below - 1, arrivals)?;
    }
}

/// Scales an arrival drawn for a large window down to `size`.
fn clamp(a: Arrival, size: u64) -> Arrival {
    match a {
        Arrival::Jump(n) => Arrival::Jump(size + n % (size * 2 + 2)),
        Arrival::Behind(n) => Arrival::Behind(n % (size * 2 + 1)),
        other => other,
    }
}

#[test]
fn window_edges_for_the_default_size() {
    let mut w = ReplayWindow::new(64, false).unwrap();
    assert_eq!(w.check(0), Err(Replay::TooOld));
    w.accept(100).unwrap();
    // T - W + 1 = 37 is the last number inside the window; 36 is outside.
    assert_eq!(w.check(37), Ok(37));
    assert_eq!(w.check(36), Err(Replay::TooOld));
    w.accept(37).unwrap();
    assert_eq!(w.check(37), Err(Replay::Duplicate));
    assert_eq!(w.check(100), Err(Replay::Duplicate));
    // A shift larger than the window forgets everything before it.
    w.accept(100 + 1000).unwrap();
    assert_eq!(w.check(100), Err(Replay::TooOld));
    assert_eq!(w.check(1099), Ok(1099));
    assert_eq!(w.check(1100), Err(Replay::Duplicate));
}

#[test]
fn extended_numbers_infer_the_next_subspace_after_wrap() {
    let mut w = ReplayWindow::new(64, true).unwrap();
    let last_low = (1u64 << 32) - 1;
    w.accept(last_low).unwrap();
    // The low half wraps to 0 and 1: the receiver infers Seqh = 1.
    assert_eq!(w.check(1), Ok((1 << 32) | 1));
    w.accept((1 << 32) | 1).unwrap();
    // Case B: the window spans both subspaces; an old number from the lower one.
    assert_eq!(w.check(u32::MAX), Err(Replay::Duplicate));
    assert_eq!(w.check(u32::MAX - 1), Ok(last_low - 1));
    // A 32-bit window never wraps: the same numbers are simply small.
    let mut plain = ReplayWindow::new(64, false).unwrap();
    plain.accept(last_low).unwrap();
    assert_eq!(plain.check(1), Err(Replay::TooOld));
}

#[test]
fn sizes_outside_the_supported_range_are_refused() {
    assert!(ReplayWindow::new(0, false).is_err());
    assert!(ReplayWindow::new(esp_sa::replay::MAX_WINDOW + 1, false).is_err());
    assert_eq!(ReplayWindow::new(4096, true).unwrap().size(), 4096);
}
