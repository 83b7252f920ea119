//! The life of the SA sets between one UE and its P-CSCF (TS 33.203 §7.4,
//! TS 24.229 §5.1.1.5.1 and §5.2.2), as a state machine with the time
//! passed in and its decisions handed out as [`Action`]s.
//!
//! - After the 401 a **temporary** set lives for reg-await-auth.
//! - When the registration it protected succeeds (200 OK to the protected
//!   REGISTER) it becomes **established**, its lifetime "the longest of
//!   either the previously existing set of security associations SIP level
//!   lifetime, or the lifetime of the just completed registration plus 30
//!   seconds".
//! - When the first message protected by the established set arrives from
//!   the peer it is **in use**; an older set is **retired** and deleted
//!   once its transactions are done ([`Event::OldSetIdle`]) or after a grace
//!   period, whichever comes first (TS 24.229: "after all SIP transactions
//!   that use the old set of security associations are completed").
//! - A de-registration deletes every set only once its final response has
//!   gone through them ([`Event::DeregistrationCompleted`]).
//! - A set whose lifetime passes is deleted; so is a temporary set whose
//!   authentication failed, or that a new attempt replaces.
//!
//! Nothing is deleted by the machine itself: it emits
//! [`Action::Delete`], and the caller removes the set from its SA database
//! ([`esp_sa::SaDatabase::remove_set`]); [`Action::SetLifetime`] maps onto
//! [`esp_sa::SaDatabase::set_set_lifetime`].

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

use esp_sa::sad::SaSetHandle;
use esp_sa::{Lifetime, Limits, Role};

use crate::error::Error;

/// How long the SAs outlive the registration (TS 24.229: "plus 30 seconds").
pub const REGISTRATION_MARGIN: Duration = Duration::from_secs(30);

/// The most SA sets one UE–P-CSCF pair may have: TS 33.203 §7.2 allows
/// "no more than six SAs per direction" per IMPI, two per set.
pub const MAX_SETS: usize = 3;

/// Where a set stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetState {
    /// Installed after the 401; authentication not yet complete.
    Temporary,
    /// The registration succeeded; the peer has not used the set yet.
    Established,
    /// The peer has sent through the set.
    InUse,
    /// Replaced by a newer set; deleted when its transactions are done.
    Retiring,
}

/// Why a set is to be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeleteReason {
    /// A new temporary set replaced one whose authentication never finished.
    Superseded,
    /// The authentication it was set up for failed or was aborted.
    AuthenticationFailed,
    /// The UE never completed the registration (reg-await-auth passed).
    TemporaryExpired,
    /// A newer set is in use and this one's transactions are done.
    Replaced,
    /// The registration's lifetime passed.
    Expired,
    /// The de-registration completed.
    Deregistered,
}

/// What the caller must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Give the set this lifetime (counted from its installation).
    SetLifetime {
        /// The set.
        set: SaSetHandle,
        /// The new lifetime.
        lifetime: Lifetime,
    },
    /// Send through this set from now on where an older set shares its
    /// selectors ([`esp_sa::SaDatabase::use_set_for_sending`]): at the UE
    /// once the registration succeeds, at the P-CSCF once the UE has used it.
    UseForSending(SaSetHandle),
    /// Delete the set.
    Delete {
        /// The set.
        set: SaSetHandle,
        /// Why.
        reason: DeleteReason,
    },
}

/// What happened, as the caller saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A temporary set was installed after the 401 (SM6).
    TemporaryInstalled(SaSetHandle),
    /// The registration succeeded (200 OK to the protected REGISTER), for
    /// `expires` (the binding's expiry from the 200 OK). Promotes the
    /// temporary set, or extends the current one when the re-registration
    /// was not re-authenticated.
    Registered {
        /// The registration's lifetime.
        expires: Duration,
    },
    /// A message from the peer was decapsulated by one of the set's SAs.
    ProtectedReceived(SaSetHandle),
    /// The caller's SIP layer has no transaction left on the retiring set.
    OldSetIdle,
    /// The authentication failed or the agreement was aborted.
    AuthenticationFailed,
    /// A de-REGISTER was sent (UE) or received (P-CSCF): nothing is deleted
    /// before its final response.
    DeregistrationStarted,
    /// The final response to the de-REGISTER went through the SAs.
    DeregistrationCompleted,
}

