//! Hand-built MIKEY byte vectors (RFC 3830 §6, RFC 4563 §5, RFC 6043 §6 and
//! Appendix A): every payload parsed to the expected value and emitted back
//! byte for byte; whole messages of every kind; truncation and error text.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kms_ticket::codec::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

fn key(b: &[u8]) -> KeyBytes {
    KeyBytes::from_slice(b).unwrap()
}

/// HDR: version 1, PSK_INIT, V=0, PRF MIKEY-1, CSB ID 01020304, SRTP-ID map with no CS.
fn hdr(first: u8) -> Vec<u8> {
    let mut v = h("01 00");
    v.push(first);
    v.extend(h("00 01020304 00 00"));
    v
}

fn empty_header() -> Header {
    Header {
        version: 1,
        data_type: DataType::PskInit,
        v_flag: false,
        prf: PrfFunc::MikeyOne,
        csb_id: 0x0102_0304,
        cs_map: CsIdMap::SrtpId(vec![]),
    }
}

/// A message of HDR and the given payload bytes parses to `expected` and
/// emits back to the same bytes.
fn check_single(first: u8, payload: &[u8], expected: Payload) {
    let mut bytes = hdr(first);
    bytes.extend_from_slice(payload);
    let msg = Message::parse(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(msg.payloads, vec![expected.clone()]);
    assert_eq!(msg.header, empty_header());
    assert_eq!(msg.to_bytes(), bytes);
    let built = Message {
        header: empty_header(),
        payloads: vec![expected],
    };
    assert_eq!(built.to_bytes(), bytes);
    for cut in 0..bytes.len() {
        if !matches!(built.payloads[0], Payload::Unknown { .. }) {
            assert!(
                Message::parse(&bytes[..cut]).is_err(),
                "prefix {cut} parsed"
            );
        }
    }
}

fn tgk_salt_spi() -> (Vec<u8>, KeyData) {
    let bytes = h(
        "00 11 0010 000102030405060708090a0b0c0d0e0f 000e a0a1a2a3a4a5a6a7a8a9aaabacad 04 deadbeef",
    );
    let kd = KeyData {
        key_type: KeyType::Tgk,
        key: key(&h("000102030405060708090a0b0c0d0e0f")),
        salt: Some(key(&h("a0a1a2a3a4a5a6a7a8a9aaabacad"))),
        kv: KeyValidity::Spi(h("deadbeef")),
    };
    (bytes, kd)
}

#[test]
fn kemac_with_null_encryption_and_hmac_sha1() {
    let (kd_bytes, kd) = tgk_salt_spi();
    let mut p = h("00 00");
    p.extend((kd_bytes.len() as u16).to_be_bytes());
    p.extend(&kd_bytes);
    p.push(1);
    p.extend([0x5a; 20]);
    let kemac = Kemac {
        encr_alg: EncrAlg::Null,
        encr_data: kd_bytes.clone(),
        mac_alg: MacAlg::HmacSha1_160,
        mac: vec![0x5a; 20],
    };
    assert_eq!(kemac.null_keys().unwrap(), vec![kd.clone()]);
    check_single(payload_type::KEMAC, &p, Payload::Kemac(kemac));
}

#[test]
fn key_data_chain_of_every_key_type() {
    // TEK+SALT with an interval, then GTGK (no salt, KV NULL), then MPK with an SPI.
    let plain = h("14 32 0002 aabb 0001 cc 03 010203 02 0405 \
                   14 40 0001 dd \
                   00 61 0003 eeeeee 01 07");
    let keys = KeyData::parse_chain(&plain).unwrap();
    assert_eq!(
        keys,
        vec![
            KeyData {
                key_type: KeyType::Tek,
                key: key(&[0xaa, 0xbb]),
                salt: Some(key(&[0xcc])),
                kv: KeyValidity::Interval {
                    from: h("010203"),
                    to: h("0405")
                },
            },
            KeyData {
                key_type: KeyType::Gtgk,
                key: key(&[0xdd]),
                salt: None,
                kv: KeyValidity::Null
            },
            KeyData {
                key_type: KeyType::Mpk,
                key: key(&[0xee; 3]),
                salt: None,
                kv: KeyValidity::Spi(vec![7])
            },
        ]
    );
    let mut out = Vec::new();
    KeyData::emit_chain(&keys, &mut out);
    assert_eq!(out, plain);
    // GTGK+SALT (5) and TGK (0).
    let plain = h("14 50 0001 01 0001 02 00 00 0001 03");
    let keys = KeyData::parse_chain(&plain).unwrap();
    assert_eq!(keys[0].key_type, KeyType::Gtgk);
    assert!(keys[0].salt.is_some());
    assert_eq!(keys[1].key_type, KeyType::Tgk);
    let mut out = Vec::new();
    KeyData::emit_chain(&keys, &mut out);
    assert_eq!(out, plain);
    // Key type 7 is unknown: whether a salt follows cannot be known.
    let err = KeyData::parse_chain(&h("00 70 0001 01")).unwrap_err();
    assert_eq!(
        err.kind,
        ParseErrorKind::Unknown {
            field: "key type",
            value: 7
        }
    );
}

#[test]
fn public_key_kemac_plaintext_is_an_id_then_key_data() {
    let (kd_bytes, kd) = tgk_salt_spi();
    let mut plain = h("14 01 0005");
    plain.extend(b"a@b.c");
    plain.extend(&kd_bytes);
    let (id, keys) = KeyData::parse_pk_plaintext(&plain).unwrap();
    assert_eq!(
        id,
        Id {
            id_type: IdType::Uri,
            data: b"a@b.c".to_vec()
        }
    );
    assert_eq!(keys, vec![kd]);
    let mut out = Vec::new();
    KeyData::emit_pk_plaintext(&id, &keys, &mut out);
    assert_eq!(out, plain);
}

#[test]
fn pke() {
    check_single(
        payload_type::PKE,
        &h("00 4005 0102030405"),
        Payload::Pke(Pke {
            cache: 1,
            data: h("0102030405"),
        }),
    );
}

#[test]
fn dh_keeps_the_reserved_bits() {
    let mut p = h("00 01");
    p.extend([0x11; 96]);
    p.extend(h("52 02 aabb 01 cc"));
    check_single(
        payload_type::DH,
        &p,
        Payload::Dh(Dh {
            group: 1,
            value: vec![0x11; 96],
            reserved: 5,
            kv: KeyValidity::Interval {
                from: h("aabb"),
                to: h("cc"),
            },
        }),
    );
    let mut bytes = hdr(payload_type::DH);
    bytes.extend(h("00 07 00"));
    let err = Message::parse(&bytes).unwrap_err();
    assert_eq!(err.to_string(), "DH at byte 11: unknown DH-Group 7");
}

#[test]
fn sign_has_no_next_payload_and_ends_the_message() {
    check_single(
        payload_type::SIGN,
        &h("1003 010203"),
        Payload::Sign(Sign {
            s_type: 1,
            signature: h("010203"),
        }),
    );
    let mut bytes = hdr(payload_type::SIGN);
    bytes.extend(h("1003 010203 00"));
    assert_eq!(
        Message::parse(&bytes).unwrap_err().kind,
        ParseErrorKind::Trailing(1)
    );
}

#[test]
fn timestamps_of_every_type() {
    check_single(
        payload_type::T,
        &h("00 00 e1e2e3e4e5e6e7e8"),
        Payload::T(Timestamp {
            ts: TsValue::NtpUtc(0xe1e2_e3e4_e5e6_e7e8),
        }),
    );
    check_single(
        payload_type::T,
        &h("00 01 0000000100000002"),
        Payload::T(Timestamp {
            ts: TsValue::Ntp(0x1_0000_0002),
        }),
    );
    check_single(
        payload_type::T,
        &h("00 02 0000002a"),
        Payload::T(Timestamp {
            ts: TsValue::Counter(42),
        }),
    );
    check_single(
        payload_type::T,
        &h("00 03 e0000000"),
        Payload::T(Timestamp {
            ts: TsValue::NtpUtc32(0xe000_0000),
        }),
    );
    assert_eq!(TsValue::NtpUtc32(5).as_u64(), 5 << 32);
    let mut bytes = hdr(payload_type::T);
    bytes.extend(h("00 04 00000000"));
    assert_eq!(
        Message::parse(&bytes).unwrap_err().to_string(),
        "T at byte 11: unknown TS type 4"
    );
}

#[test]
fn id_cert_chash() {
    let mut p = h("00 01 0005");
    p.extend(b"a@b.c");
    check_single(
        payload_type::ID,
        &p,
        Payload::Id(Id {
            id_type: IdType::Uri,
            data: b"a@b.c".to_vec(),
        }),
    );
    check_single(
        payload_type::ID,
        &h("00 09 0001 ff"),
        Payload::Id(Id {
            id_type: IdType::Other(9),
            data: vec![0xff],
        }),
    );
    check_single(
        payload_type::CERT,
        &h("00 02 0003 010203"),
        Payload::Cert(Cert {
            cert_type: 2,
            data: h("010203"),
        }),
    );
    let mut p = h("00 00");
    p.extend([9; 20]);
    check_single(
        payload_type::CHASH,
        &p,
        Payload::Chash(Chash {
            hash_func: 0,
            hash: vec![9; 20],
        }),
    );
    let mut p = h("00 02");
    p.extend([9; 32]);
    check_single(
        payload_type::CHASH,
        &p,
        Payload::Chash(Chash {
            hash_func: 2,
            hash: vec![9; 32],
        }),
    );
}

#[test]
fn verification_mac_length_follows_the_algorithm() {
    let mut p = h("00 02");
    p.extend([0xab; 32]);
    check_single(
        payload_type::V,
        &p,
        Payload::V(Verification {
            mac_alg: MacAlg::HmacSha256_256,
            mac: vec![0xab; 32],
        }),
    );
    check_single(
        payload_type::V,
        &h("00 00"),
        Payload::V(Verification {
            mac_alg: MacAlg::Null,
            mac: vec![],
        }),
    );
    let mut bytes = hdr(payload_type::V);
    bytes.extend(h("00 03"));
    assert_eq!(
        Message::parse(&bytes).unwrap_err().to_string(),
        "V at byte 11: unknown MAC alg 3"
    );
}

#[test]
fn security_policy_with_srtp_parameters() {
    let p = h("00 01 00 0009 0001 01 010110 070101");
    let sp = SecurityPolicy {
        policy_no: 1,
        prot_type: 0,
        params: vec![
            PolicyParam {
                ptype: 0,
                value: vec![1],
            },
            PolicyParam {
                ptype: 1,
                value: vec![16],
            },
            PolicyParam {
                ptype: 7,
                value: vec![1],
            },
        ],
    };
    let typed = sp.srtp_policy().unwrap();
    assert_eq!(typed.encr_alg, Some(SrtpEncrAlg::AesCm));
    assert_eq!(typed.encr_key_len, Some(16));
    assert_eq!(typed.srtp_encr, Some(true));
    assert_eq!(SecurityPolicy::srtp(1, &typed), sp);
    check_single(payload_type::SP, &p, Payload::Sp(sp));
    // A parameter running past Policy param length is refused.
    let mut bytes = hdr(payload_type::SP);
    bytes.extend(h("00 01 00 0003 0005 01"));
    assert_eq!(
        Message::parse(&bytes).unwrap_err().to_string(),
        "SP at byte 17: truncated"
    );
}

#[test]
fn every_srtp_policy_parameter_round_trips_typed() {
    let typed = SrtpPolicy {
        encr_alg: Some(SrtpEncrAlg::AesF8),
        encr_key_len: Some(16),
        auth_alg: Some(SrtpAuthAlg::HmacSha1),
        auth_key_len: Some(20),
        salt_len: Some(14),
        prf: Some(0),
        kdr: Some(1 << 16),
        srtp_encr: Some(true),
        srtcp_encr: Some(false),
        fec_order: Some(0),
        srtp_auth: Some(true),
        auth_tag_len: Some(10),
        prefix_len: Some(0),
        other: vec![PolicyParam {
            ptype: 13,
            value: h("0102"),
        }],
    };
    let sp = SecurityPolicy::srtp(3, &typed);
    assert_eq!(
        sp.params.iter().map(|p| p.ptype).collect::<Vec<_>>(),
        (0..=13).collect::<Vec<_>>()
    );
    assert_eq!(SrtpPolicy::try_from(&sp).unwrap(), typed);
    let bad = SecurityPolicy {
        policy_no: 0,
        prot_type: 0,
        params: vec![PolicyParam {
            ptype: 7,
            value: vec![2],
        }],
    };
    assert!(bad.srtp_policy().is_err());
}

#[test]
fn rand_err_general_ext() {
    let mut p = h("00 10");
    p.extend([0x77; 16]);
    check_single(
        payload_type::RAND,
        &p,
        Payload::Rand(Rand {
            rand: vec![0x77; 16],
        }),
    );
    check_single(
        payload_type::ERR,
        &h("00 0e 0001"),
        Payload::Err(ErrorPayload {
            code: ErrorCode::InvalidTicket,
            reserved: 1,
        }),
    );
    check_single(
        payload_type::ERR,
        &h("00 0f 0000"),
        Payload::Err(ErrorPayload {
            code: ErrorCode::InvalidTpPar,
            reserved: 0,
        }),
    );
    check_single(
        payload_type::ERR,
        &h("00 0d 0000"),
        Payload::Err(ErrorPayload {
            code: ErrorCode::Other(13),
            reserved: 0,
        }),
    );
    check_single(
        payload_type::GENERAL_EXT,
        &h("00 03 0002 abcd"),
        Payload::GeneralExt(GeneralExt {
            ext_type: 3,
            data: h("abcd"),
        }),
    );
}

#[test]
fn role_payloads_tr_idr_randr() {
    check_single(
        payload_type::TR,
        &h("00 02 03 e0000001"),
        Payload::Tr(TimestampRole {
            role: TsRole::ValidityStart,
            ts: TsValue::NtpUtc32(0xe000_0001),
        }),
    );
    check_single(
        payload_type::TR,
        &h("00 f0 02 00000001"),
        Payload::Tr(TimestampRole {
            role: TsRole::Other(0xf0),
            ts: TsValue::Counter(1),
        }),
    );
    check_single(
        payload_type::IDR,
        &h("00 03 01 0003 6b6d73"),
        Payload::Idr(IdRole {
            role: IdRoleKind::Kms,
            id_type: IdType::Uri,
            data: b"kms".to_vec(),
        }),
    );
    check_single(
        payload_type::IDR,
        &h("00 04 02 0001 01"),
        Payload::Idr(IdRole {
            role: IdRoleKind::Psk,
            id_type: IdType::ByteString,
            data: vec![1],
        }),
    );
    check_single(
        payload_type::RANDR,
        &h("00 01 04 01020304"),
        Payload::Randr(RandRole {
            role: RandRoleKind::Initiator,
            rand: h("01020304"),
        }),
    );
    check_single(
        payload_type::RANDR,
        &h("00 03 00"),
        Payload::Randr(RandRole {
            role: RandRoleKind::Kms,
            rand: vec![],
        }),
    );
}

fn sample_tp() -> (Vec<u8>, TicketPolicy) {
    // Ticket type 1, subtype 1, version 1, PRF HMAC-SHA-256 with D=1,
    // E set, M and O set, reserved bits 00001; TP Data = IDRkms "km".
    let bytes = h("0001 01 01 03 80 a1 0008 0e 00 03 01 0002 6b6d");
    let tp = TicketPolicy {
        ticket_type: 1,
        subtype: 1,
        version: 1,
        prf: PrfFunc::HmacSha256,
        flags: TicketFlags(TicketFlags::D | TicketFlags::E | TicketFlags::M | TicketFlags::O | 1),
        tp_data: vec![Payload::Idr(IdRole {
            role: IdRoleKind::Kms,
            id_type: IdType::Uri,
            data: b"km".to_vec(),
        })],
    };
    (bytes, tp)
}

#[test]
fn ticket_policy_keeps_flags_and_reserved_bits() {
    let (body, tp) = sample_tp();
    assert!(tp.flags.d() && tp.flags.e() && tp.flags.m() && tp.flags.o());
    assert!(!tp.flags.f() && !tp.flags.i());
    assert_eq!(tp.flags.reserved(), 1);
    let mut p = vec![0];
    p.extend(&body);
    check_single(payload_type::TP, &p, Payload::Tp(tp));
}

#[test]
fn ticket_keeps_ticket_and_initiator_data_raw() {
    let (body, tp) = sample_tp();
    let mut p = vec![0];
    p.extend(&body);
    p.extend(h("0003 aabbcc 0002 0000"));
    check_single(
        payload_type::TICKET,
        &p,
        Payload::Ticket(Ticket {
            policy: tp,
            ticket_data: h("aabbcc"),
            initiator_data: h("0000"),
        }),
    );
}

#[test]
fn tp_inside_tp_data_is_refused() {
    let mut bytes = hdr(payload_type::TP);
    // TP whose TP Data holds a TP.
    bytes.extend(h(
        "00 0001 01 01 00 00 00 000c 10 00 0001 01 01 00 00 00 0001 00",
    ));
    let err = Message::parse(&bytes).unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::TooDeep);
    assert_eq!(err.what, "TP");
}

