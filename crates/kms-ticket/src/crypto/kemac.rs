//! KEMAC protection: the encryption of RFC 3830 §4.2.3 (NULL, AES-CM-128,
//! AES-KW-128) and RFC 6043 §6.2 (AES-CM-256), and the MAC of RFC 3830
//! §4.2.4 (NULL, HMAC-SHA-1-160) and RFC 6043 §6.2 (HMAC-SHA-256-256).
//!
//! [`ProtectionKeys`] derives the encryption, salt and authentication keys
//! once and keeps only what the transforms need: the AES key schedule, the
//! salt, and the HMAC state with its pads absorbed. A message then costs the
//! cipher and the hash, with no key setup.

use alloc::vec::Vec;
use core::fmt;

use aes::cipher::{KeyInit, StreamCipher};
use aes::{Aes128, Aes128Enc, Aes256Enc};
use hmac::{Hmac, Mac as _};
use ims_sec_core::{ct_eq, Secret};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::derive::{derive_key, MessageKeyKind, MessageKeyLabel};
use super::error::CryptoError;
use super::keywrap;
use super::prf::Prf;

/// The `Encr alg` of the KEMAC payload (RFC 3830 §6.2, RFC 6043 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encryption {
    /// NULL (0): no encryption (RFC 3830 §4.2.3: only when the underlying
    /// protocols give security).
    Null,
    /// AES-CM-128 (1), RFC 3830 §4.2.3.
    AesCm128,
    /// AES-KW-128 (2), RFC 3830 §4.2.3 with RFC 3394, IV = the 64-bit salt.
    AesKw128,
    /// AES-CM-256 (3), RFC 6043 §6.2.
    AesCm256,
}

impl Encryption {
    /// The `Encr alg` value.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Null => 0,
            Self::AesCm128 => 1,
            Self::AesKw128 => 2,
            Self::AesCm256 => 3,
        }
    }

    /// The algorithm for an `Encr alg` value, `None` for an unknown one.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Null),
            1 => Some(Self::AesCm128),
            2 => Some(Self::AesKw128),
            3 => Some(Self::AesCm256),
            _ => None,
        }
    }

    /// Length of the encryption key in bytes (0 for NULL).
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            Self::Null => 0,
            Self::AesCm128 | Self::AesKw128 => 16,
            Self::AesCm256 => 32,
        }
    }

    /// Length of the salt key in bytes: 112 bits for AES-CM (the `S` of the
    /// IV), 64 bits for AES-KW (the key wrap IV), 0 for NULL.
    #[must_use]
    pub const fn salt_len(self) -> usize {
        match self {
            Self::Null => 0,
            Self::AesCm128 | Self::AesCm256 => CM_SALT_LEN,
            Self::AesKw128 => KW_SALT_LEN,
        }
    }

    /// Length of the ciphertext for a plaintext of `len` bytes: AES-KW adds
    /// 8 bytes, the others none.
    #[must_use]
    pub const fn ciphertext_len(self, len: usize) -> usize {
        match self {
            Self::AesKw128 => len + 8,
            _ => len,
        }
    }
}

/// The `MAC alg` of the KEMAC and V payloads (RFC 3830 §6.2, RFC 6043 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mac {
    /// NULL (0): no MAC.
    Null,
    /// HMAC-SHA-1-160 (1), RFC 3830 §4.2.4.
    HmacSha1_160,
    /// HMAC-SHA-256-256 (2), RFC 6043 §6.2.
    HmacSha256_256,
}

impl Mac {
    /// The `MAC alg` value.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Null => 0,
            Self::HmacSha1_160 => 1,
            Self::HmacSha256_256 => 2,
        }
    }

    /// The algorithm for a `MAC alg` value, `None` for an unknown one.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Null),
            1 => Some(Self::HmacSha1_160),
            2 => Some(Self::HmacSha256_256),
            _ => None,
        }
    }

    /// Length of the authentication key in bytes: the hash output length
    /// (RFC 3830 §4.2.4 SHOULD, RFC 6043 §6.2 SHALL); 0 for NULL.
    #[must_use]
    pub const fn key_len(self) -> usize {
        self.tag_len()
    }

    /// Length of the MAC field in bytes (0 for NULL).
    #[must_use]
    pub const fn tag_len(self) -> usize {
        match self {
            Self::Null => 0,
            Self::HmacSha1_160 => 20,
            Self::HmacSha256_256 => 32,
        }
    }
}

