//! # ims-sec
//!
//! The security protocols of 3GPP IMS as pure Rust building blocks. This
//! facade re-exports each protocol crate as a module; depend on the crates
//! directly if you need only one.
//!
//! | module | crate | what |
//! |---|---|---|
//! | [`aka`] | `ims-aka` | Milenage, TUAK, authentication vectors, USIM/ISIM checks, SQN and AUTS, HTTP Digest AKA |
//! | [`esp`] | `esp-sa` | IPsec ESP for the Gm link: Annex H algorithms, Annex I keys, anti-replay, SA database |
//! | [`sec_agree`] | `sip-sec-agree` | RFC 3329 security agreement for UE and P-CSCF (TS 33.203 Annex H), SA-set lifecycle, trust-domain privacy |
//! | [`srtp`] | `srtp-sdes` | SDES offer/answer in SDP (RFC 4568, `a=3ge2ae`) and an in-place SRTP/SRTCP engine (RFC 3711, 6188, 7714) |
//! | [`kms`] | `kms-ticket` | MIKEY and MIKEY-TICKET: codec, cryptography, Initiator/Responder/KMS |
//! | [`p2p`] | `p2p-integrity` | IMS P2P content distribution: BEP 52 Merkle manifests and proofs, AES-CTR content keys wrapped per RFC 3394, temporary peer IDs, Tracker possession checks |
//! | [`common`] | `ims-sec-core` | what every crate shares: secret byte types, SIP header lexing |
#![forbid(unsafe_code)]

pub use esp_sa as esp;
pub use ims_aka as aka;
pub use ims_sec_core as common;
pub use kms_ticket as kms;
pub use p2p_integrity as p2p;
pub use sip_sec_agree as sec_agree;
pub use srtp_sdes as srtp;

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
