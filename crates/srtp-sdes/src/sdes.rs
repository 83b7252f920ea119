//! The SDP security descriptions `a=crypto` attribute (RFC 4568) for SRTP:
//! the value, its parse and emit, and the engine [`Policy`] it describes.
//!
//! ```text
//! a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]      RFC 4568 §4
//! a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4
//! ```
//!
//! Parsing follows the grammar of RFC 4568 §9.1 and §9.2 ([`ParseMode::Strict`],
//! the default) or also the spellings deployed equipment sends
//! ([`ParseMode::Lenient`], listed there). Emitting ([`Display`](fmt::Display))
//! always writes the canonical form, so `parse(emit(x)) == x`. Unknown crypto
//! suites, key methods and session parameters are kept verbatim.
//!
//! The key material is secret: it is held in a zeroizing buffer, compared in
//! constant time and never shown by `Debug`. `Display` writes it, because
//! that is the wire format.
//!
//! ```
//! use srtp_sdes::sdes::{CryptoAttribute, Lifetime, Suite};
//! use srtp_sdes::CryptoSuite;
//!
//! let line = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 \
//!             inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4";
//! let attr = CryptoAttribute::parse(line).unwrap();
//! assert_eq!(attr.tag, 1);
//! assert_eq!(attr.suite, Suite::Known(CryptoSuite::AesCm128HmacSha1_80));
//! let key = attr.inline_keys().next().unwrap();
//! assert_eq!(key.lifetime, Some(Lifetime::PowerOfTwo(20)));
//! assert_eq!(attr.sdp_line(), line);
//!
//! let policy = attr.policy().unwrap();
//! assert_eq!(policy.keys[0].lifetime, Some(1 << 20));
//! ```

mod parse;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use ims_sec_core::SecretBytes;
use zeroize::Zeroize as _;

use crate::policy::{MasterKey, Mki, Policy};
use crate::suite::CryptoSuite;

pub use parse::ParseMode;

/// The longest key ‖ salt an `inline:` key may carry, in bytes. The
/// registered suites need at most 46 (AES-256 with a 112-bit salt); the room
/// above is for unknown suites such as RFC 8723's double AEAD (88 bytes).
pub const MAX_INLINE_KEY_SALT_LEN: usize = 96;

/// The largest `KDR=n` (RFC 4568 §9.2: `range 0..24`).
pub const MAX_KDR: u8 = 24;

/// The smallest `WSH=n` (RFC 4568 §6.3.6, §9.2: the SRTP minimum of 64).
pub const MIN_WSH: u32 = 64;

/// The attribute name and colon that start an SDP line (RFC 4568 §9.1).
pub const ATTRIBUTE_PREFIX: &str = "a=crypto:";

/// One `a=crypto` attribute: the value after `a=crypto:` (RFC 4568 §9.1).
///
/// The fields are public so that attributes can be built and inspected; an
/// attribute built by hand should keep the rules [`CryptoAttribute::parse`]
/// enforces (at least one key parameter, MKIs on all keys when there are
/// several, tokens without white space), or its text will not parse back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoAttribute {
    /// The tag, `1*9DIGIT` (RFC 4568 §4.1): names the line in offer/answer.
    pub tag: u32,
    /// The crypto suite (RFC 4568 §4.2, §6.2).
    pub suite: Suite,
    /// One or more key parameters, `;`-separated on the wire (RFC 4568 §4.3).
    pub key_params: Vec<KeyParam>,
    /// The session parameters, in the order they appeared (RFC 4568 §6.3).
    pub session_params: Vec<SessionParam>,
}

/// A crypto suite as written in the attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Suite {
    /// A suite this crate knows (RFC 4568 §6.2, RFC 6188, RFC 7714).
    Known(CryptoSuite),
    /// Any other `srtp-crypto-suite-ext` (`1*(ALPHA / DIGIT / "_")`), verbatim.
    Unknown(String),
}

