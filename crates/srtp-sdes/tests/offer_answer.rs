//! SDES offer/answer walked through as RFC 4568 §5.1 and §7.1 tell it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rand::rngs::StdRng;
use rand::SeedableRng;
use srtp_sdes::offer_answer::{answer, NegotiationError, Offerer, SdesConfig};
use srtp_sdes::sdes::{CryptoAttribute, KeyParam, Lifetime, SessionParam, Suite};
use srtp_sdes::CryptoSuite;

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn only(suite: CryptoSuite) -> SdesConfig {
    SdesConfig {
        suites: vec![suite],
        ..SdesConfig::default()
    }
}

/// Offer → SDP text → answer → SDP text → accept, as two peers would.
fn over_the_wire(
    offerer: &Offerer,
    answerer_config: &SdesConfig,
    seed: u64,
) -> Result<
    (
        CryptoAttribute,
        srtp_sdes::Negotiated,
        srtp_sdes::Negotiated,
    ),
    NegotiationError,
> {
    let offer: Vec<CryptoAttribute> = offerer
        .offer()
        .iter()
        .map(|a| CryptoAttribute::parse(&a.sdp_line()).unwrap())
        .collect();
    let (answer_attr, at_answerer) = answer(&offer, answerer_config, &mut rng(seed))?;
    let received = CryptoAttribute::parse(&answer_attr.sdp_line()).unwrap();
    let at_offerer = offerer.accept_answer(&received)?;
    Ok((answer_attr, at_offerer, at_answerer))
}

#[test]
fn every_supported_suite_negotiates_and_keys_cross_over() {
    for suite in CryptoSuite::ALL.into_iter().filter(|s| s.is_supported()) {
        let offerer = Offerer::new(only(suite), &mut rng(1)).unwrap();
        let (answer_attr, at_offerer, at_answerer) =
            over_the_wire(&offerer, &SdesConfig::default(), 2).unwrap();
        assert_eq!(answer_attr.tag, 1);
        assert_eq!(answer_attr.suite, Suite::Known(suite));
        assert_eq!(at_offerer.suite, suite);
        assert_eq!(at_offerer.tag, 1);
        assert_eq!(at_offerer.send, at_answerer.receive, "{suite}");
        assert_eq!(at_offerer.receive, at_answerer.send, "{suite}");
        assert_ne!(
            at_offerer.send.keys[0].key(),
            at_offerer.receive.keys[0].key()
        );
        at_offerer.send.validate().unwrap();
        at_offerer.receive.validate().unwrap();
    }
}

#[test]
fn the_offer_lists_suites_in_preference_order_with_fresh_keys() {
    let offerer = Offerer::new(SdesConfig::default(), &mut rng(3)).unwrap();
    let offer = offerer.offer();
    let supported: Vec<CryptoSuite> = CryptoSuite::ALL
        .into_iter()
        .filter(|s| s.is_supported())
        .collect();
    assert_eq!(offer.len(), supported.len());
    for (i, (line, suite)) in offer.iter().zip(&supported).enumerate() {
        assert_eq!(line.tag as usize, i + 1);
        assert_eq!(line.suite, Suite::Known(*suite));
        let key = line.inline_keys().next().unwrap();
        assert_eq!(key.expose_key_salt().len(), suite.key_salt_len());
    }
    let keys: Vec<Vec<u8>> = offer
        .iter()
        .map(|l| l.inline_keys().next().unwrap().expose_key_salt().to_vec())
        .collect();
    for (i, a) in keys.iter().enumerate() {
        assert!(keys.iter().skip(i + 1).all(|b| a[..16] != b[..16]));
    }
}

#[test]
fn the_answerer_takes_the_first_line_it_supports() {
    let offerer = Offerer::new(SdesConfig::default(), &mut rng(4)).unwrap();
    let answerer = SdesConfig {
        suites: vec![
            CryptoSuite::AesCm128HmacSha1_32,
            CryptoSuite::AesCm128HmacSha1_80,
        ],
        ..SdesConfig::default()
    };
    let (answer_attr, at_offerer, _) = over_the_wire(&offerer, &answerer, 5).unwrap();
    // The offer lists _80 before _32; offer order wins (RFC 4568 §5.1.2).
    assert_eq!(
        answer_attr.suite,
        Suite::Known(CryptoSuite::AesCm128HmacSha1_80)
    );
    let offered_tag = offerer
        .offer()
        .iter()
        .find(|l| l.suite == answer_attr.suite)
        .unwrap()
        .tag;
    assert_eq!(at_offerer.tag, offered_tag);
}

