//! SIP lexical rules shared by the header codecs (RFC 3261 §25.1).
//!
//! The pieces every SIP security header is made of: tokens, quoted strings
//! with `\` escapes, linear white space (LWS, including line folding), lists
//! separated by commas or semicolons that never split inside a quoted
//! string, and `name=value` parameters. Digest (`realm="a", nonce="b"`) and
//! sec-agree (`ipsec-3gpp; alg=hmac-sha-1-96; spi-c=1234, digest`) are both
//! built from them.
//!
//! Every error carries the byte offset of the problem in the whole header
//! value: functions that work on a part of it take the part's `base` offset
//! (offsets saturate at `usize::MAX` rather than overflow).
//!
//! Emitting always yields the grammar: a [`Param`]'s name is a token (checked
//! when it is made, [`Param::new`]), and a value is written bare only when it
//! may be ([`is_bare_value`]), else as a quoted string that cannot break out
//! of its header line ([`Quoted`]).
//!
//! ```
//! use ims_sec_core::sip::{parse_params, split_list, ParamValue};
//!
//! let value = r#"ipsec-3gpp; alg=hmac-sha-1-96; spi-c=1234, digest; q="0,1""#;
//! let mechanisms = split_list(value, b',', 0).unwrap();
//! assert_eq!(mechanisms.len(), 2);
//! assert_eq!(mechanisms[1].offset, 43);
//!
//! let params = parse_params(mechanisms[1].value, b';', mechanisms[1].offset).unwrap();
//! assert_eq!(params[0].value.name(), "digest");
//! assert_eq!(params[1].value.value, Some(ParamValue::Quoted("0,1".into())));
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::net::Ipv6Addr;

use nom::bytes::complete::take_while1;
use nom::IResult;

/// A header value did not follow the grammar: what was expected, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the problem in the whole header value.
    pub offset: usize,
    /// What the grammar wanted there.
    pub expected: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.offset)
    }
}

impl core::error::Error for ParseError {}

/// Whether `b` may appear in a `token` (RFC 3261 §25.1):
/// `alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"`.
#[must_use]
pub const fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

/// Whether `s` is a non-empty `token`.
#[must_use]
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Whether `b` may appear in a run the lexer reads as an unquoted value: a
/// `token` byte, or `[`, `]` and `:` of an IPv6 host.
const fn is_bare_value_char(b: u8) -> bool {
    is_token_char(b) || matches!(b, b'[' | b']' | b':')
}

/// Whether `s` may be written as an unquoted parameter value: a `token`
/// (which covers hostnames and IPv4 addresses), an `IPv6reference`
/// (`[2001:db8::1]`, RFC 3261 `gen-value = token / host / quoted-string`),
/// or a bare `IPv6address` (RFC 3261 `via-received = "received" EQUAL
/// (IPv4address / IPv6address)` allows no other form).
///
/// In a Digest `auth-param` only a token may be bare (RFC 7235 §2.1); test
/// that with [`is_token`].
#[must_use]
pub fn is_bare_value(s: &str) -> bool {
    if is_token(s) {
        return true;
    }
    let address = s
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(s);
    address.contains(':') && address.parse::<Ipv6Addr>().is_ok()
}

/// The value of a parameter, remembering whether it was (and so will be
/// written) quoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ParamValue {
    /// A bare value: a `token` or an IPv6 host ([`is_bare_value`]). Built by
    /// hand with anything else, it is written quoted.
    Token(String),
    /// The text of a `quoted-string`, quotes removed and escapes resolved.
    /// The lexer also puts here a bare run that may not be written bare
    /// (such as `sip:a` from a sloppy peer), since quoted is the only form in
    /// which it can be written back.
    Quoted(String),
}

impl ParamValue {
    /// The value's text, quoted or not.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Token(s) | Self::Quoted(s) => s,
        }
    }

    /// Whether the value was (and will be written) quoted.
    #[must_use]
    pub fn is_quoted(&self) -> bool {
        matches!(self, Self::Quoted(_))
    }
}

