//! SRTP and SRTCP sessions, one per direction: [`OutboundSession`] protects,
//! [`InboundSession`] unprotects, both in place in the caller's buffer.
//!
//! Each keeps a stream per SSRC (created from the policy, the template, the
//! first time an SSRC is protected or authenticates), with the rollover
//! counter, replay windows and SRTCP index of RFC 3711 §3.2.1. Every master
//! key of the policy is derived once; with a key derivation rate the keys of
//! a new `index DIV kdr` are derived when a packet first needs them.
//!
//! A refused packet changes nothing: the stream's rollover counter, replay
//! window and the key's packet count move only after the packet
//! authenticated (RFC 3711 §3.3.1, §3.3.2).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use ims_sec_core::replay::{Replay, SlidingWindow};
use subtle::ConstantTimeEq;

use crate::crypto::{SessionKeys, GCM_TAG_LEN};
use crate::kdf::{key_derivation_index, Kdf};
use crate::policy::{MasterKey, Mki, Policy};
use crate::rtp::{rtcp_ssrc, RtpHeader, RTCP_HEADER_LEN};
use crate::Error;

/// The largest SRTP index (48 bits).
const MAX_SRTP_INDEX: u64 = (1 << 48) - 1;
/// The largest SRTCP index (31 bits).
const MAX_SRTCP_INDEX: u32 = (1 << 31) - 1;
/// The E flag of the SRTCP trailer.
const E_FLAG: u32 = 1 << 31;
/// The SRTCP trailer's E ‖ index word.
const SRTCP_INDEX_LEN: usize = 4;

/// Something the application should act on, taken with `poll_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A master key has used up all but a sixteenth of its lifetime (SDES
    /// lifetime or RFC 3711 §9.2's 2^48 SRTP / 2^31 SRTCP packets): rekey.
    RekeyNeeded {
        /// The key's position in the policy (its MKI is
        /// `policy().keys[key].mki`).
        key: usize,
        /// Whether the SRTCP count (rather than SRTP) reached the mark.
        rtcp: bool,
    },
}

/// The state of a master key within a session.
struct KeySlot {
    master: MasterKey,
    kdf: Kdf,
    /// Session keys for `r = 0`: all there is when the KDR is 0.
    rtp: SessionKeys,
    rtcp: SessionKeys,
    srtp_packets: u64,
    srtcp_packets: u64,
    srtp_signalled: bool,
    srtcp_signalled: bool,
}

impl KeySlot {
    fn limit(&self, rtcp: bool, policy: &Policy) -> u64 {
        let max = if rtcp {
            policy.suite.max_srtcp_lifetime()
        } else {
            policy.suite.max_srtp_lifetime()
        };
        self.master.lifetime.map_or(max, |l| l.min(max))
    }

    fn check_lifetime(&self, rtcp: bool, policy: &Policy) -> Result<(), Error> {
        let used = if rtcp {
            self.srtcp_packets
        } else {
            self.srtp_packets
        };
        if used >= self.limit(rtcp, policy) {
            return Err(Error::KeyExhausted);
        }
        Ok(())
    }
}

/// Session keys derived for one `r` when the KDR is not 0, cached per stream.
#[derive(Clone)]
struct DerivedKeys {
    key: usize,
    r: u64,
    keys: SessionKeys,
}

/// What both directions share: the policy, the keyed master keys, events.
struct Keys {
    policy: Policy,
    slots: Vec<KeySlot>,
    events: VecDeque<Event>,
}

impl Keys {
    fn new(policy: Policy) -> Result<Self, Error> {
        policy.validate()?;
        let mut slots = Vec::with_capacity(policy.keys.len());
        for master in &policy.keys {
            let kdf = Kdf::new(master.key(), master.salt())?;
            slots.push(KeySlot {
                rtp: SessionKeys::derive(policy.suite, &kdf, false, 0)?,
                rtcp: SessionKeys::derive(policy.suite, &kdf, true, 0)?,
                kdf,
                master: master.clone(),
                srtp_packets: 0,
                srtcp_packets: 0,
                srtp_signalled: false,
                srtcp_signalled: false,
            });
        }
        Ok(Self {
            events: VecDeque::with_capacity(2 * slots.len()),
            policy,
            slots,
        })
    }

    fn slot(&self, key: usize) -> Result<&KeySlot, Error> {
        self.slots.get(key).ok_or(Error::UnknownMki)
    }

