//! The SDP `a=key-mgmt` attribute (RFC 4567 §3.1).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::error::{ParseError, ParseErrorKind};
use super::message::Message;

/// A `key-mgmt` attribute: `a=key-mgmt:<prtcl-id> <keymgmt-data>`, the data
/// base64 encoded on the line and decoded here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyMgmt {
    /// The key management protocol ID, e.g. `mikey`.
    pub protocol: String,
    /// The decoded key management data (for MIKEY, the message).
    pub data: Vec<u8>,
}

const WHAT: &str = "key-mgmt";

fn is_token_char(c: char) -> bool {
    // RFC 4566 token-char (printable ASCII other than separators).
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`{|}~".contains(c)
}

impl KeyMgmt {
    /// Parses the attribute, with or without the `a=` prefix and a trailing
    /// CRLF or LF. Offsets in errors are byte offsets in `line`.
    pub fn parse(line: &str) -> Result<Self, ParseError> {
        let err = |offset: usize, why: &'static str| {
            ParseError::new(WHAT, offset, ParseErrorKind::Invalid(why))
        };
        let body = line
            .strip_suffix("\r\n")
            .or_else(|| line.strip_suffix('\n'))
            .unwrap_or(line);
        let (mut at, rest) = match body.strip_prefix("a=") {
            Some(rest) => (2, rest),
            None => (0, body),
        };
        let rest = rest
            .strip_prefix("key-mgmt:")
            .ok_or_else(|| err(at, "expected \"key-mgmt:\""))?;
        at += "key-mgmt:".len();
        // key-mgmt-att-value = 0*1SP prtcl-id SP keymgmt-data
        let rest = match rest.strip_prefix(' ') {
            Some(r) => {
                at += 1;
                r
            }
            None => rest,
        };
        let (protocol, data) = rest
            .split_once(' ')
            .ok_or_else(|| err(at, "expected \"<prtcl-id> <keymgmt-data>\""))?;
        if protocol.is_empty() || !protocol.chars().all(is_token_char) {
            return Err(err(at, "prtcl-id is not a token"));
        }
        at += protocol.len() + 1;
        if data.is_empty() {
            return Err(err(at, "keymgmt-data is empty"));
        }
        let data = STANDARD
            .decode(data)
            .map_err(|_| err(at, "keymgmt-data is not base64"))?;
        Ok(Self {
            protocol: String::from(protocol),
            data,
        })
    }

    /// The attribute carrying a MIKEY message.
    #[must_use]
    pub fn mikey(message: &Message) -> Self {
        Self {
            protocol: String::from("mikey"),
            data: message.to_bytes(),
        }
    }

    /// The MIKEY message carried, if the protocol is `mikey`.
    pub fn message(&self) -> Result<Message, ParseError> {
        if self.protocol != "mikey" {
            return Err(ParseError::new(
                WHAT,
                0,
                ParseErrorKind::Invalid("prtcl-id is not mikey"),
            ));
        }
        Message::parse(&self.data)
    }
}

impl fmt::Display for KeyMgmt {
    /// `a=key-mgmt:<prtcl-id> <base64>`, without a line ending.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a=key-mgmt:{} {}",
            self.protocol,
            STANDARD.encode(&self.data)
        )
    }
}
