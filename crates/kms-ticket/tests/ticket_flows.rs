//! MIKEY-TICKET end to end (RFC 6043 mode 1): Initiator, KMS, Responders.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use kms_ticket::ticket::{
    Algorithms, Delivery, Directory, Flags, Initiator, Kms, KmsConfig, NetworkFunction,
    NetworkFunctionKind, Requester, Responder, Stream, TicketProtectionKey, TicketRequest,
};
use kms_ticket::{CryptoSession, Error, SrtpParams};
use rand::rngs::StdRng;
use rand::SeedableRng;

const KMS: &[u8] = b"sip:kms@example.com";
const ALICE: &[u8] = b"sip:alice@example.com";
const BOB: &[u8] = b"sip:bob@example.com";
const BOB_PHONE: &[u8] = b"sip:bob@example.com;device=phone";
const BOB_TABLET: &[u8] = b"sip:bob@example.com;device=tablet";
const TEAM: &[u8] = b"sip:team@example.com";
const CAROL: &[u8] = b"sip:carol@example.com";
const VOICEMAIL: &[u8] = b"sip:voicemail@example.com";
const TRANSCODER: &[u8] = b"sip:transcoder@example.com";
const EVE: &[u8] = b"sip:eve@example.net";

struct Tables;

fn psk(id: &[u8]) -> Vec<u8> {
    id.iter().cycle().take(32).copied().collect()
}

impl Directory for Tables {
    fn requester(&self, psk_id: &[u8]) -> Option<Requester> {
        let user = |id: &[u8], acts: &[&[u8]]| {
            Requester::user(id, &psk(id), acts.iter().map(|a| a.to_vec()).collect()).ok()
        };
        match psk_id {
            ALICE => user(ALICE, &[ALICE]),
            BOB_PHONE => user(BOB_PHONE, &[BOB]),
            BOB_TABLET => user(BOB_TABLET, &[BOB]),
            CAROL => user(CAROL, &[CAROL]),
            VOICEMAIL => user(VOICEMAIL, &[VOICEMAIL]),
            EVE => user(EVE, &[EVE]),
            TRANSCODER => Requester::network_function(
                TRANSCODER,
                &psk(TRANSCODER),
                NetworkFunction {
                    kind: NetworkFunctionKind::Transcoder,
                    domains: vec![b"example.com".to_vec()],
                },
            )
            .ok(),
            _ => None,
        }
    }

    fn group_members(&self, group: &[u8]) -> Option<Vec<Vec<u8>>> {
        (group == TEAM).then(|| vec![CAROL.to_vec(), BOB.to_vec()])
    }
}

fn kms() -> Kms {
    Kms::new(
        KmsConfig::new(KMS),
        TicketProtectionKey::new(b"tpk-2026-11", &[7u8; 32]).unwrap(),
    )
}

fn initiator() -> Initiator {
    Initiator::new(ALICE, KMS, ALICE, &psk(ALICE), Algorithms::default()).unwrap()
}

fn responder(id: &[u8]) -> Responder {
    Responder::new(id, KMS, id, &psk(id), Algorithms::default()).unwrap()
}

const T0: Duration = Duration::from_secs(1_795_000_000);

fn key_of(s: &CryptoSession) -> (Vec<u8>, Vec<u8>) {
    let k = &s.policy.keys[0];
    (k.key().to_vec(), k.salt().to_vec())
}

