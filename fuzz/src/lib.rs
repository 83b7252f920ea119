//! The bodies of the fuzz targets, one function per target.
//!
//! Each `fuzz_targets/<name>.rs` calls the function of the same name; the
//! root package's `tests/fuzz_replay.rs` includes this file and replays every
//! file under `fuzz/corpus/<name>/` and `fuzz/artifacts/<name>/` through it
//! on stable Rust, so a crash found once stays fixed.
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ims_aka::digest::{Challenge, Credentials};
use ims_aka::{milenage::Milenage, usim::Usim, Autn, Auts};
use ims_sec_core::Secret;

/// A fuzz target's body.
pub type Body = fn(&[u8]);

/// Every target: its name and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("ims_aka_autn", ims_aka_autn),
    ("ims_aka_digest", ims_aka_digest),
    ("ims_sec_core_sip", ims_sec_core_sip),
    ("esp_sa_decapsulate", esp_sa_decapsulate),
    ("esp_sa_udp", esp_sa_udp),
    ("esp_sa_sad", esp_sa_sad),
    ("sip_sec_agree_headers", sip_sec_agree_headers),
    ("srtp_sdes_unprotect_rtp", srtp_sdes_unprotect_rtp),
    ("srtp_sdes_unprotect_rtcp", srtp_sdes_unprotect_rtcp),
    ("srtp_sdes_crypto_attr", srtp_sdes_crypto_attr),
    ("kms_ticket_mikey_message", kms_ticket_mikey_message),
    ("kms_ticket_key_mgmt_attr", kms_ticket_key_mgmt_attr),
    ("kms_ticket_ticket_data", kms_ticket_ticket_data),
    ("p2p_integrity_manifest", p2p_integrity_manifest),
    ("p2p_integrity_proof", p2p_integrity_proof),
    ("p2p_integrity_key_request", p2p_integrity_key_request),
];

/// AUTN and AUTS from bytes; a parsed AUTN goes through the USIM checks,
/// which must refuse or accept without panicking and never move SQN state on
/// refusal.
pub fn ims_aka_autn(data: &[u8]) {
    let _ = Auts::from_bytes(data);
    let Some((rand, rest)) = data.split_first_chunk::<16>() else {
        return;
    };
    let Ok(autn) = Autn::from_bytes(rest) else {
        return;
    };
    assert_eq!(autn.to_bytes(), rest);
    let k = Secret::new([0x46; 16]);
    let opc = Secret::new([0xcd; 16]);
    let mut usim = Usim::new(Milenage::new(&k, &opc), Default::default());
    let before = usim.sqn_state().clone();
    if usim.authenticate(rand, &autn).is_err() {
        assert_eq!(usim.sqn_state(), &before);
    }
}

/// Digest AKA headers: `WWW-Authenticate` challenges and `Authorization`
/// credentials. Whatever parses must emit on one line and parse back to the
/// same value; the AKA nonce and AUTS decoders and the SIP parameter lexer
/// must refuse or accept without panicking.
pub fn ims_aka_digest(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let _ = ims_sec_core::sip::parse_params(text, b';', 0);
    if let Ok(challenge) = Challenge::parse(text) {
        let emitted = challenge.to_string();
        assert!(!emitted.contains(['\r', '\n']), "{emitted:?}");
        assert_eq!(
            Challenge::parse(&emitted).as_ref(),
            Ok(&challenge),
            "{emitted:?}"
        );
        for mac_len in [8, 16, 32] {
            let _ = challenge.aka_nonce(mac_len);
        }
    }
    if let Ok(credentials) = Credentials::parse(text) {
        let emitted = credentials.to_string();
        assert!(!emitted.contains(['\r', '\n']), "{emitted:?}");
        assert_eq!(
            Credentials::parse(&emitted).as_ref(),
            Ok(&credentials),
            "{emitted:?}"
        );
        let _ = credentials.decode_auts();
    }
}

