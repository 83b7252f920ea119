//! SDES key negotiation (RFC 4568, TS 33.328 `a=3ge2ae`) and an in-place
//! SRTP/SRTCP engine (RFC 3711, RFC 6188, RFC 7714).
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
