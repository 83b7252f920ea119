//! Parse errors: what failed, where, and why.

use core::fmt;

/// A MIKEY message, payload chain or SDP attribute could not be parsed.
///
/// `what` names the payload (`"KEMAC"`, `"HDR"`, …) or the structure being
/// read; `offset` is the byte offset, within the buffer handed to the parser,
/// of the field that failed (for [`KeyMgmt`](super::KeyMgmt), the character
/// offset within the line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {offset}: {kind}")]
pub struct ParseError {
    /// The payload or structure being parsed, e.g. `"KEMAC"`.
    pub what: &'static str,
    /// Byte offset of the failing field from the start of the input.
    pub offset: usize,
    /// Why it failed.
    pub kind: ParseErrorKind,
}

/// Why parsing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The input ended inside a field.
    Truncated,
    /// A value whose meaning decides a length (TS type, MAC algorithm, DH
    /// group, hash function, CS ID map type, KV type, key type) is unknown, so
    /// the rest cannot be read.
    Unknown {
        /// The field, e.g. `"MAC alg"`.
        field: &'static str,
        /// The value found.
        value: u8,
    },
    /// Bytes were left after the last payload or inside a length-delimited field.
    Trailing(usize),
    /// A field is longer than this codec keeps (key and salt data: 255 bytes).
    TooLong {
        /// The field, e.g. `"key data"`.
        field: &'static str,
        /// Its length on the wire.
        len: usize,
        /// The largest length kept.
        max: usize,
    },
    /// A TP or TICKET payload inside TP Data: payload chains nest one level only.
    TooDeep,
    /// Anything else, described.
    Invalid(&'static str),
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("truncated"),
            Self::Unknown { field, value } => write!(f, "unknown {field} {value}"),
            Self::Trailing(n) => write!(f, "{n} unexpected trailing bytes"),
            Self::TooLong { field, len, max } => {
                write!(f, "{field} of {len} bytes is longer than {max}")
            }
            Self::TooDeep => f.write_str("TP or TICKET nested inside TP Data"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

impl ParseError {
    pub(crate) const fn new(what: &'static str, offset: usize, kind: ParseErrorKind) -> Self {
        Self { what, offset, kind }
    }
}
