//! The MIKEY payloads and payload chains (RFC 3830 §6.2–6.15, RFC 6043 §6).

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::error::{ParseError, ParseErrorKind};
use super::header::u8_enum;
use super::kemac::{Kemac, KeyData, KeyValidity, MacAlg};
use super::policy::SecurityPolicy;
use super::reader::Reader;
use super::ticket::{Ticket, TicketPolicy};

/// Next Payload values (RFC 3830 Table 6.1.b, RFC 6043 Table 6.2).
pub mod payload_type {
    /// Last payload: the chain ends.
    pub const LAST: u8 = 0;
    /// Key data transport (KEMAC).
    pub const KEMAC: u8 = 1;
    /// Envelope data (PKE).
    pub const PKE: u8 = 2;
    /// DH data (DH).
    pub const DH: u8 = 3;
    /// Signature (SIGN).
    pub const SIGN: u8 = 4;
    /// Timestamp (T).
    pub const T: u8 = 5;
    /// ID.
    pub const ID: u8 = 6;
    /// Certificate (CERT).
    pub const CERT: u8 = 7;
    /// Cert hash (CHASH).
    pub const CHASH: u8 = 8;
    /// Verification message (V).
    pub const V: u8 = 9;
    /// Security policy (SP).
    pub const SP: u8 = 10;
    /// RAND.
    pub const RAND: u8 = 11;
    /// Error (ERR).
    pub const ERR: u8 = 12;
    /// Timestamp with role (TR).
    pub const TR: u8 = 13;
    /// ID with role (IDR).
    pub const IDR: u8 = 14;
    /// RAND with role (RANDR).
    pub const RANDR: u8 = 15;
    /// Ticket policy (TP).
    pub const TP: u8 = 16;
    /// Ticket (TICKET).
    pub const TICKET: u8 = 17;
    /// Key data sub-payload.
    pub const KEY_DATA: u8 = 20;
    /// General extension.
    pub const GENERAL_EXT: u8 = 21;
}
pub(crate) use payload_type::{ID as PT_ID, KEY_DATA as PT_KEY_DATA};

/// The payload's name, as errors print it.
const fn payload_name(ptype: u8) -> &'static str {
    match ptype {
        1 => "KEMAC",
        2 => "PKE",
        3 => "DH",
        4 => "SIGN",
        5 => "T",
        6 => "ID",
        7 => "CERT",
        8 => "CHASH",
        9 => "V",
        10 => "SP",
        11 => "RAND",
        12 => "ERR",
        13 => "TR",
        14 => "IDR",
        15 => "RANDR",
        16 => "TP",
        17 => "TICKET",
        20 => "Key data",
        21 => "General Ext",
        _ => "unknown payload",
    }
}

/// A timestamp value with its TS type (RFC 3830 Table 6.6, RFC 6043 Table 6.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TsValue {
    /// NTP-UTC (0), 64 bits.
    NtpUtc(u64),
    /// NTP (1), 64 bits.
    Ntp(u64),
    /// COUNTER (2), 32 bits.
    Counter(u32),
    /// NTP-UTC-32 (3), 32 bits: whole seconds.
    NtpUtc32(u32),
}

impl TsValue {
    /// The TS type value.
    #[must_use]
    pub const fn ts_type(&self) -> u8 {
        match self {
            Self::NtpUtc(_) => 0,
            Self::Ntp(_) => 1,
            Self::Counter(_) => 2,
            Self::NtpUtc32(_) => 3,
        }
    }

