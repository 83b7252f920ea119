//! SRTP and SRTCP (srtp-sdes) against their raw-crypto floor.
//!
//! One group per operation, suite and payload size,
//! `srtp/<op>/<suite>/<bytes>`: `protect` and `unprotect` of RTP for
//! `AES_CM_128_HMAC_SHA1_80` and `AEAD_AES_128_GCM` at 160 bytes (20 ms of
//! G.711) and 1200 bytes (a video packet), each behind a 12-byte RTP header;
//! and `protect_rtcp` at 160 bytes behind the 8-byte RTCP header. Each group
//! holds:
//! - `floor`: only the cryptography SRTP cannot avoid on the same bytes,
//!   keyed once with the session keys the engine derives (so the floor
//!   verifies the engine's packets):
//!   - AES-CM: the `ctr::Ctr128BE` keystream over the payload, from the
//!     `aes::Aes128Enc` key schedule built once (borrowed, as the engine
//!     does; not cloned per packet) and an IV built per packet (salt ⊕ SSRC ⊕
//!     index, RFC 3711 §4.1.1); then HMAC-SHA1 over header ‖ payload ‖ ROC
//!     from a keyed `Hmac<Sha1>` cloned per packet (the pads hashed once),
//!     truncated to 10 bytes. SRTCP: the keystream over the body, E‖index
//!     written, HMAC over header ‖ body ‖ E‖index.
//!   - AES-GCM: `Aes128Gcm::encrypt_in_place_detached` with the header as
//!     AAD (header ‖ E‖index for SRTCP) and the nonce of RFC 7714 §8.1/§9.1,
//!     the cipher built once.
//!   - unprotect: the reverse: the tag check (in constant time in both:
//!     `Mac::verify_truncated_left` in the floor, `subtle` in the engine, the
//!     tag check inside `decrypt_in_place_detached` for GCM), then
//!     decryption. The floor reads the sequence number from the header; it
//!     estimates no index and keeps no replay window.
//! - `srtp-sdes`: `OutboundSession::protect_rtp` / `protect_rtcp` in place in
//!   one reused buffer (the sequence number advanced each packet, as the
//!   floor's index is), or `InboundSession::unprotect_rtp`.
//!
//! Unprotect: the replay window refuses a packet twice, so both sides
//! unprotect a ring of [`RING`] pre-built packets with consecutive sequence
//! numbers, in place; between passes, with the clock stopped, the ring is
//! restored from a pristine copy and the inbound session is replaced by a
//! fresh one that has already taken one earlier packet of the stream (so the
//! stream exists, as it does in a call; creating it is not per-packet work).
//!
//! `Throughput::Elements(1)`: criterion reports packets per second.
//! CI only compiles this file (`cargo bench --workspace --no-run`); run it
//! with `cargo bench --bench srtp`. As with the ESP bench, compare entries of
//! one run, not runs: code placement moves either side by a few per cent
//! from build to build.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use aes::cipher::{InnerIvInit, KeyInit, StreamCipher};
use aes::Aes128Enc;
use aes_gcm::aead::AeadInPlace;
use aes_gcm::Aes128Gcm;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use srtp_sdes::kdf::{Kdf, Label};
use srtp_sdes::{CryptoSuite, InboundSession, OutboundSession, Policy};

const SIZES: [usize; 2] = [160, 1200];
const RTCP_SIZE: usize = 160;
const SSRC: u32 = 0x1234_5678;
/// The fixed RTP header, no CSRCs or extension.
const RTP_HEADER: usize = 12;
/// RTCP header ‖ sender SSRC: what SRTCP leaves in clear.
const RTCP_HEADER: usize = 8;
/// The first sequence number of the unprotect ring (the packet before it
/// creates the stream).
const FIRST_SEQ: u16 = 1000;
/// Packets per unprotect pass: long against the clock's resolution, small
/// enough to stay in cache (≈ 1.2 MB at 1200 bytes).
const RING: usize = 1024;

const CM_TAG: usize = 10;
const GCM_TAG: usize = 16;
const E_FLAG: u32 = 1 << 31;

