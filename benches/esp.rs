//! ESP transport mode (esp-sa) against its raw-crypto floor.
//!
//! One group per algorithm pair and payload size, `esp/<pair>/<bytes>`, for
//! AES-CBC-128 + HMAC-SHA-1-96, NULL + HMAC-SHA-1-96 and AES-GCM-128, at 160
//! (a short SIP message or an RTP-sized packet), 600 and 1400 bytes (a full
//! MTU's worth). Each group holds:
//! - `floor_encapsulate`: only the cryptography ESP cannot avoid on the same
//!   bytes: CBC encryption of payload ‖ padding ‖ trailer over an AES key
//!   schedule built once, then HMAC-SHA-1 over header ‖ IV ‖ ciphertext from
//!   a keyed `Hmac<Sha1>` cloned per packet (the pads hashed once); or only
//!   that HMAC for NULL; or `encrypt_in_place_detached` of AES-GCM with the
//!   8-byte AAD (SPI ‖ sequence number);
//! - `encapsulate`: `OutboundSa::encapsulate` in place in one reused buffer
//!   (header, IV from a seeded `StdRng` for CBC, padding, trailer, then the
//!   same cryptography);
//! - `floor_decapsulate` and `decapsulate`: the reverse: the ICV check, in
//!   constant time in both (`Mac::verify_truncated_left` in the floor, the
//!   tag check inside AES-GCM's `decrypt_in_place_detached`), then
//!   decryption. The anti-replay window refuses a sequence number twice, so
//!   both decapsulate a ring of pre-built packets with increasing sequence
//!   numbers, each copied first into a scratch buffer (the copy is in the
//!   floor too); after every pass over the ring the inbound SA is replaced by
//!   a fresh clone with the clock stopped.
//!
//! At 160 bytes floor and ours differ by tens of nanoseconds, and where the
//! linker happens to place the hot loops moves either side by several per
//! cent from one build to the next: compare entries of one run, not runs.
//!
//! Throughput is the upper-layer payload. CI only compiles this file
//! (`cargo bench --workspace --no-run`); run it with `cargo bench --bench esp`.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use aes::cipher::inout::InOutBuf;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};
use aes::{Aes128Dec, Aes128Enc};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::Aes128Gcm;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use hmac::{Hmac, Mac};
use ims_sec::esp::{
    EncryptionAlgorithm, InboundSa, IntegrityAlgorithm, OutboundSa, ReplayWindow, Transform,
};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha1::Sha1;

const SIZES: [usize; 3] = [160, 600, 1400];
const SPI: u32 = 0x1000_0001;
const NOW: Duration = Duration::ZERO;
/// UDP: what a SIP packet carries.
const NEXT_HEADER: u8 = 17;
/// Packets in the decapsulation ring: enough that a pass is long against the
/// clock's resolution, few enough to stay in cache (≤ 400 KB at 1400 bytes).
const RING: usize = 256;

const HMAC_KEY: [u8; 20] = [0x5a; 20];
const AES_KEY: [u8; 16] = [0x2b; 16];
/// AES-GCM keying material: 16-byte key ‖ 4-byte salt (RFC 4106 §8.1).
const GCM_KEY: [u8; 20] = [
    0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b,
    0xca, 0xfe, 0xba, 0xbe,
];

const ESP_HEADER: usize = 8;
const ICV_HMAC: usize = 12;
const TAG_GCM: usize = 16;

#[derive(Clone, Copy)]
enum Pair {
    AesCbcHmacSha1,
    NullHmacSha1,
    AesGcm,
}

impl Pair {
    const ALL: [Pair; 3] = [Pair::AesCbcHmacSha1, Pair::NullHmacSha1, Pair::AesGcm];

    fn name(self) -> &'static str {
        match self {
            Pair::AesCbcHmacSha1 => "aes-cbc+hmac-sha-1-96",
            Pair::NullHmacSha1 => "null+hmac-sha-1-96",
            Pair::AesGcm => "aes-gcm",
        }
    }

    fn transform(self) -> Transform {
        use EncryptionAlgorithm as E;
        use IntegrityAlgorithm as I;
        match self {
            Pair::AesCbcHmacSha1 => {
                Transform::new(I::HmacSha196, &HMAC_KEY, E::AesCbc128, &AES_KEY)
            }
            Pair::NullHmacSha1 => Transform::new(I::HmacSha196, &HMAC_KEY, E::Null, &[]),
            Pair::AesGcm => Transform::new(I::Null, &[], E::AesGcm, &GCM_KEY),
        }
        .unwrap()
    }
}

