//! The Tracker AS (TR 33.844 §5.2, §5.3): TID bindings, peer lists that show
//! only TIDs, and possession checks of UE announcements.
//!
//! The Tracker keeps `{permanent ID, TID, content information}` clusters.
//! Peer lists are built from [`PeerEntry`] values, which have no field for a
//! permanent ID. A TID belongs to the permanent ID that bound it (the
//! identity IMS authenticated, which the application passes in): another UE
//! cannot take it while the binding lives, and a UE that binds a new TID
//! drops the old one with everything announced under it.
//!
//! Announcement policy (§5.2): either [`AnnouncementPolicy::NoUeAnnouncements`]
//! (peer lists come from the content service's own delivery records,
//! [`Tracker::record_delivery`]) or [`AnnouncementPolicy::Verified`]: UEs
//! announce, and the Tracker checks them with possession challenges in
//! cycles of bounded work: at most [`CheckConfig::checks_per_period`]
//! challenges per period, announcements never verified first (most recent
//! first), then the verified ones checked longest ago. A challenge asks for a
//! random block of a random announced segment not yet proven (any announced
//! segment once all are). The answer is the block and its proof to the root
//! the Tracker holds; the Tracker needs no content. A wrong or late answer
//! removes the announcement and counts a strike; after
//! [`CheckConfig::max_strikes`] strikes the permanent ID's announcements are
//! removed and refused for [`CheckConfig::ban`].
//!
//! Nothing reads a clock or a global RNG: every call takes `now` (any fixed
//! origin) and challenges take the RNG, so runs replay exactly.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::time::Duration;

use rand_core::CryptoRngCore;

use crate::bitmap::SegmentBitmap;
use crate::error::{TrackerError, VerifyError};
use crate::ids::{ContentId, PermanentId, TemporaryPeerId};
use crate::manifest::Manifest;
use crate::merkle::{Hash, Layout};
use crate::messages::{Announcement, PeerEntry, PeerList, PossessionChallenge, PossessionResponse};
use crate::verify::verify_block_to_root;

/// Whether UEs may announce content (§5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnouncementPolicy {
    /// §5.2 way 1: UEs do not announce; peer lists come from the content
    /// service's records of what it delivered.
    NoUeAnnouncements,
    /// §5.2 way 2: UEs announce, and the Tracker checks announcements
    /// periodically.
    Verified,
}

/// The checking cycle (§5.2: "the checking procedure can be executed
/// periodically").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckConfig {
    /// Length of a checking period.
    pub period: Duration,
    /// At most this many challenges per period.
    pub checks_per_period: usize,
    /// Time a peer has to answer.
    pub answer_within: Duration,
    /// Failed checks before a permanent ID is refused.
    pub max_strikes: u32,
    /// How long it is refused.
    pub ban: Duration,
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            period: Duration::from_secs(60),
            checks_per_period: 100,
            answer_within: Duration::from_secs(10),
            max_strikes: 3,
            ban: Duration::from_secs(24 * 3600),
        }
    }
}

/// The Tracker's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackerConfig {
    /// Whether UEs announce.
    pub policy: AnnouncementPolicy,
    /// How long a TID binding lives after its last bind or announcement.
    pub binding_lifetime: Duration,
    /// The checking cycle (used under [`AnnouncementPolicy::Verified`]).
    pub checks: CheckConfig,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            policy: AnnouncementPolicy::Verified,
            binding_lifetime: Duration::from_secs(3600),
            checks: CheckConfig::default(),
        }
    }
}

/// What the Tracker knows of a content: its layout and root, no bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRecord {
    /// Length and segment size.
    pub layout: Layout,
    /// The Merkle root.
    pub root: Hash,
}

/// A challenge to send to the UE that holds `recipient`'s binding, over its
/// IMS-authenticated PP_s1 connection. The permanent ID is for routing
/// inside the operator's network only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedChallenge {
    /// The UE to send it to.
    pub recipient: PermanentId,
    /// The challenge.
    pub challenge: PossessionChallenge,
}

