//! Shared building blocks of the ims-sec crates.
//!
//! Every crate of the family keeps its keys in the types of [`secret`]: they
//! zeroize their bytes on drop, print as `[redacted]`, and compare in constant
//! time. A protocol crate names them in its own words
//! (`pub type Ck = SecretBytes<32>;`) instead of defining a key type again.
//!
//! ```
//! use ims_sec_core::{Secret, SecretBytes};
//!
//! let k = Secret::<16>::new([0x46; 16]);
//! assert_eq!(format!("{k:?}"), "Secret<16>([redacted])");
//!
//! let res = SecretBytes::<32>::from_slice(&[1, 2, 3, 4]).unwrap();
//! assert_eq!(res.len(), 4);
//! assert_eq!(res, SecretBytes::<32>::from_slice(&[1, 2, 3, 4]).unwrap());
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod replay;
pub mod secret;
pub mod sip;

pub use secret::{ct_eq, LengthError, Secret, SecretBytes};
