//! # sip-sec-agree
//!
//! RFC 3329 security agreement as 3GPP IMS uses it on the Gm link
//! (TS 33.203 §7 and Annex H, TS 24.229 §5.1.1 and §5.2.2), and the
//! privacy rules at the border of a trust domain (TS 33.203 §5.3, RFC 3325).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod message;
pub mod trust;

pub use message::{Header, Headers, Message};
pub use trust::{AddressRange, Classification, Decision, Partner, Peer, Privacy, TrustPolicy};
