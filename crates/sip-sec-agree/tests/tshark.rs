//! tshark (Debian `tshark`, Wireshark 4.0) reads the sec-agree headers we
//! write: an initial REGISTER (SM1: Security-Client from a Rel-6 UE's
//! [`UeAgreement`], an empty Digest response as TS 24.229 §5.1.1.2.1 has
//! it, `sec-agree` in Require, Proxy-Require and Supported) and a protected
//! REGISTER (SM7: the same Security-Client and a Security-Verify mirroring a
//! P-CSCF's [`PcscfPolicy::security_server`]), each over UDP/IPv4 to port
//! 5060 in a pcap written by hand.
//!
//! Checked: tshark dissects both as SIP REGISTER, shows our Security-Client
//! and Security-Verify text, splits them into as many security mechanisms as
//! we wrote, with our alg, ealg, SPIs and ports in each, and reports no
//! malformed packet, no malformed security-mechanism header and no expert
//! warning or error.
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

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use sip_sec_agree::{
    AlgorithmProfile, Ipsec3gpp, MechanismList, Message, PcscfPolicy, Release, SecurityHeader,
    SpisAndPorts, UeAgreement,
};

/// LINKTYPE_RAW: each record is an IPv4 or IPv6 packet.
const LINKTYPE_RAW: u32 = 101;
const UE: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
const PCSCF: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 20);
const UE_SPIS: SpisAndPorts = SpisAndPorts {
    spi_c: 3_209_021_766, // above 2^31, as the Xiaomi UE of open5gs#337 sends
    spi_s: 1_275_621_893,
    port_c: 44596,
    port_s: 42306,
};
const PCSCF_SPIS: SpisAndPorts = SpisAndPorts {
    spi_c: 4096,
    spi_s: 4097,
    port_c: 5100,
    port_s: 6100,
};

/// The fields asked of tshark, in this order.
const FIELDS: &[&str] = &[
    "frame.number",
    "sip.Method",
    "sip.Security-Client",
    "sip.Security-Verify",
    "sip.sec_mechanism",
    "sip.sec_mechanism.alg",
    "sip.sec_mechanism.ealg",
    "sip.sec_mechanism.spi_c",
    "sip.sec_mechanism.spi_s",
    "sip.sec_mechanism.port_c",
    "sip.sec_mechanism.port_s",
    "sip.sec_mechanism.malformed",
    "sip.auth.digest.response",
    "_ws.malformed",
    "_ws.expert.severity",
    "_ws.expert.message",
];

/// Whether tshark is installed. Under CI (`IMS_SEC_CI` set) a missing
/// tshark fails the test; elsewhere the test says so and passes (the rule
/// of esp-sa's interop tests).
fn tshark_available() -> bool {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("IMS_SEC_CI").is_none(),
            "tshark is missing under CI: apt-get install tshark (Debian package)"
        );
        eprintln!("tshark not installed (apt-get install tshark): interop test not run");
    }
    found
}

/// The common header lines of both REGISTERs (TS 24.229 §5.1.1.2.1).
fn register(cseq: u32, call_id: &str, port: u16) -> Message {
    let mut m = Message::new("REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0");
    let impi = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";
    let h = &mut m.headers;
    h.push(
        "Via",
        format!("SIP/2.0/UDP {UE}:{port};branch=z9hG4bK{call_id}{cseq};rport"),
    )
    .unwrap();
    h.push("Max-Forwards", "70").unwrap();
    h.push("From", format!("<sip:{impi}>;tag=4fa3")).unwrap();
    h.push("To", format!("<sip:{impi}>")).unwrap();
    h.push("Call-ID", call_id).unwrap();
    h.push("CSeq", format!("{cseq} REGISTER")).unwrap();
    h.push("Contact", format!("<sip:{UE}:{port}>;expires=600000"))
        .unwrap();
    h.push("Expires", "600000").unwrap();
    h.push(
        "Authorization",
        format!(
            "Digest username=\"{impi}\", realm=\"ims.mnc001.mcc001.3gppnetwork.org\", \
             uri=\"sip:ims.mnc001.mcc001.3gppnetwork.org\", nonce=\"\", response=\"\""
        ),
    )
    .unwrap();
    m
}

