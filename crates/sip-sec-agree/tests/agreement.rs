#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The UE and the P-CSCF agree on SAs end to end, in memory, with real SA
//! databases on both sides and real ESP between them (TS 33.203 §7.2,
//! TS 24.229 §5.1.1.5.1 and §5.2.2, RFC 3329 §2.3, seed 002's SM1 → SM6 →
//! SM7): the protected REGISTER travels as ESP, the P-CSCF decapsulates it
//! and checks its lists, and the 200 OK goes back protected.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use esp_sa::{EncryptionAlgorithm as E, IntegrityAlgorithm as I, SaDatabase};
use ims_sec_core::Secret;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use sip_sec_agree::{
    AlgorithmPair, AlgorithmProfile, Error, FirstHopCheck, Headers, MechanismList, Message,
    PcscfAgreement, PcscfPolicy, Refusal, Release, SaOptions, SecurityHeader, SpisAndPorts,
    UeAgreement,
};

const UE: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 45, 0, 2));
const PCSCF: IpAddr = IpAddr::V4(Ipv4Addr::new(172, 22, 0, 9));
const UE_PORT_C: u16 = 7004;
const UE_PORT_S: u16 = 7005;
const PCSCF_PORT_C: u16 = 5100;
const PCSCF_PORT_S: u16 = 6100;
const NOW: Duration = Duration::from_secs(1_000);

fn ck() -> Secret<16> {
    Secret::new(*b"CK-of-IMS-AKA-16")
}

fn ik() -> Secret<16> {
    Secret::new(*b"IK-of-IMS-AKA-16")
}

fn p(integrity: I, encryption: E) -> AlgorithmPair {
    AlgorithmPair::new(integrity, encryption)
}

fn policy(release: Release) -> PcscfPolicy {
    PcscfPolicy::new(release, PCSCF, PCSCF_PORT_C, PCSCF_PORT_S)
}

// ---------------------------------------------------------------------------
// Packets: IPv4/UDP by hand, carrying the SIP text.

