//! The fast path of the header codec: one pass over the bytes of a list
//! written the way UEs and P-CSCFs write them (no quoted strings, no line
//! folds, parameter values that are tokens), with no allocation for typed
//! parameters.
//!
//! It gives exactly what the general path ([`Mechanism::parse`] over
//! [`split_list`](ims_sec_core::sip::split_list)) gives, errors included:
//! each element it is not sure of is handed, with the text and offset
//! `split_list` would give it, to the general path, and a whole value that
//! holds a quote, CR or LF goes there from the start.

use alloc::vec::Vec;

use esp_sa::{EncryptionAlgorithm, IntegrityAlgorithm};
use ims_sec_core::sip::{is_token_char, Param, ParamValue, ParseError};

use super::{decimal, Algorithm, Mechanism, MechanismName, MechanismParam, Mode, Protocol, QValue};

/// Bytes by class, looked up once per byte: token characters, and the
/// bytes that send a whole value to the general path (a quote, CR, LF, NUL).
// Evaluated at compile time: an index out of range would fail the build,
// it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        if is_token_char(b as u8) {
            table[b] = TOKEN;
        }
        b += 1;
    }
    table[0] = GENERAL;
    table[b'"' as usize] = GENERAL;
    table[b'\r' as usize] = GENERAL;
    table[b'\n' as usize] = GENERAL;
    table
};
const TOKEN: u8 = 1;
const GENERAL: u8 = 2;

fn class(b: u8) -> u8 {
    CLASS.get(usize::from(b)).copied().unwrap_or(0)
}

/// How many `,` elements `value` may hold, if the fast path may read it
/// at all: no quoted string, no fold, no NUL (which the general path
/// refuses with its offset). Eight bytes at a time.
pub(super) fn applies(value: &str) -> Option<usize> {
    const fn splat(b: u8) -> u64 {
        u64::from_ne_bytes([b; 8])
    }
    /// The high bit of every byte of `x` that is zero, exactly.
    const fn zeros(x: u64) -> u64 {
        const LOW7: u64 = splat(0x7f);
        !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
    }
    let bytes = value.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut commas = 0;
    for word in &mut words {
        let w = <[u8; 8]>::try_from(word).map_or(0, u64::from_ne_bytes);
        let general =
            zeros(w) | zeros(w ^ splat(b'"')) | zeros(w ^ splat(b'\r')) | zeros(w ^ splat(b'\n'));
        if general != 0 {
            return None;
        }
        commas += zeros(w ^ splat(b',')).count_ones() as usize;
    }
    for &b in words.remainder() {
        if class(b) == GENERAL {
            return None;
        }
        commas += usize::from(b == b',');
    }
    Some(commas + 1)
}

/// The `,` elements of a value [`applies`] accepts, trimmed of blanks, with
/// their offsets; empty ones skipped (as `split_list` does).
pub(super) fn elements(value: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    value.split(',').filter_map(move |piece| {
        let offset = start;
        start += piece.len() + 1;
        let trimmed = piece.trim_start_matches([' ', '\t']);
        let offset = offset + (piece.len() - trimmed.len());
        let trimmed = trimmed.trim_end_matches([' ', '\t']);
        (!trimmed.is_empty()).then_some((offset, trimmed))
    })
}

/// The typed parameters, by name (RFC 3329 §2.2, TS 33.203 Annex H).
#[derive(Clone, Copy)]
enum Kind {
    Q,
    DAlg,
    DQop,
    DVer,
    Alg,
    Ealg,
    Prot,
    Mod,
    SpiC,
    SpiS,
    PortC,
    PortS,
}

