//! MIKEY (RFC 3830, RFC 4563, RFC 4567) and MIKEY-TICKET (RFC 6043).
//!
//! - [`codec`]: every MIKEY payload and message, parse and emit, and the
//!   SDP `a=key-mgmt:mikey` attribute.
//! - [`crypto`]: the MIKEY PRFs, key derivations, KEMAC encryption and MAC,
//!   timestamp freshness and the replay cache.
//! - [`psk`]: the pre-shared key mode of RFC 3830 (§3.1):
//!   [`psk::PskInitiator`] and [`psk::PskResponder`], PSK_INIT and PSK_VERIFY.
//! - [`ticket`]: MIKEY-TICKET (RFC 6043): [`ticket::Initiator`],
//!   [`ticket::Responder`] and a stateless [`ticket::Kms`].
//! - [`CryptoSession`]: what an exchange hands to SRTP, an srtp-sdes
//!   policy per crypto session.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod codec;
pub mod crypto;
pub mod error;
pub mod psk;
pub mod srtp;
pub mod ticket;

pub use error::Error;
pub use srtp::{CryptoSession, SrtpParams};
