//! The SRTP crypto suites of RFC 4568 §6.2, RFC 6188 and RFC 7714, with the
//! lengths each one fixes.

use core::fmt;

/// The largest master key of any suite (AES-256).
pub const MAX_MASTER_KEY_LEN: usize = 32;
/// The largest master salt of any suite (112 bits, the AES-CM suites).
pub const MAX_MASTER_SALT_LEN: usize = 14;

/// An SRTP crypto suite as SDES names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CryptoSuite {
    /// `AES_CM_128_HMAC_SHA1_80` (RFC 4568 §6.2.1).
    AesCm128HmacSha1_80,
    /// `AES_CM_128_HMAC_SHA1_32` (RFC 4568 §6.2.2): 32-bit SRTP tag, 80-bit SRTCP tag.
    AesCm128HmacSha1_32,
    /// `F8_128_HMAC_SHA1_80` (RFC 4568 §6.2.3): parsed and negotiated, not run by the engine.
    F8_128HmacSha1_80,
    /// `AES_192_CM_HMAC_SHA1_80` (RFC 6188 §7.1).
    AesCm192HmacSha1_80,
    /// `AES_192_CM_HMAC_SHA1_32` (RFC 6188 §7.2).
    AesCm192HmacSha1_32,
    /// `AES_256_CM_HMAC_SHA1_80` (RFC 6188 §7.3).
    AesCm256HmacSha1_80,
    /// `AES_256_CM_HMAC_SHA1_32` (RFC 6188 §7.4).
    AesCm256HmacSha1_32,
    /// `AEAD_AES_128_GCM` (RFC 7714 §14.2): 16-byte tag.
    AeadAes128Gcm,
    /// `AEAD_AES_256_GCM` (RFC 7714 §14.2): 16-byte tag.
    AeadAes256Gcm,
}

/// The cipher a suite encrypts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// AES in counter mode (RFC 3711 §4.1.1) with a key of this many bytes.
    AesCm(usize),
    /// AES in f8 mode (RFC 3711 §4.1.2).
    AesF8,
    /// AES-GCM (RFC 7714) with a key of this many bytes.
    AesGcm(usize),
}

impl CryptoSuite {
    /// Every suite, in the order an offer lists them by default (strongest first).
    pub const ALL: [CryptoSuite; 9] = [
        CryptoSuite::AeadAes256Gcm,
        CryptoSuite::AeadAes128Gcm,
        CryptoSuite::AesCm256HmacSha1_80,
        CryptoSuite::AesCm256HmacSha1_32,
        CryptoSuite::AesCm192HmacSha1_80,
        CryptoSuite::AesCm192HmacSha1_32,
        CryptoSuite::AesCm128HmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32,
        CryptoSuite::F8_128HmacSha1_80,
    ];

