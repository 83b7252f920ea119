//! Timestamps and freshness: the timestamp types of RFC 3830 §6.6 and RFC
//! 6043 §6.3, NTP conversion with the era rule of RFC 4330 §3, the clock
//! skew check and the replay cache of RFC 3830 §5.4, and strictly
//! increasing counters for the COUNTER type.
//!
//! Nothing here reads a clock: `now` is always the caller's, as the time
//! since the Unix epoch.

use alloc::collections::{BTreeMap, BTreeSet};
use core::time::Duration;

use sha2::{Digest, Sha256};

/// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (the Unix epoch).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A timestamp of the T (or TR) payload, with its TS type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimestampValue {
    /// NTP-UTC (TS type 0): 64-bit NTP timestamp in UTC.
    NtpUtc(u64),
    /// NTP (TS type 1): 64-bit NTP timestamp (RFC 3830 recommends UTC;
    /// this module compares it as if it were).
    Ntp(u64),
    /// COUNTER (TS type 2): a counter, not a time (see [`CounterWindow`]).
    Counter(u64),
    /// NTP-UTC-32 (TS type 3, RFC 6043 §6.3): the seconds half of NTP-UTC.
    NtpUtc32(u32),
}

impl TimestampValue {
    /// The TS type value (RFC 3830 Table 6.6, RFC 6043 Table 6.8).
    #[must_use]
    pub const fn ts_type(self) -> u8 {
        match self {
            Self::NtpUtc(_) => 0,
            Self::Ntp(_) => 1,
            Self::Counter(_) => 2,
            Self::NtpUtc32(_) => 3,
        }
    }

    /// The 64-bit value for the AES-CM IV (RFC 3830 §4.2.3): NTP values as
    /// they are; COUNTER padded with leading zeros (RFC 3830 §6.6);
    /// NTP-UTC-32 padded to NTP-UTC with a zero fraction (RFC 6043 §6.3).
    #[must_use]
    pub const fn iv_value(self) -> u64 {
        match self {
            Self::NtpUtc(v) | Self::Ntp(v) | Self::Counter(v) => v,
            Self::NtpUtc32(s) => (s as u64) << 32,
        }
    }

    /// The time since the Unix epoch, `None` for COUNTER and for NTP times
    /// before 1970 (1968-01-20 to 1970-01-01 under the era rule).
    #[must_use]
    pub fn unix_time(self) -> Option<Duration> {
        self.unix_nanos()
            .and_then(|n| u64::try_from(n).ok())
            .map(Duration::from_nanos)
    }

    /// Nanoseconds since the Unix epoch, negative before 1970.
    fn unix_nanos(self) -> Option<i128> {
        match self {
            Self::Counter(_) => None,
            Self::NtpUtc(v) | Self::Ntp(v) => Some(ntp_unix_nanos(v)),
            Self::NtpUtc32(s) => Some(ntp_unix_nanos(u64::from(s) << 32)),
        }
    }
}

/// The 64-bit IV value of a timestamp; see [`TimestampValue::iv_value`].
#[must_use]
pub const fn iv_timestamp(ts: TimestampValue) -> u64 {
    ts.iv_value()
}

/// Unix seconds of an NTP seconds field under the RFC 4330 §3 era rule:
/// most significant bit set, 1968-01-20 to 2036-02-07 (era 0); clear,
/// 2036-02-07 to 2104-02-26 (era 1). Negative before 1970.
fn ntp_secs_to_unix(secs: u32) -> i64 {
    let s = i64::from(secs);
    if secs & 0x8000_0000 != 0 {
        s - NTP_UNIX_OFFSET as i64
    } else {
        s + (1i64 << 32) - NTP_UNIX_OFFSET as i64
    }
}

fn ntp_unix_nanos(ntp: u64) -> i128 {
    let secs = ntp_secs_to_unix((ntp >> 32) as u32);
    let frac = ntp & 0xFFFF_FFFF;
    let nanos = (frac * NANOS_PER_SEC) >> 32;
    i128::from(secs) * i128::from(NANOS_PER_SEC) + i128::from(nanos)
}