/// The SA parameters and timers the agreement does not negotiate, shared
/// by the agreement (to build sets) and the lifecycle (to retire them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaOptions {
    /// Anti-replay window of every SA (TS 33.203 sets no size; 64 is
    /// RFC 4303's default).
    pub replay_window: u32,
    /// Lifetime of a temporary set: the reg-await-auth timer (TS 24.229
    /// §5.1.1.5.1, §5.2.2; 4 minutes in TS 24.229's timer table).
    pub reg_await_auth: Duration,
    /// How long a retired set is kept at most for its transactions to end
    /// (default 64 × T1 = 32 s, the non-INVITE transaction timeout of
    /// RFC 3261 §17.1.2.2).
    pub retire_after: Duration,
}

impl Default for SaOptions {
    fn default() -> Self {
        Self {
            replay_window: 64,
            reg_await_auth: Duration::from_secs(240),
            retire_after: Duration::from_secs(32),
        }
    }
}

impl SaOptions {
    /// The lifetime of a temporary set, for [`esp_sa::SaSetParams`].
    #[must_use]
    pub fn temporary_lifetime(&self) -> Lifetime {
        Lifetime {
            soft: Limits::NONE,
            hard: Limits::time(self.reg_await_auth),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    set: SaSetHandle,
    state: SetState,
    installed: Duration,
    expires: Duration,
    retire_at: Option<Duration>,
}

/// The SA sets of one UE–P-CSCF pair, seen from one of them.
#[derive(Debug, Clone)]
pub struct SaLifecycle {
    role: Role,
    options: SaOptions,
    sets: Vec<Entry>,
    deregistering: bool,
    actions: VecDeque<Action>,
}

impl SaLifecycle {
    /// No sets yet.
    #[must_use]
    pub fn new(role: Role, options: SaOptions) -> Self {
        Self {
            role,
            options,
            sets: Vec::new(),
            deregistering: false,
            actions: VecDeque::new(),
        }
    }

    /// Takes an event at `now`. An event that does not fit (an unknown set,
    /// a registration without any set, a temporary set beyond
    /// [`MAX_SETS`]) is an error and changes nothing; for a refused
    /// [`Event::TemporaryInstalled`] the caller removes the set again and
    /// aborts the registration.
    pub fn handle(&mut self, now: Duration, event: Event) -> Result<(), Error> {
        let sending = self.sending_set();
        self.apply(now, event)?;
        if let Some(set) = self.sending_set().filter(|s| Some(*s) != sending) {
            self.actions.push_back(Action::UseForSending(set));
        }
        Ok(())
    }

    fn apply(&mut self, now: Duration, event: Event) -> Result<(), Error> {
        match event {
            Event::TemporaryInstalled(set) => {
                if self.entry(&set).is_some() {
                    return Err(Error::State("this set is already tracked"));
                }
                // TS 33.203 §7.2 (NOTE 13, §7.4): at most six SAs per
                // direction, i.e. three sets (old, newly established,
                // temporary). A temporary set replaces the temporary one;
                // beyond that the registration is aborted.
                let kept = self
                    .sets
                    .iter()
                    .filter(|e| e.state != SetState::Temporary)
                    .count();
                if kept >= MAX_SETS {
                    return Err(Error::State(
                        "three SA sets already (TS 33.203 §7.2: at most six SAs per direction)",
                    ));
                }
                self.delete_where(|e| e.state == SetState::Temporary, DeleteReason::Superseded);
                self.sets.push(Entry {
                    set,
                    state: SetState::Temporary,
                    installed: now,
                    expires: now.saturating_add(self.options.reg_await_auth),
                    retire_at: None,
                });
                self.deregistering = false;
            }
            Event::Registered { expires } => self.registered(now, expires)?,
            Event::ProtectedReceived(set) => self.received(now, &set)?,
            Event::OldSetIdle => {
                self.delete_where(|e| e.state == SetState::Retiring, DeleteReason::Replaced);
            }
            Event::AuthenticationFailed => {
                self.delete_where(
                    |e| e.state == SetState::Temporary,
                    DeleteReason::AuthenticationFailed,
                );
            }
            Event::DeregistrationStarted => self.deregistering = true,
            Event::DeregistrationCompleted => {
                if !self.deregistering {
                    return Err(Error::State("no de-registration was started"));
                }
                self.delete_where(|_| true, DeleteReason::Deregistered);
                self.deregistering = false;
            }
        }
        Ok(())
    }

    fn registered(&mut self, now: Duration, expires: Duration) -> Result<(), Error> {
        let until = now
            .saturating_add(expires)
            .saturating_add(REGISTRATION_MARGIN);
        let previous = self
            .sets
            .iter()
            .filter(|e| matches!(e.state, SetState::Established | SetState::InUse))
            .map(|e| e.expires)
            .max();
        let target = self
            .sets
            .iter()
            .position(|e| e.state == SetState::Temporary)
            .or_else(|| {
                self.sets
                    .iter()
                    .rposition(|e| matches!(e.state, SetState::Established | SetState::InUse))
            })
            .ok_or(Error::State("no SA set to register"))?;
        let entry = self
            .sets
            .get_mut(target)
            .ok_or(Error::State("no SA set to register"))?;
        if entry.state == SetState::Temporary {
            entry.state = SetState::Established;
        }
        entry.expires = previous.map_or(until, |p| p.max(until));
        let action = Action::SetLifetime {
            set: entry.set,
            lifetime: Lifetime {
                soft: Limits::NONE,
                hard: Limits::time(entry.expires.saturating_sub(entry.installed)),
            },
        };
        self.actions.push_back(action);
        Ok(())
    }

    fn received(&mut self, now: Duration, set: &SaSetHandle) -> Result<(), Error> {
        let state = self.entry(set).ok_or(Error::State("unknown SA set"))?.state;
        if state != SetState::Established {
            return Ok(());
        }
        let retire_at = now.saturating_add(self.options.retire_after);
        // TS 24.229 §5.1.1.5.1: the first message on the newly established
        // set retires the *old* sets. Sets are kept in installation order,
        // so only those before this one are older; a newer established set
        // (a later re-registration's) is not retired by traffic on this one.
        let mut older = true;
        for entry in &mut self.sets {
            if entry.set == *set {
                entry.state = SetState::InUse;
                older = false;
            } else if older && matches!(entry.state, SetState::InUse | SetState::Established) {
                entry.state = SetState::Retiring;
                entry.retire_at = Some(retire_at);
            }
        }
        if self.options.retire_after.is_zero() {
            self.delete_where(|e| e.state == SetState::Retiring, DeleteReason::Replaced);
        }
        Ok(())
    }

    /// Deletes what is due at `now`: temporary sets past reg-await-auth,
    /// sets past their registration's lifetime, retired sets past their
    /// grace period.
    pub fn handle_timeout(&mut self, now: Duration) {
        let due: Vec<(SaSetHandle, DeleteReason)> = self
            .sets
            .iter()
            .filter_map(|e| {
                let reason = match e.state {
                    SetState::Temporary => DeleteReason::TemporaryExpired,
                    SetState::Retiring => DeleteReason::Replaced,
                    _ => DeleteReason::Expired,
                };
                let deadline = e.retire_at.map_or(e.expires, |r| r.min(e.expires));
                (now >= deadline).then_some((e.set, reason))
            })
            .collect();
        for (set, reason) in due {
            self.delete_where(|e| e.set == set, reason);
        }
    }

    /// When [`SaLifecycle::handle_timeout`] has something to do next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.sets
            .iter()
            .map(|e| e.retire_at.map_or(e.expires, |r| r.min(e.expires)))
            .min()
    }

    /// The next action for the caller.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The set to send new requests through: at the UE the newest
    /// established one (TS 24.229 §5.1.1.5.1); at the P-CSCF the one the UE
    /// last used, or the established one before the UE has used any.
    #[must_use]
    pub fn sending_set(&self) -> Option<SaSetHandle> {
        let newest = |state| {
            self.sets
                .iter()
                .rev()
                .find(|e| e.state == state)
                .map(|e| e.set)
        };
        match self.role {
            Role::Ue => newest(SetState::Established).or_else(|| newest(SetState::InUse)),
            Role::Pcscf => newest(SetState::InUse).or_else(|| newest(SetState::Established)),
        }
    }

    /// The state of a set this lifecycle tracks.
    #[must_use]
    pub fn state(&self, set: &SaSetHandle) -> Option<SetState> {
        self.entry(set).map(|e| e.state)
    }

    /// The tracked set one of whose inbound SAs has SPI `spi` (from
    /// [`esp_sa::sad::Unprotected::spi`]), for [`Event::ProtectedReceived`].
    #[must_use]
    pub fn set_with_spi(&self, spi: u32) -> Option<SaSetHandle> {
        self.sets
            .iter()
            .find(|e| e.set.inbound.contains(&spi))
            .map(|e| e.set)
    }

    /// The sets tracked, oldest first, with their states.
    pub fn sets(&self) -> impl Iterator<Item = (SaSetHandle, SetState)> + '_ {
        self.sets.iter().map(|e| (e.set, e.state))
    }

