//! SDES key negotiation (RFC 4568, TS 24.229 `a=3ge2ae`) and an in-place
//! SRTP/SRTCP engine (RFC 3711, RFC 6188, RFC 7714).
//!
//! - [`sdes`]: the `a=crypto` attribute, strict or lenient
//!   ([`ParseMode`]), parse then emit round-trips; [`offer_answer`] turns an
//!   offer and an answer into a send [`Policy`] and a receive [`Policy`];
//!   [`e2ae`] is the `a=3ge2ae` indicator.
//! - [`OutboundSession`] protects and [`InboundSession`] unprotects RTP and
//!   RTCP in the caller's buffer, with a stream per SSRC (new SSRCs get one
//!   from the policy, like libsrtp's "any inbound"), the rollover counter
//!   estimated per RFC 3711 §3.3.1 and committed only after authentication
//!   (with a bounded search of the next ROC for streams whose first packets
//!   were lost across a wrap), replay windows (128 SRTP, 64 SRTCP by
//!   default), MKIs and <From, To>, any key derivation rate, key lifetimes
//!   with a [`Event::RekeyNeeded`] signal, and [`export`] lines for
//!   debugging.
//! - Suites: AES_CM_128_HMAC_SHA1_80/_32, AES_192/256_CM_HMAC_SHA1_80/_32
//!   (RFC 6188), AEAD_AES_128/256_GCM (RFC 7714); F8_128_HMAC_SHA1_80 is
//!   parsed and negotiated but not run.
//!
//! Interoperability: byte-identical with libsrtp 2.7 for every suite but
//! AES-192-CM. libsrtp derives AES-192 session keys with the AES-256 PRF
//! keyed by the master key and the first 8 salt bytes; this crate follows
//! RFC 6188 §3 (the AES-192 PRF keyed by the master key, with the whole
//! salt), which its §7.4 vectors confirm. `tests/libsrtp.rs` asserts both.
//!
//! ```
//! use rand::SeedableRng;
//! use srtp_sdes::offer_answer::answer;
//! use srtp_sdes::{InboundSession, Offerer, OutboundSession, SdesConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rng = rand::rngs::StdRng::seed_from_u64(1);
//! let config = SdesConfig::default();
//! // The offerer writes a=crypto lines; the answerer picks one.
//! let offerer = Offerer::new(config.clone(), &mut rng)?;
//! let (answer_line, at_b) = answer(&offerer.offer(), &config, &mut rng)?;
//! let at_a = offerer.accept_answer(&answer_line)?;
//!
//! let mut a_send = OutboundSession::new(at_a.send)?;
//! let mut b_receive = InboundSession::new(at_b.receive)?;
//! let rtp = [0x80, 0, 0, 1, 0, 0, 0, 160, 0xca, 0xfe, 0xba, 0xbe, 1, 2, 3, 4];
//! let mut packet = rtp.to_vec();
//! a_send.protect_rtp_vec(&mut packet)?;
//! let got = b_receive.unprotect_rtp(&mut packet)?;
//! assert_eq!(&packet[..got.len], &rtp);
//! # Ok(())
//! # }
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod crypto;
pub mod e2ae;
pub mod error;
pub mod export;
pub mod kdf;
pub mod offer_answer;
pub mod policy;
pub mod rtp;
pub mod sdes;
pub mod session;
pub mod suite;

pub use e2ae::E2aeIndicator;
pub use error::Error;
pub use offer_answer::{Negotiated, NegotiationError, Offerer, SdesConfig};
pub use policy::{MasterKey, Mki, Policy};
pub use sdes::{CryptoAttribute, ParseMode, SdesError};
pub use session::{Event, InboundSession, OutboundSession, Unprotected};
pub use suite::CryptoSuite;