/// The 112-bit salt `S` of the AES-CM IV.
const CM_SALT_LEN: usize = 14;
/// The 64-bit salt that is the AES-KW IV.
const KW_SALT_LEN: usize = 8;
/// AES-CM counts blocks in the low 16 bits of the IV, so at most 2^16
/// blocks (2^23 bits) can be encrypted (RFC 3830 §4.2.3 note).
pub const MAX_AES_CM_LEN: usize = 1 << 20;

// One per set of protection keys, built once: the AES key schedules stay
// inline rather than boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Cipher {
    Null,
    Cm128 {
        aes: Aes128Enc,
        salt: Secret<CM_SALT_LEN>,
    },
    Cm256 {
        aes: Aes256Enc,
        salt: Secret<CM_SALT_LEN>,
    },
    Kw128 {
        aes: Aes128,
        iv: Secret<KW_SALT_LEN>,
    },
}

#[derive(Clone)]
enum Auth {
    Null,
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
}

/// The encryption, salt and authentication keys that protect MIKEY
/// messages, keyed once for an ([`Encryption`], [`Mac`]) pair.
///
/// `Debug` names the algorithms and nothing else.
#[derive(Clone)]
pub struct ProtectionKeys {
    enc: Encryption,
    mac: Mac,
    cipher: Cipher,
    auth: Auth,
    allow_null_mac: bool,
}

impl fmt::Debug for ProtectionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectionKeys")
            .field("enc", &self.enc)
            .field("mac", &self.mac)
            .field("allow_null_mac", &self.allow_null_mac)
            .field("keys", &"[redacted]")
            .finish()
    }
}

fn bad_key(what: &'static str, len: usize) -> CryptoError {
    CryptoError::BadLength { what, len }
}

impl ProtectionKeys {
    /// Derives the keys from `inkey` (envelope key, PSK, MPKi, MPKr', MPKr or
    /// TPK) with the labels of `label`, sized for `enc` and `mac`. Keys an
    /// algorithm does not use (NULL) are not derived.
    ///
    /// Errors: an empty `inkey`, or a label that cannot be built.
    pub fn derive(
        prf: Prf,
        inkey: &[u8],
        label: &MessageKeyLabel<'_>,
        enc: Encryption,
        mac: Mac,
    ) -> Result<Self, CryptoError> {
        Self::derive_with(prf, inkey, |kind| label.label(kind), enc, mac)
    }

    /// As [`ProtectionKeys::derive`], with the labels from `label_for`.
    pub fn derive_with(
        prf: Prf,
        inkey: &[u8],
        label_for: impl Fn(MessageKeyKind) -> Result<Vec<u8>, CryptoError>,
        enc: Encryption,
        mac: Mac,
    ) -> Result<Self, CryptoError> {
        if inkey.is_empty() {
            return Err(CryptoError::EmptyKey);
        }
        let one = |kind: MessageKeyKind, len: usize| -> Result<_, CryptoError> {
            if len == 0 {
                return Ok(None);
            }
            derive_key(prf, inkey, &label_for(kind)?, len).map(Some)
        };
        let encr = one(MessageKeyKind::Encr, enc.key_len())?;
        let salt = one(MessageKeyKind::Salt, enc.salt_len())?;
        let auth = one(MessageKeyKind::Auth, mac.key_len())?;
        let empty: &[u8] = &[];
        Self::from_keys(
            enc,
            mac,
            encr.as_ref().map_or(empty, |k| k.expose_secret()),
            salt.as_ref().map_or(empty, |k| k.expose_secret()),
            auth.as_ref().map_or(empty, |k| k.expose_secret()),
        )
    }