    /// The key a received packet's MKI names, or the one whose <From, To>
    /// covers `index`, or the only one.
    fn key_for_received(&self, mki: &[u8], index: Option<u64>) -> Result<usize, Error> {
        if !mki.is_empty() {
            let key = self
                .slots
                .iter()
                .position(|s| s.master.mki.as_ref().is_some_and(|m| m.as_bytes() == mki))
                .ok_or(Error::UnknownMki)?;
            if let (Some(index), Some((from, to))) = (index, self.slot(key)?.master.from_to) {
                if index < from || index > to {
                    return Err(Error::NoKeyForIndex(index));
                }
            }
            return Ok(key);
        }
        self.key_by_range(index)
    }

    fn key_by_range(&self, index: Option<u64>) -> Result<usize, Error> {
        if self.slots.len() == 1 {
            return Ok(0);
        }
        let index = index.unwrap_or(0);
        self.slots
            .iter()
            .position(|s| {
                s.master
                    .from_to
                    .is_some_and(|(from, to)| from <= index && index <= to)
            })
            .ok_or(Error::NoKeyForIndex(index))
    }

    /// Session keys for `key` and `index`: the slot's own when the KDR is 0
    /// or `r` is 0, the stream's cache when it holds this `r`, or else
    /// derived into `scratch` (on the stack: no allocation). Only a
    /// reference moves; a key set is over a kilobyte.
    fn session_keys<'a>(
        &'a self,
        key: usize,
        index: u64,
        rtcp: bool,
        cache: Option<&'a DerivedKeys>,
        scratch: &'a mut Option<(SessionKeys, u64)>,
    ) -> Result<&'a SessionKeys, Error> {
        let slot = self.slot(key)?;
        let r = key_derivation_index(index, self.policy.kdr);
        if r == 0 {
            return Ok(if rtcp { &slot.rtcp } else { &slot.rtp });
        }
        if let Some(c) = cache.filter(|c| c.key == key && c.r == r) {
            return Ok(&c.keys);
        }
        self.derive_into(key, r, rtcp, scratch)?;
        scratch
            .as_ref()
            .map(|(k, _)| k)
            .ok_or(Error::Policy("key derivation"))
    }

    #[cold]
    #[inline(never)]
    fn derive_into(
        &self,
        key: usize,
        r: u64,
        rtcp: bool,
        scratch: &mut Option<(SessionKeys, u64)>,
    ) -> Result<(), Error> {
        let slot = self.slot(key)?;
        *scratch = Some((
            SessionKeys::derive(self.policy.suite, &slot.kdf, rtcp, r)?,
            r,
        ));
        Ok(())
    }

    /// Counts a packet on `key`, signalling once when it passes fifteen
    /// sixteenths of the key's lifetime.
    fn count(&mut self, key: usize, rtcp: bool) {
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        let limit = slot.limit(rtcp, &self.policy);
        let (used, signalled) = if rtcp {
            (&mut slot.srtcp_packets, &mut slot.srtcp_signalled)
        } else {
            (&mut slot.srtp_packets, &mut slot.srtp_signalled)
        };
        *used += 1;
        if !*signalled && *used >= limit - limit / 16 {
            *signalled = true;
            // Room for every event was reserved when the session was made:
            // each key signals at most once for SRTP and once for SRTCP.
            self.events.push_back(Event::RekeyNeeded { key, rtcp });
        }
    }
}

/// Keeps freshly derived keys in the stream's cache when they are for a
/// later `r` than the cache holds.
#[cold]
#[inline(never)]
fn keep(fresh: &mut Option<(SessionKeys, u64)>, key: usize, cache: &mut Option<DerivedKeys>) {
    if let Some((keys, r)) = fresh.take() {
        match cache {
            Some(c) if c.r > r => {}
            _ => *cache = Some(DerivedKeys { key, r, keys }),
        }
    }
}

/// RFC 3711 §3.3.1: the index of a packet with sequence number `seq`, given
/// the highest index authenticated so far (ROC ‖ s_l) or, before the first,
/// the rollover counter to start from.
#[must_use]
pub fn estimate_index(highest: Option<u64>, initial_roc: u32, seq: u16) -> u64 {
    let seq = u64::from(seq);
    let Some(highest) = highest else {
        return (u64::from(initial_roc) << 16) | seq;
    };
    let roc = highest >> 16;
    let s_l = highest & 0xffff;
    let v = if s_l < 1 << 15 {
        if seq > s_l && seq - s_l > 1 << 15 {
            roc.saturating_sub(1)
        } else {
            roc
        }
    } else if s_l - (1 << 15) > seq {
        roc + 1
    } else {
        roc
    };
    (v << 16) | seq
}

