//! tshark (Debian `tshark`, Wireshark 4.0) dissects what we emit: every data
//! type (RFC 3830 and RFC 6043) and messages holding every payload type, sent
//! as UDP to port 2269, where Wireshark's MIKEY dissector listens.
//!
//! Checked for every packet: no `Malformed Packet` and no error-level expert
//! info; tshark's data type and CSB ID are ours; every payload Wireshark 4.0
//! knows is named in the dissection. Wireshark 4.0 does not know TR, RANDR,
//! TP or TICKET (RFC 6043) and stops at them without a malformed mark; the
//! payloads before them are checked; likewise CHASH, which it names but
//! does not dissect. CERT is left out: Wireshark 4.0 reads
//! the Cert len field one byte early (from the Cert type byte), so any
//! RFC 3830 §6.7 CERT payload shows as malformed there, while the ID payload,
//! which has the same layout, decodes correctly.
//!
//! With `IMS_SEC_CI=1` a missing tshark fails the test; otherwise it is skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use kms_ticket::codec::*;

const LINKTYPE_RAW: u32 = 101;

fn tshark_available() -> bool {
    let ok = Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("IMS_SEC_CI").as_deref() == Ok("1") {
            panic!("tshark is missing under IMS_SEC_CI=1 (apt-get install tshark)");
        }
        eprintln!("skipping tshark MIKEY dissection: tshark not found");
    }
    ok
}

