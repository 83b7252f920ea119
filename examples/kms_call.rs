//! A call keyed by a KMS ticket (RFC 6043 mode 1, the KMS of the IMS
//! media-security study): UE A gets a ticket and sends it in the INVITE
//! (`a=key-mgmt:mikey`), the call forks to two devices of B, the phone
//! answers; only the phone ends up with A's keys; RTP flows through
//! srtp-sdes; a transcoder resolves with special authorisation; a second
//! call goes to voicemail and B resolves the stored ticket the next day; an
//! outsider, an expired ticket and a tampered ticket are refused.
//!
//! Run: `cargo run --example kms_call`
// The example indexes only into results whose shape it set up itself (one
// stream per side, two forks); a library never does.
#![allow(clippy::print_stdout, clippy::indexing_slicing)]

use std::error::Error as StdError;
use std::time::Duration;

use ims_sec::kms::codec::{KeyMgmt, Message};
use ims_sec::kms::ticket::{
    Algorithms, Delivery, Directory, Flags, Initiator, Kms, KmsConfig, NetworkFunction,
    NetworkFunctionKind, Requester, Responder, Stream, TicketProtectionKey, TicketRequest,
};
use ims_sec::kms::{CryptoSession, SrtpParams};
use ims_sec::srtp::{InboundSession, OutboundSession};
use rand::rngs::StdRng;
use rand::SeedableRng;

const KMS: &[u8] = b"sip:kms.example.com";
const ALICE: &[u8] = b"sip:alice@example.com";
const BOB: &[u8] = b"sip:bob@example.com";
const BOB_PHONE: &[u8] = b"sip:bob@example.com;device=phone";
const BOB_TABLET: &[u8] = b"sip:bob@example.com;device=tablet";
const VOICEMAIL: &[u8] = b"sip:voicemail@example.com";
const TRANSCODER: &[u8] = b"sip:transcoder@example.com";
const EVE: &[u8] = b"sip:eve@example.net";

/// The KMS's tables: who shares which GBA-derived key with it, whom each
/// may act for, which network functions are specially authorised.
struct Tables;

/// The pre-shared key of a party (in a deployment: from GBA, Ks_NAF).
fn psk(id: &[u8]) -> Vec<u8> {
    id.iter().rev().cycle().take(32).copied().collect()
}

