//! KEMAC (RFC 3830 §6.2, RFC 6043 §6.2), its Key data sub-payloads (§6.13,
//! RFC 6043 §6.2.1) and key validity data (§6.14).

use alloc::vec::Vec;

use ims_sec_core::SecretBytes;

use super::error::{ParseError, ParseErrorKind};
use super::header::u8_enum;
use super::payload::{parse_chain_from, Payload, PT_ID, PT_KEY_DATA};
use super::reader::Reader;

/// Key or salt bytes of a Key data sub-payload: zeroized on drop, redacted
/// in `Debug`, compared in constant time. At most 255 bytes.
pub type KeyBytes = SecretBytes<255>;

u8_enum! {
    /// The KEMAC encryption algorithm (RFC 3830 Table 6.2.a, RFC 6043 Table 6.5).
    pub enum EncrAlg {
        /// NULL: Encr data is the plaintext (1).
        Null = 0,
        /// AES-CM-128 (1).
        AesCm128 = 1,
        /// AES-KW-128 (2).
        AesKw128 = 2,
        /// AES-CM-256 (3).
        AesCm256 = 3,
    }
}

/// A MAC algorithm (RFC 3830 Table 6.2.b, RFC 6043 Table 6.6). Its value
/// decides the MAC's length, so an unknown value cannot be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacAlg {
    /// NULL (0): no MAC.
    Null,
    /// HMAC-SHA-1-160 (1): 20 bytes.
    HmacSha1_160,
    /// HMAC-SHA-256-256 (2): 32 bytes.
    HmacSha256_256,
}

impl MacAlg {
    /// The MAC length in bytes.
    #[must_use]
    pub const fn mac_len(self) -> usize {
        match self {
            Self::Null => 0,
            Self::HmacSha1_160 => 20,
            Self::HmacSha256_256 => 32,
        }
    }

    /// The wire value.
    #[must_use]
    pub const fn value(self) -> u8 {
        match self {
            Self::Null => 0,
            Self::HmacSha1_160 => 1,
            Self::HmacSha256_256 => 2,
        }
    }

    /// The algorithm of a wire value, if known.
    #[must_use]
    pub const fn from_value(value: u8) -> Option<Self> {
        match value {
            0 => Some(Self::Null),
            1 => Some(Self::HmacSha1_160),
            2 => Some(Self::HmacSha256_256),
            _ => None,
        }
    }

    /// Reads the algorithm and its MAC.
    pub(crate) fn read_with_mac(r: &mut Reader<'_>) -> Result<(Self, Vec<u8>), ParseError> {
        let at = r.offset();
        let value = r.u8()?;
        let alg = Self::from_value(value).ok_or_else(|| {
            r.error_at(
                at,
                ParseErrorKind::Unknown {
                    field: "MAC alg",
                    value,
                },
            )
        })?;
        let mac = r.take(alg.mac_len())?.to_vec();
        Ok((alg, mac))
    }
}

/// The Key data transport payload (KEMAC).
///
/// `encr_data` is kept as on the wire: with [`EncrAlg::Null`] it is the
/// plaintext, a chain of Key data sub-payloads ([`KeyData::parse_chain`]);
/// otherwise decrypt it first. `mac` must be `mac_alg.mac_len()` bytes long.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kemac {
    /// The encryption algorithm.
    pub encr_alg: EncrAlg,
    /// Encr data (at most 65535 bytes).
    pub encr_data: Vec<u8>,
    /// The MAC algorithm.
    pub mac_alg: MacAlg,
    /// The MAC.
    pub mac: Vec<u8>,
}

