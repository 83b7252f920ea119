//! AKA vector generation against its raw-crypto floor and the `milenage` crate.
//!
//! Group `milenage_vector`: one full vector (f1 + f2..f5) for a subscriber whose
//! K and OPc were just loaded, so every entry pays one AES key schedule:
//! - `floor`: one AES-128 key schedule plus six AES block encryptions, one
//!   `encrypt_block` call each, as the issue states the floor;
//! - `floor/pipelined`: the same six blocks in Milenage's dependency order at
//!   their fastest: TEMP first, then five blocks that need only TEMP, handed
//!   to AES in one call so their rounds overlap;
//! - `ims-aka`: `Milenage::new` + `AuthenticationVector::generate`;
//! - `milenage-crate`: the `milenage` crate's `new_with_opc` + `f1` + `f2345`;
//! - `ims-aka/cached-subscriber`: the vector alone, key schedule kept from before.
//!
//! Group `tuak_vector`: one TUAK vector against the floor of its Keccak-f[1600]
//! permutations.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use criterion::{criterion_group, criterion_main, Criterion};
use ims_sec::aka::home::AuthenticationVector;
use ims_sec::aka::{Amf, Milenage, Sqn, Tuak, TuakParams, K};
use ims_sec::common::Secret;

// TS 35.208 test set 1.
const K: [u8; 16] = [
    0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc,
];
const OPC: [u8; 16] = [
    0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e, 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf,
];
const RAND: [u8; 16] = [
    0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d, 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35,
];
const SQN: [u8; 6] = [0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07];
const AMF: [u8; 2] = [0xb9, 0xb9];

fn milenage_vector(c: &mut Criterion) {
    let mut group = c.benchmark_group("milenage_vector");
    group.bench_function("floor", |b| {
        b.iter(|| {
            let cipher = aes::Aes128Enc::new(GenericArray::from_slice(black_box(&K)));
            let mut blocks = [GenericArray::from(RAND); 6];
            for (i, block) in blocks.iter_mut().enumerate() {
                block[15] ^= i as u8;
                cipher.encrypt_block(block);
            }
            black_box(blocks)
        });
    });
    group.bench_function("floor/pipelined", |b| {
        b.iter(|| {
            let cipher = aes::Aes128Enc::new(GenericArray::from_slice(black_box(&K)));
            // TEMP = E_K(RAND ⊕ OPc) must come first; the other five blocks
            // depend only on TEMP and go through AES side by side.
            let mut temp = GenericArray::from(RAND);
            cipher.encrypt_block(&mut temp);
            let mut blocks = [temp; 5];
            for (i, block) in blocks.iter_mut().enumerate() {
                block[15] ^= i as u8;
            }
            cipher.encrypt_blocks(&mut blocks);
            black_box(blocks)
        });
    });
    group.bench_function("ims-aka", |b| {
        b.iter(|| {
            let m = Milenage::new(&Secret::new(black_box(K)), &Secret::new(OPC));
            let av =
                AuthenticationVector::generate(&m, black_box(RAND), Sqn::from_bytes(SQN), Amf(AMF));
            black_box(&av);
        });
    });
    group.bench_function("milenage-crate", |b| {
        b.iter(|| {
            let mut m = milenage::Milenage::new_with_opc(black_box(K), OPC);
            let mac = m.f1(black_box(&RAND), &SQN, &AMF);
            black_box((mac, m.f2345(&RAND)))
        });
    });
    let cached = Milenage::new(&Secret::new(K), &Secret::new(OPC));
    group.bench_function("ims-aka/cached-subscriber", |b| {
        b.iter(|| {
            let av = AuthenticationVector::generate(
                &cached,
                black_box(RAND),
                Sqn::from_bytes(SQN),
                Amf(AMF),
            );
            black_box(&av);
        });
    });
    group.finish();
}

fn tuak_vector(c: &mut Criterion) {
    let mut group = c.benchmark_group("tuak_vector");
    let k = K::from_slice(&[0xab; 16]).unwrap();
    let topc = Secret::new([0x55; 32]);
    let params = TuakParams::default();
    group.bench_function("floor", |b| {
        // f1 and f2..f5 are one Keccak-f[1600] permutation each.
        b.iter(|| {
            let mut f1 = black_box([0u64; 25]);
            let mut f2345 = black_box([1u64; 25]);
            keccak::f1600(&mut f1);
            keccak::f1600(&mut f2345);
            black_box((f1, f2345))
        });
    });
    group.bench_function("ims-aka", |b| {
        b.iter(|| {
            let t = Tuak::new(black_box(&k), &topc, params).unwrap();
            let av =
                AuthenticationVector::generate(&t, black_box(RAND), Sqn::from_bytes(SQN), Amf(AMF));
            black_box(&av);
        });
    });
    let cached = Tuak::new(&k, &topc, params).unwrap();
    group.bench_function("ims-aka/cached-subscriber", |b| {
        b.iter(|| {
            let av = AuthenticationVector::generate(
                &cached,
                black_box(RAND),
                Sqn::from_bytes(SQN),
                Amf(AMF),
            );
            black_box(&av);
        });
    });
    group.finish();
}

criterion_group!(benches, milenage_vector, tuak_vector);
criterion_main!(benches);
