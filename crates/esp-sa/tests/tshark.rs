//! tshark (Debian `tshark`, Wireshark 4.0) reads what esp-sa sends: a pcap
//! of SIP over UDP and TCP that [`esp_sa::ip::protect`] turned into ESP, for
//! every algorithm pair, IPv4 and IPv6, UE to P-CSCF and back, is dissected
//! with the SA table of [`esp_sa::wireshark::sa_entry_with_keys`].
//!
//! Checked for every packet: tshark's ESP SPI and sequence number are those
//! we sent; it decrypts the payload (inner UDP/TCP ports, the SIP method
//! and Call-ID of that very packet; pad length and next header); it reports
//! the ICV as good where it checks one (HMAC-MD5-96, HMAC-SHA-1-96, the GCM
//! tag). With one key changed, the ICV shows as bad, so the check is real.
//! The table is given both ways the module documents: `-o uat:esp_sa:…`
//! and an `esp_sa` file in the configuration directory.
//!
//! Wireshark 4.0 has no AES-GMAC (RFC 4543) and no extended sequence
//! numbers. GMAC packets are dissected with NULL encryption and an unchecked
//! 16-byte ICV: tshark then finds our trailer (pad length, next header) and
//! sees the 8-byte IV, the sequence number, before the plain payload; their
//! tag is checked by the scapy interop test instead, as is ESN.
//!
//! Under CI (`IMS_SEC_CI` set) a missing tshark fails the test; elsewhere
//! the test says so on stderr and passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use esp_sa::ip::protect;
use esp_sa::wireshark::{sa_entry_with_keys, UAT_NAME};
use esp_sa::{EncryptionAlgorithm, IntegrityAlgorithm, OutboundSa, Transform};
use rand_core::RngCore;

mod common;
use common::packets::{self, TCP, UDP};
use common::{all_pairs, peer_available, Counter};

const NOW: Duration = Duration::ZERO;
/// LINKTYPE_RAW: each record is an IPv4 or IPv6 packet.
const LINKTYPE_RAW: u32 = 101;

/// The fields asked of tshark, in this order.
const FIELDS: &[&str] = &[
    "frame.number",
    "esp.spi",
    "esp.sequence",
    "esp.icv_good",
    "esp.icv_bad",
    "esp.pad_len",
    "esp.protocol",
    "udp.srcport",
    "udp.dstport",
    "tcp.srcport",
    "tcp.dstport",
    "sip.Method",
    "sip.Call-ID",
    "esp.contained_data",
];

fn tshark_available() -> bool {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    peer_available("tshark", found, "apt-get install tshark (Debian package)")
}

/// One SA of the capture, with the keys given to it.
struct Sa {
    int: IntegrityAlgorithm,
    enc: EncryptionAlgorithm,
    int_key: Vec<u8>,
    enc_key: Vec<u8>,
    spi: u32,
    src: IpAddr,
    dst: IpAddr,
}

impl Sa {
    fn name(&self) -> String {
        format!("{}/{}", self.int, self.enc)
    }

    /// Its entry in Wireshark's table: ours, or for GMAC (which Wireshark
    /// lacks) NULL encryption with an unchecked 16-byte ICV.
    fn entry(&self) -> String {
        if self.int == IntegrityAlgorithm::AesGmac {
            assert!(sa_entry_with_keys(
                self.src,
                self.dst,
                self.spi,
                self.int,
                &self.int_key,
                self.enc,
                &self.enc_key
            )
            .is_err());
            let protocol = if self.src.is_ipv6() { "IPv6" } else { "IPv4" };
            return format!(
                "\"{protocol}\",\"{}\",\"{}\",\"0x{:08x}\",\"NULL\",\"\",\
                 \"ANY 128 bit authentication [no checking]\",\"\"",
                self.src, self.dst, self.spi
            );
        }
        sa_entry_with_keys(
            self.src,
            self.dst,
            self.spi,
            self.int,
            &self.int_key,
            self.enc,
            &self.enc_key,
        )
        .unwrap()
        .to_string()
    }

    /// Whether tshark checks this SA's ICV.
    fn icv_checked(&self) -> bool {
        matches!(
            self.int,
            IntegrityAlgorithm::HmacMd596 | IntegrityAlgorithm::HmacSha196
        ) || self.enc == EncryptionAlgorithm::AesGcm
    }
}

