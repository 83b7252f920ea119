//! Interoperability with scapy's ESP (`scapy.layers.ipsec.SecurityAssociation`,
//! PyPI `scapy` with `cryptography`), in both directions, for every
//! algorithm pair both implement, over IPv4 and IPv6, with 32-bit and
//! extended sequence numbers.
//!
//! - Ours to scapy: what [`esp_sa::ip::protect`] sends, scapy checks,
//!   decrypts and gives back as the original packet.
//! - Scapy to ours: what scapy's `encrypt` sends, [`esp_sa::ip::unprotect`]
//!   accepts and turns back into the original packet; and given the same IV
//!   and sequence number, both sides send the same bytes.
//! - A packet with one bit changed is refused by the other side (pairs with
//!   an ICV).
//!
//! The packets are SIP over UDP and TCP of many sizes (0 bytes of data, and
//! sizes on both sides of the 4-, 8- and 16-byte block boundaries) and one
//! packet with an empty upper layer. scapy runs as one `python3` process
//! (`tests/interop/scapy_esp.py`), fed one packet per line.
//!
//! Under CI (`IMS_SEC_CI` set) a missing scapy fails the test; elsewhere the
//! test says so on stderr and passes. Run with `--nocapture` to see the
//! packet counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use esp_sa::ip::{protect, unprotect};
use esp_sa::{
    EncryptionAlgorithm, InboundSa, IntegrityAlgorithm, OutboundSa, ReplayWindow, Transform,
};
use rand_core::RngCore;

mod common;
use common::packets::{self, NO_NEXT_HEADER};
use common::{all_pairs, peer_available, Counter, FixedIv};

const NOW: Duration = Duration::ZERO;
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/scapy_esp.py");

/// Bytes of SIP text after the UDP or TCP header. With the 8-byte UDP and
/// 20-byte TCP headers and the 2-byte trailer these land on, just before
/// and just after the 4-, 8- and 16-byte boundaries.
const DATA_LENS: &[usize] = &[
    0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 21, 22, 23, 26, 27, 100, 333, 1000,
];

/// The high half of the extended sequence numbers: the ESN runs start just
/// below 4 × 2^32 and cross into the next 2^32 subspace halfway.
const ESN_HIGH: u64 = 3;

/// scapy as a child process speaking the line protocol of `scapy_esp.py`.
struct Scapy {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    version: String,
}

impl Scapy {
    /// Starts scapy, or `None` (after the CI check) if python3 or scapy is
    /// missing.
    fn start() -> Option<Self> {
        let found = Command::new("python3")
            .args(["-c", "import scapy.layers.ipsec, cryptography"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !peer_available(
            "scapy (python3 with scapy and cryptography)",
            found,
            "python3 -m pip install scapy cryptography",
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
        let version = ready
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("scapy_esp.py did not start: {ready:?}"))
            .to_owned();
        Some(Self {
            child,
            stdin,
            stdout,
            version,
        })
    }

    /// One request; `Ok(packet)` or scapy's error message.
    fn call(
        &mut self,
        op: &str,
        sa: &PeerSa,
        seq: u64,
        iv: &[u8],
        packet: &[u8],
    ) -> Result<Vec<u8>, String> {
        let line = format!(
            "{op} {} {} {} {} {} {seq} {} {} {}\n",
            sa.crypt,
            hex_or_dash(&sa.crypt_key),
            sa.auth,
            hex_or_dash(&sa.auth_key),
            sa.spi,
            u8::from(sa.esn),
            hex_or_dash(iv),
            hex_or_dash(packet),
        );
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        match answer.trim().split_once(' ') {
            Some(("ok", "-")) => Ok(Vec::new()),
            Some(("ok", packet)) => Ok(hex::decode(packet).unwrap()),
            Some(("err", message)) => Err(message.to_owned()),
            _ => panic!("scapy_esp.py answered {answer:?} to {line}"),
        }
    }
}

impl Drop for Scapy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex_or_dash(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        "-".to_owned()
    } else {
        hex::encode(bytes)
    }
}

/// One SA as both sides key it: our algorithms and keys, and scapy's names.
struct PeerSa {
    int: IntegrityAlgorithm,
    enc: EncryptionAlgorithm,
    int_key: Vec<u8>,
    enc_key: Vec<u8>,
    spi: u32,
    esn: bool,
    crypt: &'static str,
    crypt_key: Vec<u8>,
    auth: &'static str,
    auth_key: Vec<u8>,
}

impl PeerSa {
    /// The SA for a pair, or `None` if scapy lacks an algorithm of it.
    fn new(int: IntegrityAlgorithm, enc: EncryptionAlgorithm, spi: u32, esn: bool) -> Option<Self> {
        use EncryptionAlgorithm as E;
        use IntegrityAlgorithm as I;
        // Distinct keys for each pair and SPI.
        let mut rng = Counter(u64::from(spi) << 8);
        let mut int_key = vec![0; int.key_len()];
        let mut enc_key = vec![0; enc.key_len()];
        rng.fill_bytes(&mut int_key);
        rng.fill_bytes(&mut enc_key);
        // RFC 4543's GMAC is an "encryption" algorithm to scapy, keyed with
        // key ‖ salt like GCM.
        let (crypt, crypt_key) = match (int, enc) {
            (I::AesGmac, E::Null) => ("AES-NULL-GMAC", int_key.clone()),
            (_, E::Null) => ("NULL", Vec::new()),
            (_, E::AesCbc128) => ("AES-CBC", enc_key.clone()),
            (_, E::DesEde3Cbc) => ("3DES", enc_key.clone()),
            (_, E::AesGcm) => ("AES-GCM", enc_key.clone()),
            _ => return None,
        };
        let (auth, auth_key) = match int {
            I::HmacSha196 => ("HMAC-SHA1-96", int_key.clone()),
            I::HmacMd596 => ("HMAC-MD5-96", int_key.clone()),
            I::Null | I::AesGmac => ("NULL", Vec::new()),
            _ => return None,
        };
        Some(Self {
            int,
            enc,
            int_key,
            enc_key,
            spi,
            esn,
            crypt,
            crypt_key,
            auth,
            auth_key,
        })
    }

