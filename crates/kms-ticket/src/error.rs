//! The error type of the MIKEY exchanges (PSK mode and MIKEY-TICKET).

use crate::codec::{ErrorCode, ParseError};
use crate::crypto::{CryptoError, FreshnessError};

/// Why a MIKEY message was refused or an exchange could not go on.
///
/// A refused message never changes the state of the machine that refused it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a MIKEY message.
    #[error("malformed MIKEY message: {0}")]
    Parse(#[from] ParseError),
    /// A message of another data type than the one this step expects.
    #[error("unexpected message: {0}")]
    Unexpected(&'static str),
    /// A payload the message must carry is absent.
    #[error("the {0} payload is missing")]
    Missing(&'static str),
    /// The MAC did not verify, or the sender has no key here.
    #[error("authentication failed: {0}")]
    AuthFailure(&'static str),
    /// Key material could not be decrypted or had the wrong length.
    #[error("cryptography: {0}")]
    Crypto(#[from] CryptoError),
    /// The timestamp is outside the allowed skew, or the message is a replay.
    #[error("freshness: {0}")]
    Freshness(#[from] FreshnessError),
    /// A feature this library does not implement (public-key variants, other ticket types).
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The ticket is not one we can open, or is not valid now.
    #[error("invalid ticket: {0}")]
    InvalidTicket(&'static str),
    /// The ticket policy or security policy is not acceptable.
    #[error("policy not acceptable: {0}")]
    Policy(&'static str),
    /// The requester may not have what it asked for.
    #[error("not authorised: {0}")]
    NotAuthorised(&'static str),
    /// The peer answered with a MIKEY error message.
    #[error("the peer answered with error {0:?}")]
    Peer(ErrorCode),
    /// The call does not fit the state the machine is in.
    #[error("not possible in this state: {0}")]
    State(&'static str),
}

impl Error {
    /// The MIKEY error number (RFC 3830 §6.12, RFC 6043 §6.9) an ERR payload
    /// reports for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::AuthFailure(_) | Error::NotAuthorised(_) => ErrorCode::AuthFailure,
            Error::Freshness(_) => ErrorCode::InvalidTs,
            Error::InvalidTicket(_) => ErrorCode::InvalidTicket,
            Error::Policy(_) => ErrorCode::InvalidTpPar,
            Error::Unexpected(_) => ErrorCode::InvalidDt,
            _ => ErrorCode::Unspecified,
        }
    }
}
