//! The KMS (kms-ticket) resolving tickets, against its raw-crypto floor.
//!
//! Group `kms/resolve/<ticket>`, for a forking call ticket (one TGK, the I
//! flag: Initiator Data to check, MPKr and the TGK to fork) and a deferred
//! delivery ticket (one TGK, no forking):
//! - `floor`: only the cryptography a resolution cannot avoid, through the
//!   same `kms_ticket::crypto` functions on buffers of the same sizes:
//!   the PSK auth key (RFC 6043 §5.1.2) and the RESOLVE_INIT MAC; the TPK
//!   keys (Appendix A.2.1), the ticket MAC and the ticket KEMAC decryption;
//!   MPKi (and MPKr, the Vr key and Initiator Data MAC, MPKr' and TGK' when
//!   forking); the response keys, the KEMAC encryption and the RESOLVE_RESP
//!   MAC.
//! - `kms-ticket`: `Kms::handle` on a fresh RESOLVE_INIT_PSK: parse, MAC,
//!   timestamp and replay cache, open the ticket, authorise against the
//!   directory, fork, build and MAC RESOLVE_RESP.
//!
//! The replay cache refuses a message twice, so the KMS resolves a pool of
//! [`POOL`] distinct messages, and a new KMS (with an empty cache) starts
//! each pass over the pool, with the clock stopped.
//!
//! `Throughput::Elements(1)`: criterion reports resolutions per second.
//! CI only compiles this file; run it with `cargo bench --bench kms`.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ims_sec::kms::crypto::{
    derive_mpk, fork_key, Direction, Encryption, ForkedKey, Mac, MessageKeyLabel, MpkRole, Prf,
    ProtectionKeys,
};
use ims_sec::kms::ticket::{
    Algorithms, Delivery, Directory, Flags, Initiator, Kms, KmsConfig, Requester, Responder,
    Stream, TicketProtectionKey, TicketRequest,
};
use ims_sec::kms::SrtpParams;
use rand::rngs::StdRng;
use rand::SeedableRng;

const POOL: usize = 2048;
const KMS: &[u8] = b"sip:kms.example.com";
const ALICE: &[u8] = b"sip:alice@example.com";
const BOB: &[u8] = b"sip:bob@example.com";
const BOB_PHONE: &[u8] = b"sip:bob@example.com;device=phone";
const T0: Duration = Duration::from_secs(1_795_430_000);

struct Tables;

fn psk(id: &[u8]) -> Vec<u8> {
    id.iter().cycle().take(32).copied().collect()
}

impl Directory for Tables {
    fn requester(&self, psk_id: &[u8]) -> Option<Requester> {
        match psk_id {
            ALICE => Requester::user(ALICE, &psk(ALICE), vec![ALICE.to_vec()]).ok(),
            BOB_PHONE => Requester::user(BOB_PHONE, &psk(BOB_PHONE), vec![BOB.to_vec()]).ok(),
            _ => None,
        }
    }
    fn group_members(&self, _group: &[u8]) -> Option<Vec<Vec<u8>>> {
        None
    }
}

fn kms() -> Kms {
    let mut config = KmsConfig::new(KMS);
    config.replay_capacity = POOL + 1;
    Kms::new(
        config,
        TicketProtectionKey::new(b"tpk", &[9u8; 32]).unwrap(),
    )
}

/// POOL distinct RESOLVE_INIT_PSK messages for one ticket, and one reply's length.
fn pool(flags: Flags) -> (Vec<Vec<u8>>, usize, usize) {
    let mut rng = StdRng::seed_from_u64(7);
    let mut k = kms();
    let mut alice = Initiator::new(ALICE, KMS, ALICE, &psk(ALICE), Algorithms::default()).unwrap();
    let request =
        TicketRequest::new(vec![BOB.to_vec()], flags).valid(T0, T0 + Duration::from_secs(86_400));
    let req = alice.request_init(&request, T0, &mut rng).unwrap();
    let grant = alice
        .request_resp(&k.handle(&req, T0, &mut rng, &Tables).unwrap().message, T0)
        .unwrap();
    let offer = alice
        .transfer_init(
            &grant,
            BOB,
            &[Stream { ssrc: 1, roc: 0 }],
            SrtpParams::default(),
            T0,
            &mut rng,
        )
        .unwrap();
    let mut bob = Responder::new(
        BOB_PHONE,
        KMS,
        BOB_PHONE,
        &psk(BOB_PHONE),
        Algorithms::default(),
    )
    .unwrap();
    let messages: Vec<Vec<u8>> = (0..POOL)
        .map(|_| {
            bob.transfer_init(&offer.message, Delivery::Deferred, T0, &mut rng)
                .unwrap()
                .resolve_init
        })
        .collect();
    let reply = k
        .handle(&messages[0], T0, &mut rng, &Tables)
        .unwrap()
        .message
        .len();
    let ticket_len = grant.ticket.ticket_data.len() + 64;
    (messages, reply, ticket_len)
}