/// What we sent in one frame.
struct Sent {
    sa: usize,
    seq: u64,
    protocol: u8,
    sport: u16,
    dport: u16,
    call_id: String,
    /// The upper-layer payload (UDP or TCP header and SIP).
    payload: Vec<u8>,
    pad_len: usize,
}

/// The capture: every pair, IPv4 and IPv6, both directions; per SA two SIP
/// messages over UDP and two over TCP, of sizes that need different padding.
fn capture() -> (Vec<Sa>, Vec<Sent>, Vec<Vec<u8>>) {
    let mut sas = Vec::new();
    let mut sent = Vec::new();
    let mut frames = Vec::new();
    // TCP sequence numbers continue per connection, so tshark sees clean
    // streams.
    let mut tcp_seq: HashMap<(IpAddr, IpAddr), u32> = HashMap::new();
    for (int, enc) in all_pairs() {
        for v6 in [false, true] {
            let (ue, pcscf) = packets::addresses(v6);
            for (src, dst, sport, dport) in [(ue, pcscf, 5062, 5063), (pcscf, ue, 5064, 5065)] {
                let spi = 0x1000 + sas.len() as u32;
                let mut rng = Counter(u64::from(spi) << 16);
                let mut int_key = vec![0; int.key_len()];
                let mut enc_key = vec![0; enc.key_len()];
                rng.fill_bytes(&mut int_key);
                rng.fill_bytes(&mut enc_key);
                let transform = Transform::new(int, &int_key, enc, &enc_key).unwrap();
                let block = transform.block_len();
                let mut out = OutboundSa::new(spi, transform, false);
                for (i, (protocol, extra)) in [(UDP, 0), (TCP, 3), (UDP, 57), (TCP, 200)]
                    .into_iter()
                    .enumerate()
                {
                    let call_id = format!("{spi:x}-{i}@ue.ims.example.net");
                    let sip = packets::sip_register(extra, &call_id);
                    let original = if protocol == UDP {
                        packets::udp(src, dst, sport, dport, &sip)
                    } else {
                        let seq = tcp_seq.entry((src, dst)).or_insert(1000);
                        let packet = packets::tcp(src, dst, sport, dport, *seq, &sip);
                        *seq += sip.len() as u32;
                        packet
                    };
                    let header = if v6 { 40 } else { 20 };
                    let payload = original[header..].to_vec();
                    let mut packet = original;
                    protect(&mut out, &mut packet, &mut rng, NOW).unwrap();
                    frames.push(packet);
                    sent.push(Sent {
                        sa: sas.len(),
                        seq: out.last_sequence_number(),
                        protocol,
                        sport,
                        dport,
                        call_id,
                        pad_len: (block - (payload.len() + 2) % block) % block,
                        payload,
                    });
                }
                sas.push(Sa {
                    int,
                    enc,
                    int_key,
                    enc_key,
                    spi,
                    src,
                    dst,
                });
            }
        }
    }
    (sas, sent, frames)
}