#[test]
fn unknown_payload_type_keeps_the_rest() {
    check_single(
        99,
        &h("0102 03"),
        Payload::Unknown {
            payload_type: 99,
            rest: h("010203"),
        },
    );
    check_single(
        26,
        &h(""),
        Payload::Unknown {
            payload_type: 26,
            rest: vec![],
        },
    );
}

fn srtp_header(data_type: DataType) -> Header {
    Header {
        version: 1,
        data_type,
        v_flag: true,
        prf: PrfFunc::MikeyOne,
        csb_id: 0xcafe_f00d,
        cs_map: CsIdMap::SrtpId(vec![
            SrtpCs {
                policy_no: 0,
                ssrc: 0x1111_1111,
                roc: 0,
            },
            SrtpCs {
                policy_no: 0,
                ssrc: 0x2222_2222,
                roc: 7,
            },
        ]),
    }
}

fn generic_header(data_type: DataType) -> Header {
    Header {
        version: 1,
        data_type,
        v_flag: false,
        prf: PrfFunc::HmacSha256,
        csb_id: 0x0bad_cafe,
        cs_map: CsIdMap::GenericId(vec![
            GenericCs::srtp(1, vec![0], 0x3333_3333, Some((1, 0x0102)), vec![0xaa]),
            GenericCs::srtp(2, vec![0, 1], 0x4444_4444, None, vec![]),
        ]),
    }
}

