//! The Initiator (RFC 6043 §4.2.1–4.2.2): REQUEST_INIT_PSK to the KMS,
//! REQUEST_RESP, TRANSFER_INIT in the INVITE, TRANSFER_RESP checked.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use ims_sec_core::SecretBytes;
use rand_core::CryptoRngCore;

use crate::codec::{
    emit_chain, CsIdMap, DataType, GenericCs, IdRoleKind, KeyData, KeyType, Message, Payload,
    RandRoleKind, SecurityPolicy, Ticket, Verification,
};
use crate::crypto::{
    fork_key, Direction, Encryption, ForkedKey, MessageKeyLabel, ProtectionKeys, MAX_KEY_LEN,
};
use crate::error::Error;
use crate::srtp::{ticket_sessions, CryptoSession, SrtpParams, PROT_SRTP};

use super::policy::{Flags, TicketRequest};
use super::{wire, Algorithms};

/// A ticket the KMS granted, with the keys it encodes.
#[derive(Clone)]
pub struct TicketGrant {
    /// The TICKET payload to send in TRANSFER_INIT.
    pub ticket: Ticket,
    /// The granted flags.
    pub flags: Flags,
    /// Whether the KMS changed the policy or keys asked for (K flag).
    pub changed: bool,
    pub(crate) mpki: SecretBytes<MAX_KEY_LEN>,
    pub(crate) mpkr: Option<SecretBytes<MAX_KEY_LEN>>,
    pub(crate) keys: Vec<KeyData>,
}

impl fmt::Debug for TicketGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TicketGrant")
            .field("policy", &self.ticket.policy)
            .field("flags", &self.flags)
            .field("changed", &self.changed)
            .field("keys", &"[redacted]")
            .finish()
    }
}

/// One SRTP stream the Initiator sends (one crypto session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    /// Its SSRC.
    pub ssrc: u32,
    /// Its current rollover counter (0 before it starts).
    pub roc: u32,
}

/// A TRANSFER_INIT ready to go into the INVITE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferInit {
    /// The message (for `a=key-mgmt:mikey`).
    pub message: Vec<u8>,
    /// Its CSB ID, which the answer must carry.
    pub csb_id: u32,
    /// The crypto sessions, when no answer is needed to key them (no
    /// forking, no RANDRr): deferred delivery can start at once.
    pub sessions: Option<Vec<CryptoSession>>,
}

/// What a verified TRANSFER_RESP gives the Initiator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferOutcome {
    /// The identity of the responder that answered (with forking, the
    /// device the KMS bound the keys to).
    pub responder: Vec<u8>,
    /// Every crypto session of the bundle, the Responder's included.
    pub sessions: Vec<CryptoSession>,
}

struct PendingRequest {
    csb_id: u32,
    message: Vec<u8>,
    randri: [u8; 16],
}

/// What checking a TRANSFER_RESP needs: the TRANSFER_INIT it answers and
/// the ticket's keys. The Initiator keeps one per TRANSFER_INIT; a network
/// function that resolved a forking ticket keeps one to follow the answer.
#[derive(Clone)]
pub(crate) struct Transfer {
    pub(crate) message: Vec<u8>,
    pub(crate) csb_id: u32,
    pub(crate) prf: crate::crypto::Prf,
    pub(crate) randri: Vec<u8>,
    pub(crate) grant: TicketGrant,
    pub(crate) sps: Vec<SecurityPolicy>,
}

/// The Initiator of MIKEY-TICKET.
pub struct Initiator {
    identity: Vec<u8>,
    kms: Vec<u8>,
    psk_id: Vec<u8>,
    psk: SecretBytes<MAX_KEY_LEN>,
    algorithms: Algorithms,
    skew: Duration,
    request: Option<PendingRequest>,
    transfers: Vec<Transfer>,
}

