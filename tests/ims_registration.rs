//! The flows `cargo run --example ims_registration` shows, walked step by
//! step with each step checked: the SIP messages, the ESP bytes between the
//! UE and the P-CSCF, the SAs and the outcome.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    unreachable_pub,
    dead_code,
    clippy::type_complexity
)]

#[path = "../examples/ims_registration/scenario.rs"]
mod scenario;

use std::time::Duration;

use ims_sec::esp::{EncryptionAlgorithm, IntegrityAlgorithm};
use ims_sec::sec_agree::{
    AlgorithmPair, MechanismList, Message, Release, SecurityHeader, SetState,
};
use scenario::{is_esp, udp_payload, Outcome, Step, World};

/// The SIP messages of the trace, with how they travelled.
fn messages(
    trace: &[Step],
) -> Vec<(
    &'static str,
    &'static str,
    Option<(u32, u64)>,
    &[u8],
    &Message,
)> {
    trace
        .iter()
        .filter_map(|s| match s {
            Step::Sip {
                from,
                to,
                esp,
                wire,
                message,
            } => Some((*from, *to, *esp, wire.as_slice(), message)),
            _ => None,
        })
        .collect()
}

fn first_line(m: &Message) -> &str {
    &m.start_line
}

#[test]
fn initial_registration_runs_through_esp_and_the_lists_match() {
    let mut world = World::new(Release::Rel13, World::pcscf_policy(Release::Rel13), 0).unwrap();
    let outcome = world.register().unwrap();
    let gcm = AlgorithmPair::new(IntegrityAlgorithm::Null, EncryptionAlgorithm::AesGcm);
    assert_eq!(outcome, Outcome::Registered(gcm));

    let m = messages(&world.trace);
    let path: Vec<(&str, &str, bool, &str)> = m
        .iter()
        .map(|(from, to, esp, _, msg)| (*from, *to, esp.is_some(), first_line(msg)))
        .collect();
    let register = "REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0";
    assert_eq!(
        path,
        [
            ("UE", "P-CSCF", false, register),
            ("P-CSCF", "S-CSCF", false, register),
            ("S-CSCF", "P-CSCF", false, "SIP/2.0 401 Unauthorized"),
            ("P-CSCF", "UE", false, "SIP/2.0 401 Unauthorized"),
            ("UE", "P-CSCF", true, register),
            ("P-CSCF", "S-CSCF", false, register),
            ("S-CSCF", "P-CSCF", false, "SIP/2.0 200 OK"),
            ("P-CSCF", "UE", true, "SIP/2.0 200 OK"),
        ]
    );

    // SM1: Security-Client with sec-agree in Require and Proxy-Require, in clear.
    let sm1 = m[0].4;
    let client = MechanismList::from_headers(&sm1.headers, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    assert_eq!(client.len(), 4);
    assert_eq!(sm1.headers.first("Require"), Some("sec-agree"));
    assert_eq!(sm1.headers.first("Proxy-Require"), Some("sec-agree"));
    assert!(!is_esp(m[0].3));
    // The P-CSCF took Security-Client and sec-agree out before the S-CSCF.
    assert!(!m[1].4.headers.contains("Security-Client"));
    assert!(!m[1].4.headers.contains("Require"));
    assert!(m[1]
        .4
        .headers
        .first("Authorization")
        .unwrap()
        .contains("integrity-protected=\"no\""));
    // The S-CSCF's 401 carries ck and ik; the UE's does not, but has Security-Server.
    assert!(m[2]
        .4
        .headers
        .first("WWW-Authenticate")
        .unwrap()
        .contains("ck=\""));
    let to_ue = m[3].4.headers.first("WWW-Authenticate").unwrap();
    assert!(!to_ue.contains("ck=") && !to_ue.contains("ik="));
    let server = MechanismList::from_headers(&m[3].4.headers, SecurityHeader::Server)
        .unwrap()
        .unwrap();
    assert_eq!(server.len(), 4);

    // SM7 is ESP: protocol 50, the P-CSCF's spi-s, sequence number 1, and
    // with AES-GCM no SIP text on the wire.
    let (_, _, esp, wire, sm7) = m[4];
    let (spi, seq) = esp.unwrap();
    assert!(is_esp(wire));
    assert_eq!(seq, 1);
    let pcscf_spi_s = server.mechanisms()[0].spi_s().unwrap();
    assert_eq!(spi, pcscf_spi_s);
    assert!(!wire.windows(8).any(|w| w == b"REGISTER"));
    let verify = MechanismList::from_headers(&sm7.headers, SecurityHeader::Verify)
        .unwrap()
        .unwrap();
    assert!(verify.same_meaning(&server));
    let again = MechanismList::from_headers(&sm7.headers, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    assert!(again.same_meaning(&client));
    assert!(m[5]
        .4
        .headers
        .first("Authorization")
        .unwrap()
        .contains("integrity-protected=\"yes\""));

    // The 200 OK comes back through ESP on the UE's spi-c.
    let ue_spi_c = client.mechanisms()[0].spi_c().unwrap();
    assert_eq!(m[7].2.unwrap().0, ue_spi_c);

    // Four SAs each side, one established set each.
    assert_eq!(world.pcscf.sad.len(), 4);
    assert_eq!(world.ue.sad.len(), 4);
    let states: Vec<SetState> = world.pcscf.lifecycle.sets().map(|(_, s)| s).collect();
    assert_eq!(states, [SetState::Established]);
}

#[test]
fn the_esp_between_ue_and_pcscf_decrypts_only_with_the_keys() {
    // With NULL encryption (a Rel-5 UE) the SIP text is visible but still
    // integrity protected: flipping one byte makes the P-CSCF refuse it.
    let mut world = World::new(Release::Rel5, World::pcscf_policy(Release::Rel6), 0).unwrap();
    let outcome = world.register().unwrap();
    let sha1 = AlgorithmPair::new(IntegrityAlgorithm::HmacSha196, EncryptionAlgorithm::Null);
    assert_eq!(outcome, Outcome::Registered(sha1));
    let m = messages(&world.trace);
    let sm7 = m
        .iter()
        .find(|(from, _, esp, _, _)| *from == "UE" && esp.is_some())
        .unwrap();
    assert!(sm7.3.windows(8).any(|w| w == b"REGISTER"));
    // A Rel-5 offer has no ealg.
    let client = MechanismList::from_headers(&m[0].4.headers, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    assert!(client.mechanisms().iter().all(|t| t.ealg().is_none()));

    let wire = world.ue_sends_request("integrity only").unwrap();
    let mut tampered = wire.0.clone();
    let at = tampered.windows(7).position(|w| w == b"MESSAGE").unwrap();
    tampered[at] ^= 0x20;
    assert!(world
        .pcscf_receive_request(scenario::Wire(tampered))
        .is_err());
    // The genuine packet still passes: the refused one moved nothing.
    let request = world.pcscf_receive_request(wire).unwrap();
    assert_eq!(request.body, b"integrity only");
}

#[test]
fn re_registration_switches_sets_and_retires_the_old_one() {
    let mut world = World::new(Release::Rel6, World::pcscf_policy(Release::Rel6), 0).unwrap();
    world.register().unwrap();
    let first: Vec<_> = world.pcscf.lifecycle.sets().map(|(h, _)| h).collect();
    world.advance(Duration::from_secs(1800));
    let outcome = world.register().unwrap();
    let cbc = AlgorithmPair::new(
        IntegrityAlgorithm::HmacSha196,
        EncryptionAlgorithm::AesCbc128,
    );
    assert_eq!(outcome, Outcome::Registered(cbc));

    // The re-REGISTER travelled through the old set; both sets are installed.
    assert_eq!(world.pcscf.sad.len(), 8);
    let states: Vec<SetState> = world.pcscf.lifecycle.sets().map(|(_, s)| s).collect();
    assert_eq!(states, [SetState::InUse, SetState::Established]);

    // The first request on the new set retires the old one at the P-CSCF;
    // the P-CSCF's answer on the new set does the same at the UE.
    let wire = world.ue_sends_request("first on the new set").unwrap();
    let request = world.pcscf_receive_request(wire).unwrap();
    let states: Vec<SetState> = world.pcscf.lifecycle.sets().map(|(_, s)| s).collect();
    assert_eq!(states, [SetState::Retiring, SetState::InUse]);
    let answer = world.pcscf_answers(&request).unwrap();
    world.ue_receives(answer).unwrap();
    // Until the old transactions end (or the grace period passes) both stay.
    assert_eq!(world.pcscf.sad.len(), 8);
    world.advance(Duration::from_secs(33));
    assert_eq!(world.pcscf.sad.len(), 4);
    assert_eq!(world.ue.sad.len(), 4);
    let left: Vec<_> = world.pcscf.lifecycle.sets().map(|(h, _)| h).collect();
    assert_ne!(left, first);
}

#[test]
fn a_man_in_the_middle_stripping_the_strongest_tuple_is_refused() {
    let mut world = World::new(Release::Rel13, World::pcscf_policy(Release::Rel13), 0).unwrap();
    world.strip_strongest_tuple = true;
    let outcome = world.register().unwrap();
    let Outcome::Aborted(reason) = outcome else {
        panic!("the downgrade went through: {outcome:?}");
    };
    assert!(reason.contains("Security-Verify"), "{reason}");
    // The SM7 did arrive through matching (weaker) SAs: the lists caught it.
    let m = messages(&world.trace);
    assert!(m
        .iter()
        .any(|(from, _, esp, _, _)| *from == "UE" && esp.is_some()));
    // The temporary set is gone at the P-CSCF; nothing was forwarded twice.
    assert_eq!(world.pcscf.sad.len(), 0);
    assert_eq!(
        m.iter().filter(|(_, to, _, _, _)| *to == "S-CSCF").count(),
        1
    );
}

#[test]
fn auts_resynchronises_and_the_second_challenge_succeeds() {
    let mut world = World::new(Release::Rel6, World::pcscf_policy(Release::Rel6), 1000).unwrap();
    let outcome = world.register().unwrap();
    assert!(matches!(outcome, Outcome::Registered(_)));
    let m = messages(&world.trace);
    let challenges = m
        .iter()
        .filter(|(from, to, _, _, msg)| {
            *from == "P-CSCF" && *to == "UE" && msg.status() == Some(401)
        })
        .count();
    assert_eq!(challenges, 2);
    // The second REGISTER carries auts and a new Security-Client (new SPIs
    // and client port, same server port).
    let registers: Vec<&Message> = m
        .iter()
        .filter(|(from, to, _, _, _)| *from == "UE" && *to == "P-CSCF")
        .map(|(_, _, _, _, msg)| *msg)
        .collect();
    assert!(registers[1]
        .headers
        .first("Authorization")
        .unwrap()
        .contains("auts="));
    let c1 = MechanismList::from_headers(&registers[0].headers, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    let c2 = MechanismList::from_headers(&registers[1].headers, SecurityHeader::Client)
        .unwrap()
        .unwrap();
    let (a, b) = (&c1.mechanisms()[0], &c2.mechanisms()[0]);
    assert_ne!(a.spi_c(), b.spi_c());
    assert_ne!(a.port_c(), b.port_c());
    assert_eq!(a.port_s(), b.port_s());
    // The superseded temporary set was deleted: one set left each side.
    assert_eq!(world.pcscf.sad.len(), 4);
    assert_eq!(world.ue.sad.len(), 4);
    // What the UE sent in clear before SAs existed is plain IP/UDP SIP.
    let clear = m
        .iter()
        .find(|(_, _, esp, wire, _)| esp.is_none() && !wire.is_empty())
        .unwrap();
    assert!(udp_payload(clear.3).unwrap().starts_with(b"REGISTER"));
}

#[test]
fn registration_expiry_without_refresh_deletes_every_sa() {
    // Registered, then the lifetime passes without a refresh: everything goes.
    let mut world = World::new(Release::Rel6, World::pcscf_policy(Release::Rel6), 0).unwrap();
    world.register().unwrap();
    world.advance(Duration::from_secs(3600 + 31));
    assert_eq!(world.pcscf.sad.len(), 0);
    assert_eq!(world.ue.sad.len(), 0);
}