    /// The SDES name (RFC 4568 §9.2 `srtp-crypto-suite`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Self::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            Self::F8_128HmacSha1_80 => "F8_128_HMAC_SHA1_80",
            Self::AesCm192HmacSha1_80 => "AES_192_CM_HMAC_SHA1_80",
            Self::AesCm192HmacSha1_32 => "AES_192_CM_HMAC_SHA1_32",
            Self::AesCm256HmacSha1_80 => "AES_256_CM_HMAC_SHA1_80",
            Self::AesCm256HmacSha1_32 => "AES_256_CM_HMAC_SHA1_32",
            Self::AeadAes128Gcm => "AEAD_AES_128_GCM",
            Self::AeadAes256Gcm => "AEAD_AES_256_GCM",
        }
    }

    /// The suite with exactly this SDES name (case-sensitive, as RFC 4568 registers them).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The cipher.
    #[must_use]
    pub const fn cipher(self) -> Cipher {
        match self {
            Self::AesCm128HmacSha1_80 | Self::AesCm128HmacSha1_32 => Cipher::AesCm(16),
            Self::F8_128HmacSha1_80 => Cipher::AesF8,
            Self::AesCm192HmacSha1_80 | Self::AesCm192HmacSha1_32 => Cipher::AesCm(24),
            Self::AesCm256HmacSha1_80 | Self::AesCm256HmacSha1_32 => Cipher::AesCm(32),
            Self::AeadAes128Gcm => Cipher::AesGcm(16),
            Self::AeadAes256Gcm => Cipher::AesGcm(32),
        }
    }

    /// Whether the suite is an AEAD (RFC 7714), which has no separate auth key.
    #[must_use]
    pub const fn is_aead(self) -> bool {
        matches!(self.cipher(), Cipher::AesGcm(_))
    }

    /// Whether the engine can protect with this suite (all but f8).
    #[must_use]
    pub const fn is_supported(self) -> bool {
        !matches!(self.cipher(), Cipher::AesF8)
    }

    /// Master key length in bytes.
    #[must_use]
    pub const fn master_key_len(self) -> usize {
        match self.cipher() {
            Cipher::AesCm(n) | Cipher::AesGcm(n) => n,
            Cipher::AesF8 => 16,
        }
    }

    /// Master salt length in bytes: 14 (112 bits), or 12 for AES-GCM (RFC 7714 §11).
    #[must_use]
    pub const fn master_salt_len(self) -> usize {
        if self.is_aead() {
            12
        } else {
            14
        }
    }

    /// Length of the base64 `inline:` key material, key ‖ salt.
    #[must_use]
    pub const fn key_salt_len(self) -> usize {
        self.master_key_len() + self.master_salt_len()
    }

    /// Session authentication key length in bytes (HMAC-SHA1: 160 bits; none for AEAD).
    #[must_use]
    pub const fn auth_key_len(self) -> usize {
        if self.is_aead() {
            0
        } else {
            20
        }
    }

    /// SRTP authentication tag length in bytes.
    #[must_use]
    pub const fn srtp_tag_len(self) -> usize {
        match self {
            Self::AesCm128HmacSha1_32 | Self::AesCm192HmacSha1_32 | Self::AesCm256HmacSha1_32 => 4,
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 16,
            _ => 10,
        }
    }

    /// SRTCP authentication tag length in bytes: 80 bits even for the `_32`
    /// suites (RFC 4568 §6.2.2), 16 bytes for AEAD.
    #[must_use]
    pub const fn srtcp_tag_len(self) -> usize {
        if self.is_aead() {
            16
        } else {
            10
        }
    }

    /// The largest SRTP lifetime of a master key (RFC 3711 §9.2): 2^48 packets.
    #[must_use]
    pub const fn max_srtp_lifetime(self) -> u64 {
        1 << 48
    }

    /// The largest SRTCP lifetime of a master key (RFC 3711 §9.2): 2^31 packets.
    #[must_use]
    pub const fn max_srtcp_lifetime(self) -> u64 {
        1 << 31
    }
}

impl fmt::Display for CryptoSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in CryptoSuite::ALL {
            assert_eq!(CryptoSuite::from_name(s.name()), Some(s));
        }
        assert_eq!(CryptoSuite::from_name("aes_cm_128_hmac_sha1_80"), None);
    }

    #[test]
    fn lengths_follow_the_rfcs() {
        use CryptoSuite::*;
        assert_eq!(AesCm128HmacSha1_80.key_salt_len(), 30);
        assert_eq!(AesCm192HmacSha1_80.key_salt_len(), 38);
        assert_eq!(AesCm256HmacSha1_32.key_salt_len(), 46);
        assert_eq!(AeadAes128Gcm.key_salt_len(), 28);
        assert_eq!(AeadAes256Gcm.key_salt_len(), 44);
        assert_eq!(AesCm128HmacSha1_32.srtp_tag_len(), 4);
        assert_eq!(AesCm128HmacSha1_32.srtcp_tag_len(), 10);
    }
}