/// Why a possession check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckFailure {
    /// No answer by the deadline.
    Late,
    /// The block or its proof did not verify against the root.
    WrongData(VerifyError),
}

/// The result of a possession check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The block verified; the segment is proven and the announcement
    /// verified.
    Passed {
        /// The announcer's TID.
        tid: TemporaryPeerId,
        /// The content.
        content_id: ContentId,
        /// The proven segment.
        segment: u32,
    },
    /// The announcement was removed and a strike counted.
    Failed {
        /// The announcer.
        permanent_id: PermanentId,
        /// Its TID.
        tid: TemporaryPeerId,
        /// The content.
        content_id: ContentId,
        /// Why.
        reason: CheckFailure,
        /// Strikes now counted against the permanent ID.
        strikes: u32,
        /// Set when this strike started a ban: until when.
        banned_until: Option<Duration>,
    },
    /// The announcement was withdrawn, replaced or expired before the answer
    /// was judged: nothing counted.
    Stale,
}

/// The Tracker's answer to an announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnounceAck {
    /// The TID the content is now listed under.
    pub tid: TemporaryPeerId,
    /// When the binding expires unless renewed.
    pub expires_at: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The UE announced it: checked.
    Announced,
    /// The content service delivered it: trusted.
    Service,
}

#[derive(Debug, Clone)]
struct Offer {
    segments: SegmentBitmap,
    proven: SegmentBitmap,
    source: Source,
    verified: bool,
    announced_at: Duration,
    last_checked: Option<Duration>,
    pending: Option<[u8; 16]>,
}

/// A UE's offers: few per UE, so a vector (a map node would reserve room
/// for eleven).
#[derive(Debug, Clone, Default)]
struct Offers(Vec<(ContentId, Offer)>);

impl Offers {
    fn get(&self, content: &ContentId) -> Option<&Offer> {
        self.0.iter().find(|(c, _)| c == content).map(|(_, o)| o)
    }

    fn get_mut(&mut self, content: &ContentId) -> Option<&mut Offer> {
        self.0
            .iter_mut()
            .find(|(c, _)| c == content)
            .map(|(_, o)| o)
    }

    fn contains_key(&self, content: &ContentId) -> bool {
        self.get(content).is_some()
    }

    fn insert(&mut self, content: ContentId, offer: Offer) {
        match self.get_mut(&content) {
            Some(o) => *o = offer,
            None => self.0.push((content, offer)),
        }
    }

    fn remove(&mut self, content: &ContentId) -> Option<Offer> {
        let at = self.0.iter().position(|(c, _)| c == content)?;
        Some(self.0.swap_remove(at).1)
    }

    fn keys(&self) -> impl Iterator<Item = &ContentId> {
        self.0.iter().map(|(c, _)| c)
    }

