//! Interoperability with libsrtp 2 (the library PyPI `pylibsrtp` bundles),
//! in both directions, for every suite both implement alike:
//! `AES_CM_128_HMAC_SHA1_80/32`, `AES_256_CM_HMAC_SHA1_80/32` and
//! `AEAD_AES_128/256_GCM`.
//!
//! - We protect, libsrtp unprotects and gives back our exact plaintext.
//! - libsrtp protects, we unprotect to the same plaintext with the expected
//!   SRTP index (ROC ‖ SEQ) or SRTCP index; and our protect of the same
//!   plaintext is byte-identical to libsrtp's (SRTP and SRTCP are
//!   deterministic). libsrtp starts the SRTCP index at 1 and we at 0: each
//!   side accepts the other's, and for the byte comparison our sender is
//!   first moved to index 1 by one RTCP packet per SSRC.
//! - A packet with one bit changed is refused by either side, changing
//!   nothing (the genuine packet is accepted after it), and a replayed one
//!   is refused.
//!
//! The RTP scenario: three SSRCs interleaved in one session, two starting
//! at ROC 0 just below the wrap (sequence numbers 65000 and 65530) and
//! running well into ROC 1, with the two packets at A's wrap sent out of
//! order, and one whose ROC 7 is signalled out of band (our `set_roc` /
//! `add_stream`, libsrtp's `srtp_set_stream_roc`). The packets carry 0 to 15
//! CSRCs, RFC 8285 one-byte (`0xBEDE`) and two-byte (`0x100X`) header
//! extensions of several words, RTP padding, empty payloads and 1200-byte
//! payloads. The RTCP scenario: SR, RR, SR+SDES and RR+SDES compounds and a
//! closing SR+SDES+BYE, twenty per SSRC for two SSRCs.
//!
//! AES-192: libsrtp 2.7 does not follow RFC 6188 there. It keys the key
//! derivation of every suite with a key longer than AES-128's with AES-256
//! (`srtp_stream_init_keys`: `kdf_keylen = 46`), over key ‖ salt padded
//! with zeros to 46 bytes: the PRF key is the 24-byte master key followed
//! by the first 8 bytes of the master salt, and the PRF salt the last 6
//! bytes of the master salt followed by 8 zeros. RFC 6188 §6 derives with
//! AES-192 keyed by the master key, with the whole salt, as we do (RFC 6188
//! §7.4's vector). So neither side accepts the other's AES-192 packets;
//! [`aes_192_cm_libsrtp_derives_keys_with_aes_256`] asserts exactly that,
//! and that libsrtp's packets are what that derivation gives.
//!
//! libsrtp runs as one `python3` process per test
//! (`tests/interop/libsrtp_peer.py`), fed one JSON job per line. Under CI
//! (`IMS_SEC_CI` set) a missing pylibsrtp fails the test; elsewhere the test
//! says so on stderr and passes. Run with `--nocapture` to see the
//! interop counts per suite.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};
use srtp_sdes::crypto::SessionKeys;
use srtp_sdes::kdf::{Kdf, Label};
use srtp_sdes::rtp::RtpHeader;
use srtp_sdes::{CryptoSuite, Error, InboundSession, OutboundSession, Policy};

mod common;
use common::peer_available;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/libsrtp_peer.py");

/// The RTP streams: SSRC, first sequence number, ROC signalled out of band,
/// packets.
const STREAMS: [(u32, u16, u32, usize); 3] = [
    (0x1234_5678, 65000, 0, 900),
    (0xdead_beef, 65530, 0, 400),
    (0x0bad_f00d, 65500, 7, 200),
];
/// The SSRCs sending RTCP, and how many compounds each sends.
const RTCP_SSRCS: [u32; 2] = [0x1234_5678, 0xdead_beef];
const RTCP_PER_SSRC: u32 = 20;

/// What the scenario sends, per suite and direction.
const RTP_PACKETS: usize = 900 + 400 + 200;
const RTCP_PACKETS: usize = 2 * 20;

/// The replay window both sides use (our default; libsrtp's too).
const WINDOW: u32 = 128;

// ---------------------------------------------------------------------------
// libsrtp

/// libsrtp as a child process speaking the JSON lines of `libsrtp_peer.py`.
struct Libsrtp {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The libsrtp version string (`libsrtp2 2.7.0`).
    version: String,
}

/// One packet's outcome at libsrtp: the packet, or libsrtp's error text.
type Outcome = Result<Vec<u8>, String>;