impl Directory for Tables {
    fn requester(&self, psk_id: &[u8]) -> Option<Requester> {
        let user = |id: &[u8], acts: &[u8]| Requester::user(id, &psk(id), vec![acts.to_vec()]).ok();
        match psk_id {
            ALICE => user(ALICE, ALICE),
            BOB_PHONE => user(BOB_PHONE, BOB),
            BOB_TABLET => user(BOB_TABLET, BOB),
            VOICEMAIL => user(VOICEMAIL, VOICEMAIL),
            EVE => user(EVE, EVE),
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

    fn group_members(&self, _group: &[u8]) -> Option<Vec<Vec<u8>>> {
        None
    }
}

fn text(id: &[u8]) -> String {
    String::from_utf8_lossy(id).into_owned()
}

/// Prints a message in hex and decoded (data type, CSB ID, payloads).
fn show(label: &str, bytes: &[u8]) -> Result<(), Box<dyn StdError>> {
    let msg = Message::parse(bytes)?;
    let names: Vec<&str> = msg.payloads.iter().map(|p| p.name()).collect();
    println!(
        "{label}: {:?} CSB {:#010x}, {} bytes: HDR, {}",
        msg.header.data_type,
        msg.header.csb_id,
        bytes.len(),
        names.join(", ")
    );
    let hex = hex::encode(bytes);
    println!(
        "    {}{}",
        &hex[..hex.len().min(96)],
        if hex.len() > 96 { "…" } else { "" }
    );
    Ok(())
}

fn keys(s: &CryptoSession) -> String {
    let k = &s.policy.keys[0];
    format!(
        "key {} salt {}",
        hex::encode(k.key()),
        hex::encode(k.salt())
    )
}

fn main() -> Result<(), Box<dyn StdError>> {
    let mut rng = StdRng::seed_from_u64(2026);
    let t0 = Duration::from_secs(1_795_430_000);
    let mut kms = Kms::new(
        KmsConfig::new(KMS),
        TicketProtectionKey::new(b"tpk-2026-11", &[0x5a; 32])?,
    );
    let mut alice = Initiator::new(ALICE, KMS, ALICE, &psk(ALICE), Algorithms::default())?;

    println!("== call 1: A calls B, forked to B's phone and tablet");
    let day = Duration::from_secs(86_400);
    let request = TicketRequest::new(vec![BOB.to_vec()], Flags::forking_call()).valid(t0, t0 + day);
    let request_init = alice.request_init(&request, t0, &mut rng)?;
    show("A -> KMS REQUEST_INIT_PSK", &request_init)?;
    let reply = kms
        .handle(&request_init, t0, &mut rng, &Tables)
        .map_err(|r| r.error)?;
    show("KMS -> A REQUEST_RESP", &reply.message)?;
    let grant = alice.request_resp(&reply.message, t0)?;
    println!(
        "A holds a ticket: forking {}, KMS changed policy {}",
        grant.flags.forking, grant.changed
    );

    let offer = alice.transfer_init(
        &grant,
        BOB,
        &[Stream {
            ssrc: 0xA1A1_A1A1,
            roc: 0,
        }],
        SrtpParams::default(),
        t0,
        &mut rng,
    )?;
    let attribute = KeyMgmt::mikey(&Message::parse(&offer.message)?).to_string();
    println!("INVITE SDP: {}…", &attribute[..attribute.len().min(72)]);
    show("A -> B TRANSFER_INIT", &offer.message)?;
    let received = KeyMgmt::parse(&attribute)?.message()?.to_bytes();

    let mut answers = Vec::new();
    for device in [BOB_PHONE, BOB_TABLET] {
        let mut bob = Responder::new(device, KMS, device, &psk(device), Algorithms::default())?;
        let pending = bob.transfer_init(&received, Delivery::Live, t0, &mut rng)?;
        show(
            &format!("{} -> KMS RESOLVE_INIT_PSK", text(device)),
            &pending.resolve_init,
        )?;
        let resolved = kms
            .handle(&pending.resolve_init, t0, &mut rng, &Tables)
            .map_err(|r| r.error)?;
        show("KMS RESOLVE_RESP", &resolved.message)?;
        let done = bob.resolve_resp(
            &pending,
            &resolved.message,
            &[Stream {
                ssrc: 0xB0B0_B0B0,
                roc: 0,
            }],
            t0,
            &mut rng,
        )?;
        println!(
            "{} resolved the ticket of {}: {}",
            text(device),
            text(&done.initiator),
            keys(&done.sessions[0])
        );
        answers.push(done);
    }
    let answer = answers[0]
        .transfer_resp
        .as_ref()
        .ok_or("no TRANSFER_RESP")?;
    show("B (phone) -> A TRANSFER_RESP in 200 OK", answer)?;
    let outcome = alice.transfer_resp(answer, t0)?;
    println!(
        "A: answered by {}: {}",
        text(&outcome.responder),
        keys(&outcome.sessions[0])
    );
    let phone_match = keys(&outcome.sessions[0]) == keys(&answers[0].sessions[0]);
    let tablet_match = keys(&outcome.sessions[0]) == keys(&answers[1].sessions[0]);
    println!("phone holds A's keys: {phone_match}");
    println!("tablet holds A's keys: {tablet_match}");

    let mut a_send = OutboundSession::new(outcome.sessions[0].policy.clone())?;
    let mut b_receive = InboundSession::new(answers[0].sessions[0].policy.clone())?;
    let mut tablet_receive = InboundSession::new(answers[1].sessions[0].policy.clone())?;
    let rtp = [
        0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0xA1, 0xA1, 0xA1, 0xA1, b'h', b'e', b'l', b'l', b'o',
    ];
    let mut packet = rtp.to_vec();
    a_send.protect_rtp_vec(&mut packet)?;
    let mut copy = packet.clone();
    let got = b_receive.unprotect_rtp(&mut packet)?;
    println!(
        "RTP A -> B phone: {:?}",
        String::from_utf8_lossy(&packet[12..got.len])
    );
    println!(
        "RTP A -> B tablet: {}",
        match tablet_receive.unprotect_rtp(&mut copy) {
            Ok(_) => "decrypted (wrong!)".to_owned(),
            Err(e) => format!("refused ({e})"),
        }
    );

    println!("== a transcoder in the path resolves with special authorisation");
    let mut transcoder = Responder::new(
        TRANSCODER,
        KMS,
        TRANSCODER,
        &psk(TRANSCODER),
        Algorithms::default(),
    )?;
    let pending = transcoder.transfer_init(&received, Delivery::Live, t0, &mut rng)?;
    let resolved = kms
        .handle(&pending.resolve_init, t0, &mut rng, &Tables)
        .map_err(|r| r.error)?;
    if let Some(audit) = &resolved.audit {
        println!(
            "audit: {:?} {} resolved the ticket of {} for {:?}",
            audit.kind,
            text(&audit.network_function),
            text(&audit.initiator),
            audit.responders.iter().map(|r| text(r)).collect::<Vec<_>>()
        );
    }
    let tc = transcoder.resolve_resp(&pending, &resolved.message, &[], t0, &mut rng)?;
    let forked = tc.follow_answer(answer, t0)?.sessions;
    println!(
        "transcoder holds the call's keys: {}",
        keys(&forked[0]) == keys(&outcome.sessions[0])
    );

    println!("== call 2: A calls B, retargeted to voicemail");
    let request =
        TicketRequest::new(vec![BOB.to_vec()], Flags::deferred_delivery()).valid(t0, t0 + 7 * day);
    let request_init = alice.request_init(&request, t0, &mut rng)?;
    let reply = kms
        .handle(&request_init, t0, &mut rng, &Tables)
        .map_err(|r| r.error)?;
    let grant = alice.request_resp(&reply.message, t0)?;
    let offer = alice.transfer_init(
        &grant,
        BOB,
        &[Stream {
            ssrc: 0xA2A2_A2A2,
            roc: 0,
        }],
        SrtpParams::default(),
        t0,
        &mut rng,
    )?;
    let a_sessions = offer.sessions.clone().ok_or("deferred keys")?;
    let mut a_send = OutboundSession::new(a_sessions[0].policy.clone())?;
    let mut stored_media = rtp.to_vec();
    stored_media[8..12].copy_from_slice(&0xA2A2_A2A2u32.to_be_bytes());
    a_send.protect_rtp_vec(&mut stored_media)?;
    println!(
        "voicemail stores the TRANSFER_INIT ({} bytes) and {} bytes of SRTP",
        offer.message.len(),
        stored_media.len()
    );
    let mut mailbox = Responder::new(
        VOICEMAIL,
        KMS,
        VOICEMAIL,
        &psk(VOICEMAIL),
        Algorithms::default(),
    )?;
    let pending = mailbox.transfer_init(&offer.message, Delivery::Live, t0, &mut rng)?;
    match kms.handle(&pending.resolve_init, t0, &mut rng, &Tables) {
        Ok(_) => println!("voicemail server resolved the ticket (wrong!)"),
        Err(r) => println!("voicemail server refused: {}", r.error),
    }
    let next_day = t0 + Duration::from_secs(86_400);
    let mut bob = Responder::new(
        BOB_PHONE,
        KMS,
        BOB_PHONE,
        &psk(BOB_PHONE),
        Algorithms::default(),
    )?;
    let pending = bob.transfer_init(&offer.message, Delivery::Deferred, next_day, &mut rng)?;
    let resolved = kms
        .handle(&pending.resolve_init, next_day, &mut rng, &Tables)
        .map_err(|r| r.error)?;
    let done = bob.resolve_resp(&pending, &resolved.message, &[], next_day, &mut rng)?;
    let mut b_receive = InboundSession::new(done.sessions[0].policy.clone())?;
    let got = b_receive.unprotect_rtp(&mut stored_media)?;
    println!(
        "next day B plays the voicemail: {:?}",
        String::from_utf8_lossy(&stored_media[12..got.len])
    );

    println!("== refusals");
    let mut eve = Responder::new(EVE, KMS, EVE, &psk(EVE), Algorithms::default())?;
    let pending = eve.transfer_init(&offer.message, Delivery::Live, t0, &mut rng)?;
    match kms.handle(&pending.resolve_init, t0, &mut rng, &Tables) {
        Ok(_) => println!("outsider resolved (wrong!)"),
        Err(r) => println!("outsider refused: {}", r.error),
    }
    let late = t0 + Duration::from_secs(30 * 86_400);
    match bob.transfer_init(&offer.message, Delivery::Deferred, late, &mut rng) {
        Ok(_) => println!("expired ticket accepted (wrong!)"),
        Err(e) => println!("expired ticket refused: {e}"),
    }
    // One bit of the ticket's own MAC (the TICKET payload ends 2 bytes
    // before the 34-byte V payload of the message).
    let mut tampered = offer.message.clone();
    let at = tampered.len() - 34 - 2 - 5;
    tampered[at] ^= 0x01;
    let refused = match bob.transfer_init(&tampered, Delivery::Deferred, next_day, &mut rng) {
        Err(e) => e.to_string(),
        Ok(pending) => match kms.handle(&pending.resolve_init, next_day, &mut rng, &Tables) {
            Err(r) => r.error.to_string(),
            Ok(resolved) => {
                match bob.resolve_resp(&pending, &resolved.message, &[], next_day, &mut rng) {
                    Err(e) => e.to_string(),
                    Ok(_) => "accepted (wrong!)".to_owned(),
                }
            }
        },
    };
    println!("tampered ticket refused: {refused}");
    println!("result: forked call, transcoder and voicemail keyed by the KMS");
    Ok(())
}