/// The raw cryptography of one pair, keyed once, on the same packet layout
/// as esp-sa: `header` bytes (ESP header and IV), `encrypted` bytes
/// (payload, padding, Pad Length, Next Header), then the ICV.
// One per group, built once and never moved while timed: the schedules stay inline.
#[allow(clippy::large_enum_variant)]
enum Floor {
    CbcHmac {
        enc: Aes128Enc,
        dec: Aes128Dec,
        mac: Hmac<Sha1>,
    },
    NullHmac {
        mac: Hmac<Sha1>,
    },
    Gcm {
        aead: Aes128Gcm,
        salt: [u8; 4],
    },
}

impl Floor {
    fn new(pair: Pair) -> Self {
        match pair {
            Pair::AesCbcHmacSha1 => Floor::CbcHmac {
                enc: Aes128Enc::new_from_slice(&AES_KEY).unwrap(),
                dec: Aes128Dec::new_from_slice(&AES_KEY).unwrap(),
                mac: <Hmac<Sha1> as Mac>::new_from_slice(&HMAC_KEY).unwrap(),
            },
            Pair::NullHmacSha1 => Floor::NullHmac {
                mac: <Hmac<Sha1> as Mac>::new_from_slice(&HMAC_KEY).unwrap(),
            },
            Pair::AesGcm => Floor::Gcm {
                aead: Aes128Gcm::new_from_slice(&GCM_KEY[..16]).unwrap(),
                salt: GCM_KEY[16..].try_into().unwrap(),
            },
        }
    }

    fn seal(&self, packet: &mut [u8], header: usize, encrypted: usize) {
        let (covered, icv) = packet.split_at_mut(header + encrypted);
        match self {
            Floor::CbcHmac { enc, mac, .. } => {
                let (head, data) = covered.split_at_mut(header);
                cbc::Encryptor::inner_iv_slice_init(enc, &head[ESP_HEADER..])
                    .unwrap()
                    .encrypt_blocks_inout_mut(InOutBuf::from(data).into_chunks().0);
                icv.copy_from_slice(&hmac_96(mac, covered));
            }
            Floor::NullHmac { mac } => icv.copy_from_slice(&hmac_96(mac, covered)),
            Floor::Gcm { aead, salt } => {
                let (head, data) = covered.split_at_mut(header);
                let tag = aead
                    .encrypt_in_place_detached(&gcm_nonce(salt, head), &head[..ESP_HEADER], data)
                    .unwrap();
                icv.copy_from_slice(&tag);
            }
        }
    }

    fn open(&self, packet: &mut [u8], header: usize, encrypted: usize) {
        let (covered, icv) = packet.split_at_mut(header + encrypted);
        match self {
            Floor::CbcHmac { dec, mac, .. } => {
                verify_hmac_96(mac, covered, icv);
                let (head, data) = covered.split_at_mut(header);
                cbc::Decryptor::inner_iv_slice_init(dec, &head[ESP_HEADER..])
                    .unwrap()
                    .decrypt_blocks_inout_mut(InOutBuf::from(data).into_chunks().0);
            }
            Floor::NullHmac { mac } => verify_hmac_96(mac, covered, icv),
            Floor::Gcm { aead, salt } => {
                let (head, data) = covered.split_at_mut(header);
                let tag = aes_gcm::Tag::clone_from_slice(icv);
                aead.decrypt_in_place_detached(
                    &gcm_nonce(salt, head),
                    &head[..ESP_HEADER],
                    data,
                    &tag,
                )
                .unwrap();
            }
        }
    }
}

fn hmac_96(keyed: &Hmac<Sha1>, data: &[u8]) -> [u8; ICV_HMAC] {
    let mut mac = keyed.clone();
    mac.update(data);
    mac.finalize().into_bytes()[..ICV_HMAC].try_into().unwrap()
}

/// The ICV check as the `hmac` crate does it, in constant time (as every
/// ICV check must be, and as AES-GCM's own tag check is).
fn verify_hmac_96(keyed: &Hmac<Sha1>, data: &[u8], icv: &[u8]) {
    let mut mac = keyed.clone();
    mac.update(data);
    mac.verify_truncated_left(icv).unwrap();
}

