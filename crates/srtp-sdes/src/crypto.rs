//! The keyed transforms of one derived key set: AES-CM (RFC 3711 §4.1.1,
//! RFC 6188) with HMAC-SHA1 (RFC 3711 §4.2.1), or AES-GCM (RFC 7714).
//!
//! Everything costly is done once, when the keys are derived: AES key
//! schedules, the HMAC inner and outer pad states, GCM's hash key. A packet
//! borrows them; nothing is copied or allocated per packet.

use aes::cipher::{KeyInit, StreamCipher};
use aes::{Aes128Enc, Aes192Enc, Aes256Enc};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use zeroize::Zeroize;

use crate::kdf::{Kdf, Label};
use crate::suite::{Cipher, CryptoSuite};
use crate::Error;

/// An AES encryption key schedule of any of the three sizes.
#[derive(Clone)]
pub(crate) enum AesKey {
    A128(Aes128Enc),
    A192(Aes192Enc),
    A256(Aes256Enc),
}

impl AesKey {
    pub(crate) fn new(key: &[u8]) -> Result<Self, Error> {
        let bad = |_| Error::Policy("AES key must be 16, 24 or 32 bytes");
        Ok(match key.len() {
            16 => Self::A128(Aes128Enc::new_from_slice(key).map_err(bad)?),
            24 => Self::A192(Aes192Enc::new_from_slice(key).map_err(bad)?),
            32 => Self::A256(Aes256Enc::new_from_slice(key).map_err(bad)?),
            _ => return Err(Error::Policy("AES key must be 16, 24 or 32 bytes")),
        })
    }

    /// XORs `data` with the AES counter-mode keystream starting at `iv`
    /// (RFC 3711 §4.1.1: the 128-bit counter block increments per block).
    pub(crate) fn apply_keystream(&self, iv: &[u8; 16], data: &mut [u8]) {
        use ctr::cipher::InnerIvInit;
        let iv = iv.into();
        match self {
            Self::A128(k) => {
                ctr::Ctr128BE::<&Aes128Enc>::from_core(ctr::CtrCore::inner_iv_init(k, iv))
                    .apply_keystream(data)
            }
            Self::A192(k) => {
                ctr::Ctr128BE::<&Aes192Enc>::from_core(ctr::CtrCore::inner_iv_init(k, iv))
                    .apply_keystream(data)
            }
            Self::A256(k) => {
                ctr::Ctr128BE::<&Aes256Enc>::from_core(ctr::CtrCore::inner_iv_init(k, iv))
                    .apply_keystream(data)
            }
        }
    }
}

/// AES-GCM keyed for one direction. Kept inline, not boxed: with a key
/// derivation rate, keys for a new `r` are derived on the stack, and a box
/// would allocate there.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
enum Gcm {
    A128(Aes128Gcm),
    A256(Aes256Gcm),
}

#[derive(Clone)]
enum Transform {
    /// AES-CM encryption with an HMAC-SHA1 whose pads are already hashed.
    Cm { aes: AesKey, hmac: Hmac<Sha1> },
    /// AES-GCM, encryption and authentication in one.
    Gcm(Gcm),
}

/// The GCM tag length (RFC 7714 §14.2: 16 octets for both suites).
pub const GCM_TAG_LEN: usize = 16;
/// HMAC-SHA1's full output.
pub const HMAC_SHA1_LEN: usize = 20;

/// One derived key set (SRTP or SRTCP) of a suite: the session encryption
/// key, salt and authentication key, keyed and ready.
#[derive(Clone)]
pub struct SessionKeys {
    suite: CryptoSuite,
    transform: Transform,
    /// The session salt; the last two bytes are zero (the `· 2^16` of RFC
    /// 3711 §4.1.1), and only 12 bytes are used with GCM.
    salt: [u8; 16],
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SessionKeys({}, [redacted])", self.suite)
    }
}

impl Drop for SessionKeys {
    fn drop(&mut self) {
        self.salt.zeroize();
    }
}

impl SessionKeys {
    /// Derives the SRTP (`rtcp == false`) or SRTCP key set for `r = index DIV
    /// kdr` (RFC 3711 §4.3).
    pub fn derive(suite: CryptoSuite, kdf: &Kdf, rtcp: bool, r: u64) -> Result<Self, Error> {
        let (enc, auth, salt) = if rtcp {
            (
                Label::RtcpEncryption,
                Label::RtcpAuthentication,
                Label::RtcpSalt,
            )
        } else {
            (
                Label::RtpEncryption,
                Label::RtpAuthentication,
                Label::RtpSalt,
            )
        };
        let mut key = [0u8; 32];
        let mut auth_key = [0u8; HMAC_SHA1_LEN];
        let mut session_salt = [0u8; 14];
        let key_len = suite.master_key_len();
        let salt_len = suite.master_salt_len();
        let auth_len = suite.auth_key_len();
        let result = match (
            key.get_mut(..key_len),
            auth_key.get_mut(..auth_len),
            session_salt.get_mut(..salt_len),
        ) {
            (Some(k), Some(a), Some(s)) => {
                kdf.derive(enc, r, k);
                kdf.derive(auth, r, a);
                kdf.derive(salt, r, s);
                Self::from_session_keys(suite, k, s, a)
            }
            _ => Err(Error::UnsupportedSuite(suite)),
        };
        key.zeroize();
        auth_key.zeroize();
        session_salt.zeroize();
        result
    }