    /// Keys the transforms with keys already at hand (for example from a
    /// peer's test vectors). Each key must have the length `enc` and `mac`
    /// ask for ([`Encryption::key_len`], [`Encryption::salt_len`],
    /// [`Mac::key_len`]); NULL takes empty keys.
    pub fn from_keys(
        enc: Encryption,
        mac: Mac,
        encr_key: &[u8],
        salt_key: &[u8],
        auth_key: &[u8],
    ) -> Result<Self, CryptoError> {
        if encr_key.len() != enc.key_len() {
            return Err(bad_key("encryption key", encr_key.len()));
        }
        if salt_key.len() != enc.salt_len() {
            return Err(bad_key("salt key", salt_key.len()));
        }
        if auth_key.len() != mac.key_len() {
            return Err(bad_key("authentication key", auth_key.len()));
        }
        let ek = |len| bad_key("encryption key", len);
        let sk = |e: ims_sec_core::LengthError| bad_key("salt key", e.got);
        let cipher = match enc {
            Encryption::Null => Cipher::Null,
            Encryption::AesCm128 => Cipher::Cm128 {
                aes: Aes128Enc::new_from_slice(encr_key).map_err(|_| ek(encr_key.len()))?,
                salt: Secret::from_slice(salt_key).map_err(sk)?,
            },
            Encryption::AesCm256 => Cipher::Cm256 {
                aes: Aes256Enc::new_from_slice(encr_key).map_err(|_| ek(encr_key.len()))?,
                salt: Secret::from_slice(salt_key).map_err(sk)?,
            },
            Encryption::AesKw128 => Cipher::Kw128 {
                aes: Aes128::new_from_slice(encr_key).map_err(|_| ek(encr_key.len()))?,
                iv: Secret::from_slice(salt_key).map_err(sk)?,
            },
        };
        let ak = |_| bad_key("authentication key", auth_key.len());
        let auth = match mac {
            Mac::Null => Auth::Null,
            Mac::HmacSha1_160 => {
                Auth::Sha1(<Hmac<Sha1> as KeyInit>::new_from_slice(auth_key).map_err(ak)?)
            }
            Mac::HmacSha256_256 => {
                Auth::Sha256(<Hmac<Sha256> as KeyInit>::new_from_slice(auth_key).map_err(ak)?)
            }
        };
        Ok(Self {
            enc,
            mac,
            cipher,
            auth,
            allow_null_mac: false,
        })
    }

    /// Lets [`ProtectionKeys::verify`] accept the NULL MAC (an empty tag).
    ///
    /// Without this, verifying with [`Mac::Null`] fails with
    /// [`CryptoError::NullMacRefused`], so NULL authentication is always a
    /// decision the caller wrote down (RFC 3830 §4.2.4: only when the
    /// underlying protocols give security; RFC 6043 Appendix A.1: the
    /// ticket's KEMAC, whose MAC is in the V payload instead).
    #[must_use]
    pub fn allow_null_mac(mut self) -> Self {
        self.allow_null_mac = true;
        self
    }

    /// The encryption algorithm.
    #[must_use]
    pub const fn encryption(&self) -> Encryption {
        self.enc
    }

    /// The MAC algorithm.
    #[must_use]
    pub const fn mac_alg(&self) -> Mac {
        self.mac
    }

    /// Length of the tag [`ProtectionKeys::mac`] returns.
    #[must_use]
    pub const fn tag_len(&self) -> usize {
        self.mac.tag_len()
    }

    /// The AES-CM IV of RFC 3830 §4.2.3:
    /// `IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000`, with `S` the
    /// 112-bit salt and `T` the 64-bit timestamp (see
    /// [`super::TimestampValue::iv_value`]; 0xFFFFFFFF as CSB ID for the
    /// ticket's KEMAC, RFC 6043 Appendix A.1).
    fn cm_iv(salt: &Secret<CM_SALT_LEN>, csb_id: u32, t: u64) -> Zeroizing<[u8; 16]> {
        let mut iv = Zeroizing::new([0u8; 16]);
        let mut x = [0u8; CM_SALT_LEN];
        if let Some(c) = x.get_mut(2..6) {
            c.copy_from_slice(&csb_id.to_be_bytes());
        }
        if let Some(c) = x.get_mut(6..14) {
            c.copy_from_slice(&t.to_be_bytes());
        }
        for ((v, s), x) in iv.iter_mut().zip(salt.expose_secret()).zip(x) {
            *v = s ^ x;
        }
        iv
    }

    fn cm_apply(&self, csb_id: u32, t: u64, data: &mut [u8]) {
        use ctr::cipher::InnerIvInit;
        match &self.cipher {
            Cipher::Cm128 { aes, salt } => {
                let iv = Self::cm_iv(salt, csb_id, t);
                ctr::Ctr128BE::<&Aes128Enc>::from_core(ctr::CtrCore::inner_iv_init(
                    aes,
                    (&*iv).into(),
                ))
                .apply_keystream(data);
            }
            Cipher::Cm256 { aes, salt } => {
                let iv = Self::cm_iv(salt, csb_id, t);
                ctr::Ctr128BE::<&Aes256Enc>::from_core(ctr::CtrCore::inner_iv_init(
                    aes,
                    (&*iv).into(),
                ))
                .apply_keystream(data);
            }
            Cipher::Null | Cipher::Kw128 { .. } => {}
        }
    }