impl Suite {
    /// The known suite, if it is one.
    #[must_use]
    pub fn known(&self) -> Option<CryptoSuite> {
        match self {
            Self::Known(s) => Some(*s),
            Self::Unknown(_) => None,
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(s) => f.write_str(s.name()),
            Self::Unknown(name) => f.write_str(name),
        }
    }
}

/// One `key-param`: `key-method ":" key-info` (RFC 4568 §4.3, §9.1).
#[derive(Clone, PartialEq, Eq)]
pub enum KeyParam {
    /// The SRTP `inline:` method (RFC 4568 §6.1).
    Inline(InlineKey),
    /// Another key method, kept verbatim (RFC 4568 §6.1: "for further study").
    Other {
        /// The `key-method-ext`.
        method: String,
        /// The `key-info`: visible characters except `;`. It may carry key
        /// material, so `Debug` does not show it.
        info: String,
    },
}

impl fmt::Debug for KeyParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inline(k) => f.debug_tuple("Inline").field(k).finish(),
            Self::Other { method, info } => f
                .debug_struct("Other")
                .field("method", method)
                .field("info", &format_args!("[{} bytes, redacted]", info.len()))
                .finish(),
        }
    }
}

/// An `inline:` key: `key||salt ["|" lifetime] ["|" MKI ":" length]`
/// (RFC 4568 §6.1).
#[derive(Clone, PartialEq, Eq)]
pub struct InlineKey {
    key_salt: SecretBytes<MAX_INLINE_KEY_SALT_LEN>,
    /// The master key lifetime in packets, in the form it was written.
    pub lifetime: Option<Lifetime>,
    /// The MKI and its length in SRTP packets.
    pub mki: Option<MkiField>,
}

impl InlineKey {
    /// An inline key from the concatenated master key and salt (1 to
    /// [`MAX_INLINE_KEY_SALT_LEN`] bytes), without lifetime or MKI.
    pub fn new(key_salt: &[u8]) -> Result<Self, SdesError> {
        if key_salt.is_empty() {
            return Err(SdesError::KeyMaterial("empty key ‖ salt"));
        }
        let key_salt = SecretBytes::from_slice(key_salt)
            .map_err(|_| SdesError::KeyMaterial("key ‖ salt longer than 96 bytes"))?;
        Ok(Self {
            key_salt,
            lifetime: None,
            mki: None,
        })
    }

    /// Sets the lifetime.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Lifetime) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// Sets the MKI.
    #[must_use]
    pub fn with_mki(mut self, mki: MkiField) -> Self {
        self.mki = Some(mki);
        self
    }

    /// The master key followed by the master salt. Every use is a place to audit.
    #[must_use]
    pub fn expose_key_salt(&self) -> &[u8] {
        self.key_salt.expose_secret()
    }

    /// Writes the base64 of key ‖ salt, padded (RFC 4648 §4), through a
    /// stack buffer that is wiped afterwards.
    fn write_key_salt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; MAX_INLINE_KEY_SALT_LEN.div_ceil(3) * 4];
        let result = match base64::engine::general_purpose::STANDARD
            .encode_slice(self.key_salt.expose_secret(), &mut buf)
        {
            Ok(n) => match buf.get(..n).map(core::str::from_utf8) {
                Some(Ok(text)) => f.write_str(text),
                _ => Err(fmt::Error),
            },
            Err(_) => Err(fmt::Error),
        };
        buf.zeroize();
        result
    }
}

impl fmt::Debug for InlineKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InlineKey")
            .field("key_salt", &self.key_salt)
            .field("lifetime", &self.lifetime)
            .field("mki", &self.mki)
            .finish()
    }
}

/// A master key lifetime (RFC 4568 §6.1), kept in the form it was written
/// so the text round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lifetime {
    /// `2^n` packets (n up to 63; at most 48 for the known suites).
    PowerOfTwo(u8),
    /// A decimal number of packets (not zero).
    Decimal(u64),
}

impl Lifetime {
    /// The number of packets.
    #[must_use]
    pub fn packets(self) -> u64 {
        match self {
            Self::PowerOfTwo(n) => 1u64.checked_shl(u32::from(n)).unwrap_or(u64::MAX),
            Self::Decimal(v) => v,
        }
    }
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PowerOfTwo(n) => write!(f, "2^{n}"),
            Self::Decimal(v) => write!(f, "{v}"),
        }
    }
}