/// The SIP lexer of ims-sec-core: lists and parameters with both `,` and
/// `;` separators, on the whole input and, as sec-agree reads
/// `Security-Client`, on each `,` element as a `;` list. Offsets must not
/// overflow whatever the base; whatever parses must emit on one line and
/// parse back to the same parameters.
pub fn ims_sec_core_sip(data: &[u8]) {
    use ims_sec_core::sip::{parse_params, split_list};

    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    for separator in [b',', b';'] {
        let _ = split_list(text, separator, usize::MAX - 8);
        let _ = parse_params(text, separator, usize::MAX - 8);
        if let Ok(params) = parse_params(text, separator, 0) {
            let params: Vec<_> = params.into_iter().map(|p| p.value).collect();
            sip_params_round_trip(&params, separator);
        }
    }
    if let Ok(mechanisms) = split_list(text, b',', 0) {
        for mechanism in mechanisms {
            if let Ok(params) = parse_params(mechanism.value, b';', mechanism.offset) {
                assert!(params.iter().all(|p| p.offset >= mechanism.offset));
                let params: Vec<_> = params.into_iter().map(|p| p.value).collect();
                sip_params_round_trip(&params, b';');
            }
        }
    }
}

fn sip_params_round_trip(params: &[ims_sec_core::sip::Param], separator: u8) {
    let joiner = if separator == b',' { ", " } else { ";" };
    let emitted = params
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(joiner);
    assert!(!emitted.contains(['\r', '\n']), "{emitted:?}");
    let again: Vec<_> = ims_sec_core::sip::parse_params(&emitted, separator, 0)
        .unwrap_or_else(|e| panic!("{emitted:?}: {e}"))
        .into_iter()
        .map(|p| p.value)
        .collect();
    assert_eq!(again, params, "{emitted:?}");
}

/// Random bytes as a Security-Client/-Server/-Verify value and as a whole
/// SIP message: whatever parses emits text that parses back to the same
/// list, means the same, and reads as the same `ipsec-3gpp` tuples.
pub fn sip_sec_agree_headers(data: &[u8]) {
    use sip_sec_agree::{Ipsec3gpp, MechanismList, Message, SecurityHeader};

    if let Ok(message) = Message::parse(data) {
        // to_bytes writes a Content-Length of its own; the rest must survive.
        let mut again = Message::parse(&message.to_bytes()).expect("an emitted message parses");
        let mut before = message.headers.clone();
        before.remove("Content-Length");
        again.headers.remove("Content-Length");
        assert_eq!(again.headers, before);
        assert_eq!(again.body, message.body);
        assert_eq!(again.start_line, message.start_line);
        for header in [
            SecurityHeader::Client,
            SecurityHeader::Server,
            SecurityHeader::Verify,
        ] {
            let _ = MechanismList::from_headers(&message.headers, header);
        }
    }
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(list) = MechanismList::parse(text) {
        let emitted = list.to_string();
        assert!(!emitted.contains(['\r', '\n']), "{emitted:?}");
        let again = MechanismList::parse(&emitted).unwrap_or_else(|e| panic!("{emitted:?}: {e}"));
        assert_eq!(again, list, "{emitted:?}");
        assert!(again.same_meaning(&list));
        for (a, b) in list.mechanisms().iter().zip(again.mechanisms()) {
            assert_eq!(Ipsec3gpp::from_mechanism(a), Ipsec3gpp::from_mechanism(b));
        }
    }
}

