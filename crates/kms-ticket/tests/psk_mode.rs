//! RFC 3830 pre-shared key mode: PSK_INIT, PSK_VERIFY, ERR, end to end and
//! through srtp-sdes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use kms_ticket::codec::{
    CsIdMap, DataType, EncrAlg, ErrorCode, Header, Id, IdType, Kemac, KeyBytes, KeyData, KeyType,
    KeyValidity, MacAlg, Message, Payload, PolicyParam, PrfFunc, Rand, SrtpCs, Timestamp, TsValue,
};
use kms_ticket::crypto::{
    iv_timestamp, ntp_from_unix, salt_from_tgk_rfc3830, tek_from_tgk_rfc3830, Encryption,
    FreshnessError, Mac, MessageKeyLabel, Prf, ProtectionKeys, TimestampValue,
};
use kms_ticket::psk::{KeyMaterial, PskConfig, PskInitiator, PskResponder};
use kms_ticket::{CryptoSession, Error, SrtpParams};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use srtp_sdes::{CryptoSuite, InboundSession, OutboundSession};

const PSK: &[u8] = b"alice and bob share this 32-byte";
const ALICE: &[u8] = b"sip:alice@example.com";
const BOB: &[u8] = b"sip:bob@example.com";
const T0: Duration = Duration::from_secs(1_800_000_000);

fn pair(config: PskConfig) -> (PskInitiator, PskResponder) {
    (
        PskInitiator::new(PSK, Some(ALICE), Some(BOB), config).unwrap(),
        PskResponder::new(PSK, Some(ALICE), Some(BOB), config).unwrap(),
    )
}

fn params(suite: CryptoSuite) -> SrtpParams {
    SrtpParams {
        suite,
        ..SrtpParams::default()
    }
}

fn key_of(s: &CryptoSession) -> (Vec<u8>, Vec<u8>) {
    let k = &s.policy.keys[0];
    (k.key().to_vec(), k.salt().to_vec())
}

fn streams(n: u32) -> Vec<(u8, u32, u32)> {
    (0..n).map(|i| (0, 0x1000_0000 + i, i)).collect()
}

/// One RTP packet from `ssrc` protected with the sender's session and
/// unprotected with the receiver's.
fn srtp_through(send: &CryptoSession, recv: &CryptoSession) {
    let mut out = OutboundSession::new(send.policy.clone()).unwrap();
    let mut inb = InboundSession::for_listed_ssrcs(recv.policy.clone()).unwrap();
    out.set_roc(send.ssrc, send.roc).unwrap();
    inb.add_stream(recv.ssrc, recv.roc).unwrap();
    let mut rtp = vec![0x80, 0, 0x12, 0x34, 0, 0, 0, 160];
    rtp.extend_from_slice(&send.ssrc.to_be_bytes());
    rtp.extend_from_slice(b"media payload");
    let mut packet = rtp.clone();
    out.protect_rtp_vec(&mut packet).unwrap();
    assert_ne!(packet[12..], rtp[12..]);
    let got = inb.unprotect_rtp(&mut packet).unwrap();
    assert_eq!(&packet[..got.len], &rtp[..]);
}

/// The MAC of PSK_INIT recomputed with the crypto module alone, after a test
/// changed the message (RFC 3830 §4.1.4, §5.2).
fn remac(msg: &Message, psk: &[u8]) -> Vec<u8> {
    let rand = msg.rand().unwrap().rand.clone();
    let keys = ProtectionKeys::derive(
        Prf::MikeyOne,
        psk,
        &MessageKeyLabel::Envelope {
            csb_id: msg.header.csb_id,
            rand: &rand,
        },
        Encryption::AesCm128,
        Mac::HmacSha1_160,
    )
    .unwrap();
    let mut bytes = msg.to_bytes();
    let n = bytes.len() - 20;
    let tag = keys.mac(&bytes[..n]);
    bytes[n..].copy_from_slice(&tag);
    bytes
}

fn err_code(bytes: &[u8]) -> ErrorCode {
    let msg = Message::parse(bytes).unwrap();
    assert_eq!(msg.header.data_type, DataType::Error);
    msg.err().unwrap().code
}

