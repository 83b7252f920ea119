//! Identifiers: contents, permanent (IMS) identities and temporary peer IDs
//! (TR 33.844 §5.3).
//!
//! A UE shows other peers only a [`TemporaryPeerId`]. It makes one per
//! epoch, either from a [`TidSecret`] (HMAC-SHA-256 of the epoch, so the UE
//! stores nothing and no one without the secret can link two epochs' TIDs)
//! or at random from an injected RNG. The Tracker learns which
//! [`PermanentId`] (the identity IMS authenticated) holds which TID and keeps
//! that to itself.

use alloc::vec::Vec;
use core::fmt;

use hmac::{Hmac, Mac};
use ims_sec_core::Secret;
use rand_core::CryptoRngCore;
use sha2::Sha256;

use crate::codec::Reader;
use crate::error::{Error, ParseError};

macro_rules! short_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Vec<u8>);

        impl $name {
            /// From 1 to 255 bytes.
            pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
                let bytes = bytes.into();
                if bytes.is_empty() || bytes.len() > 255 {
                    return Err(Error::IdLength(bytes.len()));
                }
                Ok(Self(bytes))
            }

            /// The identifier's bytes.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            pub(crate) fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, ParseError> {
                let at = r.position();
                let bytes = r.short_bytes(what)?;
                if bytes.is_empty() {
                    return Err(ParseError::new(at, what));
                }
                Ok(Self(bytes.to_vec()))
            }

            pub(crate) fn emit(&self, out: &mut Vec<u8>) {
                crate::codec::put_short_bytes(out, &self.0);
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match core::str::from_utf8(&self.0) {
                    Ok(s) => write!(f, "{}({s:?})", stringify!($name)),
                    Err(_) => write!(f, "{}({} bytes)", stringify!($name), self.0.len()),
                }
            }
        }
    };
}

short_id!(
    /// A content's identifier (1 to 255 bytes), as the content service names it.
    ContentId
);

short_id!(
    /// A UE's permanent identity (1 to 255 bytes: an IMPU such as
    /// `sip:alice@ims.example`, or an IMPI), as IMS authenticated it. Only the
    /// Tracker and the CCS see it; no peer-list type can carry it.
    PermanentId
);

/// A temporary peer ID: 128 bits that name a peer to other peers for one
/// epoch.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TemporaryPeerId([u8; 16]);

impl TemporaryPeerId {
    /// Its length in bytes.
    pub const LEN: usize = 16;

    /// From its bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Drawn from `rng`, for a UE that keeps no TID secret.
    pub fn random(rng: &mut impl CryptoRngCore) -> Self {
        let mut b = [0; 16];
        rng.fill_bytes(&mut b);
        Self(b)
    }

    /// Its bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for TemporaryPeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tid(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl fmt::Display for TemporaryPeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The UE's secret for deriving TIDs: TID(epoch) = the first 16 bytes of
/// HMAC-SHA-256(secret, "ims-sec p2p tid" ‖ epoch as 8 bytes big-endian).
/// HMAC is a PRF, so TIDs of different epochs look independent and random to
/// anyone without the secret.
#[derive(Clone, Debug)]
pub struct TidSecret(Secret<32>);

const TID_LABEL: &[u8] = b"ims-sec p2p tid";

impl TidSecret {
    /// From 32 secret bytes.
    #[must_use]
    pub const fn new(secret: Secret<32>) -> Self {
        Self(secret)
    }

    /// A fresh secret from `rng`.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut b = [0; 32];
        rng.fill_bytes(&mut b);
        let s = Secret::new(b);
        zeroize::Zeroize::zeroize(&mut b);
        Self(s)
    }

    /// The TID of `epoch`. The caller picks the epoch, for example the
    /// current time divided by the rotation period ([`epoch_of`]).
    #[must_use]
    pub fn tid(&self, epoch: u64) -> TemporaryPeerId {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose_secret()) {
            Ok(m) => m,
            Err(_) => return TemporaryPeerId([0; 16]),
        };
        mac.update(TID_LABEL);
        mac.update(&epoch.to_be_bytes());
        let out = mac.finalize().into_bytes();
        let mut tid = [0; 16];
        tid.copy_from_slice(out.get(..16).unwrap_or(&[0; 16]));
        TemporaryPeerId(tid)
    }
}

/// The epoch holding time `now` for rotation every `period` (at least one
/// nanosecond).
#[must_use]
pub fn epoch_of(now: core::time::Duration, period: core::time::Duration) -> u64 {
    (now.as_nanos() / period.as_nanos().max(1)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_one_to_255_bytes() {
        assert!(ContentId::new(Vec::new()).is_err());
        assert!(ContentId::new([0; 256]).is_err());
        assert!(PermanentId::new("sip:a@b").is_ok());
    }

    #[test]
    fn tid_is_a_function_of_secret_and_epoch() {
        let s = TidSecret::new(Secret::new([1; 32]));
        assert_eq!(s.tid(5), s.tid(5));
        assert_ne!(s.tid(5), s.tid(6));
        assert_ne!(s.tid(5), TidSecret::new(Secret::new([2; 32])).tid(5));
        assert!(!format!("{s:?}").contains("01"));
    }

    extern crate std;
    use std::format;
}