fn roundtrip(msg: &Message) -> Vec<u8> {
    let bytes = msg.to_bytes();
    assert_eq!(Message::parse(&bytes).as_ref(), Ok(msg));
    for cut in 0..bytes.len() {
        let err = Message::parse(&bytes[..cut]).unwrap_err();
        assert!(err.offset <= cut, "{err} for a {cut}-byte prefix");
        assert!(err.to_string().contains(" at byte "), "{err}");
    }
    let line = KeyMgmt::mikey(msg).to_string();
    assert_eq!(KeyMgmt::parse(&line).unwrap().message().as_ref(), Ok(msg));
    bytes
}

fn t() -> Payload {
    Payload::T(Timestamp {
        ts: TsValue::NtpUtc(0xe7a1_b2c3_0000_0000),
    })
}

fn kemac(keys: &[KeyData], mac_alg: MacAlg) -> Payload {
    let mut plain = Vec::new();
    KeyData::emit_chain(keys, &mut plain);
    Payload::Kemac(Kemac {
        encr_alg: EncrAlg::Null,
        encr_data: plain,
        mac_alg,
        mac: vec![0xee; mac_alg.mac_len()],
    })
}

fn v() -> Payload {
    Payload::V(Verification {
        mac_alg: MacAlg::HmacSha256_256,
        mac: vec![0x99; 32],
    })
}