impl Libsrtp {
    /// Starts libsrtp, or `None` (after the CI check) if python3 or
    /// pylibsrtp is missing.
    fn start() -> Option<Self> {
        let found = Command::new("python3")
            .args(["-c", "import pylibsrtp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !peer_available(
            "libsrtp (python3 with pylibsrtp)",
            found,
            "python3 -m pip install pylibsrtp",
        ) {
            return None;
        }
        assert!(Path::new(SCRIPT).exists(), "{SCRIPT} missing");
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        stdout.read_line(&mut ready).unwrap();
        let ready: Value = serde_json::from_str(&ready)
            .unwrap_or_else(|_| panic!("libsrtp_peer.py did not start: {ready:?}"));
        let version = ready["libsrtp"].as_str().unwrap().to_owned();
        Some(Self {
            child,
            stdin,
            stdout,
            version,
        })
    }

    /// Runs `packets` in order through one fresh libsrtp session; for RTP
    /// the streams of [`STREAMS`] with a ROC other than 0 start at it.
    fn run(
        &mut self,
        suite: CryptoSuite,
        key: &[u8],
        op: Op,
        kind: Kind,
        packets: &[Vec<u8>],
    ) -> Vec<Outcome> {
        let rocs: BTreeMap<String, u32> = STREAMS
            .iter()
            .filter(|s| s.2 != 0 && kind == Kind::Rtp)
            .map(|s| (s.0.to_string(), s.2))
            .collect();
        let job = json!({
            "suite": suite.name(),
            "key": hex::encode(key),
            "op": match op { Op::Protect => "protect", Op::Unprotect => "unprotect" },
            "kind": match kind { Kind::Rtp => "rtp", Kind::Rtcp => "rtcp" },
            "packets": packets.iter().map(hex::encode).collect::<Vec<_>>(),
            "roc": rocs,
            "window": WINDOW,
        });
        writeln!(self.stdin, "{job}").unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        let answer: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|_| panic!("libsrtp_peer.py answered {answer:?}"));
        if let Some(error) = answer.get("error") {
            panic!("libsrtp refused the {suite} session: {error}");
        }
        let outcomes: Vec<Outcome> = answer["packets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| match (p.get("ok"), p.get("err")) {
                (Some(ok), _) => Ok(hex::decode(ok.as_str().unwrap()).unwrap()),
                (_, Some(err)) => Err(err.as_str().unwrap().to_owned()),
                _ => panic!("libsrtp_peer.py answered {p}"),
            })
            .collect();
        assert_eq!(outcomes.len(), packets.len());
        outcomes
    }
}

impl Drop for Libsrtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Protect,
    Unprotect,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Rtp,
    Rtcp,
}

// ---------------------------------------------------------------------------
// The scenario

/// A plain packet with what the receiver must report for it.
#[derive(Clone)]
struct Plain {
    bytes: Vec<u8>,
    ssrc: u32,
    /// SRTP index (ROC ‖ SEQ), or the SRTCP index libsrtp gives it (from 1).
    index: u64,
}

/// Distinct key ‖ salt bytes for each suite.
fn key_salt(suite: CryptoSuite) -> Vec<u8> {
    let seed = suite.name().bytes().map(usize::from).sum::<usize>();
    (0..suite.key_salt_len())
        .map(|i| (seed + 29 * i) as u8 ^ 0xa5)
        .collect()
}

/// The header extension a packet carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Extension {
    None,
    /// RFC 8285 §4.2, profile `0xBEDE`.
    OneByte,
    /// RFC 8285 §4.3, profile `0x100X` (X: the appbits).
    TwoByte,
}

/// How packet `k` of a stream looks: each shape recurs with its own period,
/// so that combinations (CSRCs with an extension and padding, padding of an
/// empty payload, ...) occur too.
fn shape(k: usize) -> (usize, Extension, usize, usize) {
    let csrcs = k % 16;
    let extension = match k % 6 {
        1 => Extension::OneByte,
        4 => Extension::TwoByte,
        _ => Extension::None,
    };
    let payload = if k % 13 == 5 {
        1200
    } else if k % 11 == 4 {
        0
    } else {
        20 + k * 37 % 160
    };
    let padding = if k % 7 == 3 { 1 + k % 8 } else { 0 };
    (csrcs, extension, payload, padding)
}

