//! # ims-sec
//!
//! The security protocols of 3GPP IMS as pure Rust building blocks. This
//! facade re-exports each protocol crate as a module; depend on the crates
//! directly if you need only one.
//!
//! | module | crate | what |
//! |---|---|---|
//! | [`aka`] | `ims-aka` | Milenage, TUAK, authentication vectors, USIM/ISIM checks, SQN and AUTS, HTTP Digest AKA |
//! | [`esp`] | `esp-sa` | IPsec ESP for the Gm link (in progress: the anti-replay window) |
//! | [`common`] | `ims-sec-core` | what every crate shares: secret byte types, SIP header lexing |
#![forbid(unsafe_code)]

pub use esp_sa as esp;
pub use ims_aka as aka;
pub use ims_sec_core as common;

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