/// Random bytes, as an ESP packet and as a whole IP packet, into inbound SAs
/// of every algorithm pair, with and without
/// extended sequence numbers, keyed as RFC 3602's sample packets (so its
/// case 5 seed decrypts under AES-CBC without integrity). Decapsulation must
/// refuse or accept without panicking; a refusal leaves the window as it was;
/// an accepted payload lies inside the packet.
pub fn esp_sa_decapsulate(data: &[u8]) {
    use core::time::Duration;
    use esp_sa::{EncryptionAlgorithm, InboundSa, IntegrityAlgorithm, ReplayWindow, Transform};

    const AES_KEY: [u8; 16] = [
        0x90, 0xd3, 0x82, 0xb4, 0x10, 0xee, 0xba, 0x7a, 0xd9, 0x38, 0xc4, 0x6c, 0xec, 0x1a, 0x82,
        0xbf,
    ];
    let key = |len: usize| -> Vec<u8> { AES_KEY.iter().copied().cycle().take(len).collect() };
    let now = Duration::ZERO;
    for &enc in EncryptionAlgorithm::ALL {
        for &int in IntegrityAlgorithm::ALL {
            let Ok(transform) =
                Transform::new(int, &vec![0x5a; int.key_len()], enc, &key(enc.key_len()))
            else {
                continue;
            };
            for esn in [false, true] {
                let window = ReplayWindow::new(64, esn).unwrap();
                let mut sa = InboundSa::new(0x4321, transform.clone(), window);
                let before = sa.window().clone();
                let mut packet = data.to_vec();
                match sa.decapsulate(&mut packet, now) {
                    Ok(got) => assert!(got.payload.end <= packet.len()),
                    Err(_) => assert_eq!(sa.window(), &before),
                }
                // The same bytes as a whole IP packet.
                let before = sa.window().clone();
                let mut packet = data.to_vec();
                match esp_sa::ip::unprotect(&mut sa, &mut packet, now) {
                    Ok(got) => assert!(got.payload.end == packet.len()),
                    Err(_) => assert_eq!(sa.window(), &before),
                }
            }
        }
    }
}

/// Random bytes as a UDP datagram on the RFC 3948 port: header, then the
/// payload classified and, if ESP, decapsulated. Nothing may panic, and the
/// payload range must lie inside the datagram.
pub fn esp_sa_udp(data: &[u8]) {
    use core::time::Duration;
    use esp_sa::udp::{self, UdpPayload};
    use esp_sa::{EncryptionAlgorithm, InboundSa, IntegrityAlgorithm, ReplayWindow, Transform};

    let _ = udp::classify(data);
    let Ok(header) = udp::parse_header(data) else {
        return;
    };
    assert!(header.payload.end <= data.len());
    let mut datagram = data.to_vec();
    let Some(payload) = datagram.get_mut(header.payload) else {
        panic!("payload range outside the datagram");
    };
    if udp::classify(payload) == Ok(UdpPayload::Esp) {
        let transform = Transform::new(
            IntegrityAlgorithm::HmacSha196,
            &[0x5a; 20],
            EncryptionAlgorithm::AesCbc128,
            &[0x11; 16],
        )
        .unwrap();
        let mut sa = InboundSa::new(0x4321, transform, ReplayWindow::new(64, false).unwrap());
        let _ = sa.decapsulate(payload, Duration::ZERO);
    }
}

/// Random bytes as an IP packet into a P-CSCF's SA database holding one
/// UE–P-CSCF set (IPv4 and IPv6), every Annex H pair: refusals change no
/// replay window; an accepted packet's payload lies inside it.
pub fn esp_sa_sad(data: &[u8]) {
    use core::time::Duration;
    use esp_sa::{
        EncryptionAlgorithm, Endpoint, IntegrityAlgorithm, Lifetime, Role, SaDatabase, SaSet,
        SaSetParams,
    };
    use std::net::{Ipv4Addr, Ipv6Addr};

    let pairs = [
        (
            IntegrityAlgorithm::HmacSha196,
            EncryptionAlgorithm::AesCbc128,
        ),
        (
            IntegrityAlgorithm::HmacMd596,
            EncryptionAlgorithm::DesEde3Cbc,
        ),
        (IntegrityAlgorithm::Null, EncryptionAlgorithm::AesGcm),
        (IntegrityAlgorithm::AesGmac, EncryptionAlgorithm::Null),
    ];
    let addresses = [
        (
            Ipv4Addr::new(10, 0, 0, 1).into(),
            Ipv4Addr::new(10, 0, 0, 2).into(),
        ),
        (
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).into(),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2).into(),
        ),
    ];
    for (int, enc) in pairs {
        for (ue, pcscf) in addresses {
            let params = SaSetParams {
                role: Role::Pcscf,
                ue: Endpoint {
                    address: ue,
                    port_c: 5060,
                    port_s: 5062,
                    spi_c: 0x1000,
                    spi_s: 0x1001,
                },
                pcscf: Endpoint {
                    address: pcscf,
                    port_c: 5064,
                    port_s: 5066,
                    spi_c: 0x4321,
                    spi_s: 0x4322,
                },
                replay_window: 64,
                lifetime: Lifetime::UNLIMITED,
            };
            let ck = Secret::new([0x11; 16]);
            let ik = Secret::new([0x22; 16]);
            let set = SaSet::from_ims_keys(&params, int, enc, &ck, &ik, Duration::ZERO).unwrap();
            let mut db = SaDatabase::new();
            db.insert_set(set).unwrap();
            let windows = |db: &SaDatabase| {
                [0x4321, 0x4322].map(|spi| db.inbound(spi).unwrap().window().clone())
            };
            let before = windows(&db);
            let mut packet = data.to_vec();
            match db.unprotect(&mut packet, Duration::ZERO) {
                Ok(got) => assert!(got.decapsulated.payload.end == packet.len()),
                Err(_) => assert_eq!(windows(&db), before),
            }
        }
    }
}