/// RTP packet `k` of the stream `ssrc` (RFC 3550 §5.1).
fn rtp_packet(ssrc: u32, seq: u16, k: usize) -> Vec<u8> {
    let (csrcs, extension, payload, padding) = shape(k);
    let mut p = vec![
        0x80 | u8::from(padding > 0) << 5
            | u8::from(extension != Extension::None) << 4
            | csrcs as u8,
        u8::from(k % 20 == 0) << 7 | (96 + (k % 3) as u8),
    ];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(0x0100_0000 + 160 * k as u32).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    for c in 0..csrcs {
        p.extend_from_slice(&(0xc5c0_0000 + c as u32).to_be_bytes());
    }
    // Elements of 4 bytes each: one-byte ID|L with 3 bytes of data, or
    // two-byte ID, L = 2 with 2 bytes of data.
    let words = 1 + k % 5;
    match extension {
        Extension::None => {}
        Extension::OneByte => {
            p.extend_from_slice(&[0xbe, 0xde, 0, words as u8]);
            for w in 0..words {
                p.extend_from_slice(&[((1 + w % 14) as u8) << 4 | 2, w as u8, k as u8, 0xee]);
            }
        }
        Extension::TwoByte => {
            p.extend_from_slice(&[0x10, (k % 16) as u8, 0, words as u8]);
            for w in 0..words {
                p.extend_from_slice(&[1 + w as u8, 2, k as u8, 0xdd]);
            }
        }
    }
    p.extend((0..payload).map(|i| (i * 7 + k) as u8));
    if padding > 0 {
        p.extend(std::iter::repeat_n(0, padding - 1));
        p.push(padding as u8);
    }
    p
}

/// The RTP packets of all streams, interleaved.
fn rtp_scenario() -> Vec<Plain> {
    let mut streams: Vec<Vec<Plain>> = STREAMS
        .iter()
        .map(|&(ssrc, first, roc, count)| {
            (0..count)
                .map(|k| {
                    let index = (u64::from(roc) << 16) + u64::from(first) + k as u64;
                    Plain {
                        bytes: rtp_packet(ssrc, index as u16, k),
                        ssrc,
                        index,
                    }
                })
                .collect()
        })
        .collect();
    // The first stream's last packet of ROC 0 arrives after the first of ROC 1.
    let wrap = usize::from(u16::MAX - STREAMS[0].1);
    streams[0].swap(wrap, wrap + 1);
    interleave(streams)
}

/// An RTCP report block (RFC 3550 §6.4.1) about `source`.
fn report_block(source: u32, k: u32) -> Vec<u8> {
    let mut b = source.to_be_bytes().to_vec();
    b.extend_from_slice(&(0x0300_0000 | k).to_be_bytes()); // fraction lost, cumulative
    b.extend_from_slice(&(0x0001_0000 + k).to_be_bytes()); // extended highest seq
    b.extend_from_slice(&(k * 3).to_be_bytes()); // jitter
    b.extend_from_slice(&(0x1234_0000 + k).to_be_bytes()); // LSR
    b.extend_from_slice(&(k * 65).to_be_bytes()); // DLSR
    b
}

/// An RTCP packet: header with the count field and length, then `body`.
fn rtcp(count: usize, pt: u8, body: &[u8]) -> Vec<u8> {
    assert_eq!(body.len() % 4, 0);
    let mut p = vec![0x80 | count as u8, pt];
    p.extend_from_slice(&(body.len() as u16 / 4).to_be_bytes());
    p.extend_from_slice(body);
    p
}

fn sender_report(ssrc: u32, k: u32, blocks: usize) -> Vec<u8> {
    let mut body = ssrc.to_be_bytes().to_vec();
    body.extend_from_slice(&(0xe9b0_0000 + k).to_be_bytes()); // NTP seconds
    body.extend_from_slice(&(k << 20).to_be_bytes()); // NTP fraction
    body.extend_from_slice(&(0x0100_0000 + 8000 * k).to_be_bytes()); // RTP time
    body.extend_from_slice(&(50 * k).to_be_bytes()); // packets
    body.extend_from_slice(&(8000 * k).to_be_bytes()); // octets
    for b in 0..blocks {
        body.extend(report_block(0x5000_0000 + b as u32, k));
    }
    rtcp(blocks, 200, &body)
}

fn receiver_report(ssrc: u32, k: u32, blocks: usize) -> Vec<u8> {
    let mut body = ssrc.to_be_bytes().to_vec();
    for b in 0..blocks {
        body.extend(report_block(0x5000_0000 + b as u32, k));
    }
    rtcp(blocks, 201, &body)
}

/// SDES with one chunk: the CNAME item, the end item, padding to a word.
fn sdes(ssrc: u32) -> Vec<u8> {
    let cname = format!("user{ssrc:08x}@ims.example.net");
    let mut body = ssrc.to_be_bytes().to_vec();
    body.extend_from_slice(&[1, cname.len() as u8]);
    body.extend_from_slice(cname.as_bytes());
    body.push(0);
    while body.len() % 4 != 0 {
        body.push(0);
    }
    rtcp(1, 202, &body)
}

fn bye(ssrc: u32) -> Vec<u8> {
    rtcp(1, 203, &ssrc.to_be_bytes())
}

