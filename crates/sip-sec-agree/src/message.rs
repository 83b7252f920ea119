//! The header fields of a SIP message as ordered name/value text, and a
//! minimal message reader and writer (RFC 3261 §7), so the agreement and the
//! trust-domain rules can work on "headers in, headers out" without a SIP
//! stack.
//!
//! Header names compare case-insensitively, and the compact forms of
//! RFC 3261 §7.3.3 (`k` for `Supported`, `v` for `Via`, …) match their long
//! names. A header line may carry a comma-separated list, and a header may be
//! repeated over several lines; [`Headers::values`] yields every line's value
//! in order and the codecs split the lists.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use ims_sec_core::sip::is_token;

/// The compact forms of RFC 3261 §7.3.3 (and §20), with their long names.
const COMPACT_FORMS: &[(&str, &str)] = &[
    ("i", "Call-ID"),
    ("m", "Contact"),
    ("e", "Content-Encoding"),
    ("l", "Content-Length"),
    ("c", "Content-Type"),
    ("f", "From"),
    ("s", "Subject"),
    ("k", "Supported"),
    ("t", "To"),
    ("v", "Via"),
];

/// Whether two header names name the same header: case-insensitive, with a
/// compact form equal to its long name.
#[must_use]
pub fn same_header_name(a: &str, b: &str) -> bool {
    fn long(name: &str) -> &str {
        // Only a one-letter name can be a compact form.
        if name.len() != 1 {
            return name;
        }
        COMPACT_FORMS
            .iter()
            .find(|(short, _)| short.eq_ignore_ascii_case(name))
            .map_or(name, |(_, long)| long)
    }
    a.eq_ignore_ascii_case(b) || long(a).eq_ignore_ascii_case(long(b))
}

/// A header name or value that cannot be written on a header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The name is not a `token`.
    #[error("header name is not a token")]
    Name,
    /// The value holds a CR or LF that is not a line fold, or a NUL.
    #[error("header value would break its line")]
    Value,
}

/// One header line: its name as written and its value (line folds kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    name: String,
    value: String,
}

impl Header {
    /// A header line; refused if the name is not a token or the value could
    /// break out of its line (a CR or LF other than a fold, or a NUL).
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Result<Self, HeaderError> {
        let (name, value) = (name.into(), value.into());
        if !is_token(&name) {
            return Err(HeaderError::Name);
        }
        if !value_stays_on_its_line(&value) {
            return Err(HeaderError::Value);
        }
        Ok(Self { name, value })
    }

    /// The name as written.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value, trimmed of surrounding white space.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether this line is a `name` header (case-insensitive, compact forms).
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        same_header_name(&self.name, name)
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.value)
    }
}

/// Whether every CR in `value` starts a fold (CRLF then white space), no LF
/// stands alone and there is no NUL.
fn value_stays_on_its_line(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().all(|(i, b)| match b {
        b'\r' => {
            matches!(bytes.get(i + 1), Some(b'\n'))
                && matches!(bytes.get(i + 2), Some(b' ' | b'\t'))
        }
        b'\n' => i.checked_sub(1).and_then(|j| bytes.get(j)) == Some(&b'\r'),
        0 => false,
        _ => true,
    })
}

/// The header fields of a SIP message, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Headers {
    lines: Vec<Header>,
}

impl Headers {
    /// No headers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a header line (see [`Header::new`] for what is refused).
    pub fn push(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<(), HeaderError> {
        self.lines.push(Header::new(name, value)?);
        Ok(())
    }

    /// Appends a header line, for chaining.
    pub fn with(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, HeaderError> {
        self.push(name, value)?;
        Ok(self)
    }

    /// Every header line, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.lines.iter()
    }

    /// The values of every `name` line, in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lines
            .iter()
            .filter(move |h| h.is(name))
            .map(Header::value)
    }

    /// The value of the first `name` line.
    #[must_use]
    pub fn first(&self, name: &str) -> Option<&str> {
        self.lines.iter().find(|h| h.is(name)).map(Header::value)
    }

    /// Whether there is a `name` line.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.lines.iter().any(|h| h.is(name))
    }

    /// Removes every `name` line; returns how many there were.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.lines.len();
        self.lines.retain(|h| !h.is(name));
        before - self.lines.len()
    }

    /// Keeps only the lines for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Header) -> bool) {
        self.lines.retain(keep);
    }

    /// The number of header lines.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are no header lines.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = core::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.lines.iter()
    }
}

/// Why bytes are not a SIP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The header section is not UTF-8 text.
    #[error("the header section is not UTF-8")]
    NotText,
    /// No empty line ends the header section.
    #[error("no empty line ends the header section")]
    Unterminated,
    /// A header line has no colon, or a bad name or value.
    #[error("malformed header line {line}")]
    HeaderLine {
        /// 1-based line number (the start line is line 1).
        line: usize,
    },
    /// Content-Length is not a number or is longer than the body.
    #[error("Content-Length does not match the body")]
    ContentLength,
}

/// A SIP request or response: start line, headers and body (RFC 3261 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// `REGISTER sip:ims.example.net SIP/2.0` or `SIP/2.0 401 Unauthorized`.
    pub start_line: String,
    /// The header fields.
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