    fn entry(&self, set: &SaSetHandle) -> Option<&Entry> {
        self.sets.iter().find(|e| e.set == *set)
    }

    fn delete_where(&mut self, mut which: impl FnMut(&Entry) -> bool, reason: DeleteReason) {
        let actions = &mut self.actions;
        self.sets.retain(|e| {
            if which(e) {
                actions.push_back(Action::Delete { set: e.set, reason });
                false
            } else {
                true
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{IpAddr, Ipv4Addr};
    use esp_sa::Selector;

    fn set(n: u32) -> SaSetHandle {
        let a = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let s = Selector {
            source: a,
            source_port: 1,
            destination: a,
            destination_port: 2,
        };
        SaSetHandle {
            inbound: [1000 + 2 * n, 1001 + 2 * n],
            outbound: [s, s],
            outbound_spis: [3000 + 2 * n, 3001 + 2 * n],
        }
    }

    fn sending(l: &mut SaLifecycle) -> Vec<SaSetHandle> {
        core::iter::from_fn(|| l.poll_action())
            .filter_map(|a| match a {
                Action::UseForSending(set) => Some(set),
                _ => None,
            })
            .collect()
    }

    /// TS 24.229 §5.1.1.5.1: the UE sends through the new set once the
    /// registration succeeds; the P-CSCF only once the UE has used it.
    #[test]
    fn sending_switches_at_the_ue_on_200_ok_and_at_the_pcscf_on_first_use() {
        let s = Duration::from_secs;
        for role in [Role::Ue, Role::Pcscf] {
            let mut l = SaLifecycle::new(role, SaOptions::default());
            l.handle(s(0), Event::TemporaryInstalled(set(0))).unwrap();
            l.handle(s(1), Event::Registered { expires: s(3600) })
                .unwrap();
            assert_eq!(sending(&mut l), [set(0)], "{role:?}");
            l.handle(s(2), Event::ProtectedReceived(set(0))).unwrap();
            assert_eq!(sending(&mut l), [], "{role:?}");
            // Re-registration.
            l.handle(s(100), Event::TemporaryInstalled(set(1))).unwrap();
            l.handle(s(101), Event::Registered { expires: s(3600) })
                .unwrap();
            let at_200_ok = sending(&mut l);
            l.handle(s(102), Event::ProtectedReceived(set(1))).unwrap();
            let at_first_use = sending(&mut l);
            match role {
                Role::Ue => assert_eq!(
                    (at_200_ok, at_first_use),
                    (alloc::vec![set(1)], alloc::vec![])
                ),
                Role::Pcscf => assert_eq!(
                    (at_200_ok, at_first_use),
                    (alloc::vec![], alloc::vec![set(1)])
                ),
            }
        }
    }

    /// Set 0 registered and in use, then sets 1 and 2 registered, never used.
    fn three_sets(l: &mut SaLifecycle) {
        let s = Duration::from_secs;
        for (n, t) in [(0, 0), (1, 100), (2, 200)] {
            l.handle(s(t), Event::TemporaryInstalled(set(n))).unwrap();
            l.handle(s(t + 1), Event::Registered { expires: s(3600) })
                .unwrap();
            if n == 0 {
                l.handle(s(2), Event::ProtectedReceived(set(0))).unwrap();
            }
        }
    }

    #[test]
    fn a_fourth_set_is_refused_and_changes_nothing() {
        let mut l = SaLifecycle::new(Role::Ue, SaOptions::default());
        let s = Duration::from_secs;
        three_sets(&mut l);
        while l.poll_action().is_some() {}
        let before: Vec<_> = l.sets().collect();
        assert!(l.handle(s(300), Event::TemporaryInstalled(set(3))).is_err());
        assert_eq!(l.sets().collect::<Vec<_>>(), before);
        assert_eq!(l.poll_action(), None);
    }

    #[test]
    fn traffic_on_an_older_established_set_does_not_retire_a_newer_one() {
        let mut l = SaLifecycle::new(Role::Pcscf, SaOptions::default());
        let s = Duration::from_secs;
        three_sets(&mut l);
        // set 1 and set 2 are both established; the UE still uses set 1.
        l.handle(s(210), Event::ProtectedReceived(set(1))).unwrap();
        assert_eq!(l.state(&set(0)), Some(SetState::Retiring));
        assert_eq!(l.state(&set(1)), Some(SetState::InUse));
        assert_eq!(l.state(&set(2)), Some(SetState::Established));
    }
}
