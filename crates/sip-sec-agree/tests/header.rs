//! The RFC 3329 header codec against real headers: the TS 24.228/24.229
//! examples, TS 34.229-1's default Security-Server, what real UEs and
//! P-CSCFs send (open5gs#337, docker_open5gs#458, Kamailio), RFC 3329's own
//! examples; typed values, per-tuple reading, refusals with their offsets;
//! and property tests: every list emits and parses back to itself, any
//! rewriting that keeps the meaning (case, white space, folds, parameter
//! order, several lines) keeps [`MechanismList::same_meaning`], and any
//! change of meaning (a mechanism dropped, a value changed, a parameter
//! added) breaks it, which is what makes a P-CSCF refuse a tampered
//! Security-Verify or Security-Client in SM7.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use esp_sa::{EncryptionAlgorithm as E, IntegrityAlgorithm as I};
use ims_sec_core::sip::{Param, ParamValue, Quoted};
use proptest::prelude::*;
use sip_sec_agree::{
    Algorithm, AlgorithmPair, Headers, Ipsec3gpp, Mechanism, MechanismList, MechanismName,
    MechanismParam, Message, Mode, Protocol, QValue, SecurityHeader, SpisAndPorts, TupleError,
};

// ---------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------

/// TS 24.228 §6.2 / TS 24.229 example (UE values), as quoted in
/// /work/research/sec-agree.md §4.4.
const TS24228_CLIENT: &str =
    "ipsec-3gpp; alg=hmac-sha-1-96; spi-c=23456789; spi-s=12345678; port-c=2468; port-s=1357";

/// TS 24.228 §6.2 / TS 24.229 example (P-CSCF values), research §4.4.
const TS24228_SERVER: &str =
    "ipsec-3gpp; q=0.1; alg=hmac-sha-1-96; spi-c=98765432; spi-s=87654321; port-c=8642; port-s=7531";

/// Two-tuple Security-Verify with q=0.1 and q=0.5: TS 24.228 example values,
/// also JAIN-SIP's `SecurityVerifyParserTest` (research §4.4).
const TS24228_VERIFY: &str = "ipsec-3gpp; alg=hmac-sha-1-96; spi-c=23456789; spi-s=12345678; port-c=2468; port-s=1357; q=0.1, ipsec-3gpp; alg=hmac-sha-1-96; spi-c=98765432; spi-s=87654321; port-c=8642; port-s=7531; q=0.5";

/// TS 34.229-1 Annex A.1.2 default 401 (research §1.3): two ipsec-3gpp
/// entries, one per integrity algorithm, q=0.9 and q=0.7, `ealg`
/// "des-ede3-cbc or aes-cbc". The table gives no literal header; the SPIs
/// and ports here are ours, written in the style of the spec's rows.
const TS34229_SERVER: &str = "ipsec-3gpp; q=0.9; alg=hmac-sha-1-96; ealg=aes-cbc; spi-c=10000; spi-s=10001; port-c=5064; port-s=5066, ipsec-3gpp; q=0.7; alg=hmac-md5-96; ealg=aes-cbc; spi-c=10000; spi-s=10001; port-c=5064; port-s=5066";

/// Xiaomi Mi9 Pro 5G (Android 9), open5gs/open5gs#337, comment by miaoski
/// 2020-04-16, verbatim (research §4.1): six tuples, spi-c above 2^31.
const XIAOMI: &str = "ipsec-3gpp; alg=hmac-md5-96; ealg=des-ede3-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-md5-96; ealg=aes-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-md5-96; ealg=null; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=des-ede3-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=aes-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=null; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306";

/// Samsung UE, herlesupreeth/docker_open5gs PR #458 (research §4.2):
/// prot/mod first, alg/ealg last. The PR's raw line is cut after the
/// second entry; this is the three entries its Wireshark decode shows
/// (hmac-md5-96 with des-ede3-cbc, aes-cbc, null), RECONSTRUCTED in the
/// raw line's own form.
const SAMSUNG: &str = "ipsec-3gpp;prot=esp;mod=trans;spi-c=74618;spi-s=74619;port-c=8001;port-s=8000;alg=hmac-md5-96;ealg=des-ede3-cbc, ipsec-3gpp;prot=esp;mod=trans;spi-c=74618;spi-s=74619;port-c=8001;port-s=8000;alg=hmac-md5-96;ealg=aes-cbc, ipsec-3gpp;prot=esp;mod=trans;spi-c=74618;spi-s=74619;port-c=8001;port-s=8000;alg=hmac-md5-96;ealg=null";

/// The UE in herlesupreeth/Kamailio_IMS_Config#35 (research §4.3). Only
/// the first entry is in the log; the rest is COMPLETED by us, plausibly:
/// Kamailio then set up hmac-sha-1-96/aes-cbc with the same SPIs and ports,
/// so the offer held that pair; we complete it as the usual 2 × 3 offer in
/// the first entry's order (ealg null first).
const KAMAILIO_UE: &str = "ipsec-3gpp;alg=hmac-md5-96;ealg=null;spi-c=1236;spi-s=1237;port-c=7004;port-s=7005,ipsec-3gpp;alg=hmac-md5-96;ealg=des-ede3-cbc;spi-c=1236;spi-s=1237;port-c=7004;port-s=7005,ipsec-3gpp;alg=hmac-md5-96;ealg=aes-cbc;spi-c=1236;spi-s=1237;port-c=7004;port-s=7005,ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1236;spi-s=1237;port-c=7004;port-s=7005,ipsec-3gpp;alg=hmac-sha-1-96;ealg=des-ede3-cbc;spi-c=1236;spi-s=1237;port-c=7004;port-s=7005,ipsec-3gpp;alg=hmac-sha-1-96;ealg=aes-cbc;spi-c=1236;spi-s=1237;port-c=7004;port-s=7005";

/// Kamailio `ims_ipsec_pcscf` `add_security_server_header` format string
/// (src/modules/ims_ipsec_pcscf/cmd.c, research §4.5)
/// `ipsec-3gpp;prot=esp;mod=trans;spi-c=%d;spi-s=%d;port-c=%d;port-s=%d;alg=%.*s;ealg=%.*s`
/// filled in with the values Kamailio logged in Kamailio_IMS_Config#35
/// (spi_pc 4096, spi_ps 4097, port_pc 5100, port_ps 6100,
/// hmac-sha-1-96, aes-cbc).
const KAMAILIO_SERVER: &str = "ipsec-3gpp;prot=esp;mod=trans;spi-c=4096;spi-s=4097;port-c=5100;port-s=6100;alg=hmac-sha-1-96;ealg=aes-cbc";

