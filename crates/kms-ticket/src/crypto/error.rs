//! The errors of the MIKEY cryptography.

/// Why a derivation, an encryption, a decryption or a MAC check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A MAC did not verify (RFC 3830 §4.2.4), or the tag had the wrong length.
    #[error("MAC does not verify")]
    MacMismatch,
    /// The NULL MAC was offered but the keys were not built to accept it
    /// (RFC 3830 §4.2.4: only when the underlying protocols give security).
    #[error("NULL MAC refused: not allowed for these keys")]
    NullMacRefused,
    /// An input had a length the algorithm or the label cannot take.
    #[error("{what} has a bad length: {len} bytes")]
    BadLength {
        /// Which input.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// AES key wrap unwrapping failed its integrity check (RFC 3394 §2.2.3).
    #[error("AES key unwrap integrity check failed")]
    Unwrap,
    /// The input key of a derivation is empty.
    #[error("empty input key")]
    EmptyKey,
    /// Neither RANDRi nor RANDRr was given, but RFC 6043 §5.1.2/§5.1.3
    /// require at least one.
    #[error("at least one of RANDRi and RANDRr is required")]
    MissingRand,
}
