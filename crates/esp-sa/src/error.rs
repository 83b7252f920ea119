//! The crate's error type.

/// What can go wrong in esp-sa.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is outside what this implementation supports.
    #[error("invalid parameter: {0}")]
    Parameter(&'static str),
    /// A key has a length its algorithm does not allow.
    #[error("{algorithm} needs a key of another length than {got} bytes")]
    KeyLength {
        /// The algorithm's token.
        algorithm: &'static str,
        /// The length offered.
        got: usize,
    },
}
