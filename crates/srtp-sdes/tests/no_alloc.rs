//! The per-packet path allocates nothing: once the sessions are made and
//! the first packet of each stream (SRTP and SRTCP, both directions) has
//! created that stream, `protect_rtp`, `unprotect_rtp`, `protect_rtcp` and
//! `unprotect_rtcp`, and refusing a tampered or a replayed packet, make no
//! heap allocation. For every suite the engine runs, payloads of 0, 1, 15,
//! 16, 160 and 1200 bytes, headers with and without CSRCs and an extension,
//! across a rollover-counter wrap; with and without MKIs; and with a key
//! derivation rate, where keys for a new `r = index DIV kdr` are derived
//! mid-stream and kept in the stream's cache (inline, not boxed).
//!
//! The packet that brings a master key near the end of its lifetime, and
//! queues a rekey event, allocates nothing either (the last test).
//!
//! The counter is the `allocation-counter` dev-dependency's global
//! allocator (the workspace forbids the `unsafe` a counting allocator needs
//! here): it counts per thread, so other tests running beside these do not
//! touch the counts, and reallocations count.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;

use allocation_counter::measure;
use ims_sec_core::replay::Replay;
use srtp_sdes::{CryptoSuite, Error, InboundSession, MasterKey, Mki, OutboundSession, Policy};

const SSRC: u32 = 0x5eed_0001;
/// Empty, one byte, either side of an AES block, and audio and video sizes.
const SIZES: [usize; 6] = [0, 1, 15, 16, 160, 1200];
/// RTP header shapes: (CSRC count, extension words; `None` for no extension).
const SHAPES: [(u8, Option<u16>); 4] = [(0, None), (2, None), (0, Some(2)), (15, Some(0))];
/// Packets of each size and shape.
const REPEAT: usize = 2;
/// The warm-up packet's sequence number: the measured packets that follow
/// (`SIZES × SHAPES × REPEAT` = 48) cross from ROC 0 into ROC 1.
const FIRST_SEQ: u16 = u16::MAX - 20;
/// Room for the largest packet: 12 + 60 (CSRCs) + 4 + 8 (extension) + 1200
/// + trailer.
const BUF: usize = 1400;

fn supported() -> Vec<CryptoSuite> {
    let suites: Vec<_> = CryptoSuite::ALL
        .into_iter()
        .filter(|s| s.is_supported())
        .collect();
    assert_eq!(suites.len(), 8, "every suite but f8: {suites:?}");
    suites
}

fn key_salt(suite: CryptoSuite, seed: u8) -> Vec<u8> {
    (0..suite.key_salt_len())
        .map(|i| (i as u8).wrapping_mul(13) ^ seed)
        .collect()
}

#[derive(Debug, Clone, Copy)]
struct Variant {
    kdr: u64,
    mki: bool,
}

const PLAIN: Variant = Variant { kdr: 0, mki: false };
const WITH_MKI: Variant = Variant { kdr: 0, mki: true };
/// SDES `KDR=4`: new session keys every 16 packets.
const WITH_KDR: Variant = Variant {
    kdr: 1 << 4,
    mki: false,
};
const WITH_KDR_AND_MKI: Variant = Variant {
    kdr: 1 << 4,
    mki: true,
};

fn policy(suite: CryptoSuite, v: Variant) -> Policy {
    let mut p = Policy::from_key_salt(suite, &key_salt(suite, 0x5a)).unwrap();
    p.kdr = v.kdr;
    if v.mki {
        // Two keys with 4-byte MKIs; packets are sent with the first.
        p.keys[0].mki = Some(Mki::from_value(1, 4).unwrap());
        p.keys.push(
            MasterKey::from_key_salt(suite, &key_salt(suite, 0xa5))
                .unwrap()
                .with_mki(Mki::from_value(2, 4).unwrap()),
        );
    }
    p
}