/// The 64-bit NTP timestamp of a Unix time (RFC 3830 §4.2.8, RFC 4330 §3).
///
/// The fraction is rounded up, so [`unix_from_ntp`] gives back the same
/// nanoseconds. `nanos` of a second or more carry into `secs`. Times from
/// 2036-02-07 on get era-1 seconds (most significant bit clear); the
/// format ends at 2104-02-26, after which the value wraps.
#[must_use]
pub fn ntp_from_unix(secs: u64, nanos: u32) -> u64 {
    let secs = secs.wrapping_add(u64::from(nanos) / NANOS_PER_SEC);
    let nanos = u64::from(nanos) % NANOS_PER_SEC;
    let ntp_secs = secs.wrapping_add(NTP_UNIX_OFFSET) & 0xFFFF_FFFF;
    let frac = (nanos << 32).div_ceil(NANOS_PER_SEC);
    (ntp_secs << 32) | frac
}

/// The Unix time `(seconds, nanoseconds)` of a 64-bit NTP timestamp under
/// the RFC 4330 §3 era rule (most significant bit set: 1968 to 2036; clear:
/// 2036 to 2104). `None` for the times before 1970 that era 0 can name.
#[must_use]
pub fn unix_from_ntp(ntp: u64) -> Option<(u64, u32)> {
    let secs = u64::try_from(ntp_secs_to_unix((ntp >> 32) as u32)).ok()?;
    let nanos = (((ntp & 0xFFFF_FFFF) * NANOS_PER_SEC) >> 32) as u32;
    Some((secs, nanos))
}

/// Why a timestamp or a message is not fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FreshnessError {
    /// The timestamp is further from `now` than the allowed clock skew.
    #[error("timestamp {offset_secs} s from now, outside the allowed clock skew")]
    OutsideSkew {
        /// Timestamp minus now, in whole seconds (negative: in the past).
        offset_secs: i64,
    },
    /// The same (timestamp, key) was accepted before, within the skew.
    #[error("replayed message")]
    Replayed,
    /// The replay cache holds `capacity` live entries; the message is
    /// refused rather than the cache grown (RFC 3830 §5.4: the host rejects
    /// incoming requests until the skew interval has passed).
    #[error("replay cache full")]
    CacheFull,
    /// A COUNTER timestamp was given where a time is needed.
    #[error("COUNTER timestamp is not a time")]
    NotATime,
    /// A COUNTER not above the last accepted one.
    #[error("counter {got} not above the last accepted {last}")]
    CounterNotIncreasing {
        /// The counter offered.
        got: u64,
        /// The last counter accepted.
        last: u64,
    },
}

/// Checks that the time of `ts` is within `skew` of `now` (RFC 3830 §5.4).
/// COUNTER is not a time ([`FreshnessError::NotATime`]).
pub fn check_skew(now: Duration, ts: TimestampValue, skew: Duration) -> Result<(), FreshnessError> {
    skew_check(now, ts, skew).map(|_| ())
}

/// The timestamp in nanoseconds since the Unix epoch, once within skew.
fn skew_check(now: Duration, ts: TimestampValue, skew: Duration) -> Result<i128, FreshnessError> {
    let t = ts.unix_nanos().ok_or(FreshnessError::NotATime)?;
    let diff = t - now.as_nanos() as i128;
    if diff.unsigned_abs() > skew.as_nanos() {
        let offset_secs = diff / i128::from(NANOS_PER_SEC);
        return Err(FreshnessError::OutsideSkew {
            offset_secs: i64::try_from(offset_secs).unwrap_or(if offset_secs < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
        });
    }
    Ok(t)
}

/// A replay cache (RFC 3830 §5.4): remembers the accepted messages while
/// their timestamps are within the clock skew, refuses them a second time,
/// and refuses anything outside the skew.
///
/// Each entry is a SHA-256 digest of the TS type, the timestamp and the
/// caller's key bytes (for example the MAC or signature of the message, or
/// sender identity || CSB ID), kept until `timestamp + skew` has passed.
/// The cache never holds more than `capacity` entries: when it is full of
/// live entries a new message gets [`FreshnessError::CacheFull`].
///
/// Use [`ReplayCache::check`] before the MAC is verified (cheap, changes
/// nothing) and [`ReplayCache::insert`] after (checks again, then records);
/// a refusal changes nothing.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    skew: Duration,
    capacity: usize,
    /// Digest to expiry (nanoseconds since the Unix epoch).
    entries: BTreeMap<[u8; 32], i128>,
    /// The same entries ordered by expiry, for eviction.
    by_expiry: BTreeSet<(i128, [u8; 32])>,
}