/// The index a sender gives a packet with sequence number `seq`. A sender
/// numbers forward: a `seq` is taken as a retransmission of an earlier index
/// only when that index is within `window` of the highest sent; any other
/// `seq` is the next index ahead with those low 16 bits, however far (unlike
/// the receiver's estimate, which cannot tell a jump of more than 2^15 from a
/// late packet).
fn sender_index(highest: Option<u64>, initial_roc: u32, seq: u16, window: u64) -> u64 {
    let Some(top) = highest else {
        return (u64::from(initial_roc) << 16) | u64::from(seq);
    };
    let seq = u64::from(seq);
    let behind = (top & !0xffff) | seq;
    let behind = if behind > top {
        behind.wrapping_sub(1 << 16)
    } else {
        behind
    };
    if behind <= top && top - behind < window {
        behind
    } else {
        let ahead = (top & !0xffff) | seq;
        if ahead > top {
            ahead
        } else {
            ahead + (1 << 16)
        }
    }
}

fn trailer_room(buf_len: usize, needed: usize) -> Result<(), Error> {
    if buf_len < needed {
        return Err(Error::Buffer { needed });
    }
    Ok(())
}

/// Writes `mki` at `buf[at..]`.
fn put(buf: &mut [u8], at: usize, bytes: &[u8]) -> Result<(), Error> {
    buf.get_mut(at..at + bytes.len())
        .ok_or(Error::Buffer {
            needed: at + bytes.len(),
        })?
        .copy_from_slice(bytes);
    Ok(())
}

/// The sending state of one SSRC.
#[derive(Clone)]
struct OutStream {
    /// Indices already protected (a sender must never reuse one: the
    /// keystream would repeat).
    sent: SlidingWindow,
    initial_roc: u32,
    next_srtcp_index: u32,
    rtp_cache: Option<DerivedKeys>,
    rtcp_cache: Option<DerivedKeys>,
}

/// Protects RTP and RTCP for every SSRC the local side sends.
pub struct OutboundSession {
    keys: Keys,
    streams: BTreeMap<u32, OutStream>,
    /// What a new SSRC's stream starts as (built once from the policy).
    template: OutStream,
    /// The master key packets are protected with (an index into the policy).
    active: usize,
}

impl core::fmt::Debug for OutboundSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OutboundSession")
            .field("suite", &self.keys.policy.suite)
            .field("streams", &self.streams.len())
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

impl OutboundSession {
    /// A session protecting with `policy`.
    pub fn new(policy: Policy) -> Result<Self, Error> {
        let keys = Keys::new(policy)?;
        Ok(Self {
            template: new_out_stream(&keys.policy)?,
            keys,
            streams: BTreeMap::new(),
            active: 0,
        })
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.keys.policy
    }

    /// Bytes SRTP adds to an RTP packet (MKI and tag).
    #[must_use]
    pub fn rtp_overhead(&self) -> usize {
        let p = &self.keys.policy;
        p.mki_len()
            + if p.authenticate_rtp || p.suite.is_aead() {
                p.suite.srtp_tag_len()
            } else {
                0
            }
    }

    /// Bytes SRTCP adds to an RTCP packet (E ‖ index, MKI and tag).
    #[must_use]
    pub fn rtcp_overhead(&self) -> usize {
        let p = &self.keys.policy;
        SRTCP_INDEX_LEN + p.mki_len() + p.suite.srtcp_tag_len()
    }

    /// Sends with the master key carrying `mki` from now on (RFC 3711 §8.1:
    /// the MKI tells the receiver which key; switch when rekeying).
    pub fn use_key(&mut self, mki: &Mki) -> Result<(), Error> {
        self.active = self
            .keys
            .slots
            .iter()
            .position(|s| s.master.mki.as_ref() == Some(mki))
            .ok_or(Error::UnknownMki)?;
        Ok(())
    }

