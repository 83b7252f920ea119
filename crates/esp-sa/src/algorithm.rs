//! The ESP algorithm identifiers of TS 33.203, with their RFC 3329 tokens
//! (TS 33.203 Annex H), for sip-sec-agree to negotiate and esp-sa to run.

use core::fmt;

/// `ALL`, `token`, `from_token` and `Display` for an algorithm enum, from one
/// table of variants and RFC 3329 tokens in order of preference.
macro_rules! tokens {
    ($name:ident { $($variant:ident => $token:literal),+ $(,)? }) => {
        impl $name {
            /// Every algorithm, in the order of preference we suggest.
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            /// The RFC 3329 / TS 33.203 Annex H token.
            #[must_use]
            pub const fn token(self) -> &'static str {
                match self {
                    $(Self::$variant => $token),+
                }
            }

            /// The algorithm a token names (tokens compare case-insensitively).
            #[must_use]
            pub fn from_token(token: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|a| a.token().eq_ignore_ascii_case(token))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.token())
            }
        }
    };
}

/// An integrity algorithm (the `alg` parameter of `ipsec-3gpp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegrityAlgorithm {
    /// HMAC-MD5-96 (RFC 2403), 128-bit key.
    HmacMd596,
    /// HMAC-SHA-1-96 (RFC 2404), 160-bit key.
    HmacSha196,
    /// AES-GMAC with a 128-bit key (RFC 4543 ENCR_NULL_AUTH_AES_GMAC),
    /// signalled `alg=aes-gmac` with `ealg=null`.
    AesGmac,
    /// No separate integrity algorithm: `alg=null`, signalled with
    /// `ealg=aes-gcm`, whose tag protects the packet.
    Null,
}

tokens!(IntegrityAlgorithm {
    AesGmac => "aes-gmac",
    HmacSha196 => "hmac-sha-1-96",
    HmacMd596 => "hmac-md5-96",
    Null => "null",
});

impl IntegrityAlgorithm {
    /// Whether TS 33.203 has dropped the algorithm (HMAC-MD5-96 left Annex H
    /// and Annex I in Rel-12/13); still offered to older peers on request.
    #[must_use]
    pub const fn deprecated(self) -> bool {
        matches!(self, Self::HmacMd596)
    }

    /// Length of the keying material in bytes (RFC 2403 §3, RFC 2404 §3;
    /// for AES-GMAC the 128-bit key followed by the 4-byte salt, RFC 4543 §5.3).
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            Self::HmacMd596 => 16,
            Self::HmacSha196 | Self::AesGmac => 20,
            Self::Null => 0,
        }
    }

    /// Length of the ICV in bytes: 96 bits of HMAC, the full 128-bit GMAC tag
    /// (RFC 4543 §3.4), none for `null`.
    #[must_use]
    pub const fn icv_len(self) -> usize {
        match self {
            Self::HmacMd596 | Self::HmacSha196 => crate::integrity::ICV_LEN,
            Self::AesGmac => crate::transform::TAG_LEN,
            Self::Null => 0,
        }
    }
}

/// An encryption algorithm (the `ealg` parameter of `ipsec-3gpp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncryptionAlgorithm {
    /// No encryption (RFC 2410): integrity protection only.
    Null,
    /// Triple DES in CBC mode (RFC 2451), 192-bit key.
    DesEde3Cbc,
    /// AES-128 in CBC mode (RFC 3602).
    AesCbc128,
    /// AES-128 in Galois/Counter Mode with a 16-byte ICV (RFC 4106),
    /// signalled `ealg=aes-gcm` with `alg=null`.
    AesGcm,
}

tokens!(EncryptionAlgorithm {
    AesGcm => "aes-gcm",
    AesCbc128 => "aes-cbc",
    DesEde3Cbc => "des-ede3-cbc",
    Null => "null",
});

impl EncryptionAlgorithm {
    /// Whether TS 33.203 has dropped the algorithm (DES-EDE3-CBC left Annex H
    /// and Annex I in Rel-12/13); still offered to older peers on request.
    #[must_use]
    pub const fn deprecated(self) -> bool {
        matches!(self, Self::DesEde3Cbc)
    }

    /// Length of the keying material in bytes (for AES-GCM the 128-bit key
    /// followed by the 4-byte salt, RFC 4106 §8.1).
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            Self::Null => 0,
            Self::DesEde3Cbc => 24,
            Self::AesCbc128 => 16,
            Self::AesGcm => 20,
        }
    }

    /// Length of the ICV the algorithm itself produces: the 16-byte GCM tag
    /// (RFC 4106 §6), none for the others.
    #[must_use]
    pub const fn icv_len(self) -> usize {
        match self {
            Self::AesGcm => crate::transform::TAG_LEN,
            _ => 0,
        }
    }

    /// The block size the payload is padded to: the cipher's block, or 4
    /// bytes for NULL and GCM (RFC 4303 §2.4: the trailer ends on a 4-byte
    /// boundary; RFC 4106 §3.2).
    #[must_use]
    pub const fn block_len(self) -> usize {
        match self {
            Self::Null | Self::AesGcm => 4,
            Self::DesEde3Cbc => 8,
            Self::AesCbc128 => 16,
        }
    }

    /// Length of the IV carried in each packet.
    #[must_use]
    pub const fn iv_len(self) -> usize {
        match self {
            Self::Null => 0,
            Self::AesGcm => 8,
            Self::DesEde3Cbc => 8,
            Self::AesCbc128 => 16,
        }
    }
}