/// Salt ‖ the 8-byte IV after the ESP header (RFC 4106 §4).
fn gcm_nonce(salt: &[u8; 4], head: &[u8]) -> aes_gcm::Nonce<aes_gcm::aead::consts::U12> {
    let mut nonce = aes_gcm::Nonce::default();
    nonce[..4].copy_from_slice(salt);
    nonce[4..].copy_from_slice(&head[ESP_HEADER..ESP_HEADER + 8]);
    nonce
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

/// `iters` decapsulations over `ring`, in order, each from a copy in
/// `scratch`: `reset` prepares `state` for a pass over the ring, `open`
/// handles one packet. Only the packets are timed.
fn ring_timed<S>(
    iters: u64,
    ring: &[Vec<u8>],
    scratch: &mut [u8],
    state: &mut S,
    reset: impl Fn(&mut S),
    open: impl Fn(&mut S, &mut [u8]),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters as usize;
    while left > 0 {
        let n = left.min(ring.len());
        reset(state);
        let start = Instant::now();
        for packet in &ring[..n] {
            let scratch = &mut scratch[..packet.len()];
            scratch.copy_from_slice(packet);
            open(state, black_box(scratch));
        }
        total += start.elapsed();
        left -= n;
    }
    total
}

fn bench_pair(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    pair: Pair,
    size: usize,
) {
    let outbound = OutboundSa::new(SPI, pair.transform(), false);
    let header = outbound.header_len();
    let total = outbound.encapsulated_len(size);
    let icv = match pair {
        Pair::AesGcm => TAG_GCM,
        _ => ICV_HMAC,
    };
    let encrypted = total - header - icv;
    let floor = Floor::new(pair);

    // One buffer, the payload laid in once; each packet is sealed in place
    // over what the previous one left (the same amount of work every time).
    let mut buf = vec![0u8; total];
    buf[header..header + size].copy_from_slice(&payload(size));
    buf[..4].copy_from_slice(&SPI.to_be_bytes());
    group.bench_function("floor_encapsulate", |b| {
        b.iter(|| floor.seal(black_box(&mut buf), header, encrypted));
    });

    let mut sa = outbound.clone();
    let mut rng = StdRng::seed_from_u64(1);
    group.bench_function("encapsulate", |b| {
        b.iter(|| {
            sa.encapsulate(black_box(&mut buf), size, NEXT_HEADER, &mut rng, NOW)
                .unwrap()
        });
    });

    // Packets 1..=RING, real ones from esp-sa, for both decapsulations.
    let mut sender = outbound.clone();
    let ring: Vec<Vec<u8>> = (0..RING)
        .map(|_| {
            let mut packet = vec![0u8; total];
            packet[header..header + size].copy_from_slice(&payload(size));
            sender
                .encapsulate(&mut packet, size, NEXT_HEADER, &mut rng, NOW)
                .unwrap();
            packet
        })
        .collect();
    let mut scratch = vec![0u8; total];

    group.bench_function("floor_decapsulate", |b| {
        b.iter_custom(|iters| {
            ring_timed(
                iters,
                &ring,
                &mut scratch,
                &mut (),
                |_| {},
                |_, packet| floor.open(packet, header, encrypted),
            )
        });
    });

    let fresh = InboundSa::new(SPI, pair.transform(), ReplayWindow::new(64, false).unwrap());
    let mut inbound = fresh.clone();
    group.bench_function("decapsulate", |b| {
        b.iter_custom(|iters| {
            ring_timed(
                iters,
                &ring,
                &mut scratch,
                &mut inbound,
                |sa| *sa = fresh.clone(),
                |sa, packet| {
                    black_box(sa.decapsulate(packet, NOW).unwrap());
                },
            )
        });
    });
}

fn esp(c: &mut Criterion) {
    for pair in Pair::ALL {
        for size in SIZES {
            let mut group = c.benchmark_group(format!("esp/{}/{size}", pair.name()));
            group.throughput(Throughput::Bytes(size as u64));
            bench_pair(&mut group, pair, size);
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    // 36 entries: about two minutes in all.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = esp
}
criterion_main!(benches);
