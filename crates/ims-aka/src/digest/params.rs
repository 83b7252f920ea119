//! What the challenge and credentials codecs share: the `Digest` scheme,
//! the `auth-param` list, the `qop` values, and the canonical writer.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use ims_sec_core::sip::{self, Cursor, Param, ParamValue, ParseError, Quoted, Spanned};

use super::DigestError;

/// A quality of protection (RFC 2617 §3.2.1 `qop-value`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Qop {
    /// `auth`: authentication only; A2 = Method ":" digest-uri.
    Auth,
    /// `auth-int`: authentication with integrity of the body; A2 also has H(entity-body).
    AuthInt,
    /// Any other token, as written. Build it only through [`Qop::from_name`].
    Other(String),
}

impl Qop {
    /// The qop a token denotes (ASCII case ignored).
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        if name.eq_ignore_ascii_case("auth") {
            Self::Auth
        } else if name.eq_ignore_ascii_case("auth-int") {
            Self::AuthInt
        } else {
            Self::Other(name.into())
        }
    }

    /// The token.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads `Digest` LWS `auth-param *(COMMA auth-param)` and returns the
/// parameters with their offsets. Empty list elements are skipped (the
/// `#rule`); a parameter without a value is returned as such, for the
/// caller to refuse if it is a known one. A bare value that is not a token
/// (an IPv6 host, which SIP's lexer allows bare) is returned as
/// [`ParamValue::Quoted`], since in Digest only a token may be bare
/// (RFC 7235 §2.1) and that is how it will be written back.
pub(super) fn parse_digest(input: &str) -> Result<Vec<Spanned<Param>>, DigestError> {
    let mut cursor = Cursor::new(input);
    cursor.skip_lws();
    let offset = cursor.offset();
    let scheme = cursor.token().map_err(|_| ParseError {
        offset,
        expected: "authentication scheme Digest",
    })?;
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(DigestError::Scheme { offset });
    }
    if !cursor.skip_lws() && !cursor.is_at_end() {
        return Err(ParseError {
            offset: cursor.offset(),
            expected: "white space after Digest",
        }
        .into());
    }
    let mut params = sip::parse_params(cursor.rest(), b',', cursor.offset())?;
    for param in &mut params {
        if let Some(ParamValue::Token(value)) = &mut param.value.value {
            if !sip::is_token(value) {
                param.value.value = Some(ParamValue::Quoted(core::mem::take(value)));
            }
        }
    }
    Ok(params)
}

/// Stores a known parameter's value once; a second occurrence is an error.
pub(super) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    name: &'static str,
    offset: usize,
) -> Result<(), DigestError> {
    if slot.is_some() {
        return Err(DigestError::DuplicateParameter { name, offset });
    }
    *slot = Some(value);
    Ok(())
}

/// The value of a known parameter, which must have one.
pub(super) fn value_of<'p>(
    param: &'p Spanned<Param>,
    name: &'static str,
) -> Result<&'p str, DigestError> {
    param.value.value_str().ok_or(DigestError::InvalidValue {
        name,
        offset: param.offset,
    })
}

/// A required parameter's value.
pub(super) fn required<T>(slot: Option<T>, name: &'static str) -> Result<T, DigestError> {
    slot.ok_or(DigestError::MissingParameter { name })
}

/// `nc-value = 8LHEX` (RFC 2617 §3.2.2); upper case is accepted too.
pub(super) fn parse_nc(value: &str, offset: usize) -> Result<u32, DigestError> {
    let invalid = DigestError::InvalidValue { name: "nc", offset };
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid);
    }
    u32::from_str_radix(value, 16).map_err(|_| invalid)
}

/// Writes `Digest name=value, name=value…` in canonical form. Only a token
/// is ever written bare (RFC 7235 §2.1 `auth-param = token BWS "=" BWS
/// ( token / quoted-string )`); everything else is quoted.
pub(super) struct DigestWriter<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    first: bool,
}

impl<'a, 'b> DigestWriter<'a, 'b> {
    pub(super) fn new(f: &'a mut fmt::Formatter<'b>) -> Result<Self, fmt::Error> {
        f.write_str("Digest")?;
        Ok(Self { f, first: true })
    }