    /// The value as a 64-bit quantity: NTP values as they are, COUNTER padded
    /// with leading zeros (RFC 3830 §6.6), NTP-UTC-32 with a zero fraction
    /// (RFC 6043 §6.3).
    #[must_use]
    pub const fn as_u64(&self) -> u64 {
        match *self {
            Self::NtpUtc(v) | Self::Ntp(v) => v,
            Self::Counter(v) => v as u64,
            Self::NtpUtc32(v) => (v as u64) << 32,
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        let at = r.offset();
        match r.u8()? {
            0 => Ok(Self::NtpUtc(r.u64()?)),
            1 => Ok(Self::Ntp(r.u64()?)),
            2 => Ok(Self::Counter(r.u32()?)),
            3 => Ok(Self::NtpUtc32(r.u32()?)),
            value => Err(r.error_at(
                at,
                ParseErrorKind::Unknown {
                    field: "TS type",
                    value,
                },
            )),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.ts_type());
        match *self {
            Self::NtpUtc(v) | Self::Ntp(v) => out.extend_from_slice(&v.to_be_bytes()),
            Self::Counter(v) | Self::NtpUtc32(v) => out.extend_from_slice(&v.to_be_bytes()),
        }
    }
}

/// The timestamp payload (T).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// The timestamp.
    pub ts: TsValue,
}

u8_enum! {
    /// The TS Role of a TR payload (RFC 6043 Table 6.9).
    pub enum TsRole {
        /// Time of issue, TRi (1).
        TimeOfIssue = 1,
        /// Start of validity period, TRs (2).
        ValidityStart = 2,
        /// End of validity period, TRe (3).
        ValidityEnd = 3,
        /// Rekeying interval, TRr (4).
        RekeyInterval = 4,
    }
}

/// The timestamp payload with role indicator (TR).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimestampRole {
    /// What the timestamp means.
    pub role: TsRole,
    /// The timestamp.
    pub ts: TsValue,
}

u8_enum! {
    /// The ID Type (RFC 3830 Table 6.7.a, RFC 6043 Table 6.10).
    pub enum IdType {
        /// NAI (0).
        Nai = 0,
        /// URI (1).
        Uri = 1,
        /// Byte string (2).
        ByteString = 2,
    }
}

/// The ID payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Id {
    /// The identifier type.
    pub id_type: IdType,
    /// The identifier (at most 65535 bytes).
    pub data: Vec<u8>,
}

impl Id {
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(self.id_type.into());
        write_u16_prefixed(&self.data, out);
    }
}

u8_enum! {
    /// The ID Role of an IDR payload (RFC 6043 Table 6.11).
    pub enum IdRoleKind {
        /// Initiator, IDRi (1).
        Initiator = 1,
        /// Responder, IDRr (2).
        Responder = 2,
        /// KMS, IDRkms (3).
        Kms = 3,
        /// Pre-shared key, IDRpsk (4).
        Psk = 4,
        /// Application, IDRapp (5).
        App = 5,
    }
}

/// The ID payload with role indicator (IDR).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdRole {
    /// Whose identity this is.
    pub role: IdRoleKind,
    /// The identifier type.
    pub id_type: IdType,
    /// The identifier (at most 65535 bytes).
    pub data: Vec<u8>,
}

/// The RAND payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rand {
    /// The random bytes (at most 255; at least 16 recommended).
    pub rand: Vec<u8>,
}

u8_enum! {
    /// The RAND Role of a RANDR payload (RFC 6043 Table 6.13).
    pub enum RandRoleKind {
        /// Initiator, RANDRi (1).
        Initiator = 1,
        /// Responder, RANDRr (2).
        Responder = 2,
        /// KMS, RANDRkms (3).
        Kms = 3,
    }
}

/// The RAND payload with role indicator (RANDR).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RandRole {
    /// Who generated the RAND.
    pub role: RandRoleKind,
    /// The random bytes (at most 255).
    pub rand: Vec<u8>,
}

/// The verification message payload (V).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Verification {
    /// The MAC algorithm.
    pub mac_alg: MacAlg,
    /// The MAC, `mac_alg.mac_len()` bytes.
    pub mac: Vec<u8>,
}

u8_enum! {
    /// The Error no of an ERR payload (RFC 3830 Table 6.12, RFC 6043 Table 6.14).
    pub enum ErrorCode {
        /// Authentication failure (0).
        AuthFailure = 0,
        /// Invalid timestamp (1).
        InvalidTs = 1,
        /// PRF function not supported (2).
        InvalidPrf = 2,
        /// MAC algorithm not supported (3).
        InvalidMac = 3,
        /// Encryption algorithm not supported (4).
        InvalidEa = 4,
        /// Hash function not supported (5).
        InvalidHa = 5,
        /// DH group not supported (6).
        InvalidDh = 6,
        /// ID not supported (7).
        InvalidId = 7,
        /// Certificate not supported (8).
        InvalidCert = 8,
        /// SP type not supported (9).
        InvalidSp = 9,
        /// SP parameters not supported (10).
        InvalidSpPar = 10,
        /// Data type not supported (11).
        InvalidDt = 11,
        /// Unspecified error (12).
        Unspecified = 12,
        /// Ticket type not supported (14).
        InvalidTicket = 14,
        /// TP parameters not supported (15).
        InvalidTpPar = 15,
    }
}