/// The RTCP compounds of all senders, interleaved; `index` is libsrtp's
/// SRTCP index (ours is one less).
fn rtcp_scenario() -> Vec<Plain> {
    let streams = RTCP_SSRCS
        .iter()
        .map(|&ssrc| {
            (0..RTCP_PER_SSRC)
                .map(|k| {
                    let bytes = match k % 5 {
                        _ if k == RTCP_PER_SSRC - 1 => {
                            [sender_report(ssrc, k, 1), sdes(ssrc), bye(ssrc)].concat()
                        }
                        0 => sender_report(ssrc, k, 0),
                        1 => receiver_report(ssrc, k, 1),
                        2 => [sender_report(ssrc, k, 1), sdes(ssrc)].concat(),
                        3 => [receiver_report(ssrc, k, 0), sdes(ssrc)].concat(),
                        _ => [sender_report(ssrc, k, 2), sdes(ssrc)].concat(),
                    };
                    Plain {
                        bytes,
                        ssrc,
                        index: u64::from(k) + 1,
                    }
                })
                .collect()
        })
        .collect();
    interleave(streams)
}

/// One packet of each stream in turn, until all are sent.
fn interleave(streams: Vec<Vec<Plain>>) -> Vec<Plain> {
    let mut iters: Vec<_> = streams.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::new();
    loop {
        let before = out.len();
        out.extend(iters.iter_mut().filter_map(Iterator::next));
        if out.len() == before {
            return out;
        }
    }
}

// ---------------------------------------------------------------------------
// Our side

fn outbound(suite: CryptoSuite, key: &[u8]) -> OutboundSession {
    let mut session = OutboundSession::new(Policy::from_key_salt(suite, key).unwrap()).unwrap();
    for &(ssrc, _, roc, _) in &STREAMS {
        session.set_roc(ssrc, roc).unwrap();
    }
    session
}

fn inbound(suite: CryptoSuite, key: &[u8]) -> InboundSession {
    let mut session = InboundSession::new(Policy::from_key_salt(suite, key).unwrap()).unwrap();
    for &(ssrc, _, roc, _) in &STREAMS {
        session.add_stream(ssrc, roc).unwrap();
    }
    session
}

fn protect_all(session: &mut OutboundSession, kind: Kind, packets: &[Plain]) -> Vec<Vec<u8>> {
    packets
        .iter()
        .map(|p| {
            let mut buf = p.bytes.clone();
            match kind {
                Kind::Rtp => session.protect_rtp_vec(&mut buf),
                Kind::Rtcp => session.protect_rtcp_vec(&mut buf),
            }
            .unwrap_or_else(|e| panic!("we could not protect {kind:?} {}: {e}", p.ssrc));
            buf
        })
        .collect()
}

/// Our SRTCP sender moved to index 1 (libsrtp's first) by one RTCP packet
/// per SSRC.
fn outbound_from_srtcp_index_1(suite: CryptoSuite, key: &[u8]) -> OutboundSession {
    let mut session = outbound(suite, key);
    for ssrc in RTCP_SSRCS {
        session
            .protect_rtcp_vec(&mut receiver_report(ssrc, 0, 0))
            .unwrap();
    }
    session
}

/// The E ‖ SRTCP index word of an SRTCP packet (no MKI).
fn srtcp_e_index(suite: CryptoSuite, packet: &[u8]) -> u32 {
    let end = if suite.is_aead() {
        packet.len()
    } else {
        packet.len() - suite.srtcp_tag_len()
    };
    u32::from_be_bytes(packet[end - 4..end].try_into().unwrap())
}

/// A copy of `packet` with one authenticated bit changed.
fn tampered(packet: &[u8]) -> Vec<u8> {
    let mut p = packet.to_vec();
    p[packet.len() / 2] ^= 0x01;
    p
}

/// The packets of a stream with, before the last one, a tampered copy of
/// it, and after it the last one again (a replay).
fn with_tampered_and_replayed(packets: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let last = packets.last().unwrap();
    let mut out = packets[..packets.len() - 1].to_vec();
    out.extend([tampered(last), last.clone(), last.clone()]);
    out
}

/// Checks libsrtp's answers to `with_tampered_and_replayed(...)`: every
/// packet recovered, the tampered one and the replay refused. Returns how
/// many it recovered.
fn check_libsrtp_unprotect(
    suite: CryptoSuite,
    kind: Kind,
    plain: &[Plain],
    got: &[Outcome],
) -> usize {
    let n = plain.len();
    let mut recovered = 0;
    for (i, p) in plain.iter().enumerate() {
        let at = if i == n - 1 { n } else { i };
        match &got[at] {
            Ok(bytes) if *bytes == p.bytes => recovered += 1,
            Ok(bytes) => panic!(
                "{suite} {kind:?} packet {i}: libsrtp recovered\n{}\ninstead of\n{}",
                hex::encode(bytes),
                hex::encode(&p.bytes)
            ),
            Err(e) => panic!("{suite} {kind:?} packet {i} (SSRC {:#x}, index {}): libsrtp refused our packet: {e}", p.ssrc, p.index),
        }
    }
    assert_eq!(
        got[n - 1],
        Err("authentication failure".to_owned()),
        "{suite} {kind:?}: libsrtp on a tampered packet"
    );
    assert_eq!(
        got[n + 1],
        Err("replay check failed (bad index)".to_owned()),
        "{suite} {kind:?}: libsrtp on a replayed packet"
    );
    recovered
}

