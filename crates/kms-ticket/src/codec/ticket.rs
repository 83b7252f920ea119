//! The ticket policy (TP) and ticket (TICKET) payloads (RFC 6043 §6.10) and
//! the MIKEY base ticket's Ticket Data with its header (THDR, Appendix A).

use alloc::vec::Vec;

use super::error::ParseError;
use super::header::PrfFunc;
use super::payload::{
    emit_chain, read_nested_chain, read_payloads, write_payloads, write_u16_prefixed, Payload,
};
use super::reader::Reader;

/// The 14 TP flags D to O and the 5 reserved bits that follow them, as the
/// 17 bits after the PRF Func field: D is bit 16, E bit 15, …, O bit 5, and
/// Res bits 4 to 0 (kept so that parse then emit round-trips).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TicketFlags(pub u32);

impl TicketFlags {
    /// D: the KMS generated the ticket.
    pub const D: u32 = 1 << 16;
    /// E: the Ticket Resolve exchange is mandatory.
    pub const E: u32 = 1 << 15;
    /// F: TRANSFER_RESP shall be sent.
    pub const F: u32 = 1 << 14;
    /// G: the Responder shall generate RANDRr.
    pub const G: u32 = 1 << 13;
    /// H: RANDRi shall be used when deriving keys from a TGK/GTGK.
    pub const H: u32 = 1 << 12;
    /// I: key forking shall be used.
    pub const I: u32 = 1 << 11;
    /// J: the ticket may be reused.
    pub const J: u32 = 1 << 10;
    /// K: the KMS changed the desired Ticket Policy or KEMAC.
    pub const K: u32 = 1 << 9;
    /// L: the Initiator may supply session keys.
    pub const L: u32 = 1 << 8;
    /// M: the Responder may supply session keys.
    pub const M: u32 = 1 << 7;
    /// N: an Initiator following RFC 6043 can send TRANSFER_INIT with the ticket.
    pub const N: u32 = 1 << 6;
    /// O: a Responder following RFC 6043 can process TRANSFER_INIT with the ticket.
    pub const O: u32 = 1 << 5;
    /// The reserved bits.
    pub const RESERVED: u32 = 0x1f;
    /// Every bit the field holds.
    pub const ALL: u32 = 0x1_ffff;

    /// Whether every bit of `flag` is set.
    #[must_use]
    pub const fn contains(self, flag: u32) -> bool {
        self.0 & flag == flag
    }

    /// These flags with `flag` set or cleared.
    #[must_use]
    pub const fn with(self, flag: u32, on: bool) -> Self {
        if on {
            Self(self.0 | flag)
        } else {
            Self(self.0 & !flag)
        }
    }

    /// D flag.
    #[must_use]
    pub const fn d(self) -> bool {
        self.contains(Self::D)
    }
    /// E flag.
    #[must_use]
    pub const fn e(self) -> bool {
        self.contains(Self::E)
    }
    /// F flag.
    #[must_use]
    pub const fn f(self) -> bool {
        self.contains(Self::F)
    }
    /// G flag.
    #[must_use]
    pub const fn g(self) -> bool {
        self.contains(Self::G)
    }
    /// H flag.
    #[must_use]
    pub const fn h(self) -> bool {
        self.contains(Self::H)
    }
    /// I flag.
    #[must_use]
    pub const fn i(self) -> bool {
        self.contains(Self::I)
    }
    /// J flag.
    #[must_use]
    pub const fn j(self) -> bool {
        self.contains(Self::J)
    }
    /// K flag.
    #[must_use]
    pub const fn k(self) -> bool {
        self.contains(Self::K)
    }
    /// L flag.
    #[must_use]
    pub const fn l(self) -> bool {
        self.contains(Self::L)
    }
    /// M flag.
    #[must_use]
    pub const fn m(self) -> bool {
        self.contains(Self::M)
    }
    /// N flag.
    #[must_use]
    pub const fn n(self) -> bool {
        self.contains(Self::N)
    }
    /// O flag.
    #[must_use]
    pub const fn o(self) -> bool {
        self.contains(Self::O)
    }
    /// The 5 reserved bits.
    #[must_use]
    pub const fn reserved(self) -> u8 {
        (self.0 & Self::RESERVED) as u8
    }
}