#[test]
fn mki_and_lifetime_reach_both_policies() {
    let config = SdesConfig {
        mki_len: Some(4),
        lifetime: Some(Lifetime::PowerOfTwo(31)),
        ..only(CryptoSuite::AesCm128HmacSha1_80)
    };
    let offerer = Offerer::new(config, &mut rng(6)).unwrap();
    let line = offerer.offer()[0].sdp_line();
    assert!(line.ends_with("|2^31|1:4"), "{line}");
    // An answerer configured without MKI follows the offer's MKI length and lifetime.
    let (answer_attr, at_offerer, at_answerer) =
        over_the_wire(&offerer, &SdesConfig::default(), 7).unwrap();
    assert!(answer_attr.sdp_line().ends_with("|2^31|1:4"));
    for policy in [&at_offerer.send, &at_offerer.receive, &at_answerer.send] {
        assert_eq!(policy.mki_len(), 4);
        assert_eq!(policy.keys[0].lifetime, Some(1 << 31));
    }
}

#[test]
fn session_parameters_are_honoured_by_kind() {
    let offer_config = SdesConfig {
        kdr: Some(4),
        wsh: Some(512),
        unencrypted_srtcp: true,
        ..only(CryptoSuite::AesCm256HmacSha1_80)
    };
    let answer_config = SdesConfig {
        kdr: Some(8),
        allow_weakened: true,
        ..SdesConfig::default()
    };
    let offerer = Offerer::new(offer_config, &mut rng(8)).unwrap();
    let (answer_attr, at_offerer, at_answerer) =
        over_the_wire(&offerer, &answer_config, 9).unwrap();
    // Negotiated UNENCRYPTED_SRTCP is echoed and applies both ways.
    assert!(answer_attr.has_param(&SessionParam::UnencryptedSrtcp));
    assert!(!answer_attr.has_param(&SessionParam::Wsh(512)));
    for policy in [&at_offerer.send, &at_offerer.receive] {
        assert!(!policy.encrypt_rtcp);
        assert!(policy.encrypt_rtp && policy.authenticate_rtp);
    }
    // Declarative KDR: each side's own media, as it declared.
    assert_eq!(at_offerer.send.kdr, 1 << 4);
    assert_eq!(at_offerer.receive.kdr, 1 << 8);
    assert_eq!(at_answerer.receive.kdr, 1 << 4);
    // WSH is a hint to whoever receives the offerer's media.
    assert_eq!(at_answerer.receive.rtp_window, 512);
    assert_eq!(at_offerer.receive.rtp_window, 128);
}

#[test]
fn weakened_services_are_refused_unless_allowed() {
    let offer_config = SdesConfig {
        unencrypted_srtp: true,
        ..only(CryptoSuite::AesCm128HmacSha1_80)
    };
    let offerer = Offerer::new(offer_config, &mut rng(10)).unwrap();
    assert!(matches!(
        over_the_wire(&offerer, &SdesConfig::default(), 11),
        Err(NegotiationError::NoAcceptableLine)
    ));
    // An answer that adds one the offer did not ask for is refused too.
    let offerer = Offerer::new(only(CryptoSuite::AesCm128HmacSha1_80), &mut rng(12)).unwrap();
    let (mut answer_attr, _) =
        answer(&offerer.offer(), &SdesConfig::default(), &mut rng(13)).unwrap();
    answer_attr
        .session_params
        .push(SessionParam::UnauthenticatedSrtp);
    assert_eq!(
        offerer.accept_answer(&answer_attr),
        Err(NegotiationError::ParamRefused(
            "UNAUTHENTICATED_SRTP".into()
        ))
    );
}