fn idr(role: IdRoleKind, data: &str) -> Payload {
    Payload::Idr(IdRole {
        role,
        id_type: IdType::Uri,
        data: data.as_bytes().to_vec(),
    })
}

fn randr(role: RandRoleKind) -> Payload {
    Payload::Randr(RandRole {
        role,
        rand: vec![role.into(); 16],
    })
}

#[test]
fn psk_init_with_srtp_id_map() {
    let (_, kd) = tgk_salt_spi();
    let sp = SecurityPolicy::srtp(
        0,
        &SrtpPolicy {
            encr_alg: Some(SrtpEncrAlg::AesCm),
            encr_key_len: Some(16),
            auth_alg: Some(SrtpAuthAlg::HmacSha1),
            auth_tag_len: Some(10),
            ..SrtpPolicy::default()
        },
    );
    let msg = Message {
        header: srtp_header(DataType::PskInit),
        payloads: vec![
            t(),
            Payload::Rand(Rand {
                rand: vec![0x42; 16],
            }),
            Payload::Sp(sp.clone()),
            kemac(&[kd], MacAlg::HmacSha1_160),
        ],
    };
    let bytes = roundtrip(&msg);
    // HDR: version, data type, next = T, V=1|PRF 0, CSB ID, #CS 2, SRTP-ID.
    assert_eq!(bytes[..10], h("01 00 05 80 cafef00d 02 00"));
    assert_eq!(
        bytes[10..28],
        h("00 11111111 00000000 00 22222222 00000007")
    );
    // The KEMAC's MAC is the last 20 bytes.
    assert_eq!(
        bytes[bytes.len() - 21..],
        [[1].as_slice(), &[0xee; 20]].concat()
    );
    assert_eq!(msg.sp(0), Some(&sp));
    assert!(msg.kemac().is_some() && msg.t().is_some() && msg.rand().is_some());
}