impl fmt::Display for ParamValue {
    /// A token is written bare when it is one; anything else is quoted, so
    /// the output always parses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(s) if is_bare_value(s) => f.write_str(s),
            Self::Token(s) | Self::Quoted(s) => Quoted(s).fmt(f),
        }
    }
}

/// A `name[=value]` parameter (RFC 3261 `generic-param`, RFC 2617 `auth-param`).
///
/// The name is always a `token`: [`Param::new`] refuses anything else, so
/// a name can never carry a separator, a quote or a line break into the
/// header it is written in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Param {
    name: String,
    /// The value, if there was an `=`. Any value is safe to set: it is
    /// written bare only when it may be, else quoted.
    pub value: Option<ParamValue>,
}

impl Param {
    /// A parameter named `name`, which must be a `token`; otherwise the
    /// error gives the byte offset in `name` of the first byte that is not
    /// a token character (0 for an empty name).
    pub fn new(name: impl Into<String>, value: Option<ParamValue>) -> Result<Self, ParseError> {
        let name = name.into();
        if let Some(offset) = name.bytes().position(|b| !is_token_char(b)) {
            return Err(ParseError {
                offset,
                expected: "token",
            });
        }
        if name.is_empty() {
            return Err(ParseError {
                offset: 0,
                expected: "token",
            });
        }
        Ok(Self { name, value })
    }

    /// The name as written; compare it with [`Param::name_is`].
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the parameter's name is `name`, ignoring ASCII case
    /// (parameter names are case-insensitive).
    #[must_use]
    pub fn name_is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value's text, if any.
    #[must_use]
    pub fn value_str(&self) -> Option<&str> {
        self.value.as_ref().map(ParamValue::as_str)
    }
}

impl fmt::Display for Param {
    /// `name` or `name=value`; the name is a token by construction.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        match &self.value {
            Some(value) => write!(f, "={value}"),
            None => Ok(()),
        }
    }
}

/// Writes a string as a `quoted-string`.
///
/// `"` and `\` are escaped, as are control characters other than HTAB
/// (`quoted-pair`). CR and LF cannot be carried by a quoted string at all
/// (§25.1 excludes them from `quoted-pair`), so each is written as a space,
/// which is what a line fold means; a value can never break out of its
/// header line.
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' | '\\' => {
                    f.write_char('\\')?;
                    f.write_char(c)?;
                }
                '\r' | '\n' => f.write_char(' ')?,
                '\t' => f.write_char(c)?,
                c if c.is_ascii_control() => {
                    f.write_char('\\')?;
                    f.write_char(c)?;
                }
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

/// A value found in a header, with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// Byte offset of the start of the value in the whole header value.
    pub offset: usize,
    /// The value.
    pub value: T,
}