#[test]
fn forked_call_only_the_answering_device_shares_the_keys() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut kms = kms();
    let mut alice = initiator();
    let request = TicketRequest::new(vec![BOB.to_vec()], Flags::forking_call());
    let req = alice.request_init(&request, T0, &mut rng).unwrap();
    let resp = kms.handle(&req, T0, &mut rng, &Tables).unwrap();
    assert!(resp.audit.is_none());
    let grant = alice.request_resp(&resp.message, T0).unwrap();
    assert!(grant.flags.forking && grant.flags.kms_generated);

    let offer = alice
        .transfer_init(
            &grant,
            BOB,
            &[Stream {
                ssrc: 0x1111,
                roc: 0,
            }],
            SrtpParams::default(),
            T0,
            &mut rng,
        )
        .unwrap();
    assert!(offer.sessions.is_none(), "forked keys need the answer");

    let mut answers = Vec::new();
    for device in [BOB_PHONE, BOB_TABLET] {
        let mut bob = responder(device);
        let pending = bob
            .transfer_init(&offer.message, Delivery::Live, T0, &mut rng)
            .unwrap();
        let resolved = kms
            .handle(&pending.resolve_init, T0, &mut rng, &Tables)
            .unwrap();
        let done = bob
            .resolve_resp(
                &pending,
                &resolved.message,
                &[Stream {
                    ssrc: 0x2222,
                    roc: 0,
                }],
                T0,
                &mut rng,
            )
            .unwrap();
        assert_eq!(done.initiator, ALICE);
        answers.push(done);
    }
    // The phone answers.
    let at_alice = alice
        .transfer_resp(answers[0].transfer_resp.as_ref().unwrap(), T0)
        .unwrap();
    assert_eq!(at_alice.responder, BOB_PHONE);
    assert_eq!(at_alice.sessions.len(), 2);
    for (a, b) in at_alice.sessions.iter().zip(&answers[0].sessions) {
        assert_eq!((a.cs_id, a.ssrc), (b.cs_id, b.ssrc));
        assert_eq!(key_of(a), key_of(b));
    }
    for (a, t) in at_alice.sessions.iter().zip(&answers[1].sessions) {
        assert_ne!(
            key_of(a).0,
            key_of(t).0,
            "the tablet must not hold the call's keys"
        );
    }
    // The tablet's answer names the tablet and yields other keys.
    let via_tablet = alice
        .transfer_resp(answers[1].transfer_resp.as_ref().unwrap(), T0)
        .unwrap();
    assert_eq!(via_tablet.responder, BOB_TABLET);
    assert_ne!(
        key_of(&via_tablet.sessions[0]),
        key_of(&at_alice.sessions[0])
    );

    // SRTP through srtp-sdes with the keys.
    let mut send = srtp_sdes::OutboundSession::new(at_alice.sessions[0].policy.clone()).unwrap();
    let mut recv = srtp_sdes::InboundSession::new(answers[0].sessions[0].policy.clone()).unwrap();
    let rtp = [0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0x11, 0x11, 1, 2, 3, 4];
    let mut packet = rtp.to_vec();
    send.protect_rtp_vec(&mut packet).unwrap();
    let got = recv.unprotect_rtp(&mut packet).unwrap();
    assert_eq!(&packet[..got.len], &rtp);
}

#[test]
fn outsider_mailbox_and_transcoder() {
    let mut rng = StdRng::seed_from_u64(2);
    let mut kms = kms();
    let mut alice = initiator();
    let request = TicketRequest::new(vec![BOB.to_vec()], Flags::deferred_delivery());
    let req = alice.request_init(&request, T0, &mut rng).unwrap();
    let grant = alice
        .request_resp(
            &kms.handle(&req, T0, &mut rng, &Tables).unwrap().message,
            T0,
        )
        .unwrap();
    let offer = alice
        .transfer_init(
            &grant,
            BOB,
            &[Stream { ssrc: 7, roc: 0 }],
            SrtpParams::default(),
            T0,
            &mut rng,
        )
        .unwrap();
    let alice_sessions = offer
        .sessions
        .clone()
        .expect("deferred delivery keys need no answer");

    // The mailbox stores the ticket; it may not resolve it.
    let mut mailbox = responder(VOICEMAIL);
    let pending = mailbox
        .transfer_init(&offer.message, Delivery::Live, T0, &mut rng)
        .unwrap();
    let refused = kms
        .handle(&pending.resolve_init, T0, &mut rng, &Tables)
        .unwrap_err();
    assert!(
        matches!(refused.error, Error::NotAuthorised(_)),
        "{refused:?}"
    );
    assert!(refused.message.is_some());

    // An outsider neither.
    let mut eve = responder(EVE);
    let pending = eve
        .transfer_init(&offer.message, Delivery::Live, T0, &mut rng)
        .unwrap();
    assert!(kms
        .handle(&pending.resolve_init, T0, &mut rng, &Tables)
        .is_err());

    // The next day Bob's phone resolves the stored message.
    let next_day = T0 + Duration::from_secs(86_400);
    let mut bob = responder(BOB_PHONE);
    let pending = bob
        .transfer_init(&offer.message, Delivery::Deferred, next_day, &mut rng)
        .unwrap();
    let resolved = kms
        .handle(&pending.resolve_init, next_day, &mut rng, &Tables)
        .unwrap();
    let done = bob
        .resolve_resp(&pending, &resolved.message, &[], next_day, &mut rng)
        .unwrap();
    assert!(done.transfer_resp.is_none());
    assert_eq!(key_of(&done.sessions[0]), key_of(&alice_sessions[0]));

    // A transcoder of the domain resolves with special authorisation, audited.
    let mut tc = responder(TRANSCODER);
    let pending = tc
        .transfer_init(&offer.message, Delivery::Live, T0, &mut rng)
        .unwrap();
    let resolved = kms
        .handle(&pending.resolve_init, T0, &mut rng, &Tables)
        .unwrap();
    let audit = resolved.audit.clone().expect("audit event");
    assert_eq!(audit.kind, NetworkFunctionKind::Transcoder);
    assert_eq!(audit.initiator, ALICE);
    let done = tc
        .resolve_resp(&pending, &resolved.message, &[], T0, &mut rng)
        .unwrap();
    assert_eq!(key_of(&done.sessions[0]), key_of(&alice_sessions[0]));

    // After the validity period nobody resolves.
    let late = T0 + Duration::from_secs(8 * 86_400);
    let mut bob = responder(BOB_PHONE);
    let pending = bob
        .transfer_init(&offer.message, Delivery::Deferred, T0, &mut rng)
        .unwrap();
    let refused = kms.handle(&pending.resolve_init, late, &mut rng, &Tables);
    assert!(refused.is_err());
}