impl Message {
    /// A message with no headers and no body.
    #[must_use]
    pub fn new(start_line: impl Into<String>) -> Self {
        Self {
            start_line: start_line.into(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// Whether this is a request whose method is `method` (case-sensitive,
    /// RFC 3261 §7.1).
    #[must_use]
    pub fn is_request(&self, method: &str) -> bool {
        self.start_line.split(' ').next() == Some(method) && !self.start_line.starts_with("SIP/")
    }

    /// The status code of a response.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        let rest = self.start_line.strip_prefix("SIP/2.0 ")?;
        rest.get(..3)?.parse().ok()
    }

    /// Reads a message from one datagram or stream frame. Folded header
    /// lines are kept folded in their value; a body is as long as
    /// Content-Length says, or the rest of the bytes when it is absent.
    pub fn parse(bytes: &[u8]) -> Result<Self, MessageError> {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or(MessageError::Unterminated)?;
        let head = bytes.get(..end).ok_or(MessageError::Unterminated)?;
        let head = core::str::from_utf8(head).map_err(|_| MessageError::NotText)?;
        let rest = bytes.get(end + 4..).unwrap_or_default();

        // Join folded lines (CRLF followed by white space) to the line before.
        let mut lines: Vec<(usize, String)> = Vec::new();
        for (index, line) in head.split("\r\n").enumerate() {
            match (line.starts_with([' ', '\t']), lines.last_mut()) {
                (true, Some((_, previous))) if index > 1 => {
                    previous.push_str("\r\n");
                    previous.push_str(line);
                }
                (true, _) => return Err(MessageError::HeaderLine { line: index + 1 }),
                (false, _) => lines.push((index + 1, line.to_string())),
            }
        }
        let mut lines = lines.into_iter();
        let (_, start_line) = lines.next().ok_or(MessageError::Unterminated)?;
        let mut headers = Headers::new();
        for (number, line) in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or(MessageError::HeaderLine { line: number })?;
            headers
                .push(name.trim_end_matches([' ', '\t']), trim_lws(value))
                .map_err(|_| MessageError::HeaderLine { line: number })?;
        }
        let body = match headers.first("Content-Length") {
            Some(length) => {
                let length: usize = length
                    .trim()
                    .parse()
                    .map_err(|_| MessageError::ContentLength)?;
                rest.get(..length)
                    .ok_or(MessageError::ContentLength)?
                    .to_vec()
            }
            None => rest.to_vec(),
        };
        Ok(Self {
            start_line,
            headers,
            body,
        })
    }

    /// The message as bytes, with a Content-Length that matches the body
    /// (any Content-Length header is replaced by one written last).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        out.push_str(&self.start_line);
        out.push_str("\r\n");
        for header in self.headers.iter().filter(|h| !h.is("Content-Length")) {
            out.push_str(&header.to_string());
            out.push_str("\r\n");
        }
        out.push_str(&alloc::format!(
            "Content-Length: {}\r\n\r\n",
            self.body.len()
        ));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

impl fmt::Display for Message {
    /// The message as text (a body that is not UTF-8 is shown lossily).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

/// Trims spaces, tabs and folds from both ends of a header value.
fn trim_lws(value: &str) -> &str {
    value.trim_matches([' ', '\t', '\r', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_case_insensitively_and_by_compact_form() {
        assert!(same_header_name("supported", "Supported"));
        assert!(same_header_name("k", "SUPPORTED"));
        assert!(same_header_name("V", "via"));
        assert!(!same_header_name("Security-Client", "Security-Clients"));
        assert!(!same_header_name("k", "Via"));
    }

    #[test]
    fn a_message_reads_and_writes_back() {
        let text = "REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::1]:5060\r\n\
                    security-client: ipsec-3gpp; alg=hmac-sha-1-96;\r\n  spi-c=1\r\nk: sec-agree\r\n\
                    Content-Length: 3\r\n\r\nabcEXTRA";
        let message = Message::parse(text.as_bytes()).unwrap();
        assert!(message.is_request("REGISTER"));
        assert_eq!(message.body, b"abc");
        assert_eq!(
            message.headers.first("Security-Client"),
            Some("ipsec-3gpp; alg=hmac-sha-1-96;\r\n  spi-c=1")
        );
        assert_eq!(message.headers.first("Supported"), Some("sec-agree"));
        let again = Message::parse(&message.to_bytes()).unwrap();
        assert_eq!(again, message);
    }

    #[test]
    fn values_that_would_break_a_line_are_refused() {
        assert_eq!(Header::new("A", "x\r\nVia: y"), Err(HeaderError::Value));
        assert_eq!(Header::new("A", "x\ny"), Err(HeaderError::Value));
        assert_eq!(Header::new("A B", "x"), Err(HeaderError::Name));
        assert!(Header::new("A", "x\r\n y").is_ok());
    }

    #[test]
    fn bad_messages_are_refused() {
        assert_eq!(
            Message::parse(b"SIP/2.0 200 OK\r\n"),
            Err(MessageError::Unterminated)
        );
        assert_eq!(
            Message::parse(b"SIP/2.0 200 OK\r\nNoColon\r\n\r\n"),
            Err(MessageError::HeaderLine { line: 2 })
        );
        assert_eq!(
            Message::parse(b"SIP/2.0 200 OK\r\nContent-Length: 9\r\n\r\nab"),
            Err(MessageError::ContentLength)
        );
        let ok = Message::parse(b"SIP/2.0 200 OK\r\n\r\n").unwrap();
        assert_eq!(ok.status(), Some(200));
    }
}