/// We unprotect libsrtp's `packets` (with a tampered copy and a replay of
/// the last); returns how many gave back the plaintext with the expected
/// SSRC and index. `index_offset` is subtracted from `Plain::index` (1 for
/// our own SRTCP, which starts at 0).
fn check_our_unprotect(
    suite: CryptoSuite,
    kind: Kind,
    session: &mut InboundSession,
    plain: &[Plain],
    packets: &[Vec<u8>],
    index_offset: u64,
) -> usize {
    let n = plain.len();
    let mut recovered = 0;
    for (i, (p, packet)) in plain.iter().zip(packets).enumerate() {
        let unprotect = |session: &mut InboundSession, packet: &[u8]| {
            let mut buf = packet.to_vec();
            let r = match kind {
                Kind::Rtp => session.unprotect_rtp(&mut buf),
                Kind::Rtcp => session.unprotect_rtcp(&mut buf),
            };
            r.map(|u| {
                buf.truncate(u.len);
                (u, buf)
            })
        };
        if i == n - 1 {
            assert!(
                matches!(
                    unprotect(session, &tampered(packet)),
                    Err(Error::Authentication)
                ),
                "{suite} {kind:?}: we accepted a tampered packet"
            );
        }
        let (u, buf) = unprotect(session, packet).unwrap_or_else(|e| {
            panic!(
                "{suite} {kind:?} packet {i} (SSRC {:#x}, index {}): we refused libsrtp's {}: {e}",
                p.ssrc,
                p.index,
                hex::encode(packet)
            )
        });
        assert_eq!(buf, p.bytes, "{suite} {kind:?} packet {i}: plaintext");
        assert_eq!(
            (u.ssrc, u.index),
            (p.ssrc, p.index - index_offset),
            "{suite} {kind:?} packet {i}: SSRC and index"
        );
        recovered += 1;
        if i == n - 1 {
            assert!(
                matches!(unprotect(session, packet), Err(Error::Replay(_))),
                "{suite} {kind:?}: we accepted a replayed packet"
            );
        }
    }
    recovered
}

fn all_ok(suite: CryptoSuite, kind: Kind, outcomes: Vec<Outcome>) -> Vec<Vec<u8>> {
    outcomes
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.unwrap_or_else(|e| {
                panic!("{suite} {kind:?} packet {i}: libsrtp refused to protect: {e}")
            })
        })
        .collect()
}

fn count_identical(a: &[Vec<u8>], b: &[Vec<u8>]) -> usize {
    a.iter().zip(b).filter(|(a, b)| a == b).count()
}

// ---------------------------------------------------------------------------
// The tests

