//! Helpers shared by the esp-sa integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use rand_core::{CryptoRng, RngCore};

/// Hex to bytes, ignoring white space (so RFC hex dumps paste as they are).
pub fn h(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).unwrap()
}

/// An "RNG" that hands out fixed bytes (repeated), to reproduce published
/// packets whose IV is given.
pub struct FixedIv(pub Vec<u8>);

impl RngCore for FixedIv {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill_bytes(&mut b);
        u32::from_be_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill_bytes(&mut b);
        u64::from_be_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for (d, s) in dest.iter_mut().zip(self.0.iter().cycle()) {
            *d = *s;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for FixedIv {}

/// A deterministic "RNG" counting up, for IVs that differ packet to packet.
pub struct Counter(pub u64);

impl RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for Counter {}

use esp_sa::{EncryptionAlgorithm, IntegrityAlgorithm, Transform};

/// Every algorithm pair a [`Transform`] accepts (Annex H pairs plus
/// encryption-only CBC), keyed with fixed test keys.
pub fn all_pairs() -> Vec<(IntegrityAlgorithm, EncryptionAlgorithm)> {
    let mut pairs = Vec::new();
    for &int in IntegrityAlgorithm::ALL {
        for &enc in EncryptionAlgorithm::ALL {
            if Transform::new(int, &vec![0; int.key_len()], enc, &vec![0; enc.key_len()]).is_ok() {
                pairs.push((int, enc));
            }
        }
    }
    pairs
}

/// A transform for `int`/`enc` with fixed, distinct test keys.
pub fn transform(int: IntegrityAlgorithm, enc: EncryptionAlgorithm) -> Transform {
    let ikey: Vec<u8> = (0..int.key_len() as u8).map(|b| b ^ 0x5a).collect();
    let ekey: Vec<u8> = (0..enc.key_len() as u8).collect();
    Transform::new(int, &ikey, enc, &ekey).unwrap()
}
