//! ESP integrity with HMAC-MD5-96 (RFC 2403) and HMAC-SHA-1-96 (RFC 2404).
//! AES-GMAC is keyed as a whole [`crate::Transform`].
//!
//! The HMAC inner and outer pads are hashed once, when the SA is keyed
//! ([`Integrity::new`]); each packet starts from a copy of those states.

use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;

use crate::algorithm::IntegrityAlgorithm;
use crate::Error;

/// The length of every ICV here: 96 bits.
pub const ICV_LEN: usize = 12;

#[derive(Clone)]
enum Keyed {
    Md5(Hmac<Md5>),
    Sha1(Hmac<Sha1>),
}

/// A keyed integrity algorithm of one SA.
#[derive(Clone)]
pub struct Integrity {
    algorithm: IntegrityAlgorithm,
    keyed: Keyed,
}

impl core::fmt::Debug for Integrity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Integrity({}, [redacted])", self.algorithm)
    }
}

impl Integrity {
    /// Keys `algorithm`; the key must have exactly the algorithm's length.
    pub fn new(algorithm: IntegrityAlgorithm, key: &[u8]) -> Result<Self, Error> {
        if key.len() != algorithm.key_len() {
            return Err(Error::KeyLength {
                algorithm: algorithm.token(),
                got: key.len(),
            });
        }
        let bad = |_| Error::KeyLength {
            algorithm: algorithm.token(),
            got: key.len(),
        };
        let keyed = match algorithm {
            IntegrityAlgorithm::HmacMd596 => Keyed::Md5(Hmac::new_from_slice(key).map_err(bad)?),
            IntegrityAlgorithm::HmacSha196 => Keyed::Sha1(Hmac::new_from_slice(key).map_err(bad)?),
            IntegrityAlgorithm::AesGmac | IntegrityAlgorithm::Null => {
                return Err(Error::Parameter(
                    "not an HMAC: key AES-GMAC or null as a Transform",
                ))
            }
        };
        Ok(Self { algorithm, keyed })
    }

    /// The algorithm.
    #[must_use]
    pub fn algorithm(&self) -> IntegrityAlgorithm {
        self.algorithm
    }

    /// The ICV over `authenticated` (ESP header through Next Header) and,
    /// with extended sequence numbers, the high 32 bits appended after it
    /// (RFC 4303 §2.2.1), which are never sent.
    #[must_use]
    pub fn icv(&self, authenticated: &[u8], seq_high: Option<u32>) -> [u8; ICV_LEN] {
        match &self.keyed {
            Keyed::Md5(m) => truncated(m.clone(), authenticated, seq_high),
            Keyed::Sha1(m) => truncated(m.clone(), authenticated, seq_high),
        }
    }

    /// Checks a received ICV in constant time.
    #[must_use]
    pub fn verify(&self, authenticated: &[u8], seq_high: Option<u32>, icv: &[u8]) -> bool {
        ims_sec_core::ct_eq(&self.icv(authenticated, seq_high), icv)
    }
}

/// The first 96 bits of the HMAC (RFC 2403 §3, RFC 2404 §3).
fn truncated<M: Mac>(mut mac: M, data: &[u8], seq_high: Option<u32>) -> [u8; ICV_LEN] {
    mac.update(data);
    if let Some(high) = seq_high {
        mac.update(&high.to_be_bytes());
    }
    let full = mac.finalize().into_bytes();
    let mut icv = [0; ICV_LEN];
    for (dst, src) in icv.iter_mut().zip(full.iter()) {
        *dst = *src;
    }
    icv
}