    /// Starts `ssrc` at rollover counter `roc` (signalled out of band, for
    /// example by MIKEY or to a late joiner). Only before its first packet.
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) -> Result<(), Error> {
        let stream = self
            .streams
            .entry(ssrc)
            .or_insert_with(|| self.template.clone());
        if stream.sent.top().is_some() {
            return Err(Error::Policy(
                "the ROC can be set only before the first packet",
            ));
        }
        stream.initial_roc = roc;
        Ok(())
    }

    /// The rollover counter of `ssrc` (of its highest index sent).
    #[must_use]
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        let s = self.streams.get(&ssrc)?;
        Some(s.sent.top().map_or(s.initial_roc, |t| (t >> 16) as u32))
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.keys.events.pop_front()
    }

    /// Protects the RTP packet in `buf[..len]` in place and returns the SRTP
    /// packet's length; `buf` needs [`OutboundSession::rtp_overhead`] bytes
    /// of room after `len`. Refuses, changing nothing, a malformed packet,
    /// an index already sent, or an exhausted key.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        let packet = buf
            .get(..len)
            .ok_or(Error::Malformed("len beyond the buffer"))?;
        let header = RtpHeader::parse(packet)?;
        let policy = &self.keys.policy;
        let suite = policy.suite;
        let (highest, initial_roc) = match self.streams.get(&header.ssrc) {
            Some(s) => (s.sent.top(), s.initial_roc),
            None => (None, 0),
        };
        let index = sender_index(
            highest,
            initial_roc,
            header.sequence_number,
            u64::from(policy.rtp_window),
        );
        if index > MAX_SRTP_INDEX {
            return Err(Error::IndexExhausted);
        }
        if let Some(s) = self.streams.get(&header.ssrc) {
            s.sent.check(index)?;
        }
        let key = self.send_key(index)?;
        let slot = self.keys.slot(key)?;
        slot.check_lifetime(false, policy)?;
        let mki: &[u8] = slot.master.mki.as_ref().map_or(&[], Mki::as_bytes);
        let authenticate = policy.authenticate_rtp || suite.is_aead();
        let tag_len = if authenticate {
            suite.srtp_tag_len()
        } else {
            0
        };
        let total = len + mki.len() + tag_len;
        trailer_room(buf.len(), total)?;
        let roc = (index >> 16) as u32;

        let cache = self
            .streams
            .get(&header.ssrc)
            .and_then(|s| s.rtp_cache.as_ref());
        let mut scratch = None;
        let k = self
            .keys
            .session_keys(key, index, false, cache, &mut scratch)?;
        let (head, rest) = buf.split_at_mut(header.len);
        let payload_len = len - header.len;
        if k.is_aead() {
            // RFC 7714 §8: AAD is the header; the tag follows the ciphertext,
            // then the MKI.
            let (payload, trailer) = rest.split_at_mut(payload_len);
            let tag = if policy.encrypt_rtp {
                k.gcm_seal(header.ssrc, index, false, head, payload)?
            } else {
                // RFC 7714 §8.3 does not allow unencrypted SRTP with AEAD;
                // policy validation keeps this branch unreachable.
                return Err(Error::Policy("AEAD suites always encrypt SRTP"));
            };
            put(trailer, 0, &tag)?;
            put(trailer, GCM_TAG_LEN, mki)?;
        } else {
            if policy.encrypt_rtp {
                if let Some(payload) = rest.get_mut(..payload_len) {
                    k.apply_cm_keystream(header.ssrc, index, payload);
                }
            }
            put(buf, len, mki)?;
            if authenticate {
                let full = k.hmac(buf.get(..len).unwrap_or_default(), &roc.to_be_bytes());
                put(
                    buf,
                    len + mki.len(),
                    full.get(..tag_len).unwrap_or_default(),
                )?;
            }
        }
        // Commit: the stream (created on first use), the index, the count.
        let stream = self
            .streams
            .entry(header.ssrc)
            .or_insert_with(|| self.template.clone());
        stream.sent.accept(index)?;
        if scratch.is_some() {
            keep(&mut scratch, key, &mut stream.rtp_cache);
        }
        self.keys.count(key, false);
        Ok(total)
    }

    /// Protects the RTCP compound packet in `buf[..len]` in place and returns
    /// the SRTCP packet's length; `buf` needs [`OutboundSession::rtcp_overhead`]
    /// bytes of room after `len`.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        let packet = buf
            .get(..len)
            .ok_or(Error::Malformed("len beyond the buffer"))?;
        let ssrc = rtcp_ssrc(packet)?;
        let policy = &self.keys.policy;
        let suite = policy.suite;
        let srtcp_index = self.streams.get(&ssrc).map_or(0, |s| s.next_srtcp_index);
        if srtcp_index > MAX_SRTCP_INDEX {
            return Err(Error::IndexExhausted);
        }
        // <From, To> ranges SRTP indices; SRTCP goes with the active key.
        let key = self.active;
        let slot = self.keys.slot(key)?;
        slot.check_lifetime(true, policy)?;
        let mki: &[u8] = slot.master.mki.as_ref().map_or(&[], Mki::as_bytes);
        let tag_len = suite.srtcp_tag_len();
        let total = len + SRTCP_INDEX_LEN + mki.len() + tag_len;
        trailer_room(buf.len(), total)?;
        let e_index = if policy.encrypt_rtcp {
            E_FLAG | srtcp_index
        } else {
            srtcp_index
        };
        let index = u64::from(srtcp_index);
        let cache = self.streams.get(&ssrc).and_then(|s| s.rtcp_cache.as_ref());
        let mut scratch = None;
        let k = self
            .keys
            .session_keys(key, index, true, cache, &mut scratch)?;
        if k.is_aead() {
            seal_srtcp_gcm(k, buf, len, ssrc, e_index, policy.encrypt_rtcp)?;
            put(buf, len + GCM_TAG_LEN + SRTCP_INDEX_LEN, mki)?;
        } else {
            if policy.encrypt_rtcp {
                if let Some(body) = buf.get_mut(RTCP_HEADER_LEN..len) {
                    k.apply_cm_keystream(ssrc, index, body);
                }
            }
            put(buf, len, &e_index.to_be_bytes())?;
            put(buf, len + SRTCP_INDEX_LEN, mki)?;
            let full = k.hmac(buf.get(..len + SRTCP_INDEX_LEN).unwrap_or_default(), &[]);
            put(
                buf,
                len + SRTCP_INDEX_LEN + mki.len(),
                full.get(..tag_len).unwrap_or_default(),
            )?;
        }
        let stream = self
            .streams
            .entry(ssrc)
            .or_insert_with(|| self.template.clone());
        stream.next_srtcp_index = srtcp_index + 1;
        if scratch.is_some() {
            keep(&mut scratch, key, &mut stream.rtcp_cache);
        }
        self.keys.count(key, true);
        Ok(total)
    }

    /// [`OutboundSession::protect_rtp`] on a `Vec`, growing it only if its
    /// capacity lacks the room (reserve once, and no packet allocates).
    pub fn protect_rtp_vec(&mut self, packet: &mut Vec<u8>) -> Result<(), Error> {
        let overhead = self.rtp_overhead();
        in_vec(packet, overhead, |buf, len| self.protect_rtp(buf, len))
    }

    /// [`OutboundSession::protect_rtcp`] on a `Vec`.
    pub fn protect_rtcp_vec(&mut self, packet: &mut Vec<u8>) -> Result<(), Error> {
        let overhead = self.rtcp_overhead();
        in_vec(packet, overhead, |buf, len| self.protect_rtcp(buf, len))
    }

    /// The key to send `index` with: the active one, unless its <From, To>
    /// excludes `index` and another key's covers it.
    fn send_key(&self, index: u64) -> Result<usize, Error> {
        let active = self.keys.slot(self.active)?;
        match active.master.from_to {
            Some((from, to)) if index < from || index > to => self.keys.key_by_range(Some(index)),
            _ => Ok(self.active),
        }
    }

    /// One line per stream for a decrypting tool (see [`crate::export`]).
    pub fn export_keys(&self) -> Vec<alloc::string::String> {
        self.streams
            .iter()
            .map(|(ssrc, s)| {
                let roc = s.sent.top().map_or(s.initial_roc, |t| (t >> 16) as u32);
                crate::export::key_line(&self.keys.policy, self.active, *ssrc, roc)
            })
            .collect()
    }
}

