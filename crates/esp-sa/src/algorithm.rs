//! The ESP algorithm identifiers of TS 33.203, with their RFC 3329 tokens
//! (TS 33.203 Annex H), for sip-sec-agree to negotiate and esp-sa to run.

use core::fmt;

/// An integrity algorithm (the `alg` parameter of `ipsec-3gpp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegrityAlgorithm {
    /// HMAC-MD5-96 (RFC 2403), 128-bit key.
    HmacMd596,
    /// HMAC-SHA-1-96 (RFC 2404), 160-bit key.
    HmacSha196,
}

impl IntegrityAlgorithm {
    /// Every integrity algorithm, in the order of preference we suggest.
    pub const ALL: [IntegrityAlgorithm; 2] = [Self::HmacSha196, Self::HmacMd596];

    /// The RFC 3329 / TS 33.203 Annex H token.
    #[must_use]
    pub const fn token(self) -> &'static str {
        match self {
            Self::HmacMd596 => "hmac-md5-96",
            Self::HmacSha196 => "hmac-sha-1-96",
        }
    }

    /// The algorithm a token names (tokens compare case-insensitively).
    #[must_use]
    pub fn from_token(token: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.token().eq_ignore_ascii_case(token))
    }

    /// Key length in bytes (RFC 2403 §3, RFC 2404 §3: no other length).
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            Self::HmacMd596 => 16,
            Self::HmacSha196 => 20,
        }
    }

    /// Length of the ICV in bytes: the first 96 bits of the HMAC.
    #[must_use]
    pub const fn icv_len(self) -> usize {
        12
    }
}

impl fmt::Display for IntegrityAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}
