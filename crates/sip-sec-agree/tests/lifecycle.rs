#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The life of the SA sets (TS 24.229 §5.1.1.5.1 and §5.2.2, TS 33.203
//! §7.4): temporary for reg-await-auth, established on the 200 OK with the
//! lifetime max(previous, expires + 30 s), in use once the peer sends on
//! it, the old set retired after the first message on the new one and its
//! transactions (or a grace period), everything deleted only once a
//! de-registration's final response has gone through. The actions are
//! applied to a real esp-sa SA database.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use esp_sa::sad::SaSetHandle;
use esp_sa::{
    EncryptionAlgorithm, Endpoint, IntegrityAlgorithm, Lifetime, Limits, Role, SaDatabase, SaSet,
    SaSetParams,
};
use ims_sec_core::Secret;
use proptest::prelude::*;
use sip_sec_agree::{Action, DeleteReason, Event, SaLifecycle, SaOptions, SetState};

const UE: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 45, 0, 2));
const PCSCF: IpAddr = IpAddr::V4(Ipv4Addr::new(172, 22, 0, 9));

fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

/// The `n`th set between the UE and the P-CSCF, seen from `role`: fresh
/// SPIs and protected client ports, the same protected server ports
/// (TS 34.229-1 §8.2: the UE keeps port-s on re-registration).
fn sa_set(n: u16, role: Role, now: Duration) -> SaSet {
    let spi = 1000 + 4 * u32::from(n);
    let params = SaSetParams {
        role,
        ue: Endpoint {
            address: UE,
            port_c: 10_000 + n,
            port_s: 7005,
            spi_c: spi,
            spi_s: spi + 1,
        },
        pcscf: Endpoint {
            address: PCSCF,
            port_c: 20_000 + n,
            port_s: 6100,
            spi_c: spi + 2,
            spi_s: spi + 3,
        },
        replay_window: 64,
        lifetime: SaOptions::default().temporary_lifetime(),
    };
    SaSet::from_ims_keys(
        &params,
        IntegrityAlgorithm::HmacSha196,
        EncryptionAlgorithm::AesCbc128,
        &Secret::new([7; 16]),
        &Secret::new([9; 16]),
        now,
    )
    .unwrap()
}

/// A lifecycle and the SA database its actions are applied to.
struct Node {
    lifecycle: SaLifecycle,
    sad: SaDatabase,
    role: Role,
}

impl Node {
    fn new(role: Role) -> Self {
        Self {
            lifecycle: SaLifecycle::new(role, SaOptions::default()),
            sad: SaDatabase::new(),
            role,
        }
    }

    /// Installs the `n`th set as the temporary one (after the 401).
    fn install(&mut self, n: u16, now: Duration) -> SaSetHandle {
        let handle = self.sad.insert_set(sa_set(n, self.role, now)).unwrap();
        self.lifecycle
            .handle(now, Event::TemporaryInstalled(handle))
            .unwrap();
        handle
    }

    fn handle(&mut self, now: Duration, event: Event) -> Vec<Action> {
        self.lifecycle.handle(now, event).unwrap();
        self.apply()
    }

    fn timeout(&mut self, now: Duration) -> Vec<Action> {
        self.lifecycle.handle_timeout(now);
        self.apply()
    }

    /// Applies the actions to the SA database: every one must find its four SAs.
    fn apply(&mut self) -> Vec<Action> {
        let mut done = Vec::new();
        while let Some(action) = self.lifecycle.poll_action() {
            match action {
                Action::SetLifetime { set, lifetime } => {
                    assert_eq!(self.sad.set_set_lifetime(&set, lifetime), 4, "{action:?}");
                }
                Action::Delete { set, .. } => {
                    assert_eq!(self.sad.remove_set(&set), 4, "{action:?}");
                }
                // Checked on its own in lifecycle.rs's unit tests; kept out of
                // `done` so the other tests read as the lifetimes and deletions.
                Action::UseForSending(set) => {
                    assert_eq!(self.sad.use_set_for_sending(&set), 2, "{action:?}");
                    continue;
                }
            }
            done.push(action);
        }
        assert_eq!(self.sad.len(), 4 * self.lifecycle.sets().count());
        done
    }

    fn state(&self, set: &SaSetHandle) -> Option<SetState> {
        self.lifecycle.state(set)
    }
}

fn hard(lifetime: Duration) -> Lifetime {
    Lifetime {
        soft: Limits::NONE,
        hard: Limits::time(lifetime),
    }
}

