//! The `a=crypto` codec against RFC 4568's own examples, the spellings
//! deployed equipment sends, and generated attributes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use srtp_sdes::sdes::{
    CryptoAttribute, FecOrder, InlineKey, KeyParam, Lifetime, MkiField, ParseMode, Problem,
    SdesError, SessionParam, Suite,
};
use srtp_sdes::CryptoSuite;

fn strict(s: &str) -> CryptoAttribute {
    CryptoAttribute::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn lenient(s: &str) -> CryptoAttribute {
    CryptoAttribute::parse_with(s, ParseMode::Lenient).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn error_at(s: &str, mode: ParseMode) -> (usize, Problem) {
    match CryptoAttribute::parse_with(s, mode) {
        Err(SdesError::Syntax { offset, problem }) => (offset, problem),
        other => panic!("{s}: expected a syntax error, got {other:?}"),
    }
}

/// Every example `a=crypto` value in RFC 4568 (§4, §4.5, §6.1, §7.1.5),
/// each one long line as the RFC says it is.
const RFC4568_EXAMPLES: &[&str] = &[
    // §4
    "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
    // §4.5
    "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32",
    "1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32",
    // §6.1's key parameters, on a line
    "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:4",
    "1 AES_CM_128_HMAC_SHA1_80 inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2|1066:4",
    // §7.1.5 offer and answer
    "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP",
    "2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP",
    "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
];

#[test]
fn rfc4568_examples_round_trip_byte_for_byte() {
    for value in RFC4568_EXAMPLES {
        let attr = strict(value);
        assert_eq!(attr.to_string(), *value);
        let line = format!("a=crypto:{value}");
        assert_eq!(strict(&line), attr);
        assert_eq!(attr.sdp_line(), line);
        assert_eq!(strict(&format!("crypto:{value}")), attr);
        assert_eq!(lenient(value), attr);
    }
}

#[test]
fn section_4_example_reads_as_the_rfc_explains() {
    let attr = strict(RFC4568_EXAMPLES[0]);
    assert_eq!(attr.tag, 1);
    assert_eq!(attr.suite, Suite::Known(CryptoSuite::AesCm128HmacSha1_80));
    let key = attr.inline_keys().next().unwrap();
    assert_eq!(key.expose_key_salt().len(), 30);
    assert_eq!(key.lifetime, Some(Lifetime::PowerOfTwo(20)));
    assert_eq!(key.mki, Some(MkiField::new(1, 32).unwrap()));
    assert!(attr.session_params.is_empty());
}

#[test]
fn section_6_1_decimal_lifetime_and_mki_without_lifetime() {
    let attr = strict(RFC4568_EXAMPLES[4]);
    let key = attr.inline_keys().next().unwrap();
    assert_eq!(key.lifetime, None);
    assert_eq!(key.mki.map(|m| (m.value(), m.length())), Some((1066, 4)));
    let attr =
        strict("1 AES_CM_128_HMAC_SHA1_80 inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2|1048576");
    assert_eq!(
        attr.inline_keys().next().unwrap().lifetime,
        Some(Lifetime::Decimal(1 << 20))
    );
    assert_eq!(
        attr.to_string(),
        "1 AES_CM_128_HMAC_SHA1_80 inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2|1048576"
    );
}

#[test]
fn section_7_1_5_two_keys_become_a_policy_with_two_mkis() {
    let attr = strict(RFC4568_EXAMPLES[6]);
    assert_eq!(attr.key_params.len(), 2);
    assert_eq!(
        attr.session_params,
        vec![SessionParam::FecOrder(FecOrder::FecSrtp)]
    );
    let policy = attr.policy().unwrap();
    assert_eq!(policy.suite, CryptoSuite::F8_128HmacSha1_80);
    assert_eq!(policy.keys.len(), 2);
    assert_eq!(
        policy.keys[0].mki.as_ref().unwrap().as_bytes(),
        [0, 0, 0, 1]
    );
    assert_eq!(
        policy.keys[1].mki.as_ref().unwrap().as_bytes(),
        [0, 0, 0, 2]
    );
    assert_eq!(policy.keys[1].lifetime, Some(1 << 20));
    assert_eq!(policy.keys[0].key(), b"123456789ABCDE01");
    assert_eq!(policy.keys[0].salt(), b"23456789ABcdef");
}

#[test]
fn every_session_parameter_round_trips_and_reaches_the_policy() {
    let value = "7 AES_256_CM_HMAC_SHA1_32 inline:4XeuCjJP3cebTpTKsmQPFqWI5buV0tt8Q320v2rVGJPB6JBCBDaZvOItxpoK5A==|2^31 \
                 KDR=10 UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP FEC_ORDER=SRTP_FEC \
                 FEC_KEY=inline:4XeuCjJP3cebTpTKsmQPFqWI5buV0tt8Q320v2rVGJPB6JBCBDaZvOItxpoK5A== WSH=256 -X_VENDOR=1";
    let attr = strict(value);
    assert_eq!(attr.to_string(), value);
    assert_eq!(attr.session_params.len(), 8);
    assert_eq!(attr.session_params[0], SessionParam::Kdr(10));
    assert!(matches!(&attr.session_params[5], SessionParam::FecKey(k) if k.len() == 1));
    assert_eq!(
        attr.session_params[7],
        SessionParam::Extension("-X_VENDOR=1".into())
    );
    let policy = attr.policy().unwrap();
    assert_eq!(policy.kdr, 1 << 10);
    assert!(!policy.encrypt_rtp && !policy.encrypt_rtcp && !policy.authenticate_rtp);
    assert_eq!(policy.rtp_window, 256);
    assert_eq!(policy.keys[0].lifetime, Some(1 << 31));
    policy.validate().unwrap();
}

#[test]
fn kdr_zero_is_a_rate_of_one_and_wsh_is_capped() {
    let attr = strict(
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=0 WSH=4294967295",
    );
    let policy = attr.policy().unwrap();
    assert_eq!(policy.kdr, 1);
    assert_eq!(policy.rtp_window, 65536);
}

#[test]
fn unknown_suite_and_key_method_are_kept_but_make_no_policy() {
    let value = "3 SEED_CTR_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJj|2^20;url:https://kms.example/k1";
    let attr = strict(value);
    assert_eq!(
        attr.suite,
        Suite::Unknown("SEED_CTR_128_HMAC_SHA1_80".into())
    );
    assert!(matches!(&attr.key_params[1], KeyParam::Other { method, .. } if method == "url"));
    assert_eq!(attr.to_string(), value);
    assert_eq!(
        attr.policy(),
        Err(SdesError::UnknownSuite("SEED_CTR_128_HMAC_SHA1_80".into()))
    );
    let attr = strict("3 AES_CM_128_HMAC_SHA1_80 url:https://kms.example/k1");
    assert_eq!(
        attr.policy(),
        Err(SdesError::UnsupportedKeyMethod("url".into()))
    );
}

#[test]
fn a_mandatory_unknown_session_parameter_makes_the_policy_invalid() {
    let attr = strict(
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR NEW_PARAM",
    );
    assert_eq!(
        attr.policy(),
        Err(SdesError::UnknownMandatoryParam("NEW_PARAM".into()))
    );
    assert!(attr.session_params[0].is_mandatory_extension());
}

#[test]
fn debug_never_shows_key_material() {
    let attr = strict(RFC4568_EXAMPLES[0]);
    let debug = format!("{attr:?}");
    assert!(!debug.contains("PS1uQCVee"), "{debug}");
    assert!(debug.contains("redacted"), "{debug}");
    let other = strict("1 X url:secret-token");
    assert!(!format!("{other:?}").contains("secret-token"));
}

#[test]
fn aes_256_and_gcm_keys_are_emitted_with_padding() {
    let key = [0x5a; 46];
    let attr = CryptoAttribute {
        tag: 1,
        suite: Suite::Known(CryptoSuite::AesCm256HmacSha1_80),
        key_params: vec![KeyParam::Inline(InlineKey::new(&key).unwrap())],
        session_params: vec![],
    };
    let text = attr.to_string();
    assert!(text.ends_with("=="), "{text}");
    assert_eq!(strict(&text), attr);
}

// ---- lenient spellings ----

#[test]
fn lenient_accepts_historical_and_case_variant_suite_names() {
    let key46 = "inline:4XeuCjJP3cebTpTKsmQPFqWI5buV0tt8Q320v2rVGJPB6JBCBDaZvOItxpoK5A==";
    let key38 = "inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY=";
    let key30 = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
    let cases = [
        (
            format!("1 AES_CM_256_HMAC_SHA1_80 {key46}"),
            CryptoSuite::AesCm256HmacSha1_80,
        ),
        (
            format!("1 AES_CM_256_HMAC_SHA1_32 {key46}"),
            CryptoSuite::AesCm256HmacSha1_32,
        ),
        (
            format!("1 AES_CM_192_HMAC_SHA1_80 {key38}"),
            CryptoSuite::AesCm192HmacSha1_80,
        ),
        (
            format!("1 AES_CM_192_HMAC_SHA1_32 {key38}"),
            CryptoSuite::AesCm192HmacSha1_32,
        ),
        (
            format!("1 AES_128_CM_HMAC_SHA1_80 {key30}"),
            CryptoSuite::AesCm128HmacSha1_80,
        ),
        (
            format!("1 aes_cm_128_hmac_sha1_32 {key30}"),
            CryptoSuite::AesCm128HmacSha1_32,
        ),
        (
            format!("1 aes_256_cm_hmac_sha1_80 {key46}"),
            CryptoSuite::AesCm256HmacSha1_80,
        ),
    ];
    for (text, suite) in cases {
        let attr = lenient(&text);
        assert_eq!(attr.suite, Suite::Known(suite), "{text}");
        // Canonical on the way out, and strict reads it back.
        assert!(attr.to_string().contains(suite.name()));
        assert_eq!(strict(&attr.to_string()), attr);
        // Strict keeps the unregistered spelling as an unknown suite.
        assert!(matches!(
            CryptoAttribute::parse(&text).unwrap().suite,
            Suite::Unknown(_)
        ));
    }
}

#[test]
fn lenient_accepts_missing_padding_strict_refuses_it() {
    let text = "1 AES_256_CM_HMAC_SHA1_80 inline:ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkQ";
    let attr = lenient(text);
    assert_eq!(
        attr.inline_keys().next().unwrap().expose_key_salt(),
        (100..146).collect::<Vec<u8>>()
    );
    assert_eq!(attr.to_string(), format!("{text}=="));
    assert_eq!(error_at(text, ParseMode::Strict), (33, Problem::Base64));
    // rtpengine's unpadded key from sipwise/rtpengine#657 also has non-zero
    // trailing bits: lenient reads it, emits the canonical form.
    let text = "1 AES_256_CM_HMAC_SHA1_80 inline:CYkq/gl8W1Bik8xvqlmJxnznqfDD5fGg13aLsjTOku/ILo8K3RgOQaxlq1KYFe";
    let attr = lenient(text);
    assert!(attr.to_string().ends_with("KYFQ=="));
    assert_eq!(strict(&attr.to_string()), attr);
    assert!(CryptoAttribute::parse(text).is_err());
}

#[test]
fn lenient_accepts_inline_case_spaces_and_trailing_semicolon() {
    let canonical = strict(
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4;\
         inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|2:4 KDR=1 UNENCRYPTED_SRTCP",
    );
    let sloppy = "  a=crypto: 01\tAES_CM_128_HMAC_SHA1_80   INLINE:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^020|01:04 ;\t\
                  Inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|2:4;  kdr=01 unencrypted_srtcp \r\n";
    assert_eq!(lenient(sloppy), canonical);
    assert!(CryptoAttribute::parse(sloppy).is_err());
    // A trailing ";" with nothing after it.
    assert_eq!(
        lenient("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR;"),
        strict("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"),
    );
}

#[test]
fn strict_allows_several_spaces_or_tabs_between_fields() {
    // 1*WSP in RFC 4568 §9.1.
    let attr = strict(
        "1 \t AES_CM_128_HMAC_SHA1_80\t\tinline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR  KDR=3",
    );
    assert_eq!(
        attr.to_string(),
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=3"
    );
}

// ---- errors, with where ----

#[test]
fn errors_say_what_and_where() {
    use ParseMode::Strict;
    let k = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
    let cases: Vec<(String, usize, Problem)> = vec![
        ("".into(), 0, Problem::Expected("a decimal tag")),
        ("a=crypto:x".into(), 9, Problem::Expected("a decimal tag")),
        (
            "01 AES_CM_128_HMAC_SHA1_80 x:y".into(),
            0,
            Problem::LeadingZero("a decimal tag"),
        ),
        (
            "1234567890 A x:y".into(),
            0,
            Problem::OutOfRange("a decimal tag"),
        ),
        (
            "1AES".into(),
            1,
            Problem::Expected("white space after the tag"),
        ),
        ("1  ".into(), 3, Problem::Expected("a crypto suite")),
        (
            "1 AES-CM x:y".into(),
            5,
            Problem::Expected("white space after the crypto suite"),
        ),
        (
            "1 AES_CM_128_HMAC_SHA1_80 :y".into(),
            26,
            Problem::Expected("a key method"),
        ),
        (
            "1 AES_CM_128_HMAC_SHA1_80 inline".into(),
            32,
            Problem::Expected("':' after the key method"),
        ),
        (
            "1 AES_CM_128_HMAC_SHA1_80 inline:".into(),
            33,
            Problem::Expected("key info"),
        ),
        (
            "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA".into(),
            33,
            Problem::KeyLength {
                got: 3,
                expected: 30,
            },
        ),
        (
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkp*ywjNWhcYD0mXXtxaVBR".into(),
            53,
            Problem::Base64,
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|0"),
            74,
            Problem::OutOfRange("lifetime"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|2^49"),
            74,
            Problem::OutOfRange("lifetime"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|020"),
            74,
            Problem::LeadingZero("a lifetime (decimal or 2^n)"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|1:129"),
            76,
            Problem::OutOfRange("MKI length"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|256:1"),
            74,
            Problem::OutOfRange("MKI value"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|1:"),
            76,
            Problem::Expected("a decimal MKI length"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|1:4|2^20"),
            77,
            Problem::Expected("nothing after the MKI"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|2^20|2^20"),
            79,
            Problem::Expected("an MKI (value:length)"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k};{k}"),
            26,
            Problem::MkiRules,
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|1:4;{k}|1:4"),
            26,
            Problem::MkiRules,
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}|1:4;{k}|2:2"),
            26,
            Problem::MkiRules,
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} KDR=25"),
            78,
            Problem::OutOfRange("KDR"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} KDR"),
            74,
            Problem::Expected("KDR=n"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} WSH=63"),
            78,
            Problem::OutOfRange("WSH"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} FEC_ORDER=X"),
            84,
            Problem::Expected("FEC_SRTP or SRTP_FEC"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} UNENCRYPTED_SRTP=1"),
            90,
            Problem::Expected("no value"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} KDR=1 KDR=2"),
            80,
            Problem::DuplicateParam,
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} "),
            74,
            Problem::Expected("a session parameter"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} é"),
            74,
            Problem::Expected("a session parameter"),
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k} FEC_KEY=inline:AAAA"),
            89,
            Problem::KeyLength {
                got: 3,
                expected: 30,
            },
        ),
        (
            format!("1 AES_CM_128_HMAC_SHA1_80 {k}\r\n"),
            73,
            Problem::Expected("white space before a session parameter"),
        ),
    ];
    for (text, offset, problem) in cases {
        assert_eq!(error_at(&text, Strict), (offset, problem), "{text:?}");
        let message = CryptoAttribute::parse(&text).unwrap_err().to_string();
        assert!(message.ends_with(&format!("at byte {offset}")), "{message}");
    }
}

#[test]
fn lenient_still_refuses_what_is_wrong() {
    let k = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
    for text in [
        format!("1 AES_CM_128_HMAC_SHA1_80 {k}|2^49"),
        format!("1 AES_CM_128_HMAC_SHA1_80 {k}|1:0"),
        format!("1 AES_CM_128_HMAC_SHA1_80 {k};;{k}"),
        format!("1 AES_CM_256_HMAC_SHA1_80 {k}"),
        format!("1 AES_CM_128_HMAC_SHA1_80 {k} KDR=99"),
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB".to_string(),
    ] {
        assert!(
            CryptoAttribute::parse_with(&text, ParseMode::Lenient).is_err(),
            "{text}"
        );
    }
}

// ---- generated attributes ----

fn suite_strategy() -> impl Strategy<Value = Suite> {
    prop_oneof![
        4 => proptest::sample::select(CryptoSuite::ALL.to_vec()).prop_map(Suite::Known),
        1 => "[A-Z][A-Z0-9_]{0,30}"
            .prop_filter("not a registered name", |n| CryptoSuite::from_name(n).is_none())
            .prop_map(Suite::Unknown),
    ]
}

fn lifetime_strategy(max_exp: u8) -> impl Strategy<Value = Option<Lifetime>> {
    proptest::option::of(prop_oneof![
        (0..=max_exp).prop_map(Lifetime::PowerOfTwo),
        (1..=(1u64 << max_exp)).prop_map(Lifetime::Decimal),
    ])
}

fn key_params_strategy(suite: Suite) -> impl Strategy<Value = Vec<KeyParam>> {
    let len = suite.known().map_or(20, CryptoSuite::key_salt_len);
    (1usize..=3, 1u8..=8, any::<bool>()).prop_flat_map(move |(n, mki_len, use_mki)| {
        let use_mki = use_mki || n > 1;
        let max_mki = if mki_len >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * mki_len)) - 1
        };
        (
            proptest::collection::vec(
                (
                    proptest::collection::vec(any::<u8>(), len),
                    lifetime_strategy(48),
                ),
                n,
            ),
            proptest::sample::subsequence((0..=max_mki.min(1000)).collect::<Vec<_>>(), n),
        )
            .prop_map(move |(keys, mkis)| {
                keys.into_iter()
                    .zip(mkis)
                    .map(|((bytes, lifetime), mki)| {
                        let mut key = InlineKey::new(&bytes).unwrap();
                        key.lifetime = lifetime;
                        if use_mki {
                            key = key.with_mki(MkiField::new(mki, mki_len).unwrap());
                        }
                        KeyParam::Inline(key)
                    })
                    .collect()
            })
    })
}

fn session_params_strategy(suite: Suite) -> impl Strategy<Value = Vec<SessionParam>> {
    let one = prop_oneof![
        (0u8..=24).prop_map(SessionParam::Kdr),
        Just(SessionParam::UnencryptedSrtp),
        Just(SessionParam::UnencryptedSrtcp),
        Just(SessionParam::UnauthenticatedSrtp),
        prop_oneof![Just(FecOrder::FecSrtp), Just(FecOrder::SrtpFec)]
            .prop_map(SessionParam::FecOrder),
        key_params_strategy(suite).prop_map(SessionParam::FecKey),
        (64u32..=u32::MAX).prop_map(SessionParam::Wsh),
        "-?[A-Z][A-Z_]{0,8}(=[!-~]{1,10})?".prop_map(SessionParam::Extension),
    ];
    proptest::collection::vec(one, 0..5).prop_map(|params| {
        // Each known parameter at most once; a generated extension must not
        // spell a known name.
        let mut out: Vec<SessionParam> = Vec::new();
        for p in params {
            let known_name = matches!(&p, SessionParam::Extension(e)
                if ["KDR", "UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP", "UNAUTHENTICATED_SRTP",
                    "FEC_ORDER", "FEC_KEY", "WSH"]
                    .contains(&e.split('=').next().unwrap_or("")));
            let dup = !matches!(p, SessionParam::Extension(_))
                && out
                    .iter()
                    .any(|q| std::mem::discriminant(q) == std::mem::discriminant(&p));
            if !known_name && !dup {
                out.push(p);
            }
        }
        out
    })
}

fn attribute_strategy() -> impl Strategy<Value = CryptoAttribute> {
    (0u32..=999_999_999, suite_strategy()).prop_flat_map(|(tag, suite)| {
        (
            key_params_strategy(suite.clone()),
            session_params_strategy(suite.clone()),
        )
            .prop_map(move |(key_params, session_params)| CryptoAttribute {
                tag,
                suite: suite.clone(),
                key_params,
                session_params,
            })
    })
}

proptest! {
    #[test]
    fn parse_of_emit_is_identity(attr in attribute_strategy()) {
        let text = attr.to_string();
        prop_assert_eq!(&CryptoAttribute::parse(&text).unwrap(), &attr, "{}", text);
        prop_assert_eq!(&CryptoAttribute::parse_with(&text, ParseMode::Lenient).unwrap(), &attr);
        prop_assert_eq!(&CryptoAttribute::parse(&attr.sdp_line()).unwrap(), &attr);
        if attr.suite.known().is_some()
            && !attr.session_params.iter().any(SessionParam::is_mandatory_extension)
        {
            let policy = attr.policy().unwrap();
            prop_assert_eq!(policy.keys.len(), attr.key_params.len());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,120}") {
        for mode in [ParseMode::Strict, ParseMode::Lenient] {
            if let Ok(attr) = CryptoAttribute::parse_with(&text, mode) {
                prop_assert_eq!(CryptoAttribute::parse(&attr.to_string()).unwrap(), attr.clone());
                let _ = attr.policy();
            }
        }
    }

    #[test]
    fn mutated_valid_text_never_panics(
        attr in attribute_strategy(),
        cut in any::<prop::sample::Index>(),
        insert in "[ ;|:=^0-9a-zA-Z+/\t]{0,3}",
    ) {
        let text = attr.to_string();
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) { at -= 1; }
        let mutated = format!("{}{}{}", &text[..at], insert, &text[at..]);
        for mode in [ParseMode::Strict, ParseMode::Lenient] {
            if let Ok(parsed) = CryptoAttribute::parse_with(&mutated, mode) {
                prop_assert_eq!(CryptoAttribute::parse(&parsed.to_string()).unwrap(), parsed.clone());
                let _ = parsed.policy();
            }
        }
    }
}