/// The whole scenario for one suite, both ways.
fn interop(suite: CryptoSuite) {
    let Some(mut libsrtp) = Libsrtp::start() else {
        return;
    };
    let key = key_salt(suite);
    let rtp = rtp_scenario();
    let rtcp = rtcp_scenario();
    let plain_rtp: Vec<Vec<u8>> = rtp.iter().map(|p| p.bytes.clone()).collect();
    let plain_rtcp: Vec<Vec<u8>> = rtcp.iter().map(|p| p.bytes.clone()).collect();

    // We protect, libsrtp unprotects. Our SRTCP index starts at 0.
    let mut ours = outbound(suite, &key);
    let ours_rtp = protect_all(&mut ours, Kind::Rtp, &rtp);
    let ours_rtcp = protect_all(&mut ours, Kind::Rtcp, &rtcp);
    assert_eq!(srtcp_e_index(suite, &ours_rtcp[0]), 0x8000_0000);
    let got = libsrtp.run(
        suite,
        &key,
        Op::Unprotect,
        Kind::Rtp,
        &with_tampered_and_replayed(&ours_rtp),
    );
    let we_to_libsrtp_rtp = check_libsrtp_unprotect(suite, Kind::Rtp, &rtp, &got);
    let got = libsrtp.run(
        suite,
        &key,
        Op::Unprotect,
        Kind::Rtcp,
        &with_tampered_and_replayed(&ours_rtcp),
    );
    let we_to_libsrtp_rtcp = check_libsrtp_unprotect(suite, Kind::Rtcp, &rtcp, &got);

    // libsrtp protects, we unprotect. libsrtp's SRTCP index starts at 1.
    let theirs_rtp = all_ok(
        suite,
        Kind::Rtp,
        libsrtp.run(suite, &key, Op::Protect, Kind::Rtp, &plain_rtp),
    );
    let theirs_rtcp = all_ok(
        suite,
        Kind::Rtcp,
        libsrtp.run(suite, &key, Op::Protect, Kind::Rtcp, &plain_rtcp),
    );
    assert_eq!(srtcp_e_index(suite, &theirs_rtcp[0]), 0x8000_0001);
    let mut session = inbound(suite, &key);
    let libsrtp_to_we_rtp =
        check_our_unprotect(suite, Kind::Rtp, &mut session, &rtp, &theirs_rtp, 0);
    let libsrtp_to_we_rtcp =
        check_our_unprotect(suite, Kind::Rtcp, &mut session, &rtcp, &theirs_rtcp, 0);
    // Our own SRTCP from index 0 is accepted by our receiver as well.
    let mut session = inbound(suite, &key);
    check_our_unprotect(suite, Kind::Rtcp, &mut session, &rtcp, &ours_rtcp, 1);

    // Same plaintext, same index: same bytes.
    let identical_rtp = count_identical(&theirs_rtp, &ours_rtp);
    let ours_rtcp_from_1 = protect_all(
        &mut outbound_from_srtcp_index_1(suite, &key),
        Kind::Rtcp,
        &rtcp,
    );
    let identical_rtcp = count_identical(&theirs_rtcp, &ours_rtcp_from_1);
    if let Some(i) = (0..rtp.len()).find(|&i| theirs_rtp[i] != ours_rtp[i]) {
        panic!(
            "{suite} RTP packet {i} differs:\nlibsrtp {}\nours    {}",
            hex::encode(&theirs_rtp[i]),
            hex::encode(&ours_rtp[i])
        );
    }

    eprintln!(
        "libsrtp interop {suite} ({}): we→libsrtp {we_to_libsrtp_rtp} RTP {we_to_libsrtp_rtcp} RTCP, \
         libsrtp→we {libsrtp_to_we_rtp} RTP {libsrtp_to_we_rtcp} RTCP, \
         byte-identical {identical_rtp} RTP {identical_rtcp} RTCP",
        libsrtp.version
    );
    for count in [we_to_libsrtp_rtp, libsrtp_to_we_rtp, identical_rtp] {
        assert_eq!(count, RTP_PACKETS, "{suite}: RTP count");
    }
    for count in [we_to_libsrtp_rtcp, libsrtp_to_we_rtcp, identical_rtcp] {
        assert_eq!(count, RTCP_PACKETS, "{suite}: RTCP count");
    }
}

#[test]
fn aes_cm_128_hmac_sha1_80() {
    interop(CryptoSuite::AesCm128HmacSha1_80);
}

#[test]
fn aes_cm_128_hmac_sha1_32() {
    interop(CryptoSuite::AesCm128HmacSha1_32);
}

#[test]
fn aes_256_cm_hmac_sha1_80() {
    interop(CryptoSuite::AesCm256HmacSha1_80);
}

#[test]
fn aes_256_cm_hmac_sha1_32() {
    interop(CryptoSuite::AesCm256HmacSha1_32);
}

#[test]
fn aead_aes_128_gcm() {
    interop(CryptoSuite::AeadAes128Gcm);
}

#[test]
fn aead_aes_256_gcm() {
    interop(CryptoSuite::AeadAes256Gcm);
}

// ---------------------------------------------------------------------------
// AES-192: the documented difference

/// The SRTP (`rtcp == false`) or SRTCP session keys libsrtp 2.7 derives for
/// an AES-192 suite: the AES-256 PRF keyed with key ‖ salt ‖ 0^8 (46 bytes
/// as 32-byte key and 14-byte salt), instead of RFC 6188 §6's AES-192 PRF.
fn libsrtp_aes_192_keys(suite: CryptoSuite, key_salt: &[u8], rtcp: bool) -> SessionKeys {
    assert_eq!(key_salt.len(), 38);
    let mut padded = key_salt.to_vec();
    padded.resize(46, 0);
    let kdf = Kdf::new(&padded[..32], &padded[32..]).unwrap();
    let labels = if rtcp {
        [
            Label::RtcpEncryption,
            Label::RtcpAuthentication,
            Label::RtcpSalt,
        ]
    } else {
        [
            Label::RtpEncryption,
            Label::RtpAuthentication,
            Label::RtpSalt,
        ]
    };
    let mut out = [vec![0; 24], vec![0; 20], vec![0; 14]];
    for (label, out) in labels.iter().zip(&mut out) {
        kdf.derive(*label, 0, out);
    }
    SessionKeys::from_session_keys(suite, &out[0], &out[2], &out[1]).unwrap()
}