/// The error payload (ERR).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ErrorPayload {
    /// The error.
    pub code: ErrorCode,
    /// The 16-bit Reserved field, kept so that parse then emit round-trips
    /// (0 when building).
    pub reserved: u16,
}

/// The general extension payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneralExt {
    /// The extension type (0 vendor ID, 1 SDP IDs, 3 Key ID per RFC 4563).
    pub ext_type: u8,
    /// The data (at most 65535 bytes).
    pub data: Vec<u8>,
}

/// The envelope data payload (PKE).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pke {
    /// The cache indicator C (2 bits).
    pub cache: u8,
    /// The encrypted envelope key (at most 16383 bytes: the length is 14 bits).
    pub data: Vec<u8>,
}

/// The DH data payload (DH). The DH value's length follows from the group:
/// OAKLEY 5 (0) 192 bytes, OAKLEY 1 (1) 96 bytes, OAKLEY 2 (2) 128 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dh {
    /// The DH group.
    pub group: u8,
    /// The public value.
    pub value: Vec<u8>,
    /// The 4 reserved bits before KV, kept so that parse then emit round-trips.
    pub reserved: u8,
    /// The key validity.
    pub kv: KeyValidity,
}

impl Dh {
    /// The DH value length of a known group.
    #[must_use]
    pub const fn value_len(group: u8) -> Option<usize> {
        match group {
            0 => Some(192),
            1 => Some(96),
            2 => Some(128),
            _ => None,
        }
    }
}

/// The signature payload (SIGN). It has no Next Payload field: it is always
/// the last payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sign {
    /// The signature type S (4 bits).
    pub s_type: u8,
    /// The signature (at most 4095 bytes: the length is 12 bits).
    pub signature: Vec<u8>,
}

/// The certificate payload (CERT).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cert {
    /// The certificate type.
    pub cert_type: u8,
    /// The certificate (at most 65535 bytes).
    pub data: Vec<u8>,
}

/// The cert hash payload (CHASH). The hash length follows from the function:
/// SHA-1 (0) 20 bytes, MD5 (1) 16 bytes, SHA-256 (2) 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chash {
    /// The hash function.
    pub hash_func: u8,
    /// The hash.
    pub hash: Vec<u8>,
}

impl Chash {
    /// The hash length of a known hash function.
    #[must_use]
    pub const fn hash_len(hash_func: u8) -> Option<usize> {
        match hash_func {
            0 => Some(20),
            1 => Some(16),
            2 => Some(32),
            _ => None,
        }
    }
}

/// One MIKEY payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Key data transport (1).
    Kemac(Kemac),
    /// Envelope data (2).
    Pke(Pke),
    /// DH data (3).
    Dh(Dh),
    /// Signature (4); always last.
    Sign(Sign),
    /// Timestamp (5).
    T(Timestamp),
    /// ID (6).
    Id(Id),
    /// Certificate (7).
    Cert(Cert),
    /// Cert hash (8).
    Chash(Chash),
    /// Verification message (9).
    V(Verification),
    /// Security policy (10).
    Sp(SecurityPolicy),
    /// RAND (11).
    Rand(Rand),
    /// Error (12).
    Err(ErrorPayload),
    /// Timestamp with role (13).
    Tr(TimestampRole),
    /// ID with role (14).
    Idr(IdRole),
    /// RAND with role (15).
    Randr(RandRole),
    /// Ticket policy (16).
    Tp(TicketPolicy),
    /// Ticket (17).
    Ticket(Ticket),
    /// Key data sub-payload (20), found in KEMAC plaintexts (boxed: it holds
    /// two 255-byte secret buffers).
    KeyData(Box<KeyData>),
    /// General extension (21).
    GeneralExt(GeneralExt),
    /// A payload type this codec does not know. Its length cannot be known,
    /// so it takes the rest of the chain, kept byte for byte from where its
    /// Next Payload field would be. It must be the last payload, and
    /// `payload_type` must not be a type listed above (nor 0).
    Unknown {
        /// The payload type.
        payload_type: u8,
        /// Everything from the payload's first byte to the end of the chain.
        rest: Vec<u8>,
    },
}

