//! SA lifetimes (RFC 4301 §4.4.2.1): soft and hard limits on packets, bytes
//! and time. Time is whatever monotonic clock the caller keeps, passed in as
//! a [`Duration`] since an epoch of its choosing.
//!
//! Reaching a soft limit asks for a new SA; reaching a hard limit ends this
//! one: it then refuses every packet ([`crate::Error::LifetimeExpired`]).

use core::time::Duration;

/// Limits on the use of an SA; `None` means no limit of that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Packets processed.
    pub packets: Option<u64>,
    /// Bytes of upper-layer payload processed.
    pub bytes: Option<u64>,
    /// Time since the SA was installed.
    pub time: Option<Duration>,
}

impl Limits {
    /// No limit at all.
    pub const NONE: Self = Self {
        packets: None,
        bytes: None,
        time: None,
    };

    /// A time limit only (the usual case for IMS: the registration lifetime).
    #[must_use]
    pub const fn time(time: Duration) -> Self {
        Self {
            packets: None,
            bytes: None,
            time: Some(time),
        }
    }
}

/// The soft and hard limits of an SA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifetime {
    /// When to ask for a new SA.
    pub soft: Limits,
    /// When to stop using this one.
    pub hard: Limits,
}

impl Lifetime {
    /// No limits.
    pub const UNLIMITED: Self = Self {
        soft: Limits::NONE,
        hard: Limits::NONE,
    };
}

/// Where an SA stands in its lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LifetimeState {
    /// Below every limit.
    Live,
    /// A soft limit is reached: set up a new SA.
    Soft,
    /// A hard limit is reached: the SA refuses packets; remove it.
    Hard,
}

/// An SA's limits and what it has processed since it was installed: the
/// lifetime bookkeeping both SA directions share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tracker {
    lifetime: Lifetime,
    installed: Duration,
    packets: u64,
    bytes: u64,
}

impl Tracker {
    pub(crate) fn new(lifetime: Lifetime, installed: Duration) -> Self {
        Self {
            lifetime,
            installed,
            packets: 0,
            bytes: 0,
        }
    }

    pub(crate) fn lifetime(&self) -> &Lifetime {
        &self.lifetime
    }

    /// New limits; what was processed, and when the SA was installed, still count.
    pub(crate) fn set_lifetime(&mut self, lifetime: Lifetime) {
        self.lifetime = lifetime;
    }

    pub(crate) fn state(&self, now: Duration) -> LifetimeState {
        if self.reached(&self.lifetime.hard, now) {
            LifetimeState::Hard
        } else if self.reached(&self.lifetime.soft, now) {
            LifetimeState::Soft
        } else {
            LifetimeState::Live
        }
    }

    fn reached(&self, limits: &Limits, now: Duration) -> bool {
        limits.packets.is_some_and(|max| self.packets >= max)
            || limits.bytes.is_some_and(|max| self.bytes >= max)
            || limits
                .time
                .is_some_and(|max| now.saturating_sub(self.installed) >= max)
    }

    pub(crate) fn record(&mut self, payload_len: usize) {
        self.packets = self.packets.saturating_add(1);
        self.bytes = self.bytes.saturating_add(payload_len as u64);
    }
}