/// The `MKI:length` field (RFC 4568 §6.1): a decimal MKI value carried
/// big-endian in `length` bytes of each SRTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MkiField {
    value: u64,
    length: u8,
}

impl MkiField {
    /// The MKI `value` in `length` bytes (1 to 128); refused if the value
    /// does not fit.
    pub fn new(value: u64, length: u8) -> Result<Self, SdesError> {
        if length == 0 || usize::from(length) > crate::policy::MAX_MKI_LEN {
            return Err(SdesError::Mki("the MKI length is 1 to 128 bytes"));
        }
        if length < 8 && value >> (8 * u32::from(length)) != 0 {
            return Err(SdesError::Mki("the MKI value does not fit its length"));
        }
        Ok(Self { value, length })
    }

    /// The MKI value.
    #[must_use]
    pub fn value(self) -> u64 {
        self.value
    }

    /// The MKI length in bytes.
    #[must_use]
    pub fn length(self) -> u8 {
        self.length
    }

    /// The engine's MKI (the value in `length` big-endian bytes).
    pub fn to_mki(self) -> Result<Mki, SdesError> {
        Ok(Mki::from_value(self.value, usize::from(self.length))?)
    }
}

impl fmt::Display for MkiField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.value, self.length)
    }
}

/// `FEC_ORDER` (RFC 4568 §6.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FecOrder {
    /// `FEC_SRTP`: FEC before SRTP when sending (the default).
    FecSrtp,
    /// `SRTP_FEC`: SRTP before FEC when sending.
    SrtpFec,
}

impl FecOrder {
    /// The SDES name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::FecSrtp => "FEC_SRTP",
            Self::SrtpFec => "SRTP_FEC",
        }
    }
}

/// One SRTP session parameter (RFC 4568 §6.3, §9.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionParam {
    /// `KDR=n`: key derivation rate 2^n, n from 0 to 24 (§6.3.1; declarative).
    Kdr(u8),
    /// `UNENCRYPTED_SRTP` (§6.3.2; negotiated).
    UnencryptedSrtp,
    /// `UNENCRYPTED_SRTCP` (§6.3.2; negotiated).
    UnencryptedSrtcp,
    /// `UNAUTHENTICATED_SRTP` (§6.3.3; negotiated).
    UnauthenticatedSrtp,
    /// `FEC_ORDER=order` (§6.3.4; declarative).
    FecOrder(FecOrder),
    /// `FEC_KEY=key-params`: master keys of a separate FEC stream (§6.3.5; declarative).
    FecKey(Vec<KeyParam>),
    /// `WSH=n`: replay window size hint, at least 64 (§6.3.6; declarative).
    Wsh(u32),
    /// Any other `srtp-session-extension`, verbatim (§6.3.7). Without a
    /// leading `-` it is mandatory: a receiver that does not know it must
    /// treat the attribute as invalid.
    Extension(String),
}

impl SessionParam {
    /// Whether RFC 4568 makes this parameter negotiated (it then applies to
    /// both directions and must be echoed in the answer, §4.4, §5.1.2).
    #[must_use]
    pub fn is_negotiated(&self) -> bool {
        matches!(
            self,
            Self::UnencryptedSrtp | Self::UnencryptedSrtcp | Self::UnauthenticatedSrtp
        )
    }

    /// Whether this is an extension a receiver that does not know it must
    /// refuse: one not prefixed with `-` (RFC 4568 §6.3.7).
    #[must_use]
    pub fn is_mandatory_extension(&self) -> bool {
        matches!(self, Self::Extension(e) if !e.starts_with('-'))
    }
}