/// A classic pcap file (microsecond timestamps) of raw IP packets.
fn write_pcap(path: &Path, frames: &[Vec<u8>]) {
    let mut file = Vec::new();
    file.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    file.extend_from_slice(&2u16.to_le_bytes());
    file.extend_from_slice(&4u16.to_le_bytes());
    file.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    file.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    file.extend_from_slice(&65_535u32.to_le_bytes()); // snaplen
    file.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
    for (i, frame) in frames.iter().enumerate() {
        file.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        file.extend_from_slice(&(i as u32 * 1000).to_le_bytes());
        file.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        file.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        file.extend_from_slice(frame);
    }
    std::fs::write(path, file).unwrap();
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs tshark on `pcap` with decryption and ICV checking on, the SA table
/// either on the command line or as an `esp_sa` file in `config_dir`.
fn tshark(pcap: &Path, entries: &[String], config_dir: &Path, args: &[&str]) -> String {
    let mut command = Command::new("tshark");
    command
        .env("WIRESHARK_CONFIG_DIR", config_dir)
        .arg("-r")
        .arg(pcap)
        .args(["-o", "esp.enable_encryption_decode:TRUE"])
        .args(["-o", "esp.enable_authentication_check:TRUE"]);
    for entry in entries {
        command.arg("-o").arg(format!("uat:{UAT_NAME}:{entry}"));
    }
    let out = command.args(args).output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fields_args() -> Vec<&'static str> {
    let mut args = vec!["-T", "fields", "-E", "separator=|", "-E", "occurrence=f"];
    for field in FIELDS {
        args.extend(["-e", field]);
    }
    args
}

/// tshark's rows, one map of field to value per frame.
fn rows(output: &str) -> Vec<HashMap<&'static str, String>> {
    output
        .lines()
        .map(|line| {
            let values: Vec<&str> = line.split('|').collect();
            assert_eq!(values.len(), FIELDS.len(), "tshark row {line:?}");
            FIELDS
                .iter()
                .zip(values)
                .map(|(f, v)| (*f, v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn tshark_decrypts_and_checks_what_we_send() {
    if !tshark_available() {
        return;
    }
    let (sas, sent, frames) = capture();
    let dir = work_dir("tshark_esp");
    let pcap = dir.join("esp.pcap");
    write_pcap(&pcap, &frames);
    let entries: Vec<String> = sas.iter().map(Sa::entry).collect();
    std::fs::write(dir.join(UAT_NAME), entries.join("\n") + "\n").unwrap();
    eprintln!(
        "capture and SA table in {} (open with WIRESHARK_CONFIG_DIR set there)",
        dir.display()
    );

    // The table on the command line; an empty configuration directory.
    let empty = work_dir("tshark_esp_empty_config");
    let output = tshark(&pcap, &entries, &empty, &fields_args());
    let rows = rows(&output);
    assert_eq!(rows.len(), sent.len(), "one row per frame:\n{output}");

    let mut per_pair: Vec<(String, [usize; 4])> = Vec::new();
    for (i, (row, sent)) in rows.iter().zip(&sent).enumerate() {
        let sa = &sas[sent.sa];
        let context = format!(
            "frame {} ({} v6={} spi={:#x} seq={}): {row:?}",
            i + 1,
            sa.name(),
            sa.src.is_ipv6(),
            sa.spi,
            sent.seq
        );
        assert_eq!(row["frame.number"], (i + 1).to_string(), "{context}");
        assert_eq!(row["esp.spi"], format!("0x{:08x}", sa.spi), "{context}");
        assert_eq!(row["esp.sequence"], sent.seq.to_string(), "{context}");
        assert_eq!(row["esp.pad_len"], sent.pad_len.to_string(), "{context}");
        assert_eq!(
            row["esp.protocol"],
            format!("0x{:02x}", sent.protocol),
            "{context}"
        );
        if sa.icv_checked() {
            assert_eq!(
                (row["esp.icv_good"].as_str(), row["esp.icv_bad"].as_str()),
                ("1", "0"),
                "ICV not good: {context}"
            );
        }
        assert_ne!(row["esp.icv_bad"], "1", "{context}");
        if sa.int == IntegrityAlgorithm::AesGmac {
            // No GMAC in Wireshark: the IV (SPI ‖ sequence number) and then
            // the plain UDP/TCP payload, exactly.
            let spi = u64::from(0x1000 + sent.sa as u32);
            let mut expected = (sent.seq ^ (spi << 32)).to_be_bytes().to_vec();
            expected.extend_from_slice(&sent.payload);
            assert_eq!(
                row["esp.contained_data"],
                hex::encode(expected),
                "{context}"
            );
        } else {
            let (sport, dport) = if sent.protocol == UDP {
                ("udp.srcport", "udp.dstport")
            } else {
                ("tcp.srcport", "tcp.dstport")
            };
            assert_eq!(row[sport], sent.sport.to_string(), "{context}");
            assert_eq!(row[dport], sent.dport.to_string(), "{context}");
            assert_eq!(row["sip.Method"], "REGISTER", "{context}");
            assert_eq!(row["sip.Call-ID"], sent.call_id, "{context}");
        }
        let name = sa.name();
        let v6 = sa.src.is_ipv6();
        let up = sa.src == packets::addresses(v6).0;
        let column = usize::from(v6) * 2 + usize::from(!up);
        match per_pair.iter_mut().find(|(n, _)| *n == name) {
            Some((_, counts)) => counts[column] += 1,
            None => {
                let mut counts = [0; 4];
                counts[column] = 1;
                per_pair.push((name, counts));
            }
        }
    }

    eprintln!("\ntshark: frames decrypted and checked (UE->P-CSCF = up, P-CSCF->UE = down)");
    eprintln!(
        "{:<28} {:>7} {:>9} {:>7} {:>9}",
        "alg/ealg", "IPv4 up", "IPv4 down", "IPv6 up", "IPv6 down"
    );
    for (name, [a, b, c, d]) in &per_pair {
        eprintln!("{name:<28} {a:>7} {b:>9} {c:>7} {d:>9}");
    }
    eprintln!("{} frames", rows.len());
}

/// The same table as an `esp_sa` file in the configuration directory, and
/// tshark's full dissection of one frame: the ESP header fields we wrote,
/// and the ICV said to be correct.
#[test]
fn tshark_reads_the_table_from_a_profile_file_and_dissects_our_header() {
    if !tshark_available() {
        return;
    }
    let (sas, sent, frames) = capture();
    let dir = work_dir("tshark_esp_profile");
    let pcap = dir.join("esp.pcap");
    write_pcap(&pcap, &frames);
    let entries: Vec<String> = sas.iter().map(Sa::entry).collect();
    std::fs::write(dir.join(UAT_NAME), entries.join("\n") + "\n").unwrap();

    let output = tshark(&pcap, &[], &dir, &fields_args());
    let rows = rows(&output);
    assert_eq!(rows.len(), sent.len());
    let decrypted = rows
        .iter()
        .zip(&sent)
        .filter(|(row, sent)| {
            let sa = &sas[sent.sa];
            sa.int == IntegrityAlgorithm::AesGmac
                || (row["sip.Call-ID"] == sent.call_id
                    && (!sa.icv_checked() || row["esp.icv_good"] == "1"))
        })
        .count();
    assert_eq!(decrypted, sent.len(), "{output}");

    // One frame in full: HMAC-SHA-1-96 with AES-CBC over IPv6, the third
    // packet of its SA (SIP over UDP).
    let (frame, one) = sent
        .iter()
        .enumerate()
        .find(|(_, s)| {
            let sa = &sas[s.sa];
            sa.int == IntegrityAlgorithm::HmacSha196
                && sa.enc == EncryptionAlgorithm::AesCbc128
                && sa.src.is_ipv6()
                && s.seq == 3
        })
        .unwrap();
    let spi = sas[one.sa].spi;
    let filter = format!("frame.number=={}", frame + 1);
    let verbose = tshark(&pcap, &[], &dir, &["-V", "-O", "esp", "-Y", &filter]);
    for expected in [
        "Encapsulating Security Payload".to_owned(),
        format!("ESP SPI: 0x{spi:08x} ({spi})"),
        "ESP Sequence: 3".to_owned(),
        "ESP IV: ".to_owned(),
        "<HMAC-SHA-1-96 [RFC2404]> [correct]".to_owned(),
        format!("ESP Pad Length: {}", one.pad_len),
        "Next header: UDP (0x11)".to_owned(),
        "Session Initiation Protocol (REGISTER)".to_owned(),
    ] {
        assert!(
            verbose.contains(&expected),
            "{expected:?} not in tshark's dissection:\n{verbose}"
        );
    }
}

/// With a wrong key tshark says the ICV is bad: the good ICVs above are
/// checked, not assumed. For AES-GCM a wrong key would decrypt to garbage
/// whose pad length stops tshark before its tag check, so there the key is
/// right and the tag (the frame's last byte) is changed instead.
#[test]
fn tshark_reports_a_bad_icv_under_a_wrong_key() {
    if !tshark_available() {
        return;
    }
    let (mut sas, sent, mut frames) = capture();
    for (frame, sent) in frames.iter_mut().zip(&sent) {
        if sas[sent.sa].enc == EncryptionAlgorithm::AesGcm {
            if let Some(last) = frame.last_mut() {
                *last ^= 1;
            }
        }
    }
    let dir = work_dir("tshark_esp_wrong_key");
    let pcap = dir.join("esp.pcap");
    write_pcap(&pcap, &frames);
    for sa in &mut sas {
        if let Some(last) = sa.int_key.last_mut() {
            *last ^= 1;
        }
    }
    let entries: Vec<String> = sas.iter().map(Sa::entry).collect();
    let output = tshark(
        &pcap,
        &entries,
        &work_dir("tshark_esp_wrong_key_config"),
        &fields_args(),
    );
    let rows = rows(&output);
    let mut bad = 0;
    for (row, sent) in rows.iter().zip(&sent) {
        if sas[sent.sa].icv_checked() {
            assert_eq!(
                (row["esp.icv_good"].as_str(), row["esp.icv_bad"].as_str()),
                ("0", "1"),
                "{row:?}"
            );
            bad += 1;
        }
    }
    assert!(bad > 0);
    eprintln!("tshark: {bad} frames with a wrong key (GCM: a changed tag), all with a bad ICV");
}
