//! The MIKEY PRF: RFC 3830 §4.1.2 on HMAC-SHA-1, and PRF-HMAC-SHA-256 of
//! RFC 6043 §6.1 (the same construction on HMAC-SHA-256 with 256 in place
//! of 160).

use hmac::digest::KeyInit;
use hmac::Hmac;
use sha1::Sha1;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

/// The PRF named by the `PRF func` field of the MIKEY HDR payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prf {
    /// `MIKEY-1` (value 0): RFC 3830 §4.1.2, the P-function on HMAC-SHA-1.
    MikeyOne,
    /// `PRF-HMAC-SHA-256` (value 1): RFC 6043 §6.1.
    HmacSha256,
}

impl Prf {
    /// The `PRF func` value of the HDR payload (RFC 3830 §6.1, RFC 6043 §6.1).
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::MikeyOne => 0,
            Self::HmacSha256 => 1,
        }
    }

    /// The PRF for a `PRF func` value, `None` for an unknown one.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::MikeyOne),
            1 => Some(Self::HmacSha256),
            _ => None,
        }
    }
}

/// Bytes in each piece `s_i` of the input key: 256 bits (RFC 3830 §4.1.2,
/// half the SHA-1 block; also half the SHA-256 block, so RFC 6043 §6.1 keeps it).
const PIECE: usize = 32;

/// Fills `out` with `PRF(inkey, label)` (RFC 3830 §4.1.2): `outkey_len` is
/// `out.len() * 8`.
///
/// The input key is split into 256-bit pieces `s_1 .. s_n` (the last may be
/// shorter), `P(s_i, label, m)` is computed for each and the results are
/// XORed; `out` receives the most significant `out.len()` bytes. Any input
/// key length and any output length work. An empty `inkey` counts as one
/// empty piece (HMAC keyed with the empty key); the convenience derivations
/// of this module refuse an empty key instead.
pub fn prf(prf: Prf, inkey: &[u8], label: &[u8], out: &mut [u8]) {
    out.fill(0);
    match prf {
        Prf::MikeyOne => prf_with::<Hmac<Sha1>>(inkey, label, out),
        Prf::HmacSha256 => prf_with::<Hmac<Sha256>>(inkey, label, out),
    }
}

fn prf_with<M: hmac::Mac + KeyInit + Clone>(inkey: &[u8], label: &[u8], out: &mut [u8]) {
    if inkey.is_empty() {
        p_xor::<M>(&[], label, out);
        return;
    }
    for piece in inkey.chunks(PIECE) {
        p_xor::<M>(piece, label, out);
    }
}

/// XORs `P(s, label, m)` (RFC 3830 §4.1.2) into `out`, with `m` the number
/// of hash outputs needed to cover `out`:
/// `A_0 = label`, `A_i = HMAC(s, A_(i-1))`, block `i` is `HMAC(s, A_i || label)`.
fn p_xor<M: hmac::Mac + KeyInit + Clone>(s: &[u8], label: &[u8], out: &mut [u8]) {
    // HMAC takes keys of any length, so this cannot fail.
    let Ok(keyed) = <M as KeyInit>::new_from_slice(s) else {
        return;
    };
    let hash_len = <M as hmac::digest::OutputSizeUser>::output_size();
    // A_i; A_0 is the label itself.
    let mut a: Zeroizing<alloc::vec::Vec<u8>> = Zeroizing::new(label.to_vec());
    for chunk in out.chunks_mut(hash_len) {
        let mut h = keyed.clone();
        h.update(&a);
        let mut next = h.finalize().into_bytes();
        a.clear();
        a.extend_from_slice(&next);
        next.as_mut_slice().zeroize();

        let mut h = keyed.clone();
        h.update(&a);
        h.update(label);
        let mut block = h.finalize().into_bytes();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o ^= *b;
        }
        block.as_mut_slice().zeroize();
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn output_is_xor_of_pieces() {
        // Two pieces: PRF(k1 || k2) = P(k1) XOR P(k2).
        let k: [u8; 40] = core::array::from_fn(|i| i as u8);
        let mut whole = [0u8; 30];
        prf(Prf::MikeyOne, &k, b"label", &mut whole);
        let (mut a, mut b) = ([0u8; 30], [0u8; 30]);
        prf(Prf::MikeyOne, &k[..32], b"label", &mut a);
        prf(Prf::MikeyOne, &k[32..], b"label", &mut b);
        for i in 0..30 {
            assert_eq!(whole[i], a[i] ^ b[i]);
        }
    }
}