impl fmt::Display for SessionParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kdr(n) => write!(f, "KDR={n}"),
            Self::UnencryptedSrtp => f.write_str("UNENCRYPTED_SRTP"),
            Self::UnencryptedSrtcp => f.write_str("UNENCRYPTED_SRTCP"),
            Self::UnauthenticatedSrtp => f.write_str("UNAUTHENTICATED_SRTP"),
            Self::FecOrder(o) => write!(f, "FEC_ORDER={}", o.name()),
            Self::FecKey(keys) => {
                f.write_str("FEC_KEY=")?;
                write_key_params(f, keys)
            }
            Self::Wsh(n) => write!(f, "WSH={n}"),
            Self::Extension(e) => f.write_str(e),
        }
    }
}

impl fmt::Display for KeyParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inline(key) => {
                f.write_str("inline:")?;
                key.write_key_salt(f)?;
                if let Some(lifetime) = key.lifetime {
                    write!(f, "|{lifetime}")?;
                }
                if let Some(mki) = key.mki {
                    write!(f, "|{mki}")?;
                }
                Ok(())
            }
            Self::Other { method, info } => write!(f, "{method}:{info}"),
        }
    }
}

fn write_key_params(f: &mut fmt::Formatter<'_>, keys: &[KeyParam]) -> fmt::Result {
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            f.write_str(";")?;
        }
        write!(f, "{key}")?;
    }
    Ok(())
}

/// The attribute value: `<tag> <crypto-suite> <key-params> [<session-params>]`,
/// single spaces between fields. Contains the key material.
impl fmt::Display for CryptoAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.tag, self.suite)?;
        write_key_params(f, &self.key_params)?;
        for param in &self.session_params {
            write!(f, " {param}")?;
        }
        Ok(())
    }
}

