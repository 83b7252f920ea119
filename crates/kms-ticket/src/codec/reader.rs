//! A cursor over the input that runs nom's byte parsers and turns their
//! failures into [`ParseError`]s carrying the payload name and the absolute
//! offset. nom stays inside this module.

use nom::bytes::complete::take;
use nom::number::complete::{be_u16, be_u32, be_u64, be_u8};
use nom::IResult;

use super::error::{ParseError, ParseErrorKind};

type NomError<'a> = nom::error::Error<&'a [u8]>;

/// Reads fields front to back; `offset` is the absolute position of `rest`.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
    /// The payload being read, named in errors.
    pub(crate) what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(bytes: &'a [u8], offset: usize, what: &'static str) -> Self {
        Self {
            rest: bytes,
            offset,
            what,
        }
    }

    pub(crate) const fn offset(&self) -> usize {
        self.offset
    }

    pub(crate) const fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) const fn remaining(&self) -> usize {
        self.rest.len()
    }

    pub(crate) fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.what, self.offset, kind)
    }

    pub(crate) fn error_at(&self, offset: usize, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.what, offset, kind)
    }

    fn run<O>(
        &mut self,
        width: usize,
        parser: impl FnOnce(&'a [u8]) -> IResult<&'a [u8], O, NomError<'a>>,
    ) -> Result<O, ParseError> {
        match parser(self.rest) {
            Ok((rest, value)) => {
                self.rest = rest;
                self.offset += width;
                Ok(value)
            }
            Err(_) => Err(self.error(ParseErrorKind::Truncated)),
        }
    }

    pub(crate) fn u8(&mut self) -> Result<u8, ParseError> {
        self.run(1, be_u8)
    }

    pub(crate) fn u16(&mut self) -> Result<u16, ParseError> {
        self.run(2, be_u16)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ParseError> {
        self.run(4, be_u32)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, ParseError> {
        self.run(8, be_u64)
    }

    /// Takes `n` bytes; fails before allocating anything if fewer remain.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        self.run(n, take(n))
    }

    /// Takes `n` bytes as a sub-reader for a length-delimited field.
    pub(crate) fn sub(&mut self, n: usize, what: &'static str) -> Result<Reader<'a>, ParseError> {
        let offset = self.offset;
        let bytes = self.take(n)?;
        Ok(Reader::new(bytes, offset, what))
    }

    /// Takes everything left.
    pub(crate) fn take_rest(&mut self) -> &'a [u8] {
        let rest = self.rest;
        self.offset += rest.len();
        self.rest = &[];
        rest
    }

    /// Fails if bytes remain.
    pub(crate) fn finish(&self) -> Result<(), ParseError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.error(ParseErrorKind::Trailing(self.rest.len())))
        }
    }
}