fn round_trip(
    config: PskConfig,
    n: u32,
    suite: CryptoSuite,
    verify: bool,
    rng: &mut StdRng,
) -> (Vec<CryptoSession>, Vec<u8>) {
    let (mut alice, mut bob) = pair(config);
    let init = alice
        .init(&streams(n), params(suite), verify, T0, rng)
        .unwrap();
    let accepted = bob.receive(&init, T0 + Duration::from_secs(2)).unwrap();
    assert_eq!(Some(accepted.csb_id), alice.csb_id());
    assert_eq!(accepted.sessions.len(), n as usize);
    assert_eq!(accepted.sessions, alice.sessions());
    for (i, (a, b)) in alice.sessions().iter().zip(&accepted.sessions).enumerate() {
        assert_eq!(a.cs_id as usize, i + 1, "CS ID is the map position from 1");
        assert_eq!(a.ssrc, 0x1000_0000 + i as u32);
        assert_eq!(a.policy.suite, suite);
        assert_eq!(key_of(a).0.len(), suite.master_key_len());
        assert_eq!(key_of(a).1.len(), 14);
        assert_eq!(key_of(a), key_of(b));
        srtp_through(a, b);
    }
    if n > 1 && config.key_material != KeyMaterial::TekWithSalt {
        assert_ne!(
            key_of(&accepted.sessions[0]).0,
            key_of(&accepted.sessions[1]).0
        );
    }
    match (verify, accepted.verify_message) {
        (true, Some(v)) => {
            assert!(!alice.is_verified());
            let msg = Message::parse(&v).unwrap();
            assert_eq!(msg.header.data_type, DataType::PskVerify);
            assert_eq!(alice.verify(&v, T0).unwrap(), accepted.sessions);
            assert!(alice.is_verified());
            assert!(matches!(alice.verify(&v, T0), Err(Error::State(_))));
        }
        (false, None) => {
            assert!(matches!(alice.verify(&init, T0), Err(Error::Unexpected(_))));
        }
        (v, m) => panic!("V flag {v} but verify message {m:?}"),
    }
    (accepted.sessions, init)
}

#[test]
fn round_trips_with_and_without_verification() {
    let mut rng = StdRng::seed_from_u64(1);
    for prf in [Prf::MikeyOne, Prf::HmacSha256] {
        for key_material in [
            KeyMaterial::Tgk,
            KeyMaterial::TgkWithSalt,
            KeyMaterial::TekWithSalt,
        ] {
            let config = PskConfig {
                prf,
                key_material,
                ..PskConfig::default()
            };
            for verify in [true, false] {
                for n in [1, 3] {
                    for suite in [
                        CryptoSuite::AesCm128HmacSha1_80,
                        CryptoSuite::AesCm128HmacSha1_32,
                        CryptoSuite::AesCm256HmacSha1_80,
                    ] {
                        let (_, init) = round_trip(config, n, suite, verify, &mut rng);
                        let msg = Message::parse(&init).unwrap();
                        assert_eq!(msg.header.data_type, DataType::PskInit);
                        assert_eq!(msg.header.v_flag, verify);
                        assert_eq!(msg.header.prf, PrfFunc::from(prf.code()));
                        let key_len = msg.sp(0).unwrap().param(1).unwrap();
                        assert_eq!(key_len, [suite.master_key_len() as u8]);
                        let kemac = msg.kemac().unwrap();
                        assert_eq!(kemac.encr_alg, EncrAlg::AesCm128);
                        assert_eq!(kemac.mac_alg, MacAlg::HmacSha1_160);
                        assert!(matches!(msg.payloads.last(), Some(Payload::Kemac(_))));
                    }
                }
            }
        }
    }
}

#[test]
fn other_kemac_algorithms_round_trip() {
    let mut rng = StdRng::seed_from_u64(11);
    for (encryption, mac) in [
        (Encryption::AesCm256, Mac::HmacSha1_160),
        (Encryption::AesCm128, Mac::HmacSha256_256),
    ] {
        let config = PskConfig {
            encryption,
            mac,
            ..PskConfig::default()
        };
        round_trip(config, 2, CryptoSuite::AesCm128HmacSha1_80, true, &mut rng);
    }
}

#[test]
fn without_identities() {
    let mut rng = StdRng::seed_from_u64(12);
    let config = PskConfig::default();
    let mut alice = PskInitiator::new(PSK, None, None, config).unwrap();
    let mut bob = PskResponder::new(PSK, Some(ALICE), Some(BOB), config).unwrap();
    let init = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    assert!(Message::parse(&init).unwrap().id().is_none());
    let ok = bob.receive(&init, T0).unwrap();
    alice.verify(&ok.verify_message.unwrap(), T0).unwrap();
    assert!(matches!(
        PskInitiator::new(PSK, None, Some(BOB), config),
        Err(Error::Policy(_))
    ));
}