impl fmt::Debug for Initiator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Initiator")
            .field("identity", &self.identity)
            .field("kms", &self.kms)
            .field("psk", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Initiator {
    /// An Initiator `identity` sharing the key `psk` (named `psk_id`) with the KMS `kms`.
    pub fn new(
        identity: &[u8],
        kms: &[u8],
        psk_id: &[u8],
        psk: &[u8],
        algorithms: Algorithms,
    ) -> Result<Self, Error> {
        Ok(Self {
            identity: identity.to_vec(),
            kms: kms.to_vec(),
            psk_id: psk_id.to_vec(),
            psk: SecretBytes::from_slice(psk).map_err(|_| Error::Policy("PSK too long"))?,
            algorithms,
            skew: Duration::from_secs(300),
            request: None,
            transfers: Vec::new(),
        })
    }

    fn request_keys(
        &self,
        csb: u32,
        randri: &[u8],
        direction: Direction,
        enc: Encryption,
    ) -> Result<ProtectionKeys, Error> {
        ProtectionKeys::derive(
            self.algorithms.prf,
            self.psk.expose_secret(),
            &MessageKeyLabel::Ticket {
                csb_id: csb,
                direction,
                randri: Some(randri),
                randrr: None,
            },
            enc,
            self.algorithms.mac,
        )
        .map_err(Error::from)
    }

    /// REQUEST_INIT_PSK asking the KMS for `request` (RFC 6043 §4.2.1.2).
    pub fn request_init(
        &mut self,
        request: &TicketRequest,
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, Error> {
        let csb_id = rng.next_u32();
        let randri: [u8; 16] = wire::random(rng);
        let msg = Message {
            header: wire::header(
                DataType::RequestInitPsk,
                true,
                self.algorithms.prf,
                csb_id,
                CsIdMap::Empty,
            ),
            payloads: vec![
                wire::t(wire::ntp_now(now)),
                wire::randr(RandRoleKind::Initiator, &randri),
                wire::idr(IdRoleKind::Initiator, &self.identity),
                wire::idr(IdRoleKind::Kms, &self.kms),
                Payload::Tp(request.to_tp(self.algorithms.prf, &self.identity, &self.kms)),
                wire::idr(IdRoleKind::Psk, &self.psk_id),
            ],
        };
        let keys = self.request_keys(csb_id, &randri, Direction::Initial, Encryption::Null)?;
        let message = wire::emit_with_v(msg, &keys, &[&self.identity, &self.kms]);
        self.request = Some(PendingRequest {
            csb_id,
            message: message.clone(),
            randri,
        });
        Ok(message)
    }

    /// Verifies REQUEST_RESP and returns the granted ticket and keys. A
    /// refused answer leaves the request pending.
    pub fn request_resp(&mut self, bytes: &[u8], now: Duration) -> Result<TicketGrant, Error> {
        let pending = self
            .request
            .as_ref()
            .ok_or(Error::State("no ticket request pending"))?;
        let msg = Message::parse(bytes)?;
        wire::expect_type(&msg, DataType::RequestResp, "REQUEST_RESP expected")?;
        if msg.header.csb_id != pending.csb_id {
            return Err(Error::Unexpected("REQUEST_RESP for another CSB"));
        }
        let p = &msg.payloads;
        let v = wire::last_v(p)?;
        let kemac = wire::find_kemac(p).ok_or(Error::Missing("KEMAC"))?;
        let enc = wire::encryption_of(&kemac.encr_alg)?;
        let keys = self.request_keys(pending.csb_id, &pending.randri, Direction::Response, enc)?;
        wire::verify_v(bytes, v, &keys, &[&pending.message])?;
        let ts = wire::find_t(p).ok_or(Error::Missing("T"))?;
        check_skew(ts, now, self.skew)?;
        let ticket = wire::find_ticket(p)
            .ok_or(Error::Missing("TICKET"))?
            .clone();
        let plain = keys.decrypt(pending.csb_id, wire::iv_t(ts), &kemac.encr_data)?;
        let mut key_data = KeyData::parse_chain(&plain)?;
        let flags = Flags::from_codec(&ticket.policy.flags);
        let mpki = take_mpk(&mut key_data)?;
        let mpkr = if flags.forking {
            Some(take_mpk(&mut key_data)?)
        } else {
            None
        };
        self.request = None;
        Ok(TicketGrant {
            ticket,
            changed: flags.kms_changed,
            flags,
            mpki,
            mpkr,
            keys: key_data,
        })
    }

    /// TRANSFER_INIT carrying `grant`'s ticket to `responder`, offering one
    /// crypto session per stream with the SRTP parameters `srtp`.
    pub fn transfer_init(
        &mut self,
        grant: &TicketGrant,
        responder: &[u8],
        streams: &[Stream],
        srtp: SrtpParams,
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<TransferInit, Error> {
        if streams.is_empty() || streams.len() > 200 {
            return Err(Error::Policy("between 1 and 200 streams"));
        }
        let csb_id = rng.next_u32();
        let randri: [u8; 16] = wire::random(rng);
        let spi = first_key_spi(&grant.keys);
        let map: Vec<GenericCs> = streams
            .iter()
            .enumerate()
            .map(|(i, s)| {
                GenericCs::srtp(i as u8 + 1, vec![0], s.ssrc, Some((s.roc, 0)), spi.clone())
            })
            .collect();
        let sp = srtp.to_sp(0);
        let prf = self.algorithms.prf;
        let mpki_keys = ProtectionKeys::derive(
            prf,
            grant.mpki.expose_secret(),
            &MessageKeyLabel::Ticket {
                csb_id,
                direction: Direction::Initial,
                randri: Some(&randri),
                randrr: None,
            },
            Encryption::Null,
            self.algorithms.mac,
        )?;
        let mac_len = mpki_keys.tag_len();
        let v = |mac: Vec<u8>| {
            Payload::V(Verification {
                mac_alg: wire::mac_alg(self.algorithms.mac),
                mac,
            })
        };
        let mut msg = Message {
            header: wire::header(
                DataType::TransferInit,
                grant.flags.transfer_resp,
                prf,
                csb_id,
                CsIdMap::GenericId(map.clone()),
            ),
            payloads: vec![
                wire::t(wire::ntp_now(now)),
                wire::randr(RandRoleKind::Initiator, &randri),
                wire::idr(IdRoleKind::Initiator, &self.identity),
                wire::idr(IdRoleKind::Responder, responder),
                Payload::Sp(sp.clone()),
                Payload::Ticket(grant.ticket.clone()),
                v(vec![0; mac_len]),
            ],
        };
        let covered = wire::transfer_init_coverage(&msg, mac_len)?;
        let tag = wire::mac_over(&mpki_keys, &covered, &[&self.identity, responder]);
        if grant.flags.forking {
            let mpkr = grant
                .mpkr
                .as_ref()
                .ok_or(Error::State("forking ticket without MPKr"))?;
            let vr_keys = ProtectionKeys::derive(
                wire::prf_of(&grant.ticket.policy.prf)?,
                mpkr.expose_secret(),
                &MessageKeyLabel::InitiatorData,
                Encryption::Null,
                self.algorithms.mac,
            )?;
            let mut data = Vec::new();
            emit_chain(&[v(tag.clone()), v(vec![0; mac_len])], &mut data);
            let vr_at = data.len() - mac_len;
            let vr = vr_keys.mac(data.get(..vr_at).unwrap_or_default());
            if let Some(slot) = data.get_mut(vr_at..) {
                slot.copy_from_slice(&vr);
            }
            if let Some(Payload::Ticket(t)) = msg.payloads.get_mut(5) {
                t.initiator_data = data;
            }
        }
        if let Some(last) = msg.payloads.last_mut() {
            *last = v(tag);
        }
        let message = msg.to_bytes();
        let flags = grant.flags;
        let sessions = if !flags.forking && !flags.responder_rand {
            Some(ticket_sessions(
                prf,
                &map,
                &[&sp],
                &grant.keys,
                flags.initiator_rand_in_tek.then_some(&randri[..]),
                None,
            )?)
        } else {
            None
        };
        self.transfers.retain(|t| t.csb_id != csb_id);
        self.transfers.push(Transfer {
            message: message.clone(),
            csb_id,
            prf,
            randri: randri.to_vec(),
            grant: grant.clone(),
            sps: vec![sp],
        });
        Ok(TransferInit {
            message,
            csb_id,
            sessions,
        })
    }

    /// Verifies a TRANSFER_RESP (any of the forked answers to one
    /// TRANSFER_INIT) and derives the crypto sessions. The Initiator's state
    /// does not change, so each fork's answer can be checked.
    pub fn transfer_resp(&self, bytes: &[u8], now: Duration) -> Result<TransferOutcome, Error> {
        let msg = Message::parse(bytes)?;
        wire::expect_type(&msg, DataType::TransferResp, "TRANSFER_RESP expected")?;
        let transfer = self
            .transfers
            .iter()
            .find(|t| t.csb_id == msg.header.csb_id)
            .ok_or(Error::Unexpected(
                "TRANSFER_RESP for no TRANSFER_INIT we sent",
            ))?;
        transfer.answer(&msg, bytes, now, self.skew)
    }
}

impl Transfer {
    /// Verifies a TRANSFER_RESP answering this transfer and derives the
    /// crypto sessions of the bundle.
    pub(crate) fn answer(
        &self,
        msg: &Message,
        bytes: &[u8],
        now: Duration,
        skew: Duration,
    ) -> Result<TransferOutcome, Error> {
        let transfer = self;
        let p = &msg.payloads;
        let flags = transfer.grant.flags;
        let randrr = wire::find_randr(p, RandRoleKind::Responder);
        if flags.responder_rand && randrr.is_none() {
            return Err(Error::Missing("RANDRr"));
        }
        let randrr = randrr.filter(|_| flags.responder_rand);
        let responder = wire::find_idr(p, IdRoleKind::Responder).ok_or(Error::Missing("IDRr"))?;
        let ticket_prf = wire::prf_of(&transfer.grant.ticket.policy.prf)?;
        let mut keys = transfer.grant.keys.clone();
        let mpk = if flags.forking {
            let randrkms =
                wire::find_randr(p, RandRoleKind::Kms).ok_or(Error::Missing("RANDRkms"))?;
            let mpkr = transfer
                .grant
                .mpkr
                .as_ref()
                .ok_or(Error::State("no MPKr"))?;
            for k in keys.iter_mut().filter(|k| k.key_type == KeyType::Tgk) {
                let f = fork_key(
                    ticket_prf,
                    k.key.expose_secret(),
                    ForkedKey::Tgk,
                    responder,
                    randrkms,
                )?;
                k.key = crate::codec::KeyBytes::from_slice(f.expose_secret())
                    .map_err(|_| Error::Policy("TGK length"))?;
            }
            fork_key(
                ticket_prf,
                mpkr.expose_secret(),
                ForkedKey::Mpkr,
                responder,
                randrkms,
            )?
        } else {
            transfer.grant.mpki.clone()
        };
        let v = wire::last_v(p)?;
        let csb = transfer.csb_id;
        let randri = transfer.randri.as_slice();
        let resp_keys = ProtectionKeys::derive(
            transfer.prf,
            mpk.expose_secret(),
            &MessageKeyLabel::Ticket {
                csb_id: csb,
                direction: Direction::Response,
                randri: Some(randri),
                randrr,
            },
            Encryption::Null,
            wire::mac_of(&v.mac_alg)?,
        )?;
        wire::verify_v(bytes, v, &resp_keys, &[&transfer.message])?;
        check_skew(wire::find_t(p).ok_or(Error::Missing("T"))?, now, skew)?;
        let CsIdMap::GenericId(map) = &msg.header.cs_map else {
            return Err(Error::Policy("TRANSFER_RESP without a GENERIC-ID map"));
        };
        let mut sps: Vec<&SecurityPolicy> = transfer.sps.iter().collect();
        sps.extend(p.iter().filter_map(|p| match p {
            Payload::Sp(sp) => Some(sp),
            _ => None,
        }));
        if map
            .iter()
            .any(|cs| cs.prot_type != PROT_SRTP || cs.policies.len() != 1)
        {
            return Err(Error::Policy(
                "each crypto session needs exactly one SRTP policy",
            ));
        }
        let sessions = ticket_sessions(
            transfer.prf,
            map,
            &sps,
            &keys,
            flags.initiator_rand_in_tek.then_some(randri),
            randrr,
        )?;
        Ok(TransferOutcome {
            responder: responder.to_vec(),
            sessions,
        })
    }
}

/// The SPI of the first session key, which crypto sessions name.
pub(crate) fn first_key_spi(keys: &[KeyData]) -> Vec<u8> {
    keys.iter()
        .find_map(|k| match &k.kv {
            crate::codec::KeyValidity::Spi(spi) => Some(spi.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// Removes the leading MPK key data sub-payload.
pub(crate) fn take_mpk(keys: &mut Vec<KeyData>) -> Result<SecretBytes<MAX_KEY_LEN>, Error> {
    if keys.first().map(|k| &k.key_type) != Some(&KeyType::Mpk) {
        return Err(Error::Missing("MPK in the KEMAC"));
    }
    let k = keys.remove(0);
    SecretBytes::from_slice(k.key.expose_secret()).map_err(|_| Error::Policy("MPK too long"))
}

/// Refuses an NTP timestamp further than `skew` from `now`.
pub(crate) fn check_skew(
    ts: &crate::codec::TsValue,
    now: Duration,
    skew: Duration,
) -> Result<(), Error> {
    match crate::crypto::check_skew(now, wire::ts_value(ts), skew) {
        // A COUNTER is no time: its freshness is the peer's counter window.
        Err(crate::crypto::FreshnessError::NotATime) => Ok(()),
        other => other.map_err(Error::from),
    }
}