    fn transform(&self) -> Transform {
        Transform::new(self.int, &self.int_key, self.enc, &self.enc_key).unwrap()
    }

    fn has_icv(&self) -> bool {
        self.transform().icv_len() > 0
    }

    fn name(&self) -> String {
        format!("{}/{}", self.int, self.enc)
    }

    /// The last sequence number before a run: none yet, or with ESN just
    /// below the next 2^32 boundary so the run crosses it.
    fn start(&self, packets: usize) -> u64 {
        if self.esn {
            (ESN_HIGH << 32) | u64::from(u32::MAX - (packets / 2) as u32)
        } else {
            0
        }
    }

    /// The inbound SA, its window already past `start` (the receiver has
    /// seen the sender's last packet, so it infers the high half of the
    /// next ones, RFC 4303 A2.2).
    fn inbound(&self, start: u64) -> InboundSa {
        let mut window = ReplayWindow::new(64, self.esn).unwrap();
        if start > 0 {
            window.accept(start).unwrap();
        }
        InboundSa::new(self.spi, self.transform(), window)
    }

    /// The IV to send with sequence number `seq`: random for CBC, the
    /// sequence number for GCM/GMAC (as our side does, RFC 4106 §3.1).
    fn iv(&self, seq: u64, rng: &mut Counter) -> Vec<u8> {
        let transform = self.transform();
        if transform.iv_is_counter() {
            // Our counter IV: SPI ‖ sequence number (SPI XORed into the high half).
            (seq ^ (u64::from(self.spi) << 32)).to_be_bytes().to_vec()
        } else {
            let mut iv = vec![0; transform.iv_len()];
            rng.fill_bytes(&mut iv);
            iv
        }
    }
}

/// The packets of one run, UE to P-CSCF: SIP over UDP and TCP for each of
/// [`DATA_LENS`], and one with an empty upper layer.
fn test_packets(v6: bool) -> Vec<Vec<u8>> {
    let (ue, pcscf) = packets::addresses(v6);
    let mut all = Vec::new();
    for (i, &len) in DATA_LENS.iter().enumerate() {
        let data = packets::sip_bytes(len);
        all.push(packets::udp(ue, pcscf, 5062, 5063, &data));
        all.push(packets::tcp(ue, pcscf, 5062, 5063, 1000 + i as u32, &data));
    }
    all.push(packets::ip(ue, pcscf, NO_NEXT_HEADER, &[], 7));
    all
}

/// Every pair we implement that scapy also has, each with 32-bit and
/// extended sequence numbers.
fn peer_sas() -> Vec<PeerSa> {
    let mut sas = Vec::new();
    for (i, (int, enc)) in all_pairs().into_iter().enumerate() {
        for esn in [false, true] {
            let spi = 0x1000 + 2 * i as u32 + u32::from(esn);
            match PeerSa::new(int, enc, spi, esn) {
                Some(sa) => sas.push(sa),
                None => eprintln!("scapy has no {int}/{enc}: not tested"),
            }
        }
    }
    sas
}

/// Packets that passed, per pair: IPv4, IPv4 with ESN, IPv6, IPv6 with ESN.
struct Tally(Vec<(String, [usize; 4])>);

impl Tally {
    fn add(&mut self, sa: &PeerSa, v6: bool, passed: usize) {
        let column = usize::from(v6) * 2 + usize::from(sa.esn);
        let name = sa.name();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, counts)) => counts[column] += passed,
            None => {
                let mut counts = [0; 4];
                counts[column] = passed;
                self.0.push((name, counts));
            }
        }
    }

    fn print(&self, title: &str, version: &str) {
        eprintln!("\n{title} ({version}): packets that passed");
        eprintln!(
            "{:<28} {:>6} {:>9} {:>6} {:>9}",
            "alg/ealg", "IPv4", "IPv4 ESN", "IPv6", "IPv6 ESN"
        );
        let mut total = 0;
        for (name, [a, b, c, d]) in &self.0 {
            eprintln!("{name:<28} {a:>6} {b:>9} {c:>6} {d:>9}");
            total += a + b + c + d;
        }
        eprintln!("{} pairs, {total} packets", self.0.len());
    }
}