/// SRTP by hand with given session keys (RFC 3711 §3.1, AES-CM + HMAC-SHA1).
fn srtp_with(keys: &SessionKeys, plain: &Plain) -> Vec<u8> {
    let header = RtpHeader::parse(&plain.bytes).unwrap();
    let mut p = plain.bytes.clone();
    keys.apply_cm_keystream(plain.ssrc, plain.index, &mut p[header.len..]);
    let tag = keys.hmac(&p, &((plain.index >> 16) as u32).to_be_bytes());
    p.extend_from_slice(&tag[..keys.suite().srtp_tag_len()]);
    p
}

/// SRTCP by hand with given session keys (RFC 3711 §3.4), at `plain.index`.
fn srtcp_with(keys: &SessionKeys, plain: &Plain) -> Vec<u8> {
    let mut p = plain.bytes.clone();
    keys.apply_cm_keystream(plain.ssrc, plain.index, &mut p[8..]);
    p.extend_from_slice(&(0x8000_0000 | plain.index as u32).to_be_bytes());
    let tag = keys.hmac(&p, &[]);
    p.extend_from_slice(&tag[..keys.suite().srtcp_tag_len()]);
    p
}

/// libsrtp accepts the AES-192 suites (through its raw crypto policy) but
/// derives their session keys with AES-256, unlike RFC 6188, so it and we
/// refuse each other's packets. Asserted exactly: libsrtp's packets are what
/// that AES-256 derivation gives, packet for packet, and with RFC 6188
/// §7.4's master key our session keys are the RFC's and libsrtp's are not.
#[test]
fn aes_192_cm_libsrtp_derives_keys_with_aes_256() {
    let Some(mut libsrtp) = Libsrtp::start() else {
        return;
    };
    let rtp = rtp_scenario();
    let rtcp = rtcp_scenario();
    let plain_rtp: Vec<Vec<u8>> = rtp.iter().map(|p| p.bytes.clone()).collect();
    let plain_rtcp: Vec<Vec<u8>> = rtcp.iter().map(|p| p.bytes.clone()).collect();
    for suite in [
        CryptoSuite::AesCm192HmacSha1_80,
        CryptoSuite::AesCm192HmacSha1_32,
    ] {
        let key = key_salt(suite);
        let theirs_rtp = all_ok(
            suite,
            Kind::Rtp,
            libsrtp.run(suite, &key, Op::Protect, Kind::Rtp, &plain_rtp),
        );
        let theirs_rtcp = all_ok(
            suite,
            Kind::Rtcp,
            libsrtp.run(suite, &key, Op::Protect, Kind::Rtcp, &plain_rtcp),
        );

        // libsrtp agrees with itself...
        let got = libsrtp.run(
            suite,
            &key,
            Op::Unprotect,
            Kind::Rtp,
            &with_tampered_and_replayed(&theirs_rtp),
        );
        check_libsrtp_unprotect(suite, Kind::Rtp, &rtp, &got);
        let got = libsrtp.run(
            suite,
            &key,
            Op::Unprotect,
            Kind::Rtcp,
            &with_tampered_and_replayed(&theirs_rtcp),
        );
        check_libsrtp_unprotect(suite, Kind::Rtcp, &rtcp, &got);

        // ...and its packets are exactly those of the AES-256 derivation.
        let (rtp_keys, rtcp_keys) = (
            libsrtp_aes_192_keys(suite, &key, false),
            libsrtp_aes_192_keys(suite, &key, true),
        );
        let reproduced_rtp = rtp
            .iter()
            .zip(&theirs_rtp)
            .filter(|(p, theirs)| srtp_with(&rtp_keys, p) == **theirs)
            .count();
        let reproduced_rtcp = rtcp
            .iter()
            .zip(&theirs_rtcp)
            .filter(|(p, theirs)| srtcp_with(&rtcp_keys, p) == **theirs)
            .count();

        // Ours differ in every packet, and each side refuses the other's.
        let ours_rtp = protect_all(&mut outbound(suite, &key), Kind::Rtp, &rtp);
        let ours_rtcp = protect_all(
            &mut outbound_from_srtcp_index_1(suite, &key),
            Kind::Rtcp,
            &rtcp,
        );
        let identical =
            count_identical(&ours_rtp, &theirs_rtp) + count_identical(&ours_rtcp, &theirs_rtcp);
        let libsrtp_refused = libsrtp
            .run(suite, &key, Op::Unprotect, Kind::Rtp, &ours_rtp)
            .into_iter()
            .chain(libsrtp.run(suite, &key, Op::Unprotect, Kind::Rtcp, &ours_rtcp))
            .filter(|o| *o == Err("authentication failure".to_owned()))
            .count();
        let mut session = inbound(suite, &key);
        let mut we_refused = 0;
        for p in &theirs_rtp {
            let r = session.unprotect_rtp(&mut p.clone());
            we_refused += usize::from(matches!(r, Err(Error::Authentication)));
        }
        for p in &theirs_rtcp {
            let r = session.unprotect_rtcp(&mut p.clone());
            we_refused += usize::from(matches!(r, Err(Error::Authentication)));
        }

        eprintln!(
            "libsrtp interop {suite} ({}): not interoperable, libsrtp derives AES-192 keys with AES-256 \
             (RFC 6188 says AES-192): {reproduced_rtp} RTP {reproduced_rtcp} RTCP of libsrtp's \
             reproduced by that derivation; libsrtp refused {libsrtp_refused} and we refused {we_refused} \
             of the other's {RTP_PACKETS} RTP + {RTCP_PACKETS} RTCP; byte-identical {identical}",
            libsrtp.version
        );
        assert_eq!(
            (reproduced_rtp, reproduced_rtcp),
            (RTP_PACKETS, RTCP_PACKETS),
            "{suite}"
        );
        assert_eq!(identical, 0, "{suite}");
        assert_eq!(libsrtp_refused, RTP_PACKETS + RTCP_PACKETS, "{suite}");
        assert_eq!(we_refused, RTP_PACKETS + RTCP_PACKETS, "{suite}");
    }

    // RFC 6188 §7.4's master key and salt and its AES-192 session keys.
    let suite = CryptoSuite::AesCm192HmacSha1_80;
    let key =
        hex::decode("73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1c8522f3acd4ce86d5add78edbb11")
            .unwrap();
    let rfc = SessionKeys::from_session_keys(
        suite,
        &hex::decode("31874736a8f1143870c26e4857d8a5b2c4a354407faadabb").unwrap(),
        &hex::decode("2372b82d639b6d8503a47adc0a6c").unwrap(),
        &hex::decode("355b10973cd95b9eacf4061c7e1a7151e7cfbfcb").unwrap(),
    )
    .unwrap();
    let plain = &rtp[..10];
    let theirs = all_ok(
        suite,
        Kind::Rtp,
        libsrtp.run(
            suite,
            &key,
            Op::Protect,
            Kind::Rtp,
            &plain.iter().map(|p| p.bytes.clone()).collect::<Vec<_>>(),
        ),
    );
    let ours = protect_all(&mut outbound(suite, &key), Kind::Rtp, plain);
    let emulated = libsrtp_aes_192_keys(suite, &key, false);
    for (i, p) in plain.iter().enumerate() {
        assert_eq!(ours[i], srtp_with(&rfc, p), "ours follows RFC 6188 §7.4");
        assert_eq!(
            theirs[i],
            srtp_with(&emulated, p),
            "libsrtp: the AES-256 derivation"
        );
        assert_ne!(theirs[i], ours[i], "libsrtp differs from RFC 6188 §7.4");
    }
}

