//! The Common Header payload (HDR): RFC 3830 §6.1, RFC 4563 §5, RFC 6043 §6.1.

use alloc::vec::Vec;

use super::error::{ParseError, ParseErrorKind};
use super::reader::Reader;

/// Defines a `u8`-coded enumeration with an `Other(u8)` catch-all and the
/// `From` conversions both ways.
macro_rules! u8_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this codec does not name, kept as is.
            Other(u8),
        }

        impl From<u8> for $name {
            fn from(value: u8) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Other(other),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(value: $name) -> u8 {
                match value {
                    $( $name::$variant => $value, )*
                    $name::Other(other) => other,
                }
            }
        }
    };
}
pub(crate) use u8_enum;

u8_enum! {
    /// The message type (RFC 3830 Table 6.1.a, RFC 6043 Table 6.1).
    pub enum DataType {
        /// Initiator's pre-shared key message (0).
        PskInit = 0,
        /// Verification message of a pre-shared key message (1).
        PskVerify = 1,
        /// Initiator's public-key transport message (2).
        PkInit = 2,
        /// Verification message of a public-key message (3).
        PkVerify = 3,
        /// Initiator's DH exchange message (4).
        DhInit = 4,
        /// Responder's DH exchange message (5).
        DhResp = 5,
        /// Error message (6).
        Error = 6,
        /// Ticket request initial message, PSK (11).
        RequestInitPsk = 11,
        /// Ticket request initial message, PK (12).
        RequestInitPk = 12,
        /// Ticket request response message (13).
        RequestResp = 13,
        /// Ticket transfer initial message (14).
        TransferInit = 14,
        /// Ticket transfer response message (15).
        TransferResp = 15,
        /// Ticket resolve initial message, PSK (16).
        ResolveInitPsk = 16,
        /// Ticket resolve initial message, PK (17).
        ResolveInitPk = 17,
        /// Ticket resolve response message (18).
        ResolveResp = 18,
    }
}

u8_enum! {
    /// The PRF (RFC 3830 Table 6.1.c, RFC 6043 Table 6.3), a 7-bit field.
    pub enum PrfFunc {
        /// MIKEY-1, HMAC-SHA-1 based (0).
        MikeyOne = 0,
        /// PRF-HMAC-SHA-256 (1).
        HmacSha256 = 1,
    }
}

/// One SRTP-ID map entry (RFC 3830 §6.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SrtpCs {
    /// The SP payload's policy number for this stream.
    pub policy_no: u8,
    /// The stream's SSRC (0: to be filled in by the Responder).
    pub ssrc: u32,
    /// The current rollover counter.
    pub roc: u32,
}

/// One GENERIC-ID map entry (RFC 6043 §6.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GenericCs {
    /// The crypto session ID.
    pub cs_id: u8,
    /// The security protocol (0 = SRTP), as in the SP payload.
    pub prot_type: u8,
    /// The S flag; for SRTP, whether Session Data carries ROC and SEQ.
    pub s_flag: bool,
    /// Policy numbers of SP payloads (at most 127: #P is 7 bits).
    pub policies: Vec<u8>,
    /// Session Data (for SRTP: SSRC, then ROC and SEQ when `s_flag`).
    pub session_data: Vec<u8>,
    /// The SPI (or MKI) of the key to use first (at most 255 bytes).
    pub spi: Vec<u8>,
}

impl GenericCs {
    /// An SRTP crypto session: Session Data is the SSRC, followed by ROC and
    /// SEQ (and the S flag set) when `roc_seq` is given.
    #[must_use]
    pub fn srtp(
        cs_id: u8,
        policies: Vec<u8>,
        ssrc: u32,
        roc_seq: Option<(u32, u16)>,
        spi: Vec<u8>,
    ) -> Self {
        let mut session_data = Vec::with_capacity(10);
        session_data.extend_from_slice(&ssrc.to_be_bytes());
        if let Some((roc, seq)) = roc_seq {
            session_data.extend_from_slice(&roc.to_be_bytes());
            session_data.extend_from_slice(&seq.to_be_bytes());
        }
        Self {
            cs_id,
            prot_type: 0,
            s_flag: roc_seq.is_some(),
            policies,
            session_data,
            spi,
        }
    }

    /// For an SRTP crypto session whose Session Data has the length the S flag
    /// calls for: the SSRC and, if present, ROC and SEQ.
    #[must_use]
    pub fn srtp_session(&self) -> Option<(u32, Option<(u32, u16)>)> {
        if self.prot_type != 0 {
            return None;
        }
        let (ssrc, rest) = self.session_data.split_first_chunk::<4>()?;
        let ssrc = u32::from_be_bytes(*ssrc);
        match (self.s_flag, rest.len()) {
            (false, 0) => Some((ssrc, None)),
            (true, 6) => {
                let (roc, seq) = rest.split_first_chunk::<4>()?;
                let seq = <[u8; 2]>::try_from(seq).ok()?;
                Some((
                    ssrc,
                    Some((u32::from_be_bytes(*roc), u16::from_be_bytes(seq))),
                ))
            }
            _ => None,
        }
    }
}