impl Kemac {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        let encr_alg = EncrAlg::from(r.u8()?);
        let len = r.u16()?;
        let encr_data = r.take(usize::from(len))?.to_vec();
        let (mac_alg, mac) = MacAlg::read_with_mac(r)?;
        Ok(Self {
            encr_alg,
            encr_data,
            mac_alg,
            mac,
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(self.encr_alg.into());
        out.extend_from_slice(&(self.encr_data.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.encr_data);
        out.push(self.mac_alg.value());
        out.extend_from_slice(&self.mac);
    }

    /// The Key data sub-payloads of a NULL-encrypted KEMAC (PSK method).
    pub fn null_keys(&self) -> Result<Vec<KeyData>, ParseError> {
        if self.encr_alg != EncrAlg::Null {
            return Err(ParseError::new(
                "KEMAC",
                0,
                ParseErrorKind::Invalid("Encr data is encrypted"),
            ));
        }
        KeyData::parse_chain(&self.encr_data)
    }
}

/// The kind of key in a Key data sub-payload (RFC 3830 Table 6.13.a, RFC 6043
/// Table 6.7). The "+SALT" types are this kind with [`KeyData::salt`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// TGK (0), TGK+SALT (1).
    Tgk,
    /// TEK (2), TEK+SALT (3).
    Tek,
    /// GTGK (4), GTGK+SALT (5).
    Gtgk,
    /// MPK (6), which has no salt variant.
    Mpk,
}

/// Key validity data (RFC 3830 §6.14).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyValidity {
    /// KV NULL (0): no KV data.
    Null,
    /// KV SPI (1): the SPI or MKI (at most 255 bytes).
    Spi(Vec<u8>),
    /// KV interval (2): Valid From and Valid To (each at most 255 bytes).
    Interval {
        /// Valid From.
        from: Vec<u8>,
        /// Valid To.
        to: Vec<u8>,
    },
}

impl KeyValidity {
    pub(crate) const fn kv_type(&self) -> u8 {
        match self {
            Self::Null => 0,
            Self::Spi(_) => 1,
            Self::Interval { .. } => 2,
        }
    }

    pub(crate) fn read(kv_type: u8, at: usize, r: &mut Reader<'_>) -> Result<Self, ParseError> {
        match kv_type {
            0 => Ok(Self::Null),
            1 => {
                let len = r.u8()?;
                Ok(Self::Spi(r.take(usize::from(len))?.to_vec()))
            }
            2 => {
                let len = r.u8()?;
                let from = r.take(usize::from(len))?.to_vec();
                let len = r.u8()?;
                let to = r.take(usize::from(len))?.to_vec();
                Ok(Self::Interval { from, to })
            }
            value => Err(r.error_at(at, ParseErrorKind::Unknown { field: "KV", value })),
        }
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        match self {
            Self::Null => {}
            Self::Spi(spi) => {
                out.push(spi.len() as u8);
                out.extend_from_slice(spi);
            }
            Self::Interval { from, to } => {
                out.push(from.len() as u8);
                out.extend_from_slice(from);
                out.push(to.len() as u8);
                out.extend_from_slice(to);
            }
        }
    }
}

/// A Key data sub-payload (payload type 20).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyData {
    /// What the key is.
    pub key_type: KeyType,
    /// The key.
    pub key: KeyBytes,
    /// The salt, for the "+SALT" types. Ignored when emitting an MPK.
    pub salt: Option<KeyBytes>,
    /// The key's validity.
    pub kv: KeyValidity,
}

fn secret(
    r: &Reader<'_>,
    field: &'static str,
    at: usize,
    bytes: &[u8],
) -> Result<KeyBytes, ParseError> {
    KeyBytes::from_slice(bytes).map_err(|e| {
        r.error_at(
            at,
            ParseErrorKind::TooLong {
                field,
                len: e.got,
                max: e.max,
            },
        )
    })
}