/// The SRTP suites the engine runs, picked by a byte of the input.
fn srtp_sessions(selector: u8) -> Option<(srtp_sdes::OutboundSession, srtp_sdes::InboundSession)> {
    use srtp_sdes::{CryptoSuite, MasterKey, Mki, Policy};
    let suites: Vec<CryptoSuite> = CryptoSuite::ALL
        .into_iter()
        .filter(|s| s.is_supported())
        .collect();
    let suite = suites[usize::from(selector & 0x0f) % suites.len()];
    let key: Vec<u8> = (0..suite.key_salt_len() as u8).collect();
    let mut policy = Policy::from_key_salt(suite, &key).ok()?;
    if selector & 0x10 != 0 {
        policy.keys = vec![MasterKey::from_key_salt(suite, &key)
            .ok()?
            .with_mki(Mki::from_value(7, 2).ok()?)];
    }
    if selector & 0x20 != 0 {
        policy.kdr = 1 << 3;
    }
    if selector & 0x40 != 0 && !suite.is_aead() {
        policy.encrypt_rtp = false;
        policy.encrypt_rtcp = false;
    }
    Some((
        srtp_sdes::OutboundSession::new(policy.clone()).ok()?,
        srtp_sdes::InboundSession::new(policy).ok()?,
    ))
}

/// Random bytes as an SRTP packet into an inbound session of a suite picked
/// by the first byte: refused or accepted without panicking, and a refusal
/// moves nothing. Then the bytes as a plain RTP packet: protected, it must
/// unprotect to the same packet, and with one bit flipped it must be
/// refused.
pub fn srtp_sdes_unprotect_rtp(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((mut tx, mut rx)) = srtp_sessions(selector) else {
        return;
    };
    let before = rx.export_keys();
    let mut packet = rest.to_vec();
    match rx.unprotect_rtp(&mut packet) {
        Ok(got) => assert!(got.len <= packet.len()),
        Err(_) => assert_eq!(rx.export_keys(), before),
    }
    // A fresh receiver: the bytes above may have been a valid packet.
    let Some((_, mut rx)) = srtp_sessions(selector) else {
        return;
    };
    let mut packet = rest.to_vec();
    if tx.protect_rtp_vec(&mut packet).is_ok() {
        let mut copy = packet.clone();
        let got = rx.unprotect_rtp(&mut copy).unwrap();
        assert_eq!(&copy[..got.len], rest);
        let authenticated = rx.policy().authenticate_rtp || rx.policy().suite.is_aead();
        if authenticated {
            let at = usize::from(selector) * 31 % packet.len();
            packet[at] ^= 0x80;
            let before = rx.export_keys();
            if rx.unprotect_rtp(&mut packet).is_err() {
                assert_eq!(rx.export_keys(), before);
            } else {
                // Only a flip in the MKI-free, unauthenticated bytes could
                // pass; there are none, except the replayed index itself.
                panic!("a tampered SRTP packet was accepted");
            }
        }
    }
}

