//! SDES key negotiation (RFC 4568, TS 33.328 `a=3ge2ae`) and an in-place
//! SRTP/SRTCP engine (RFC 3711, RFC 6188, RFC 7714).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod crypto;
pub mod error;
pub mod export;
pub mod kdf;
pub mod policy;
pub mod rtp;
pub mod session;
pub mod suite;

pub use error::Error;
pub use policy::{MasterKey, Mki, Policy};
pub use session::{Event, InboundSession, OutboundSession, Unprotected};
pub use suite::CryptoSuite;
