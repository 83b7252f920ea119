//! A whole MIKEY message: the Common Header and the payloads after it.

use alloc::vec::Vec;

use super::error::ParseError;
use super::header::Header;
use super::kemac::Kemac;
use super::payload::{
    read_payloads, write_payloads, Cert, Chash, Dh, ErrorPayload, GeneralExt, Id, IdRole,
    IdRoleKind, Payload, Pke, Rand, RandRole, RandRoleKind, Sign, Timestamp, TimestampRole, TsRole,
    Verification,
};
use super::policy::SecurityPolicy;
use super::reader::Reader;
use super::ticket::{Ticket, TicketPolicy};

/// A MIKEY message (RFC 3830 §6, RFC 6043 §6).
///
/// Emitting computes every Next Payload field from the order of `payloads`;
/// parsing then emitting reproduces the input byte for byte. When a KEMAC or
/// V payload is last, its MAC is the last bytes of the emitted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The Common Header.
    pub header: Header,
    /// The payloads, in wire order.
    pub payloads: Vec<Payload>,
}

macro_rules! finder {
    ($(#[$meta:meta])* $name:ident, $variant:ident, $ty:ty) => {
        $(#[$meta])*
        #[must_use]
        pub fn $name(&self) -> Option<&$ty> {
            self.find(|p| match p {
                Payload::$variant(x) => Some(x),
                _ => None,
            })
        }
    };
}

impl Message {
    /// Parses a whole message; bytes after the last payload are an error.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes, 0, "HDR");
        let (header, next) = Header::read(&mut r)?;
        let payloads = read_payloads(&mut r, next, 0)?;
        r.what = "message";
        r.finish()?;
        Ok(Self { header, payloads })
    }

    /// Appends the message's bytes to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let next = self.payloads.first().map_or(0, Payload::payload_type);
        self.header.write(next, out);
        write_payloads(&self.payloads, out);
    }

    /// The message's bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }

    /// The first payload for which `f` returns something.
    pub fn find<'a, T>(&'a self, f: impl Fn(&'a Payload) -> Option<&'a T>) -> Option<&'a T> {
        self.payloads.iter().find_map(f)
    }

    finder!(
        /// The first KEMAC payload.
        kemac, Kemac, Kemac
    );
    finder!(
        /// The first PKE payload.
        pke, Pke, Pke
    );
    finder!(
        /// The first DH payload.
        dh, Dh, Dh
    );
    finder!(
        /// The SIGN payload.
        sign, Sign, Sign
    );
    finder!(
        /// The first T payload.
        t, T, Timestamp
    );
    finder!(
        /// The first ID payload.
        id, Id, Id
    );
    finder!(
        /// The first CERT payload.
        cert, Cert, Cert
    );
    finder!(
        /// The first CHASH payload.
        chash, Chash, Chash
    );
    finder!(
        /// The first V payload.
        v, V, Verification
    );
    finder!(
        /// The first RAND payload.
        rand, Rand, Rand
    );
    finder!(
        /// The first ERR payload.
        err, Err, ErrorPayload
    );
    finder!(
        /// The first TP payload.
        tp, Tp, TicketPolicy
    );
    finder!(
        /// The first TICKET payload.
        ticket, Ticket, Ticket
    );

    /// The SP payload with this policy number.
    #[must_use]
    pub fn sp(&self, policy_no: u8) -> Option<&SecurityPolicy> {
        self.find(|p| match p {
            Payload::Sp(sp) if sp.policy_no == policy_no => Some(sp),
            _ => None,
        })
    }

    /// Every SP payload, in order.
    pub fn sps(&self) -> impl Iterator<Item = &SecurityPolicy> {
        self.payloads.iter().filter_map(|p| match p {
            Payload::Sp(sp) => Some(sp),
            _ => None,
        })
    }

    /// The first IDR payload with this role.
    #[must_use]
    pub fn idr(&self, role: IdRoleKind) -> Option<&IdRole> {
        self.find(|p| match p {
            Payload::Idr(i) if i.role == role => Some(i),
            _ => None,
        })
    }

    /// The first RANDR payload with this role.
    #[must_use]
    pub fn randr(&self, role: RandRoleKind) -> Option<&RandRole> {
        self.find(|p| match p {
            Payload::Randr(r) if r.role == role => Some(r),
            _ => None,
        })
    }

    /// The first TR payload with this role.
    #[must_use]
    pub fn tr(&self, role: TsRole) -> Option<&TimestampRole> {
        self.find(|p| match p {
            Payload::Tr(t) if t.role == role => Some(t),
            _ => None,
        })
    }

    /// The first general extension payload of this type.
    #[must_use]
    pub fn general_ext(&self, ext_type: u8) -> Option<&GeneralExt> {
        self.find(|p| match p {
            Payload::GeneralExt(g) if g.ext_type == ext_type => Some(g),
            _ => None,
        })
    }
}