/// Initial registration at `t0`: install at t0, 200 OK at t0 + 5 s for
/// `expires`, the peer's first message at t0 + 6 s.
fn registered(node: &mut Node, n: u16, t0: u64, expires: u64) -> SaSetHandle {
    let set = node.install(n, s(t0));
    node.handle(
        s(t0 + 5),
        Event::Registered {
            expires: s(expires),
        },
    );
    node.handle(s(t0 + 6), Event::ProtectedReceived(set));
    set
}

// ---------------------------------------------------------------------------

#[test]
fn initial_registration_goes_temporary_established_in_use_with_expires_plus_30_s() {
    for role in [Role::Ue, Role::Pcscf] {
        let mut node = Node::new(role);
        let set = node.install(0, s(100));
        assert_eq!(node.state(&set), Some(SetState::Temporary));
        assert_eq!(
            node.lifecycle.sending_set(),
            None,
            "nothing is sent on a temporary set"
        );
        assert_eq!(node.lifecycle.poll_timeout(), Some(s(100 + 240)));

        // 200 OK at 110 for 600 s: the set lives until 110 + 600 + 30,
        // counted from its installation at 100.
        let actions = node.handle(s(110), Event::Registered { expires: s(600) });
        assert_eq!(
            actions,
            [Action::SetLifetime {
                set,
                lifetime: hard(s(640)),
            }]
        );
        assert_eq!(node.state(&set), Some(SetState::Established));
        assert_eq!(node.lifecycle.sending_set(), Some(set));
        assert_eq!(node.lifecycle.poll_timeout(), Some(s(740)));
        // The SA database no longer drops the set at reg-await-auth.
        assert!(node.sad.expire(s(100 + 240)).is_empty());
        assert_eq!(node.sad.len(), 4);

        assert!(node
            .handle(s(111), Event::ProtectedReceived(set))
            .is_empty());
        assert_eq!(node.state(&set), Some(SetState::InUse));
        assert_eq!(node.lifecycle.sending_set(), Some(set));
    }
}

#[test]
fn reregistration_gets_the_longest_of_the_previous_lifetime_and_expires_plus_30_s() {
    let mut node = Node::new(Role::Ue);
    let old = registered(&mut node, 0, 0, 600); // until 635
                                                // A short re-registration: the previous lifetime is longer.
    let new = node.install(1, s(300));
    let actions = node.handle(s(305), Event::Registered { expires: s(60) });
    assert_eq!(
        actions,
        [Action::SetLifetime {
            set: new,
            lifetime: hard(s(635 - 300)),
        }]
    );
    // A long one: expires + 30 s wins.
    let mut node = Node::new(Role::Ue);
    registered(&mut node, 0, 0, 600);
    let new = node.install(1, s(300));
    let actions = node.handle(s(305), Event::Registered { expires: s(3600) });
    assert_eq!(
        actions,
        [Action::SetLifetime {
            set: new,
            lifetime: hard(s(305 + 3600 + 30 - 300)),
        }]
    );
    let _ = old;
}

#[test]
fn reregistration_keeps_the_old_set_carrying_traffic_until_the_first_message_on_the_new_one() {
    let mut ue = Node::new(Role::Ue);
    let mut pcscf = Node::new(Role::Pcscf);
    let old_ue = registered(&mut ue, 0, 0, 600);
    let old_p = registered(&mut pcscf, 0, 0, 600);

    // Re-registration: a temporary set while the old one carries traffic.
    let new_ue = ue.install(1, s(300));
    let new_p = pcscf.install(1, s(300));
    assert_eq!(ue.lifecycle.sending_set(), Some(old_ue));
    assert_eq!(pcscf.lifecycle.sending_set(), Some(old_p));
    assert!(ue
        .handle(s(301), Event::ProtectedReceived(old_ue))
        .is_empty());

    ue.handle(s(305), Event::Registered { expires: s(600) });
    pcscf.handle(s(305), Event::Registered { expires: s(600) });
    // TS 33.203 §7.4: the UE sends on the new set after the 200 OK; the
    // P-CSCF keeps the old one until the UE has used the new one.
    assert_eq!(ue.lifecycle.sending_set(), Some(new_ue));
    assert_eq!(pcscf.lifecycle.sending_set(), Some(old_p));
    // Traffic on the old set changes nothing.
    assert!(pcscf
        .handle(s(306), Event::ProtectedReceived(old_p))
        .is_empty());
    assert_eq!(pcscf.state(&old_p), Some(SetState::InUse));

    // The first message on the new set retires the old one, which is not
    // deleted yet: its transactions may still be running.
    assert!(pcscf
        .handle(s(310), Event::ProtectedReceived(new_p))
        .is_empty());
    assert_eq!(pcscf.state(&old_p), Some(SetState::Retiring));
    assert_eq!(pcscf.state(&new_p), Some(SetState::InUse));
    assert_eq!(pcscf.lifecycle.sending_set(), Some(new_p));
    assert_eq!(pcscf.sad.len(), 8);
    // A late response on the retiring set does not revive it.
    assert!(pcscf
        .handle(s(311), Event::ProtectedReceived(old_p))
        .is_empty());
    assert_eq!(pcscf.state(&old_p), Some(SetState::Retiring));

    // Its transactions done, it goes now.
    let actions = pcscf.handle(s(312), Event::OldSetIdle);
    assert_eq!(
        actions,
        [Action::Delete {
            set: old_p,
            reason: DeleteReason::Replaced,
        }]
    );
    assert_eq!(pcscf.sad.len(), 4);
}