impl Kind {
    /// The kind of a parameter named `name` (case-insensitive, exact) on a
    /// mechanism that is `ipsec-3gpp` or not.
    fn of(name: &str, ipsec: bool) -> Option<Self> {
        let is = |known: &str| name.eq_ignore_ascii_case(known);
        let kind = match name.len() {
            1 if is("q") => Self::Q,
            5 if is("d-alg") => Self::DAlg,
            5 if is("d-qop") => Self::DQop,
            5 if is("d-ver") => Self::DVer,
            _ if !ipsec => return None,
            3 if is("alg") => Self::Alg,
            4 if is("ealg") => Self::Ealg,
            4 if is("prot") => Self::Prot,
            3 if is("mod") => Self::Mod,
            5 if is("spi-c") => Self::SpiC,
            5 if is("spi-s") => Self::SpiS,
            6 if is("port-c") => Self::PortC,
            6 if is("port-s") => Self::PortS,
            _ => return None,
        };
        Some(kind)
    }

    /// The parameter a bare token value makes; the errors of
    /// `MechanismParam::parse` for the same input.
    fn read(self, value: &str, offset: usize) -> Result<MechanismParam, ParseError> {
        let err = |expected| ParseError { offset, expected };
        Ok(match self {
            Self::Q => MechanismParam::Q(QValue::parse(value).ok_or(err("q=qvalue"))?),
            Self::DAlg => MechanismParam::DigestAlgorithm(value.into()),
            Self::DQop => MechanismParam::DigestQop(value.into()),
            Self::DVer => return Err(err("d-ver=\"32 lower-case hex digits\"")),
            Self::Alg => MechanismParam::Alg(
                IntegrityAlgorithm::from_token(value)
                    .map_or_else(|| Algorithm::Other(value.into()), Algorithm::Known),
            ),
            Self::Ealg => MechanismParam::Ealg(
                EncryptionAlgorithm::from_token(value)
                    .map_or_else(|| Algorithm::Other(value.into()), Algorithm::Known),
            ),
            Self::Prot => MechanismParam::Prot(Protocol::from_token(value)),
            Self::Mod => MechanismParam::Mod(Mode::from_token(value)),
            Self::SpiC => {
                MechanismParam::SpiC(decimal(Some(value)).ok_or(err("spi-c=32-bit decimal"))?)
            }
            Self::SpiS => {
                MechanismParam::SpiS(decimal(Some(value)).ok_or(err("spi-s=32-bit decimal"))?)
            }
            Self::PortC => {
                MechanismParam::PortC(decimal(Some(value)).ok_or(err("port-c=16-bit decimal"))?)
            }
            Self::PortS => {
                MechanismParam::PortS(decimal(Some(value)).ok_or(err("port-s=16-bit decimal"))?)
            }
        })
    }
}

/// A byte cursor over one element.
struct Bytes<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Bytes<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(|b| class(b) == TOKEN) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).filter(|t| !t.is_empty())
    }
}