/// Master key ‖ master salt (30 bytes for AES-CM-128, 28 for AES-GCM-128).
const KEY_SALT: [u8; 30] = [
    0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
    0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
];

#[derive(Clone, Copy)]
enum Suite {
    AesCm,
    Gcm,
}

impl Suite {
    const ALL: [Suite; 2] = [Suite::AesCm, Suite::Gcm];

    fn crypto_suite(self) -> CryptoSuite {
        match self {
            Suite::AesCm => CryptoSuite::AesCm128HmacSha1_80,
            Suite::Gcm => CryptoSuite::AeadAes128Gcm,
        }
    }

    fn policy(self) -> Policy {
        let suite = self.crypto_suite();
        Policy::from_key_salt(suite, &KEY_SALT[..suite.key_salt_len()]).unwrap()
    }
}

/// The raw cryptography of one direction's SRTP or SRTCP key set, keyed once
/// with the session keys the engine derives from the same master key.
// One per group, built once and never moved while timed: the schedules stay inline.
#[allow(clippy::large_enum_variant)]
enum Floor {
    Cm {
        aes: Aes128Enc,
        mac: Hmac<Sha1>,
        salt: [u8; 14],
    },
    Gcm {
        aead: Aes128Gcm,
        salt: [u8; 12],
    },
}

impl Floor {
    fn new(suite: Suite, rtcp: bool) -> Self {
        let cs = suite.crypto_suite();
        let (master_key, master_salt) = KEY_SALT[..cs.key_salt_len()].split_at(cs.master_key_len());
        let kdf = Kdf::new(master_key, master_salt).unwrap();
        let (enc, auth, salt_label) = if rtcp {
            (
                Label::RtcpEncryption,
                Label::RtcpAuthentication,
                Label::RtcpSalt,
            )
        } else {
            (
                Label::RtpEncryption,
                Label::RtpAuthentication,
                Label::RtpSalt,
            )
        };
        let mut key = [0u8; 16];
        kdf.derive(enc, 0, &mut key);
        match suite {
            Suite::AesCm => {
                let mut auth_key = [0u8; 20];
                let mut salt = [0u8; 14];
                kdf.derive(auth, 0, &mut auth_key);
                kdf.derive(salt_label, 0, &mut salt);
                Floor::Cm {
                    aes: Aes128Enc::new_from_slice(&key).unwrap(),
                    mac: <Hmac<Sha1> as Mac>::new_from_slice(&auth_key).unwrap(),
                    salt,
                }
            }
            Suite::Gcm => {
                let mut salt = [0u8; 12];
                kdf.derive(salt_label, 0, &mut salt);
                Floor::Gcm {
                    aead: Aes128Gcm::new_from_slice(&key).unwrap(),
                    salt,
                }
            }
        }
    }

    /// SRTP: encrypts `buf[RTP_HEADER..len]` for `index` and appends the tag.
    fn seal_rtp(&self, buf: &mut [u8], len: usize, index: u64) -> usize {
        match self {
            Floor::Cm { aes, mac, salt } => {
                keystream(aes, &cm_iv(salt, SSRC, index), &mut buf[RTP_HEADER..len]);
                let mut m = mac.clone();
                m.update(&buf[..len]);
                m.update(&((index >> 16) as u32).to_be_bytes());
                buf[len..len + CM_TAG].copy_from_slice(&m.finalize().into_bytes()[..CM_TAG]);
                len + CM_TAG
            }
            Floor::Gcm { aead, salt } => {
                let (head, rest) = buf.split_at_mut(RTP_HEADER);
                let (payload, trailer) = rest.split_at_mut(len - RTP_HEADER);
                let tag = aead
                    .encrypt_in_place_detached(&gcm_nonce(salt, SSRC, index, false), head, payload)
                    .unwrap();
                trailer[..GCM_TAG].copy_from_slice(&tag);
                len + GCM_TAG
            }
        }
    }