/// Runs `protect` on `packet` with `overhead` bytes of room appended, and
/// leaves the vector as the protected packet, or as it was on a refusal.
fn in_vec(
    packet: &mut Vec<u8>,
    overhead: usize,
    protect: impl FnOnce(&mut [u8], usize) -> Result<usize, Error>,
) -> Result<(), Error> {
    let len = packet.len();
    packet.resize(len + overhead, 0);
    let result = protect(packet, len);
    packet.truncate(*result.as_ref().unwrap_or(&len));
    result.map(|_| ())
}

fn new_out_stream(policy: &Policy) -> Result<OutStream, Error> {
    Ok(OutStream {
        sent: SlidingWindow::new(policy.rtp_window)
            .map_err(|_| Error::Policy("replay window size"))?,
        initial_roc: 0,
        next_srtcp_index: 0,
        rtp_cache: None,
        rtcp_cache: None,
    })
}

/// SRTCP with AES-GCM (RFC 7714 §9): `header ‖ ciphertext ‖ tag ‖ E‖index`.
/// The AAD is the 8-byte header and E‖index when encrypting, or the whole
/// packet and E‖index when not (§9.2).
fn seal_srtcp_gcm(
    k: &SessionKeys,
    buf: &mut [u8],
    len: usize,
    ssrc: u32,
    e_index: u32,
    encrypt: bool,
) -> Result<(), Error> {
    let index = u64::from(e_index & !E_FLAG);
    let ei = e_index.to_be_bytes();
    let tag = if encrypt {
        let mut aad = [0u8; RTCP_HEADER_LEN + SRTCP_INDEX_LEN];
        let header = buf
            .get(..RTCP_HEADER_LEN)
            .ok_or(Error::Malformed("RTCP header"))?;
        aad[..RTCP_HEADER_LEN].copy_from_slice(header);
        aad[RTCP_HEADER_LEN..].copy_from_slice(&ei);
        let body = buf
            .get_mut(RTCP_HEADER_LEN..len)
            .ok_or(Error::Malformed("RTCP header"))?;
        k.gcm_seal(ssrc, index, true, &aad, body)?
    } else {
        // The AAD must be contiguous: place E‖index after the packet first.
        put(buf, len, &ei)?;
        let aad = buf.get(..len + SRTCP_INDEX_LEN).unwrap_or_default();
        let mut empty = [0u8; 0];
        k.gcm_seal(ssrc, index, true, aad, &mut empty)?
    };
    put(buf, len, &tag)?;
    put(buf, len + GCM_TAG_LEN, &ei)
}