    fn iter(&self) -> impl Iterator<Item = (&ContentId, &Offer)> {
        self.0.iter().map(|(c, o)| (c, o))
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// Who offers a content, verified offers apart so a peer list takes them
/// first without scanning the rest.
#[derive(Debug, Clone, Default)]
struct Listing {
    verified: BTreeSet<TemporaryPeerId>,
    unverified: BTreeSet<TemporaryPeerId>,
}

fn list(
    holders: &mut BTreeMap<ContentId, Listing>,
    content: &ContentId,
    tid: TemporaryPeerId,
    verified: bool,
) {
    let listing = match holders.get_mut(content) {
        Some(l) => l,
        None => holders.entry(content.clone()).or_default(),
    };
    if verified {
        listing.unverified.remove(&tid);
        listing.verified.insert(tid);
    } else {
        listing.verified.remove(&tid);
        listing.unverified.insert(tid);
    }
}

fn unlist(holders: &mut BTreeMap<ContentId, Listing>, content: &ContentId, tid: &TemporaryPeerId) {
    if let Some(l) = holders.get_mut(content) {
        l.verified.remove(tid);
        l.unverified.remove(tid);
    }
}

#[derive(Debug, Clone)]
struct Binding {
    tid: TemporaryPeerId,
    expires_at: Duration,
    offers: Offers,
}

#[derive(Debug, Clone)]
struct Pending {
    recipient: PermanentId,
    tid: TemporaryPeerId,
    content_id: ContentId,
    segment: u32,
    block: u32,
    deadline: Duration,
}

#[derive(Debug, Clone, Copy, Default)]
struct Strikes {
    count: u32,
    banned_until: Option<Duration>,
}

/// The Tracker AS.
#[derive(Debug, Clone)]
pub struct Tracker {
    config: TrackerConfig,
    contents: BTreeMap<ContentId, ContentRecord>,
    bindings: BTreeMap<PermanentId, Binding>,
    tids: BTreeMap<TemporaryPeerId, PermanentId>,
    holders: BTreeMap<ContentId, Listing>,
    strikes: BTreeMap<PermanentId, Strikes>,
    pending: BTreeMap<[u8; 16], Pending>,
    period: u128,
    issued_in_period: usize,
}

impl Tracker {
    /// A Tracker with no content and no peers.
    #[must_use]
    pub const fn new(config: TrackerConfig) -> Self {
        Self {
            config,
            contents: BTreeMap::new(),
            bindings: BTreeMap::new(),
            tids: BTreeMap::new(),
            holders: BTreeMap::new(),
            strikes: BTreeMap::new(),
            pending: BTreeMap::new(),
            period: u128::MAX,
            issued_in_period: 0,
        }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &TrackerConfig {
        &self.config
    }

    /// Learns a content from the content service: its layout and root
    /// (the segment hashes and bytes are not needed).
    pub fn register_content(&mut self, manifest: &Manifest) {
        self.contents.insert(
            manifest.content_id().clone(),
            ContentRecord {
                layout: *manifest.layout(),
                root: *manifest.root(),
            },
        );
    }

    /// What the Tracker holds for a content.
    #[must_use]
    pub fn content(&self, content_id: &ContentId) -> Option<&ContentRecord> {
        self.contents.get(content_id)
    }

    /// §5.3: binds `tid` to `permanent_id` (authenticated by IMS) until
    /// `now` + the binding lifetime. Binding the same TID again renews it; a
    /// different TID replaces the old one, whose announcements disappear.
    /// Refused if another live binding holds `tid`.
    pub fn bind(
        &mut self,
        now: Duration,
        permanent_id: &PermanentId,
        tid: TemporaryPeerId,
    ) -> Result<Duration, TrackerError> {
        if let Some(owner) = self.tids.get(&tid) {
            if owner != permanent_id && self.is_live(owner, now) {
                return Err(TrackerError::TidInUse);
            }
        }
        if let Some(owner) = self.tids.get(&tid).cloned() {
            if &owner != permanent_id {
                self.remove_binding(&owner);
            }
        }
        let expires_at = now.saturating_add(self.config.binding_lifetime);
        match self.bindings.get_mut(permanent_id) {
            Some(b) if b.tid == tid && b.expires_at > now => {
                b.expires_at = expires_at;
                return Ok(expires_at);
            }
            Some(_) => self.remove_binding(permanent_id),
            None => {}
        }
        self.tids.insert(tid, permanent_id.clone());
        self.bindings.insert(
            permanent_id.clone(),
            Binding {
                tid,
                expires_at,
                offers: Offers::default(),
            },
        );
        Ok(expires_at)
    }

    /// §5.3 steps 3–5: takes `{permanent ID, TID, content information}`.
    /// `announcement.permanent_id` must be the identity IMS authenticated
    /// for the sender; the application checks that before calling. Binds the
    /// TID as [`bind`](Self::bind) does. Announcing again replaces the
    /// segment list; newly added segments make the announcement unverified
    /// again.
    pub fn announce(
        &mut self,
        now: Duration,
        announcement: &Announcement,
    ) -> Result<AnnounceAck, TrackerError> {
        if self.config.policy != AnnouncementPolicy::Verified {
            return Err(TrackerError::AnnouncementsNotAccepted);
        }
        let id = &announcement.permanent_id;
        if let Some(until) = self.banned_until(id, now) {
            return Err(TrackerError::Banned { until });
        }
        self.check_segments(&announcement.content_id, &announcement.segments)?;
        let expires_at = self.bind(now, id, announcement.tid)?;
        let Some(binding) = self.bindings.get_mut(id) else {
            return Err(TrackerError::NotBound);
        };
        let segments = &announcement.segments;
        let tid = binding.tid;
        let mut cancelled = None;
        match binding.offers.get_mut(&announcement.content_id) {
            Some(offer) => {
                if !segments.is_subset_of(&offer.segments) || offer.source == Source::Service {
                    offer.verified = false;
                    offer.announced_at = now;
                }
                offer.source = Source::Announced;
                offer.proven.intersect_with(segments);
                offer.segments = segments.clone();
                // A check of a segment no longer offered is withdrawn, not failed.
                if let Some(nonce) = offer.pending {
                    let keep = self
                        .pending
                        .get(&nonce)
                        .is_some_and(|p| segments.get(p.segment));
                    if !keep {
                        offer.pending = None;
                        cancelled = Some(nonce);
                    }
                }
                list(
                    &mut self.holders,
                    &announcement.content_id,
                    tid,
                    offer.verified,
                );
            }
            None => {
                binding.offers.insert(
                    announcement.content_id.clone(),
                    Offer {
                        segments: segments.clone(),
                        proven: SegmentBitmap::new(segments.len()),
                        source: Source::Announced,
                        verified: false,
                        announced_at: now,
                        last_checked: None,
                        pending: None,
                    },
                );
                list(&mut self.holders, &announcement.content_id, tid, false);
            }
        }
        if let Some(nonce) = cancelled {
            self.pending.remove(&nonce);
        }
        Ok(AnnounceAck {
            tid: announcement.tid,
            expires_at,
        })
    }

    /// §5.2 way 1: the content service reports segments it delivered to a UE
    /// with a live binding. They are listed as trusted, never challenged.
    pub fn record_delivery(
        &mut self,
        now: Duration,
        permanent_id: &PermanentId,
        content_id: &ContentId,
        segments: &SegmentBitmap,
    ) -> Result<(), TrackerError> {
        self.check_segments(content_id, segments)?;
        if !self.is_live(permanent_id, now) {
            return Err(TrackerError::NotBound);
        }
        let Some(binding) = self.bindings.get_mut(permanent_id) else {
            return Err(TrackerError::NotBound);
        };
        match binding.offers.get_mut(content_id) {
            Some(offer) => {
                offer.segments.union_with(segments);
                offer.proven.union_with(segments);
            }
            None => {
                binding.offers.insert(
                    content_id.clone(),
                    Offer {
                        segments: segments.clone(),
                        proven: segments.clone(),
                        source: Source::Service,
                        verified: true,
                        announced_at: now,
                        last_checked: Some(now),
                        pending: None,
                    },
                );
                list(&mut self.holders, content_id, binding.tid, true);
            }
        }
        Ok(())
    }

    fn check_segments(
        &self,
        content_id: &ContentId,
        segments: &SegmentBitmap,
    ) -> Result<(), TrackerError> {
        let record = self
            .contents
            .get(content_id)
            .ok_or(TrackerError::UnknownContent)?;
        let expected = record.layout.segment_count();
        if segments.len() != expected {
            return Err(TrackerError::BitmapLength {
                expected,
                got: segments.len(),
            });
        }
        if segments.is_clear() {
            return Err(TrackerError::EmptyAnnouncement);
        }
        Ok(())
    }

    /// §5.3 steps 6–7: up to `max_peers` peers offering `content_id`, by TID
    /// only, verified (or service-recorded) offers first; the requester's own
    /// offer and expired bindings are left out.
    #[must_use]
    pub fn peer_list(
        &self,
        now: Duration,
        requester: &PermanentId,
        content_id: &ContentId,
        max_peers: usize,
    ) -> PeerList {
        let max = max_peers.min(usize::from(u16::MAX));
        let mut peers = Vec::new();
        if let Some(listing) = self.holders.get(content_id) {
            for tid in listing.verified.iter().chain(&listing.unverified) {
                if peers.len() >= max {
                    break;
                }
                let Some(owner) = self.tids.get(tid) else {
                    continue;
                };
                if owner == requester {
                    continue;
                }
                let Some(binding) = self.bindings.get(owner) else {
                    continue;
                };
                if binding.expires_at <= now || binding.tid != *tid {
                    continue;
                }
                if let Some(offer) = binding.offers.get(content_id) {
                    peers.push(PeerEntry {
                        tid: *tid,
                        segments: offer.segments.clone(),
                    });
                }
            }
        }
        PeerList {
            content_id: content_id.clone(),
            peers,
        }
    }

    /// Starts the checks the current period still has budget for (none
    /// under [`AnnouncementPolicy::NoUeAnnouncements`]).
    pub fn poll_challenges(
        &mut self,
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<IssuedChallenge> {
        let checks = self.config.checks;
        if self.config.policy != AnnouncementPolicy::Verified || checks.checks_per_period == 0 {
            return Vec::new();
        }
        let period = now.as_nanos() / checks.period.as_nanos().max(1);
        if period != self.period {
            self.period = period;
            self.issued_in_period = 0;
        }
        let budget = checks
            .checks_per_period
            .saturating_sub(self.issued_in_period);
        if budget == 0 {
            return Vec::new();
        }
        // Never-verified offers first, most recently announced first; then
        // verified ones, least recently checked first. Ties by identity and
        // content, so the order is deterministic.
        let mut candidates: Vec<(bool, i128, &PermanentId, &ContentId)> = Vec::new();
        for (id, binding) in &self.bindings {
            if binding.expires_at <= now {
                continue;
            }
            for (content, offer) in binding.offers.iter() {
                if offer.source != Source::Announced || offer.pending.is_some() {
                    continue;
                }
                let key = if offer.verified {
                    offer.last_checked.map_or(0, |t| t.as_nanos() as i128)
                } else {
                    -(offer.announced_at.as_nanos() as i128)
                };
                candidates.push((offer.verified, key, id, content));
            }
        }
        candidates.sort_unstable();
        let chosen: Vec<(PermanentId, ContentId)> = candidates
            .into_iter()
            .take(budget)
            .map(|(_, _, id, c)| (id.clone(), c.clone()))
            .collect();
        let mut out = Vec::with_capacity(chosen.len());
        for (id, content_id) in chosen {
            if let Some(issued) = self.challenge(now, &id, &content_id, rng) {
                out.push(issued);
            }
        }
        self.issued_in_period += out.len();
        out
    }

    fn challenge(
        &mut self,
        now: Duration,
        id: &PermanentId,
        content_id: &ContentId,
        rng: &mut impl CryptoRngCore,
    ) -> Option<IssuedChallenge> {
        let layout = self.contents.get(content_id)?.layout;
        let binding = self.bindings.get_mut(id)?;
        let tid = binding.tid;
        let offer = binding.offers.get_mut(content_id)?;
        let unproven = offer.segments.difference(&offer.proven);
        let pool = if unproven.is_clear() {
            &offer.segments
        } else {
            &unproven
        };
        let segment = pool.nth_set(pick(rng, pool.count()))?;
        let (first, blocks) = layout.blocks_of_segment(segment)?;
        let block = first + pick(rng, blocks);
        let mut nonce = [0; 16];
        rng.fill_bytes(&mut nonce);
        let deadline = now.saturating_add(self.config.checks.answer_within);
        offer.pending = Some(nonce);
        self.pending.insert(
            nonce,
            Pending {
                recipient: id.clone(),
                tid,
                content_id: content_id.clone(),
                segment,
                block,
                deadline,
            },
        );
        Some(IssuedChallenge {
            recipient: id.clone(),
            challenge: PossessionChallenge {
                nonce,
                content_id: content_id.clone(),
                tid,
                segment,
                block,
                deadline,
            },
        })
    }

    /// Judges an answer from `responder` (the identity IMS authenticated for
    /// the sender). Refused, changing nothing, if no outstanding challenge
    /// has the nonce or it was sent to someone else. Otherwise the check
    /// passes, fails (late or wrong data: the announcement is removed and a
    /// strike counted) or is stale.
    pub fn handle_response(
        &mut self,
        now: Duration,
        responder: &PermanentId,
        response: &PossessionResponse,
    ) -> Result<CheckOutcome, TrackerError> {
        let pending = self
            .pending
            .get(&response.nonce)
            .ok_or(TrackerError::UnknownChallenge)?;
        if &pending.recipient != responder {
            return Err(TrackerError::WrongResponder);
        }
        let Some(pending) = self.pending.remove(&response.nonce) else {
            return Err(TrackerError::UnknownChallenge);
        };
        if !self.take_pending(&pending, &response.nonce) {
            return Ok(CheckOutcome::Stale);
        }
        if now > pending.deadline {
            return Ok(self.fail(now, pending, CheckFailure::Late));
        }
        let verdict = match self.contents.get(&pending.content_id) {
            Some(record) => verify_block_to_root(
                &record.layout,
                &record.root,
                pending.block,
                &response.block,
                &response.proof,
            ),
            None => return Ok(CheckOutcome::Stale),
        };
        match verdict {
            Err(e) => Ok(self.fail(now, pending, CheckFailure::WrongData(e))),
            Ok(()) => {
                if let Some(offer) = self
                    .bindings
                    .get_mut(&pending.recipient)
                    .and_then(|b| b.offers.get_mut(&pending.content_id))
                {
                    offer.proven.set(pending.segment);
                    offer.verified = true;
                    offer.last_checked = Some(now);
                    list(&mut self.holders, &pending.content_id, pending.tid, true);
                }
                Ok(CheckOutcome::Passed {
                    tid: pending.tid,
                    content_id: pending.content_id,
                    segment: pending.segment,
                })
            }
        }
    }

    /// Clears the offer's mark of the challenge `nonce`; false if the offer
    /// it was about is gone, rotated away or no longer waiting for it.
    fn take_pending(&mut self, pending: &Pending, nonce: &[u8; 16]) -> bool {
        let Some(binding) = self.bindings.get_mut(&pending.recipient) else {
            return false;
        };
        if binding.tid != pending.tid {
            return false;
        }
        match binding.offers.get_mut(&pending.content_id) {
            Some(offer) if offer.pending == Some(*nonce) => {
                offer.pending = None;
                true
            }
            _ => false,
        }
    }

    fn fail(&mut self, now: Duration, pending: Pending, reason: CheckFailure) -> CheckOutcome {
        let id = pending.recipient;
        if let Some(binding) = self.bindings.get_mut(&id) {
            if binding.offers.remove(&pending.content_id).is_some() {
                unlist(&mut self.holders, &pending.content_id, &binding.tid);
            }
        }
        let max = self.config.checks.max_strikes.max(1);
        let ban = self.config.checks.ban;
        let strikes = self.strikes.entry(id.clone()).or_default();
        strikes.count += 1;
        let count = strikes.count;
        let mut banned_until = None;
        if count >= max {
            let until = now.saturating_add(ban);
            strikes.banned_until = Some(until);
            banned_until = Some(until);
            self.remove_offers(&id);
        }
        CheckOutcome::Failed {
            permanent_id: id,
            tid: pending.tid,
            content_id: pending.content_id,
            reason,
            strikes: count,
            banned_until,
        }
    }

    /// Expires bindings and bans, and fails the checks whose deadline passed
    /// before `now` (returned; stale ones are dropped silently).
    pub fn handle_timeout(&mut self, now: Duration) -> Vec<CheckOutcome> {
        let late: Vec<[u8; 16]> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline < now)
            .map(|(n, _)| *n)
            .collect();
        let mut out = Vec::new();
        for nonce in late {
            if let Some(p) = self.pending.remove(&nonce) {
                if self.take_pending(&p, &nonce) {
                    out.push(self.fail(now, p, CheckFailure::Late));
                }
            }
        }
        let expired: Vec<PermanentId> = self
            .bindings
            .iter()
            .filter(|(_, b)| b.expires_at <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            self.remove_binding(&id);
        }
        self.strikes
            .retain(|_, s| s.banned_until.is_none_or(|until| until > now));
        out
    }

    fn is_live(&self, id: &PermanentId, now: Duration) -> bool {
        self.bindings.get(id).is_some_and(|b| b.expires_at > now)
    }

    fn banned_until(&self, id: &PermanentId, now: Duration) -> Option<Duration> {
        self.strikes
            .get(id)
            .and_then(|s| s.banned_until)
            .filter(|until| *until > now)
    }

    fn remove_offers(&mut self, id: &PermanentId) {
        if let Some(binding) = self.bindings.get_mut(id) {
            for content in binding.offers.keys() {
                unlist(&mut self.holders, content, &binding.tid);
            }
            binding.offers.clear();
        }
        self.pending.retain(|_, p| &p.recipient != id);
    }

    fn remove_binding(&mut self, id: &PermanentId) {
        self.remove_offers(id);
        if let Some(binding) = self.bindings.remove(id) {
            self.tids.remove(&binding.tid);
        }
    }

    /// The TID bound to `id`, if its binding is live at `now`. For the
    /// operator's own use; never put it in a message to peers.
    #[must_use]
    pub fn tid_of(&self, id: &PermanentId, now: Duration) -> Option<TemporaryPeerId> {
        self.bindings
            .get(id)
            .filter(|b| b.expires_at > now)
            .map(|b| b.tid)
    }

    /// Whether `tid` is listed for `content_id` at `now`.
    #[must_use]
    pub fn is_listed(&self, now: Duration, tid: &TemporaryPeerId, content_id: &ContentId) -> bool {
        self.tids
            .get(tid)
            .and_then(|id| self.bindings.get(id))
            .is_some_and(|b| {
                b.expires_at > now && b.tid == *tid && b.offers.contains_key(content_id)
            })
    }

    /// Strikes counted against `id` (0 once a ban is over).
    #[must_use]
    pub fn strikes(&self, id: &PermanentId) -> u32 {
        self.strikes.get(id).map_or(0, |s| s.count)
    }

    /// Whether the announcement of `id` for `content_id` passed a check and
    /// has announced nothing new since.
    #[must_use]
    pub fn is_verified(&self, id: &PermanentId, content_id: &ContentId) -> bool {
        self.bindings
            .get(id)
            .and_then(|b| b.offers.get(content_id))
            .is_some_and(|o| o.verified)
    }

    /// Offers held (announced or recorded), across all bindings.
    #[must_use]
    pub fn offer_count(&self) -> usize {
        self.bindings.values().map(|b| b.offers.len()).sum()
    }

    /// Challenges waiting for an answer.
    #[must_use]
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }
}

/// A uniform pick in `0..n` (0 when `n` is 0), by rejection so no value is
/// favoured.
fn pick(rng: &mut impl CryptoRngCore, n: u32) -> u32 {
    if n <= 1 {
        return 0;
    }
    let n = u64::from(n);
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let v = rng.next_u64();
        if v < zone {
            return (v % n) as u32;
        }
    }
}