#[test]
fn request_init_psk() {
    let (body, mut tp) = sample_tp();
    let _ = body;
    tp.tp_data.push(kemac(
        &[KeyData {
            key_type: KeyType::Tgk,
            key: key(&[0; 16]),
            salt: None,
            kv: KeyValidity::Spi(vec![1]),
        }],
        MacAlg::Null,
    ));
    let msg = Message {
        header: Header {
            version: 1,
            data_type: DataType::RequestInitPsk,
            v_flag: false,
            prf: PrfFunc::HmacSha256,
            csb_id: 0,
            cs_map: CsIdMap::Empty,
        },
        payloads: vec![
            t(),
            randr(RandRoleKind::Initiator),
            idr(IdRoleKind::Initiator, "sip:alice@ims"),
            idr(IdRoleKind::Kms, "kms.ims"),
            Payload::Tp(tp),
            idr(IdRoleKind::Psk, "psk1"),
            v(),
        ],
    };
    let bytes = roundtrip(&msg);
    // RFC 4563 empty map: #CS 0, map type 1, no map info.
    assert_eq!(bytes[..10], h("01 0b 05 01 00000000 00 01"));
    assert_eq!(bytes[bytes.len() - 32..], [0x99; 32]);
    assert_eq!(msg.idr(IdRoleKind::Kms).unwrap().data, b"kms.ims");
    assert!(msg.tp().is_some());
    // A non-zero #CS with the empty map is refused.
    let mut bad = bytes.clone();
    bad[8] = 1;
    assert_eq!(
        Message::parse(&bad).unwrap_err().to_string(),
        "HDR at byte 8: empty CS ID map with a non-zero #CS"
    );
}