/// The receiving state of one SSRC.
#[derive(Clone)]
struct InStream {
    /// SRTP replay window; its top is the highest index authenticated
    /// (ROC ‖ s_l of RFC 3711 §3.3.1).
    rtp: SlidingWindow,
    /// SRTCP replay window over SRTCP indices.
    rtcp: SlidingWindow,
    /// The ROC to assume before the first packet (0 unless set).
    initial_roc: u32,
    rtp_cache: Option<DerivedKeys>,
    rtcp_cache: Option<DerivedKeys>,
}

/// What a successful unprotect reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unprotected {
    /// The length of the plain RTP/RTCP packet now at the start of the buffer.
    pub len: usize,
    /// The SSRC.
    pub ssrc: u32,
    /// The SRTP index (ROC ‖ SEQ) or SRTCP index of the packet.
    pub index: u64,
    /// The master key's position in the policy.
    pub key: usize,
}

/// Unprotects SRTP and SRTCP from the remote side.
pub struct InboundSession {
    keys: Keys,
    streams: BTreeMap<u32, InStream>,
    /// What a new SSRC's stream starts as (built once from the policy).
    template: InStream,
    /// Whether SSRCs not added beforehand get a stream from the policy on
    /// their first authenticated packet (libsrtp's "any inbound").
    accept_new_ssrcs: bool,
}

impl core::fmt::Debug for InboundSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InboundSession")
            .field("suite", &self.keys.policy.suite)
            .field("streams", &self.streams.len())
            .finish_non_exhaustive()
    }
}

impl InboundSession {
    /// A session unprotecting with `policy`, for any SSRC.
    pub fn new(policy: Policy) -> Result<Self, Error> {
        let keys = Keys::new(policy)?;
        Ok(Self {
            template: new_in_stream(&keys.policy)?,
            keys,
            streams: BTreeMap::new(),
            accept_new_ssrcs: true,
        })
    }

    /// A session that accepts only the SSRCs added with
    /// [`InboundSession::add_stream`].
    pub fn for_listed_ssrcs(policy: Policy) -> Result<Self, Error> {
        let mut s = Self::new(policy)?;
        s.accept_new_ssrcs = false;
        Ok(s)
    }

    /// Adds a stream for `ssrc` starting at rollover counter `roc`
    /// (0 unless signalled out of band). Refused if it already has packets.
    pub fn add_stream(&mut self, ssrc: u32, roc: u32) -> Result<(), Error> {
        let stream = self
            .streams
            .entry(ssrc)
            .or_insert_with(|| self.template.clone());
        if stream.rtp.top().is_some() {
            return Err(Error::Policy(
                "the ROC can be set only before the first packet",
            ));
        }
        stream.initial_roc = roc;
        Ok(())
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.keys.policy
    }