/// As `srtp_sdes_unprotect_rtp`, for SRTCP.
pub fn srtp_sdes_unprotect_rtcp(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((mut tx, mut rx)) = srtp_sessions(selector) else {
        return;
    };
    let mut packet = rest.to_vec();
    if let Ok(got) = rx.unprotect_rtcp(&mut packet) {
        assert!(got.len <= packet.len());
    }
    // A fresh receiver: the bytes above may have been a valid packet.
    let Some((_, mut rx)) = srtp_sessions(selector) else {
        return;
    };
    let mut packet = rest.to_vec();
    if tx.protect_rtcp_vec(&mut packet).is_ok() {
        let mut copy = packet.clone();
        let got = rx.unprotect_rtcp(&mut copy).unwrap();
        assert_eq!(&copy[..got.len], rest);
        let at = usize::from(selector) * 31 % packet.len();
        packet[at] ^= 0x80;
        assert!(
            rx.unprotect_rtcp(&mut packet).is_err(),
            "tampered SRTCP accepted"
        );
    }
}
/// SDES `a=crypto` attributes (RFC 4568 §9.2) and `a=3ge2ae` indicators.
/// In either mode, whatever parses must emit text the strict parser reads
/// back to the same value, and building its policy must refuse or succeed
/// without panicking; an answerer given it as an offer must not panic.
pub fn srtp_sdes_crypto_attr(data: &[u8]) {
    use srtp_sdes::sdes::{CryptoAttribute, ParseMode};
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let _ = srtp_sdes::E2aeIndicator::parse(text);
    for mode in [ParseMode::Strict, ParseMode::Lenient] {
        let Ok(attr) = CryptoAttribute::parse_with(text, mode) else {
            continue;
        };
        let emitted = attr.to_string();
        assert!(!emitted.contains(['\r', '\n']), "{emitted:?}");
        assert_eq!(
            CryptoAttribute::parse(&emitted).as_ref(),
            Ok(&attr),
            "{mode:?} {emitted:?}"
        );
        assert_eq!(CryptoAttribute::parse(&attr.sdp_line()).as_ref(), Ok(&attr));
        if let Ok(policy) = attr.policy() {
            let _ = policy.validate();
        }
        let config = srtp_sdes::SdesConfig {
            allow_weakened: true,
            ..srtp_sdes::SdesConfig::default()
        };
        // A fixed seed, so that a run replays exactly.
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
        if let Ok((answer, negotiated)) =
            srtp_sdes::offer_answer::answer(core::slice::from_ref(&attr), &config, &mut rng)
        {
            assert_eq!(answer.tag, attr.tag);
            assert_eq!(negotiated.receive.keys, attr.policy().unwrap().keys);
            assert_eq!(
                CryptoAttribute::parse(&answer.to_string()).as_ref(),
                Ok(&answer)
            );
        }
    }
}

/// A MIKEY message: whatever parses emits back to the same bytes and parses
/// to the same value; a NULL-encrypted KEMAC's key data and the chains inside
/// TICKET payloads go through their parsers too.
pub fn kms_ticket_mikey_message(data: &[u8]) {
    use kms_ticket::codec::{KeyData, Message, Payload};
    let Ok(msg) = Message::parse(data) else {
        return;
    };
    let bytes = msg.to_bytes();
    assert_eq!(bytes, data);
    assert_eq!(Message::parse(&bytes).as_ref(), Ok(&msg));
    for p in &msg.payloads {
        match p {
            Payload::Kemac(k) => {
                if let Ok(keys) = KeyData::parse_chain(&k.encr_data) {
                    let mut out = Vec::new();
                    KeyData::emit_chain(&keys, &mut out);
                    assert_eq!(out, k.encr_data);
                }
                let _ = KeyData::parse_pk_plaintext(&k.encr_data);
            }
            Payload::Ticket(t) => {
                kms_ticket_ticket_data(&t.ticket_data);
                kms_ticket_ticket_data(&t.initiator_data);
            }
            _ => {}
        }
    }
}

/// The SDP `a=key-mgmt` attribute: what parses prints and parses back to the
/// same value, and its MIKEY message (if any) round-trips.
pub fn kms_ticket_key_mgmt_attr(data: &[u8]) {
    use kms_ticket::codec::KeyMgmt;
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(km) = KeyMgmt::parse(text) else {
        return;
    };
    let line = km.to_string();
    assert!(!line.contains(['\r', '\n']), "{line:?}");
    assert_eq!(KeyMgmt::parse(&line).as_ref(), Ok(&km));
    if let Ok(msg) = km.message() {
        assert_eq!(msg.to_bytes(), km.data);
    }
}

