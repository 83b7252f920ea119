//! ESP keys from the IMS AKA keys: TS 33.203 Annex I.
//!
//! - HMAC-MD5-96: IK_ESP = IK_IM (128 bits).
//! - HMAC-SHA-1-96: IK_ESP = IK_IM ‖ 32 zero bits (160 bits).
//! - AES-GMAC: IK_ESP = IK_IM, followed by its salt.
//! - AES-CBC: CK_ESP = CK_IM (128 bits).
//! - AES-GCM: CK_ESP = CK_IM, followed by its salt.
//! - DES-EDE3-CBC: with CK_IM = CK_IM1 ‖ CK_IM2 (64 bits each),
//!   CK_ESP = CK_IM1 ‖ CK_IM2 ‖ CK_IM1 (192 bits), parity bits untouched.
//! - NULL: no key.
//!
//! The GCM and GMAC salts are the last 32 bits of the key derivation
//! function of TS 33.220 Annex B.2, HMAC-SHA-256(CK_IM ‖ IK_IM, FC ‖ P0 ‖
//! L0), with FC = 0x58 and P0 = "AES_GMAC_SALT" for GMAC, FC = 0x59 and
//! P0 = "AES_GCM_SALT" for GCM (TS 33.203 Annex I).

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use ims_sec_core::{Secret, SecretBytes};
use sha2::Sha256;

use crate::algorithm::{EncryptionAlgorithm, IntegrityAlgorithm};

/// ESP keying material: up to 192 bits.
pub type EspKey = SecretBytes<24>;

/// The keying material of one SA, as [`crate::Transform::new`] takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EspKeys {
    /// IK_ESP (for AES-GMAC, key ‖ salt; empty for `null`).
    pub integrity: EspKey,
    /// CK_ESP (for AES-GCM, key ‖ salt; empty for `null`).
    pub encryption: EspKey,
}

impl EspKeys {
    /// Expands CK_IM and IK_IM for an algorithm pair (TS 33.203 Annex I).
    #[must_use]
    pub fn derive(
        integrity: IntegrityAlgorithm,
        encryption: EncryptionAlgorithm,
        ck_im: &Secret<16>,
        ik_im: &Secret<16>,
    ) -> Self {
        Self {
            integrity: integrity_key(integrity, ck_im, ik_im),
            encryption: encryption_key(encryption, ck_im, ik_im),
        }
    }
}

/// IK_ESP for `algorithm` (TS 33.203 Annex I).
#[must_use]
pub fn integrity_key(
    algorithm: IntegrityAlgorithm,
    ck_im: &Secret<16>,
    ik_im: &Secret<16>,
) -> EspKey {
    let ik = ik_im.expose_secret();
    match algorithm {
        IntegrityAlgorithm::HmacMd596 => SecretBytes::from_array(*ik),
        IntegrityAlgorithm::HmacSha196 => concat(ik, &[0; 4]),
        IntegrityAlgorithm::AesGmac => concat(ik, &salt(Salt::Gmac, ck_im, ik_im)),
        IntegrityAlgorithm::Null => SecretBytes::from_array([]),
    }
}

/// CK_ESP for `algorithm` (TS 33.203 Annex I).
#[must_use]
pub fn encryption_key(
    algorithm: EncryptionAlgorithm,
    ck_im: &Secret<16>,
    ik_im: &Secret<16>,
) -> EspKey {
    let ck = ck_im.expose_secret();
    match algorithm {
        EncryptionAlgorithm::Null => SecretBytes::from_array([]),
        EncryptionAlgorithm::AesCbc128 => SecretBytes::from_array(*ck),
        EncryptionAlgorithm::AesGcm => concat(ck, &salt(Salt::Gcm, ck_im, ik_im)),
        // CK_IM1 ‖ CK_IM2 ‖ CK_IM1: the 16 bytes of CK_IM, then its first 8 again.
        EncryptionAlgorithm::DesEde3Cbc => concat(ck, ck.first_chunk::<8>().unwrap_or(&[0; 8])),
    }
}

/// Which salt of Annex I.
#[derive(Clone, Copy)]
enum Salt {
    Gmac,
    Gcm,
}

/// The 32 least significant bits of HMAC-SHA-256(CK_IM ‖ IK_IM, FC ‖ P0 ‖ L0)
/// (TS 33.220 Annex B.2 with the FC and P0 of TS 33.203 Annex I).
fn salt(which: Salt, ck_im: &Secret<16>, ik_im: &Secret<16>) -> [u8; 4] {
    let (fc, p0): (u8, &[u8]) = match which {
        Salt::Gmac => (0x58, b"AES_GMAC_SALT"),
        Salt::Gcm => (0x59, b"AES_GCM_SALT"),
    };
    // CK_IM ‖ IK_IM, zero-padded to the SHA-256 block as HMAC does with a
    // short key: keying this way cannot fail.
    let mut key = [0u8; 64];
    for (dst, src) in key
        .iter_mut()
        .zip(ck_im.expose_secret().iter().chain(ik_im.expose_secret()))
    {
        *dst = *src;
    }
    let mut kdf =
        <Hmac<Sha256> as KeyInit>::new(hmac::digest::generic_array::GenericArray::from_slice(&key));
    zeroize::Zeroize::zeroize(&mut key);
    kdf.update(&[fc]);
    kdf.update(p0);
    kdf.update(&(p0.len() as u16).to_be_bytes());
    let mut out = kdf.finalize().into_bytes();
    let salt = out.last_chunk::<4>().copied().unwrap_or_default();
    zeroize::Zeroize::zeroize(out.as_mut_slice());
    salt
}

/// `a ‖ b` as a secret, the stack copy wiped.
fn concat<const MAX: usize>(a: &[u8], b: &[u8]) -> SecretBytes<MAX> {
    let mut buf = [0u8; MAX];
    let mut len = 0;
    for (dst, src) in buf.iter_mut().zip(a.iter().chain(b)) {
        *dst = *src;
        len += 1;
    }
    let out = SecretBytes::from_slice(buf.get(..len).unwrap_or_default())
        .unwrap_or_else(|_| SecretBytes::from_array([]));
    zeroize::Zeroize::zeroize(&mut buf);
    out
}