/// SM1 and SM7, and the lists each carries.
fn registers() -> (Vec<Message>, MechanismList, MechanismList) {
    let ue = UeAgreement::new(AlgorithmProfile::for_release(Release::Rel6), UE_SPIS).unwrap();
    let mut sm1 = register(1, "a84b4c76e66710", 5060);
    ue.write_register(&mut sm1.headers);

    let policy = PcscfPolicy::new(Release::Rel6, PCSCF.into(), 5100, 6100);
    let server = policy.security_server(PCSCF_SPIS);
    // SM7 goes from the UE's protected client port (TS 33.203 §7.2).
    let mut sm7 = register(2, "a84b4c76e66710", UE_SPIS.port_c);
    ue.write_register(&mut sm7.headers); // Security-Client and sec-agree, as in SM1
    server.write_to(&mut sm7.headers, SecurityHeader::Verify);
    (vec![sm1, sm7], ue.security_client().clone(), server)
}

/// A UDP datagram in an IPv4 packet, checksums filled in.
fn udp_ipv4(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
    fn sum(bytes: &[u8]) -> u32 {
        bytes
            .chunks(2)
            .map(|w| u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)])))
            .sum()
    }
    fn fold(mut sum: u32) -> u16 {
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }
    let udp_len = 8 + data.len();
    let mut udp = Vec::with_capacity(udp_len);
    udp.extend_from_slice(&sport.to_be_bytes());
    udp.extend_from_slice(&dport.to_be_bytes());
    udp.extend_from_slice(&(udp_len as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(data);
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src.octets());
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&[0, 17]);
    pseudo.extend_from_slice(&(udp_len as u16).to_be_bytes());
    let mut checksum = !fold(sum(&pseudo) + sum(&udp));
    if checksum == 0 {
        checksum = 0xffff;
    }
    udp[6..8].copy_from_slice(&checksum.to_be_bytes());

    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&((20 + udp_len) as u16).to_be_bytes());
    ip.extend_from_slice(&[0x12, 0x34, 0x40, 0, 64, 17, 0, 0]);
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&dst.octets());
    let checksum = !fold(sum(&ip));
    ip[10..12].copy_from_slice(&checksum.to_be_bytes());
    ip.extend_from_slice(&udp);
    ip
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

/// tshark's rows: per frame, per field, the values of every occurrence
/// (separated by tshark with `\u{1}`, which no SIP header holds).
fn tshark_rows(pcap: &Path, config_dir: &Path) -> Vec<Vec<Vec<String>>> {
    let mut command = Command::new("tshark");
    command
        .env("WIRESHARK_CONFIG_DIR", config_dir)
        .arg("-r")
        .arg(pcap)
        .args(["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a"])
        .args(["-E", "aggregator=\u{1}"]);
    for field in FIELDS {
        command.args(["-e", field]);
    }
    let out = command.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout
        .lines()
        .map(|line| {
            let values: Vec<Vec<String>> = line
                .split('\t')
                .map(|v| {
                    if v.is_empty() {
                        Vec::new()
                    } else {
                        v.split('\u{1}').map(str::to_owned).collect()
                    }
                })
                .collect();
            assert_eq!(values.len(), FIELDS.len(), "tshark row {line:?}");
            values
        })
        .collect()
}

fn field<'a>(row: &'a [Vec<String>], name: &str) -> &'a [String] {
    let i = FIELDS.iter().position(|f| *f == name).unwrap();
    &row[i]
}

/// What tshark should show for one list: per mechanism, alg, ealg (absent
/// when not written), spi-c, spi-s, port-c, port-s.
fn expected(list: &MechanismList) -> Vec<[String; 6]> {
    list.mechanisms()
        .iter()
        .map(|m| {
            let t = Ipsec3gpp::from_mechanism(m).unwrap();
            let sp = t.spis_and_ports;
            [
                t.pair.integrity.to_string(),
                if t.ealg_written {
                    t.pair.encryption.to_string()
                } else {
                    String::new()
                },
                sp.spi_c.to_string(),
                sp.spi_s.to_string(),
                sp.port_c.to_string(),
                sp.port_s.to_string(),
            ]
        })
        .collect()
}