/// Flips one bit in the ESP part of a protected packet (the last byte: the
/// ICV).
fn tampered(packet: &[u8]) -> Vec<u8> {
    let mut bad = packet.to_vec();
    *bad.last_mut().unwrap() ^= 0x01;
    bad
}

#[test]
fn our_esp_packets_decrypt_and_authenticate_in_scapy() {
    let Some(mut scapy) = Scapy::start() else {
        return;
    };
    let mut tally = Tally(Vec::new());
    for sa in peer_sas() {
        for v6 in [false, true] {
            let originals = test_packets(v6);
            let start = sa.start(originals.len());
            let mut out =
                OutboundSa::new(sa.spi, sa.transform(), sa.esn).with_last_sequence_number(start);
            let mut rng = Counter(u64::from(sa.spi) * 1_000_003);
            let mut passed = 0;
            for (i, original) in originals.iter().enumerate() {
                let mut packet = original.clone();
                protect(&mut out, &mut packet, &mut rng, NOW).unwrap();
                let seq = out.last_sequence_number();
                assert_eq!(seq, start + i as u64 + 1);
                let context = format!(
                    "{} v6={v6} esn={} seq={seq:#x} packet {i}: ours {}",
                    sa.name(),
                    sa.esn,
                    hex::encode(&packet)
                );
                let back = scapy
                    .call("decrypt", &sa, seq, &[], &packet)
                    .unwrap_or_else(|e| panic!("scapy refuses {context}: {e}"));
                assert_eq!(
                    hex::encode(&back),
                    hex::encode(original),
                    "scapy decrypts {context} to another packet"
                );
                if i == 0 && sa.has_icv() {
                    let refused = scapy.call("decrypt", &sa, seq, &[], &tampered(&packet));
                    assert!(
                        refused
                            .as_ref()
                            .is_err_and(|e| e.contains("IntegrityError")),
                        "scapy accepts a tampered {context}: {refused:?}"
                    );
                }
                passed += 1;
            }
            tally.add(&sa, v6, passed);
        }
    }
    tally.print(
        "ours -> scapy (ip::protect, then scapy decrypt)",
        &scapy.version,
    );
}

#[test]
fn scapy_esp_packets_unprotect_here_and_match_ours_byte_for_byte() {
    let Some(mut scapy) = Scapy::start() else {
        return;
    };
    let mut tally = Tally(Vec::new());
    for sa in peer_sas() {
        for v6 in [false, true] {
            let originals = test_packets(v6);
            let start = sa.start(originals.len());
            let mut inbound = sa.inbound(start);
            let mut out =
                OutboundSa::new(sa.spi, sa.transform(), sa.esn).with_last_sequence_number(start);
            let mut rng = Counter(u64::from(sa.spi) * 7_000_003);
            let mut passed = 0;
            for (i, original) in originals.iter().enumerate() {
                let seq = start + i as u64 + 1;
                let iv = sa.iv(seq, &mut rng);
                let theirs = scapy
                    .call("encrypt", &sa, seq, &iv, original)
                    .unwrap_or_else(|e| panic!("scapy cannot encrypt: {e}"));
                let context = format!(
                    "{} v6={v6} esn={} seq={seq:#x} packet {i}: scapy's {}",
                    sa.name(),
                    sa.esn,
                    hex::encode(&theirs)
                );

                if i == 0 && sa.has_icv() {
                    let before = inbound.window().clone();
                    let refused = unprotect(&mut inbound, &mut tampered(&theirs), NOW);
                    assert_eq!(
                        refused,
                        Err(esp_sa::Error::Icv),
                        "a tampered {context} is accepted"
                    );
                    assert_eq!(inbound.window(), &before);
                }

                let mut packet = theirs.clone();
                let got = unprotect(&mut inbound, &mut packet, NOW)
                    .unwrap_or_else(|e| panic!("we refuse {context}: {e}"));
                assert_eq!(got.sequence_number, seq, "{context}");
                assert_eq!(
                    hex::encode(&packet),
                    hex::encode(original),
                    "we unprotect {context} to another packet"
                );

                // Same sequence number, same IV: the same bytes on the wire.
                let mut ours = original.clone();
                protect(&mut out, &mut ours, &mut FixedIv(iv), NOW).unwrap();
                assert_eq!(
                    hex::encode(&ours),
                    hex::encode(&theirs),
                    "ours and scapy's differ for {context}"
                );
                passed += 1;
            }
            tally.add(&sa, v6, passed);
        }
    }
    tally.print(
        "scapy -> ours (scapy encrypt, then ip::unprotect)",
        &scapy.version,
    );
}
