//! Ticket policies: the flags of RFC 6043 §6.10 and the policy an Initiator
//! asks the KMS for.

use alloc::vec::Vec;
use core::time::Duration;

use crate::codec::{
    EncrAlg, IdRoleKind, Kemac, KeyData, KeyType, KeyValidity, MacAlg, Payload, TicketFlags,
    TicketPolicy, TimestampRole, TsRole, TsValue,
};
use crate::crypto::{self, Prf};
use crate::error::Error;

use super::wire;

/// The MIKEY base ticket: type 1, subtype 1, version 1 (RFC 6043 Appendix A).
pub(crate) const BASE_TICKET: (u16, u8, u8) = (1, 1, 1);

/// The ticket policy flags (RFC 6043 §6.10).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// D: the KMS generated the ticket.
    pub kms_generated: bool,
    /// E: the Ticket Resolve exchange is mandatory.
    pub resolve_mandatory: bool,
    /// F: the Responder sends TRANSFER_RESP.
    pub transfer_resp: bool,
    /// G: the Responder generates RANDRr.
    pub responder_rand: bool,
    /// H: RANDRi goes into the TGK derivations.
    pub initiator_rand_in_tek: bool,
    /// I: key forking.
    pub forking: bool,
    /// J: the ticket may be reused.
    pub reusable: bool,
    /// K: the KMS changed the desired policy or KEMAC.
    pub kms_changed: bool,
    /// L: the Initiator may supply session keys.
    pub initiator_keys: bool,
    /// M: the Responder may supply session keys.
    pub responder_keys: bool,
    /// N: an RFC 6043 Initiator can send TRANSFER_INIT with the ticket.
    pub initiator_can_transfer: bool,
    /// O: an RFC 6043 Responder can process TRANSFER_INIT with the ticket.
    pub responder_can_process: bool,
}

impl Flags {
    /// Flags of a call whose key is bound to the device that answers:
    /// TRANSFER_RESP, RANDRr, RANDRi in the TEK, forking, resolve mandatory.
    pub fn forking_call() -> Self {
        Self {
            resolve_mandatory: true,
            transfer_resp: true,
            responder_rand: true,
            initiator_rand_in_tek: true,
            forking: true,
            initiator_can_transfer: true,
            responder_can_process: true,
            ..Self::default()
        }
    }

    /// Flags of a ticket whose keys work before anyone answers (deferred
    /// delivery, a mailbox, a group): no forking, no RANDRr, reusable.
    pub fn deferred_delivery() -> Self {
        Self {
            resolve_mandatory: true,
            initiator_rand_in_tek: true,
            reusable: true,
            initiator_can_transfer: true,
            responder_can_process: true,
            ..Self::default()
        }
    }

    /// Checks the dependencies of §6.10: NOT D implies L, G implies F, NOT G
    /// implies H, I implies E, K implies D, M implies F.
    pub fn check(&self) -> Result<(), Error> {
        let ok = (self.kms_generated || self.initiator_keys)
            && (!self.responder_rand || self.transfer_resp)
            && (self.responder_rand || self.initiator_rand_in_tek)
            && (!self.forking || self.resolve_mandatory)
            && (!self.kms_changed || self.kms_generated)
            && (!self.responder_keys || self.transfer_resp);
        if ok {
            Ok(())
        } else {
            Err(Error::Policy("ticket flags contradict RFC 6043 §6.10"))
        }
    }

    /// The flags as the codec carries them.
    pub fn to_codec(&self) -> TicketFlags {
        TicketFlags::default()
            .with(TicketFlags::D, self.kms_generated)
            .with(TicketFlags::E, self.resolve_mandatory)
            .with(TicketFlags::F, self.transfer_resp)
            .with(TicketFlags::G, self.responder_rand)
            .with(TicketFlags::H, self.initiator_rand_in_tek)
            .with(TicketFlags::I, self.forking)
            .with(TicketFlags::J, self.reusable)
            .with(TicketFlags::K, self.kms_changed)
            .with(TicketFlags::L, self.initiator_keys)
            .with(TicketFlags::M, self.responder_keys)
            .with(TicketFlags::N, self.initiator_can_transfer)
            .with(TicketFlags::O, self.responder_can_process)
    }

    /// The flags of a received policy.
    pub fn from_codec(f: &TicketFlags) -> Self {
        Self {
            kms_generated: f.d(),
            resolve_mandatory: f.e(),
            transfer_resp: f.f(),
            responder_rand: f.g(),
            initiator_rand_in_tek: f.h(),
            forking: f.i(),
            reusable: f.j(),
            kms_changed: f.k(),
            initiator_keys: f.l(),
            responder_keys: f.m(),
            initiator_can_transfer: f.n(),
            responder_can_process: f.o(),
        }
    }
}