fn base_ticket_data() -> TicketData {
    let mpk = KeyData {
        key_type: KeyType::Mpk,
        key: key(&[0x11; 16]),
        salt: None,
        kv: KeyValidity::Spi(vec![1]),
    };
    let tgk = KeyData {
        key_type: KeyType::Tgk,
        key: key(&[0x22; 16]),
        salt: None,
        kv: KeyValidity::Spi(vec![2]),
    };
    TicketData {
        header: TicketHeader { data: h("0102") },
        payloads: vec![
            t(),
            Payload::Rand(Rand { rand: vec![3; 16] }),
            kemac(&[mpk, tgk], MacAlg::Null),
            idr(IdRoleKind::Psk, "tpk-1"),
            v(),
        ],
    }
}

#[test]
fn mikey_base_ticket_data_starts_with_thdr() {
    let td = base_ticket_data();
    let bytes = td.to_bytes();
    // THDR: Next Payload T (5), length 2, data.
    assert_eq!(bytes[..5], h("05 0002 0102"));
    assert_eq!(TicketData::parse(&bytes).unwrap(), td);
    for cut in 0..bytes.len() {
        assert!(TicketData::parse(&bytes[..cut]).is_err());
    }
    let keys = match &td.payloads[2] {
        Payload::Kemac(k) => k.null_keys().unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(keys[0].key_type, KeyType::Mpk);
}

fn ticket() -> Ticket {
    let (_, tp) = sample_tp();
    let mut initiator_data = Vec::new();
    emit_chain(&[v(), v()], &mut initiator_data);
    Ticket {
        policy: tp,
        ticket_data: base_ticket_data().to_bytes(),
        initiator_data,
    }
}

#[test]
fn request_resp_carries_a_ticket() {
    let msg = Message {
        header: Header {
            version: 1,
            data_type: DataType::RequestResp,
            v_flag: false,
            prf: PrfFunc::HmacSha256,
            csb_id: 0,
            cs_map: CsIdMap::Empty,
        },
        payloads: vec![
            t(),
            idr(IdRoleKind::Kms, "kms.ims"),
            Payload::Ticket(ticket()),
            kemac(&[], MacAlg::Null),
            v(),
        ],
    };
    roundtrip(&msg);
    let tk = msg.ticket().unwrap();
    assert_eq!(
        TicketData::parse(&tk.ticket_data).unwrap(),
        base_ticket_data()
    );
    assert_eq!(parse_chain(&tk.initiator_data).unwrap(), vec![v(), v()]);
}

#[test]
fn transfer_init_and_resp_with_generic_id_map() {
    let msg = Message {
        header: generic_header(DataType::TransferInit),
        payloads: vec![
            t(),
            randr(RandRoleKind::Initiator),
            idr(IdRoleKind::Initiator, "sip:alice@ims"),
            idr(IdRoleKind::Responder, "sip:bob@ims"),
            Payload::Ticket(ticket()),
            v(),
        ],
    };
    let bytes = roundtrip(&msg);
    // GENERIC-ID: CS 1, SRTP, S=1 #P=1, policy 0, Session Data (SSRC ROC SEQ), SPI aa; CS 2 ...
    assert_eq!(bytes[8..10], h("02 02"));
    assert_eq!(
        bytes[10..28],
        h("01 00 81 00 000a 33333333 00000001 0102 01 aa")
    );
    assert_eq!(bytes[28..40], h("02 00 02 0001 0004 44444444 00"));
    let CsIdMap::GenericId(cs) = &msg.header.cs_map else {
        unreachable!()
    };
    assert_eq!(cs[0].srtp_session(), Some((0x3333_3333, Some((1, 0x0102)))));
    assert_eq!(cs[1].srtp_session(), Some((0x4444_4444, None)));
    let resp = Message {
        header: generic_header(DataType::TransferResp),
        payloads: vec![
            t(),
            randr(RandRoleKind::Responder),
            idr(IdRoleKind::Responder, "sip:bob@ims"),
            v(),
        ],
    };
    roundtrip(&resp);
}

#[test]
fn resolve_init_and_resp_with_generic_id_map() {
    let init = Message {
        header: generic_header(DataType::ResolveInitPsk),
        payloads: vec![
            t(),
            randr(RandRoleKind::Responder),
            idr(IdRoleKind::Responder, "sip:bob@ims"),
            idr(IdRoleKind::Kms, "kms.ims"),
            Payload::Ticket(ticket()),
            idr(IdRoleKind::Psk, "psk-bob"),
            v(),
        ],
    };
    roundtrip(&init);
    let tek = KeyData {
        key_type: KeyType::Tek,
        key: key(&[5; 16]),
        salt: Some(key(&[6; 14])),
        kv: KeyValidity::Spi(vec![1]),
    };
    let resp = Message {
        header: generic_header(DataType::ResolveResp),
        payloads: vec![
            t(),
            idr(IdRoleKind::Kms, "kms.ims"),
            Payload::Tr(TimestampRole {
                role: TsRole::ValidityEnd,
                ts: TsValue::NtpUtc32(0xf000_0000),
            }),
            kemac(&[tek], MacAlg::Null),
            v(),
        ],
    };
    roundtrip(&resp);
    assert!(resp.tr(TsRole::ValidityEnd).is_some());
    assert_eq!(DataType::from(18), DataType::ResolveResp);
    assert_eq!(u8::from(DataType::ResolveInitPk), 17);
}

#[test]
fn error_message_and_other_payloads() {
    let msg = Message {
        header: Header {
            data_type: DataType::Error,
            ..srtp_header(DataType::Error)
        },
        payloads: vec![
            t(),
            Payload::Err(ErrorPayload {
                code: ErrorCode::AuthFailure,
                reserved: 0,
            }),
            Payload::Id(Id {
                id_type: IdType::Nai,
                data: b"a@b".to_vec(),
            }),
            Payload::Cert(Cert {
                cert_type: 0,
                data: vec![0x30, 0x00],
            }),
            Payload::Chash(Chash {
                hash_func: 1,
                hash: vec![1; 16],
            }),
            Payload::Pke(Pke {
                cache: 2,
                data: vec![9; 40],
            }),
            Payload::Dh(Dh {
                group: 2,
                value: vec![4; 128],
                reserved: 0,
                kv: KeyValidity::Null,
            }),
            Payload::GeneralExt(GeneralExt {
                ext_type: 0,
                data: b"vendor".to_vec(),
            }),
            Payload::Sign(Sign {
                s_type: 0,
                signature: vec![8; 128],
            }),
        ],
    };
    roundtrip(&msg);
}

#[test]
fn errors_name_the_payload_and_offset() {
    let msg = Message {
        header: empty_header(),
        payloads: vec![t(), kemac(&[tgk_salt_spi().1], MacAlg::HmacSha1_160)],
    };
    let bytes = msg.to_bytes();
    // The KEMAC starts at 10 + 10 = 20; cutting inside its MAC.
    let err = Message::parse(&bytes[..bytes.len() - 1]).unwrap_err();
    assert_eq!(err.what, "KEMAC");
    assert_eq!(err.kind, ParseErrorKind::Truncated);
    assert_eq!(
        err.to_string(),
        format!("KEMAC at byte {}: truncated", bytes.len() - 20)
    );
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        Message::parse(&long).unwrap_err().to_string(),
        format!(
            "message at byte {}: 1 unexpected trailing bytes",
            bytes.len()
        )
    );
    let err = Message::parse(&h("01 00 00 00 00000000 00 05")).unwrap_err();
    assert_eq!(err.to_string(), "HDR at byte 9: unknown CS ID map type 5");
    // A key longer than 255 bytes is refused rather than truncated.
    let mut plain = h("00 20 0100");
    plain.extend([0; 256]);
    assert_eq!(
        KeyData::parse_chain(&plain).unwrap_err().kind,
        ParseErrorKind::TooLong {
            field: "key data",
            len: 256,
            max: 255
        }
    );
}

