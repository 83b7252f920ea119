//! The 3GPP end-to-access-edge media security indicator, `a=3ge2ae`
//! (TS 24.229 §7.5.2, for TS 33.328 e2ae protection with SDES).
//!
//! ```text
//! 3ge2ae-attribute = "a=3ge2ae:" indicator                  TS 24.229 table 7.5.1
//! indicator        = "requested" / "applied" / token
//! ```
//!
//! A media-level attribute: `requested` — the sender wishes e2ae media
//! security to be applied; `applied` — the sender has applied it
//! (TS 24.229 §7.5.2.2). Other values are kept verbatim and ignored.
//!
//! Its use, for SRTP media keyed with SDES (TS 33.328 e2ae, TS 23.334
//! §6.2.10.2): a UE that agreed `mediasec` with its P-CSCF at registration
//! (the `sdes-srtp;mediasec` sec-agree mechanism) puts its `a=crypto` lines
//! and `a=3ge2ae:requested` on each media line it wants protected up to the
//! access edge; the P-CSCF (IMS-ALG), which terminates SRTP at its IMS-AGW,
//! answers with its own `a=crypto` line and marks the media line
//! `a=3ge2ae:applied`.
//!
//! ```
//! use srtp_sdes::e2ae::{self, E2aeIndicator};
//! use srtp_sdes::offer_answer::{Offerer, SdesConfig};
//!
//! let offer = Offerer::new(SdesConfig::default(), &mut rand::rngs::OsRng).unwrap().offer();
//! // UE: ask for e2ae on this media line.
//! let ind = e2ae::ue_offer_indicator(true, &offer).unwrap();
//! assert_eq!(ind.sdp_line(), "a=3ge2ae:requested");
//! // P-CSCF: the offer asks for it; applying it, mark the answer.
//! let received = [E2aeIndicator::parse("a=3ge2ae:requested").unwrap()];
//! assert!(e2ae::is_requested(&received, &offer));
//! assert_eq!(e2ae::pcscf_answer_indicator(&received, &offer, true), Some(E2aeIndicator::Applied));
//! ```

use alloc::string::{String, ToString};

use crate::sdes::{CryptoAttribute, Problem, SdesError};

/// The attribute name and colon that start an SDP line.
pub const ATTRIBUTE_PREFIX: &str = "a=3ge2ae:";

/// The value of `a=3ge2ae` (TS 24.229 §7.5.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum E2aeIndicator {
    /// `requested`: the sender wishes e2ae media security to be applied.
    Requested,
    /// `applied`: the sender has applied e2ae media security.
    Applied,
    /// Any other `token`, kept verbatim; TS 24.229 §7.5.2.2 says to ignore it.
    Other(String),
}

/// RFC 4566 §9 `token-char`, the characters of an SDP `token`.
const fn is_token_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x27 | 0x2a..=0x2b | 0x2d..=0x2e | 0x30..=0x39 | 0x41..=0x5a | 0x5e..=0x7e)
}

impl E2aeIndicator {
    /// Parses the attribute value, with or without `a=3ge2ae:` or
    /// `3ge2ae:` before it. `requested` and `applied` match in any letter
    /// case (ABNF literals are case-insensitive, RFC 2234 §2.3).
    pub fn parse(input: &str) -> Result<Self, SdesError> {
        let (offset, value) = [ATTRIBUTE_PREFIX, "3ge2ae:"]
            .into_iter()
            .find_map(|p| input.strip_prefix(p).map(|v| (p.len(), v)))
            .unwrap_or((0, input));
        if let Some(bad) = value.bytes().position(|b| !is_token_char(b)) {
            return Err(SdesError::Syntax {
                offset: offset + bad,
                problem: Problem::Expected("a token character"),
            });
        }
        if value.is_empty() {
            return Err(SdesError::Syntax {
                offset,
                problem: Problem::Expected("requested, applied or a token"),
            });
        }
        Ok(if value.eq_ignore_ascii_case("requested") {
            Self::Requested
        } else if value.eq_ignore_ascii_case("applied") {
            Self::Applied
        } else {
            Self::Other(value.to_string())
        })
    }

    /// The whole SDP line, `a=3ge2ae:` and the value (no line ending).
    #[must_use]
    pub fn sdp_line(&self) -> String {
        alloc::format!("{ATTRIBUTE_PREFIX}{self}")
    }
}

impl core::fmt::Display for E2aeIndicator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Requested => f.write_str("requested"),
            Self::Applied => f.write_str("applied"),
            Self::Other(token) => f.write_str(token),
        }
    }
}

/// The UE side: the indicator to put on a media line of an SDP offer,
/// `requested`, when the UE and P-CSCF agreed `mediasec` at registration
/// and the media line carries SDES `a=crypto` lines (e2ae keys are SDES
/// keys, TS 33.328); `None` otherwise.
#[must_use]
pub fn ue_offer_indicator(
    mediasec_agreed: bool,
    crypto: &[CryptoAttribute],
) -> Option<E2aeIndicator> {
    (mediasec_agreed && !crypto.is_empty()).then_some(E2aeIndicator::Requested)
}

/// The P-CSCF (IMS-ALG) side: whether a media line received from the UE
/// asks for e2ae protection: it carries `requested` and at least one
/// `a=crypto` line. Values other than `requested` and `applied` are
/// ignored (TS 24.229 §7.5.2.2).
#[must_use]
pub fn is_requested(indicators: &[E2aeIndicator], crypto: &[CryptoAttribute]) -> bool {
    !crypto.is_empty() && indicators.contains(&E2aeIndicator::Requested)
}

/// The P-CSCF (IMS-ALG) side: the indicator for the SDP it sends back to
/// the UE on that media line: `applied` when the UE asked for e2ae and the
/// P-CSCF applies it (`applies`: its policy and the UE's registration
/// allow it), else `None`.
#[must_use]
pub fn pcscf_answer_indicator(
    offer_indicators: &[E2aeIndicator],
    offer_crypto: &[CryptoAttribute],
    applies: bool,
) -> Option<E2aeIndicator> {
    (applies && is_requested(offer_indicators, offer_crypto)).then_some(E2aeIndicator::Applied)
}

/// The UE side: whether the SDP received on a media line says e2ae media
/// security has been applied (`applied`).
#[must_use]
pub fn is_applied(indicators: &[E2aeIndicator]) -> bool {
    indicators.contains(&E2aeIndicator::Applied)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn values_parse_and_emit() {
        for (text, value) in [
            ("a=3ge2ae:requested", E2aeIndicator::Requested),
            ("3ge2ae:applied", E2aeIndicator::Applied),
            ("APPLIED", E2aeIndicator::Applied),
            ("future-value", E2aeIndicator::Other("future-value".into())),
        ] {
            assert_eq!(E2aeIndicator::parse(text).unwrap(), value);
        }
        assert_eq!(E2aeIndicator::Applied.sdp_line(), "a=3ge2ae:applied");
        assert_eq!(
            E2aeIndicator::parse("a=3ge2ae:x y"),
            Err(SdesError::Syntax {
                offset: 10,
                problem: Problem::Expected("a token character")
            })
        );
        assert!(E2aeIndicator::parse("a=3ge2ae:").is_err());
    }

    #[test]
    fn requested_without_crypto_lines_asks_for_nothing() {
        assert!(!is_requested(&[E2aeIndicator::Requested], &[]));
        assert_eq!(ue_offer_indicator(true, &[]), None);
        assert_eq!(
            pcscf_answer_indicator(&[E2aeIndicator::Requested], &[], true),
            None
        );
        assert!(!is_applied(&[E2aeIndicator::Other("applied2".into())]));
    }
}