/// Writes an RTP packet into `buf` and returns its length.
fn rtp(buf: &mut [u8], seq: u16, shape: (u8, Option<u16>), size: usize, seed: usize) -> usize {
    let (csrcs, ext) = shape;
    buf[0] = 0x80 | if ext.is_some() { 0x10 } else { 0 } | csrcs;
    buf[1] = 96 | if seed % 2 == 0 { 0x80 } else { 0 };
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
    buf[4..8].copy_from_slice(&(seed as u32 * 160).to_be_bytes());
    buf[8..12].copy_from_slice(&SSRC.to_be_bytes());
    let mut at = 12;
    for i in 0..usize::from(csrcs) {
        buf[at..at + 4].copy_from_slice(&(0xc000_0000 + i as u32).to_be_bytes());
        at += 4;
    }
    if let Some(words) = ext {
        buf[at..at + 4].copy_from_slice(&[0xbe, 0xde, 0, words as u8]);
        at += 4;
        for b in &mut buf[at..at + 4 * usize::from(words)] {
            *b = 0x11;
        }
        at += 4 * usize::from(words);
    }
    for (i, b) in buf[at..at + size].iter_mut().enumerate() {
        *b = (i ^ seed) as u8;
    }
    at + size
}

/// Writes an RTCP packet (a sender report header, then `size` bytes) into
/// `buf` and returns its length.
fn rtcp(buf: &mut [u8], size: usize, seed: usize) -> usize {
    buf[0] = 0x80;
    buf[1] = 200;
    buf[2..4].copy_from_slice(&(((8 + size) / 4) as u16).to_be_bytes());
    buf[4..8].copy_from_slice(&SSRC.to_be_bytes());
    for (i, b) in buf[8..8 + size].iter_mut().enumerate() {
        *b = (i ^ seed ^ 0x3c) as u8;
    }
    8 + size
}

/// Both directions of one SSRC, with their scratch buffers.
struct Link {
    out: OutboundSession,
    inbound: InboundSession,
    buf: Vec<u8>,
    sent: Vec<u8>,
}

impl Link {
    /// Sessions for `policy`, and one SRTP and one SRTCP packet through them:
    /// the streams exist afterwards, in both sessions. Anything done once per
    /// process (CPU feature detection) happens here too.
    fn new(policy: Policy) -> Self {
        let mut link = Self {
            out: OutboundSession::new(policy.clone()).unwrap(),
            inbound: InboundSession::new(policy).unwrap(),
            buf: vec![0; BUF],
            sent: vec![0; BUF],
        };
        link.rtp(FIRST_SEQ, SHAPES[0], 1, 0);
        link.rtcp(1, 0);
        link
    }

    /// Protects and unprotects one RTP packet, checking it comes back.
    fn rtp(&mut self, seq: u16, shape: (u8, Option<u16>), size: usize, seed: usize) {
        let len = rtp(&mut self.sent, seq, shape, size, seed);
        self.buf[..len].copy_from_slice(&self.sent[..len]);
        let n = self.out.protect_rtp(&mut self.buf, len).unwrap();
        assert_eq!(n, len + self.out.rtp_overhead());
        let got = self.inbound.unprotect_rtp(&mut self.buf[..n]).unwrap();
        assert_eq!(got.len, len);
        assert_eq!(got.ssrc, SSRC);
        assert_eq!(got.index & 0xffff, u64::from(seq));
        assert_eq!(self.buf[..len], self.sent[..len]);
    }

    /// Protects and unprotects one RTCP packet, checking it comes back.
    fn rtcp(&mut self, size: usize, seed: usize) {
        let len = rtcp(&mut self.sent, size, seed);
        self.buf[..len].copy_from_slice(&self.sent[..len]);
        let n = self.out.protect_rtcp(&mut self.buf, len).unwrap();
        assert_eq!(n, len + self.out.rtcp_overhead());
        let got = self.inbound.unprotect_rtcp(&mut self.buf[..n]).unwrap();
        assert_eq!(got.len, len);
        assert_eq!(self.buf[..len], self.sent[..len]);
    }