impl Payload {
    /// The payload type value (the previous payload's Next Payload).
    #[must_use]
    pub const fn payload_type(&self) -> u8 {
        use payload_type as pt;
        match self {
            Self::Kemac(_) => pt::KEMAC,
            Self::Pke(_) => pt::PKE,
            Self::Dh(_) => pt::DH,
            Self::Sign(_) => pt::SIGN,
            Self::T(_) => pt::T,
            Self::Id(_) => pt::ID,
            Self::Cert(_) => pt::CERT,
            Self::Chash(_) => pt::CHASH,
            Self::V(_) => pt::V,
            Self::Sp(_) => pt::SP,
            Self::Rand(_) => pt::RAND,
            Self::Err(_) => pt::ERR,
            Self::Tr(_) => pt::TR,
            Self::Idr(_) => pt::IDR,
            Self::Randr(_) => pt::RANDR,
            Self::Tp(_) => pt::TP,
            Self::Ticket(_) => pt::TICKET,
            Self::KeyData(_) => pt::KEY_DATA,
            Self::GeneralExt(_) => pt::GENERAL_EXT,
            Self::Unknown { payload_type, .. } => *payload_type,
        }
    }

    /// The payload's name as used in error messages, e.g. `"KEMAC"`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        payload_name(self.payload_type())
    }

    /// Reads one payload of type `ptype`; returns it with its Next Payload.
    fn read(ptype: u8, r: &mut Reader<'_>, depth: u8) -> Result<(Self, u8), ParseError> {
        use payload_type as pt;
        r.what = payload_name(ptype);
        if ptype == pt::SIGN {
            let st_len = r.u16()?;
            let signature = r.take(usize::from(st_len & 0x0fff))?.to_vec();
            return Ok((
                Self::Sign(Sign {
                    s_type: (st_len >> 12) as u8,
                    signature,
                }),
                0,
            ));
        }
        let known = matches!(ptype, 1..=3 | 5..=17 | 20 | 21);
        if !known {
            let rest = r.take_rest().to_vec();
            return Ok((
                Self::Unknown {
                    payload_type: ptype,
                    rest,
                },
                0,
            ));
        }
        if depth > 0 && matches!(ptype, pt::TP | pt::TICKET) {
            return Err(r.error(ParseErrorKind::TooDeep));
        }
        let next = r.u8()?;
        let payload = match ptype {
            pt::KEMAC => Self::Kemac(Kemac::read(r)?),
            pt::PKE => {
                let c_len = r.u16()?;
                let data = r.take(usize::from(c_len & 0x3fff))?.to_vec();
                Self::Pke(Pke {
                    cache: (c_len >> 14) as u8,
                    data,
                })
            }
            pt::DH => {
                let at = r.offset();
                let group = r.u8()?;
                let len = Dh::value_len(group).ok_or_else(|| {
                    r.error_at(
                        at,
                        ParseErrorKind::Unknown {
                            field: "DH-Group",
                            value: group,
                        },
                    )
                })?;
                let value = r.take(len)?.to_vec();
                let kv_at = r.offset();
                let res_kv = r.u8()?;
                let kv = KeyValidity::read(res_kv & 0x0f, kv_at, r)?;
                Self::Dh(Dh {
                    group,
                    value,
                    reserved: res_kv >> 4,
                    kv,
                })
            }
            pt::T => Self::T(Timestamp {
                ts: TsValue::read(r)?,
            }),
            pt::ID => {
                let id_type = IdType::from(r.u8()?);
                let data = read_u16_prefixed(r)?;
                Self::Id(Id { id_type, data })
            }
            pt::CERT => {
                let cert_type = r.u8()?;
                let data = read_u16_prefixed(r)?;
                Self::Cert(Cert { cert_type, data })
            }
            pt::CHASH => {
                let at = r.offset();
                let hash_func = r.u8()?;
                let len = Chash::hash_len(hash_func).ok_or_else(|| {
                    r.error_at(
                        at,
                        ParseErrorKind::Unknown {
                            field: "hash func",
                            value: hash_func,
                        },
                    )
                })?;
                let hash = r.take(len)?.to_vec();
                Self::Chash(Chash { hash_func, hash })
            }
            pt::V => {
                let (mac_alg, mac) = MacAlg::read_with_mac(r)?;
                Self::V(Verification { mac_alg, mac })
            }
            pt::SP => Self::Sp(SecurityPolicy::read(r)?),
            pt::RAND => {
                let len = r.u8()?;
                let rand = r.take(usize::from(len))?.to_vec();
                Self::Rand(Rand { rand })
            }
            pt::ERR => {
                let code = ErrorCode::from(r.u8()?);
                let reserved = r.u16()?;
                Self::Err(ErrorPayload { code, reserved })
            }
            pt::TR => {
                let role = TsRole::from(r.u8()?);
                let ts = TsValue::read(r)?;
                Self::Tr(TimestampRole { role, ts })
            }
            pt::IDR => {
                let role = IdRoleKind::from(r.u8()?);
                let id_type = IdType::from(r.u8()?);
                let data = read_u16_prefixed(r)?;
                Self::Idr(IdRole {
                    role,
                    id_type,
                    data,
                })
            }
            pt::RANDR => {
                let role = RandRoleKind::from(r.u8()?);
                let len = r.u8()?;
                let rand = r.take(usize::from(len))?.to_vec();
                Self::Randr(RandRole { role, rand })
            }
            pt::TP => Self::Tp(TicketPolicy::read(r, depth)?),
            pt::TICKET => Self::Ticket(Ticket::read(r, depth)?),
            pt::KEY_DATA => Self::KeyData(Box::new(KeyData::read(r)?)),
            // pt::GENERAL_EXT, the only known type left
            _ => {
                let ext_type = r.u8()?;
                let data = read_u16_prefixed(r)?;
                Self::GeneralExt(GeneralExt { ext_type, data })
            }
        };
        Ok((payload, next))
    }

    /// Writes the payload with the given Next Payload value (ignored by SIGN,
    /// which has none, and by `Unknown`, whose bytes are written as kept).
    ///
    /// Lengths must fit their fields; longer data is written with its length
    /// truncated to the field width and will not parse back.
    pub fn write(&self, next: u8, out: &mut Vec<u8>) {
        match self {
            Self::Sign(s) => {
                let st_len = u16::from(s.s_type & 0x0f) << 12 | (s.signature.len() as u16 & 0x0fff);
                out.extend_from_slice(&st_len.to_be_bytes());
                out.extend_from_slice(&s.signature);
                return;
            }
            Self::Unknown { rest, .. } => {
                out.extend_from_slice(rest);
                return;
            }
            _ => out.push(next),
        }
        match self {
            Self::Kemac(k) => k.write(out),
            Self::Pke(p) => {
                let c_len = u16::from(p.cache & 0x03) << 14 | (p.data.len() as u16 & 0x3fff);
                out.extend_from_slice(&c_len.to_be_bytes());
                out.extend_from_slice(&p.data);
            }
            Self::Dh(d) => {
                out.push(d.group);
                out.extend_from_slice(&d.value);
                out.push((d.reserved & 0x0f) << 4 | d.kv.kv_type());
                d.kv.write(out);
            }
            Self::T(t) => t.ts.write(out),
            Self::Id(id) => id.write(out),
            Self::Cert(c) => {
                out.push(c.cert_type);
                write_u16_prefixed(&c.data, out);
            }
            Self::Chash(c) => {
                out.push(c.hash_func);
                out.extend_from_slice(&c.hash);
            }
            Self::V(v) => {
                out.push(v.mac_alg.value());
                out.extend_from_slice(&v.mac);
            }
            Self::Sp(sp) => sp.write(out),
            Self::Rand(r) => {
                out.push(r.rand.len() as u8);
                out.extend_from_slice(&r.rand);
            }
            Self::Err(e) => {
                out.push(e.code.into());
                out.extend_from_slice(&e.reserved.to_be_bytes());
            }
            Self::Tr(t) => {
                out.push(t.role.into());
                t.ts.write(out);
            }
            Self::Idr(i) => {
                out.push(i.role.into());
                out.push(i.id_type.into());
                write_u16_prefixed(&i.data, out);
            }
            Self::Randr(r) => {
                out.push(r.role.into());
                out.push(r.rand.len() as u8);
                out.extend_from_slice(&r.rand);
            }
            Self::Tp(tp) => tp.write(out),
            Self::Ticket(t) => t.write(out),
            Self::KeyData(k) => k.write(out),
            Self::GeneralExt(g) => {
                out.push(g.ext_type);
                write_u16_prefixed(&g.data, out);
            }
            Self::Sign(_) | Self::Unknown { .. } => {}
        }
    }
}