    /// The rollover counter of `ssrc` (of its highest authenticated index).
    #[must_use]
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        let s = self.streams.get(&ssrc)?;
        Some(s.rtp.top().map_or(s.initial_roc, |t| (t >> 16) as u32))
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.keys.events.pop_front()
    }

    /// Authenticates and decrypts the SRTP packet in `packet` in place. On
    /// success the RTP packet is `packet[..len]`; on any refusal no state
    /// changes.
    pub fn unprotect_rtp(&mut self, packet: &mut [u8]) -> Result<Unprotected, Error> {
        let policy = &self.keys.policy;
        let suite = policy.suite;
        let mki_len = policy.mki_len();
        let authenticated = policy.authenticate_rtp || suite.is_aead();
        let tag_len = if authenticated {
            suite.srtp_tag_len()
        } else {
            0
        };
        let trailer = mki_len + tag_len;
        let len = packet
            .len()
            .checked_sub(trailer)
            .ok_or(Error::Malformed("shorter than the SRTP trailer"))?;
        let header = RtpHeader::parse(packet.get(..len).unwrap_or_default())?;
        let stream = self.streams.get(&header.ssrc);
        if stream.is_none() && !self.accept_new_ssrcs {
            return Err(Error::UnknownSsrc(header.ssrc));
        }
        let (highest, initial_roc) = stream.map_or((None, 0), |s| (s.rtp.top(), s.initial_roc));
        let estimated = estimate_index(highest, initial_roc, header.sequence_number);
        // Layout: RFC 3711 §3.1 puts the MKI before the tag; RFC 7714 §8
        // (AEAD) the tag, which is part of the ciphertext, before the MKI.
        let (mki_at, tag_at) = if suite.is_aead() {
            (len + tag_len, len)
        } else {
            (len, len + mki_len)
        };
        let mki = packet.get(mki_at..mki_at + mki_len).unwrap_or_default();
        let key = self.keys.key_for_received(mki, Some(estimated))?;
        self.keys.slot(key)?.check_lifetime(false, policy)?;
        let mut tag = [0u8; GCM_TAG_LEN];
        tag.get_mut(..tag_len)
            .ok_or(Error::Malformed("tag"))?
            .copy_from_slice(packet.get(tag_at..tag_at + tag_len).unwrap_or_default());

        // Try the estimated index, then (RFC 3711 leaves recovery to the
        // implementation) the next rollover counters, each only if the
        // replay window allows it. Nothing is committed until one verifies.
        let cache = stream.and_then(|s| s.rtp_cache.as_ref());
        let mut scratch = None;
        let mut found = None;
        let mut last_error = Error::Authentication;
        for k in 0..=u64::from(policy.roc_recovery) {
            let index = estimated + (k << 16);
            if index > MAX_SRTP_INDEX {
                last_error = Error::IndexExhausted;
                break;
            }
            if let Some(s) = stream {
                if let Err(e) = s.rtp.check(index) {
                    // A duplicate is a replay. A packet left of the window
                    // may instead be one after a gap of more than 2^15,
                    // which the estimate takes for an old one: try ahead.
                    if k == 0 && e == Replay::Duplicate {
                        return Err(Error::Replay(e));
                    }
                    last_error = Error::Replay(e);
                    continue;
                }
            }
            scratch = None;
            let k_ref = self
                .keys
                .session_keys(key, index, false, cache, &mut scratch)?;
            let ok = if k_ref.is_aead() {
                let (head, rest) = packet.split_at_mut(header.len);
                let payload = rest.get_mut(..len - header.len).unwrap_or_default();
                k_ref
                    .gcm_open(header.ssrc, index, false, head, payload, &tag)
                    .is_ok()
            } else if authenticated {
                let roc = ((index >> 16) as u32).to_be_bytes();
                let full = k_ref.hmac(packet.get(..len).unwrap_or_default(), &roc);
                bool::from(
                    full.get(..tag_len)
                        .unwrap_or_default()
                        .ct_eq(tag.get(..tag_len).unwrap_or_default()),
                )
            } else {
                // UNAUTHENTICATED_SRTP: nothing to verify, no recovery.
                k == 0
            };
            if ok {
                if !suite.is_aead() && policy.encrypt_rtp {
                    if let Some(payload) = packet.get_mut(header.len..len) {
                        k_ref.apply_cm_keystream(header.ssrc, index, payload);
                    }
                }
                found = Some(index);
                break;
            }
            if k == 0 || last_error != Error::Replay(Replay::TooOld) {
                last_error = Error::Authentication;
            }
            if !authenticated {
                break;
            }
        }
        let Some(index) = found else {
            return Err(last_error);
        };
        // Commit.
        let stream = self
            .streams
            .entry(header.ssrc)
            .or_insert_with(|| self.template.clone());
        stream.rtp.accept(index)?;
        if scratch.is_some() {
            keep(&mut scratch, key, &mut stream.rtp_cache);
        }
        self.keys.count(key, false);
        Ok(Unprotected {
            len,
            ssrc: header.ssrc,
            index,
            key,
        })
    }

    /// Authenticates and decrypts the SRTCP packet in `packet` in place. On
    /// success the RTCP packet is `packet[..len]`; on any refusal no state
    /// changes.
    pub fn unprotect_rtcp(&mut self, packet: &mut [u8]) -> Result<Unprotected, Error> {
        let policy = &self.keys.policy;
        let suite = policy.suite;
        let mki_len = policy.mki_len();
        let tag_len = suite.srtcp_tag_len();
        let len = packet
            .len()
            .checked_sub(SRTCP_INDEX_LEN + mki_len + tag_len)
            .filter(|l| *l >= RTCP_HEADER_LEN)
            .ok_or(Error::Malformed("shorter than an SRTCP packet"))?;
        let ssrc = rtcp_ssrc(packet)?;
        let stream = self.streams.get(&ssrc);
        if stream.is_none() && !self.accept_new_ssrcs {
            return Err(Error::UnknownSsrc(ssrc));
        }
        // RFC 3711 §3.4: header ‖ encrypted ‖ E‖index ‖ MKI ‖ tag; RFC 7714
        // §9: header ‖ ciphertext ‖ tag ‖ E‖index ‖ MKI.
        let (index_at, mki_at, tag_at) = if suite.is_aead() {
            (len + tag_len, len + tag_len + SRTCP_INDEX_LEN, len)
        } else {
            (len, len + SRTCP_INDEX_LEN, len + SRTCP_INDEX_LEN + mki_len)
        };
        let ei: [u8; 4] = packet
            .get(index_at..index_at + SRTCP_INDEX_LEN)
            .and_then(|b| b.try_into().ok())
            .ok_or(Error::Malformed("SRTCP index"))?;
        let e_index = u32::from_be_bytes(ei);
        let encrypted = e_index & E_FLAG != 0;
        let index = u64::from(e_index & !E_FLAG);
        if let Some(s) = stream {
            s.rtcp.check(index)?;
        }
        let mki = packet.get(mki_at..mki_at + mki_len).unwrap_or_default();
        let key = self.keys.key_for_received(mki, None)?;
        self.keys.slot(key)?.check_lifetime(true, policy)?;
        let mut tag = [0u8; GCM_TAG_LEN];
        tag.get_mut(..tag_len)
            .ok_or(Error::Malformed("tag"))?
            .copy_from_slice(packet.get(tag_at..tag_at + tag_len).unwrap_or_default());
        let cache = stream.and_then(|s| s.rtcp_cache.as_ref());
        let mut scratch = None;
        let k = self
            .keys
            .session_keys(key, index, true, cache, &mut scratch)?;
        if k.is_aead() {
            open_srtcp_gcm(k, packet, len, ssrc, ei, encrypted, &tag)?;
        } else {
            let full = k.hmac(packet.get(..len + SRTCP_INDEX_LEN).unwrap_or_default(), &[]);
            if !bool::from(
                full.get(..tag_len)
                    .unwrap_or_default()
                    .ct_eq(tag.get(..tag_len).unwrap_or_default()),
            ) {
                return Err(Error::Authentication);
            }
            if encrypted {
                if let Some(body) = packet.get_mut(RTCP_HEADER_LEN..len) {
                    k.apply_cm_keystream(ssrc, index, body);
                }
            }
        }
        let stream = self
            .streams
            .entry(ssrc)
            .or_insert_with(|| self.template.clone());
        stream.rtcp.accept(index)?;
        if scratch.is_some() {
            keep(&mut scratch, key, &mut stream.rtcp_cache);
        }
        self.keys.count(key, true);
        Ok(Unprotected {
            len,
            ssrc,
            index,
            key,
        })
    }

    /// One line per stream for a decrypting tool (see [`crate::export`]).
    pub fn export_keys(&self) -> Vec<alloc::string::String> {
        self.streams
            .iter()
            .map(|(ssrc, s)| {
                let roc = s.rtp.top().map_or(s.initial_roc, |t| (t >> 16) as u32);
                crate::export::key_line(&self.keys.policy, 0, *ssrc, roc)
            })
            .collect()
    }
}