/// The ticket an Initiator asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRequest {
    /// Who may resolve: IMPUs, or group identities the KMS expands.
    pub responders: Vec<Vec<u8>>,
    /// Start of the validity period (time since the Unix epoch).
    pub valid_from: Option<Duration>,
    /// End of the validity period.
    pub valid_to: Option<Duration>,
    /// The flags asked for.
    pub flags: Flags,
    /// Number of TGKs (one per media key the call needs); at least one.
    pub tgks: u8,
    /// TGK length in bytes.
    pub tgk_len: u16,
    /// Authorised application IDs (IDRapp); empty means all.
    pub applications: Vec<Vec<u8>>,
}

impl TicketRequest {
    /// A request for one 16-byte TGK, for `responders`, with `flags`.
    pub fn new(responders: Vec<Vec<u8>>, flags: Flags) -> Self {
        Self {
            responders,
            valid_from: None,
            valid_to: None,
            flags,
            tgks: 1,
            tgk_len: 16,
            applications: Vec::new(),
        }
    }

    /// Sets the validity period.
    #[must_use]
    pub fn valid(mut self, from: Duration, to: Duration) -> Self {
        self.valid_from = Some(from);
        self.valid_to = Some(to);
        self
    }

    /// The TP payload (desired policy) of a REQUEST_INIT.
    pub(crate) fn to_tp(&self, prf: Prf, initiator: &[u8], kms: &[u8]) -> TicketPolicy {
        let mut tp_data = Vec::new();
        tp_data.push(wire::idr(IdRoleKind::Kms, kms));
        tp_data.push(wire::idr(IdRoleKind::Initiator, initiator));
        push_validity(&mut tp_data, self.valid_from, self.valid_to);
        // KEMAC = {TGK}, zero key data, NULL/NULL (§6.10).
        let keys: Vec<KeyData> = (0..self.tgks.max(1))
            .map(|i| KeyData {
                key_type: KeyType::Tgk,
                key: zero_key(usize::from(self.tgk_len)),
                salt: None,
                kv: KeyValidity::Spi(alloc::vec![i]),
            })
            .collect();
        let mut plain = Vec::new();
        KeyData::emit_chain(&keys, &mut plain);
        tp_data.push(Payload::Kemac(Kemac {
            encr_alg: EncrAlg::Null,
            encr_data: plain,
            mac_alg: MacAlg::Null,
            mac: Vec::new(),
        }));
        for app in &self.applications {
            tp_data.push(wire::idr(IdRoleKind::App, app));
        }
        for r in &self.responders {
            tp_data.push(wire::idr(IdRoleKind::Responder, r));
        }
        let mut flags = self.flags;
        flags.kms_changed = false;
        TicketPolicy {
            ticket_type: BASE_TICKET.0,
            subtype: BASE_TICKET.1,
            version: BASE_TICKET.2,
            prf: wire::prf_func(prf),
            flags: flags.to_codec(),
            tp_data,
        }
    }
}

fn zero_key(len: usize) -> crate::codec::KeyBytes {
    let zeros = [0u8; 255];
    crate::codec::KeyBytes::from_slice(zeros.get(..len).unwrap_or(&zeros))
        .unwrap_or_else(|_| crate::codec::KeyBytes::from_array([0u8; 16]))
}

/// Appends TRs and TRe payloads (NTP-UTC-32) for a validity period.
pub(crate) fn push_validity(
    tp_data: &mut Vec<Payload>,
    from: Option<Duration>,
    to: Option<Duration>,
) {
    for (role, at) in [(TsRole::ValidityStart, from), (TsRole::ValidityEnd, to)] {
        if let Some(at) = at {
            let ntp = crypto::ntp_from_unix(at.as_secs(), 0);
            tp_data.push(Payload::Tr(TimestampRole {
                role,
                ts: TsValue::NtpUtc32((ntp >> 32) as u32),
            }));
        }
    }
}

/// The validity period of a policy: (start, end), each optional.
pub(crate) fn validity(policy: &TicketPolicy) -> (Option<Duration>, Option<Duration>) {
    let at = |role| wire::find_tr(&policy.tp_data, role).and_then(wire::ts_time);
    (at(TsRole::ValidityStart), at(TsRole::ValidityEnd))
}

/// Refuses a policy whose validity period does not hold `now`.
pub(crate) fn check_validity(policy: &TicketPolicy, now: Duration) -> Result<(), Error> {
    let (from, to) = validity(policy);
    if from.is_some_and(|f| now < f) {
        return Err(Error::InvalidTicket("not yet valid"));
    }
    if to.is_some_and(|t| now > t) {
        return Err(Error::InvalidTicket("expired"));
    }
    Ok(())
}

/// The requested TGKs of a desired policy's KEMAC: (count, length).
pub(crate) fn requested_keys(policy: &TicketPolicy) -> Option<Vec<(KeyType, usize)>> {
    let kemac = wire::find_kemac(&policy.tp_data)?;
    let keys = KeyData::parse_chain(&kemac.encr_data).ok()?;
    Some(
        keys.iter()
            .map(|k| (k.key_type, k.key.expose_secret().len()))
            .collect(),
    )
}
