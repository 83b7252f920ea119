//! The crate's error type.

/// Everything that can go wrong in ims-aka outside the USIM's challenge
/// verdicts (those are [`crate::usim::Failure`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value had a length the specification does not allow.
    #[error("{what} of {got} bytes has a length the specification does not allow")]
    Length {
        /// Which value.
        what: &'static str,
        /// The length that was offered.
        got: usize,
    },
    /// An algorithm parameter is outside what the specification allows.
    #[error("invalid parameter: {0}")]
    Parameter(&'static str),
    /// MAC-S in AUTS did not verify: the AUTS is not from this subscriber's USIM.
    #[error("MAC-S in AUTS does not verify")]
    MacS,
    /// The sequence number space is exhausted (SQN would exceed 2^48 - 1).
    #[error("sequence number space exhausted")]
    SqnExhausted,
}

impl From<ims_sec_core::LengthError> for Error {
    fn from(e: ims_sec_core::LengthError) -> Self {
        Error::Length {
            what: "secret",
            got: e.got,
        }
    }
}
