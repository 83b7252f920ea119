//! What one direction of an SRTP session is keyed with: the suite, the
//! master keys (with MKI, lifetime and <From, To>), the key derivation rate,
//! and the session parameters of RFC 4568 §6.3. SDES offer/answer produces
//! one [`Policy`] for sending and one for receiving.

use alloc::vec::Vec;
use core::fmt;

use ims_sec_core::SecretBytes;

use crate::suite::{CryptoSuite, MAX_MASTER_KEY_LEN, MAX_MASTER_SALT_LEN};
use crate::Error;

/// The longest MKI RFC 4568 §9.2 allows (`mki-length` 1 to 128 bytes).
pub const MAX_MKI_LEN: usize = 128;

/// Default SRTP replay window (packets).
pub const DEFAULT_RTP_WINDOW: u32 = 128;
/// Default SRTCP replay window (packets).
pub const DEFAULT_RTCP_WINDOW: u32 = 64;

/// A master key identifier as carried in each packet (RFC 3711 §3.1):
/// big-endian bytes of a fixed length.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mki(Vec<u8>);

impl Mki {
    /// The MKI with these bytes (1 to [`MAX_MKI_LEN`]).
    pub fn new(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.is_empty() || bytes.len() > MAX_MKI_LEN {
            return Err(Error::Policy("an MKI is 1 to 128 bytes"));
        }
        Ok(Self(bytes.to_vec()))
    }

    /// The MKI SDES writes as `value:length` (RFC 4568 §6.1): `value` in
    /// `length` big-endian bytes. Refused if it does not fit.
    pub fn from_value(value: u64, length: usize) -> Result<Self, Error> {
        if length == 0 || length > MAX_MKI_LEN {
            return Err(Error::Policy("an MKI is 1 to 128 bytes"));
        }
        if length < 8 && value >> (8 * length) != 0 {
            return Err(Error::Policy("MKI value does not fit its length"));
        }
        let mut bytes = alloc::vec![0; length];
        for (i, b) in bytes.iter_mut().rev().enumerate().take(8) {
            *b = (value >> (8 * i)) as u8;
        }
        Ok(Self(bytes))
    }

    /// The bytes on the wire.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true: an MKI has at least one byte.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Mki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mki(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// One master key with its salt, and how it may be used.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    key: SecretBytes<MAX_MASTER_KEY_LEN>,
    salt: SecretBytes<MAX_MASTER_SALT_LEN>,
    /// The MKI packets carry to select this key, if the session uses MKIs.
    pub mki: Option<Mki>,
    /// The most packets (SRTP and SRTCP counted apart) this key may protect,
    /// as SDES's lifetime says (RFC 4568 §6.1); `None` means the RFC 3711
    /// §9.2 maxima only.
    pub lifetime: Option<u64>,
    /// The <From, To> range of SRTP packet indices this key is for (RFC 3711
    /// §8.1.1), used to select keys when packets carry no MKI.
    pub from_to: Option<(u64, u64)>,
}

impl MasterKey {
    /// A master key and salt for `suite`: the key-salt of SDES's `inline:`
    /// (key ‖ salt), whose length must be the suite's.
    pub fn from_key_salt(suite: CryptoSuite, key_salt: &[u8]) -> Result<Self, Error> {
        if key_salt.len() != suite.key_salt_len() {
            return Err(Error::Policy("key ‖ salt length does not match the suite"));
        }
        let (key, salt) = key_salt.split_at(suite.master_key_len());
        Self::new(key, salt)
    }

    /// A master key and salt given apart.
    pub fn new(key: &[u8], salt: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            key: SecretBytes::from_slice(key)
                .map_err(|_| Error::Policy("master key longer than 32 bytes"))?,
            salt: SecretBytes::from_slice(salt)
                .map_err(|_| Error::Policy("master salt longer than 14 bytes"))?,
            mki: None,
            lifetime: None,
            from_to: None,
        })
    }

    /// Sets the MKI.
    #[must_use]
    pub fn with_mki(mut self, mki: Mki) -> Self {
        self.mki = Some(mki);
        self
    }

    /// Sets the SDES lifetime (packets).
    #[must_use]
    pub fn with_lifetime(mut self, packets: u64) -> Self {
        self.lifetime = Some(packets);
        self
    }

    /// Sets the <From, To> range of SRTP indices.
    #[must_use]
    pub fn with_from_to(mut self, from: u64, to: u64) -> Self {
        self.from_to = Some((from, to));
        self
    }

    /// The master key.
    #[must_use]
    pub fn key(&self) -> &[u8] {
        self.key.expose_secret()
    }

    /// The master salt.
    #[must_use]
    pub fn salt(&self) -> &[u8] {
        self.salt.expose_secret()
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("key", &"[redacted]")
            .field("mki", &self.mki)
            .field("lifetime", &self.lifetime)
            .field("from_to", &self.from_to)
            .finish()
    }
}

