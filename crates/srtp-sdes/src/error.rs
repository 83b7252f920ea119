//! The engine's errors. A refused packet changes nothing: no replay window,
//! rollover counter or packet count moves.

use ims_sec_core::replay::Replay;

use crate::suite::CryptoSuite;

/// Why a policy, or a packet, is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The policy cannot be run.
    #[error("invalid SRTP policy: {0}")]
    Policy(&'static str),
    /// The suite is parsed and negotiated but not run by the engine (f8).
    #[error("crypto suite {0} is not supported by the engine")]
    UnsupportedSuite(CryptoSuite),
    /// The caller's buffer has no room for the trailer.
    #[error("buffer too short: {needed} bytes needed")]
    Buffer {
        /// Bytes the protected packet needs.
        needed: usize,
    },
    /// Not an RTP or RTCP packet, or shorter than its headers and trailer.
    #[error("malformed packet: {0}")]
    Malformed(&'static str),
    /// The authentication tag (or AEAD tag) did not verify.
    #[error("authentication failed")]
    Authentication,
    /// Refused by the replay window.
    #[error("replayed packet: {0}")]
    Replay(Replay),
    /// The MKI in the packet names no master key of the session.
    #[error("unknown MKI")]
    UnknownMki,
    /// No master key covers this packet index (<From, To>).
    #[error("no master key for packet index {0}")]
    NoKeyForIndex(u64),
    /// A packet from an SSRC the session has no stream or template for.
    #[error("no stream for SSRC {0:#010x}")]
    UnknownSsrc(u32),
    /// The master key's lifetime is used up: rekey (RFC 3711 §9.2).
    #[error("master key lifetime exhausted")]
    KeyExhausted,
    /// The SRTP index or SRTCP index would wrap: rekey (RFC 3711 §9.2).
    #[error("packet index space exhausted")]
    IndexExhausted,
}

impl From<Replay> for Error {
    fn from(r: Replay) -> Self {
        Self::Replay(r)
    }
}