/// The cryptography of one resolution, on buffers of the real sizes.
struct Floor {
    resolve_init: Vec<u8>,
    resolve_resp: Vec<u8>,
    ticket: Vec<u8>,
    kemac_in: Vec<u8>,
    kemac_out: Vec<u8>,
    initiator_data: Vec<u8>,
    forking: bool,
}

impl Floor {
    fn resolve(&self) -> Vec<u8> {
        let prf = Prf::HmacSha256;
        let psk = psk(BOB_PHONE);
        let rand = [3u8; 16];
        let label = |direction| MessageKeyLabel::Ticket {
            csb_id: 1,
            direction,
            randri: None,
            randrr: Some(&rand),
        };
        let n = self.resolve_init.len() - 32;
        let init_keys = ProtectionKeys::derive(
            prf,
            &psk,
            &label(Direction::Initial),
            Encryption::Null,
            Mac::HmacSha256_256,
        )
        .unwrap();
        let tag = init_keys.mac_parts(&[&self.resolve_init[..n], BOB_PHONE, KMS]);
        let tpk = ProtectionKeys::derive(
            prf,
            &[9u8; 32],
            &MessageKeyLabel::Tpk { rand: &rand },
            Encryption::AesCm128,
            Mac::HmacSha256_256,
        )
        .unwrap();
        let ticket_tag = tpk.mac(&self.ticket);
        let plain = tpk.encrypt(0xFFFF_FFFF, 5, &self.kemac_in).unwrap();
        let mpk = &plain[..32];
        let mpki = derive_mpk(prf, mpk, MpkRole::Initiator, &rand).unwrap();
        let mut forked = Vec::new();
        if self.forking {
            let mpkr = derive_mpk(prf, mpk, MpkRole::Responder, &rand).unwrap();
            let vr = ProtectionKeys::derive(
                prf,
                mpkr.expose_secret(),
                &MessageKeyLabel::InitiatorData,
                Encryption::Null,
                Mac::HmacSha256_256,
            )
            .unwrap();
            forked.push(vr.mac(&self.initiator_data));
            let f = fork_key(prf, mpkr.expose_secret(), ForkedKey::Mpkr, BOB_PHONE, &rand).unwrap();
            forked.push(f.expose_secret().to_vec());
            let g = fork_key(prf, &plain[40..56], ForkedKey::Tgk, BOB_PHONE, &rand).unwrap();
            forked.push(g.expose_secret().to_vec());
        }
        let resp_keys = ProtectionKeys::derive(
            prf,
            &psk,
            &label(Direction::Response),
            Encryption::AesCm128,
            Mac::HmacSha256_256,
        )
        .unwrap();
        let kemac = resp_keys.encrypt(1, 6, &self.kemac_out).unwrap();
        let resp_tag = resp_keys.mac_parts(&[&self.resolve_resp, &self.resolve_init]);
        black_box((tag, ticket_tag, mpki.expose_secret().len(), forked, kemac));
        resp_tag
    }
}

fn bench(c: &mut Criterion) {
    for (name, flags) in [
        ("forking", Flags::forking_call()),
        ("deferred", Flags::deferred_delivery()),
    ] {
        let (messages, reply_len, ticket_len) = pool(flags);
        let forking = flags.forking;
        let floor = Floor {
            resolve_init: messages[0].clone(),
            resolve_resp: vec![1u8; reply_len - 32],
            ticket: vec![2u8; ticket_len],
            kemac_in: vec![4u8; 32 + 16 + 14 + 16],
            kemac_out: vec![
                5u8;
                if forking {
                    32 + 32 + 16 + 14 + 20
                } else {
                    32 + 16 + 14 + 16
                }
            ],
            initiator_data: vec![6u8; 70],
            forking,
        };
        let mut group = c.benchmark_group(format!("kms/resolve/{name}"));
        group.throughput(Throughput::Elements(1));
        group
            .sample_size(30)
            .measurement_time(Duration::from_secs(4));
        group.bench_function("floor", |b| b.iter(|| black_box(floor.resolve())));
        group.bench_function("kms-ticket", |b| {
            let mut rng = StdRng::seed_from_u64(11);
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut k = kms();
                for i in 0..iters as usize {
                    if i % POOL == 0 && i > 0 {
                        k = kms();
                    }
                    let start = Instant::now();
                    let reply = k.handle(&messages[i % POOL], T0, &mut rng, &Tables);
                    total += start.elapsed();
                    black_box(reply.unwrap());
                }
                total
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
