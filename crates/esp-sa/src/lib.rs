//! # esp-sa
//!
//! IPsec ESP security associations for the link between the UE and the
//! P-CSCF (TS 33.203 §7, RFC 4303), in process and without I/O.
//!
//! Work in progress: this release has the anti-replay window
//! ([`ReplayWindow`], RFC 4303 §3.4.3 and Appendix A, with the bitmap of
//! RFC 6479) for 32-bit and extended sequence numbers, the integrity
//! algorithms HMAC-MD5-96 and HMAC-SHA-1-96 ([`Integrity`]) and the
//! encryption algorithms NULL, DES-EDE3-CBC and AES-CBC-128 ([`Cipher`]),
//! keyed from CK_IM and IK_IM as TS 33.203 Annex I says ([`keys`]), and
//! transport-mode processing in place ([`OutboundSa::encapsulate`],
//! [`InboundSa::decapsulate`]) and on whole IP packets ([`ip`]). Still to
//! come: AES-GCM/GMAC, lifetimes, the SA database, UDP encapsulation.
//!
//! ```
//! use esp_sa::{Replay, ReplayWindow};
//!
//! let mut window = ReplayWindow::new(64, false)?;
//! // Before the ICV check: is the sequence number new?
//! let seq = window.check(1).expect("new");
//! // Only after the ICV verifies is it recorded.
//! window.accept(seq).expect("still new");
//! assert_eq!(window.check(1), Err(Replay::Duplicate));
//! # Ok::<(), esp_sa::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod algorithm;
pub mod cipher;
pub mod error;
pub mod integrity;
pub mod ip;
pub mod keys;
pub mod lifetime;
pub mod replay;
pub mod sa;
pub mod transform;
pub mod wireshark;

pub use algorithm::{EncryptionAlgorithm, IntegrityAlgorithm};
pub use cipher::Cipher;
pub use error::Error;
pub use integrity::Integrity;
pub use keys::EspKeys;
pub use lifetime::{Lifetime, LifetimeState, Limits};
pub use replay::{Replay, ReplayWindow};
pub use sa::{Decapsulated, InboundSa, OutboundSa};
pub use transform::Transform;
