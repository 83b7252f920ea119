//! MIKEY cryptography: PRFs, key derivations, KEMAC protection, freshness.
//!
//! Everything works on plain bytes and integers; the codec is not needed.
//!
//! - [`prf`]: the RFC 3830 §4.1.2 PRF on HMAC-SHA-1 ([`Prf::MikeyOne`]) and
//!   PRF-HMAC-SHA-256 of RFC 6043 §6.1 ([`Prf::HmacSha256`]).
//! - Labels, one function per clause: [`label_tgk`] (RFC 3830 §4.1.3),
//!   [`label_envelope`] (§4.1.4), [`label_ticket_message`] (RFC 6043
//!   §5.1.2), [`label_ticket_tgk`] (§5.1.3), [`label_fork`] (§5.1.1),
//!   [`label_initiator_data`] (§6.10), [`label_tpk`] (A.2.1), [`label_mpk`]
//!   (A.2.2). TGK keys use the constants of RFC 3830 Table 4.1.3
//!   ([`KeyKind`]); message-protection keys those of Table 4.1.4
//!   ([`MessageKeyKind`]).
//! - Derivations returning secrets: [`fork_key`], [`derive_mpk`],
//!   [`tek_from_tgk_rfc3830`], [`tek_from_tgk_ticket`] and friends.
//! - [`ProtectionKeys`]: KEMAC encryption (NULL, AES-CM-128, AES-KW-128,
//!   AES-CM-256) and MAC (NULL, HMAC-SHA-1-160, HMAC-SHA-256-256), keyed
//!   once.
//! - Freshness: [`TimestampValue`], NTP conversion with the 2036 era rule,
//!   [`ReplayCache`] and [`CounterWindow`].
//!
//! ```
//! use core::time::Duration;
//! use kms_ticket::crypto::{
//!     derive_mpk, ntp_from_unix, Direction, Encryption, Mac, MessageKeyLabel, MpkRole, Prf,
//!     ProtectionKeys, ReplayCache, TimestampValue,
//! };
//!
//! // The Initiator's TRANSFER_INIT keys: MPKi from the MPK (RFC 6043 A.2.2),
//! // then the message keys from MPKi (§5.1.2).
//! let mpki = derive_mpk(Prf::HmacSha256, &[7; 16], MpkRole::Initiator, &[1; 16])?;
//! let randri = [9u8; 16];
//! let label = MessageKeyLabel::Ticket {
//!     csb_id: 0x1234_5678,
//!     direction: Direction::Initial,
//!     randri: Some(&randri),
//!     randrr: None,
//! };
//! let keys = ProtectionKeys::derive(
//!     Prf::HmacSha256,
//!     mpki.expose_secret(),
//!     &label,
//!     Encryption::AesCm128,
//!     Mac::HmacSha256_256,
//! )?;
//! let now = Duration::from_secs(1_700_000_000);
//! let t = TimestampValue::NtpUtc(ntp_from_unix(now.as_secs(), 0));
//! let kemac = keys.encrypt(0x1234_5678, t.iv_value(), b"key data sub-payloads")?;
//! let tag = keys.mac(&kemac);
//!
//! // The Responder: verify, then remember the message until it leaves the skew.
//! let mut cache = ReplayCache::new(Duration::from_secs(300), 10_000);
//! cache.check(now, t, &tag)?;
//! keys.verify(&kemac, &tag)?;
//! cache.insert(now, t, &tag)?;
//! assert!(cache.insert(now, t, &tag).is_err());
//! let plain = keys.decrypt(0x1234_5678, t.iv_value(), &kemac)?;
//! assert_eq!(&plain[..], b"key data sub-payloads");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod derive;
mod error;
mod freshness;
mod kemac;
mod keywrap;
mod prf;

pub use derive::{
    derive_from_tgk, derive_key, derive_message_key, derive_mpk, fork_key, label_envelope,
    label_fork, label_initiator_data, label_mpk, label_tgk, label_ticket_message, label_ticket_tgk,
    label_tpk, salt_from_tgk_rfc3830, salt_from_tgk_ticket, tek_from_tgk_rfc3830,
    tek_from_tgk_ticket, Direction, ForkedKey, KeyBytes, KeyKind, MessageKeyKind, MessageKeyLabel,
    MpkRole, TgkLabel, MAX_KEY_LEN,
};
pub use error::CryptoError;
pub use freshness::{
    check_skew, iv_timestamp, ntp_from_unix, unix_from_ntp, CounterWindow, FreshnessError,
    ReplayCache, TimestampValue,
};
pub use kemac::{Encryption, Mac, ProtectionKeys, MAX_AES_CM_LEN};
pub use prf::{prf, Prf};