    /// Encrypts the KEMAC's Encr data (RFC 3830 §4.2.3).
    ///
    /// `csb_id` and `t` (the Initiator's timestamp as 64 bits) enter the
    /// AES-CM IV; AES-KW and NULL ignore them. Errors: AES-CM plaintext over
    /// [`MAX_AES_CM_LEN`] bytes; AES-KW plaintext not a multiple of 8 bytes
    /// or shorter than 16 (RFC 3830 defines no padding; RFC 3394 wraps whole
    /// 64-bit blocks, at least two).
    pub fn encrypt(&self, csb_id: u32, t: u64, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match &self.cipher {
            Cipher::Null => Ok(plaintext.to_vec()),
            Cipher::Cm128 { .. } | Cipher::Cm256 { .. } => {
                if plaintext.len() > MAX_AES_CM_LEN {
                    return Err(bad_key("AES-CM plaintext", plaintext.len()));
                }
                let mut out = plaintext.to_vec();
                self.cm_apply(csb_id, t, &mut out);
                Ok(out)
            }
            Cipher::Kw128 { aes, iv } => keywrap::wrap(aes, iv.expose_secret(), plaintext),
        }
    }

    /// Decrypts the KEMAC's Encr data (RFC 3830 §4.2.3); the inverse of
    /// [`ProtectionKeys::encrypt`]. AES-KW also checks its integrity value
    /// ([`CryptoError::Unwrap`]); AES-CM and NULL have no integrity of their
    /// own, so verify the MAC first.
    pub fn decrypt(
        &self,
        csb_id: u32,
        t: u64,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        match &self.cipher {
            Cipher::Null => Ok(Zeroizing::new(ciphertext.to_vec())),
            Cipher::Cm128 { .. } | Cipher::Cm256 { .. } => {
                if ciphertext.len() > MAX_AES_CM_LEN {
                    return Err(bad_key("AES-CM ciphertext", ciphertext.len()));
                }
                let mut out = Zeroizing::new(ciphertext.to_vec());
                self.cm_apply(csb_id, t, &mut out);
                Ok(out)
            }
            Cipher::Kw128 { aes, iv } => keywrap::unwrap(aes, iv.expose_secret(), ciphertext),
        }
    }

    /// The full-length MAC of `data` (RFC 3830 §4.2.4): 20 bytes for
    /// HMAC-SHA-1-160, 32 for HMAC-SHA-256-256, empty for NULL.
    #[must_use]
    pub fn mac(&self, data: &[u8]) -> Vec<u8> {
        self.mac_parts(&[data])
    }

    /// The MAC of the concatenation of `parts`, for a message whose
    /// covered bytes are not contiguous.
    #[must_use]
    pub fn mac_parts(&self, parts: &[&[u8]]) -> Vec<u8> {
        match &self.auth {
            Auth::Null => Vec::new(),
            Auth::Sha1(h) => {
                let mut h = h.clone();
                for p in parts {
                    h.update(p);
                }
                h.finalize().into_bytes().to_vec()
            }
            Auth::Sha256(h) => {
                let mut h = h.clone();
                for p in parts {
                    h.update(p);
                }
                h.finalize().into_bytes().to_vec()
            }
        }
    }

    /// Checks `tag` against the MAC of `data` in constant time.
    ///
    /// Errors: [`CryptoError::MacMismatch`] for a wrong tag or a tag of the
    /// wrong length; with [`Mac::Null`], [`CryptoError::NullMacRefused`]
    /// unless [`ProtectionKeys::allow_null_mac`] was called, and then only an
    /// empty tag verifies.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> Result<(), CryptoError> {
        self.verify_parts(&[data], tag)
    }

    /// As [`ProtectionKeys::verify`] over the concatenation of `parts`.
    pub fn verify_parts(&self, parts: &[&[u8]], tag: &[u8]) -> Result<(), CryptoError> {
        if matches!(self.auth, Auth::Null) {
            if !self.allow_null_mac {
                return Err(CryptoError::NullMacRefused);
            }
            return if tag.is_empty() {
                Ok(())
            } else {
                Err(CryptoError::MacMismatch)
            };
        }
        let expected = Zeroizing::new(self.mac_parts(parts));
        if ct_eq(&expected, tag) {
            Ok(())
        } else {
            Err(CryptoError::MacMismatch)
        }
    }
}