fn read_u16_prefixed(r: &mut Reader<'_>) -> Result<Vec<u8>, ParseError> {
    let len = r.u16()?;
    Ok(r.take(usize::from(len))?.to_vec())
}

pub(crate) fn write_u16_prefixed(data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
}

/// Reads payloads from `first` (a type value) until Next Payload is 0.
pub(crate) fn read_payloads(
    r: &mut Reader<'_>,
    first: u8,
    depth: u8,
) -> Result<Vec<Payload>, ParseError> {
    let mut out = Vec::new();
    let mut next = first;
    while next != payload_type::LAST {
        let (payload, n) = Payload::read(next, r, depth)?;
        out.push(payload);
        next = n;
    }
    Ok(out)
}

/// Writes payloads, each with the next one's type as its Next Payload.
pub(crate) fn write_payloads(payloads: &[Payload], out: &mut Vec<u8>) {
    let mut iter = payloads.iter().peekable();
    while let Some(p) = iter.next() {
        let next = iter.peek().map_or(payload_type::LAST, |n| n.payload_type());
        p.write(next, out);
    }
}

/// Parses a chain whose first payload's type is implicit, `first`.
pub(crate) fn parse_chain_from(
    first: u8,
    bytes: &[u8],
    depth: u8,
) -> Result<Vec<Payload>, ParseError> {
    let mut r = Reader::new(bytes, 0, "payload chain");
    let payloads = read_payloads(&mut r, first, depth)?;
    r.finish()?;
    Ok(payloads)
}