/// The CS ID map: its type and info. `#CS` on the wire is the number of entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CsIdMap {
    /// SRTP-ID, map type 0 (RFC 3830 §6.1.1).
    SrtpId(Vec<SrtpCs>),
    /// Empty map, map type 1 (RFC 4563 §5): no map info and `#CS` = 0.
    Empty,
    /// GENERIC-ID, map type 2 (RFC 6043 §6.1.1).
    GenericId(Vec<GenericCs>),
}

impl CsIdMap {
    /// The CS ID map type value.
    #[must_use]
    pub const fn map_type(&self) -> u8 {
        match self {
            Self::SrtpId(_) => 0,
            Self::Empty => 1,
            Self::GenericId(_) => 2,
        }
    }

    /// `#CS`: the number of crypto sessions.
    #[must_use]
    pub fn cs_count(&self) -> usize {
        match self {
            Self::SrtpId(v) => v.len(),
            Self::Empty => 0,
            Self::GenericId(v) => v.len(),
        }
    }
}

/// The Common Header payload (HDR).
///
/// Its Next Payload field is not kept: [`Message::emit`](super::Message::emit)
/// computes it from the payload list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// MIKEY version (1).
    pub version: u8,
    /// The message type.
    pub data_type: DataType,
    /// The V flag: a response is expected.
    pub v_flag: bool,
    /// The PRF (7 bits).
    pub prf: PrfFunc,
    /// The crypto session bundle ID.
    pub csb_id: u32,
    /// The crypto sessions.
    pub cs_map: CsIdMap,
}

impl Header {
    /// Reads the header; returns it with its Next Payload value.
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<(Self, u8), ParseError> {
        let version = r.u8()?;
        let data_type = DataType::from(r.u8()?);
        let next = r.u8()?;
        let v_prf = r.u8()?;
        let csb_id = r.u32()?;
        let cs_count = r.u8()?;
        let map_type_at = r.offset();
        let map_type = r.u8()?;
        let cs_map = match map_type {
            0 => {
                let mut v = Vec::with_capacity(usize::from(cs_count).min(r.remaining() / 9));
                for _ in 0..cs_count {
                    v.push(SrtpCs {
                        policy_no: r.u8()?,
                        ssrc: r.u32()?,
                        roc: r.u32()?,
                    });
                }
                CsIdMap::SrtpId(v)
            }
            1 if cs_count == 0 => CsIdMap::Empty,
            1 => {
                return Err(r.error_at(
                    map_type_at - 1,
                    ParseErrorKind::Invalid("empty CS ID map with a non-zero #CS"),
                ))
            }
            2 => {
                let mut v = Vec::with_capacity(usize::from(cs_count).min(r.remaining() / 5));
                for _ in 0..cs_count {
                    let cs_id = r.u8()?;
                    let prot_type = r.u8()?;
                    let s_p = r.u8()?;
                    let policies = r.take(usize::from(s_p & 0x7f))?.to_vec();
                    let sd_len = r.u16()?;
                    let session_data = r.take(usize::from(sd_len))?.to_vec();
                    let spi_len = r.u8()?;
                    let spi = r.take(usize::from(spi_len))?.to_vec();
                    v.push(GenericCs {
                        cs_id,
                        prot_type,
                        s_flag: s_p & 0x80 != 0,
                        policies,
                        session_data,
                        spi,
                    });
                }
                CsIdMap::GenericId(v)
            }
            other => {
                return Err(r.error_at(
                    map_type_at,
                    ParseErrorKind::Unknown {
                        field: "CS ID map type",
                        value: other,
                    },
                ))
            }
        };
        Ok((
            Self {
                version,
                data_type,
                v_flag: v_prf & 0x80 != 0,
                prf: PrfFunc::from(v_prf & 0x7f),
                csb_id,
                cs_map,
            },
            next,
        ))
    }

    /// Writes the header with the given Next Payload value.
    ///
    /// Counts and lengths must fit their fields (at most 255 crypto sessions,
    /// 127 policies, 65535 bytes of Session Data, 255 bytes of SPI); longer
    /// values are written truncated to the field width.
    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) {
        out.push(self.version);
        out.push(self.data_type.into());
        out.push(next);
        out.push(u8::from(self.v_flag) << 7 | (u8::from(self.prf) & 0x7f));
        out.extend_from_slice(&self.csb_id.to_be_bytes());
        out.push(self.cs_map.cs_count() as u8);
        out.push(self.cs_map.map_type());
        match &self.cs_map {
            CsIdMap::SrtpId(v) => {
                for cs in v {
                    out.push(cs.policy_no);
                    out.extend_from_slice(&cs.ssrc.to_be_bytes());
                    out.extend_from_slice(&cs.roc.to_be_bytes());
                }
            }
            CsIdMap::Empty => {}
            CsIdMap::GenericId(v) => {
                for cs in v {
                    out.push(cs.cs_id);
                    out.push(cs.prot_type);
                    out.push(u8::from(cs.s_flag) << 7 | (cs.policies.len() as u8 & 0x7f));
                    out.extend_from_slice(&cs.policies);
                    out.extend_from_slice(&(cs.session_data.len() as u16).to_be_bytes());
                    out.extend_from_slice(&cs.session_data);
                    out.push(cs.spi.len() as u8);
                    out.extend_from_slice(&cs.spi);
                }
            }
        }
    }
}