/// Why an `a=crypto` attribute was refused, or could not become a [`Policy`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdesError {
    /// The text does not follow RFC 4568: what was wrong, and where.
    #[error("{problem} at byte {offset}")]
    Syntax {
        /// Byte offset in the text given to the parser.
        offset: usize,
        /// What was wrong there.
        problem: Problem,
    },
    /// Key material that cannot be held (empty, or too long).
    #[error("invalid key material: {0}")]
    KeyMaterial(&'static str),
    /// An MKI value or length out of range.
    #[error("invalid MKI: {0}")]
    Mki(&'static str),
    /// The suite is not one this crate knows, so no policy can be built.
    #[error("unknown crypto suite {0}")]
    UnknownSuite(String),
    /// A key method other than `inline` (RFC 4568 §6.1).
    #[error("unsupported key method {0}")]
    UnsupportedKeyMethod(String),
    /// An unknown session parameter without the `-` prefix: the attribute
    /// must be considered invalid (RFC 4568 §6.3.7).
    #[error("unknown mandatory session parameter {0}")]
    UnknownMandatoryParam(String),
    /// The engine refused the policy the attribute describes.
    #[error(transparent)]
    Policy(#[from] crate::Error),
}

/// What was wrong in the text of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The grammar wanted something else here.
    #[error("expected {0}")]
    Expected(&'static str),
    /// A decimal number with a leading zero (RFC 4568 §4.1, §6.1, §6.3.1, §6.3.6).
    #[error("leading zero in {0}")]
    LeadingZero(&'static str),
    /// A number outside its range.
    #[error("{0} out of range")]
    OutOfRange(&'static str),
    /// The key ‖ salt is not canonical base64 (RFC 3548 §3; padding is
    /// only optional in lenient mode).
    #[error("key ‖ salt is not valid base64")]
    Base64,
    /// The key ‖ salt length does not match the suite (RFC 4568 §6.1).
    #[error("key ‖ salt is {got} bytes, the suite needs {expected}")]
    KeyLength {
        /// Decoded length.
        got: usize,
        /// The suite's key ‖ salt length.
        expected: usize,
    },
    /// Several keys without MKIs, MKIs of different lengths, or one MKI
    /// twice (RFC 4568 §6.1).
    #[error("several master keys need distinct MKIs of one length")]
    MkiRules,
    /// A session parameter given twice.
    #[error("session parameter given twice")]
    DuplicateParam,
}

impl CryptoAttribute {
    /// Parses an attribute strictly by RFC 4568 §9: the value, with or
    /// without a leading `a=crypto:` or `crypto:`.
    pub fn parse(input: &str) -> Result<Self, SdesError> {
        parse::parse(input, ParseMode::Strict)
    }

    /// Parses an attribute in the given mode.
    pub fn parse_with(input: &str, mode: ParseMode) -> Result<Self, SdesError> {
        parse::parse(input, mode)
    }

    /// The whole SDP line, `a=crypto:` and the value (no line ending).
    #[must_use]
    pub fn sdp_line(&self) -> String {
        alloc::format!("{ATTRIBUTE_PREFIX}{self}")
    }

    /// The `inline:` keys, in order.
    pub fn inline_keys(&self) -> impl Iterator<Item = &InlineKey> {
        self.key_params.iter().filter_map(|k| match k {
            KeyParam::Inline(key) => Some(key),
            KeyParam::Other { .. } => None,
        })
    }

    /// Whether a session parameter equal to `param` is present.
    #[must_use]
    pub fn has_param(&self, param: &SessionParam) -> bool {
        self.session_params.contains(param)
    }

    /// The engine policy for the media this attribute keys (the media its
    /// sender sends): every `inline:` key becomes a [`MasterKey`] with its
    /// MKI and lifetime; `KDR=n` becomes a key derivation rate of 2^n;
    /// `UNENCRYPTED_SRTP`, `UNENCRYPTED_SRTCP` and `UNAUTHENTICATED_SRTP`
    /// turn the services off; `WSH` sets the SRTP replay window (capped at
    /// the engine's largest). `FEC_ORDER` and `FEC_KEY` describe a separate
    /// FEC stream and are not part of the policy; optional (`-`) extensions
    /// are ignored.
    ///
    /// Refused: an unknown suite, a key method other than `inline`, or an
    /// unknown mandatory session parameter (RFC 4568 §6.3.7). Whether the
    /// engine can run the suite is [`Policy::validate`]'s call (f8 is parsed
    /// and negotiated but not run).
    pub fn policy(&self) -> Result<Policy, SdesError> {
        let suite = match &self.suite {
            Suite::Known(s) => *s,
            Suite::Unknown(name) => return Err(SdesError::UnknownSuite(name.clone())),
        };
        let mut keys = Vec::with_capacity(self.key_params.len());
        for param in &self.key_params {
            let key = match param {
                KeyParam::Inline(key) => key,
                KeyParam::Other { method, .. } => {
                    return Err(SdesError::UnsupportedKeyMethod(method.clone()))
                }
            };
            let mut master = MasterKey::from_key_salt(suite, key.expose_key_salt())?;
            if let Some(mki) = key.mki {
                master = master.with_mki(mki.to_mki()?);
            }
            if let Some(lifetime) = key.lifetime {
                master = master.with_lifetime(lifetime.packets());
            }
            keys.push(master);
        }
        let mut keys = keys.into_iter();
        let first = keys
            .next()
            .ok_or(SdesError::KeyMaterial("no key parameter"))?;
        let mut policy = Policy::new(suite, first);
        policy.keys.extend(keys);
        for param in &self.session_params {
            match param {
                SessionParam::Kdr(n) => {
                    policy.kdr = 1u64.checked_shl(u32::from(*n)).unwrap_or(0);
                }
                SessionParam::UnencryptedSrtp => policy.encrypt_rtp = false,
                SessionParam::UnencryptedSrtcp => policy.encrypt_rtcp = false,
                SessionParam::UnauthenticatedSrtp => policy.authenticate_rtp = false,
                SessionParam::Wsh(n) => {
                    policy.rtp_window = (*n).min(ims_sec_core::replay::MAX_WINDOW);
                }
                SessionParam::FecOrder(_) | SessionParam::FecKey(_) => {}
                SessionParam::Extension(e) => {
                    if param.is_mandatory_extension() {
                        return Err(SdesError::UnknownMandatoryParam(e.clone()));
                    }
                }
            }
        }
        Ok(policy)
    }
}

impl core::str::FromStr for CryptoAttribute {
    type Err = SdesError;

    /// [`CryptoAttribute::parse`] (strict).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