fn checksum(words: &[u8]) -> u16 {
    let mut sum = 0u32;
    for chunk in words.chunks(2) {
        let hi = u32::from(chunk[0]) << 8;
        let lo = chunk.get(1).map_or(0, |b| u32::from(*b));
        sum += hi | lo;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// IPv4 + UDP (checksum 0: none) from 10.0.0.1:2269 to 10.0.0.2:2269.
fn udp_frame(payload: &[u8]) -> Vec<u8> {
    let total = 20 + 8 + payload.len();
    let mut ip = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0x40,
        0,
        64,
        17,
        0,
        0,
        10,
        0,
        0,
        1,
        10,
        0,
        0,
        2,
    ];
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let udp_len = (8 + payload.len()) as u16;
    ip.extend_from_slice(&2269u16.to_be_bytes());
    ip.extend_from_slice(&2269u16.to_be_bytes());
    ip.extend_from_slice(&udp_len.to_be_bytes());
    ip.extend_from_slice(&[0, 0]);
    ip.extend_from_slice(payload);
    ip
}

fn write_pcap(path: &Path, frames: &[Vec<u8>]) {
    let mut file = Vec::new();
    file.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    file.extend_from_slice(&2u16.to_le_bytes());
    file.extend_from_slice(&4u16.to_le_bytes());
    file.extend_from_slice(&0i32.to_le_bytes());
    file.extend_from_slice(&0u32.to_le_bytes());
    file.extend_from_slice(&65_535u32.to_le_bytes());
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

fn key(b: &[u8]) -> KeyBytes {
    KeyBytes::from_slice(b).unwrap()
}

fn kemac(mac_alg: MacAlg) -> Payload {
    let keys = [
        KeyData {
            key_type: KeyType::Tgk,
            key: key(&[1; 16]),
            salt: Some(key(&[2; 14])),
            kv: KeyValidity::Spi(vec![9, 9]),
        },
        KeyData {
            key_type: KeyType::Tek,
            key: key(&[3; 16]),
            salt: None,
            kv: KeyValidity::Interval {
                from: vec![0; 6],
                to: vec![0xff; 6],
            },
        },
    ];
    let mut plain = Vec::new();
    KeyData::emit_chain(&keys, &mut plain);
    Payload::Kemac(Kemac {
        encr_alg: EncrAlg::Null,
        encr_data: plain,
        mac_alg,
        mac: vec![0xab; mac_alg.mac_len()],
    })
}

fn all_rfc3830_payloads() -> Vec<Payload> {
    vec![
        Payload::T(Timestamp {
            ts: TsValue::NtpUtc(0xe7a1_b2c3_0000_0000),
        }),
        Payload::Rand(Rand {
            rand: vec![0x42; 16],
        }),
        Payload::Sp(SecurityPolicy::srtp(
            0,
            &SrtpPolicy {
                encr_alg: Some(SrtpEncrAlg::AesCm),
                encr_key_len: Some(16),
                auth_alg: Some(SrtpAuthAlg::HmacSha1),
                auth_key_len: Some(20),
                salt_len: Some(14),
                prf: Some(0),
                kdr: Some(0),
                srtp_encr: Some(true),
                srtcp_encr: Some(true),
                fec_order: Some(0),
                srtp_auth: Some(true),
                auth_tag_len: Some(10),
                prefix_len: Some(0),
                other: vec![],
            },
        )),
        Payload::Id(Id {
            id_type: IdType::Uri,
            data: b"sip:alice@example.com".to_vec(),
        }),
        Payload::Pke(Pke {
            cache: 1,
            data: vec![6; 32],
        }),
        // Wireshark 4.0 does not read DH KV data; KV NULL has none.
        Payload::Dh(Dh {
            group: 1,
            value: vec![7; 96],
            reserved: 0,
            kv: KeyValidity::Null,
        }),
        Payload::Err(ErrorPayload {
            code: ErrorCode::InvalidSp,
            reserved: 0,
        }),
        Payload::GeneralExt(GeneralExt {
            ext_type: 1,
            data: b"mikey".to_vec(),
        }),
        Payload::Idr(IdRole {
            role: IdRoleKind::Initiator,
            id_type: IdType::Uri,
            data: b"sip:alice@ims".to_vec(),
        }),
        kemac(MacAlg::HmacSha1_160),
        Payload::V(Verification {
            mac_alg: MacAlg::HmacSha1_160,
            mac: vec![0xcd; 20],
        }),
        // Wireshark 4.0 names CHASH but does not dissect it, and stops there.
        Payload::Chash(Chash {
            hash_func: 0,
            hash: vec![5; 20],
        }),
    ]
}

fn rfc6043_payloads() -> Vec<Payload> {
    let tp = TicketPolicy {
        ticket_type: 1,
        subtype: 1,
        version: 1,
        prf: PrfFunc::HmacSha256,
        flags: TicketFlags(TicketFlags::D | TicketFlags::N | TicketFlags::O),
        tp_data: vec![Payload::Idr(IdRole {
            role: IdRoleKind::Kms,
            id_type: IdType::Uri,
            data: b"kms".to_vec(),
        })],
    };
    vec![
        Payload::Tr(TimestampRole {
            role: TsRole::ValidityEnd,
            ts: TsValue::NtpUtc32(0xf000_0000),
        }),
        Payload::Randr(RandRole {
            role: RandRoleKind::Kms,
            rand: vec![1; 16],
        }),
        Payload::Tp(tp.clone()),
        Payload::Ticket(Ticket {
            policy: tp,
            ticket_data: vec![0; 8],
            initiator_data: vec![],
        }),
    ]
}

/// (message, payload names tshark must show)
fn messages() -> Vec<(Message, Vec<&'static str>)> {
    let mut out = Vec::new();
    let srtp = CsIdMap::SrtpId(vec![SrtpCs {
        policy_no: 0,
        ssrc: 0x1234_5678,
        roc: 0,
    }]);
    let rfc3830_types = [0u8, 1, 2, 3, 4, 5, 6];
    let rfc6043_types = [11u8, 12, 13, 14, 15, 16, 17, 18];
    for (i, dt) in rfc3830_types.iter().chain(&rfc6043_types).enumerate() {
        let rfc6043 = *dt >= 11;
        let cs_map = if rfc6043 && dt % 2 == 0 {
            CsIdMap::Empty
        } else {
            srtp.clone()
        };
        let mut payloads = vec![
            Payload::T(Timestamp {
                ts: TsValue::NtpUtc(0xe7a1_b2c3_0000_0000 + i as u64),
            }),
            Payload::Rand(Rand {
                rand: vec![i as u8; 16],
            }),
            Payload::Idr(IdRole {
                role: IdRoleKind::Responder,
                id_type: IdType::Uri,
                data: b"sip:bob@ims".to_vec(),
            }),
            kemac(MacAlg::Null),
            Payload::V(Verification {
                mac_alg: MacAlg::HmacSha1_160,
                mac: vec![0xcd; 20],
            }),
        ];
        if *dt == 6 {
            payloads.insert(
                1,
                Payload::Err(ErrorPayload {
                    code: ErrorCode::AuthFailure,
                    reserved: 0,
                }),
            );
        }
        let names = vec![
            "Timestamp (T)",
            "RAND",
            "IDR",
            "Key Data Transport (KEMAC)",
            "Ver msg (V)",
        ];
        out.push((
            Message {
                header: Header {
                    version: 1,
                    data_type: DataType::from(*dt),
                    v_flag: false,
                    prf: PrfFunc::from(u8::from(rfc6043)),
                    csb_id: 0x1000_0000 + i as u32,
                    cs_map,
                },
                payloads,
            },
            names,
        ));
    }
    let all = all_rfc3830_payloads();
    let names = vec![
        "Timestamp (T)",
        "RAND",
        "Security Policy (SP)",
        "ID",
        "Envelope Data (PKE)",
        "DH Data (DH)",
        "Error (ERR)",
        "General Extension (EXT)",
        "IDR",
        "Key Data Transport (KEMAC)",
        "Ver msg (V)",
        "CHASH",
    ];
    let header = |dt: DataType, csb: u32| Header {
        version: 1,
        data_type: dt,
        v_flag: true,
        prf: PrfFunc::MikeyOne,
        csb_id: csb,
        cs_map: srtp.clone(),
    };
    out.push((
        Message {
            header: header(DataType::PkInit, 0x2000_0001),
            payloads: all.clone(),
        },
        names.clone(),
    ));
    // SIGN has no Next Payload: it ends a message.
    let mut signed = all;
    signed.pop();
    signed.push(Payload::Sign(Sign {
        s_type: 0,
        signature: vec![8; 128],
    }));
    out.push((
        Message {
            header: header(DataType::DhInit, 0x2000_0002),
            payloads: signed,
        },
        vec!["Timestamp (T)", "DH Data (DH)", "Signature (SIGN)"],
    ));
    // RFC 6043 payloads after ones tshark knows.
    for (i, p) in rfc6043_payloads().into_iter().enumerate() {
        out.push((
            Message {
                header: Header {
                    version: 1,
                    data_type: DataType::TransferInit,
                    v_flag: false,
                    prf: PrfFunc::HmacSha256,
                    csb_id: 0x3000_0000 + i as u32,
                    cs_map: srtp.clone(),
                },
                payloads: vec![
                    Payload::T(Timestamp {
                        ts: TsValue::NtpUtc(1),
                    }),
                    p,
                ],
            },
            vec!["Timestamp (T)"],
        ));
    }
    out
}

#[test]
fn tshark_dissects_every_message_kind_without_malformed_marks() {
    if !tshark_available() {
        return;
    }
    let messages = messages();
    let frames: Vec<Vec<u8>> = messages
        .iter()
        .map(|(m, _)| udp_frame(&m.to_bytes()))
        .collect();
    let dir = work_dir("tshark_mikey");
    let pcap = dir.join("mikey.pcap");
    write_pcap(&pcap, &frames);
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .arg("-V")
        .arg("-o")
        .arg("mikey.udp.port:2269")
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        _ => Command::new("tshark")
            .arg("-r")
            .arg(&pcap)
            .arg("-V")
            .output()
            .unwrap(),
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let packets: Vec<&str> = text.split("\nFrame ").collect();
    assert_eq!(packets.len(), messages.len(), "{text}");
    let mut clean = 0;
    for ((m, names), dissection) in messages.iter().zip(&packets) {
        assert!(
            dissection.contains("Multimedia Internet KEYing"),
            "{dissection}"
        );
        assert!(!dissection.contains("Malformed Packet"), "{dissection}");
        assert!(!dissection.contains("[Expert Info (Error"), "{dissection}");
        assert!(
            dissection.contains(&format!("CSB ID: 0x{:08x}", m.header.csb_id)),
            "{dissection}"
        );
        assert!(
            dissection.lines().any(|l| {
                let l = l.trim();
                l.starts_with("Data Type: ")
                    && l.ends_with(&format!("({})", u8::from(m.header.data_type)))
            }),
            "{dissection}"
        );
        for name in names {
            assert!(dissection.contains(name), "{name} missing in {dissection}");
        }
        clean += 1;
    }
    eprintln!("tshark dissected {clean} MIKEY messages without a malformed mark");
}