#[test]
fn key_mgmt_attribute_forms() {
    let msg = Message {
        header: empty_header(),
        payloads: vec![t()],
    };
    let km = KeyMgmt::mikey(&msg);
    let line = km.to_string();
    for form in [
        line.clone(),
        format!("{line}\r\n"),
        line.trim_start_matches("a=").to_string(),
        line.replace("key-mgmt:", "key-mgmt: "),
    ] {
        assert_eq!(KeyMgmt::parse(&form).unwrap(), km, "{form}");
    }
    // RFC 4567 §3.1 example header bytes.
    let km = KeyMgmt::parse("a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO").unwrap_err();
    assert_eq!(km.what, "key-mgmt");
    assert!(KeyMgmt::parse("a=key-mgmt:mikey").is_err());
    assert!(KeyMgmt::parse("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x").is_err());
    let other = KeyMgmt::parse("a=key-mgmt:keyp1 AAEC").unwrap();
    assert_eq!(other.protocol, "keyp1");
    assert!(other.message().is_err());
}

/// Writes the named fuzz seeds under `fuzz/corpus/` from the messages above:
/// `cargo test -p kms-ticket --test codec -- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes files; run by hand to refresh the fuzz seeds"]
fn write_fuzz_seeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let (_, kd) = tgk_salt_spi();
    let psk = Message {
        header: srtp_header(DataType::PskInit),
        payloads: vec![
            t(),
            Payload::Rand(Rand {
                rand: vec![0x42; 16],
            }),
            Payload::Sp(SecurityPolicy::srtp(
                0,
                &SrtpPolicy {
                    encr_alg: Some(SrtpEncrAlg::AesCm),
                    ..SrtpPolicy::default()
                },
            )),
            kemac(&[kd], MacAlg::HmacSha1_160),
        ],
    };
    let transfer = Message {
        header: generic_header(DataType::TransferInit),
        payloads: vec![
            t(),
            randr(RandRoleKind::Initiator),
            idr(IdRoleKind::Initiator, "sip:alice@ims"),
            Payload::Ticket(ticket()),
            v(),
        ],
    };
    let request = Message {
        header: Header {
            version: 1,
            data_type: DataType::RequestInitPsk,
            v_flag: false,
            prf: PrfFunc::HmacSha256,
            csb_id: 0,
            cs_map: CsIdMap::Empty,
        },
        payloads: vec![
            t(),
            randr(RandRoleKind::Initiator),
            Payload::Tp(sample_tp().1),
            idr(IdRoleKind::Psk, "psk1"),
            v(),
        ],
    };
    let error = Message {
        header: srtp_header(DataType::Error),
        payloads: vec![
            t(),
            Payload::Err(ErrorPayload {
                code: ErrorCode::InvalidTicket,
                reserved: 0,
            }),
            Payload::Dh(Dh {
                group: 1,
                value: vec![4; 96],
                reserved: 0,
                kv: KeyValidity::Spi(vec![1]),
            }),
            Payload::Sign(Sign {
                s_type: 0,
                signature: vec![8; 16],
            }),
        ],
    };
    for (name, m) in [
        ("psk_init", &psk),
        ("transfer_init", &transfer),
        ("request_init_psk", &request),
        ("error_dh_sign", &error),
    ] {
        write("kms_ticket_mikey_message", name, &m.to_bytes());
        write(
            "kms_ticket_key_mgmt_attr",
            name,
            format!("{}\r\n", KeyMgmt::mikey(m)).as_bytes(),
        );
    }
    write(
        "kms_ticket_ticket_data",
        "base_ticket",
        &base_ticket_data().to_bytes(),
    );
    write(
        "kms_ticket_ticket_data",
        "initiator_data",
        &ticket().initiator_data,
    );
    let mut tp_data = Vec::new();
    emit_chain(&sample_tp().1.tp_data, &mut tp_data);
    write("kms_ticket_ticket_data", "tp_data", &tp_data);
}