/// The ticket policy payload (TP, type 16), also the head of a TICKET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPolicy {
    /// Ticket Type (1 MIKEY base ticket, 2 3GPP base ticket).
    pub ticket_type: u16,
    /// Ticket subtype.
    pub subtype: u8,
    /// Ticket subtype version.
    pub version: u8,
    /// PRF for key forking (7 bits).
    pub prf: PrfFunc,
    /// Flags D to O and the reserved bits.
    pub flags: TicketFlags,
    /// TP Data: a chain of payloads (IDRkms, IDRi, TRs, TRe, TRr, KEMAC,
    /// IDRapp, IDRr). It may not hold TP or TICKET payloads. On the wire it
    /// starts with a First Payload byte, 0 when empty.
    pub tp_data: Vec<Payload>,
}

impl TicketPolicy {
    pub(crate) fn read(r: &mut Reader<'_>, depth: u8) -> Result<Self, ParseError> {
        let ticket_type = r.u16()?;
        let subtype = r.u8()?;
        let version = r.u8()?;
        let prf_d = r.u8()?;
        let flags_hi = r.u8()?;
        let flags_lo = r.u8()?;
        let len = r.u16()?;
        let tp_data = read_nested_chain(r, usize::from(len), "TP Data", depth)?;
        Ok(Self {
            ticket_type,
            subtype,
            version,
            prf: PrfFunc::from(prf_d >> 1),
            flags: TicketFlags(
                u32::from(prf_d & 1) << 16 | u32::from(flags_hi) << 8 | u32::from(flags_lo),
            ),
            tp_data,
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ticket_type.to_be_bytes());
        out.push(self.subtype);
        out.push(self.version);
        let flags = self.flags.0;
        out.push((u8::from(self.prf) & 0x7f) << 1 | ((flags >> 16) & 1) as u8);
        out.push((flags >> 8) as u8);
        out.push(flags as u8);
        let mut chain = Vec::new();
        emit_chain(&self.tp_data, &mut chain);
        write_u16_prefixed(&chain, out);
    }
}

/// The ticket payload (TICKET, type 17): the granted policy, the Ticket Data
/// and the Initiator Data, the last two kept raw (their format depends on the
/// ticket type, and MACs cover their exact bytes). For the MIKEY base ticket,
/// read the Ticket Data with [`TicketData::parse`] and the Initiator Data with
/// [`parse_chain`](super::parse_chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The granted Ticket Policy.
    pub policy: TicketPolicy,
    /// Ticket Data (at most 65535 bytes).
    pub ticket_data: Vec<u8>,
    /// Initiator Data (at most 65535 bytes; empty unless key forking is used).
    pub initiator_data: Vec<u8>,
}

impl Ticket {
    pub(crate) fn read(r: &mut Reader<'_>, depth: u8) -> Result<Self, ParseError> {
        let policy = TicketPolicy::read(r, depth)?;
        r.what = "TICKET";
        let len = r.u16()?;
        let ticket_data = r.take(usize::from(len))?.to_vec();
        let len = r.u16()?;
        let initiator_data = r.take(usize::from(len))?.to_vec();
        Ok(Self {
            policy,
            ticket_data,
            initiator_data,
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        self.policy.write(out);
        write_u16_prefixed(&self.ticket_data, out);
        write_u16_prefixed(&self.initiator_data, out);
    }
}

/// The ticket header payload (THDR, RFC 6043 Appendix A.3).
///
/// RFC 6043 assigns THDR no Next Payload value: like the Common Header, it
/// is recognised by position, as the first thing in the Ticket Data of a
/// MIKEY base ticket (see [`TicketData`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketHeader {
    /// THDR Data: implementation specific (at most 65535 bytes).
    pub data: Vec<u8>,
}

/// The Ticket Data of a MIKEY base ticket (RFC 6043 Appendix A): THDR, whose
/// Next Payload field starts the chain of the remaining payloads
/// (T, RAND, KEMAC, \[IDRpsk\], V).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketData {
    /// The ticket header.
    pub header: TicketHeader,
    /// The payloads after it.
    pub payloads: Vec<Payload>,
}

impl TicketData {
    /// Parses Ticket Data; the whole input must be used. Offsets in errors
    /// count from the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes, 0, "THDR");
        let next = r.u8()?;
        let len = r.u16()?;
        let data = r.take(usize::from(len))?.to_vec();
        let payloads = read_payloads(&mut r, next, 0)?;
        r.what = "Ticket Data";
        r.finish()?;
        Ok(Self {
            header: TicketHeader { data },
            payloads,
        })
    }

    /// Writes the Ticket Data.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.payloads.first().map_or(0, Payload::payload_type));
        write_u16_prefixed(&self.header.data, out);
        write_payloads(&self.payloads, out);
    }

    /// The Ticket Data as bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }
}