    /// Every size and shape, `REPEAT` times, over SRTP (crossing the ROC
    /// wrap) and SRTCP.
    fn traffic(&mut self) {
        let mut seq = FIRST_SEQ;
        let mut seed = 0;
        for _ in 0..REPEAT {
            for size in SIZES {
                for shape in SHAPES {
                    seq = seq.wrapping_add(1);
                    seed += 1;
                    self.rtp(seq, shape, size, seed);
                    self.rtcp(size, seed);
                }
            }
        }
    }
}

#[test]
fn the_counter_sees_an_allocation() {
    // Without this, a counter that never counts would pass every test here.
    let info = measure(|| {
        black_box(Vec::<u8>::with_capacity(black_box(64)));
    });
    assert_eq!(info.count_total, 1);
}

/// The measured traffic of one suite and variant: allocations and bytes.
fn traffic_allocations(suite: CryptoSuite, v: Variant) -> (u64, u64) {
    let mut link = Link::new(policy(suite, v));
    assert_eq!(link.out.roc(SSRC), Some(0));
    let info = measure(|| link.traffic());
    // The measured packets crossed the wrap, in both directions.
    assert_eq!(link.out.roc(SSRC), Some(1), "{suite} {v:?}");
    assert_eq!(link.inbound.roc(SSRC), Some(1), "{suite} {v:?}");
    (info.count_total, info.bytes_total)
}

#[test]
fn protect_and_unprotect_allocate_nothing_for_every_suite() {
    for suite in supported() {
        for v in [PLAIN, WITH_MKI] {
            let (count, bytes) = traffic_allocations(suite, v);
            assert_eq!(
                count, 0,
                "{suite} {v:?}: {count} allocations, {bytes} bytes"
            );
        }
    }
}

#[test]
fn a_key_derivation_rate_allocates_nothing_after_the_first_packet() {
    // KDR 16: the 48 measured SRTP packets (indices 2^16 - 20 to 2^16 + 27)
    // reach three new values of r, one at the wrap, and the 48 SRTCP packets
    // (indices 1 to 48) three more. Each new r derives keys on the stack and
    // replaces the stream's cached set in place (`Option<DerivedKeys>`, not
    // boxed); a refused packet's keys are dropped.
    for suite in supported() {
        for v in [WITH_KDR, WITH_KDR_AND_MKI] {
            let (count, bytes) = traffic_allocations(suite, v);
            assert_eq!(
                count, 0,
                "{suite} {v:?}: {count} allocations, {bytes} bytes"
            );
        }
    }
}

