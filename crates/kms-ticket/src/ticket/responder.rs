//! The Responder (RFC 6043 §4.2.2–4.2.3): early reject on policy,
//! RESOLVE_INIT_PSK, RESOLVE_RESP, TRANSFER_INIT verified with the MPKi the
//! KMS returned, TRANSFER_RESP.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use ims_sec_core::SecretBytes;
use rand_core::CryptoRngCore;

use crate::codec::{
    parse_chain, CsIdMap, DataType, GenericCs, IdRoleKind, KeyData, Message, Payload, RandRoleKind,
    SecurityPolicy, TicketPolicy,
};
use crate::crypto::{
    Direction, Encryption, MessageKeyLabel, ProtectionKeys, ReplayCache, MAX_KEY_LEN,
};
use crate::error::Error;
use crate::srtp::{ticket_sessions, CryptoSession, SrtpParams, PROT_SRTP};

use super::base::{open_base_ticket, TicketProtectionKey};
use super::initiator::{
    check_skew, first_key_spi, take_mpk, Stream, TicketGrant, Transfer, TransferOutcome,
};
use super::policy::{self, Flags, BASE_TICKET};
use super::{wire, Algorithms};

/// How a TRANSFER_INIT reached the Responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In a live INVITE: its timestamp must be fresh and it must not be a replay.
    Live,
    /// From a mailbox, stored with the media (deferred delivery): it is as
    /// old as the message; the ticket's validity period is what bounds it.
    Deferred,
}

/// A TRANSFER_INIT that passed the early checks, and the RESOLVE_INIT to
/// send to the KMS for it.
#[derive(Clone)]
pub struct PendingTransfer {
    /// RESOLVE_INIT_PSK for the KMS.
    pub resolve_init: Vec<u8>,
    /// The ticket's initiator (IDRi of the ticket policy), not yet verified.
    pub initiator: Vec<u8>,
    /// The ticket policy, not yet verified.
    pub policy: TicketPolicy,
    transfer_init: Vec<u8>,
    message: Message,
    resolve_csb: u32,
    randrr_resolve: [u8; 16],
}

impl fmt::Debug for PendingTransfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingTransfer")
            .field("initiator", &self.initiator)
            .field("csb_id", &self.message.header.csb_id)
            .finish_non_exhaustive()
    }
}

/// A resolved and verified transfer.
#[derive(Clone)]
pub struct ResolvedTransfer {
    /// TRANSFER_RESP for the 200 OK, if the policy asks for one (F flag).
    pub transfer_resp: Option<Vec<u8>>,
    /// The initiator the KMS vouched for.
    pub initiator: Vec<u8>,
    /// Every crypto session, ours included. Empty for a network function
    /// that resolved a forking ticket: its keys come with the answer
    /// ([`ResolvedTransfer::follow_answer`]).
    pub sessions: Vec<CryptoSession>,
    follow: Option<Box<Transfer>>,
}

impl fmt::Debug for ResolvedTransfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolvedTransfer")
            .field("transfer_resp", &self.transfer_resp)
            .field("initiator", &self.initiator)
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

impl ResolvedTransfer {
    /// For a network function that resolved a forking ticket with special
    /// authorisation (it gets the unforked keys): verifies the TRANSFER_RESP
    /// of the device that answered, as the Initiator does, and derives that
    /// device's crypto sessions, so a transcoder in the path keys itself.
    pub fn follow_answer(
        &self,
        transfer_resp: &[u8],
        now: Duration,
    ) -> Result<TransferOutcome, Error> {
        let transfer = self.follow.as_ref().ok_or(Error::State(
            "only a network function resolving a forking ticket follows the answer",
        ))?;
        let msg = Message::parse(transfer_resp)?;
        wire::expect_type(&msg, DataType::TransferResp, "TRANSFER_RESP expected")?;
        if msg.header.csb_id != transfer.csb_id {
            return Err(Error::Unexpected("TRANSFER_RESP of another CSB"));
        }
        transfer.answer(&msg, transfer_resp, now, Duration::from_secs(300))
    }
}