impl KeyData {
    /// The Type field: the key type with the salt bit.
    #[must_use]
    pub fn type_value(&self) -> u8 {
        let salt = u8::from(self.salt.is_some());
        match self.key_type {
            KeyType::Tgk => salt,
            KeyType::Tek => 2 | salt,
            KeyType::Gtgk => 4 | salt,
            KeyType::Mpk => 6,
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        let type_at = r.offset();
        let type_kv = r.u8()?;
        let (key_type, has_salt) = match type_kv >> 4 {
            0 => (KeyType::Tgk, false),
            1 => (KeyType::Tgk, true),
            2 => (KeyType::Tek, false),
            3 => (KeyType::Tek, true),
            4 => (KeyType::Gtgk, false),
            5 => (KeyType::Gtgk, true),
            6 => (KeyType::Mpk, false),
            value => {
                return Err(r.error_at(
                    type_at,
                    ParseErrorKind::Unknown {
                        field: "key type",
                        value,
                    },
                ))
            }
        };
        let len = r.u16()?;
        let at = r.offset();
        let bytes = r.take(usize::from(len))?;
        let key = secret(r, "key data", at, bytes)?;
        let salt = if has_salt {
            let len = r.u16()?;
            let at = r.offset();
            let bytes = r.take(usize::from(len))?;
            Some(secret(r, "salt data", at, bytes)?)
        } else {
            None
        };
        let kv = KeyValidity::read(type_kv & 0x0f, type_at, r)?;
        Ok(Self {
            key_type,
            key,
            salt,
            kv,
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(self.type_value() << 4 | self.kv.kv_type());
        let key = self.key.expose_secret();
        out.extend_from_slice(&(key.len() as u16).to_be_bytes());
        out.extend_from_slice(key);
        if self.key_type != KeyType::Mpk {
            if let Some(salt) = &self.salt {
                let salt = salt.expose_secret();
                out.extend_from_slice(&(salt.len() as u16).to_be_bytes());
                out.extend_from_slice(salt);
            }
        }
        self.kv.write(out);
    }

    /// Parses the plaintext of a KEMAC in the pre-shared key method: Key data
    /// sub-payloads, the first one's type implicit, chained by their Next
    /// Payload fields (20) up to the last (0). Offsets count from the start
    /// of `plain`.
    pub fn parse_chain(plain: &[u8]) -> Result<Vec<Self>, ParseError> {
        let payloads = parse_chain_from(PT_KEY_DATA, plain, 0)?;
        payloads
            .into_iter()
            .map(|p| match p {
                Payload::KeyData(k) => Ok(*k),
                _ => Err(ParseError::new(
                    "KEMAC plaintext",
                    0,
                    ParseErrorKind::Invalid("a payload other than Key data"),
                )),
            })
            .collect()
    }

    /// Writes Key data sub-payloads as a KEMAC plaintext (the inverse of
    /// [`KeyData::parse_chain`]).
    pub fn emit_chain(keys: &[Self], out: &mut Vec<u8>) {
        let mut iter = keys.iter().peekable();
        while let Some(k) = iter.next() {
            out.push(if iter.peek().is_some() {
                PT_KEY_DATA
            } else {
                0
            });
            k.write(out);
        }
    }

    /// Parses the plaintext of a KEMAC in the public-key method (RFC 3830
    /// §6.2): the Initiator's ID payload, then Key data sub-payloads.
    pub fn parse_pk_plaintext(plain: &[u8]) -> Result<(super::Id, Vec<Self>), ParseError> {
        let mut payloads = parse_chain_from(PT_ID, plain, 0)?.into_iter();
        let id = match payloads.next() {
            Some(Payload::Id(id)) => id,
            _ => {
                return Err(ParseError::new(
                    "KEMAC plaintext",
                    0,
                    ParseErrorKind::Invalid("does not start with an ID payload"),
                ))
            }
        };
        let keys = payloads
            .map(|p| match p {
                Payload::KeyData(k) => Ok(*k),
                _ => Err(ParseError::new(
                    "KEMAC plaintext",
                    0,
                    ParseErrorKind::Invalid("a payload other than Key data after the ID"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((id, keys))
    }

    /// Writes the public-key method plaintext: the ID payload, then the keys.
    pub fn emit_pk_plaintext(id: &super::Id, keys: &[Self], out: &mut Vec<u8>) {
        out.push(if keys.is_empty() { 0 } else { PT_KEY_DATA });
        id.write(out);
        Self::emit_chain(keys, out);
    }
}
