//! MIKEY (RFC 3830, RFC 4563, RFC 4567) and MIKEY-TICKET (RFC 6043).
//!
//! - [`codec`]: every MIKEY payload and message, parse and emit, and the
//!   SDP `a=key-mgmt:mikey` attribute.
//! - [`crypto`]: the MIKEY PRFs, key derivations, KEMAC encryption and MAC,
//!   timestamp freshness and the replay cache.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod codec;
pub mod crypto;