/// Ticket Data (THDR first) and "First Payload, payloads" chains (TP Data,
/// Initiator Data): whatever parses emits back to the same bytes.
pub fn kms_ticket_ticket_data(data: &[u8]) {
    use kms_ticket::codec::{emit_chain, parse_chain, TicketData};
    if let Ok(td) = TicketData::parse(data) {
        assert_eq!(td.to_bytes(), data);
        assert_eq!(TicketData::parse(&td.to_bytes()).as_ref(), Ok(&td));
    }
    if let Ok(chain) = parse_chain(data) {
        let mut out = Vec::new();
        emit_chain(&chain, &mut out);
        assert_eq!(out, data);
    }
}
/// p2p-integrity's manifest, announcement and peer-list codecs. Whatever
/// parses emits the same bytes (the encodings are canonical); a parsed
/// manifest's hashes reduce to its root, so a verifier built from it accepts
/// it, and a segment of the wrong bytes is refused by name.
pub fn p2p_integrity_manifest(data: &[u8]) {
    use p2p_integrity::{Announcement, Manifest, PeerList, SegmentVerifier};
    if let Ok(m) = Manifest::parse(data) {
        assert_eq!(m.to_bytes(), data);
        let mut v = SegmentVerifier::from_manifest(&m, m.root()).unwrap();
        let (_, len) = m.layout().segment_range(0).unwrap();
        if len <= 1 << 16 {
            let zeros = vec![0u8; len as usize];
            if let Err(e) = v.verify_segment(0, &zeros) {
                assert_eq!(e.segment(), Some(0));
                assert!(!v.verified().get(0));
            }
        }
    }
    if let Ok(a) = Announcement::parse(data) {
        assert_eq!(a.to_bytes(), data);
    }
    if let Ok(l) = PeerList::parse(data) {
        assert_eq!(l.to_bytes(), data);
    }
}

/// p2p-integrity's block proof and possession challenge/response codecs.
/// Whatever parses emits the same bytes; a parsed proof is checked against
/// a fixed small tree without panicking, and a Tracker judging a parsed
/// response to its own challenge never panics.
pub fn p2p_integrity_proof(data: &[u8]) {
    use p2p_integrity::verify::verify_block_to_root;
    use p2p_integrity::{
        BlockProof, ContentId, Layout, PossessionChallenge, PossessionResponse, SegmentSize,
    };
    let layout = Layout::new(5 * 16384 + 3, SegmentSize::MIN).unwrap();
    if let Ok(p) = BlockProof::parse(data) {
        assert_eq!(p.to_bytes(), data);
        let block = p.block();
        let _ = verify_block_to_root(&layout, &[7; 32], block, &[0; 16384], &p);
    }
    if let Ok(c) = PossessionChallenge::parse(data) {
        assert_eq!(c.to_bytes(), data);
    }
    if let Ok(r) = PossessionResponse::parse(data) {
        assert_eq!(r.to_bytes(), data);
        let _ = verify_block_to_root(&layout, &[7; 32], r.proof.block(), &r.block, &r.proof);
        let _ = ContentId::new(r.block.clone());
    }
}

/// p2p-integrity's content key request and response codecs: whatever
/// parses emits the same bytes; a granted response is unwrapped with a fixed
/// KEK (refused, never a panic, unless the wrap is genuine).
pub fn p2p_integrity_key_request(data: &[u8]) {
    use p2p_integrity::{ContentKeyRequest, ContentKeyResponse, KeyEncryptionKey};
    if let Ok(r) = ContentKeyRequest::parse(data) {
        assert_eq!(r.to_bytes(), data);
    }
    if let Ok(r) = ContentKeyResponse::parse(data) {
        assert_eq!(r.to_bytes(), data);
        if let ContentKeyResponse::Granted {
            suite, wrapped_key, ..
        } = &r
        {
            let kek = KeyEncryptionKey::new(&[0x42; 16]).unwrap();
            let _ = kek.unwrap(*suite, wrapped_key);
        }
    }
}
