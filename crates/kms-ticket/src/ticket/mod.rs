//! MIKEY-TICKET (RFC 6043): the Initiator, the Responder and a stateless KMS.
//!
//! All three are sans-I/O: each step takes the received bytes (and the time
//! and a random source) and returns the bytes to send, and a refused message
//! leaves the machine as it was.
//!
//! - [`Kms`] issues MIKEY base tickets (Appendix A) sealed with a ticket
//!   protection key named by IDRpsk, and resolves them for whoever its
//!   [`Directory`] and the ticket policy allow: listed responders, members
//!   of listed groups, and network functions with special authorisation
//!   (each such resolution yields an [`AuditEvent`]). It keeps no media keys,
//!   so any instance holding the protection keys resolves any ticket.
//! - [`Initiator`] requests a ticket, sends it in TRANSFER_INIT and checks
//!   TRANSFER_RESP (with key forking, the answer names the device).
//! - [`Responder`] rejects early on policy, resolves the ticket, verifies
//!   TRANSFER_INIT with the MPKi the KMS returned, answers TRANSFER_RESP.
//!
//! The outcome on both ends is one [`crate::CryptoSession`] per crypto
//! session, holding an srtp-sdes [`srtp_sdes::Policy`].

mod base;
mod initiator;
mod kms;
mod policy;
mod responder;
pub(crate) mod wire;

pub use base::{open_base_ticket, seal_base_ticket, OpenedTicket, TicketProtectionKey};
pub use initiator::{Initiator, Stream, TicketGrant, TransferInit, TransferOutcome};
pub use kms::{
    AuditEvent, Directory, Kms, KmsConfig, KmsReply, NetworkFunction, NetworkFunctionKind, Refusal,
    Requester,
};
pub use policy::{Flags, TicketRequest};
pub use responder::{Delivery, PendingTransfer, ResolvedTransfer, Responder};

use crate::crypto::{Encryption, Mac, Prf};

/// The algorithms a party uses for the messages it creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithms {
    /// PRF for key derivation (HDR PRF func, and the ticket policy's PRF).
    pub prf: Prf,
    /// KEMAC encryption.
    pub encryption: Encryption,
    /// MAC of the V payload.
    pub mac: Mac,
}

impl Default for Algorithms {
    /// PRF-HMAC-SHA-256, AES-CM-128 and HMAC-SHA-256-256 (RFC 6043 §6.1–6.2).
    fn default() -> Self {
        Self {
            prf: Prf::HmacSha256,
            encryption: Encryption::AesCm128,
            mac: Mac::HmacSha256_256,
        }
    }
}