fn new_in_stream(policy: &Policy) -> Result<InStream, Error> {
    let window = |n| SlidingWindow::new(n).map_err(|_| Error::Policy("replay window size"));
    Ok(InStream {
        rtp: window(policy.rtp_window)?,
        rtcp: window(policy.rtcp_window)?,
        initial_roc: 0,
        rtp_cache: None,
        rtcp_cache: None,
    })
}

/// Verifies and decrypts SRTCP with AES-GCM (RFC 7714 §9); the buffer is
/// as it was if the tag does not verify.
fn open_srtcp_gcm(
    k: &SessionKeys,
    packet: &mut [u8],
    len: usize,
    ssrc: u32,
    ei: [u8; 4],
    encrypted: bool,
    tag: &[u8; GCM_TAG_LEN],
) -> Result<(), Error> {
    let index = u64::from(u32::from_be_bytes(ei) & !E_FLAG);
    if encrypted {
        let mut aad = [0u8; RTCP_HEADER_LEN + SRTCP_INDEX_LEN];
        aad[..RTCP_HEADER_LEN].copy_from_slice(
            packet
                .get(..RTCP_HEADER_LEN)
                .ok_or(Error::Malformed("RTCP header"))?,
        );
        aad[RTCP_HEADER_LEN..].copy_from_slice(&ei);
        let body = packet
            .get_mut(RTCP_HEADER_LEN..len)
            .ok_or(Error::Malformed("RTCP header"))?;
        k.gcm_open(ssrc, index, true, &aad, body, tag)
    } else {
        // The AAD is packet ‖ E‖index: move E‖index next to the packet for
        // the check, and put the tag back if it fails.
        put(packet, len, &ei)?;
        let aad = packet.get(..len + SRTCP_INDEX_LEN).unwrap_or_default();
        let mut empty = [0u8; 0];
        let result = k.gcm_open(ssrc, index, true, aad, &mut empty, tag);
        if result.is_err() {
            put(packet, len, tag)?;
        }
        result
    }
}