#[test]
fn replay_is_refused_and_changes_nothing() {
    let mut rng = StdRng::seed_from_u64(2);
    let (mut alice, mut bob) = pair(PskConfig::default());
    let m1 = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    bob.receive(&m1, T0).unwrap();
    assert_eq!(bob.replay_cache_len(), 1);
    let r = bob.receive(&m1, T0 + Duration::from_secs(1)).unwrap_err();
    assert_eq!(r.error, Error::Freshness(FreshnessError::Replayed));
    assert_eq!(r.err_message, None);
    assert_eq!(bob.replay_cache_len(), 1);
    let m2 = alice
        .init(
            &streams(2),
            SrtpParams::default(),
            false,
            T0 + Duration::from_secs(1),
            &mut rng,
        )
        .unwrap();
    bob.receive(&m2, T0 + Duration::from_secs(1)).unwrap();
    assert_eq!(bob.replay_cache_len(), 2);
}

#[test]
fn stale_or_future_timestamp_is_refused() {
    let mut rng = StdRng::seed_from_u64(3);
    let (mut alice, mut bob) = pair(PskConfig::default());
    let m = alice
        .init(&streams(1), SrtpParams::default(), false, T0, &mut rng)
        .unwrap();
    for now in [T0 + Duration::from_secs(301), T0 - Duration::from_secs(301)] {
        let r = bob.receive(&m, now).unwrap_err();
        assert!(matches!(
            r.error,
            Error::Freshness(FreshnessError::OutsideSkew { .. })
        ));
        assert_eq!(r.err_message, None);
        assert_eq!(bob.replay_cache_len(), 0);
    }
    bob.receive(&m, T0 + Duration::from_secs(299)).unwrap();
}

