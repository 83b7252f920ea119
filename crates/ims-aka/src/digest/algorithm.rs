//! The `algorithm` directive: which hash makes the digest, and whether (and
//! in which version) AKA makes the password.
//!
//! RFC 3310 §3.1 overloads the directive as `aka-version "-" algorithm-value`;
//! RFC 4169 adds `AKAv2`; RFC 8760 §2.7 lets SIP use `SHA-256`, so the AKA
//! names with that hash are `AKAv1-SHA-256` and `AKAv2-SHA-256`.

use alloc::string::String;
use core::convert::Infallible;
use core::fmt;
use core::str::FromStr;

/// The AKA version, which says how RES (and CK, IK) become the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AkaVersion {
    /// RFC 3310 §3.3: the password is RES itself, as raw octets.
    V1,
    /// RFC 4169 §2.1: the password is base64(PRF(RES ‖ IK ‖ CK, "http-digest-akav2-password")).
    V2,
}

/// The hash H behind KD and H of RFC 2617 §3.2.1 (and HMAC for AKAv2's PRF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// MD5: 32 hex digits.
    Md5,
    /// SHA-256 (RFC 7616, RFC 8760): 64 hex digits.
    Sha256,
}

impl HashAlgorithm {
    /// Length of the digest in bytes (the hex form is twice as long).
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Md5 => 16,
            Self::Sha256 => 32,
        }
    }
}

/// A value of the `algorithm` directive.
///
/// Names are matched without regard to ASCII case; anything else is kept
/// as written in [`Algorithm::Other`] (`MD5-sess`, `SHA-512-256`, a future
/// `AKAv3-…`). Build `Other` only through [`Algorithm::from_name`], so a known
/// name never hides in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `AKAv1-MD5` (RFC 3310).
    AkaV1Md5,
    /// `AKAv2-MD5` (RFC 4169).
    AkaV2Md5,
    /// `AKAv1-SHA-256` (RFC 3310 naming with the RFC 8760 hash).
    AkaV1Sha256,
    /// `AKAv2-SHA-256` (RFC 4169 naming with the RFC 8760 hash).
    AkaV2Sha256,
    /// `MD5`: plain Digest, and the meaning of an absent directive (RFC 2617 §3.2.1).
    Md5,
    /// `SHA-256`: plain Digest (RFC 7616, RFC 8760).
    Sha256,
    /// Any other name, as written.
    Other(String),
}

impl Algorithm {
    /// The known algorithms with their names.
    const NAMED: [(Algorithm, &'static str); 6] = [
        (Algorithm::AkaV1Md5, "AKAv1-MD5"),
        (Algorithm::AkaV2Md5, "AKAv2-MD5"),
        (Algorithm::AkaV1Sha256, "AKAv1-SHA-256"),
        (Algorithm::AkaV2Sha256, "AKAv2-SHA-256"),
        (Algorithm::Md5, "MD5"),
        (Algorithm::Sha256, "SHA-256"),
    ];

    /// The algorithm a name denotes (ASCII case ignored).
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        Self::NAMED
            .iter()
            .find(|(_, known)| known.eq_ignore_ascii_case(name))
            .map_or_else(
                || Self::Other(name.into()),
                |(algorithm, _)| algorithm.clone(),
            )
    }

    /// The canonical name, as the RFCs spell it.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::AkaV1Md5 => "AKAv1-MD5",
            Self::AkaV2Md5 => "AKAv2-MD5",
            Self::AkaV1Sha256 => "AKAv1-SHA-256",
            Self::AkaV2Sha256 => "AKAv2-SHA-256",
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
            Self::Other(name) => name,
        }
    }

    /// The AKA version, or `None` when the password is not made by AKA.
    #[must_use]
    pub fn aka_version(&self) -> Option<AkaVersion> {
        match self {
            Self::AkaV1Md5 | Self::AkaV1Sha256 => Some(AkaVersion::V1),
            Self::AkaV2Md5 | Self::AkaV2Sha256 => Some(AkaVersion::V2),
            Self::Md5 | Self::Sha256 | Self::Other(_) => None,
        }
    }

    /// The hash, or `None` for an algorithm we do not implement.
    #[must_use]
    pub fn hash(&self) -> Option<HashAlgorithm> {
        match self {
            Self::AkaV1Md5 | Self::AkaV2Md5 | Self::Md5 => Some(HashAlgorithm::Md5),
            Self::AkaV1Sha256 | Self::AkaV2Sha256 | Self::Sha256 => Some(HashAlgorithm::Sha256),
            Self::Other(_) => None,
        }
    }

    /// The AKA algorithm of a version and a hash.
    #[must_use]
    pub const fn aka(version: AkaVersion, hash: HashAlgorithm) -> Self {
        match (version, hash) {
            (AkaVersion::V1, HashAlgorithm::Md5) => Self::AkaV1Md5,
            (AkaVersion::V2, HashAlgorithm::Md5) => Self::AkaV2Md5,
            (AkaVersion::V1, HashAlgorithm::Sha256) => Self::AkaV1Sha256,
            (AkaVersion::V2, HashAlgorithm::Sha256) => Self::AkaV2Sha256,
        }
    }
}

/// What an absent `algorithm` directive means: MD5 (RFC 2617 §3.2.1, RFC 3310 §3.1).
pub(crate) static DEFAULT: Algorithm = Algorithm::Md5;

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(Self::from_name(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ignore_case() {
        for (algorithm, name) in Algorithm::NAMED {
            assert_eq!(Algorithm::from_name(name), algorithm);
            assert_eq!(Algorithm::from_name(&name.to_ascii_lowercase()), algorithm);
            assert_eq!(algorithm.name(), name);
        }
        assert_eq!(
            Algorithm::from_name("MD5-sess"),
            Algorithm::Other("MD5-sess".into())
        );
    }

    #[test]
    fn each_algorithm_has_its_version_and_hash() {
        use AkaVersion::{V1, V2};
        use HashAlgorithm::{Md5, Sha256};
        for (version, hash) in [(V1, Md5), (V2, Md5), (V1, Sha256), (V2, Sha256)] {
            let algorithm = Algorithm::aka(version, hash);
            assert_eq!(
                (algorithm.aka_version(), algorithm.hash()),
                (Some(version), Some(hash))
            );
        }
        assert_eq!(
            (Algorithm::Md5.aka_version(), Algorithm::Md5.hash()),
            (None, Some(Md5))
        );
        assert_eq!(Algorithm::Sha256.hash(), Some(Sha256));
        assert_eq!(Algorithm::Other("AKAv3-MD5".into()).aka_version(), None);
    }
}