    /// SRTP: verifies and decrypts `packet` in place (ROC 0, the sequence
    /// number from the header); returns the RTP length.
    fn open_rtp(&self, packet: &mut [u8]) -> usize {
        let index = u64::from(u16::from_be_bytes([packet[2], packet[3]]));
        match self {
            Floor::Cm { aes, mac, salt } => {
                let len = packet.len() - CM_TAG;
                let mut m = mac.clone();
                m.update(&packet[..len]);
                m.update(&((index >> 16) as u32).to_be_bytes());
                m.verify_truncated_left(&packet[len..]).unwrap();
                keystream(aes, &cm_iv(salt, SSRC, index), &mut packet[RTP_HEADER..len]);
                len
            }
            Floor::Gcm { aead, salt } => {
                let len = packet.len() - GCM_TAG;
                let (head, rest) = packet.split_at_mut(RTP_HEADER);
                let (payload, tag) = rest.split_at_mut(len - RTP_HEADER);
                let tag = aes_gcm::Tag::clone_from_slice(tag);
                aead.decrypt_in_place_detached(
                    &gcm_nonce(salt, SSRC, index, false),
                    head,
                    payload,
                    &tag,
                )
                .unwrap();
                len
            }
        }
    }

    /// SRTCP, encrypted (E = 1), with SRTCP index `index`.
    fn seal_rtcp(&self, buf: &mut [u8], len: usize, index: u32) -> usize {
        let ei = (E_FLAG | index).to_be_bytes();
        match self {
            Floor::Cm { aes, mac, salt } => {
                keystream(
                    aes,
                    &cm_iv(salt, SSRC, u64::from(index)),
                    &mut buf[RTCP_HEADER..len],
                );
                buf[len..len + 4].copy_from_slice(&ei);
                let mut m = mac.clone();
                m.update(&buf[..len + 4]);
                buf[len + 4..len + 4 + CM_TAG]
                    .copy_from_slice(&m.finalize().into_bytes()[..CM_TAG]);
                len + 4 + CM_TAG
            }
            Floor::Gcm { aead, salt } => {
                let mut aad = [0u8; RTCP_HEADER + 4];
                aad[..RTCP_HEADER].copy_from_slice(&buf[..RTCP_HEADER]);
                aad[RTCP_HEADER..].copy_from_slice(&ei);
                let (body, trailer) = buf[RTCP_HEADER..].split_at_mut(len - RTCP_HEADER);
                let tag = aead
                    .encrypt_in_place_detached(
                        &gcm_nonce(salt, SSRC, u64::from(index), true),
                        &aad,
                        body,
                    )
                    .unwrap();
                trailer[..GCM_TAG].copy_from_slice(&tag);
                trailer[GCM_TAG..GCM_TAG + 4].copy_from_slice(&ei);
                len + GCM_TAG + 4
            }
        }
    }
}

/// RFC 3711 §4.1.1: salt · 2^16 ⊕ SSRC · 2^64 ⊕ index · 2^16.
fn cm_iv(salt: &[u8; 14], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *b ^= s;
    }
    for (b, i) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
        *b ^= i;
    }
    iv
}

/// RFC 7714 §8.1 (SRTP: 00 00 ‖ SSRC ‖ ROC ‖ SEQ) or §9.1 (SRTCP:
/// 00 00 ‖ SSRC ‖ 00 00 ‖ index), ⊕ the salt.
fn gcm_nonce(
    salt: &[u8; 12],
    ssrc: u32,
    index: u64,
    rtcp: bool,
) -> aes_gcm::Nonce<aes_gcm::aead::consts::U12> {
    let mut nonce = aes_gcm::Nonce::clone_from_slice(salt);
    for (b, s) in nonce[2..6].iter_mut().zip(ssrc.to_be_bytes()) {
        *b ^= s;
    }
    let bytes = index.to_be_bytes();
    let (tail, index) = if rtcp {
        (&mut nonce[8..12], &bytes[4..])
    } else {
        (&mut nonce[6..12], &bytes[2..])
    };
    for (b, i) in tail.iter_mut().zip(index) {
        *b ^= i;
    }
    nonce
}

