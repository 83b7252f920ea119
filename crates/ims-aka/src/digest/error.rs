//! What can go wrong in Digest AKA: malformed headers, challenges we cannot
//! answer, and credentials the server refuses.

use alloc::string::String;

use ims_sec_core::sip::ParseError;

use super::algorithm::Algorithm;

/// Every Digest AKA failure. Codec errors carry the byte offset in the
/// header value; verification errors say which check refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// The header value does not follow the grammar.
    #[error("malformed Digest header: {0}")]
    Syntax(#[from] ParseError),
    /// The header's scheme is not `Digest`.
    #[error("authentication scheme at byte {offset} is not Digest")]
    Scheme {
        /// Byte offset of the scheme.
        offset: usize,
    },
    /// A known parameter appears twice.
    #[error("parameter {name} repeated at byte {offset}")]
    DuplicateParameter {
        /// The parameter's name.
        name: &'static str,
        /// Byte offset of the second occurrence.
        offset: usize,
    },
    /// A required parameter is absent.
    #[error("parameter {name} missing")]
    MissingParameter {
        /// The parameter's name.
        name: &'static str,
    },
    /// A known parameter has a value its grammar does not allow.
    #[error("parameter {name} at byte {offset} has an invalid value")]
    InvalidValue {
        /// The parameter's name.
        name: &'static str,
        /// Byte offset of the parameter.
        offset: usize,
    },
    /// The nonce is not base64 of RAND ‖ AUTN ‖ server data (RFC 3310 §3.2).
    #[error("nonce is not an AKA nonce: {0}")]
    AkaNonce(&'static str),
    /// The `auts` parameter is not base64 of an AUTS (RFC 3310 §3.4).
    #[error("auts parameter is not a base64 AUTS")]
    Auts,
    /// The algorithm is not one of the AKA algorithms we implement
    /// (RFC 3310 §3.1; `-sess` variants and other hashes included).
    #[error("algorithm {0} is not an AKA algorithm")]
    NotAka(Algorithm),
    /// The challenge offers qop values, but neither `auth` nor `auth-int`.
    #[error("challenge offers no supported qop")]
    NoSupportedQop,
    /// A challenge was to be made without qop, which a SIP server must
    /// always send (RFC 8760 §2.6 item 8).
    #[error("a challenge must offer qop")]
    QopRequired,
    /// The credentials use a qop other than `auth` or `auth-int`.
    #[error("qop {0} is not supported")]
    UnsupportedQop(String),
    /// The credentials' realm is not the challenge's.
    #[error("realm does not match the challenge")]
    RealmMismatch,
    /// The credentials' nonce is not the challenge's.
    #[error("nonce does not match the challenge")]
    NonceMismatch,
    /// The credentials' algorithm is not the challenge's.
    #[error("algorithm does not match the challenge")]
    AlgorithmMismatch,
    /// The credentials' opaque is not the challenge's.
    #[error("opaque does not match the challenge")]
    OpaqueMismatch,
    /// The credentials' qop is not one the challenge offered, or is absent
    /// although the challenge offered some.
    #[error("qop was not offered by the challenge")]
    QopMismatch,
    /// The response digest is wrong: the client does not know the password.
    #[error("response does not verify")]
    ResponseMismatch,
}