/// The scenario has every packet shape the issue asks for, and crosses the
/// ROC wrap; this needs no peer.
#[test]
fn scenario_covers_every_shape() {
    let rtp = rtp_scenario();
    assert_eq!(rtp.len(), RTP_PACKETS);
    assert_eq!(rtcp_scenario().len(), RTCP_PACKETS);
    let shapes: Vec<_> = (0..STREAMS[0].3).map(shape).collect();
    for cc in 0..16 {
        assert!(shapes.iter().any(|s| s.0 == cc), "CC={cc}");
    }
    for ext in [Extension::OneByte, Extension::TwoByte] {
        assert!(shapes.iter().any(|s| s.1 == ext && s.0 > 0 && s.3 > 0));
    }
    assert!(
        shapes.iter().any(|s| s.2 == 0 && s.3 > 0),
        "padding, no payload"
    );
    assert!(shapes.iter().any(|s| s.2 == 0 && s.3 == 0), "empty");
    assert!(shapes
        .iter()
        .any(|s| s.2 == 1200 && s.3 > 0 && s.1 != Extension::None));
    for &(ssrc, _, roc, _) in &STREAMS {
        let indices: Vec<u64> = rtp
            .iter()
            .filter(|p| p.ssrc == ssrc)
            .map(|p| p.index)
            .collect();
        assert!(indices.iter().any(|i| i >> 16 == u64::from(roc)));
        assert!(indices
            .iter()
            .any(|i| i >> 16 == u64::from(roc) + 1 && i & 0xffff > 100));
    }
    // Every packet fits pylibsrtp's 1500-byte buffer with the largest trailer.
    assert!(rtp.iter().all(|p| p.bytes.len() + 16 <= 1500 - 128));
}