/// `ctr::Ctr128BE` over the borrowed AES-128 key schedule.
fn keystream(aes: &Aes128Enc, iv: &[u8; 16], data: &mut [u8]) {
    ctr::Ctr128BE::<&Aes128Enc>::from_core(ctr::CtrCore::inner_iv_init(aes, iv.into()))
        .apply_keystream(data);
}

/// An RTP packet (V=2, PT 0, no CSRC or extension) with `size` payload bytes
/// in a buffer with `tailroom` bytes after it.
fn rtp_packet(seq: u16, size: usize, tailroom: usize) -> Vec<u8> {
    let mut p = vec![0u8; RTP_HEADER + size + tailroom];
    p[0] = 0x80;
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p[4..8].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    p[8..12].copy_from_slice(&SSRC.to_be_bytes());
    for (i, b) in p[RTP_HEADER..RTP_HEADER + size].iter_mut().enumerate() {
        *b = (i * 7 + 3) as u8;
    }
    p
}

/// An RTCP sender report header (V=2, PT 200) with `size` bytes of body.
fn rtcp_packet(size: usize, tailroom: usize) -> Vec<u8> {
    let mut p = vec![0u8; RTCP_HEADER + size + tailroom];
    p[0] = 0x80;
    p[1] = 200;
    p[2..4].copy_from_slice(&(((RTCP_HEADER + size) / 4 - 1) as u16).to_be_bytes());
    p[4..8].copy_from_slice(&SSRC.to_be_bytes());
    for (i, b) in p[RTCP_HEADER..RTCP_HEADER + size].iter_mut().enumerate() {
        *b = (i * 5 + 1) as u8;
    }
    p
}

/// `iters` unprotections over `ring`, in order and in place: `reset`
/// prepares `state` for a pass, `open` handles one packet. Only the packets
/// are timed; after each pass the ring is restored from `pristine`.
fn ring_timed<S>(
    iters: u64,
    ring: &mut [Vec<u8>],
    pristine: &[Vec<u8>],
    state: &mut S,
    mut reset: impl FnMut(&mut S),
    mut open: impl FnMut(&mut S, &mut [u8]),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters as usize;
    while left > 0 {
        let n = left.min(ring.len());
        reset(state);
        let start = Instant::now();
        for packet in &mut ring[..n] {
            open(state, black_box(packet.as_mut_slice()));
        }
        total += start.elapsed();
        for (packet, clean) in ring[..n].iter_mut().zip(pristine) {
            packet.copy_from_slice(clean);
        }
        left -= n;
    }
    total
}

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

fn bench_protect(group: &mut Group<'_>, suite: Suite, size: usize) {
    let floor = Floor::new(suite, false);
    let mut out = OutboundSession::new(suite.policy()).unwrap();
    let overhead = out.rtp_overhead();
    let len = RTP_HEADER + size;

    // The floor's packet is the engine's, byte for byte.
    let mut ours = rtp_packet(1, size, overhead);
    let mut theirs = ours.clone();
    let n = OutboundSession::new(suite.policy())
        .unwrap()
        .protect_rtp(&mut ours, len)
        .unwrap();
    assert_eq!(floor.seal_rtp(&mut theirs, len, 1), n);
    assert_eq!(ours, theirs);

    // One buffer, the payload laid in once; each packet is protected in
    // place over what the previous one left, with the next sequence number.
    let mut buf = rtp_packet(0, size, overhead);
    let mut index = 0u64;
    group.bench_function("floor", |b| {
        b.iter(|| {
            index += 1;
            buf[2..4].copy_from_slice(&(index as u16).to_be_bytes());
            floor.seal_rtp(black_box(&mut buf), len, index)
        });
    });

    let mut buf = rtp_packet(0, size, overhead);
    let mut seq = 0u16;
    group.bench_function("srtp-sdes", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            buf[2..4].copy_from_slice(&seq.to_be_bytes());
            out.protect_rtp(black_box(&mut buf), len).unwrap()
        });
    });
}