#[test]
fn tshark_dissects_security_client_and_verify_without_complaint() {
    if !tshark_available() {
        return;
    }
    let (messages, client, server) = registers();
    let frames: Vec<Vec<u8>> = messages
        .iter()
        .map(|m| {
            let sport = m.headers.first("Via").unwrap();
            let sport: u16 = sport
                .split(':')
                .nth(1)
                .and_then(|p| p.split(';').next())
                .unwrap()
                .parse()
                .unwrap();
            udp_ipv4(UE, PCSCF, sport, 5060, &m.to_bytes())
        })
        .collect();
    let dir = work_dir("tshark_sec_agree");
    let pcap = dir.join("register.pcap");
    write_pcap(&pcap, &frames);
    eprintln!("capture in {}", pcap.display());
    let empty = work_dir("tshark_sec_agree_config");
    let rows = tshark_rows(&pcap, &empty);
    assert_eq!(rows.len(), 2, "{rows:?}");

    let client_text = client.to_string();
    let server_text = server.to_string();
    // SM1 carries Security-Client only; SM7 Security-Client then
    // Security-Verify: tshark lists their mechanisms in that order.
    let sm1_mechanisms = expected(&client);
    let mut sm7_mechanisms = expected(&client);
    sm7_mechanisms.extend(expected(&server));
    let cases = [
        (&rows[0], None, sm1_mechanisms),
        (&rows[1], Some(&server_text), sm7_mechanisms),
    ];
    for (i, (row, verify, mechanisms)) in cases.into_iter().enumerate() {
        let context = format!("frame {}: {row:?}", i + 1);
        assert_eq!(
            field(row, "frame.number"),
            [(i + 1).to_string()],
            "{context}"
        );
        assert_eq!(field(row, "sip.Method"), ["REGISTER"], "{context}");
        assert_eq!(
            field(row, "sip.Security-Client"),
            std::slice::from_ref(&client_text),
            "{context}"
        );
        match verify {
            Some(text) => assert_eq!(
                field(row, "sip.Security-Verify"),
                std::slice::from_ref(text),
                "{context}"
            ),
            None => assert!(field(row, "sip.Security-Verify").is_empty(), "{context}"),
        }
        // One sec_mechanism per mechanism we wrote, each one whole.
        assert_eq!(
            field(row, "sip.sec_mechanism").len(),
            mechanisms.len(),
            "{context}"
        );
        let column = |name: &str| field(row, name).to_vec();
        let column_of = |k: usize| mechanisms.iter().map(|m| m[k].clone()).collect::<Vec<_>>();
        assert_eq!(column("sip.sec_mechanism.alg"), column_of(0), "{context}");
        let ealgs: Vec<String> = column_of(1).into_iter().filter(|e| !e.is_empty()).collect();
        assert_eq!(column("sip.sec_mechanism.ealg"), ealgs, "{context}");
        assert_eq!(column("sip.sec_mechanism.spi_c"), column_of(2), "{context}");
        assert_eq!(column("sip.sec_mechanism.spi_s"), column_of(3), "{context}");
        assert_eq!(
            column("sip.sec_mechanism.port_c"),
            column_of(4),
            "{context}"
        );
        assert_eq!(
            column("sip.sec_mechanism.port_s"),
            column_of(5),
            "{context}"
        );
        // The initial REGISTER's empty response (TS 24.229 §5.1.1.2.1).
        assert_eq!(
            field(row, "sip.auth.digest.response"),
            ["\"\""],
            "{context}"
        );
        // Nothing malformed, no expert warning or error.
        assert!(
            field(row, "sip.sec_mechanism.malformed").is_empty(),
            "{context}"
        );
        assert!(field(row, "_ws.malformed").is_empty(), "{context}");
        let severities = field(row, "_ws.expert.severity");
        let messages = field(row, "_ws.expert.message");
        for (severity, message) in severities.iter().zip(messages) {
            // Wireshark's severities: 0x00200000 chat, 0x00400000 note,
            // 0x00600000 warn, 0x00800000 error.
            let level = u32::from_str_radix(severity.trim_start_matches("0x"), 16)
                .or_else(|_| severity.parse())
                .unwrap_or(u32::MAX);
            assert!(
                level < 0x0060_0000,
                "tshark expert {severity} {message:?}: {context}"
            );
        }
    }
    eprintln!(
        "tshark: SM1 {} mechanisms, SM7 {} + {} mechanisms, spi-c {} read as u32",
        client.len(),
        client.len(),
        server.len(),
        UE_SPIS.spi_c
    );
}