#[test]
fn every_flipped_bit_of_psk_init_is_refused() {
    let mut rng = StdRng::seed_from_u64(4);
    let (mut alice, mut bob) = pair(PskConfig::default());
    let m = alice
        .init(&streams(2), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    for bit in 0..m.len() * 8 {
        let mut bad = m.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let r = bob
            .receive(&bad, T0)
            .expect_err(&format!("bit {bit} flipped accepted"));
        if let Some(err) = &r.err_message {
            // Only what can be told before authentication, never an auth result.
            let code = err_code(err);
            assert!(
                matches!(
                    code,
                    ErrorCode::InvalidDt
                        | ErrorCode::InvalidPrf
                        | ErrorCode::InvalidMac
                        | ErrorCode::Unspecified
                ),
                "bit {bit}: {code:?}"
            );
            assert!(Message::parse(err).unwrap().v().is_none());
        }
        assert_eq!(bob.replay_cache_len(), 0, "bit {bit} changed the cache");
    }
    let ok = bob.receive(&m, T0).unwrap();
    assert_eq!(ok.sessions, alice.sessions());
}

#[test]
fn wrong_psk_is_refused_without_an_error_message() {
    let mut rng = StdRng::seed_from_u64(5);
    let config = PskConfig::default();
    let mut alice = PskInitiator::new(PSK, Some(ALICE), Some(BOB), config).unwrap();
    let mut bob = PskResponder::new(b"another key", Some(ALICE), Some(BOB), config).unwrap();
    let m = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    let r = bob.receive(&m, T0).unwrap_err();
    assert!(matches!(r.error, Error::AuthFailure(_)));
    assert_eq!(r.err_message, None);
    assert_eq!(bob.replay_cache_len(), 0);
}

#[test]
fn identities_naming_someone_else_are_refused() {
    let mut rng = StdRng::seed_from_u64(6);
    let config = PskConfig::default();
    let mut alice = PskInitiator::new(PSK, Some(ALICE), Some(b"sip:carol@x"), config).unwrap();
    let mut bob = PskResponder::new(PSK, Some(ALICE), Some(BOB), config).unwrap();
    let m = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    let r = bob.receive(&m, T0).unwrap_err();
    assert!(matches!(r.error, Error::AuthFailure(_)));
    assert_eq!(r.err_message, None);
}

/// Changes PSK_INIT's SP (keeping a valid MAC), sends it, and returns the
/// refusal's ERR code after checking the ERR message authenticates at the
/// Initiator as an `Error::Peer`.
fn refused_sp(change: impl Fn(&mut kms_ticket::codec::SecurityPolicy)) -> ErrorCode {
    let mut rng = StdRng::seed_from_u64(7);
    let (mut alice, mut bob) = pair(PskConfig::default());
    let m = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    let mut msg = Message::parse(&m).unwrap();
    for p in &mut msg.payloads {
        if let Payload::Sp(sp) = p {
            change(sp);
        }
    }
    let bad = remac(&msg, PSK);
    let r = bob.receive(&bad, T0).unwrap_err();
    assert_eq!(bob.replay_cache_len(), 0);
    let err = r.err_message.expect("an ERR message");
    let parsed = Message::parse(&err).unwrap();
    assert_eq!(parsed.header.csb_id, msg.header.csb_id);
    assert!(parsed.v().is_some(), "authenticated refusal carries V");
    assert!(parsed.sp(0).is_some(), "supported SP offered back");
    let code = err_code(&err);
    assert_eq!(alice.verify(&err, T0).unwrap_err(), Error::Peer(code));
    // The genuine message is still accepted afterwards.
    bob.receive(&m, T0).unwrap();
    code
}

fn set_param(sp: &mut kms_ticket::codec::SecurityPolicy, ptype: u8, value: u8) {
    for p in &mut sp.params {
        if p.ptype == ptype {
            p.value = vec![value];
        }
    }
}

#[test]
fn unsupported_security_policies_get_an_error_message() {
    // AES-F8.
    assert_eq!(
        refused_sp(|sp| set_param(sp, 0, 2)),
        ErrorCode::InvalidSpPar
    );
    // NULL authentication.
    assert_eq!(
        refused_sp(|sp| set_param(sp, 2, 0)),
        ErrorCode::InvalidSpPar
    );
    // Key length 24 with a 12-byte tag.
    assert_eq!(
        refused_sp(|sp| sp.params.push(PolicyParam {
            ptype: 11,
            value: vec![12]
        })),
        ErrorCode::InvalidSpPar
    );
    // Not SRTP.
    assert_eq!(refused_sp(|sp| sp.prot_type = 1), ErrorCode::InvalidSp);
}

#[test]
fn unsupported_header_fields_get_an_error_message() {
    let mut rng = StdRng::seed_from_u64(8);
    let (mut alice, mut bob) = pair(PskConfig::default());
    let m = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    for (change, code) in [
        (
            (|h: &mut Header| h.data_type = DataType::PkInit) as fn(&mut Header),
            ErrorCode::InvalidDt,
        ),
        (
            |h: &mut Header| h.prf = PrfFunc::Other(9),
            ErrorCode::InvalidPrf,
        ),
    ] {
        let mut msg = Message::parse(&m).unwrap();
        change(&mut msg.header);
        let r = bob.receive(&remac(&msg, PSK), T0).unwrap_err();
        let err = r.err_message.unwrap();
        assert_eq!(err_code(&err), code);
        assert!(Message::parse(&err).unwrap().v().is_none());
    }
    // An encryption algorithm we do not know, with a valid MAC.
    let mut msg = Message::parse(&m).unwrap();
    if let Some(Payload::Kemac(k)) = msg.payloads.last_mut() {
        k.encr_alg = EncrAlg::Other(9);
    }
    let r = bob.receive(&remac(&msg, PSK), T0).unwrap_err();
    assert_eq!(err_code(&r.err_message.unwrap()), ErrorCode::InvalidEa);
    // An ERR message is never answered with one.
    let mut msg = Message::parse(&m).unwrap();
    msg.header.data_type = DataType::Error;
    let r = bob.receive(&msg.to_bytes(), T0).unwrap_err();
    assert_eq!(r.err_message, None);
    assert_eq!(bob.replay_cache_len(), 0);
    bob.receive(&m, T0).unwrap();
}

#[test]
fn every_flipped_bit_of_psk_verify_is_refused() {
    let mut rng = StdRng::seed_from_u64(9);
    let (mut alice, mut bob) = pair(PskConfig::default());
    let m = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    let v = bob.receive(&m, T0).unwrap().verify_message.unwrap();
    for bit in 0..v.len() * 8 {
        let mut bad = v.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(
            alice.verify(&bad, T0).is_err(),
            "bit {bit} flipped accepted"
        );
        assert!(!alice.is_verified());
    }
    alice.verify(&v, T0).unwrap();
}

/// The V MAC covers PSK_VERIFY without its MAC, then Identity_i ||
/// Identity_r || T_i (RFC 3830 §5.2), computed here with the crypto module.
#[test]
fn verification_mac_coverage() {
    let mut rng = StdRng::seed_from_u64(10);
    let (mut alice, mut bob) = pair(PskConfig::default());
    let m = alice
        .init(&streams(1), SrtpParams::default(), true, T0, &mut rng)
        .unwrap();
    let init = Message::parse(&m).unwrap();
    let v = bob.receive(&m, T0).unwrap().verify_message.unwrap();
    let rand = init.rand().unwrap().rand.clone();
    let keys = ProtectionKeys::derive(
        Prf::MikeyOne,
        PSK,
        &MessageKeyLabel::Envelope {
            csb_id: init.header.csb_id,
            rand: &rand,
        },
        Encryption::AesCm128,
        Mac::HmacSha1_160,
    )
    .unwrap();
    let TsValue::NtpUtc(t_i) = init.t().unwrap().ts else {
        panic!("NTP-UTC expected")
    };
    let n = v.len() - 20;
    let expected = keys.mac_parts(&[&v[..n], ALICE, BOB, &t_i.to_be_bytes()]);
    assert_eq!(&v[n..], &expected[..]);
    let verify = Message::parse(&v).unwrap();
    assert_eq!(verify.t(), init.t(), "the Initiator's timestamp");
    assert_eq!(verify.header.csb_id, init.header.csb_id);
}

/// Known answer: a PSK_INIT built here from fixed inputs with the codec and
/// the crypto module; the Responder's session keys must be the TEK and salt
/// `tek_from_tgk_rfc3830` / `salt_from_tgk_rfc3830` give for CS IDs 1 and 2.
#[test]
fn derivation_chain_known_answer() {
    let tgk = [0x5au8; 16];
    let csb_id = 0x0102_0304;
    let rand = [0xa5u8; 16];
    let ntp = ntp_from_unix(T0.as_secs(), 0);
    for (key_type, key, salt) in [
        (KeyType::Tgk, &tgk[..], None),
        (KeyType::Tgk, &tgk[..], Some([0x77u8; 14])),
        (KeyType::Tek, &tgk[..], Some([0x66u8; 14])),
    ] {
        let key_data = KeyData {
            key_type,
            key: KeyBytes::from_slice(key).unwrap(),
            salt: salt.map(|s| KeyBytes::from_slice(&s).unwrap()),
            kv: KeyValidity::Null,
        };
        let mut plain = Vec::new();
        KeyData::emit_chain(&[key_data], &mut plain);
        let keys = ProtectionKeys::derive(
            Prf::MikeyOne,
            PSK,
            &MessageKeyLabel::Envelope {
                csb_id,
                rand: &rand,
            },
            Encryption::AesCm128,
            Mac::HmacSha1_160,
        )
        .unwrap();
        let encr_data = keys
            .encrypt(csb_id, iv_timestamp(TimestampValue::NtpUtc(ntp)), &plain)
            .unwrap();
        let msg = Message {
            header: Header {
                version: 1,
                data_type: DataType::PskInit,
                v_flag: false,
                prf: PrfFunc::MikeyOne,
                csb_id,
                cs_map: CsIdMap::SrtpId(vec![
                    SrtpCs {
                        policy_no: 0,
                        ssrc: 0xdead_beef,
                        roc: 0,
                    },
                    SrtpCs {
                        policy_no: 0,
                        ssrc: 0xcafe_f00d,
                        roc: 7,
                    },
                ]),
            },
            payloads: vec![
                Payload::T(Timestamp {
                    ts: TsValue::NtpUtc(ntp),
                }),
                Payload::Rand(Rand {
                    rand: rand.to_vec(),
                }),
                Payload::Id(Id {
                    id_type: IdType::Uri,
                    data: ALICE.to_vec(),
                }),
                Payload::Id(Id {
                    id_type: IdType::Uri,
                    data: BOB.to_vec(),
                }),
                Payload::Sp(SrtpParams::default().to_sp(0)),
                Payload::Kemac(Kemac {
                    encr_alg: EncrAlg::AesCm128,
                    encr_data,
                    mac_alg: MacAlg::HmacSha1_160,
                    mac: vec![0; 20],
                }),
            ],
        };
        let (_, mut bob) = pair(PskConfig::default());
        let ok = bob.receive(&remac(&msg, PSK), T0).unwrap();
        assert_eq!(ok.verify_message, None);
        assert_eq!(ok.sessions.len(), 2);
        for (i, s) in ok.sessions.iter().enumerate() {
            let cs_id = i as u8 + 1;
            assert_eq!(s.cs_id, cs_id);
            let (got_key, got_salt) = key_of(s);
            let want_key = match key_type {
                KeyType::Tek => tgk.to_vec(),
                _ => tek_from_tgk_rfc3830(Prf::MikeyOne, &tgk, cs_id, csb_id, &rand, 16)
                    .unwrap()
                    .expose_secret()
                    .to_vec(),
            };
            let want_salt = match salt {
                Some(s) => s.to_vec(),
                None => salt_from_tgk_rfc3830(Prf::MikeyOne, &tgk, cs_id, csb_id, &rand, 14)
                    .unwrap()
                    .expose_secret()
                    .to_vec(),
            };
            assert_eq!(got_key, want_key);
            assert_eq!(got_salt, want_salt);
        }
        assert_eq!(ok.sessions[1].roc, 7);
        if key_type == KeyType::Tgk {
            assert_ne!(key_of(&ok.sessions[0]).0, key_of(&ok.sessions[1]).0);
        }
    }
}

#[test]
fn debug_output_hides_the_psk() {
    let (alice, bob) = pair(PskConfig::default());
    for s in [format!("{alice:?}"), format!("{bob:?}")] {
        assert!(s.contains("[redacted]"));
        assert!(!s.contains("share"));
        assert!(!s.contains(&format!("{:?}", &PSK[..4])));
    }
}

const SUITES: [CryptoSuite; 6] = [
    CryptoSuite::AesCm128HmacSha1_80,
    CryptoSuite::AesCm128HmacSha1_32,
    CryptoSuite::AesCm192HmacSha1_80,
    CryptoSuite::AesCm192HmacSha1_32,
    CryptoSuite::AesCm256HmacSha1_80,
    CryptoSuite::AesCm256HmacSha1_32,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_stream_sets_round_trip(
        ssrcs in prop::collection::vec((any::<u32>(), any::<u32>()), 1..6),
        suite in 0..SUITES.len(),
        verify in any::<bool>(),
        material in 0..3usize,
        seed in any::<u64>(),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let config = PskConfig {
            key_material: [KeyMaterial::Tgk, KeyMaterial::TgkWithSalt, KeyMaterial::TekWithSalt][material],
            ..PskConfig::default()
        };
        let (mut alice, mut bob) = pair(config);
        let streams: Vec<(u8, u32, u32)> = ssrcs.iter().map(|&(s, r)| (0, s, r)).collect();
        let m = alice.init(&streams, params(SUITES[suite]), verify, T0, &mut rng).unwrap();
        let ok = bob.receive(&m, T0).unwrap();
        prop_assert_eq!(&ok.sessions[..], alice.sessions());
        for (s, &(_, ssrc, roc)) in ok.sessions.iter().zip(&streams) {
            prop_assert_eq!((s.ssrc, s.roc, s.policy.suite), (ssrc, roc, SUITES[suite]));
        }
        prop_assert_eq!(ok.verify_message.is_some(), verify);
        if let Some(v) = ok.verify_message {
            prop_assert_eq!(alice.verify(&v, T0).unwrap(), ok.sessions);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (_, mut bob) = pair(PskConfig::default());
        prop_assert!(bob.receive(&bytes, T0).is_err());
        prop_assert_eq!(bob.replay_cache_len(), 0);
    }

    #[test]
    fn mutated_messages_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut rng = StdRng::seed_from_u64(99);
        let (mut alice, mut bob) = pair(PskConfig::default());
        let mut m = alice.init(&streams(2), SrtpParams::default(), true, T0, &mut rng).unwrap();
        let original = m.clone();
        for (at, value) in edits {
            let i = at.index(m.len());
            m[i] = value;
        }
        if truncate {
            m.truncate(cut.index(m.len()));
        }
        let r = bob.receive(&m, T0);
        prop_assert_eq!(r.is_ok(), m == original);
        let _ = alice.verify(&m, T0);
    }
}
