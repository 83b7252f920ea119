//! ESP keys from the IMS AKA keys: TS 33.203 Annex I.
//!
//! - HMAC-MD5-96: IK_ESP = IK_IM (128 bits).
//! - HMAC-SHA-1-96: IK_ESP = IK_IM ‖ 32 zero bits (160 bits).
//! - AES-CBC: CK_ESP = CK_IM (128 bits).
//! - DES-EDE3-CBC: with CK_IM = CK_IM1 ‖ CK_IM2 (64 bits each),
//!   CK_ESP = CK_IM1 ‖ CK_IM2 ‖ CK_IM1 (192 bits), parity bits untouched.
//! - NULL: no key.

use ims_sec_core::{Secret, SecretBytes};

use crate::algorithm::{EncryptionAlgorithm, IntegrityAlgorithm};

/// An ESP key: up to 192 bits.
pub type EspKey = SecretBytes<24>;

/// IK_ESP for `algorithm` from the 128-bit IK_IM (TS 33.203 Annex I).
#[must_use]
pub fn integrity_key(algorithm: IntegrityAlgorithm, ik_im: &Secret<16>) -> EspKey {
    let ik = ik_im.expose_secret();
    match algorithm {
        IntegrityAlgorithm::HmacMd596 => SecretBytes::from_array(*ik),
        IntegrityAlgorithm::HmacSha196 => {
            let mut key = [0u8; 20];
            for (dst, src) in key.iter_mut().zip(ik) {
                *dst = *src;
            }
            let out = SecretBytes::from_array(key);
            zeroize::Zeroize::zeroize(&mut key);
            out
        }
    }
}

/// CK_ESP for `algorithm` from the 128-bit CK_IM (TS 33.203 Annex I).
#[must_use]
pub fn encryption_key(algorithm: EncryptionAlgorithm, ck_im: &Secret<16>) -> EspKey {
    let ck = ck_im.expose_secret();
    match algorithm {
        EncryptionAlgorithm::Null => SecretBytes::from_array([]),
        EncryptionAlgorithm::AesCbc128 => SecretBytes::from_array(*ck),
        EncryptionAlgorithm::DesEde3Cbc => {
            let mut key = [0u8; 24];
            // CK_IM1 ‖ CK_IM2 ‖ CK_IM1: the 16 bytes of CK_IM, then its first 8 again.
            for (dst, src) in key.iter_mut().zip(ck.iter().chain(ck.iter().take(8))) {
                *dst = *src;
            }
            let out = SecretBytes::from_array(key);
            zeroize::Zeroize::zeroize(&mut key);
            out
        }
    }
}