    fn separator(&mut self) -> fmt::Result {
        let separator = if self.first { " " } else { ", " };
        self.first = false;
        self.f.write_str(separator)
    }

    /// `name="value"`.
    pub(super) fn quoted(&mut self, name: &str, value: &str) -> fmt::Result {
        self.separator()?;
        write!(self.f, "{name}={}", Quoted(value))
    }

    /// `name=value`, quoted after all if `value` is not a token.
    pub(super) fn bare(&mut self, name: &str, value: &str) -> fmt::Result {
        if sip::is_token(value) {
            self.separator()?;
            write!(self.f, "{name}={value}")
        } else {
            self.quoted(name, value)
        }
    }

    /// An unknown parameter, as it came: its name is a token (a [`Param`]
    /// cannot have another), its value bare only if it was bare and is a token.
    pub(super) fn param(&mut self, param: &Param) -> fmt::Result {
        match &param.value {
            None => {
                self.separator()?;
                self.f.write_str(param.name())
            }
            Some(ParamValue::Token(value)) => self.bare(param.name(), value),
            Some(ParamValue::Quoted(value)) => self.quoted(param.name(), value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_is_case_insensitive_and_must_be_digest() {
        assert_eq!(parse_digest(" dIgEsT a=b").unwrap().len(), 1);
        assert_eq!(
            parse_digest("Basic a=b"),
            Err(DigestError::Scheme { offset: 0 })
        );
        assert_eq!(parse_digest("Digest").unwrap(), []);
        assert_eq!(
            parse_digest("Digest,a=b"),
            Err(DigestError::Syntax(ParseError {
                offset: 6,
                expected: "white space after Digest"
            }))
        );
    }

    /// Renders through a Display so that the writer has a Formatter.
    struct Render<F: Fn(&mut DigestWriter<'_, '_>) -> fmt::Result>(F);

    impl<F: Fn(&mut DigestWriter<'_, '_>) -> fmt::Result> fmt::Display for Render<F> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let mut w = DigestWriter::new(f)?;
            (self.0)(&mut w)
        }
    }

    #[test]
    fn only_tokens_are_written_bare() {
        use alloc::string::ToString;
        let text = Render(|w| {
            w.bare("algorithm", "AKAv1-MD5")?;
            w.bare("a", "x:y")?;
            w.bare("b", "[::1]")?;
            w.bare("c", "")?;
            w.param(&Param::new("d", Some(ParamValue::Token("[::1]".into()))).unwrap())?;
            w.param(&Param::new("e", Some(ParamValue::Token("tok".into()))).unwrap())?;
            w.param(&Param::new("f", None).unwrap())
        })
        .to_string();
        assert_eq!(
            text,
            "Digest algorithm=AKAv1-MD5, a=\"x:y\", b=\"[::1]\", c=\"\", d=\"[::1]\", e=tok, f"
        );
    }

    #[test]
    fn bare_values_that_are_not_tokens_parse_as_quoted() {
        let params = parse_digest("Digest a=[::1], b=2001:db8::1, c=sip:x, d=tok").unwrap();
        let values: Vec<_> = params.into_iter().map(|p| p.value.value).collect();
        assert_eq!(
            values,
            [
                Some(ParamValue::Quoted("[::1]".into())),
                Some(ParamValue::Quoted("2001:db8::1".into())),
                Some(ParamValue::Quoted("sip:x".into())),
                Some(ParamValue::Token("tok".into())),
            ]
        );
    }

    #[test]
    fn nc_is_eight_hex_digits() {
        assert_eq!(parse_nc("0000000A", 0), Ok(10));
        assert_eq!(parse_nc("ffffffff", 0), Ok(u32::MAX));
        for bad in ["1", "000000001", "+0000001", "0000000g"] {
            assert_eq!(
                parse_nc(bad, 7),
                Err(DigestError::InvalidValue {
                    name: "nc",
                    offset: 7
                })
            );
        }
    }
}