#[test]
fn lines_with_parameters_the_answerer_cannot_honour_are_skipped() {
    let key = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
    let offer: Vec<CryptoAttribute> = [
        format!("1 AES_CM_128_HMAC_SHA1_80 {key} FEC_KEY=inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj"),
        format!("2 AES_CM_128_HMAC_SHA1_80 {key} NEW_MANDATORY"),
        "3 AES_CM_128_HMAC_SHA1_80 url:https://example.com/key".to_string(),
        format!("4 SEED_CTR_128_HMAC_SHA1_80 {key}"),
        format!("5 AES_CM_128_HMAC_SHA1_80 {key} -OPTIONAL FEC_ORDER=FEC_SRTP"),
    ]
    .iter()
    .map(|s| CryptoAttribute::parse(s).unwrap())
    .collect();
    let (answer_attr, at_answerer) = answer(&offer, &SdesConfig::default(), &mut rng(14)).unwrap();
    assert_eq!(answer_attr.tag, 5);
    assert_eq!(
        at_answerer.receive.keys[0].key(),
        &offer[4].inline_keys().next().unwrap().expose_key_salt()[..16]
    );
    assert!(matches!(
        answer(&offer[..4], &SdesConfig::default(), &mut rng(14)),
        Err(NegotiationError::NoAcceptableLine)
    ));
    assert!(matches!(
        answer(&[], &SdesConfig::default(), &mut rng(14)),
        Err(NegotiationError::NoAcceptableLine)
    ));
}

#[test]
fn refused_answers_leave_the_offerer_as_it_was() {
    let offerer = Offerer::new(
        SdesConfig {
            unencrypted_srtcp: true,
            ..SdesConfig::default()
        },
        &mut rng(15),
    )
    .unwrap();
    let offer_before = offerer.offer();
    let answerer = SdesConfig {
        allow_weakened: true,
        ..SdesConfig::default()
    };
    let (good, _) = answer(&offerer.offer(), &answerer, &mut rng(16)).unwrap();

    let mut wrong_tag = good.clone();
    wrong_tag.tag = 99;
    let mut wrong_suite = good.clone();
    wrong_suite.suite = Suite::Known(CryptoSuite::AesCm128HmacSha1_32);
    let mut unknown_suite = good.clone();
    unknown_suite.suite = Suite::Unknown("NULL_HMAC_SHA1_80".into());
    let mut dropped_param = good.clone();
    dropped_param.session_params.clear();
    let mut reflected = offerer.offer()[0].clone();
    reflected.session_params = good.session_params.clone();
    let mut other_method = good.clone();
    other_method.key_params = vec![KeyParam::Other {
        method: "url".into(),
        info: "x".into(),
    }];
    let mut mandatory = good.clone();
    mandatory
        .session_params
        .push(SessionParam::Extension("NEW".into()));

    let cases = [
        (wrong_tag, NegotiationError::TagNotOffered(99)),
        (
            wrong_suite,
            NegotiationError::SuiteChanged {
                offered: CryptoSuite::AeadAes256Gcm,
                answered: Suite::Known(CryptoSuite::AesCm128HmacSha1_32),
            },
        ),
        (
            unknown_suite,
            NegotiationError::SuiteChanged {
                offered: CryptoSuite::AeadAes256Gcm,
                answered: Suite::Unknown("NULL_HMAC_SHA1_80".into()),
            },
        ),
        (
            dropped_param,
            NegotiationError::ParamMissing("UNENCRYPTED_SRTCP".into()),
        ),
        (reflected, NegotiationError::KeyReused),
        (
            other_method,
            NegotiationError::Sdes(srtp_sdes::SdesError::UnsupportedKeyMethod("url".into())),
        ),
        (mandatory, NegotiationError::ParamRefused("NEW".into())),
    ];
    for (bad, expected) in cases {
        assert_eq!(offerer.accept_answer(&bad), Err(expected));
        assert_eq!(offerer.offer(), offer_before);
    }
    // The good answer is still accepted afterwards, as is a second one
    // (a forked answer, RFC 4568 §7.3).
    let first = offerer.accept_answer(&good).unwrap();
    let (forked, _) = answer(&offerer.offer(), &answerer, &mut rng(17)).unwrap();
    let second = offerer.accept_answer(&forked).unwrap();
    assert_eq!(first.send, second.send);
    assert_ne!(first.receive, second.receive);
}

#[test]
fn invalid_configurations_are_refused() {
    for config in [
        SdesConfig {
            suites: vec![],
            ..SdesConfig::default()
        },
        SdesConfig {
            mki_len: Some(0),
            ..SdesConfig::default()
        },
        SdesConfig {
            kdr: Some(25),
            ..SdesConfig::default()
        },
        SdesConfig {
            wsh: Some(10),
            ..SdesConfig::default()
        },
        SdesConfig {
            lifetime: Some(Lifetime::PowerOfTwo(49)),
            ..SdesConfig::default()
        },
    ] {
        assert!(matches!(
            Offerer::new(config, &mut rng(18)),
            Err(NegotiationError::Config(_))
        ));
    }
}