fn bench_unprotect(group: &mut Group<'_>, suite: Suite, size: usize) {
    let policy = suite.policy();
    let floor = Floor::new(suite, false);

    // The primer (FIRST_SEQ - 1), then RING packets, from the engine.
    let mut sender = OutboundSession::new(policy.clone()).unwrap();
    let overhead = sender.rtp_overhead();
    let mut protect = |seq: u16| {
        let mut p = rtp_packet(seq, size, overhead);
        let n = sender.protect_rtp(&mut p, RTP_HEADER + size).unwrap();
        p.truncate(n);
        p
    };
    let primer = protect(FIRST_SEQ - 1);
    let pristine: Vec<Vec<u8>> = (0..RING as u16).map(|i| protect(FIRST_SEQ + i)).collect();
    let mut ring = pristine.clone();

    // The floor accepts the engine's packets, and the engine its own.
    let mut check = pristine[0].clone();
    assert_eq!(floor.open_rtp(&mut check), RTP_HEADER + size);
    assert_eq!(
        &check[..RTP_HEADER + size],
        &rtp_packet(FIRST_SEQ, size, 0)[..]
    );

    group.bench_function("floor", |b| {
        b.iter_custom(|iters| {
            ring_timed(
                iters,
                &mut ring,
                &pristine,
                &mut (),
                |_| {},
                |_, packet| {
                    black_box(floor.open_rtp(packet));
                },
            )
        });
    });

    let fresh = || {
        let mut inbound = InboundSession::new(policy.clone()).unwrap();
        inbound.unprotect_rtp(&mut primer.clone()).unwrap();
        inbound
    };
    let mut inbound = fresh();
    group.bench_function("srtp-sdes", |b| {
        b.iter_custom(|iters| {
            ring_timed(
                iters,
                &mut ring,
                &pristine,
                &mut inbound,
                |s| *s = fresh(),
                |s, packet| {
                    black_box(s.unprotect_rtp(packet).unwrap());
                },
            )
        });
    });
}

fn bench_protect_rtcp(group: &mut Group<'_>, suite: Suite, size: usize) {
    let floor = Floor::new(suite, true);
    let mut out = OutboundSession::new(suite.policy()).unwrap();
    let overhead = out.rtcp_overhead();
    let len = RTCP_HEADER + size;

    // The floor's packet is the engine's, byte for byte (SRTCP index 0).
    let mut ours = rtcp_packet(size, overhead);
    let mut theirs = ours.clone();
    let n = OutboundSession::new(suite.policy())
        .unwrap()
        .protect_rtcp(&mut ours, len)
        .unwrap();
    assert_eq!(floor.seal_rtcp(&mut theirs, len, 0), n);
    assert_eq!(ours, theirs);

    let mut buf = rtcp_packet(size, overhead);
    let mut index = 0u32;
    group.bench_function("floor", |b| {
        b.iter(|| {
            index = (index + 1) & !E_FLAG;
            floor.seal_rtcp(black_box(&mut buf), len, index)
        });
    });

    let mut buf = rtcp_packet(size, overhead);
    group.bench_function("srtp-sdes", |b| {
        b.iter(|| out.protect_rtcp(black_box(&mut buf), len).unwrap());
    });
}

fn srtp(c: &mut Criterion) {
    for suite in Suite::ALL {
        let name = suite.crypto_suite().name();
        for size in SIZES {
            let mut group = c.benchmark_group(format!("srtp/protect/{name}/{size}"));
            group.throughput(Throughput::Elements(1));
            bench_protect(&mut group, suite, size);
            group.finish();
        }
        for size in SIZES {
            let mut group = c.benchmark_group(format!("srtp/unprotect/{name}/{size}"));
            group.throughput(Throughput::Elements(1));
            bench_unprotect(&mut group, suite, size);
            group.finish();
        }
        let mut group = c.benchmark_group(format!("srtp/protect_rtcp/{name}/{RTCP_SIZE}"));
        group.throughput(Throughput::Elements(1));
        bench_protect_rtcp(&mut group, suite, RTCP_SIZE);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // 20 entries: about 80 seconds in all.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = srtp
}
criterion_main!(benches);
