//! The SRTP key derivation function (RFC 3711 §4.3): the AES-CM PRF keyed
//! with the master key (AES-128, or AES-192/256 per RFC 6188 §6), applied to
//! `(label ‖ index DIV kdr) XOR master salt`.
//!
//! AES-GCM's 96-bit master salt (RFC 7714 §11) is padded on the right with
//! two zero bytes to the 112 bits the PRF takes, as libsrtp does; RFC 7714's
//! test vectors are given after derivation, so this is the interoperable
//! reading.

use zeroize::Zeroize;

use crate::crypto::AesKey;
use crate::Error;

/// The key derivation labels of RFC 3711 §4.3.1 and §4.3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Label {
    /// SRTP encryption key (0x00).
    RtpEncryption = 0x00,
    /// SRTP authentication key (0x01).
    RtpAuthentication = 0x01,
    /// SRTP salting key (0x02).
    RtpSalt = 0x02,
    /// SRTCP encryption key (0x03).
    RtcpEncryption = 0x03,
    /// SRTCP authentication key (0x04).
    RtcpAuthentication = 0x04,
    /// SRTCP salting key (0x05).
    RtcpSalt = 0x05,
}

/// `index DIV kdr`, the 48-bit `r` of RFC 3711 §4.3.1 (0 when kdr is 0).
#[must_use]
pub fn key_derivation_index(index: u64, kdr: u64) -> u64 {
    index.checked_div(kdr).map_or(0, |r| r & 0xffff_ffff_ffff)
}

/// A keyed PRF: the master key's AES schedule and the (padded) master salt.
pub struct Kdf {
    aes: AesKey,
    salt: [u8; 14],
}

impl Kdf {
    /// Keys the PRF with a master key of 16, 24 or 32 bytes and a master salt
    /// of 14 bytes, or 12 (AES-GCM), which is padded on the right.
    pub fn new(master_key: &[u8], master_salt: &[u8]) -> Result<Self, Error> {
        let aes = AesKey::new(master_key)?;
        let mut salt = [0; 14];
        salt.get_mut(..master_salt.len())
            .filter(|_| master_salt.len() >= 12)
            .ok_or(Error::Policy("master salt must be 12 or 14 bytes"))?
            .copy_from_slice(master_salt);
        Ok(Self { aes, salt })
    }

    /// Fills `out` with the session key for `label` and `r = index DIV kdr`
    /// (RFC 3711 §4.3.1): the AES-CM keystream from `x · 2^16`.
    pub fn derive(&self, label: Label, r: u64, out: &mut [u8]) {
        // key_id = label ‖ r (8 + 48 bits), right-aligned in the 112-bit salt.
        let mut iv = [0u8; 16];
        iv[..14].copy_from_slice(&self.salt);
        iv[7] ^= label as u8;
        for (b, r) in iv[8..14].iter_mut().zip(&r.to_be_bytes()[2..]) {
            *b ^= r;
        }
        out.fill(0);
        self.aes.apply_keystream(&iv, out);
    }
}

impl Drop for Kdf {
    fn drop(&mut self) {
        self.salt.zeroize();
    }
}