#[test]
fn refusing_a_packet_allocates_nothing() {
    for suite in supported() {
        for v in [PLAIN, WITH_MKI, WITH_KDR] {
            let mut link = Link::new(policy(suite, v));
            let seq = FIRST_SEQ.wrapping_add(1);

            // An SRTP packet already unprotected (the replay), and the next
            // one, tampered with in its last payload byte and in its header,
            // then as sent.
            let len = rtp(&mut link.sent, seq, SHAPES[3], 160, 7);
            let mut replay = link.sent.clone();
            let n = link.out.protect_rtp(&mut replay, len).unwrap();
            replay.truncate(n);
            let mut copy = replay.clone();
            link.inbound.unprotect_rtp(&mut copy).unwrap();
            let len = rtp(&mut link.sent, seq.wrapping_add(1), SHAPES[2], 160, 8);
            let mut next = link.sent.clone();
            let n = link.out.protect_rtp(&mut next, len).unwrap();
            next.truncate(n);
            let mut tampered = next.clone();
            tampered[len - 1] ^= 1;
            let mut tampered_header = next.clone();
            tampered_header[1] ^= 0x80;

            // The same for SRTCP.
            let len = rtcp(&mut link.sent, 40, 9);
            let mut rtcp_replay = link.sent.clone();
            let n = link.out.protect_rtcp(&mut rtcp_replay, len).unwrap();
            rtcp_replay.truncate(n);
            let mut rtcp_copy = rtcp_replay.clone();
            link.inbound.unprotect_rtcp(&mut rtcp_copy).unwrap();
            let len = rtcp(&mut link.sent, 40, 10);
            let mut rtcp_next = link.sent.clone();
            let n = link.out.protect_rtcp(&mut rtcp_next, len).unwrap();
            rtcp_next.truncate(n);
            let mut rtcp_tampered = rtcp_next.clone();
            rtcp_tampered[len - 1] ^= 1;

            let mut errors = Vec::with_capacity(8);
            let info = measure(|| {
                copy.copy_from_slice(&replay);
                errors.push(link.inbound.unprotect_rtp(&mut copy).unwrap_err());
                errors.push(link.inbound.unprotect_rtp(&mut tampered).unwrap_err());
                errors.push(
                    link.inbound
                        .unprotect_rtp(&mut tampered_header)
                        .unwrap_err(),
                );
                // Refusals changed nothing: the untampered packet still goes.
                link.inbound.unprotect_rtp(&mut next).unwrap();
                rtcp_copy.copy_from_slice(&rtcp_replay);
                errors.push(link.inbound.unprotect_rtcp(&mut rtcp_copy).unwrap_err());
                errors.push(link.inbound.unprotect_rtcp(&mut rtcp_tampered).unwrap_err());
                link.inbound.unprotect_rtcp(&mut rtcp_next).unwrap();
            });
            assert_eq!(info.count_total, 0, "{suite} {v:?}: {errors:?}");
            let replayed = Error::Replay(Replay::Duplicate);
            assert_eq!(
                errors,
                [
                    replayed.clone(),
                    Error::Authentication,
                    Error::Authentication,
                    replayed,
                    Error::Authentication,
                ],
                "{suite} {v:?}"
            );
        }
    }
}

/// The packet that takes a master key past fifteen sixteenths of its
/// lifetime queues `Event::RekeyNeeded` in each session without allocating:
/// the queues are sized when the sessions are made (each key signals at most
/// once for SRTP and once for SRTCP) and an event names its key by position.
#[test]
fn the_rekey_event_allocates_nothing_either() {
    const LIFETIME: u64 = 24;
    // The event comes with the packet that makes the count 23 (24 - 24/16);
    // the link's warm-up packet is the first.
    const MARK: usize = 22;
    for suite in supported() {
        for v in [PLAIN, WITH_MKI] {
            let mut p = policy(suite, v);
            p.keys[0].lifetime = Some(LIFETIME);
            let mut link = Link::new(p);
            let mut seq = FIRST_SEQ;
            let mut step = |link: &mut Link, i: usize| {
                seq = seq.wrapping_add(1);
                let rtp = measure(|| link.rtp(seq, SHAPES[1], 160, i)).count_total;
                let rtcp = measure(|| link.rtcp(160, i)).count_total;
                (rtp, rtcp)
            };
            for i in 1..MARK {
                assert_eq!(step(&mut link, i), (0, 0), "{suite} {v:?} packet {i}");
                assert_eq!(link.out.poll_event(), None);
            }
            // The event queues were sized when the sessions were made, and
            // an event names its key by position: nothing to allocate.
            assert_eq!(step(&mut link, MARK), (0, 0), "{suite} {v:?}");
            for session_events in [
                [link.out.poll_event(), link.out.poll_event()],
                [link.inbound.poll_event(), link.inbound.poll_event()],
            ] {
                let rtcp: Vec<_> = session_events
                    .into_iter()
                    .map(|e| match e {
                        Some(srtp_sdes::Event::RekeyNeeded { key: 0, rtcp, .. }) => rtcp,
                        other => panic!("{suite} {v:?}: {other:?}"),
                    })
                    .collect();
                assert_eq!(rtcp, [false, true]);
            }
            assert_eq!(step(&mut link, MARK + 1), (0, 0), "{suite} {v:?}");
        }
    }
}