/// Parses a payload chain that starts with a First Payload byte: TP Data,
/// Initiator Data, or any "First Payload, MIKEY payloads" field (RFC 6043
/// §6.10). The whole input must be used. Offsets in errors count from the
/// start of `bytes`.
pub fn parse_chain(bytes: &[u8]) -> Result<Vec<Payload>, ParseError> {
    let mut r = Reader::new(bytes, 0, "First Payload");
    let first = r.u8()?;
    let payloads = read_payloads(&mut r, first, 0)?;
    r.what = "payload chain";
    r.finish()?;
    Ok(payloads)
}

/// Writes a First Payload byte (0 for an empty chain) and the payloads: the
/// inverse of [`parse_chain`].
pub fn emit_chain(payloads: &[Payload], out: &mut Vec<u8>) {
    out.push(
        payloads
            .first()
            .map_or(payload_type::LAST, Payload::payload_type),
    );
    write_payloads(payloads, out);
}

/// Reads a "First Payload, MIKEY payloads" field nested in a payload.
pub(crate) fn read_nested_chain(
    r: &mut Reader<'_>,
    len: usize,
    what: &'static str,
    depth: u8,
) -> Result<Vec<Payload>, ParseError> {
    let mut sub = r.sub(len, what)?;
    let first = sub.u8()?;
    let payloads = read_payloads(&mut sub, first, depth + 1)?;
    sub.what = what;
    sub.finish()?;
    Ok(payloads)
}