#[test]
fn group_member_resolves_and_replays_are_refused() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut kms = kms();
    let mut alice = initiator();
    let request = TicketRequest::new(vec![TEAM.to_vec()], Flags::deferred_delivery());
    let req = alice.request_init(&request, T0, &mut rng).unwrap();
    let resp = kms.handle(&req, T0, &mut rng, &Tables).unwrap();
    // The same REQUEST_INIT again is a replay.
    let replay = kms.handle(&req, T0, &mut rng, &Tables).unwrap_err();
    assert!(matches!(replay.error, Error::Freshness(_)), "{replay:?}");
    let grant = alice.request_resp(&resp.message, T0).unwrap();
    let offer = alice
        .transfer_init(
            &grant,
            TEAM,
            &[Stream { ssrc: 9, roc: 0 }],
            SrtpParams::default(),
            T0,
            &mut rng,
        )
        .unwrap();
    let mut carol = responder(CAROL);
    let pending = carol
        .transfer_init(&offer.message, Delivery::Live, T0, &mut rng)
        .unwrap();
    let resolved = kms
        .handle(&pending.resolve_init, T0, &mut rng, &Tables)
        .unwrap();
    let again = kms
        .handle(&pending.resolve_init, T0, &mut rng, &Tables)
        .unwrap_err();
    assert!(matches!(again.error, Error::Freshness(_)));
    let done = carol
        .resolve_resp(&pending, &resolved.message, &[], T0, &mut rng)
        .unwrap();
    assert_eq!(
        key_of(&done.sessions[0]),
        key_of(&offer.sessions.unwrap()[0])
    );
}

#[test]
fn rotated_protection_keys_still_resolve_until_retired() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut kms = kms();
    let mut alice = initiator();
    let request = TicketRequest::new(vec![BOB.to_vec()], Flags::deferred_delivery());
    let req = alice.request_init(&request, T0, &mut rng).unwrap();
    let grant = alice
        .request_resp(
            &kms.handle(&req, T0, &mut rng, &Tables).unwrap().message,
            T0,
        )
        .unwrap();
    let offer = alice
        .transfer_init(
            &grant,
            BOB,
            &[Stream { ssrc: 9, roc: 0 }],
            SrtpParams::default(),
            T0,
            &mut rng,
        )
        .unwrap();
    // Another KMS instance that holds both keys resolves it.
    let mut other = Kms::new(
        KmsConfig::new(KMS),
        TicketProtectionKey::new(b"tpk-2026-11", &[7u8; 32]).unwrap(),
    );
    other.rotate(TicketProtectionKey::new(b"tpk-2026-12", &[8u8; 32]).unwrap());
    let mut bob = responder(BOB_PHONE);
    let pending = bob
        .transfer_init(&offer.message, Delivery::Live, T0, &mut rng)
        .unwrap();
    assert!(other
        .handle(&pending.resolve_init, T0, &mut rng, &Tables)
        .is_ok());
    other.retire(b"tpk-2026-11");
    let pending = bob
        .transfer_init(&offer.message, Delivery::Deferred, T0, &mut rng)
        .unwrap();
    let refused = other
        .handle(&pending.resolve_init, T0, &mut rng, &Tables)
        .unwrap_err();
    assert!(
        matches!(refused.error, Error::InvalidTicket(_)),
        "{refused:?}"
    );
}