/// RFC 3329 §4.1 (client initiated), message (2): two Security-Server lines.
const RFC3329_SERVER_LINES: [&str; 2] = ["ipsec-ike;q=0.1", "tls;q=0.2"];

/// RFC 3329 §2.2's digest parameters (d-alg, d-qop, d-ver = 32LHEX); the RFC
/// gives no literal example, so this one is ours, built from the ABNF.
const RFC3329_DIGEST: &str =
    "digest;q=0.3;d-alg=md5;d-qop=auth-int;d-ver=\"0123456789abcdef0123456789abcdef\"";

fn parse(text: &str) -> MechanismList {
    MechanismList::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn tuples(list: &MechanismList) -> Vec<Ipsec3gpp> {
    list.mechanisms()
        .iter()
        .map(|m| Ipsec3gpp::from_mechanism(m).unwrap())
        .collect()
}

fn sp(spi_c: u32, spi_s: u32, port_c: u16, port_s: u16) -> SpisAndPorts {
    SpisAndPorts {
        spi_c,
        spi_s,
        port_c,
        port_s,
    }
}

fn q(thousandths: u16) -> Option<QValue> {
    Some(QValue::from_thousandths(thousandths).unwrap())
}

/// Parses, then checks that the emission parses back to the same value and
/// the same meaning.
fn round_trips(text: &str) -> MechanismList {
    let list = parse(text);
    let emitted = list.to_string();
    let again = parse(&emitted);
    assert_eq!(again, list, "{emitted}");
    assert!(again.same_meaning(&list));
    list
}

// ---------------------------------------------------------------------------
// TS 24.228 / 24.229 / 34.229-1 examples
// ---------------------------------------------------------------------------

#[test]
fn ts_24_228_security_client_is_one_rel5_tuple() {
    let list = round_trips(TS24228_CLIENT);
    let [t] = tuples(&list)[..] else {
        panic!("one tuple")
    };
    assert_eq!(t.pair, AlgorithmPair::new(I::HmacSha196, E::Null));
    assert!(!t.ealg_written, "no ealg: a Rel-5 tuple, NULL encryption");
    assert_eq!(t.spis_and_ports, sp(23_456_789, 12_345_678, 2468, 1357));
    assert_eq!(t.q, None);
    // The codec keeps what was written: no ealg parameter at all.
    assert_eq!(list.mechanisms()[0].ealg(), None);
    assert_eq!(list.to_string(), TS24228_CLIENT.replace("; ", ";"));
}

#[test]
fn ts_24_228_security_server_keeps_q_first() {
    let list = round_trips(TS24228_SERVER);
    let [t] = tuples(&list)[..] else {
        panic!("one tuple")
    };
    assert_eq!(t.q, q(100));
    assert_eq!(t.spis_and_ports, sp(98_765_432, 87_654_321, 8642, 7531));
    assert_eq!(
        list.mechanisms()[0].params()[0],
        MechanismParam::Q(q(100).unwrap())
    );
    // to_mechanism writes TS 24.229's order (q, alg, SPIs, ports): the same text.
    assert_eq!(
        MechanismList::new(vec![t.to_mechanism()]).to_string(),
        TS24228_SERVER.replace("; ", ";")
    );
}

#[test]
fn ts_24_228_security_verify_has_two_tuples_with_their_own_q() {
    let list = round_trips(TS24228_VERIFY);
    let t = tuples(&list);
    assert_eq!(t.len(), 2);
    assert_eq!(
        (t[0].q, t[0].spis_and_ports),
        (q(100), sp(23_456_789, 12_345_678, 2468, 1357))
    );
    assert_eq!(
        (t[1].q, t[1].spis_and_ports),
        (q(500), sp(98_765_432, 87_654_321, 8642, 7531))
    );
    // q last in the text, still one typed parameter.
    assert_eq!(list.mechanisms()[1].q(), q(500));
}

#[test]
fn ts_34_229_default_security_server_has_q_0_9_and_0_7() {
    let list = round_trips(TS34229_SERVER);
    let t = tuples(&list);
    assert_eq!(t[0].pair, AlgorithmPair::new(I::HmacSha196, E::AesCbc128));
    assert_eq!(t[1].pair, AlgorithmPair::new(I::HmacMd596, E::AesCbc128));
    assert_eq!((t[0].q, t[1].q), (q(900), q(700)));
    assert!(t.iter().all(|t| t.ealg_written));
}

// ---------------------------------------------------------------------------
// Real UEs and P-CSCFs
// ---------------------------------------------------------------------------

#[test]
fn xiaomi_six_tuples_read_as_six_whole_tuples_with_u32_spis() {
    let list = round_trips(XIAOMI);
    let t = tuples(&list);
    let expected = [
        (I::HmacMd596, E::DesEde3Cbc),
        (I::HmacMd596, E::AesCbc128),
        (I::HmacMd596, E::Null),
        (I::HmacSha196, E::DesEde3Cbc),
        (I::HmacSha196, E::AesCbc128),
        (I::HmacSha196, E::Null),
    ];
    assert_eq!(t.len(), 6);
    for (tuple, (i, e)) in t.iter().zip(expected) {
        assert_eq!(tuple.pair, AlgorithmPair::new(i, e));
        assert!(tuple.ealg_written, "ealg=null is written, not absent");
        // 3209021766 > 2^31: an i32 reader would fail or go negative.
        assert_eq!(
            tuple.spis_and_ports,
            sp(3_209_021_766, 1_275_621_893, 44596, 42306)
        );
        assert_eq!(tuple.q, None);
    }
    // No white space after the commas in the original; ours has one: only
    // that differs.
    assert_eq!(
        list.to_string().replace(", ", ",").replace("; ", ";"),
        XIAOMI.replace("; ", ";")
    );
}

#[test]
fn samsung_prot_and_mod_first_reads_per_tuple() {
    let list = round_trips(SAMSUNG);
    let t = tuples(&list);
    assert_eq!(
        t.iter().map(|t| t.pair.encryption).collect::<Vec<_>>(),
        [E::DesEde3Cbc, E::AesCbc128, E::Null]
    );
    for (tuple, m) in t.iter().zip(list.mechanisms()) {
        assert_eq!(tuple.pair.integrity, I::HmacMd596);
        assert_eq!(tuple.spis_and_ports, sp(74618, 74619, 8001, 8000));
        assert_eq!(m.prot(), Some(Protocol::Esp));
        assert_eq!(m.mode(), Some(Mode::Transport));
        // The order written is kept: prot, mod, SPIs, ports, alg, ealg.
        let names: Vec<&str> = m.params().iter().map(MechanismParam::name).collect();
        assert_eq!(
            names,
            ["prot", "mod", "spi-c", "spi-s", "port-c", "port-s", "alg", "ealg"]
        );
    }
    // Emitted exactly as received, apart from the space after each comma
    // (which is already there).
    assert_eq!(list.to_string(), SAMSUNG);
}

#[test]
fn kamailio_log_ue_offer_and_kamailio_security_server() {
    let ue = tuples(&round_trips(KAMAILIO_UE));
    assert_eq!(ue.len(), 6);
    assert!(ue
        .iter()
        .all(|t| t.spis_and_ports == sp(1236, 1237, 7004, 7005)));
    assert_eq!(ue[0].pair, AlgorithmPair::new(I::HmacMd596, E::Null));
    assert_eq!(ue[5].pair, AlgorithmPair::new(I::HmacSha196, E::AesCbc128));

    let server = round_trips(KAMAILIO_SERVER);
    assert_eq!(server.to_string(), KAMAILIO_SERVER);
    let [t] = tuples(&server)[..] else {
        panic!("one tuple")
    };
    assert_eq!(t.pair, AlgorithmPair::new(I::HmacSha196, E::AesCbc128));
    assert_eq!(t.spis_and_ports, sp(4096, 4097, 5100, 6100));
    assert_eq!(t.q, None, "Kamailio writes no q");
}

// ---------------------------------------------------------------------------
// RFC 3329
// ---------------------------------------------------------------------------

#[test]
fn rfc_3329_examples_over_repeated_lines() {
    // §4.1 (2) and §4.2 (2): two Security-Server lines; (3)/(4): the same
    // two as Security-Verify. Names of headers in any case.
    let mut headers = Headers::new();
    headers
        .push("Security-Server", RFC3329_SERVER_LINES[0])
        .unwrap();
    headers
        .push("Via", "SIP/2.0/UDP client.example.com")
        .unwrap();
    headers
        .push("security-server", RFC3329_SERVER_LINES[1])
        .unwrap();
    headers
        .push("SECURITY-VERIFY", RFC3329_SERVER_LINES[0])
        .unwrap();
    headers
        .push("Security-Verify", RFC3329_SERVER_LINES[1])
        .unwrap();
    headers.push("Security-Servers", "digest").unwrap(); // not the same header

    let server = MechanismList::from_headers(&headers, SecurityHeader::Server)
        .unwrap()
        .unwrap();
    let verify = MechanismList::from_headers(&headers, SecurityHeader::Verify)
        .unwrap()
        .unwrap();
    assert_eq!(server.len(), 2);
    assert_eq!(server.mechanisms()[0].name(), &MechanismName::IpsecIke);
    assert_eq!(server.mechanisms()[0].q(), q(100));
    assert_eq!(server.mechanisms()[1].name(), &MechanismName::Tls);
    assert_eq!(server.mechanisms()[1].q(), q(200));
    assert_eq!(server, verify);
    assert_eq!(server, parse("ipsec-ike;q=0.1, tls;q=0.2"));
    assert!(
        MechanismList::from_headers(&headers, SecurityHeader::Client)
            .unwrap()
            .is_none()
    );

    // §4.1 (1): Security-Client: tls / Security-Client: digest, no q.
    let client = Headers::new()
        .with("Security-Client", "tls")
        .unwrap()
        .with("Security-Client", "digest")
        .unwrap();
    let client = MechanismList::from_headers(&client, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    assert_eq!(client.to_string(), "tls, digest");
    assert!(client.mechanisms().iter().all(|m| m.q().is_none()));

    // write_to puts the list on one line, replacing every line there was.
    server.write_to(&mut headers, SecurityHeader::Server);
    assert_eq!(headers.values("Security-Server").count(), 1);
    assert_eq!(
        headers.first("SECURITY-SERVER"),
        Some("ipsec-ike;q=0.1, tls;q=0.2")
    );
    assert_eq!(headers.first("Security-Servers"), Some("digest"));
}

#[test]
fn rfc_3329_digest_parameters_are_typed() {
    let list = round_trips(RFC3329_DIGEST);
    let m = &list.mechanisms()[0];
    assert_eq!(m.name(), &MechanismName::Digest);
    assert_eq!(m.q(), q(300));
    assert_eq!(m.d_alg().as_deref(), Some("md5"));
    assert_eq!(m.d_qop().as_deref(), Some("auth-int"));
    assert_eq!(
        m.d_ver().as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    assert_eq!(list.to_string(), RFC3329_DIGEST);
    assert_eq!(Ipsec3gpp::from_mechanism(m), Err(TupleError::NotIpsec3gpp));

    // d-ver is LDQUOT 32LHEX RDQUOT: not bare, not upper case, not 31 digits.
    for bad in [
        "digest;d-ver=0123456789abcdef0123456789abcdef",
        "digest;d-ver=\"0123456789ABCDEF0123456789abcdef\"",
        "digest;d-ver=\"0123456789abcdef0123456789abcde\"",
    ] {
        let e = MechanismList::parse(bad).unwrap_err();
        assert_eq!(e.offset, 7, "{bad}");
    }
}

// ---------------------------------------------------------------------------
// Typed values and per-tuple reading
// ---------------------------------------------------------------------------

#[test]
fn typed_values_and_defaults() {
    let list = parse(
        "IPSEC-3GPP; Q=1.000; ALG=HMAC-SHA-1-96; EALG=AES-CBC; PROT=ESP; MOD=UDP-ENC-TUN; \
         SPI-C=4294967295; SPI-S=0000000256; PORT-C=65535; PORT-S=1",
    );
    let m = &list.mechanisms()[0];
    assert_eq!(m.name(), &MechanismName::Ipsec3gpp);
    assert_eq!(m.q(), Some(QValue::MAX));
    assert_eq!(m.alg(), Some(Algorithm::Known(I::HmacSha196)));
    assert_eq!(m.ealg(), Some(Algorithm::Known(E::AesCbc128)));
    assert_eq!(m.prot(), Some(Protocol::Esp));
    assert_eq!(m.mode(), Some(Mode::UdpEncapsulatedTunnel));
    assert_eq!(m.spi_c(), Some(u32::MAX));
    assert_eq!(m.spi_s(), Some(256));
    assert_eq!(m.port_c(), Some(65535));
    assert_eq!(m.port_s(), Some(1));
    // Emitted in canonical lower case, values in shortest form.
    assert_eq!(
        m.to_string(),
        "ipsec-3gpp;q=1;alg=hmac-sha-1-96;ealg=aes-cbc;prot=esp;mod=UDP-enc-tun;\
         spi-c=4294967295;spi-s=256;port-c=65535;port-s=1"
    );
    // Annex M's tunnel mode is not something we run.
    assert_eq!(Ipsec3gpp::from_mechanism(m), Err(TupleError::Mode));

    // Absent ealg means NULL encryption (RFC 3329 Appendix A); absent
    // prot/mod mean ESP in transport mode.
    let list = parse("ipsec-3gpp;alg=hmac-md5-96;spi-c=300;spi-s=301;port-c=1;port-s=2");
    let m = &list.mechanisms()[0];
    let t = Ipsec3gpp::from_mechanism(m).unwrap();
    assert_eq!(t.pair, AlgorithmPair::new(I::HmacMd596, E::Null));
    assert!(!t.ealg_written);
    assert_eq!(t.to_mechanism(), *m);

    // Rel-13 pairs.
    let t = tuples(&parse(
        "ipsec-3gpp;alg=null;ealg=aes-gcm;spi-c=300;spi-s=301;port-c=1;port-s=2, \
         ipsec-3gpp;alg=aes-gmac;ealg=null;spi-c=300;spi-s=301;port-c=1;port-s=2",
    ));
    assert_eq!(t[0].pair, AlgorithmPair::new(I::Null, E::AesGcm));
    assert_eq!(t[1].pair, AlgorithmPair::new(I::AesGmac, E::Null));

    // q in every form the grammar allows.
    for (text, thousandths) in [
        ("0", 0),
        ("0.", 0),
        ("0.5", 500),
        ("0.05", 50),
        ("0.125", 125),
        ("1.", 1000),
        ("1.0", 1000),
    ] {
        let list = parse(&format!("tls;q={text}"));
        assert_eq!(list.mechanisms()[0].q(), q(thousandths), "{text}");
    }
}

#[test]
fn tuples_are_read_whole_never_mixed() {
    // Kamailio reads `name=value` pairs as one flat stream, last one wins,
    // so these two tuples could come out as alg of one and ealg of the
    // other (research §5). We read each tuple on its own.
    let list = parse(
        "ipsec-3gpp; ealg=aes-cbc; spi-c=1000; alg=hmac-sha-1-96; spi-s=1001; port-c=5000; port-s=5001, \
         ipsec-3gpp; alg=hmac-md5-96; port-s=6001; spi-s=2001; spi-c=2000; port-c=6000",
    );
    let t = tuples(&list);
    assert_eq!(t[0].pair, AlgorithmPair::new(I::HmacSha196, E::AesCbc128));
    assert_eq!(t[0].spis_and_ports, sp(1000, 1001, 5000, 5001));
    assert_eq!(t[1].pair, AlgorithmPair::new(I::HmacMd596, E::Null));
    assert!(!t[1].ealg_written, "the first tuple's ealg does not leak");
    assert_eq!(t[1].spis_and_ports, sp(2000, 2001, 6000, 6001));

    // A tuple missing a field is incomplete: it does not borrow one.
    let list = parse(
        "ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=3;port-s=4, ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=3",
    );
    assert!(Ipsec3gpp::from_mechanism(&list.mechanisms()[0]).is_ok());
    assert_eq!(
        Ipsec3gpp::from_mechanism(&list.mechanisms()[1]),
        Err(TupleError::Missing("port-s"))
    );
}

#[test]
fn header_names_and_lines_via_a_parsed_message() {
    // A REGISTER whose Security-Client is split over two lines with other
    // header-name case and a fold: the list is both lines, in order.
    let text = format!(
        "REGISTER sip:ims.example.net SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.45.0.2:5060;branch=z9hG4bK1\r\n\
         SECURITY-CLIENT: {}\r\n\
         Max-Forwards: 70\r\n\
         security-client: {},\r\n {}\r\n\
         Content-Length: 0\r\n\r\n",
        XIAOMI.split(",ipsec").next().unwrap(),
        KAMAILIO_SERVER,
        TS24228_CLIENT,
    );
    let message = Message::parse(text.as_bytes()).unwrap();
    let list = MechanismList::from_headers(&message.headers, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list.mechanisms()[0].spi_c(), Some(3_209_021_766));
    assert_eq!(list.mechanisms()[1].spi_c(), Some(4096));
    assert_eq!(list.mechanisms()[2].spi_c(), Some(23_456_789));

    // An error names the header, the line and the offset in that line.
    let headers = Headers::new()
        .with("Security-Verify", TS24228_CLIENT)
        .unwrap()
        .with("security-verify", "ipsec-3gpp; spi-c=1; spi-c=2")
        .unwrap();
    let e = MechanismList::from_headers(&headers, SecurityHeader::Verify).unwrap_err();
    assert_eq!(
        (e.header, e.line, e.error.offset),
        (SecurityHeader::Verify, 1, 21)
    );
}

#[test]
fn parameter_names_match_exactly_and_case_insensitively() {
    let list = parse(
        "ipsec-3gpp; algorithm=null; alg2=x; ALG=hmac-md5-96; spi=5; port1=1; port2=2; spi-cc=3; \
         spi-c=300; Spi-S=301; PORT-c=1; port-S=2; qq=1; q2=0.5",
    );
    let m = &list.mechanisms()[0];
    assert_eq!(m.alg(), Some(Algorithm::Known(I::HmacMd596)));
    assert_eq!(m.spi_c(), Some(300));
    assert_eq!(m.spi_s(), Some(301));
    assert_eq!((m.port_c(), m.port_s()), (Some(1), Some(2)));
    assert_eq!(m.q(), None);
    let extensions: Vec<String> = m.extensions().map(ToString::to_string).collect();
    // RFC 3329 Appendix A's spi/port1/port2 are not Annex H's names.
    assert_eq!(
        extensions,
        [
            "algorithm=null",
            "alg2=x",
            "spi=5",
            "port1=1",
            "port2=2",
            "spi-cc=3",
            "qq=1",
            "q2=0.5"
        ]
    );

    // The Annex H names are typed only on ipsec-3gpp.
    let list = parse("tls; alg=hmac-sha-1-96; spi-c=x; q=0.5");
    let m = &list.mechanisms()[0];
    assert_eq!(m.alg(), None);
    assert_eq!(m.extensions().count(), 2);
    assert_eq!(m.q(), q(500));
}

// ---------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------

fn refused(text: &str) -> usize {
    match MechanismList::parse(text) {
        Err(e) => e.offset,
        Ok(list) => panic!("{text:?} parsed as {list}"),
    }
}

fn refused_at(text: &str) -> Option<usize> {
    MechanismList::parse(text).err().map(|e| e.offset)
}

#[test]
fn a_typed_parameter_twice_is_refused_at_the_second() {
    for (text, offset) in [
        ("ipsec-3gpp;alg=hmac-sha-1-96;ALG=null", 29),
        (
            "ipsec-3gpp; alg=hmac-sha-1-96; ealg=null; spi-c=1; ealg=aes-cbc",
            51,
        ),
        ("tls, ipsec-3gpp; spi-s=1; spi-s=1", 26),
        ("tls;q=0.1;Q=0.2", 10),
        ("digest;d-alg=md5;d-alg=md5", 17),
        ("ipsec-3gpp;port-c=1;\r\n port-c=1", 23),
    ] {
        assert_eq!(refused(text), offset, "{text}");
    }
    // Extensions may repeat, and the same name on another mechanism is fine.
    let list = parse("tls;x=1;x=1, ipsec-3gpp;alg=null, ipsec-3gpp;alg=null");
    assert_eq!(list.mechanisms()[0].extensions().count(), 2);
}

#[test]
fn out_of_range_and_malformed_values_are_refused_where_they_are() {
    let mut wrong = Vec::new();
    for (text, offset) in [
        // 9876543210 > 2^32 - 1: test data seen on GitHub (research §1.2).
        ("ipsec-3gpp; alg=hmac-sha-1-96; spi-c=9876543210", 31),
        ("ipsec-3gpp; spi-s=4294967296", 12),
        ("ipsec-3gpp; spi-s=00004294967295", 12),
        ("ipsec-3gpp; spi-s=-1", 12),
        ("ipsec-3gpp; spi-s=0x10", 12),
        ("ipsec-3gpp; spi-s=", 18), // where the value should be,
        ("ipsec-3gpp; port-c=65536", 12),
        ("ipsec-3gpp; port-s=1.5", 12),
        ("ipsec-3gpp; spi-c", 12),
        ("tls;q=1.5", 4),
        ("tls;q=2", 4),
        ("tls;q=0.1234", 4),
        ("tls;q=.5", 4),
        ("tls;q=abc", 4),
        ("tls;q", 4),
        ("ipsec-3gpp;alg=\"hmac-sha-1-96\"", 11),
        ("ipsec-3gpp;alg", 11),
        // Not a list of mechanisms at all.
        ("", 0),
        (" , ,", 0),
        ("tls x", 4),
        ("tls;x=\"open", 11), // where the closing quote should be,
        ("tls;=1", 4),
        ("\"tls\"", 0),
    ] {
        let got = refused_at(text);
        if got != Some(offset) {
            wrong.push(format!("{text:?}: refused at {got:?}, not {offset}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Empty elements are skipped, in `;` lists as in `,` lists (the
    // lexer's #rule leniency): a stray separator is not a change of meaning.
    assert!(parse("tls;").same_meaning(&parse("tls;;, ,")));
    // Bounds that are in range.
    assert_eq!(
        parse("ipsec-3gpp;spi-s=4294967295").mechanisms()[0].spi_s(),
        Some(u32::MAX)
    );
    assert_eq!(
        parse("ipsec-3gpp;port-s=65535").mechanisms()[0].port_s(),
        Some(u16::MAX)
    );
}

#[test]
fn unknown_mechanisms_params_and_algorithms_are_kept_in_order() {
    let text = "ipsec-3gpp; alg=hmac-sha-256-128; ealg=chacha20-poly1305; x-vendor=\"a, b; c\"; \
                flag; prot=ah; mod=beet; spi-c=300, foo-mech; bar=1; baz, tls; q=0.5, IPsec-Man";
    let list = round_trips(text);
    assert_eq!(
        list.to_string(),
        "ipsec-3gpp;alg=hmac-sha-256-128;ealg=chacha20-poly1305;x-vendor=\"a, b; c\";flag;\
         prot=ah;mod=beet;spi-c=300, foo-mech;bar=1;baz, tls;q=0.5, ipsec-man"
    );
    let m = &list.mechanisms()[0];
    assert_eq!(m.alg(), Some(Algorithm::Other("hmac-sha-256-128".into())));
    assert_eq!(m.ealg(), Some(Algorithm::Other("chacha20-poly1305".into())));
    assert_eq!(m.prot(), Some(Protocol::Ah));
    assert_eq!(m.mode(), Some(Mode::Other("beet".into())));
    assert_eq!(Ipsec3gpp::from_mechanism(m), Err(TupleError::Algorithm));
    assert_eq!(
        m.extensions().collect::<Vec<_>>(),
        [
            &Param::new("x-vendor", Some(ParamValue::Quoted("a, b; c".into()))).unwrap(),
            &Param::new("flag", None).unwrap(),
        ]
    );
    assert_eq!(
        list.mechanisms()[1].name(),
        &MechanismName::Other("foo-mech".into())
    );
    assert_eq!(list.mechanisms()[3].name(), &MechanismName::IpsecMan);
}

// ---------------------------------------------------------------------------
// same_meaning: what SM7's checks rest on
// ---------------------------------------------------------------------------

#[test]
fn same_meaning_ignores_form_and_sees_every_change() {
    let list = parse(XIAOMI);
    let recased = parse(
        &XIAOMI
            .to_uppercase()
            .replace(',', " ,\r\n\t")
            .replace("; ", " ;  "),
    );
    assert!(list.same_meaning(&recased));
    // q=0.5 and q=0.500 are one value.
    assert!(parse("tls;q=0.5").same_meaning(&parse("tls;q=0.500")));
    // spi-c=0256 is 256.
    assert!(parse("ipsec-3gpp;spi-c=0256").same_meaning(&parse("ipsec-3gpp;spi-c=256")));

    for changed in [
        XIAOMI.replacen("spi-c=3209021766", "spi-c=3209021767", 1),
        XIAOMI.replacen("ealg=null", "ealg=aes-cbc", 1),
        XIAOMI.replacen("port-s=42306", "port-s=42306;q=0.5", 1),
        XIAOMI.replacen("port-s=42306", "port-s=42306;x", 1),
        XIAOMI.rsplit_once(",ipsec").unwrap().0.to_owned(),
        format!("{XIAOMI}, tls"),
    ] {
        assert!(!list.same_meaning(&parse(&changed)), "{changed}");
    }
    // Quoted values compare exactly; token values ignore case.
    assert!(!parse("tls;x=\"A\"").same_meaning(&parse("tls;x=\"a\"")));
    assert!(parse("tls;x=A").same_meaning(&parse("tls;x=a")));
    assert!(!parse("tls;x=a").same_meaning(&parse("tls;x=\"a\"")));
    assert!(!parse("tls;x").same_meaning(&parse("tls;x=\"\"")));
}

#[test]
fn a_quoted_value_cannot_pass_for_two_parameters() {
    // `x="1\";y=\"2"` is one parameter whose value holds `";y="`; it must
    // not compare equal to the two parameters `x="1"` and `y="2"`.
    let one = parse(r#"tls;x="1\";y=\"2""#);
    assert_eq!(one.mechanisms()[0].extensions().count(), 1);
    let two = parse(r#"tls;x="1";y="2""#);
    assert!(!one.same_meaning(&two));
    assert!(!two.same_meaning(&one));
    let one = parse(r#"tls;x="a\\";y"#);
    let other = parse(r#"tls;x="a\\\";y""#);
    assert!(!one.same_meaning(&other));
}

#[test]
fn every_parsed_list_can_be_written_on_a_header_line() {
    // quoted-pair allows an escaped NUL (RFC 3261 §25.1), but no header
    // line may carry one (Headers refuses it): the codec refuses it too, so
    // whatever parsed can always be written with write_to.
    let e = MechanismList::parse("tls;x=\"a\\\u{0}b\"").unwrap_err();
    assert_eq!(e.offset, 9);
    let e = MechanismList::parse("tls;x=\"a\u{0}b\"").unwrap_err();
    assert_eq!(e.offset, 8);
    let list = parse("tls;x=\"a\\\u{1}b\\\u{7f}\"");
    let mut headers = Headers::new();
    list.write_to(&mut headers, SecurityHeader::Client);
    let again = MechanismList::from_headers(&headers, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    assert_eq!(again, list);
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

const TYPED_ANY: [&str; 4] = ["q", "d-alg", "d-qop", "d-ver"];
const TYPED_IPSEC: [&str; 8] = [
    "alg", "ealg", "prot", "mod", "spi-c", "spi-s", "port-c", "port-s",
];

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!%*_+`'~.-]{1,10}"
}

/// A token that is not one of `reserved` (ignoring case).
fn token_except(reserved: &'static [&'static str]) -> impl Strategy<Value = String> {
    token().prop_filter("reserved token", move |t| {
        !reserved.iter().any(|r| r.eq_ignore_ascii_case(t))
    })
}

fn mechanism_name() -> impl Strategy<Value = MechanismName> {
    prop_oneof![
        3 => Just(MechanismName::Ipsec3gpp),
        1 => Just(MechanismName::Digest),
        1 => Just(MechanismName::Tls),
        1 => Just(MechanismName::IpsecIke),
        1 => Just(MechanismName::IpsecMan),
        1 => token_except(&["digest", "tls", "ipsec-ike", "ipsec-man", "ipsec-3gpp"])
            .prop_map(MechanismName::Other),
    ]
}

fn integrity() -> impl Strategy<Value = Algorithm<I>> {
    prop_oneof![
        3 => proptest::sample::select(I::ALL).prop_map(Algorithm::Known),
        1 => token_except(&["hmac-md5-96", "hmac-sha-1-96", "aes-gmac", "null"]).prop_map(Algorithm::Other),
    ]
}

fn encryption() -> impl Strategy<Value = Algorithm<E>> {
    prop_oneof![
        3 => proptest::sample::select(E::ALL).prop_map(Algorithm::Known),
        1 => token_except(&["des-ede3-cbc", "aes-cbc", "aes-gcm", "null"]).prop_map(Algorithm::Other),
    ]
}

/// An extension value: none, a token, an IPv6 host, or any quoted text a
/// header line can carry (no CR, LF or NUL; quotes, backslashes, `;` and
/// `,` and non-ASCII included).
fn extension_value() -> impl Strategy<Value = Option<ParamValue>> {
    prop_oneof![
        Just(None),
        token().prop_map(|t| Some(ParamValue::Token(t))),
        Just(Some(ParamValue::Token("[2001:db8::1]".into()))),
        "[^\r\n\u{0}]{0,12}".prop_map(|q| Some(ParamValue::Quoted(q))),
        "[\"\\\\;,= a]{0,6}".prop_map(|q| Some(ParamValue::Quoted(q))),
    ]
}

fn extension(ipsec: bool) -> impl Strategy<Value = MechanismParam> {
    let reserved: &'static [&'static str] = if ipsec {
        &[
            "q", "d-alg", "d-qop", "d-ver", "alg", "ealg", "prot", "mod", "spi-c", "spi-s",
            "port-c", "port-s",
        ]
    } else {
        &TYPED_ANY
    };
    (token_except(reserved), extension_value())
        .prop_map(|(name, value)| MechanismParam::Extension(Param::new(name, value).unwrap()))
}

fn param(ipsec: bool) -> BoxedStrategy<MechanismParam> {
    let common = prop_oneof![
        (0u16..=1000).prop_map(|t| MechanismParam::Q(QValue::from_thousandths(t).unwrap())),
        token().prop_map(MechanismParam::DigestAlgorithm),
        token().prop_map(MechanismParam::DigestQop),
        "[0-9a-f]{32}".prop_map(MechanismParam::DigestVerify),
        extension(ipsec),
        extension(ipsec),
    ];
    if !ipsec {
        return common.boxed();
    }
    prop_oneof![
        common,
        integrity().prop_map(MechanismParam::Alg),
        encryption().prop_map(MechanismParam::Ealg),
        prop_oneof![
            Just(Protocol::Esp),
            Just(Protocol::Ah),
            token_except(&["esp", "ah"]).prop_map(Protocol::Other)
        ]
        .prop_map(MechanismParam::Prot),
        prop_oneof![
            Just(Mode::Transport),
            Just(Mode::Tunnel),
            Just(Mode::UdpEncapsulatedTunnel),
            token_except(&["trans", "tun", "udp-enc-tun"]).prop_map(Mode::Other)
        ]
        .prop_map(MechanismParam::Mod),
        any::<u32>().prop_map(MechanismParam::SpiC),
        any::<u32>().prop_map(MechanismParam::SpiS),
        any::<u16>().prop_map(MechanismParam::PortC),
        any::<u16>().prop_map(MechanismParam::PortS),
    ]
    .boxed()
}

fn mechanism() -> impl Strategy<Value = Mechanism> {
    mechanism_name().prop_flat_map(|name| {
        let ipsec = name == MechanismName::Ipsec3gpp;
        proptest::collection::vec(param(ipsec), 0..10).prop_map(move |params| {
            // `with` keeps each typed parameter once (the last one given).
            params
                .into_iter()
                .fold(Mechanism::new(name.clone()), Mechanism::with)
        })
    })
}

fn mechanism_list() -> impl Strategy<Value = MechanismList> {
    proptest::collection::vec(mechanism(), 1..7).prop_map(MechanismList::new)
}

/// How to write a list differently with the same meaning.
#[derive(Debug, Clone)]
struct Rewrite {
    /// Random bits for the case of each letter that may be recased.
    case: Vec<bool>,
    /// White space around each separator: "", " ", "\t", a fold, ...
    space: Vec<&'static str>,
    /// Parameter orders: a permutation seed per mechanism.
    order: Vec<u64>,
    /// Where the list is cut into header lines.
    lines: Vec<bool>,
    /// Extra empty list elements (`, ,`), which the #rule allows.
    empties: Vec<bool>,
}

fn rewrite() -> impl Strategy<Value = Rewrite> {
    (
        proptest::collection::vec(any::<bool>(), 64),
        proptest::collection::vec(
            proptest::sample::select(vec!["", "", " ", "  ", "\t", "\r\n ", " \r\n\t"]),
            64,
        ),
        proptest::collection::vec(any::<u64>(), 8),
        proptest::collection::vec(any::<bool>(), 8),
        proptest::collection::vec(proptest::bool::weighted(0.1), 8),
    )
        .prop_map(|(case, space, order, lines, empties)| Rewrite {
            case,
            space,
            order,
            lines,
            empties,
        })
}

struct Writer<'a> {
    r: &'a Rewrite,
    case_at: usize,
    space_at: usize,
}

impl Writer<'_> {
    fn recase(&mut self, s: &str) -> String {
        s.chars()
            .map(|c| {
                self.case_at += 1;
                if self.r.case[self.case_at % self.r.case.len()] {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    }

    fn space(&mut self) -> &'static str {
        self.space_at += 1;
        self.r.space[self.space_at % self.r.space.len()]
    }

    /// `name=value` with the name recased, `=` spaced, and the value
    /// recased where it is a token that compares without case.
    fn param(&mut self, p: &MechanismParam) -> String {
        let name = self.recase(p.name());
        let (before, after) = (self.space(), self.space());
        let value = match p {
            MechanismParam::Q(q) => {
                // q=0.5 may be written 0.500; 1 as 1.000.
                let mut v = q.to_string();
                if self.space_at % 2 == 0 {
                    v = format!("{:.3}", f64::from(q.thousandths()) / 1000.0);
                }
                v
            }
            MechanismParam::DigestVerify(v) => Quoted(v).to_string(),
            MechanismParam::SpiC(n) | MechanismParam::SpiS(n)
                if self.space_at % 3 == 0 && *n < 1_000_000 =>
            {
                format!("{n:010}")
            }
            MechanismParam::Extension(e) => match &e.value {
                None => return name,
                Some(ParamValue::Token(t)) => self.recase(t),
                Some(v @ ParamValue::Quoted(_)) => v.to_string(),
            },
            other => {
                let text = other.to_string();
                let (_, v) = text.split_once('=').unwrap();
                self.recase(v)
            }
        };
        format!("{name}{before}={after}{value}")
    }

    /// The list as header lines.
    fn lines(&mut self, list: &MechanismList) -> Vec<String> {
        let mut lines = vec![String::new()];
        for (i, m) in list.mechanisms().iter().enumerate() {
            let mut params: Vec<&MechanismParam> = m.params().iter().collect();
            shuffle(&mut params, self.r.order[i % self.r.order.len()]);
            let mut text = self.recase(m.name().as_str());
            for p in params {
                let (before, after) = (self.space(), self.space());
                text.push_str(&format!("{before};{after}{}", self.param(p)));
            }
            let current = lines.last_mut().unwrap();
            if !current.is_empty() {
                let (before, after) = (self.space(), self.space());
                current.push_str(&format!("{before},{after}"));
                if self.r.empties[i % self.r.empties.len()] {
                    current.push_str(", ");
                }
            }
            current.push_str(&text);
            if self.r.lines[i % self.r.lines.len()] && i + 1 < list.len() {
                lines.push(String::new());
            }
        }
        lines
    }
}

fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        items.swap(i, (seed >> 33) as usize % (i + 1));
    }
}

/// One change of meaning to a list.
#[derive(Debug, Clone)]
enum Mutation {
    Drop(usize),
    Change(usize, usize),
    AddExtension(usize, Option<ParamValue>),
    AddTyped(usize, u32),
    Rename(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        (any::<usize>(), any::<usize>()).prop_map(|(m, p)| Mutation::Change(m, p)),
        (any::<usize>(), extension_value()).prop_map(|(m, v)| Mutation::AddExtension(m, v)),
        (any::<usize>(), any::<u32>()).prop_map(|(m, v)| Mutation::AddTyped(m, v)),
        any::<usize>().prop_map(Mutation::Rename),
    ]
}

/// The same parameter with another value.
fn changed(p: &MechanismParam) -> MechanismParam {
    use MechanismParam as P;
    let other = |s: &str| format!("{s}z");
    match p {
        P::Q(q) => P::Q(QValue::from_thousandths((q.thousandths() + 1) % 1001).unwrap()),
        P::DigestAlgorithm(s) => P::DigestAlgorithm(other(s)),
        P::DigestQop(s) => P::DigestQop(other(s)),
        P::DigestVerify(s) => P::DigestVerify(format!(
            "{}{}",
            if s.starts_with('0') { '1' } else { '0' },
            &s[1..]
        )),
        P::Alg(Algorithm::Known(I::HmacSha196)) => P::Alg(Algorithm::Known(I::HmacMd596)),
        P::Alg(Algorithm::Known(_)) => P::Alg(Algorithm::Known(I::HmacSha196)),
        P::Alg(Algorithm::Other(s)) => P::Alg(Algorithm::Other(other(s))),
        P::Ealg(Algorithm::Known(E::Null)) => P::Ealg(Algorithm::Known(E::AesCbc128)),
        P::Ealg(Algorithm::Known(_)) => P::Ealg(Algorithm::Known(E::Null)),
        P::Ealg(Algorithm::Other(s)) => P::Ealg(Algorithm::Other(other(s))),
        P::Prot(Protocol::Esp) => P::Prot(Protocol::Ah),
        P::Prot(_) => P::Prot(Protocol::Esp),
        P::Mod(Mode::Transport) => P::Mod(Mode::Tunnel),
        P::Mod(_) => P::Mod(Mode::Transport),
        P::SpiC(n) => P::SpiC(n ^ 1),
        P::SpiS(n) => P::SpiS(n ^ 0x8000_0000),
        P::PortC(n) => P::PortC(n.wrapping_add(1)),
        P::PortS(n) => P::PortS(n ^ 0x100),
        P::Extension(e) => {
            let value = match &e.value {
                None => Some(ParamValue::Token("1".into())),
                Some(ParamValue::Token(t)) => Some(ParamValue::Quoted(t.clone())),
                Some(ParamValue::Quoted(q)) => Some(ParamValue::Quoted(format!("{q}\""))),
            };
            P::Extension(Param::new(e.name(), value).unwrap())
        }
    }
}

/// The list before and after one change of meaning. Usually the list as
/// generated and the changed copy; for a rename, both without the Annex H
/// parameters (which another name would read as extensions).
fn mutated_pair(list: &MechanismList, mutation: &Mutation) -> (MechanismList, MechanismList) {
    let rebuild = |name: MechanismName, params: Vec<MechanismParam>| {
        params
            .into_iter()
            .fold(Mechanism::new(name), Mechanism::with)
    };
    let mut ms = list.mechanisms().to_vec();
    let n = ms.len();
    match mutation {
        Mutation::Drop(i) => {
            ms.remove(i % n);
        }
        Mutation::Change(i, j) => {
            let m = &ms[i % n];
            if m.params().is_empty() {
                ms[i % n] = m.clone().with(MechanismParam::Q(QValue::MAX));
            } else {
                let mut params = m.params().to_vec();
                let k = j % params.len();
                params[k] = changed(&params[k]);
                ms[i % n] = rebuild(m.name().clone(), params);
            }
        }
        Mutation::AddExtension(i, value) => {
            let p = MechanismParam::Extension(Param::new("x-added", value.clone()).unwrap());
            ms[i % n] = ms[i % n].clone().with(p);
        }
        Mutation::AddTyped(i, v) => {
            let m = ms[i % n].clone();
            let q = MechanismParam::Q(QValue::from_thousandths((*v % 1001) as u16).unwrap());
            let candidates: Vec<MechanismParam> = if *m.name() == MechanismName::Ipsec3gpp {
                vec![
                    MechanismParam::SpiC(*v),
                    MechanismParam::PortS(*v as u16),
                    MechanismParam::Ealg(Algorithm::Known(E::Null)),
                    q,
                ]
            } else {
                vec![q, MechanismParam::DigestQop("auth".into())]
            };
            let new = candidates
                .into_iter()
                .find(|c| m.params().iter().all(|p| p.name() != c.name()))
                .unwrap_or_else(|| MechanismParam::Extension(Param::new("x-added", None).unwrap()));
            ms[i % n] = m.with(new);
        }
        Mutation::Rename(i) => {
            let m = &ms[i % n];
            let name = match m.name() {
                MechanismName::Ipsec3gpp => MechanismName::IpsecIke,
                MechanismName::Other(s) => MechanismName::Other(format!("{s}z")),
                _ => MechanismName::Other("renamed".into()),
            };
            let mut kept = m.params().to_vec();
            kept.retain(|p| !TYPED_IPSEC.contains(&p.name()));
            let mut base = list.mechanisms().to_vec();
            base[i % n] = rebuild(m.name().clone(), kept.clone());
            ms[i % n] = rebuild(name, kept);
            return (MechanismList::new(base), MechanismList::new(ms));
        }
    }
    (list.clone(), MechanismList::new(ms))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// parse(emit(x)) == x for any list the types can hold.
    #[test]
    fn any_list_parses_back_from_its_emission(list in mechanism_list()) {
        let emitted = list.to_string();
        prop_assert!(!emitted.contains(['\r', '\n', '\0']), "{emitted:?}");
        prop_assert_eq!(MechanismList::parse(&emitted), Ok(list.clone()), "{:?}", emitted);
        // And through a header line.
        let mut headers = Headers::new();
        list.write_to(&mut headers, SecurityHeader::Verify);
        let again = MechanismList::from_headers(&headers, SecurityHeader::Verify);
        prop_assert_eq!(again, Ok(Some(list.clone())));
        // Every ipsec-3gpp tuple we can run writes back as itself.
        for m in list.mechanisms() {
            if let Ok(t) = Ipsec3gpp::from_mechanism(m) {
                prop_assert_eq!(Ipsec3gpp::from_mechanism(&t.to_mechanism()), Ok(t));
            }
        }
    }

    /// Text written any way the grammar allows parses, emits, and parses
    /// again to the same value; and it means what the list means.
    #[test]
    fn rewritten_text_is_stable_and_means_the_same(list in mechanism_list(), r in rewrite()) {
        let lines = Writer { r: &r, case_at: 0, space_at: 0 }.lines(&list);
        let mut headers = Headers::new();
        for (i, line) in lines.iter().enumerate() {
            let name = if i % 2 == 0 { "security-client" } else { "SECURITY-CLIENT" };
            headers.push(name, line.trim_matches([' ', '\t', '\r', '\n'])).unwrap();
        }
        let parsed = MechanismList::from_headers(&headers, SecurityHeader::Client)
            .map_err(|e| TestCaseError::fail(format!("{lines:?}: {e}")))?
            .unwrap();
        prop_assert!(parsed.same_meaning(&list), "{:?}\n{}\n{}", lines, parsed, list);
        prop_assert!(list.same_meaning(&parsed));
        let emitted = parsed.to_string();
        let again = MechanismList::parse(&emitted)
            .map_err(|e| TestCaseError::fail(format!("{emitted:?}: {e}")))?;
        prop_assert_eq!(&again, &parsed);
        prop_assert_eq!(again.to_string(), emitted);
        if lines.len() == 1 {
            prop_assert_eq!(MechanismList::parse(&lines[0]), Ok(parsed));
        }
    }

    /// Any change of meaning is seen: a P-CSCF refuses a Security-Verify or
    /// Security-Client so changed (TS 33.203 §7.2, RFC 3329 §2.3.1).
    #[test]
    fn any_change_of_meaning_is_seen(list in mechanism_list(), m in mutation(), r in rewrite()) {
        let (base, changed) = mutated_pair(&list, &m);
        prop_assert!(!changed.same_meaning(&base), "{:?}\n{}\n{}", m, base, changed);
        prop_assert!(!base.same_meaning(&changed));
        if changed.is_empty() {
            return Ok(());
        }
        // However the changed list is written.
        let lines = Writer { r: &r, case_at: 0, space_at: 0 }.lines(&changed);
        let text = lines.join(", ");
        let parsed = MechanismList::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert!(!parsed.same_meaning(&base), "{:?}\n{}\n{}", m, base, text);
    }
}