/// One element (`text` at `offset`, trimmed), or `None` when it is not in
/// the simple form and must go to the general path.
pub(super) fn mechanism(text: &str, offset: usize) -> Option<Result<Mechanism, ParseError>> {
    let mut b = Bytes { text, pos: 0 };
    let name = MechanismName::from_token(b.token()?);
    let ipsec = name == MechanismName::Ipsec3gpp;
    b.blanks();
    let mut params = Vec::with_capacity(8);
    let mut seen = 0u16; // the typed kinds so far, one bit each
    loop {
        match b.peek() {
            None => break,
            Some(b';') => b.pos += 1,
            Some(_) => return None,
        }
        b.blanks();
        if matches!(b.peek(), None | Some(b';')) {
            continue; // an empty element, skipped as split_list does
        }
        let at = offset + b.pos;
        let name = b.token()?;
        b.blanks();
        let value = if b.peek() == Some(b'=') {
            b.pos += 1;
            b.blanks();
            let value = b.token()?;
            b.blanks();
            Some(value)
        } else {
            None
        };
        if !matches!(b.peek(), None | Some(b';')) {
            return None;
        }
        let param = match (Kind::of(name, ipsec), value) {
            (Some(kind), Some(value)) => {
                // The value is read first, as the general path does: a
                // second `alg` with a bad value is told about the value.
                let param = match kind.read(value, at) {
                    Ok(p) => p,
                    Err(e) => return Some(Err(e)),
                };
                let bit = 1u16 << (kind as u16);
                if seen & bit != 0 {
                    return Some(Err(ParseError {
                        offset: at,
                        expected: super::ONCE,
                    }));
                }
                seen |= bit;
                param
            }
            // A typed name without a value: the general path says why.
            (Some(_), None) => return None,
            (None, value) => MechanismParam::Extension(
                Param::new(name, value.map(|v| ParamValue::Token(v.into()))).ok()?,
            ),
        };
        params.push(param);
    }
    Some(Ok(Mechanism { name, params }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::MechanismList;
    use ims_sec_core::sip::split_list;
    use proptest::prelude::*;

    /// The general path alone.
    fn general(value: &str) -> Result<MechanismList, ParseError> {
        if let Some(offset) = value.bytes().position(|b| b == 0) {
            return Err(ParseError {
                offset,
                expected: "text without NUL",
            });
        }
        let mut mechanisms = Vec::new();
        for item in split_list(value, b',', 0)? {
            mechanisms.push(Mechanism::parse(item.value, item.offset)?);
        }
        Ok(MechanismList::new(mechanisms))
    }

    const PIECES: &[&str] = &[
        "ipsec-3gpp",
        "IPSEC-3GPP",
        "tls",
        "digest",
        "x",
        "alg",
        "ALG",
        "ealg",
        "prot",
        "mod",
        "spi-c",
        "Spi-S",
        "port-c",
        "port-s",
        "q",
        "d-alg",
        "d-ver",
        "d-qop",
        "=",
        "=",
        ";",
        ";",
        ",",
        ",",
        " ",
        " ",
        "\t",
        "hmac-sha-1-96",
        "aes-cbc",
        "null",
        "esp",
        "trans",
        "0.5",
        "1.5",
        "123",
        "4294967296",
        "65536",
        "0",
        "[::1]",
        ":",
        "é",
        "\"",
        "\r\n ",
        "\\",
        "\0",
    ];

    #[test]
    fn real_headers_read_the_same_both_ways() {
        for value in [
            "ipsec-3gpp; alg=hmac-md5-96; ealg=des-ede3-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=null; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306",
            "ipsec-3gpp;prot=esp;mod=trans;spi-c=74618;spi-s=74619;port-c=8001;port-s=8000;alg=hmac-md5-96;ealg=des-ede3-cbc, ipsec-3gpp;prot=esp;mod=trans;spi-c=74618;spi-s=74619;port-c=8001;port-s=8000;alg=hmac-md5-96;ealg=null",
            "ipsec-3gpp; q=0.1; alg=hmac-sha-1-96; spi-c=98765432; spi-s=87654321; port-c=8642; port-s=7531",
            "ipsec-ike;q=0.1, tls;q=0.2 ,, digest; d-alg = md5 ; x ; y=1",
        ] {
            let list = MechanismList::parse(value).unwrap();
            assert_eq!(Ok(list), general(value), "{value}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn applies_eight_bytes_at_a_time_as_one_at_a_time(
            bytes in proptest::collection::vec(
                proptest::sample::select(b",;= a\0\"\r\n\x80\xff\x2b\x22".to_vec()), 0..40)
        ) {
            let value = alloc::string::String::from_utf8_lossy(&bytes);
            let scalar = (!value.bytes().any(|b| matches!(b, 0 | b'"' | b'\r' | b'\n')))
                .then(|| value.bytes().filter(|b| *b == b',').count() + 1);
            prop_assert_eq!(applies(&value), scalar);
        }

        #[test]
        fn the_fast_path_gives_what_the_general_path_gives(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
        ) {
            let value: alloc::string::String = pieces.concat();
            let general = general(&value).and_then(|list| {
                if list.is_empty() {
                    Err(ParseError { offset: 0, expected: "sec-mechanism" })
                } else {
                    Ok(list)
                }
            });
            prop_assert_eq!(MechanismList::parse(&value), general, "{:?}", value);
        }
    }
}
