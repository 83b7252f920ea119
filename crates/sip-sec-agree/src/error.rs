//! The errors of the agreement.

use crate::header::HeaderParseError;

/// Why a step of the agreement failed. Unless a variant says the
/// registration was aborted, the agreement is as it was before the call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A Security-Client, -Server or -Verify line did not parse.
    #[error(transparent)]
    Header(#[from] HeaderParseError),
    /// The request has no Security-Client, or no `ipsec-3gpp` tuple in it
    /// with the parameters Annex H requires.
    #[error("no usable Security-Client")]
    NoSecurityClient,
    /// The response has no Security-Server, or none with the parameters
    /// Annex H requires (TS 24.229 §5.1.1.5.1: abandon and start again).
    #[error("no usable Security-Server")]
    NoSecurityServer,
    /// The protected request has no Security-Verify.
    #[error("no Security-Verify in a protected request")]
    NoSecurityVerify,
    /// The request lacks `sec-agree` in Require or Proxy-Require.
    #[error("sec-agree missing from Require / Proxy-Require")]
    NoSecAgree,
    /// No algorithm pair is on both lists.
    #[error("no algorithm pair in common")]
    NoCommonAlgorithm,
    /// The tuples of one side do not all carry the same SPIs and ports.
    #[error("tuples with different SPIs or ports")]
    InconsistentTuples,
    /// SPIs repeat between or within the two sides (TS 33.203 §7.1), or an
    /// SPI is reserved (below 256, RFC 4303 §2.1).
    #[error("SPIs not unique")]
    SpiClash,
    /// A port is 0, or the UE's protected client port at this address
    /// already has SAs (TS 33.203 §7.2).
    #[error("protected port unusable or already in use")]
    Port,
    /// Security-Verify is not the Security-Server sent in the 401: the
    /// registration is aborted (TS 33.203 §7.2, RFC 3329 §2.3.1).
    #[error("Security-Verify differs from the Security-Server sent; registration aborted")]
    VerifyMismatch,
    /// Security-Client is not the one of the first REGISTER: the
    /// registration is aborted (TS 33.203 Annex H).
    #[error("Security-Client differs from the first REGISTER's; registration aborted")]
    ClientMismatch,
    /// The message did not arrive on this agreement's SAs.
    #[error("not protected by this agreement's SAs")]
    NotProtected,
    /// The call does not fit the agreement's state.
    #[error("{0}")]
    State(&'static str),
    /// The agreement was aborted earlier.
    #[error("the agreement was aborted")]
    Aborted,
    /// esp-sa refused the SAs or could not draw an SPI.
    #[error("ESP: {0}")]
    Esp(#[from] esp_sa::Error),
}
