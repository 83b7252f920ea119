//! The binary framing every message of this crate shares.
//!
//! Each message starts with a one-byte type and a one-byte version
//! ([`VERSION`]), then its fields in network byte order. Variable-length
//! fields carry their length in front. Messages that may grow end with
//! [`Extensions`]: type-length-value entries that a parser keeps unread, so
//! parse then emit round-trips a message from a newer peer.

use alloc::vec::Vec;

use crate::error::ParseError;

/// The only message version this crate emits and parses.
pub const VERSION: u8 = 1;

/// Reads fields from a byte string, remembering where it is for errors.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Checks the message type and version.
    pub(crate) fn header(&mut self, kind: u8, what: &'static str) -> Result<(), ParseError> {
        let at = self.pos;
        if self.u8(what)? != kind {
            return Err(ParseError::new(at, what));
        }
        let at = self.pos;
        if self.u8("version")? != VERSION {
            return Err(ParseError::new(at, "unsupported version"));
        }
        Ok(())
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ParseError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(ParseError::new(self.pos, what))?;
        let out = self
            .data
            .get(self.pos..end)
            .ok_or(ParseError::new(self.pos, what))?;
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], ParseError> {
        let at = self.pos;
        <[u8; N]>::try_from(self.bytes(N, what)?).map_err(|_| ParseError::new(at, what))
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, ParseError> {
        Ok(u8::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, ParseError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, ParseError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, ParseError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    /// A byte string with a one-byte length in front.
    pub(crate) fn short_bytes(&mut self, what: &'static str) -> Result<&'a [u8], ParseError> {
        let n = self.u8(what)?;
        self.bytes(usize::from(n), what)
    }

    /// Fails unless every byte was read.
    pub(crate) fn finish(self) -> Result<(), ParseError> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(ParseError::new(self.pos, "trailing bytes"))
        }
    }
}

pub(crate) fn put_header(out: &mut Vec<u8>, kind: u8) {
    out.push(kind);
    out.push(VERSION);
}

/// Writes a byte string of at most 255 bytes with its length in front; every
/// caller holds a type whose constructor enforced the limit.
pub(crate) fn put_short_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
}

/// One extension: a type and an opaque value this version does not interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The extension's type.
    pub kind: u8,
    /// Its value, at most 65535 bytes.
    pub value: Vec<u8>,
}

/// Extensions at the end of a message, kept in order so emit reproduces them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extensions(Vec<Extension>);

impl Extensions {
    /// No extensions.
    #[must_use]
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    /// Adds an extension; refused if the list already holds 255 or the value
    /// is longer than 65535 bytes.
    pub fn push(&mut self, kind: u8, value: Vec<u8>) -> Result<(), crate::Error> {
        if self.0.len() >= usize::from(u8::MAX) || value.len() > usize::from(u16::MAX) {
            return Err(crate::Error::ExtensionTooLarge);
        }
        self.0.push(Extension { kind, value });
        Ok(())
    }

    /// The extensions, in message order.
    #[must_use]
    pub fn as_slice(&self) -> &[Extension] {
        &self.0
    }

    pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        let count = r.u8("extension count")?;
        let mut out = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let kind = r.u8("extension type")?;
            let len = r.u16("extension length")?;
            let value = r.bytes(usize::from(len), "extension value")?.to_vec();
            out.push(Extension { kind, value });
        }
        Ok(Self(out))
    }

    pub(crate) fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.0.len() as u8);
        for e in &self.0 {
            out.push(e.kind);
            out.extend_from_slice(&(e.value.len() as u16).to_be_bytes());
            out.extend_from_slice(&e.value);
        }
    }
}