/// A position in a header value, and the lexical rules to move past its parts.
///
/// The methods never panic, and a method that fails leaves the cursor where
/// it was before the call (the error's offset says where the problem is), so
/// the caller can report or try another rule.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    input: &'a str,
    pos: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of a whole header value.
    #[must_use]
    pub fn new(input: &'a str) -> Self {
        Self::with_base(input, 0)
    }

    /// A cursor over a part of a header value that starts at byte `base` of
    /// the whole; errors report offsets in the whole.
    #[must_use]
    pub fn with_base(input: &'a str, base: usize) -> Self {
        Self {
            input,
            pos: 0,
            base,
        }
    }

    /// The offset of the cursor in the whole header value (saturating at
    /// `usize::MAX`, whatever `base` the caller gave).
    #[must_use]
    pub fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// What is left to read.
    #[must_use]
    pub fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or("")
    }

    /// Whether everything has been read.
    #[must_use]
    pub fn is_at_end(&self) -> bool {
        self.rest().is_empty()
    }

    /// The next byte, if any.
    #[must_use]
    pub fn peek(&self) -> Option<u8> {
        self.rest().bytes().next()
    }

    fn error(&self, expected: &'static str) -> ParseError {
        ParseError {
            offset: self.offset(),
            expected,
        }
    }

    /// Skips `LWS = [*WSP CRLF] 1*WSP`, repeated (§25.1; a fold is CRLF
    /// followed by white space). Returns whether anything was skipped.
    pub fn skip_lws(&mut self) -> bool {
        let start = self.pos;
        let bytes = self.rest().as_bytes();
        let mut i = 0;
        loop {
            match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(b' ' | b'\t'), _, _) => i += 1,
                (Some(b'\r'), Some(b'\n'), Some(b' ' | b'\t')) => i += 3,
                _ => break,
            }
        }
        self.pos += i;
        self.pos != start
    }

    /// Consumes `c` if it is the next byte.
    pub fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `c` or fails with `expected`.
    pub fn require(&mut self, c: u8, expected: &'static str) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Consumes `SWS c SWS`, the form of `EQUAL`, `COMMA`, `SEMI` and the
    /// other separators of §25.1. Leaves the cursor unmoved when `c` is not next.
    pub fn separator(&mut self, c: u8) -> bool {
        let start = self.pos;
        self.skip_lws();
        if self.eat(c) {
            self.skip_lws();
            true
        } else {
            self.pos = start;
            false
        }
    }

    /// Reads a `token`.
    pub fn token(&mut self) -> Result<&'a str, ParseError> {
        self.take(is_token_char, "token")
    }

    fn take(
        &mut self,
        accept: fn(u8) -> bool,
        expected: &'static str,
    ) -> Result<&'a str, ParseError> {
        let run: IResult<&'a str, &'a str> =
            take_while1(|c: char| c.is_ascii() && accept(c as u8))(self.rest());
        match run {
            Ok((_, found)) => {
                self.pos += found.len();
                Ok(found)
            }
            Err(_) => Err(self.error(expected)),
        }
    }

    /// Reads a `quoted-string` (without leading white space) and returns its
    /// text with the quotes removed, `quoted-pair` escapes resolved and line
    /// folds unfolded (the CRLF of a fold is dropped, its white space kept).
    pub fn quoted_string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let result = self.quoted_string_inner();
        if result.is_err() {
            self.pos = start;
        }
        result
    }

    fn quoted_string_inner(&mut self) -> Result<String, ParseError> {
        self.require(b'"', "'\"'")?;
        let mut text = String::new();
        loop {
            let rest = self.rest();
            let mut chars = rest.chars();
            let Some(c) = chars.next() else {
                return Err(self.error("closing '\"'"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(text);
                }
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                '\\' => match chars.next() {
                    Some(escaped) if escaped.is_ascii() && escaped != '\r' && escaped != '\n' => {
                        text.push(escaped);
                        self.pos += 2;
                    }
                    _ => {
                        self.pos += 1;
                        return Err(self.error("escaped ASCII character other than CR or LF"));
                    }
                },
                '\r' => {
                    // Only a fold (CRLF WSP) may break a quoted string's line.
                    let bytes = rest.as_bytes();
                    if let (Some(b'\n'), Some(b' ' | b'\t')) = (bytes.get(1), bytes.get(2)) {
                        self.pos += 2;
                    } else {
                        return Err(self.error("line fold (CRLF followed by white space)"));
                    }
                }
                '\t' => {
                    text.push(c);
                    self.pos += 1;
                }
                c if c.is_ascii_control() => return Err(self.error("quoted text")),
                c => {
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Reads a parameter value: a `quoted-string`, or else a bare run of
    /// token characters, `[`, `]` and `:` (RFC 3261 `gen-value`, read
    /// liberally). A bare run that may be written bare ([`is_bare_value`])
    /// is a [`ParamValue::Token`]; any other (`sip:a`) is kept as
    /// [`ParamValue::Quoted`], the form it must be written in.
    pub fn value(&mut self) -> Result<ParamValue, ParseError> {
        if self.peek() == Some(b'"') {
            self.quoted_string().map(ParamValue::Quoted)
        } else {
            let run = self.take(is_bare_value_char, "token or quoted-string")?;
            Ok(if is_bare_value(run) {
                ParamValue::Token(run.into())
            } else {
                ParamValue::Quoted(run.into())
            })
        }
    }

    /// Reads `token [EQUAL value]`.
    pub fn param(&mut self) -> Result<Param, ParseError> {
        let start = self.pos;
        let result = self.param_inner();
        if result.is_err() {
            self.pos = start;
        }
        result
    }

    fn param_inner(&mut self) -> Result<Param, ParseError> {
        let name = self.token()?;
        let value = if self.separator(b'=') {
            Some(self.value()?)
        } else {
            None
        };
        Ok(Param {
            name: name.into(),
            value,
        })
    }

    /// Skips trailing white space and fails with `expected` unless nothing
    /// is left (the error's offset is that of the first byte left over).
    pub fn end(&mut self, expected: &'static str) -> Result<(), ParseError> {
        let start = self.pos;
        self.skip_lws();
        if self.is_at_end() {
            Ok(())
        } else {
            let error = self.error(expected);
            self.pos = start;
            Err(error)
        }
    }
}

/// Splits a list at every `separator` (`b','` or `b';'`) that is outside a
/// quoted string. Each item is trimmed of LWS and reported with its offset
/// (`base` is the offset of `input` in the whole header value); empty items
/// are skipped, as the `#rule` of RFC 2616 §2.1 allows. Quoted strings are
/// checked on the way, so an unterminated one is an error here.
pub fn split_list(
    input: &str,
    separator: u8,
    base: usize,
) -> Result<Vec<Spanned<&str>>, ParseError> {
    let mut items = Vec::new();
    let mut cursor = Cursor::with_base(input, base);
    let mut start = 0;
    loop {
        match cursor.peek() {
            Some(b'"') => {
                cursor.quoted_string()?;
            }
            Some(c) if c == separator => {
                push_trimmed(&mut items, input, start, cursor.pos, base);
                cursor.pos += 1;
                start = cursor.pos;
            }
            Some(_) => {
                // Step over one whole character, so `pos` stays on a char boundary.
                cursor.pos += cursor.rest().chars().next().map_or(1, char::len_utf8);
            }
            None => {
                push_trimmed(&mut items, input, start, cursor.pos, base);
                return Ok(items);
            }
        }
    }
}

fn push_trimmed<'a>(
    items: &mut Vec<Spanned<&'a str>>,
    input: &'a str,
    start: usize,
    end: usize,
    base: usize,
) {
    let Some(item) = input.get(start..end) else {
        return;
    };
    let mut cursor = Cursor::with_base(item, base.saturating_add(start));
    cursor.skip_lws();
    let offset = cursor.offset();
    let text = trim_trailing_lws(cursor.rest());
    if !text.is_empty() {
        items.push(Spanned {
            offset,
            value: text,
        });
    }
}

/// Removes trailing white space, and line folds that only white space followed.
fn trim_trailing_lws(s: &str) -> &str {
    let mut s = s;
    loop {
        let trimmed = s.trim_end_matches([' ', '\t']);
        if trimmed.len() == s.len() {
            return s;
        }
        s = trimmed.strip_suffix("\r\n").unwrap_or(trimmed);
    }
}

/// Parses a list of parameters separated by `separator` (`b';'` for
/// `generic-param` lists, `b','` for Digest's `auth-param` lists), each
/// `token [EQUAL value]`. `base` is the offset of `input` in the whole header
/// value.
pub fn parse_params(
    input: &str,
    separator: u8,
    base: usize,
) -> Result<Vec<Spanned<Param>>, ParseError> {
    split_list(input, separator, base)?
        .into_iter()
        .map(|item| {
            let mut cursor = Cursor::with_base(item.value, item.offset);
            let param = cursor.param()?;
            cursor.end(match separator {
                b',' => "',' or end of list",
                b';' => "';' or end of list",
                _ => "separator or end of list",
            })?;
            Ok(Spanned {
                offset: item.offset,
                value: param,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn token_stops_at_the_first_non_token_byte() {
        let mut c = Cursor::new("AKAv1-MD5, x");
        assert_eq!(c.token(), Ok("AKAv1-MD5"));
        assert_eq!(c.offset(), 9);
        assert_eq!(
            c.token(),
            Err(ParseError {
                offset: 9,
                expected: "token"
            })
        );
    }

    #[test]
    fn quoted_string_resolves_escapes_and_folds() {
        let mut c = Cursor::new("\"a\\\"b\\\\c\r\n d\" rest");
        assert_eq!(c.quoted_string().unwrap(), "a\"b\\c d");
        assert_eq!(c.rest(), " rest");
    }

    #[test]
    fn quoted_string_refuses_bare_line_breaks_and_missing_quotes() {
        assert_eq!(
            Cursor::new("\"ab\r\nc\"").quoted_string(),
            Err(ParseError {
                offset: 3,
                expected: "line fold (CRLF followed by white space)"
            })
        );
        assert_eq!(
            Cursor::new("\"ab").quoted_string(),
            Err(ParseError {
                offset: 3,
                expected: "closing '\"'"
            })
        );
        assert_eq!(
            Cursor::new("\"a\\\n\"").quoted_string().unwrap_err().offset,
            3
        );
    }

    #[test]
    fn lws_includes_folds_but_not_bare_crlf() {
        let mut c = Cursor::new(" \t\r\n  x");
        assert!(c.skip_lws());
        assert_eq!(c.rest(), "x");
        let mut c = Cursor::new(" \r\nx");
        c.skip_lws();
        assert_eq!(c.rest(), "\r\nx");
    }

    #[test]
    fn lists_split_outside_quotes_only() {
        let items = split_list(r#" a="1,2" ,, b ; c ,"#, b',', 10).unwrap();
        let texts: Vec<_> = items.iter().map(|i| (i.offset, i.value)).collect();
        assert_eq!(texts, vec![(11, r#"a="1,2""#), (22, "b ; c")]);
    }

    #[test]
    fn sec_agree_mechanisms_parse_with_the_same_helpers() {
        let value = "ipsec-3gpp; alg=hmac-sha-1-96; spi-c=1234; port-s=[::1], digest; d-alg=md5";
        let mechs = split_list(value, b',', 0).unwrap();
        let first = parse_params(mechs[0].value, b';', mechs[0].offset).unwrap();
        assert_eq!(first[0].value, Param::new("ipsec-3gpp", None).unwrap());
        assert_eq!(first[1].value.value_str(), Some("hmac-sha-1-96"));
        assert_eq!(first[3].value.value_str(), Some("[::1]"));
        let second = parse_params(mechs[1].value, b';', mechs[1].offset).unwrap();
        assert!(second[1].value.name_is("D-ALG"));
        assert_eq!(second[1].offset, 65);
    }

    #[test]
    fn bad_parameter_reports_its_offset() {
        assert_eq!(
            parse_params("a=1; b c", b';', 0),
            Err(ParseError {
                offset: 7,
                expected: "';' or end of list"
            })
        );
        assert_eq!(
            parse_params("a=1, b=@", b',', 100),
            Err(ParseError {
                offset: 107,
                expected: "token or quoted-string"
            })
        );
    }

    #[test]
    fn emit_quotes_what_cannot_be_bare_and_escapes() {
        assert_eq!(ParamValue::Token("md5".into()).to_string(), "md5");
        assert_eq!(ParamValue::Token("a b".into()).to_string(), "\"a b\"");
        assert_eq!(ParamValue::Token(String::new()).to_string(), "\"\"");
        assert_eq!(
            Quoted("a\"b\\c\r\nd\u{1}").to_string(),
            "\"a\\\"b\\\\c  d\\\u{1}\""
        );
    }

    #[test]
    fn only_tokens_and_ipv6_hosts_are_written_bare() {
        for bare in ["md5", "192.0.2.1", "[2001:db8::1]", "2001:db8::9:1", "::"] {
            assert_eq!(ParamValue::Token(bare.into()).to_string(), bare);
        }
        // Runs the lexer reads bare, but which are neither a token nor a host.
        for not_bare in ["sip:a", "a]", "[a", ":", "[]", "[::1]:5060", "1:2"] {
            assert_eq!(
                ParamValue::Token(not_bare.into()).to_string(),
                alloc::format!("\"{not_bare}\"")
            );
        }
    }

    #[test]
    fn a_bare_run_that_cannot_be_written_bare_is_kept_as_quoted() {
        let params = parse_params(
            "maddr=[2001:db8::1]; received=2001:db8::9:1; x=sip:a",
            b';',
            0,
        )
        .unwrap();
        let values: Vec<_> = params.iter().map(|p| p.value.value.clone()).collect();
        assert_eq!(
            values,
            [
                Some(ParamValue::Token("[2001:db8::1]".into())),
                Some(ParamValue::Token("2001:db8::9:1".into())),
                Some(ParamValue::Quoted("sip:a".into())),
            ]
        );
        let emitted: Vec<_> = params.iter().map(|p| p.value.to_string()).collect();
        assert_eq!(
            emitted,
            [
                "maddr=[2001:db8::1]",
                "received=2001:db8::9:1",
                "x=\"sip:a\""
            ]
        );
    }

    #[test]
    fn parameter_names_must_be_tokens() {
        assert_eq!(Param::new("x-y", None).unwrap().name(), "x-y");
        assert_eq!(
            Param::new("a\r\nVia: evil", None),
            Err(ParseError {
                offset: 1,
                expected: "token"
            })
        );
        assert_eq!(
            Param::new("", None),
            Err(ParseError {
                offset: 0,
                expected: "token"
            })
        );
        assert_eq!(Param::new("a=b", None).unwrap_err().offset, 1);
        assert_eq!(Param::new("a b", None).unwrap_err().offset, 1);
    }

    #[test]
    fn a_failing_param_leaves_the_cursor_where_it_was() {
        for text in ["a=@", "a = \"open", "=b"] {
            let mut c = Cursor::with_base(text, 5);
            assert!(c.param().is_err(), "{text}");
            assert_eq!(c.offset(), 5, "{text}");
            assert_eq!(c.rest(), text);
        }
        let mut c = Cursor::new("a=1 x");
        c.param().unwrap();
        assert_eq!(
            c.end("end"),
            Err(ParseError {
                offset: 4,
                expected: "end"
            })
        );
        assert_eq!(c.rest(), " x");
    }

    #[test]
    fn offsets_saturate_with_a_huge_base() {
        let base = usize::MAX - 2;
        let items = split_list("a, b=1, c", b',', base).unwrap();
        let offsets: Vec<_> = items.iter().map(|i| i.offset).collect();
        assert_eq!(offsets, [base, usize::MAX, usize::MAX]);
        assert_eq!(
            parse_params("a, b=@", b',', base).unwrap_err(),
            ParseError {
                offset: usize::MAX,
                expected: "token or quoted-string"
            }
        );
        let mut c = Cursor::with_base("abcdef", usize::MAX);
        c.token().unwrap();
        assert_eq!(c.offset(), usize::MAX);
    }

    proptest::proptest! {
        #[test]
        fn quoted_round_trips(s in "[^\r\n]*") {
            let text = Quoted(&s).to_string();
            let mut c = Cursor::new(&text);
            proptest::prop_assert_eq!(c.quoted_string().unwrap(), s);
            proptest::prop_assert!(c.is_at_end());
        }

        #[test]
        fn lexer_never_panics(s in "\\PC*", base in proptest::prelude::any::<usize>()) {
            let _ = split_list(&s, b',', base);
            let _ = parse_params(&s, b';', base);
            let mut c = Cursor::with_base(&s, base);
            let _ = c.param();
        }

        #[test]
        fn what_parses_emits_and_parses_back(s in "[a-z=;,\"\\\\:\\[\\] \t\r\n\\x01-]{0,40}") {
            for separator in [b',', b';'] {
                let Ok(params) = parse_params(&s, separator, 0) else { continue };
                let emitted: Vec<_> = params.iter().map(|p| p.value.to_string()).collect();
                let emitted = emitted.join(if separator == b',' { ", " } else { ";" });
                proptest::prop_assert!(!emitted.contains(['\r', '\n']));
                let again: Vec<_> = parse_params(&emitted, separator, 0)
                    .unwrap()
                    .into_iter()
                    .map(|p| p.value)
                    .collect();
                let params: Vec<_> = params.into_iter().map(|p| p.value).collect();
                proptest::prop_assert_eq!(again, params);
            }
        }
    }
}