/// The keying and options of one direction of an SRTP session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The crypto suite.
    pub suite: CryptoSuite,
    /// The master keys; more than one needs MKIs (all of one length) or
    /// <From, To> ranges.
    pub keys: Vec<MasterKey>,
    /// The key derivation rate (RFC 3711 §4.3.1): 0, or a power of two up to
    /// 2^24. SDES's `KDR=n` means 2^n.
    pub kdr: u64,
    /// Encrypt SRTP payloads (false for SDES `UNENCRYPTED_SRTP`).
    pub encrypt_rtp: bool,
    /// Encrypt SRTCP (false for SDES `UNENCRYPTED_SRTCP`; the E flag is then 0).
    pub encrypt_rtcp: bool,
    /// Authenticate SRTP (false for SDES `UNAUTHENTICATED_SRTP`).
    pub authenticate_rtp: bool,
    /// SRTP replay window per SSRC (SDES `WSH` is a hint for it).
    pub rtp_window: u32,
    /// SRTCP replay window per SSRC.
    pub rtcp_window: u32,
    /// When an SRTP packet fails authentication with the estimated rollover
    /// counter, how many next ROC values to also try (0 to disable). It
    /// recovers streams whose first packets, or a long run of packets, were
    /// lost across a wrap; a match is committed only after authentication.
    pub roc_recovery: u8,
}

impl Policy {
    /// A policy with one master key and RFC 3711's defaults: KDR 0, all
    /// services on, windows 128 (SRTP) and 64 (SRTCP), one ROC of recovery.
    #[must_use]
    pub fn new(suite: CryptoSuite, key: MasterKey) -> Self {
        Self {
            suite,
            keys: alloc::vec![key],
            kdr: 0,
            encrypt_rtp: true,
            encrypt_rtcp: true,
            authenticate_rtp: true,
            rtp_window: DEFAULT_RTP_WINDOW,
            rtcp_window: DEFAULT_RTCP_WINDOW,
            roc_recovery: 1,
        }
    }

    /// A policy from SDES key ‖ salt bytes.
    pub fn from_key_salt(suite: CryptoSuite, key_salt: &[u8]) -> Result<Self, Error> {
        Ok(Self::new(suite, MasterKey::from_key_salt(suite, key_salt)?))
    }

    /// The MKI length packets carry (0 without MKIs).
    #[must_use]
    pub fn mki_len(&self) -> usize {
        self.keys
            .first()
            .and_then(|k| k.mki.as_ref())
            .map_or(0, Mki::len)
    }

    /// Checks the policy is one the engine can run.
    pub fn validate(&self) -> Result<(), Error> {
        if !self.suite.is_supported() {
            return Err(Error::UnsupportedSuite(self.suite));
        }
        if self.keys.is_empty() {
            return Err(Error::Policy("no master key"));
        }
        let mki_len = self.mki_len();
        for key in &self.keys {
            if key.key().len() != self.suite.master_key_len()
                || key.salt().len() != self.suite.master_salt_len()
            {
                return Err(Error::Policy(
                    "master key or salt length does not match the suite",
                ));
            }
            if key.mki.as_ref().map_or(0, Mki::len) != mki_len {
                return Err(Error::Policy(
                    "all master keys need MKIs of one length, or none",
                ));
            }
            if key.lifetime == Some(0) {
                return Err(Error::Policy("a key lifetime of 0 packets"));
            }
            if let Some((from, to)) = key.from_to {
                if from > to {
                    return Err(Error::Policy("<From, To> with From after To"));
                }
            }
        }
        if self.keys.len() > 1 {
            if mki_len == 0 && self.keys.iter().any(|k| k.from_to.is_none()) {
                return Err(Error::Policy(
                    "several master keys need MKIs or <From, To> ranges",
                ));
            }
            for (i, a) in self.keys.iter().enumerate() {
                for b in self.keys.iter().skip(i + 1) {
                    if a.mki.is_some() && a.mki == b.mki {
                        return Err(Error::Policy("two master keys with the same MKI"));
                    }
                }
            }
        }
        if self.kdr != 0 && (!self.kdr.is_power_of_two() || self.kdr > 1 << 24) {
            return Err(Error::Policy("KDR must be 0 or a power of two up to 2^24"));
        }
        if self.rtp_window == 0
            || self.rtcp_window == 0
            || self.rtp_window > ims_sec_core::replay::MAX_WINDOW
            || self.rtcp_window > ims_sec_core::replay::MAX_WINDOW
        {
            return Err(Error::Policy("replay windows must be 1 to 65536 packets"));
        }
        Ok(())
    }
}
