//! # esp-sa
//!
//! IPsec ESP security associations for the link between the UE and the
//! P-CSCF (TS 33.203 §7, RFC 4303), in process and without I/O.
//!
//! - [`Transform`]: the algorithm pairs TS 33.203 Annex H can signal —
//!   HMAC-SHA-1-96 or HMAC-MD5-96 ([`Integrity`]) with NULL, DES-EDE3-CBC or
//!   AES-CBC-128 ([`Cipher`]), AES-GCM (RFC 4106) and AES-GMAC (RFC 4543) —
//!   keyed once, from raw keys or from CK_IM and IK_IM as Annex I says
//!   ([`keys`], including the GCM/GMAC salts).
//! - [`OutboundSa`] and [`InboundSa`]: transport-mode ESP in place in the
//!   caller's buffer (RFC 4303 §3.3/§3.4), 32-bit or extended sequence
//!   numbers, the anti-replay window ([`ReplayWindow`], RFC 6479 bitmap),
//!   soft and hard lifetimes ([`lifetime`]); whole IPv4/IPv6 packets with
//!   [`ip`]. Nothing allocates per packet and a refused packet changes
//!   nothing.
//! - [`SaDatabase`]: SAs by SPI and by selector (addresses and ports, any
//!   protocol), SPI allocation, expiry; [`SaSet`], the four SAs of a UE–P-CSCF
//!   pair (TS 33.203 §7.1).
//! - [`udp`]: RFC 3948 UDP encapsulation for NAT traversal.
//! - [`wireshark`]: an SA as a line of Wireshark's ESP SA table, to decrypt
//!   captures of our traffic.
//!
//! Time is the caller's monotonic clock, passed in as a [`core::time::Duration`]
//! (`now`); randomness (CBC IVs, SPIs) comes from an injected
//! [`rand_core::CryptoRngCore`].
//!
//! ```
//! use core::time::Duration;
//! use esp_sa::{EncryptionAlgorithm, InboundSa, IntegrityAlgorithm, OutboundSa, ReplayWindow, Transform};
//! use ims_sec_core::Secret;
//!
//! // CK and IK from IMS AKA; both ends key the same algorithms from them.
//! let (ck, ik) = (Secret::new([0x11; 16]), Secret::new([0x22; 16]));
//! let transform = || {
//!     Transform::from_ims_keys(IntegrityAlgorithm::HmacSha196, EncryptionAlgorithm::AesCbc128, &ck, &ik)
//! };
//! let mut tx = OutboundSa::new(0x1000, transform()?, false);
//! let mut rx = InboundSa::new(0x1000, transform()?, ReplayWindow::new(64, false)?);
//! let mut rng = rand::rngs::OsRng;
//! let now = Duration::ZERO;
//!
//! // The payload goes after header_len() bytes of headroom; ESP is built around it.
//! let sip = b"MESSAGE sip:bob@ims.example.net SIP/2.0\r\n";
//! let mut buf = vec![0u8; tx.encapsulated_len(sip.len())];
//! buf[tx.header_len()..][..sip.len()].copy_from_slice(sip);
//! let len = tx.encapsulate(&mut buf, sip.len(), 17, &mut rng, now)?;
//!
//! let got = rx.decapsulate(&mut buf[..len], now)?;
//! assert_eq!((got.next_header, &buf[got.payload]), (17, &sip[..]));
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
pub mod sad;
pub mod transform;
pub mod udp;
pub mod wireshark;

pub use algorithm::{EncryptionAlgorithm, IntegrityAlgorithm};
pub use cipher::Cipher;
pub use error::Error;
pub use integrity::Integrity;
pub use keys::EspKeys;
pub use lifetime::{Lifetime, LifetimeState, Limits};
pub use replay::{Replay, ReplayWindow};
pub use sa::{Decapsulated, InboundSa, OutboundSa};
pub use sad::{Endpoint, Role, SaDatabase, SaSet, SaSetParams, Selector};
pub use transform::Transform;