impl ReplayCache {
    /// A cache for timestamps within `skew` of now, holding at most
    /// `capacity` messages.
    #[must_use]
    pub fn new(skew: Duration, capacity: usize) -> Self {
        Self {
            skew,
            capacity,
            entries: BTreeMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// The allowed clock skew.
    #[must_use]
    pub const fn skew(&self) -> Duration {
        self.skew
    }

    /// The most entries the cache holds.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries held now (some may have expired and await eviction).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn digest(ts: TimestampValue, key: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([ts.ts_type()]);
        h.update(ts.iv_value().to_be_bytes());
        h.update(key);
        h.finalize().into()
    }

    /// Checks a message without recording it: within skew, not seen, and
    /// room for it (counting entries that have expired by `now` as room).
    pub fn check(
        &self,
        now: Duration,
        ts: TimestampValue,
        key: &[u8],
    ) -> Result<(), FreshnessError> {
        self.check_digest(now, ts, key).map(|_| ())
    }

    fn check_digest(
        &self,
        now: Duration,
        ts: TimestampValue,
        key: &[u8],
    ) -> Result<([u8; 32], i128), FreshnessError> {
        let t = skew_check(now, ts, self.skew)?;
        let digest = Self::digest(ts, key);
        // Within skew means t + skew >= now, so a matching entry is live.
        if self.entries.contains_key(&digest) {
            return Err(FreshnessError::Replayed);
        }
        if self.entries.len() >= self.capacity {
            let now = now.as_nanos() as i128;
            match self.by_expiry.first() {
                Some((expiry, _)) if *expiry < now => {}
                _ => return Err(FreshnessError::CacheFull),
            }
        }
        Ok((digest, t + self.skew.as_nanos() as i128))
    }

    /// Checks a message as [`ReplayCache::check`] does and, if it passes,
    /// drops the expired entries and records it. Call it once the message
    /// has authenticated. A refusal changes nothing.
    pub fn insert(
        &mut self,
        now: Duration,
        ts: TimestampValue,
        key: &[u8],
    ) -> Result<(), FreshnessError> {
        let (digest, expiry) = self.check_digest(now, ts, key)?;
        self.evict_expired(now);
        self.entries.insert(digest, expiry);
        self.by_expiry.insert((expiry, digest));
        Ok(())
    }

    /// [`ReplayCache::insert`], named for callers that check and record in one step.
    pub fn check_and_insert(
        &mut self,
        now: Duration,
        ts: TimestampValue,
        key: &[u8],
    ) -> Result<(), FreshnessError> {
        self.insert(now, ts, key)
    }

    /// Drops the entries whose timestamp has left the skew window by `now`.
    pub fn evict_expired(&mut self, now: Duration) {
        let now = now.as_nanos() as i128;
        while let Some(&(expiry, digest)) = self.by_expiry.first() {
            if expiry >= now {
                break;
            }
            self.by_expiry.pop_first();
            self.entries.remove(&digest);
        }
    }
}

/// Freshness for COUNTER timestamps from one peer: each must be strictly
/// above the last one accepted (RFC 3830 §6.6 gives no window; the caller
/// keeps one `CounterWindow` per peer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CounterWindow {
    last: Option<u64>,
}

impl CounterWindow {
    /// A window that has accepted nothing yet.
    #[must_use]
    pub const fn new() -> Self {
        Self { last: None }
    }

    /// A window that continues after `last` (for example from storage).
    #[must_use]
    pub const fn starting_after(last: u64) -> Self {
        Self { last: Some(last) }
    }

    /// The last counter accepted.
    #[must_use]
    pub const fn last(&self) -> Option<u64> {
        self.last
    }

    /// Checks a counter without recording it.
    pub fn check(&self, counter: u64) -> Result<(), FreshnessError> {
        match self.last {
            Some(last) if counter <= last => {
                Err(FreshnessError::CounterNotIncreasing { got: counter, last })
            }
            _ => Ok(()),
        }
    }

    /// Checks a counter and records it; call once the message has
    /// authenticated. A refusal changes nothing.
    pub fn accept(&mut self, counter: u64) -> Result<(), FreshnessError> {
        self.check(counter)?;
        self.last = Some(counter);
        Ok(())
    }
}