fn ipv4_udp(src: IpAddr, sport: u16, dst: IpAddr, dport: u16, payload: &[u8]) -> Vec<u8> {
    let (IpAddr::V4(src), IpAddr::V4(dst)) = (src, dst) else {
        panic!("IPv4 only here")
    };
    let total = 20 + 8 + payload.len();
    let mut packet = Vec::with_capacity(total + 64);
    packet.extend_from_slice(&[0x45, 0, 0, 0]);
    packet[2..4].copy_from_slice(&(total as u16).to_be_bytes());
    packet.extend_from_slice(&[0, 1, 0, 0, 64, 17, 0, 0]);
    packet.extend_from_slice(&src.octets());
    packet.extend_from_slice(&dst.octets());
    let sum = packet
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum::<u32>();
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = (sum & 0xffff) + (sum >> 16);
    packet[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    packet.extend_from_slice(&sport.to_be_bytes());
    packet.extend_from_slice(&dport.to_be_bytes());
    packet.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    packet.extend_from_slice(&[0, 0]); // no UDP checksum (IPv4 allows it)
    packet.extend_from_slice(payload);
    packet
}

fn udp_payload(packet: &[u8]) -> &[u8] {
    assert_eq!(packet[9], 17, "a UDP packet after decapsulation");
    &packet[28..]
}

fn spi_on_wire(packet: &[u8]) -> u32 {
    assert_eq!(packet[9], 50, "an ESP packet on the wire");
    u32::from_be_bytes(packet[20..24].try_into().unwrap())
}

// ---------------------------------------------------------------------------
// Messages.

fn register(cseq: u32, via_port: u16) -> Message {
    let mut m = Message::new("REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0");
    let h = &mut m.headers;
    h.push(
        "Via",
        format!("SIP/2.0/UDP 10.45.0.2:{via_port};branch=z9hG4bK{cseq}x"),
    )
    .unwrap();
    h.push("Max-Forwards", "70").unwrap();
    h.push(
        "From",
        "<sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>;tag=ue1",
    )
    .unwrap();
    h.push(
        "To",
        "<sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>",
    )
    .unwrap();
    h.push("Call-ID", "reg-1@10.45.0.2").unwrap();
    h.push("CSeq", format!("{cseq} REGISTER")).unwrap();
    h.push(
        "Contact",
        format!("<sip:10.45.0.2:{via_port}>;expires=600000"),
    )
    .unwrap();
    h.push(
        "Authorization",
        "Digest username=\"001010000000001@ims.mnc001.mcc001.3gppnetwork.org\", realm=\"ims.mnc001.mcc001.3gppnetwork.org\", uri=\"sip:ims.mnc001.mcc001.3gppnetwork.org\", nonce=\"\", response=\"\"",
    )
    .unwrap();
    m
}

fn unauthorized() -> Message {
    let mut m = Message::new("SIP/2.0 401 Unauthorized");
    m.headers
        .push("Via", "SIP/2.0/UDP 10.45.0.2:7004;branch=z9hG4bK1x")
        .unwrap();
    m.headers.push("Call-ID", "reg-1@10.45.0.2").unwrap();
    m.headers.push("CSeq", "1 REGISTER").unwrap();
    m.headers
        .push(
            "WWW-Authenticate",
            "Digest realm=\"ims.mnc001.mcc001.3gppnetwork.org\", nonce=\"AAAA\", algorithm=AKAv1-MD5",
        )
        .unwrap();
    m
}

fn ok_200() -> Message {
    let mut m = Message::new("SIP/2.0 200 OK");
    m.headers
        .push("Via", "SIP/2.0/UDP 10.45.0.2:7004;branch=z9hG4bK2x")
        .unwrap();
    m.headers.push("Call-ID", "reg-1@10.45.0.2").unwrap();
    m.headers.push("CSeq", "2 REGISTER").unwrap();
    m.headers.push("Expires", "600000").unwrap();
    m
}

/// What travels: the bytes, parsed again by the receiver.
fn over_the_wire(message: &Message) -> Message {
    Message::parse(&message.to_bytes()).unwrap()
}

/// Replaces a Security-* header with `f` of its value (one line); removes
/// it when `f` gives nothing. What a man in the middle does to an
/// unprotected message.
fn tamper(headers: &mut Headers, header: SecurityHeader, f: &dyn Fn(&str) -> Option<String>) {
    let value: Vec<String> = headers.values(header.name()).map(String::from).collect();
    let joined = value.join(", ");
    headers.remove(header.name());
    if let Some(new) = f(&joined) {
        for line in new.split('\n') {
            headers.push(header.name(), line).unwrap();
        }
    }
}

fn untouched(value: &str) -> Option<String> {
    Some(value.to_string())
}

// ---------------------------------------------------------------------------
// One registration, end to end.

/// Where the agreement ended (the refusals' details are for the failure
/// messages).
#[derive(Debug)]
#[allow(dead_code)]
enum Outcome {
    /// The P-CSCF refused SM1 with a 421/494/502.
    RefusedAtSm1(Refusal),
    /// The P-CSCF could not add the challenge (no common pair, …).
    RefusedAtChallenge(Error),
    /// The UE refused the 401's Security-Server.
    UeRefused(Error),
    /// SM7 did not decapsulate at the P-CSCF: the SAs do not match.
    EspDropped(esp_sa::Error),
    /// The P-CSCF refused SM7.
    RefusedAtSm7 { error: Error, aborted: bool },
    /// SM7 passed and the 200 OK reached the UE through the new SAs.
    Verified {
        pcscf: AlgorithmPair,
        ue: AlgorithmPair,
    },
}

struct Ue {
    agreement: UeAgreement,
    sad: SaDatabase,
}

fn new_ue(profile: AlgorithmProfile, rng: &mut StdRng) -> Ue {
    let sad = SaDatabase::new();
    let spi_c = sad.allocate_spi(rng, &[]).unwrap();
    let spi_s = sad.allocate_spi(rng, &[spi_c]).unwrap();
    let own = SpisAndPorts {
        spi_c,
        spi_s,
        port_c: UE_PORT_C,
        port_s: UE_PORT_S,
    };
    Ue {
        agreement: UeAgreement::new(profile, own).unwrap(),
        sad,
    }
}

type Tamper<'a> = &'a dyn Fn(&str) -> Option<String>;

/// SM1 → SM6 → SM7 → 200 OK. `sm1` is applied to SM1's Security-Client as
/// the P-CSCF receives it, `sm6` to the 401's Security-Server as the UE
/// receives it.
fn run(
    policy: &PcscfPolicy,
    ue_profile: AlgorithmProfile,
    sm1: Tamper<'_>,
    sm6: Tamper<'_>,
    seed: u64,
) -> Outcome {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ue = new_ue(ue_profile, &mut rng);
    let mut pcscf_sad = SaDatabase::new();

    // SM1: unprotected REGISTER with Security-Client.
    let mut sm1_msg = register(1, UE_PORT_C);
    ue.agreement.write_register(&mut sm1_msg.headers);
    let mut received = over_the_wire(&sm1_msg);
    tamper(&mut received.headers, SecurityHeader::Client, sm1);
    let mut pcscf = match PcscfAgreement::on_register(policy, &received.headers, UE) {
        Ok(a) => a,
        Err(refusal) => return Outcome::RefusedAtSm1(refusal),
    };

    // SM4 → SM6: the S-CSCF's 401 with CK/IK; the P-CSCF installs the
    // temporary set before the 401 leaves.
    let challenge = match pcscf.on_challenge(policy, &pcscf_sad, &ck(), &ik(), &mut rng, NOW) {
        Ok(c) => c,
        Err(e) => return Outcome::RefusedAtChallenge(e),
    };
    let pcscf_pair = challenge.chosen;
    pcscf_sad.insert_set(challenge.sa_set.clone()).unwrap();
    let mut sm6_msg = unauthorized();
    challenge.write_to(&mut sm6_msg.headers);
    let mut received = over_the_wire(&sm6_msg);
    tamper(&mut received.headers, SecurityHeader::Server, sm6);

    // The UE verified AUTN (not shown) and has CK/IK.
    let ue_challenge = match ue.agreement.on_challenge(
        &received.headers,
        &ck(),
        &ik(),
        (UE, PCSCF),
        &SaOptions::default(),
        NOW,
    ) {
        Ok(c) => c,
        Err(e) => return Outcome::UeRefused(e),
    };
    let ue_pair = ue_challenge.chosen.pair;
    ue.sad.insert_set(ue_challenge.sa_set).unwrap();

    // SM7: protected REGISTER, port_uc → port_ps, as ESP.
    let mut sm7 = register(2, UE_PORT_S);
    ue.agreement.write_protected(&mut sm7.headers).unwrap();
    let mut packet = ipv4_udp(
        UE,
        UE_PORT_C,
        PCSCF,
        ue_challenge.chosen.spis_and_ports.port_s,
        &sm7.to_bytes(),
    );
    ue.sad.protect(&mut packet, &mut rng, NOW).unwrap();
    assert_eq!(
        spi_on_wire(&packet),
        ue_challenge.chosen.spis_and_ports.spi_s,
        "SM7 goes through the SA with the P-CSCF's spi-s"
    );
    let unprotected = match pcscf_sad.unprotect(&mut packet, NOW) {
        Ok(u) => u,
        Err(e) => {
            assert!(!pcscf.is_verified());
            return Outcome::EspDropped(e);
        }
    };
    let sm7_received = Message::parse(udp_payload(&packet)).unwrap();
    assert!(sm7_received.is_request("REGISTER"));
    if let Err(error) = pcscf.on_protected_register(&sm7_received.headers, unprotected.spi) {
        assert!(!pcscf.is_verified());
        return Outcome::RefusedAtSm7 {
            error,
            aborted: pcscf.is_aborted(),
        };
    }
    assert!(pcscf.is_verified());
    assert_eq!(pcscf_pair, ue_pair, "both ends run the same tuple");

    // 200 OK back through the SA to the UE's protected client port.
    let mut packet = ipv4_udp(PCSCF, PCSCF_PORT_S, UE, UE_PORT_C, &ok_200().to_bytes());
    pcscf_sad.protect(&mut packet, &mut rng, NOW).unwrap();
    assert_eq!(spi_on_wire(&packet), ue.agreement.own().spi_c);
    let got = ue.sad.unprotect(&mut packet, NOW).unwrap();
    assert_eq!(got.spi, ue.agreement.own().spi_c);
    let ok = Message::parse(udp_payload(&packet)).unwrap();
    assert_eq!(ok.status(), Some(200));
    Outcome::Verified {
        pcscf: pcscf_pair,
        ue: ue_pair,
    }
}

fn agreed(policy: &PcscfPolicy, ue_profile: AlgorithmProfile) -> AlgorithmPair {
    match run(policy, ue_profile, &untouched, &untouched, 7) {
        Outcome::Verified { pcscf, ue } => {
            assert_eq!(pcscf, ue);
            pcscf
        }
        other => panic!("expected an agreement, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Which tuple is chosen.

/// Seed 002: the P-CSCF takes "the first algorithm combination on its own
/// list which is also supported by the UE"; the UE the highest-q entry it
/// supports (RFC 3329 §2.3.1), which is the same tuple.
#[test]
fn every_release_of_pcscf_against_rel5_rel6_rel13_ues_agrees_on_the_expected_pair() {
    use Release::{Rel13, Rel5, Rel6};
    let table = [
        (Rel5, Rel5, p(I::HmacSha196, E::Null)),
        (Rel5, Rel6, p(I::HmacSha196, E::Null)),
        (Rel5, Rel13, p(I::HmacSha196, E::Null)),
        (Rel6, Rel5, p(I::HmacSha196, E::Null)),
        (Rel6, Rel6, p(I::HmacSha196, E::AesCbc128)),
        (Rel6, Rel13, p(I::HmacSha196, E::AesCbc128)),
        (Rel13, Rel5, p(I::HmacSha196, E::Null)),
        (Rel13, Rel6, p(I::HmacSha196, E::AesCbc128)),
        (Rel13, Rel13, p(I::Null, E::AesGcm)),
    ];
    for (pcscf, ue, expected) in table {
        let got = agreed(&policy(pcscf), AlgorithmProfile::for_release(ue));
        assert_eq!(got, expected, "P-CSCF {pcscf:?} with UE {ue:?}");
    }
}

/// A Rel-5 UE knows no `ealg`: its Security-Client has none, and it reads
/// the integrity-only tuples of a later P-CSCF's list.
#[test]
fn a_rel5_ue_offers_no_ealg_and_still_agrees_with_a_rel13_pcscf() {
    let mut rng = StdRng::seed_from_u64(1);
    let ue = new_ue(AlgorithmProfile::for_release(Release::Rel5), &mut rng);
    let text = ue.agreement.security_client().to_string();
    assert!(!text.contains("ealg"), "{text}");
    assert_eq!(
        agreed(
            &policy(Release::Rel13),
            AlgorithmProfile::for_release(Release::Rel5)
        ),
        p(I::HmacSha196, E::Null)
    );
}

/// Seed 002, NOTE to SM6: a P-CSCF trusting the access network's
/// encryption "does not include encryption algorithms" in SM6.
#[test]
fn a_pcscf_trusting_access_network_encryption_offers_and_agrees_integrity_only() {
    for release in [Release::Rel6, Release::Rel13] {
        let trusting = policy(release).trusting_access_network_encryption();
        let list = trusting.security_server(SpisAndPorts {
            spi_c: 1000,
            spi_s: 1001,
            port_c: PCSCF_PORT_C,
            port_s: PCSCF_PORT_S,
        });
        let text = list.to_string();
        for cipher in ["aes-cbc", "des-ede3-cbc", "aes-gcm"] {
            assert!(!text.contains(cipher), "{text}");
        }
        for ue in [Release::Rel5, Release::Rel6, Release::Rel13] {
            let got = agreed(&trusting, AlgorithmProfile::for_release(ue));
            assert!(!got.encrypts(), "{release:?}/{ue:?}: {got}");
        }
    }
}

/// The P-CSCF walks its own list, whatever order the UE lists its pairs in,
/// and always takes a whole tuple.
#[test]
fn the_pcscf_chooses_per_tuple_from_its_own_list_whatever_the_ue_order() {
    let rel6 = policy(Release::Rel6);
    // The UE lists its weakest first.
    let reversed = AlgorithmProfile::new([
        p(I::HmacMd596, E::Null),
        p(I::HmacSha196, E::DesEde3Cbc),
        p(I::HmacSha196, E::AesCbc128),
    ]);
    assert_eq!(agreed(&rel6, reversed), p(I::HmacSha196, E::AesCbc128));

    // A P-CSCF that prefers 3DES gets 3DES from a UE that prefers AES.
    let mut prefers_3des = policy(Release::Rel6);
    prefers_3des.profile = AlgorithmProfile::new([
        p(I::HmacSha196, E::DesEde3Cbc),
        p(I::HmacSha196, E::AesCbc128),
    ]);
    let ue = AlgorithmProfile::new([
        p(I::HmacSha196, E::AesCbc128),
        p(I::HmacSha196, E::DesEde3Cbc),
    ]);
    assert_eq!(agreed(&prefers_3des, ue), p(I::HmacSha196, E::DesEde3Cbc));

    // The UE offers SHA-1 only without encryption and AES only with MD5:
    // the P-CSCF's first pair (SHA-1 + AES) is not offered as a tuple, so
    // it takes MD5 + AES, never SHA-1 from one tuple and AES from another.
    let split = AlgorithmProfile::new([p(I::HmacSha196, E::Null), p(I::HmacMd596, E::AesCbc128)]);
    assert_eq!(agreed(&rel6, split), p(I::HmacMd596, E::AesCbc128));
}

/// Research notes §4.1: a Xiaomi Mi9 Pro 5G offers {MD5, SHA-1} × {3DES,
/// AES-CBC, NULL} in six tuples, one header, no spaces after the commas.
#[test]
fn a_xiaomi_six_tuple_offer_agrees_on_hmac_sha1_with_aes_cbc() {
    const XIAOMI: &str = "ipsec-3gpp; alg=hmac-md5-96; ealg=des-ede3-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-md5-96; ealg=aes-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-md5-96; ealg=null; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=des-ede3-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=aes-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=null; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306";
    let own = SpisAndPorts {
        spi_c: 3_209_021_766,
        spi_s: 1_275_621_893,
        port_c: 44596,
        port_s: 42306,
    };
    let profile = AlgorithmProfile::combinations(
        &[I::HmacMd596, I::HmacSha196],
        &[E::DesEde3Cbc, E::AesCbc128, E::Null],
    );
    let ue = UeAgreement::new(profile.clone(), own).unwrap();
    let xiaomi = MechanismList::parse(XIAOMI).unwrap();
    assert_eq!(xiaomi.len(), 6);
    assert!(ue.security_client().same_meaning(&xiaomi));

    for release in [Release::Rel6, Release::Rel13] {
        let policy = policy(release);
        let mut sm1 = register(1, 44596);
        sm1.headers.push("Security-Client", XIAOMI).unwrap();
        sm1.headers.push("Require", "sec-agree").unwrap();
        sm1.headers.push("Proxy-Require", "sec-agree").unwrap();
        let mut pcscf =
            PcscfAgreement::on_register(&policy, &over_the_wire(&sm1).headers, UE).unwrap();
        assert_eq!(pcscf.ue(), own);
        assert_eq!(pcscf.offered_pairs().count(), 6);
        let mut rng = StdRng::seed_from_u64(2);
        let challenge = pcscf
            .on_challenge(&policy, &SaDatabase::new(), &ck(), &ik(), &mut rng, NOW)
            .unwrap();
        assert_eq!(
            challenge.chosen,
            p(I::HmacSha196, E::AesCbc128),
            "{release:?}"
        );

        // The UE's own Security-Client in SM7 is written with other spacing:
        // same meaning, accepted.
        let mut ue = ue.clone();
        let mut sm6 = unauthorized();
        challenge.write_to(&mut sm6.headers);
        let chosen = ue
            .on_challenge(
                &over_the_wire(&sm6).headers,
                &ck(),
                &ik(),
                (UE, PCSCF),
                &SaOptions::default(),
                NOW,
            )
            .unwrap();
        assert_eq!(chosen.chosen.pair, challenge.chosen);
        let mut sm7 = register(2, 42306);
        ue.write_protected(&mut sm7.headers).unwrap();
        assert_ne!(sm7.headers.first("Security-Client"), Some(XIAOMI));
        pcscf
            .on_protected_register(&over_the_wire(&sm7).headers, challenge.pcscf.spi_s)
            .unwrap();
        assert!(pcscf.is_verified());
    }
}

// ---------------------------------------------------------------------------
// The P-CSCF's first-hop refusals (RFC 3329 §2.3.2).

fn sm1_with(lines: &[(&str, &str)], ue: &UeAgreement) -> Headers {
    let mut m = register(1, UE_PORT_C);
    ue.security_client()
        .write_to(&mut m.headers, SecurityHeader::Client);
    for (name, value) in lines {
        m.headers.push(*name, *value).unwrap();
    }
    over_the_wire(&m).headers
}

#[test]
fn a_register_without_sec_agree_gets_421_with_security_server_and_require() {
    let mut rng = StdRng::seed_from_u64(3);
    let ue = new_ue(AlgorithmProfile::for_release(Release::Rel6), &mut rng);
    let refusal =
        PcscfAgreement::on_register(&policy(Release::Rel6), &sm1_with(&[], &ue.agreement), UE)
            .unwrap_err();
    assert_eq!(
        FirstHopCheck::Respond421.status_line(),
        Some(refusal.status_line)
    );
    assert_eq!(refusal.reason, Error::NoSecAgree);
    let server = MechanismList::from_headers(&refusal.headers, SecurityHeader::Server)
        .unwrap()
        .unwrap();
    assert_eq!(server.len(), 6);
    assert!(server
        .mechanisms()
        .iter()
        .all(|m| m.spi_c().is_none() && m.spi_s().is_none()));
    assert!(refusal
        .headers
        .values("Require")
        .any(|v| v.eq_ignore_ascii_case("sec-agree")));
}

#[test]
fn sec_agree_only_in_supported_gets_494() {
    let mut rng = StdRng::seed_from_u64(4);
    let ue = new_ue(AlgorithmProfile::for_release(Release::Rel6), &mut rng);
    let headers = sm1_with(&[("Supported", "path, sec-agree")], &ue.agreement);
    let refusal = PcscfAgreement::on_register(&policy(Release::Rel6), &headers, UE).unwrap_err();
    assert_eq!(
        refusal.status_line,
        "SIP/2.0 494 Security Agreement Required"
    );
    assert!(refusal.headers.contains("Security-Server"));
    assert!(refusal.headers.contains("Require"));
}

#[test]
fn a_request_with_two_vias_is_not_first_hop_and_gets_502_without_security_server() {
    let mut rng = StdRng::seed_from_u64(5);
    let ue = new_ue(AlgorithmProfile::for_release(Release::Rel6), &mut rng);
    let headers = sm1_with(
        &[
            ("Via", "SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKproxy"),
            ("Require", "sec-agree"),
            ("Proxy-Require", "sec-agree"),
        ],
        &ue.agreement,
    );
    let refusal = PcscfAgreement::on_register(&policy(Release::Rel6), &headers, UE).unwrap_err();
    assert_eq!(refusal.status_line, "SIP/2.0 502 Bad Gateway");
    assert!(refusal.headers.is_empty());
}

#[test]
fn sec_agree_required_but_no_usable_security_client_gets_494() {
    let mut m = register(1, UE_PORT_C);
    m.headers.push("Require", "sec-agree").unwrap();
    m.headers.push("Proxy-Require", "sec-agree").unwrap();
    let refusal = PcscfAgreement::on_register(&policy(Release::Rel6), &m.headers, UE).unwrap_err();
    assert_eq!(refusal.reason, Error::NoSecurityClient);
    assert_eq!(
        refusal.status_line,
        "SIP/2.0 494 Security Agreement Required"
    );
    m.headers
        .push(
            "Security-Client",
            "ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1000;spi-s=1000;port-c=1;port-s=2",
        )
        .unwrap();
    let refusal = PcscfAgreement::on_register(&policy(Release::Rel6), &m.headers, UE).unwrap_err();
    assert_eq!(refusal.reason, Error::SpiClash);
}

#[test]
fn no_common_pair_is_refused_when_the_pcscf_adds_the_challenge() {
    let rel13_only = {
        let mut pol = policy(Release::Rel13);
        pol.profile = AlgorithmProfile::new([p(I::Null, E::AesGcm)]);
        pol
    };
    let outcome = run(
        &rel13_only,
        AlgorithmProfile::for_release(Release::Rel5),
        &untouched,
        &untouched,
        6,
    );
    assert!(
        matches!(
            outcome,
            Outcome::RefusedAtChallenge(Error::NoCommonAlgorithm)
        ),
        "{outcome:?}"
    );
}

// ---------------------------------------------------------------------------
// What the UE refuses (TS 24.229 §5.1.1.5.1: abandon, new REGISTER).

/// A UE with its offer made, and the 401 a Rel-6 P-CSCF would send.
fn ue_and_401(seed: u64) -> (Ue, Message, SpisAndPorts) {
    let mut rng = StdRng::seed_from_u64(seed);
    let ue = new_ue(AlgorithmProfile::for_release(Release::Rel6), &mut rng);
    let pcscf = SpisAndPorts {
        spi_c: 0x1000_0001,
        spi_s: 0x1000_0002,
        port_c: PCSCF_PORT_C,
        port_s: PCSCF_PORT_S,
    };
    let mut m = unauthorized();
    policy(Release::Rel6)
        .security_server(pcscf)
        .write_to(&mut m.headers, SecurityHeader::Server);
    (ue, m, pcscf)
}

fn ue_takes(ue: &mut UeAgreement, m: &Message) -> Result<AlgorithmPair, Error> {
    ue.on_challenge(
        &m.headers,
        &ck(),
        &ik(),
        (UE, PCSCF),
        &SaOptions::default(),
        NOW,
    )
    .map(|c| c.chosen.pair)
}

fn assert_ue_unchanged_and_still_usable(ue: &mut UeAgreement, good: &Message) {
    assert_eq!(ue.chosen(), None);
    let mut h = Headers::new();
    assert!(matches!(ue.write_protected(&mut h), Err(Error::State(_))));
    assert!(h.is_empty());
    // The refusal changed nothing: the genuine 401 is still taken.
    assert_eq!(ue_takes(ue, good).unwrap(), p(I::HmacSha196, E::AesCbc128));
}

#[test]
fn the_ue_refuses_a_security_server_with_no_common_pair() {
    let (mut ue, good, pcscf) = ue_and_401(10);
    let mut m = unauthorized();
    let mut gcm_only = policy(Release::Rel13);
    gcm_only.profile = AlgorithmProfile::new([p(I::Null, E::AesGcm), p(I::AesGmac, E::Null)]);
    gcm_only
        .security_server(pcscf)
        .write_to(&mut m.headers, SecurityHeader::Server);
    assert_eq!(
        ue_takes(&mut ue.agreement, &m),
        Err(Error::NoCommonAlgorithm)
    );
    assert_ue_unchanged_and_still_usable(&mut ue.agreement, &good);
}

#[test]
fn the_ue_refuses_a_401_without_security_server() {
    let (mut ue, good, _) = ue_and_401(11);
    assert_eq!(
        ue_takes(&mut ue.agreement, &unauthorized()),
        Err(Error::NoSecurityServer)
    );
    let mut m = unauthorized();
    m.headers
        .push("Security-Server", "digest;d-alg=md5")
        .unwrap();
    assert_eq!(
        ue_takes(&mut ue.agreement, &m),
        Err(Error::NoSecurityServer)
    );
    assert_ue_unchanged_and_still_usable(&mut ue.agreement, &good);
}

#[test]
fn the_ue_refuses_tuples_with_inconsistent_spis() {
    let (mut ue, good, _) = ue_and_401(12);
    let mut m = good.clone();
    tamper(&mut m.headers, SecurityHeader::Server, &|v| {
        // The last tuple's spi-s differs from the others'.
        let at = v.rfind("spi-s=").unwrap() + "spi-s=".len();
        let end = at + v[at..].find(';').unwrap();
        Some(format!("{}999{}", &v[..at], &v[end..]))
    });
    assert_eq!(
        ue_takes(&mut ue.agreement, &m),
        Err(Error::InconsistentTuples)
    );
    assert_ue_unchanged_and_still_usable(&mut ue.agreement, &good);
}

#[test]
fn the_ue_refuses_pcscf_spis_equal_to_its_own_or_reserved() {
    let (mut ue, good, pcscf) = ue_and_401(13);
    let own = ue.agreement.own();
    for spis in [
        (own.spi_c, pcscf.spi_s),
        (pcscf.spi_c, own.spi_s),
        (own.spi_s, pcscf.spi_s),
        (pcscf.spi_c, pcscf.spi_c),
        (255, pcscf.spi_s),
    ] {
        let mut m = unauthorized();
        policy(Release::Rel6)
            .security_server(SpisAndPorts {
                spi_c: spis.0,
                spi_s: spis.1,
                ..pcscf
            })
            .write_to(&mut m.headers, SecurityHeader::Server);
        assert_eq!(
            ue_takes(&mut ue.agreement, &m),
            Err(Error::SpiClash),
            "{spis:?}"
        );
    }
    assert_ue_unchanged_and_still_usable(&mut ue.agreement, &good);
}

#[test]
fn the_ue_takes_one_security_server_only_a_second_challenge_needs_a_new_agreement() {
    let (mut ue, good, _) = ue_and_401(14);
    ue_takes(&mut ue.agreement, &good).unwrap();
    let mut h = Headers::new();
    ue.agreement.write_protected(&mut h).unwrap();
    assert!(matches!(
        ue_takes(&mut ue.agreement, &good),
        Err(Error::State(_))
    ));
    let mut again = Headers::new();
    ue.agreement.write_protected(&mut again).unwrap();
    assert_eq!(h, again);
}

// ---------------------------------------------------------------------------
// SM7 at the P-CSCF.

/// A P-CSCF agreement that has sent SM6, and the UE's SM7 headers.
fn challenged(seed: u64) -> (PcscfAgreement, SpisAndPorts, Headers) {
    let mut rng = StdRng::seed_from_u64(seed);
    let policy = policy(Release::Rel6);
    let mut ue = new_ue(AlgorithmProfile::for_release(Release::Rel6), &mut rng);
    let mut sm1 = register(1, UE_PORT_C);
    ue.agreement.write_register(&mut sm1.headers);
    let mut pcscf = PcscfAgreement::on_register(&policy, &sm1.headers, UE).unwrap();
    let challenge = pcscf
        .on_challenge(&policy, &SaDatabase::new(), &ck(), &ik(), &mut rng, NOW)
        .unwrap();
    let mut sm6 = unauthorized();
    challenge.write_to(&mut sm6.headers);
    ue_takes(&mut ue.agreement, &sm6).unwrap();
    let mut sm7 = register(2, UE_PORT_S);
    ue.agreement.write_protected(&mut sm7.headers).unwrap();
    (pcscf, challenge.pcscf, over_the_wire(&sm7).headers)
}

#[test]
fn sm7_on_a_foreign_spi_is_refused_and_changes_nothing() {
    let (mut pcscf, spis, sm7) = challenged(20);
    for foreign in [spis.spi_c, spis.spi_s ^ 1, 256, u32::MAX] {
        assert_eq!(
            pcscf.on_protected_register(&sm7, foreign),
            Err(Error::NotProtected)
        );
        assert!(!pcscf.is_verified() && !pcscf.is_aborted());
    }
    pcscf.on_protected_register(&sm7, spis.spi_s).unwrap();
    assert!(pcscf.is_verified());
    assert!(pcscf.check_security_verify(&sm7).is_ok());
}

/// SM7 sent on the response SA (UE port_us → P-CSCF port_pc) decapsulates
/// with the P-CSCF's spi-c, which carries no requests.
#[test]
fn sm7_sent_through_the_response_sa_is_refused_and_changes_nothing() {
    let mut rng = StdRng::seed_from_u64(21);
    let policy = policy(Release::Rel6);
    let mut ue = new_ue(AlgorithmProfile::for_release(Release::Rel6), &mut rng);
    let mut sm1 = register(1, UE_PORT_C);
    ue.agreement.write_register(&mut sm1.headers);
    let mut pcscf = PcscfAgreement::on_register(&policy, &sm1.headers, UE).unwrap();
    let mut pcscf_sad = SaDatabase::new();
    let challenge = pcscf
        .on_challenge(&policy, &pcscf_sad, &ck(), &ik(), &mut rng, NOW)
        .unwrap();
    pcscf_sad.insert_set(challenge.sa_set.clone()).unwrap();
    let mut sm6 = unauthorized();
    challenge.write_to(&mut sm6.headers);
    let taken = ue
        .agreement
        .on_challenge(
            &sm6.headers,
            &ck(),
            &ik(),
            (UE, PCSCF),
            &SaOptions::default(),
            NOW,
        )
        .unwrap();
    ue.sad.insert_set(taken.sa_set).unwrap();
    let mut sm7 = register(2, UE_PORT_S);
    ue.agreement.write_protected(&mut sm7.headers).unwrap();
    let mut packet = ipv4_udp(UE, UE_PORT_S, PCSCF, PCSCF_PORT_C, &sm7.to_bytes());
    ue.sad.protect(&mut packet, &mut rng, NOW).unwrap();
    let got = pcscf_sad.unprotect(&mut packet, NOW).unwrap();
    assert_eq!(got.spi, challenge.pcscf.spi_c);
    let headers = Message::parse(udp_payload(&packet)).unwrap().headers;
    assert_eq!(
        pcscf.on_protected_register(&headers, got.spi),
        Err(Error::NotProtected)
    );
    assert!(!pcscf.is_verified() && !pcscf.is_aborted());
}

#[test]
fn sm7_without_security_verify_or_with_another_list_aborts_the_registration() {
    let (mut pcscf, spis, mut sm7) = challenged(22);
    sm7.remove("Security-Verify");
    assert_eq!(
        pcscf.on_protected_register(&sm7, spis.spi_s),
        Err(Error::NoSecurityVerify)
    );
    assert!(pcscf.is_aborted());
    assert_eq!(
        pcscf.on_protected_register(&sm7, spis.spi_s),
        Err(Error::Aborted)
    );
}

// ---------------------------------------------------------------------------
// Bidding down (TS 33.203 §7.2 and Annex H: SM7 repeats both lists).

fn drop_tuple_with(needle: &'static str) -> impl Fn(&str) -> Option<String> {
    move |v: &str| {
        let kept: Vec<&str> = v.split(',').filter(|t| !t.contains(needle)).collect();
        (!kept.is_empty()).then(|| kept.join(","))
    }
}

/// A man in the middle strips the strongest tuple from SM1's
/// Security-Client and from SM6's Security-Server, so that both ends choose
/// the same weaker tuple and the SAs match: SM7, protected by them, carries
/// the lists the UE really sent and received, and the P-CSCF aborts.
#[test]
fn a_downgrade_by_a_man_in_the_middle_is_refused_at_sm7_and_aborts() {
    let strongest = drop_tuple_with("alg=hmac-sha-1-96;ealg=aes-cbc");
    let outcome = run(
        &policy(Release::Rel6),
        AlgorithmProfile::for_release(Release::Rel6),
        &strongest,
        &strongest,
        30,
    );
    match outcome {
        Outcome::RefusedAtSm7 { error, aborted } => {
            assert!(
                matches!(error, Error::VerifyMismatch | Error::ClientMismatch),
                "{error:?}"
            );
            assert!(aborted);
        }
        other => panic!("the downgrade went through: {other:?}"),
    }
}

/// Stripping a weak tuple from SM1 only does not change the choice, but
/// SM7's Security-Client still betrays it.
#[test]
fn a_security_client_changed_in_sm1_is_refused_at_sm7_with_client_mismatch() {
    let outcome = run(
        &policy(Release::Rel6),
        AlgorithmProfile::for_release(Release::Rel6),
        &drop_tuple_with("alg=hmac-md5-96;ealg=null"),
        &untouched,
        31,
    );
    assert!(
        matches!(
            outcome,
            Outcome::RefusedAtSm7 {
                error: Error::ClientMismatch,
                aborted: true
            }
        ),
        "{outcome:?}"
    );
}

/// Stripping the strongest tuple from SM1 alone makes the ends choose
/// different tuples: SM7 does not even decapsulate.
#[test]
fn a_downgrade_of_sm1_alone_leaves_mismatched_sas_and_sm7_is_dropped() {
    let outcome = run(
        &policy(Release::Rel6),
        AlgorithmProfile::for_release(Release::Rel6),
        &drop_tuple_with("alg=hmac-sha-1-96;ealg=aes-cbc"),
        &untouched,
        32,
    );
    assert!(matches!(outcome, Outcome::EspDropped(_)), "{outcome:?}");
}

// ---------------------------------------------------------------------------
// Property: any change of meaning to either list is refused; cosmetic
// changes are not.

/// A list as text, split into tuples of `name` and `param` items.
fn split(value: &str) -> Vec<Vec<String>> {
    value
        .split(',')
        .map(|t| t.split(';').map(|i| i.trim().to_string()).collect())
        .collect()
}

fn join(tuples: &[Vec<String>]) -> String {
    tuples
        .iter()
        .map(|t| t.join(";"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A change of one parameter's value that always means something else.
fn change_value(item: &str, pick: u32) -> String {
    let (name, value) = item.split_once('=').unwrap();
    let new = match name {
        "spi-c" | "spi-s" => (value.parse::<u32>().unwrap() ^ 1).to_string(),
        "port-c" | "port-s" => (value.parse::<u16>().unwrap() ^ 1).to_string(),
        "alg" => if value == "hmac-sha-1-96" {
            "hmac-md5-96"
        } else {
            "hmac-sha-1-96"
        }
        .to_string(),
        "ealg" => match value {
            "aes-cbc" => "des-ede3-cbc",
            "des-ede3-cbc" => "null",
            _ => "aes-cbc",
        }
        .to_string(),
        "q" => format!("0.{:03}", 1 + pick % 98 * 10 + 5),
        _ => format!("{value}x"),
    };
    format!("{name}={new}")
}

#[derive(Debug, Clone)]
enum Semantic {
    DropTuple(usize),
    DuplicateTuple(usize),
    ReorderAndChangeValue(usize, usize),
    AddTuple(usize),
    ChangeValue(usize, usize),
    AddParam(usize, usize),
}

fn semantic() -> impl Strategy<Value = Semantic> {
    let i = 0usize..16;
    prop_oneof![
        i.clone().prop_map(Semantic::DropTuple),
        i.clone().prop_map(Semantic::DuplicateTuple),
        (i.clone(), 0usize..16).prop_map(|(a, b)| Semantic::ReorderAndChangeValue(a, b)),
        (0usize..4).prop_map(Semantic::AddTuple),
        (i.clone(), 0usize..16).prop_map(|(a, b)| Semantic::ChangeValue(a, b)),
        (i, 0usize..4).prop_map(|(a, b)| Semantic::AddParam(a, b)),
    ]
}

fn apply_semantic(change: &Semantic, value: &str) -> Option<String> {
    let mut tuples = split(value);
    let n = tuples.len();
    match *change {
        Semantic::DropTuple(i) => {
            tuples.remove(i % n);
        }
        Semantic::DuplicateTuple(i) => {
            let t = tuples[i % n].clone();
            tuples.insert(i % n, t);
        }
        Semantic::ReorderAndChangeValue(i, j) => {
            let t = tuples.remove(i % n);
            tuples.push(t);
            let last = tuples.last_mut().unwrap();
            let k = 1 + j % (last.len() - 1);
            last[k] = change_value(&last[k], j as u32);
        }
        Semantic::AddTuple(k) => {
            let mut t = tuples[0].clone();
            match k {
                0 => t.push("x-extra=1".into()),
                1 => {
                    t.retain(|i| !i.starts_with("ealg") && !i.starts_with("alg"));
                    t.push("alg=hmac-sha-1-96".into());
                    t.push("ealg=aes-gcm".into()); // a pair nobody runs
                }
                2 => t = vec!["tls".into(), "q=0.01".into()],
                _ => t = vec!["digest".into(), "d-alg=md5".into()],
            }
            tuples.push(t);
        }
        Semantic::ChangeValue(i, j) => {
            let t = &mut tuples[i % n];
            let k = 1 + j % (t.len() - 1);
            t[k] = change_value(&t[k], j as u32);
        }
        Semantic::AddParam(i, k) => {
            let t = &mut tuples[i % n];
            let names: Vec<String> = t
                .iter()
                .filter_map(|p| p.split_once('=').map(|(n, _)| n.to_string()))
                .collect();
            let extra = ["x-foo=bar", "prot=esp", "mod=trans", "q=0.001"]
                .iter()
                .cycle()
                .skip(k)
                .take(4)
                .find(|p| !names.iter().any(|n| p.starts_with(&format!("{n}="))))
                .unwrap();
            t.push((*extra).to_string());
        }
    }
    (!tuples.is_empty()).then(|| join(&tuples))
}

#[derive(Debug, Clone)]
struct Cosmetic {
    upper: Vec<bool>,
    spaces: Vec<bool>,
    rotate: usize,
    lines: bool,
}

fn cosmetic() -> impl Strategy<Value = Cosmetic> {
    (
        prop::collection::vec(any::<bool>(), 8),
        prop::collection::vec(any::<bool>(), 8),
        0usize..8,
        any::<bool>(),
    )
        .prop_map(|(upper, spaces, rotate, lines)| Cosmetic {
            upper,
            spaces,
            rotate,
            lines,
        })
}

fn apply_cosmetic(change: &Cosmetic, value: &str) -> Option<String> {
    let tuples: Vec<String> = split(value)
        .into_iter()
        .enumerate()
        .map(|(i, mut t)| {
            // Parameter order does not matter.
            let params = t.split_off(1);
            let r = change.rotate % params.len().max(1);
            let params: Vec<String> = params[r..].iter().chain(&params[..r]).cloned().collect();
            let mut out = t;
            out.extend(params);
            // Case of names and tokens does not matter.
            let mut out: Vec<String> = out
                .into_iter()
                .map(|item| {
                    if change.upper[i % 8] {
                        item.to_uppercase()
                    } else {
                        item
                    }
                })
                .collect();
            if change.spaces[i % 8] {
                out = out
                    .into_iter()
                    .map(|item| item.replace('=', " = "))
                    .collect();
                out.join(" ;\t")
            } else {
                out.join(";")
            }
        })
        .collect();
    // Several lines of one header are one list (RFC 3261 §7.3.1).
    let sep = if change.lines { "\n" } else { " ,  " };
    Some(tuples.join(sep))
}

fn release() -> impl Strategy<Value = Release> {
    prop_oneof![
        Just(Release::Rel5),
        Just(Release::Rel6),
        Just(Release::Rel13)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_semantic_change_to_sm1_or_sm6_is_refused_at_sm7_or_earlier(
        pcscf in release(),
        ue in release(),
        change in semantic(),
        on_sm6 in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let tampered = |v: &str| apply_semantic(&change, v);
        let (sm1, sm6): (Tamper<'_>, Tamper<'_>) = if on_sm6 { (&untouched, &tampered) } else { (&tampered, &untouched) };
        let outcome = run(&policy(pcscf), AlgorithmProfile::for_release(ue), sm1, sm6, seed);
        match outcome {
            Outcome::Verified { .. } => prop_assert!(false, "{change:?} on {} accepted", if on_sm6 { "SM6" } else { "SM1" }),
            Outcome::RefusedAtSm7 { aborted, .. } => prop_assert!(aborted),
            _ => {}
        }
    }

    #[test]
    fn case_whitespace_and_parameter_order_changes_are_accepted(
        pcscf in release(),
        ue in release(),
        change in cosmetic(),
        on_sm6 in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let reworded = |v: &str| apply_cosmetic(&change, v);
        let (sm1, sm6): (Tamper<'_>, Tamper<'_>) = if on_sm6 { (&untouched, &reworded) } else { (&reworded, &untouched) };
        let outcome = run(&policy(pcscf), AlgorithmProfile::for_release(ue), sm1, sm6, seed);
        prop_assert!(matches!(outcome, Outcome::Verified { .. }), "{change:?}: {outcome:?}");
    }
}