    /// A key set from session keys given directly (RFC 7714's test vectors
    /// are written this way): encryption key, salt (14 bytes, 12 for GCM),
    /// and the 20-byte authentication key (empty for GCM).
    pub fn from_session_keys(
        suite: CryptoSuite,
        key: &[u8],
        salt: &[u8],
        auth_key: &[u8],
    ) -> Result<Self, Error> {
        if key.len() != suite.master_key_len()
            || salt.len() != suite.master_salt_len()
            || auth_key.len() != suite.auth_key_len()
        {
            return Err(Error::Policy(
                "session key, salt or auth key length does not match the suite",
            ));
        }
        let transform = match suite.cipher() {
            Cipher::AesCm(_) => Transform::Cm {
                aes: AesKey::new(key)?,
                hmac: <Hmac<Sha1> as Mac>::new_from_slice(auth_key)
                    .map_err(|_| Error::Policy("HMAC key"))?,
            },
            Cipher::AesGcm(16) => Transform::Gcm(Gcm::A128(
                Aes128Gcm::new_from_slice(key).map_err(|_| Error::Policy("GCM key"))?,
            )),
            Cipher::AesGcm(_) => Transform::Gcm(Gcm::A256(
                Aes256Gcm::new_from_slice(key).map_err(|_| Error::Policy("GCM key"))?,
            )),
            Cipher::AesF8 => return Err(Error::UnsupportedSuite(suite)),
        };
        let mut padded = [0u8; 16];
        padded
            .get_mut(..salt.len())
            .ok_or(Error::Policy("salt"))?
            .copy_from_slice(salt);
        Ok(Self {
            suite,
            transform,
            salt: padded,
        })
    }

    /// The suite.
    #[must_use]
    pub fn suite(&self) -> CryptoSuite {
        self.suite
    }

    /// The AES-CM IV of RFC 3711 §4.1.1: `salt · 2^16 XOR SSRC · 2^64 XOR
    /// index · 2^16`, for an SRTP index or an SRTCP index.
    fn cm_iv(&self, ssrc: u32, index: u64) -> [u8; 16] {
        let mut iv = self.salt;
        for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
            *b ^= s;
        }
        for (b, i) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
            *b ^= i;
        }
        iv
    }

    /// The GCM nonce of RFC 7714 §8.1 (SRTP: `00 00 ‖ SSRC ‖ ROC ‖ SEQ`) or
    /// §9.1 (SRTCP: `00 00 ‖ SSRC ‖ 00 00 ‖ 0 ‖ SRTCP index`), XOR the salt.
    fn gcm_nonce(
        &self,
        ssrc: u32,
        index: u64,
        rtcp: bool,
    ) -> aes_gcm::Nonce<aes_gcm::aead::consts::U12> {
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&self.salt[..12]);
        for (b, s) in nonce[2..6].iter_mut().zip(ssrc.to_be_bytes()) {
            *b ^= s;
        }
        let (tail, index_bytes) = if rtcp {
            (&mut nonce[8..12], &index.to_be_bytes()[4..])
        } else {
            (&mut nonce[6..12], &index.to_be_bytes()[2..])
        };
        for (b, i) in tail.iter_mut().zip(index_bytes) {
            *b ^= i;
        }
        nonce.into()
    }

    /// AES-CM only: encrypts or decrypts `data` for this SSRC and index.
    pub fn apply_cm_keystream(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        if let Transform::Cm { aes, .. } = &self.transform {
            aes.apply_keystream(&self.cm_iv(ssrc, index), data);
        }
    }

    /// HMAC-SHA1 only: the full 20-byte MAC over `data ‖ trailer` (SRTP's
    /// trailer is the ROC; SRTCP authenticates E ‖ index inside `data`).
    #[must_use]
    pub fn hmac(&self, data: &[u8], trailer: &[u8]) -> [u8; HMAC_SHA1_LEN] {
        match &self.transform {
            Transform::Cm { hmac, .. } => {
                let mut mac = hmac.clone();
                mac.update(data);
                mac.update(trailer);
                mac.finalize().into_bytes().into()
            }
            Transform::Gcm(_) => [0; HMAC_SHA1_LEN],
        }
    }

    /// Whether this is an AEAD key set.
    #[must_use]
    pub fn is_aead(&self) -> bool {
        matches!(self.transform, Transform::Gcm(_))
    }

    /// AES-GCM only: encrypts `data` in place with `aad` and returns the tag.
    pub fn gcm_seal(
        &self,
        ssrc: u32,
        index: u64,
        rtcp: bool,
        aad: &[u8],
        data: &mut [u8],
    ) -> Result<[u8; GCM_TAG_LEN], Error> {
        let nonce = self.gcm_nonce(ssrc, index, rtcp);
        let tag = match &self.transform {
            Transform::Gcm(Gcm::A128(g)) => g.encrypt_in_place_detached(&nonce, aad, data),
            Transform::Gcm(Gcm::A256(g)) => g.encrypt_in_place_detached(&nonce, aad, data),
            Transform::Cm { .. } => return Err(Error::Policy("not an AEAD key set")),
        }
        .map_err(|_| Error::Malformed("packet too long for AES-GCM"))?;
        Ok(tag.into())
    }

    /// AES-GCM only: checks `tag` and, only if it verifies, decrypts `data`
    /// in place; on failure `data` is untouched.
    pub fn gcm_open(
        &self,
        ssrc: u32,
        index: u64,
        rtcp: bool,
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; GCM_TAG_LEN],
    ) -> Result<(), Error> {
        let nonce = self.gcm_nonce(ssrc, index, rtcp);
        let tag = tag.into();
        match &self.transform {
            Transform::Gcm(Gcm::A128(g)) => g.decrypt_in_place_detached(&nonce, aad, data, tag),
            Transform::Gcm(Gcm::A256(g)) => g.decrypt_in_place_detached(&nonce, aad, data, tag),
            Transform::Cm { .. } => return Err(Error::Policy("not an AEAD key set")),
        }
        .map_err(|_| Error::Authentication)
    }
}
