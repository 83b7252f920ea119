//! The AES key wrap of RFC 3394 §2.2.1 (index based) with a caller-chosen
//! initial value.
//!
//! RFC 3830 §4.2.3 sets the key wrap IV to the 64-bit salt `S` derived per
//! §4.1.4, not to the default `A6A6A6A6A6A6A6A6`; `aes-kw` 0.2 only has the
//! default IV, so the 6·n wrap steps are written here over the RustCrypto
//! AES block cipher (the block cipher itself is not). The tests check this
//! against RFC 3394 §4.1 and, for the default IV, against `aes-kw`.

use aes::cipher::{BlockDecrypt, BlockEncrypt};
use aes::Aes128;
use alloc::vec::Vec;
use zeroize::Zeroize;

use super::error::CryptoError;
use ims_sec_core::ct_eq;

/// Bytes of one semiblock (64 bits).
const SEMI: usize = 8;

/// Wraps `plaintext` (a multiple of 8 bytes, at least 16) under `kek` with
/// initial value `iv`; the result is 8 bytes longer.
pub(crate) fn wrap(
    kek: &Aes128,
    iv: &[u8; SEMI],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if plaintext.len() % SEMI != 0 || plaintext.len() < 2 * SEMI {
        return Err(CryptoError::BadLength {
            what: "AES-KW plaintext",
            len: plaintext.len(),
        });
    }
    let n = (plaintext.len() / SEMI) as u64;
    let mut out = Vec::with_capacity(plaintext.len() + SEMI);
    out.extend_from_slice(iv);
    out.extend_from_slice(plaintext);
    let (a, r) = out.split_at_mut(SEMI);
    let mut block = aes::Block::default();
    for j in 0..6u64 {
        for (i, ri) in (1u64..).zip(r.chunks_exact_mut(SEMI)) {
            // B = AES(K, A | R[i]); A = MSB(64, B) ^ t; R[i] = LSB(64, B)
            let (hi, lo) = block.split_at_mut(SEMI);
            hi.copy_from_slice(a);
            lo.copy_from_slice(ri);
            kek.encrypt_block(&mut block);
            let (hi, lo) = block.split_at(SEMI);
            let t = (n * j + i).to_be_bytes();
            for ((ak, bk), tk) in a.iter_mut().zip(hi).zip(t) {
                *ak = bk ^ tk;
            }
            ri.copy_from_slice(lo);
        }
    }
    block.as_mut_slice().zeroize();
    Ok(out)
}

/// Unwraps `ciphertext` (a multiple of 8 bytes, at least 24) under `kek`
/// and checks the recovered initial value against `iv` in constant time.
pub(crate) fn unwrap(
    kek: &Aes128,
    iv: &[u8; SEMI],
    ciphertext: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
    if ciphertext.len() % SEMI != 0 || ciphertext.len() < 3 * SEMI {
        return Err(CryptoError::BadLength {
            what: "AES-KW ciphertext",
            len: ciphertext.len(),
        });
    }
    let (c0, rest) = ciphertext.split_at(SEMI);
    let n = (rest.len() / SEMI) as u64;
    let mut a = [0u8; SEMI];
    a.copy_from_slice(c0);
    let mut r = zeroize::Zeroizing::new(rest.to_vec());
    let mut block = aes::Block::default();
    for j in (0..6u64).rev() {
        for (i, ri) in (1u64..=n).rev().zip(r.rchunks_exact_mut(SEMI)) {
            // B = AES-1(K, (A ^ t) | R[i]); A = MSB(64, B); R[i] = LSB(64, B)
            let t = (n * j + i).to_be_bytes();
            let (hi, lo) = block.split_at_mut(SEMI);
            for ((bk, ak), tk) in hi.iter_mut().zip(a).zip(t) {
                *bk = ak ^ tk;
            }
            lo.copy_from_slice(ri);
            kek.decrypt_block(&mut block);
            let (hi, lo) = block.split_at(SEMI);
            a.copy_from_slice(hi);
            ri.copy_from_slice(lo);
        }
    }
    block.as_mut_slice().zeroize();
    if ct_eq(&a, iv) {
        Ok(r)
    } else {
        Err(CryptoError::Unwrap)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use aes::cipher::KeyInit;

    fn h(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc3394_4_1_wrap_128_bits_with_128_bit_kek() {
        let kek = Aes128::new_from_slice(&h("000102030405060708090A0B0C0D0E0F")).unwrap();
        let key = h("00112233445566778899AABBCCDDEEFF");
        let c = wrap(&kek, &aes_kw::IV, &key).unwrap();
        assert_eq!(c, h("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"));
        assert_eq!(*unwrap(&kek, &aes_kw::IV, &c).unwrap(), key);
        let mut bad = c.clone();
        bad[3] ^= 1;
        assert_eq!(unwrap(&kek, &aes_kw::IV, &bad), Err(CryptoError::Unwrap));
    }
}