/// The Responder of MIKEY-TICKET.
pub struct Responder {
    identity: Vec<u8>,
    kms: Vec<u8>,
    psk_id: Vec<u8>,
    psk: SecretBytes<MAX_KEY_LEN>,
    algorithms: Algorithms,
    skew: Duration,
    replay: ReplayCache,
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("identity", &self.identity)
            .field("kms", &self.kms)
            .field("psk", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Responder {
    /// A Responder `identity` (the device identity the KMS authenticates)
    /// sharing `psk` (named `psk_id`) with the KMS `kms`.
    pub fn new(
        identity: &[u8],
        kms: &[u8],
        psk_id: &[u8],
        psk: &[u8],
        algorithms: Algorithms,
    ) -> Result<Self, Error> {
        let skew = Duration::from_secs(300);
        Ok(Self {
            identity: identity.to_vec(),
            kms: kms.to_vec(),
            psk_id: psk_id.to_vec(),
            psk: SecretBytes::from_slice(psk).map_err(|_| Error::Policy("PSK too long"))?,
            algorithms,
            skew,
            replay: ReplayCache::new(skew, 10_000),
        })
    }

    /// Early checks of a TRANSFER_INIT (RFC 6043 §4.2.2.2) and the
    /// RESOLVE_INIT_PSK to send to the KMS. Refuses without contacting the
    /// KMS when the ticket or security policy is not acceptable.
    pub fn transfer_init(
        &mut self,
        bytes: &[u8],
        delivery: Delivery,
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<PendingTransfer, Error> {
        let message = Message::parse(bytes)?;
        wire::expect_type(&message, DataType::TransferInit, "TRANSFER_INIT expected")?;
        let p = &message.payloads;
        let ticket = wire::find_ticket(p).ok_or(Error::Missing("TICKET"))?;
        wire::find_randr(p, RandRoleKind::Initiator).ok_or(Error::Missing("RANDRi"))?;
        let ts = wire::find_t(p).ok_or(Error::Missing("T"))?;
        wire::last_v(p)?;
        let policy = &ticket.policy;
        let flags = Flags::from_codec(&policy.flags);
        if (policy.ticket_type, policy.subtype, policy.version) != BASE_TICKET
            && !flags.responder_can_process
        {
            return Err(Error::InvalidTicket("ticket type not supported"));
        }
        policy::check_validity(policy, now)?;
        if let Some(kms) = wire::find_idr(&policy.tp_data, IdRoleKind::Kms) {
            if kms != self.kms.as_slice() {
                return Err(Error::Policy("ticket from a KMS we do not use"));
            }
        }
        let CsIdMap::GenericId(map) = &message.header.cs_map else {
            return Err(Error::Policy("TRANSFER_INIT without a GENERIC-ID map"));
        };
        for cs in map {
            if cs.prot_type != PROT_SRTP {
                return Err(Error::Policy("crypto session is not SRTP"));
            }
            if let Some(sp) = cs.policies.first().and_then(|n| find_sp(p, *n)) {
                SrtpParams::from_sp(sp)?;
            }
        }
        if delivery == Delivery::Live {
            check_skew(ts, now, self.skew)?;
            let v = wire::last_v(p)?;
            self.replay.check(now, wire::ts_value(ts), &v.mac)?;
        }
        let initiator = wire::find_idr(&policy.tp_data, IdRoleKind::Initiator)
            .or_else(|| wire::find_idr(p, IdRoleKind::Initiator))
            .unwrap_or_default()
            .to_vec();
        let resolve_csb = rng.next_u32();
        let randrr_resolve: [u8; 16] = wire::random(rng);
        let msg = Message {
            header: wire::header(
                DataType::ResolveInitPsk,
                true,
                self.algorithms.prf,
                resolve_csb,
                CsIdMap::Empty,
            ),
            payloads: vec![
                wire::t(wire::ntp_now(now)),
                wire::randr(RandRoleKind::Responder, &randrr_resolve),
                wire::idr(IdRoleKind::Responder, &self.identity),
                wire::idr(IdRoleKind::Kms, &self.kms),
                Payload::Ticket(ticket.clone()),
                wire::idr(IdRoleKind::Psk, &self.psk_id),
            ],
        };
        let keys = self.resolve_keys(
            resolve_csb,
            &randrr_resolve,
            Direction::Initial,
            Encryption::Null,
        )?;
        let resolve_init = wire::emit_with_v(msg, &keys, &[&self.identity, &self.kms]);
        Ok(PendingTransfer {
            resolve_init,
            initiator,
            policy: policy.clone(),
            transfer_init: bytes.to_vec(),
            message,
            resolve_csb,
            randrr_resolve,
        })
    }

    fn resolve_keys(
        &self,
        csb: u32,
        randrr: &[u8],
        direction: Direction,
        enc: Encryption,
    ) -> Result<ProtectionKeys, Error> {
        ProtectionKeys::derive(
            self.algorithms.prf,
            self.psk.expose_secret(),
            &MessageKeyLabel::Ticket {
                csb_id: csb,
                direction,
                randri: None,
                randrr: Some(randrr),
            },
            enc,
            self.algorithms.mac,
        )
        .map_err(Error::from)
    }

    /// Verifies RESOLVE_RESP, then the TRANSFER_INIT with the MPKi it
    /// carries (and, with forking, that its MAC is the Initiator Data's Vi),
    /// and answers with TRANSFER_RESP, adding a crypto session per stream
    /// in `own_streams`.
    pub fn resolve_resp(
        &mut self,
        pending: &PendingTransfer,
        bytes: &[u8],
        own_streams: &[Stream],
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<ResolvedTransfer, Error> {
        let msg = Message::parse(bytes)?;
        wire::expect_type(&msg, DataType::ResolveResp, "RESOLVE_RESP expected")?;
        if msg.header.csb_id != pending.resolve_csb {
            return Err(Error::Unexpected("RESOLVE_RESP for another CSB"));
        }
        let p = &msg.payloads;
        let v = wire::last_v(p)?;
        let kemac = wire::find_kemac(p).ok_or(Error::Missing("KEMAC"))?;
        let keys = self.resolve_keys(
            pending.resolve_csb,
            &pending.randrr_resolve,
            Direction::Response,
            wire::encryption_of(&kemac.encr_alg)?,
        )?;
        wire::verify_v(bytes, v, &keys, &[&pending.resolve_init])?;
        let ts = wire::find_t(p).ok_or(Error::Missing("T"))?;
        check_skew(ts, now, self.skew)?;
        let plain = keys.decrypt(pending.resolve_csb, wire::iv_t(ts), &kemac.encr_data)?;
        let mut key_data = KeyData::parse_chain(&plain)?;
        let flags = Flags::from_codec(&pending.policy.flags);
        let mpki = take_mpk(&mut key_data)?;
        let mpkr = if flags.forking {
            Some(take_mpk(&mut key_data)?)
        } else {
            None
        };
        let modifier = (
            wire::find_idr(p, IdRoleKind::Responder).map(<[u8]>::to_vec),
            wire::find_randr(p, RandRoleKind::Kms).map(<[u8]>::to_vec),
        );
        self.complete(
            pending,
            &mpki,
            mpkr.as_ref(),
            &key_data,
            modifier,
            own_streams,
            now,
            rng,
        )
    }

    /// Modes 2 and 4: the Responder shares the ticket protection key and
    /// opens the ticket itself, without a Ticket Resolve exchange. Forking
    /// tickets need the KMS and are refused here.
    pub fn resolve_with_tpk(
        &mut self,
        pending: &PendingTransfer,
        tpk: &TicketProtectionKey,
        own_streams: &[Stream],
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<ResolvedTransfer, Error> {
        let ticket =
            wire::find_ticket(&pending.message.payloads).ok_or(Error::Missing("TICKET"))?;
        let flags = Flags::from_codec(&ticket.policy.flags);
        if flags.forking || flags.resolve_mandatory {
            return Err(Error::Policy("this ticket must be resolved by the KMS"));
        }
        let opened = open_base_ticket(ticket, |id| (id == tpk.id.as_slice()).then_some(tpk))?;
        let mpki = opened.mpki(&ticket.policy)?;
        self.complete(
            pending,
            &mpki,
            None,
            &opened.keys,
            (None, None),
            own_streams,
            now,
            rng,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn complete(
        &mut self,
        pending: &PendingTransfer,
        mpki: &SecretBytes<MAX_KEY_LEN>,
        mpkr: Option<&SecretBytes<MAX_KEY_LEN>>,
        keys: &[KeyData],
        modifier: (Option<Vec<u8>>, Option<Vec<u8>>),
        own_streams: &[Stream],
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<ResolvedTransfer, Error> {
        let msg = &pending.message;
        let p = &msg.payloads;
        let flags = Flags::from_codec(&pending.policy.flags);
        let prf = wire::prf_of(&msg.header.prf)?;
        let csb = msg.header.csb_id;
        let randri =
            wire::find_randr(p, RandRoleKind::Initiator).ok_or(Error::Missing("RANDRi"))?;
        let v = wire::last_v(p)?;
        let mac = wire::mac_of(&v.mac_alg)?;
        let init_keys = ProtectionKeys::derive(
            prf,
            mpki.expose_secret(),
            &MessageKeyLabel::Ticket {
                csb_id: csb,
                direction: Direction::Initial,
                randri: Some(randri),
                randrr: None,
            },
            Encryption::Null,
            mac,
        )?;
        let covered = wire::transfer_init_coverage(msg, v.mac.len())?;
        let identity_i = wire::find_idr(p, IdRoleKind::Initiator).unwrap_or_default();
        let identity_r = wire::find_idr(p, IdRoleKind::Responder).unwrap_or_default();
        init_keys
            .verify(
                &[covered.as_slice(), identity_i, identity_r].concat(),
                &v.mac,
            )
            .map_err(|_| Error::AuthFailure("TRANSFER_INIT MAC does not verify with MPKi"))?;
        if flags.forking {
            let ticket = wire::find_ticket(p).ok_or(Error::Missing("TICKET"))?;
            let data = parse_chain(&ticket.initiator_data)
                .map_err(|_| Error::AuthFailure("Initiator Data"))?;
            match data.first() {
                Some(Payload::V(vi)) if ims_sec_core::ct_eq(&vi.mac, &v.mac) => {}
                _ => {
                    return Err(Error::AuthFailure(
                        "Vi in the Initiator Data differs from V",
                    ))
                }
            }
        }
        let randrr: Option<[u8; 16]> = flags.responder_rand.then(|| wire::random(rng));
        // The bundle: the Initiator's crypto sessions with one policy each
        // and session data, then ours.
        let CsIdMap::GenericId(offered) = &msg.header.cs_map else {
            return Err(Error::Policy("TRANSFER_INIT without a GENERIC-ID map"));
        };
        let spi = first_key_spi(keys);
        let mut map: Vec<GenericCs> = offered
            .iter()
            .map(|cs| {
                let mut cs = cs.clone();
                cs.policies.truncate(1);
                if cs.spi.is_empty() {
                    cs.spi = spi.clone();
                }
                cs
            })
            .collect();
        let first_policy = map
            .first()
            .and_then(|cs| cs.policies.first().copied())
            .unwrap_or(0);
        let next = map.iter().map(|cs| cs.cs_id).max().unwrap_or(0);
        for (i, s) in own_streams.iter().enumerate() {
            let cs_id = next
                .checked_add(i as u8 + 1)
                .ok_or(Error::Policy("too many crypto sessions"))?;
            map.push(GenericCs::srtp(
                cs_id,
                vec![first_policy],
                s.ssrc,
                Some((s.roc, 0)),
                spi.clone(),
            ));
        }
        let sps: Vec<&SecurityPolicy> = p
            .iter()
            .filter_map(|p| match p {
                Payload::Sp(sp) => Some(sp),
                _ => None,
            })
            .collect();
        let sessions = ticket_sessions(
            prf,
            &map,
            &sps,
            keys,
            flags.initiator_rand_in_tek.then_some(randri),
            randrr.as_ref().map(|r| &r[..]),
        )?;
        if flags.forking && (modifier.0.is_none() || modifier.1.is_none()) {
            // A network function got the unforked keys: it follows the answer.
            let ticket = wire::find_ticket(p).ok_or(Error::Missing("TICKET"))?;
            let grant = TicketGrant {
                ticket: ticket.clone(),
                flags,
                changed: flags.kms_changed,
                mpki: mpki.clone(),
                mpkr: Some(mpkr.ok_or(Error::Missing("MPKr"))?.clone()),
                keys: keys.to_vec(),
            };
            self.remember(p, now);
            return Ok(ResolvedTransfer {
                transfer_resp: None,
                initiator: pending.initiator.clone(),
                sessions: Vec::new(),
                follow: Some(Box::new(Transfer {
                    message: pending.transfer_init.clone(),
                    csb_id: csb,
                    prf,
                    randri: randri.to_vec(),
                    grant,
                    sps: sps.iter().map(|sp| (*sp).clone()).collect(),
                })),
            });
        }
        let transfer_resp = if flags.transfer_resp {
            let mpk = if flags.forking {
                mpkr.ok_or(Error::Missing("MPKr'"))?
            } else {
                mpki
            };
            let resp_keys = ProtectionKeys::derive(
                prf,
                mpk.expose_secret(),
                &MessageKeyLabel::Ticket {
                    csb_id: csb,
                    direction: Direction::Response,
                    randri: Some(randri),
                    randrr: randrr.as_ref().map(|r| &r[..]),
                },
                Encryption::Null,
                mac,
            )?;
            let mut payloads = vec![wire::t(wire::ntp_now(now))];
            if let Some(r) = &randrr {
                payloads.push(wire::randr(RandRoleKind::Responder, r));
            }
            payloads.push(wire::idr(
                IdRoleKind::Responder,
                modifier.0.as_deref().unwrap_or(&self.identity),
            ));
            if let Some(r) = &modifier.1 {
                payloads.push(wire::randr(RandRoleKind::Kms, r));
            }
            let resp = Message {
                header: wire::header(
                    DataType::TransferResp,
                    false,
                    prf,
                    csb,
                    CsIdMap::GenericId(map),
                ),
                payloads,
            };
            Some(wire::emit_with_v(
                resp,
                &resp_keys,
                &[&pending.transfer_init],
            ))
        } else {
            None
        };
        self.remember(p, now);
        Ok(ResolvedTransfer {
            transfer_resp,
            initiator: pending.initiator.clone(),
            sessions,
            follow: None,
        })
    }

    /// Remembers a verified TRANSFER_INIT so a replay of it is refused.
    fn remember(&mut self, p: &[Payload], now: Duration) {
        if let (Ok(v), Some(ts)) = (wire::last_v(p), wire::find_t(p)) {
            // A stored (deferred) message is outside the window: nothing to remember.
            let _ = self.replay.insert(now, wire::ts_value(ts), &v.mac);
        }
    }
}

fn find_sp(payloads: &[Payload], policy_no: u8) -> Option<&SecurityPolicy> {
    payloads.iter().find_map(|p| match p {
        Payload::Sp(sp) if sp.policy_no == policy_no => Some(sp),
        _ => None,
    })
}