#[test]
fn a_retired_set_whose_transactions_never_report_idle_goes_after_the_grace_period() {
    let mut ue = Node::new(Role::Ue);
    let old = registered(&mut ue, 0, 0, 600);
    let new = ue.install(1, s(300));
    ue.handle(s(305), Event::Registered { expires: s(600) });
    ue.handle(s(310), Event::ProtectedReceived(new));
    assert_eq!(ue.state(&old), Some(SetState::Retiring));
    let grace = SaOptions::default().retire_after;
    assert_eq!(ue.lifecycle.poll_timeout(), Some(s(310) + grace));
    assert!(ue.timeout(s(310) + grace - s(1)).is_empty());
    assert_eq!(
        ue.timeout(s(310) + grace),
        [Action::Delete {
            set: old,
            reason: DeleteReason::Replaced,
        }]
    );
    assert_eq!(
        ue.lifecycle.sets().collect::<Vec<_>>(),
        [(new, SetState::InUse)]
    );
}

#[test]
fn deregistration_deletes_nothing_before_its_final_response_then_everything() {
    for role in [Role::Ue, Role::Pcscf] {
        let mut node = Node::new(role);
        let old = registered(&mut node, 0, 0, 600);
        let new = node.install(1, s(300));
        node.handle(s(305), Event::Registered { expires: s(600) });
        node.handle(s(306), Event::ProtectedReceived(new));
        let before: Vec<_> = node.lifecycle.sets().collect();
        assert!(node.handle(s(400), Event::DeregistrationStarted).is_empty());
        assert_eq!(node.lifecycle.sets().collect::<Vec<_>>(), before);
        assert_eq!(node.sad.len(), 8);
        let deleted: BTreeSet<_> = node
            .handle(s(401), Event::DeregistrationCompleted)
            .into_iter()
            .map(|a| match a {
                Action::Delete {
                    set,
                    reason: DeleteReason::Deregistered,
                } => set.inbound,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(deleted, BTreeSet::from([old.inbound, new.inbound]));
        assert_eq!(node.lifecycle.sets().count(), 0);
        assert!(node.sad.is_empty());
        assert_eq!(node.lifecycle.poll_timeout(), None);
    }
}

#[test]
fn deregistration_completed_without_started_is_an_error_and_changes_nothing() {
    let mut node = Node::new(Role::Pcscf);
    registered(&mut node, 0, 0, 600);
    let before: Vec<_> = node.lifecycle.sets().collect();
    assert!(node
        .lifecycle
        .handle(s(100), Event::DeregistrationCompleted)
        .is_err());
    assert_eq!(node.lifecycle.sets().collect::<Vec<_>>(), before);
    assert!(node.apply().is_empty());
}

#[test]
fn failed_authentication_deletes_the_temporary_set_and_keeps_the_current_one() {
    let mut node = Node::new(Role::Pcscf);
    let current = registered(&mut node, 0, 0, 600);
    let temporary = node.install(1, s(300));
    let actions = node.handle(s(301), Event::AuthenticationFailed);
    assert_eq!(
        actions,
        [Action::Delete {
            set: temporary,
            reason: DeleteReason::AuthenticationFailed,
        }]
    );
    assert_eq!(
        node.lifecycle.sets().collect::<Vec<_>>(),
        [(current, SetState::InUse)]
    );
    assert_eq!(node.lifecycle.sending_set(), Some(current));
}

#[test]
fn a_ue_that_never_completes_loses_the_temporary_set_at_reg_await_auth() {
    let mut pcscf = Node::new(Role::Pcscf);
    let temporary = pcscf.install(0, s(50));
    let reg_await_auth = SaOptions::default().reg_await_auth;
    assert_eq!(pcscf.lifecycle.poll_timeout(), Some(s(50) + reg_await_auth));
    assert!(pcscf.timeout(s(50) + reg_await_auth - s(1)).is_empty());
    assert_eq!(
        pcscf.timeout(s(50) + reg_await_auth),
        [Action::Delete {
            set: temporary,
            reason: DeleteReason::TemporaryExpired,
        }]
    );
    assert_eq!(pcscf.lifecycle.poll_timeout(), None);
    // A 200 OK after that has no set to promote.
    assert!(pcscf
        .lifecycle
        .handle(s(400), Event::Registered { expires: s(600) })
        .is_err());
}

#[test]
fn a_new_attempt_supersedes_an_unfinished_temporary_set() {
    let mut node = Node::new(Role::Ue);
    let first = node.install(0, s(0));
    node.lifecycle
        .handle(
            s(10),
            Event::TemporaryInstalled(node.sad.insert_set(sa_set(1, Role::Ue, s(10))).unwrap()),
        )
        .unwrap();
    let actions = node.apply();
    assert_eq!(
        actions,
        [Action::Delete {
            set: first,
            reason: DeleteReason::Superseded,
        }]
    );
    assert_eq!(node.lifecycle.sets().count(), 1);
}

#[test]
fn a_registration_that_is_not_refreshed_expires() {
    let mut node = Node::new(Role::Ue);
    let set = registered(&mut node, 0, 0, 600);
    assert_eq!(node.lifecycle.poll_timeout(), Some(s(635)));
    assert!(node.timeout(s(634)).is_empty());
    assert_eq!(
        node.timeout(s(635)),
        [Action::Delete {
            set,
            reason: DeleteReason::Expired,
        }]
    );
    assert_eq!(node.lifecycle.sending_set(), None);
}

#[test]
fn a_refresh_without_reauthentication_extends_the_set_in_use() {
    let mut node = Node::new(Role::Pcscf);
    let set = registered(&mut node, 0, 0, 600);
    let actions = node.handle(s(500), Event::Registered { expires: s(600) });
    assert_eq!(
        actions,
        [Action::SetLifetime {
            set,
            lifetime: hard(s(1130)),
        }]
    );
    assert!(node.timeout(s(635)).is_empty());
}

#[test]
fn events_that_do_not_fit_are_errors_and_change_nothing() {
    let mut node = Node::new(Role::Ue);
    assert!(node
        .lifecycle
        .handle(s(0), Event::Registered { expires: s(600) })
        .is_err());
    let set = registered(&mut node, 0, 0, 600);
    let stranger = sa_set(9, Role::Ue, s(0)).handle();
    let before: Vec<_> = node.lifecycle.sets().collect();
    assert!(node
        .lifecycle
        .handle(s(10), Event::ProtectedReceived(stranger))
        .is_err());
    assert!(node
        .lifecycle
        .handle(s(10), Event::TemporaryInstalled(set))
        .is_err());
    assert_eq!(node.lifecycle.sets().collect::<Vec<_>>(), before);
    assert!(node.apply().is_empty());
}

/// TS 33.203 §7.2: no more than six SAs per direction, i.e. three sets.
#[test]
fn a_fourth_set_is_refused_and_the_caller_removes_it_again() {
    let mut node = Node::new(Role::Pcscf);
    registered(&mut node, 0, 0, 600);
    for (n, t) in [(1, 100), (2, 200)] {
        node.install(n, s(t));
        node.handle(s(t + 1), Event::Registered { expires: s(600) });
    }
    assert_eq!(node.lifecycle.sets().count(), 3);
    let before: Vec<_> = node.lifecycle.sets().collect();
    let fourth = node.sad.insert_set(sa_set(3, Role::Pcscf, s(300))).unwrap();
    assert!(node
        .lifecycle
        .handle(s(300), Event::TemporaryInstalled(fourth))
        .is_err());
    assert_eq!(node.lifecycle.sets().collect::<Vec<_>>(), before);
    assert_eq!(node.sad.remove_set(&fourth), 4);
    assert!(node.apply().is_empty());
}

// ---------------------------------------------------------------------------
// Property: random events at random times.

#[derive(Debug, Clone)]
enum Step {
    Install,
    Reinstall(usize),
    Registered(u64),
    Received(usize),
    OldSetIdle,
    AuthenticationFailed,
    DeregistrationStarted,
    DeregistrationCompleted,
    Timeout,
}

fn step() -> impl Strategy<Value = (u64, Step)> {
    let step = prop_oneof![
        3 => Just(Step::Install),
        1 => (0usize..8).prop_map(Step::Reinstall),
        3 => (0u64..2000).prop_map(Step::Registered),
        4 => (0usize..8).prop_map(Step::Received),
        1 => Just(Step::OldSetIdle),
        1 => Just(Step::AuthenticationFailed),
        1 => Just(Step::DeregistrationStarted),
        1 => Just(Step::DeregistrationCompleted),
        2 => Just(Step::Timeout),
    ];
    (0u64..400, step)
}

proptest! {
    #[test]
    fn random_event_sequences_never_panic_and_keep_the_invariants(
        ue in any::<bool>(),
        retire_now in any::<bool>(),
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let role = if ue { Role::Ue } else { Role::Pcscf };
        let options = SaOptions {
            retire_after: if retire_now { Duration::ZERO } else { s(32) },
            ..SaOptions::default()
        };
        let mut lifecycle = SaLifecycle::new(role, options);
        let mut sad = SaDatabase::new();
        let mut seen: Vec<SaSetHandle> = Vec::new();
        let mut now = Duration::ZERO;
        let mut next: u16 = 0;
        for (delta, step) in steps {
            now += s(delta);
            let before: Vec<(SaSetHandle, SetState)> = lifecycle.sets().collect();
            let pick = |i: usize| seen.get(i % seen.len().max(1)).copied();
            let result = match step {
                Step::Install => {
                    let handle = sad.insert_set(sa_set(next, role, now)).unwrap();
                    next += 1;
                    seen.push(handle);
                    let r = lifecycle.handle(now, Event::TemporaryInstalled(handle));
                    if r.is_err() {
                        prop_assert_eq!(sad.remove_set(&handle), 4);
                    }
                    Some(r)
                }
                Step::Reinstall(i) => match before.get(i % before.len().max(1)) {
                    Some((h, _)) => {
                        let r = lifecycle.handle(now, Event::TemporaryInstalled(*h));
                        prop_assert!(r.is_err(), "a tracked set installed twice");
                        Some(r)
                    }
                    None => None,
                },
                Step::Registered(expires) => Some(lifecycle.handle(now, Event::Registered { expires: s(expires) })),
                Step::Received(i) => pick(i).map(|h| lifecycle.handle(now, Event::ProtectedReceived(h))),
                Step::OldSetIdle => Some(lifecycle.handle(now, Event::OldSetIdle)),
                Step::AuthenticationFailed => Some(lifecycle.handle(now, Event::AuthenticationFailed)),
                Step::DeregistrationStarted => Some(lifecycle.handle(now, Event::DeregistrationStarted)),
                Step::DeregistrationCompleted => Some(lifecycle.handle(now, Event::DeregistrationCompleted)),
                Step::Timeout => {
                    lifecycle.handle_timeout(now);
                    if let Some(next) = lifecycle.poll_timeout() {
                        prop_assert!(next > now, "handle_timeout left something due");
                    }
                    None
                }
            };
            let after: Vec<(SaSetHandle, SetState)> = lifecycle.sets().collect();
            if let Some(Err(_)) = result {
                prop_assert_eq!(&after, &before, "an error changed the sets");
                prop_assert_eq!(lifecycle.poll_action(), None, "an error emitted an action");
            }
            while let Some(action) = lifecycle.poll_action() {
                match action {
                    Action::Delete { set, .. } => {
                        prop_assert!(before.iter().any(|(h, _)| *h == set), "deleted an untracked set");
                        prop_assert!(!after.iter().any(|(h, _)| *h == set), "deleted but still tracked");
                        prop_assert_eq!(sad.remove_set(&set), 4);
                    }
                    Action::SetLifetime { set, lifetime } => {
                        prop_assert!(after.iter().any(|(h, _)| *h == set));
                        prop_assert_eq!(sad.set_set_lifetime(&set, lifetime), 4);
                    }
                    Action::UseForSending(set) => {
                        prop_assert_eq!(lifecycle.sending_set(), Some(set));
                        prop_assert_eq!(sad.use_set_for_sending(&set), 2);
                    }
                }
            }
            prop_assert!(after.len() <= 3, "{} sets", after.len());
            prop_assert!(after.iter().filter(|(_, st)| *st == SetState::Temporary).count() <= 1);
            prop_assert!(after.iter().filter(|(_, st)| *st == SetState::InUse).count() <= 1);
            prop_assert_eq!(sad.len(), 4 * after.len());
            prop_assert_eq!(lifecycle.poll_timeout().is_some(), !after.is_empty());
            if let Some(sending) = lifecycle.sending_set() {
                let state = lifecycle.state(&sending);
                prop_assert!(matches!(state, Some(SetState::Established | SetState::InUse)));
            }
        }
    }
}
