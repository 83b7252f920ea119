//! The KMS of the IMS media-security study (seed 001, RFC 6043 mode 1): it
//! issues tickets that carry their keys sealed with a ticket protection key
//! only KMS instances hold, and resolves them for whoever the ticket policy
//! and the KMS's tables allow. It stores no media keys; its only state is
//! the protection keys and the replay cache.

use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use ims_sec_core::SecretBytes;
use rand_core::CryptoRngCore;

use crate::codec::{
    CsIdMap, DataType, IdRoleKind, Kemac, KeyData, KeyType, KeyValidity, MacAlg, Message, Payload,
    RandRoleKind, Ticket, TicketPolicy,
};
use crate::crypto::{
    fork_key, Direction, Encryption, ForkedKey, MessageKeyLabel, ProtectionKeys, ReplayCache,
    MAX_KEY_LEN,
};
use crate::error::Error;

use super::base::{open_base_ticket, seal_base_ticket, TicketProtectionKey};
use super::policy::{self, Flags};
use super::{wire, Algorithms};

/// The kinds of network function seed 001 gives special authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkFunctionKind {
    /// A transcoder in the media path.
    Transcoder,
    /// A media gateway (PSTN interworking).
    MediaGateway,
    /// A SIP application server terminating media.
    ApplicationServer,
}

/// A network function's special authorisation: it may resolve tickets whose
/// initiator or a listed responder belongs to one of `domains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkFunction {
    /// What it is.
    pub kind: NetworkFunctionKind,
    /// The home domains whose tickets it may resolve (e.g. `example.com`).
    pub domains: Vec<Vec<u8>>,
}

/// A party the KMS shares a pre-shared key with (for example from GBA).
#[derive(Debug, Clone)]
pub struct Requester {
    /// The authenticated identity (the one the PSK belongs to).
    pub identity: Vec<u8>,
    /// The pre-shared key.
    pub psk: SecretBytes<MAX_KEY_LEN>,
    /// The public identities (IMPUs) this party may use or resolve for.
    pub acts_for: Vec<Vec<u8>>,
    /// Whether it may request tickets.
    pub may_request: bool,
    /// Its special authorisation, if it is a network function.
    pub network_function: Option<NetworkFunction>,
}

impl Requester {
    /// A user (UE) that may request tickets and resolve for `acts_for`.
    pub fn user(identity: &[u8], psk: &[u8], acts_for: Vec<Vec<u8>>) -> Result<Self, Error> {
        Ok(Self {
            identity: identity.to_vec(),
            psk: SecretBytes::from_slice(psk).map_err(|_| Error::Policy("PSK too long"))?,
            acts_for,
            may_request: true,
            network_function: None,
        })
    }

    /// A network function with special authorisation.
    pub fn network_function(
        identity: &[u8],
        psk: &[u8],
        function: NetworkFunction,
    ) -> Result<Self, Error> {
        Ok(Self {
            identity: identity.to_vec(),
            psk: SecretBytes::from_slice(psk).map_err(|_| Error::Policy("PSK too long"))?,
            acts_for: Vec::new(),
            may_request: false,
            network_function: Some(function),
        })
    }

    fn is(&self, id: &[u8]) -> bool {
        self.identity == id || self.acts_for.iter().any(|a| a == id)
    }
}

/// The tables the application gives the KMS.
pub trait Directory {
    /// The party whose pre-shared key IDRpsk names (or, without IDRpsk, the
    /// party with this identity).
    fn requester(&self, psk_id: &[u8]) -> Option<Requester>;
    /// The members of a group identity, if it is one.
    fn group_members(&self, group: &[u8]) -> Option<Vec<Vec<u8>>>;
}

/// A record of a network function resolving a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The network function's identity.
    pub network_function: Vec<u8>,
    /// Its kind.
    pub kind: NetworkFunctionKind,
    /// The ticket's initiator (IDRi of the policy).
    pub initiator: Vec<u8>,
    /// The ticket's listed responders.
    pub responders: Vec<Vec<u8>>,
    /// When (time since the Unix epoch).
    pub at: Duration,
}

/// How a resolver was authorised.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grant {
    /// Listed in the ticket (directly, or through an identity it acts for).
    Listed,
    /// A member of a listed group.
    Group,
    /// A network function of the ticket's domain.
    NetworkFunction(NetworkFunctionKind),
}

/// The KMS's policy.
#[derive(Debug, Clone)]
pub struct KmsConfig {
    /// The KMS identity (IDRkms).
    pub identity: Vec<u8>,
    /// Algorithms of the messages it sends.
    pub algorithms: Algorithms,
    /// The longest validity period it grants.
    pub max_validity: Duration,
    /// Allowed clock skew of requests.
    pub skew: Duration,
    /// Replay cache capacity (requests within the skew window).
    pub replay_capacity: usize,
    /// MPK length in bytes.
    pub mpk_len: usize,
    /// Most TGKs in one ticket.
    pub max_keys: u8,
}

impl KmsConfig {
    /// A KMS named `identity`: default algorithms, 7 days of validity at
    /// most, 5 minutes of skew, 100 000 cached requests, 32-byte MPKs.
    pub fn new(identity: &[u8]) -> Self {
        Self {
            identity: identity.to_vec(),
            algorithms: Algorithms::default(),
            max_validity: Duration::from_secs(7 * 24 * 3600),
            skew: Duration::from_secs(300),
            replay_capacity: 100_000,
            mpk_len: 32,
            max_keys: 8,
        }
    }
}

/// What the KMS sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsReply {
    /// REQUEST_RESP or RESOLVE_RESP.
    pub message: Vec<u8>,
    /// Set when a network function resolved with special authorisation.
    pub audit: Option<AuditEvent>,
}

/// A refused request: why, and the ERR message to send, if any (none when
/// the requester could not be authenticated, RFC 6043 §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub error: Error,
    /// The ERR message, when one should go back.
    pub message: Option<Vec<u8>>,
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Self {
            error,
            message: None,
        }
    }
}

/// A stateless KMS.
#[derive(Debug)]
pub struct Kms {
    config: KmsConfig,
    /// Ticket protection keys; the first seals new tickets, all resolve.
    tpks: Vec<TicketProtectionKey>,
    replay: ReplayCache,
}

/// A request that authenticated: who sent it and the keys of its exchange.
struct Authenticated {
    requester: Requester,
    response_keys: ProtectionKeys,
    /// The timestamp and MAC the replay cache records once the request succeeds.
    fresh: crate::crypto::TimestampValue,
    mac: Vec<u8>,
}

impl Kms {
    /// A KMS sealing with `tpk`.
    pub fn new(config: KmsConfig, tpk: TicketProtectionKey) -> Self {
        let replay = ReplayCache::new(config.skew, config.replay_capacity);
        Self {
            config,
            tpks: vec![tpk],
            replay,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &KmsConfig {
        &self.config
    }

    /// Makes `tpk` the key that seals new tickets; older keys still resolve
    /// until [`Kms::retire`].
    pub fn rotate(&mut self, tpk: TicketProtectionKey) {
        self.tpks.retain(|k| k.id != tpk.id);
        self.tpks.insert(0, tpk);
    }

    /// Stops resolving tickets sealed with the key named `id`.
    pub fn retire(&mut self, id: &[u8]) {
        if self.tpks.len() > 1 {
            self.tpks.retain(|k| k.id != id);
        }
    }

    /// Handles one REQUEST_INIT_PSK or RESOLVE_INIT_PSK.
    pub fn handle(
        &mut self,
        bytes: &[u8],
        now: Duration,
        rng: &mut impl CryptoRngCore,
        directory: &impl Directory,
    ) -> Result<KmsReply, Refusal> {
        let msg = Message::parse(bytes).map_err(Error::from)?;
        match msg.header.data_type {
            DataType::RequestInitPsk => self.issue(&msg, bytes, now, rng, directory),
            DataType::ResolveInitPsk => self.resolve(&msg, bytes, now, rng, directory),
            DataType::RequestInitPk | DataType::ResolveInitPk => Err(Refusal {
                error: Error::Unsupported(
                    "public-key (PK) variants of REQUEST_INIT and RESOLVE_INIT",
                ),
                message: Some(wire::error_message(
                    &msg.header,
                    crate::codec::ErrorCode::InvalidDt,
                    now,
                    None,
                )),
            }),
            _ => Err(Refusal {
                error: Error::Unexpected("a KMS takes REQUEST_INIT and RESOLVE_INIT only"),
                message: Some(wire::error_message(
                    &msg.header,
                    crate::codec::ErrorCode::InvalidDt,
                    now,
                    None,
                )),
            }),
        }
    }

    /// Authenticates an initial message (REQUEST_INIT or RESOLVE_INIT): the
    /// PSK named by IDRpsk (or the sender's IDR), the MAC over the message
    /// and both identities, the timestamp and the replay cache. Nothing is
    /// remembered here: [`Kms::record`] records the request once it has
    /// been answered, so a refused request leaves the KMS as it was.
    fn authenticate(
        &mut self,
        msg: &Message,
        bytes: &[u8],
        now: Duration,
        directory: &impl Directory,
        role: IdRoleKind,
        rand_role: RandRoleKind,
    ) -> Result<Authenticated, Error> {
        let p = &msg.payloads;
        if msg.header.cs_map != CsIdMap::Empty {
            return Err(Error::Unexpected(
                "ticket request/resolve must use the empty CS ID map",
            ));
        }
        let sender_id = wire::find_idr(p, role);
        let psk_id = wire::find_idr(p, IdRoleKind::Psk)
            .or(sender_id)
            .ok_or(Error::AuthFailure("no IDRpsk or sender identity"))?;
        let requester = directory
            .requester(psk_id)
            .ok_or(Error::AuthFailure("unknown pre-shared key"))?;
        let identity = sender_id.unwrap_or(&requester.identity).to_vec();
        if let Some(kms) = wire::find_idr(p, IdRoleKind::Kms) {
            if kms != self.config.identity.as_slice() {
                return Err(Error::AuthFailure("addressed to another KMS"));
            }
        }
        let rand = wire::find_randr(p, rand_role).ok_or(Error::Missing("RANDR"))?;
        let (randri, randrr) = match rand_role {
            RandRoleKind::Initiator => (Some(rand), None),
            _ => (None, Some(rand)),
        };
        let ts = wire::find_t(p).ok_or(Error::Missing("T"))?;
        let v = wire::last_v(p)?;
        let prf = wire::prf_of(&msg.header.prf)?;
        let csb = msg.header.csb_id;
        let mac = wire::mac_of(&v.mac_alg)?;
        let psk = requester.psk.expose_secret();
        let keys = ProtectionKeys::derive(
            prf,
            psk,
            &MessageKeyLabel::Ticket {
                csb_id: csb,
                direction: Direction::Initial,
                randri,
                randrr,
            },
            Encryption::Null,
            mac,
        )?;
        wire::verify_v(bytes, v, &keys, &[&identity, &self.config.identity])?;
        if !requester.is(&identity) {
            return Err(Error::NotAuthorised(
                "identity not bound to this pre-shared key",
            ));
        }
        // Skew and replay are checked here; the request is recorded only
        // once it has been answered (`Kms::record`), so a refusal moves nothing.
        let fresh = wire::ts_value(ts);
        self.replay.check(now, fresh, &v.mac)?;
        let response_keys = ProtectionKeys::derive(
            prf,
            psk,
            &MessageKeyLabel::Ticket {
                csb_id: csb,
                direction: Direction::Response,
                randri,
                randrr,
            },
            self.config.algorithms.encryption,
            self.config.algorithms.mac,
        )?;
        Ok(Authenticated {
            requester,
            response_keys,
            fresh,
            mac: v.mac.clone(),
        })
    }

    fn refuse(
        msg: &Message,
        error: Error,
        now: Duration,
        keys: Option<&ProtectionKeys>,
    ) -> Refusal {
        let message = match error {
            Error::AuthFailure(_) | Error::Parse(_) => None,
            _ => Some(wire::error_message(&msg.header, error.code(), now, keys)),
        };
        Refusal { error, message }
    }

    /// REQUEST_INIT_PSK → REQUEST_RESP (RFC 6043 §4.2.1).
    fn issue(
        &mut self,
        msg: &Message,
        bytes: &[u8],
        now: Duration,
        rng: &mut impl CryptoRngCore,
        directory: &impl Directory,
    ) -> Result<KmsReply, Refusal> {
        let auth = self
            .authenticate(
                msg,
                bytes,
                now,
                directory,
                IdRoleKind::Initiator,
                RandRoleKind::Initiator,
            )
            .map_err(|e| Self::refuse(msg, e, now, None))?;
        let keys = &auth.response_keys;
        let result = self.grant(msg, &auth, now, rng);
        let (ticket, kemac_plain) = result.map_err(|e| Self::refuse(msg, e, now, Some(keys)))?;
        let issued_t = wire::ntp_now(now);
        let encr = keys
            .encrypt(msg.header.csb_id, wire::iv_t(&issued_t), &kemac_plain)
            .map_err(|e| Self::refuse(msg, e.into(), now, Some(keys)))?;
        let cfg = &self.config;
        let reply = Message {
            header: wire::header(
                DataType::RequestResp,
                false,
                wire::prf_of(&msg.header.prf).unwrap_or(cfg.algorithms.prf),
                msg.header.csb_id,
                CsIdMap::Empty,
            ),
            payloads: vec![
                wire::t(issued_t),
                wire::idr(IdRoleKind::Kms, &cfg.identity),
                Payload::Ticket(ticket),
                Payload::Kemac(Kemac {
                    encr_alg: wire::encr_alg(cfg.algorithms.encryption),
                    encr_data: encr,
                    mac_alg: MacAlg::Null,
                    mac: Vec::new(),
                }),
            ],
        };
        self.record(&auth, now)
            .map_err(|e| Self::refuse(msg, e, now, Some(keys)))?;
        Ok(KmsReply {
            message: wire::emit_with_v(reply, keys, &[bytes]),
            audit: None,
        })
    }

    /// Records an answered request in the replay cache.
    fn record(&mut self, auth: &Authenticated, now: Duration) -> Result<(), Error> {
        self.replay.insert(now, auth.fresh, &auth.mac)?;
        Ok(())
    }

    /// The granted policy and ticket for an authenticated request, and the
    /// plaintext of the KEMAC for the Initiator (MPKi ‖ [MPKr] ‖ TGKs).
    fn grant(
        &self,
        msg: &Message,
        auth: &Authenticated,
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(Ticket, Vec<u8>), Error> {
        if !auth.requester.may_request {
            return Err(Error::NotAuthorised("may not request tickets"));
        }
        let desired = msg
            .payloads
            .iter()
            .find_map(|p| match p {
                Payload::Tp(tp) => Some(tp),
                _ => None,
            })
            .ok_or(Error::Missing("TP"))?;
        let initiator = wire::find_idr(&msg.payloads, IdRoleKind::Initiator)
            .unwrap_or(&auth.requester.identity)
            .to_vec();
        let (granted, keys_wanted) = self.granted_policy(desired, &initiator, now)?;
        let prf = wire::prf_of(&granted.policy.prf)?;
        let flags = granted.flags;
        let mut keys = Vec::with_capacity(keys_wanted.len());
        for (i, (key_type, len)) in keys_wanted.iter().enumerate() {
            let mut key = vec![0u8; *len];
            rng.fill_bytes(&mut key);
            let salt: [u8; 14] = wire::random(rng);
            keys.push(KeyData {
                key_type: *key_type,
                key: crate::codec::KeyBytes::from_slice(&key)
                    .map_err(|_| Error::Policy("key length"))?,
                salt: Some(
                    crate::codec::KeyBytes::from_slice(&salt).map_err(|_| Error::Policy("salt"))?,
                ),
                kv: KeyValidity::Spi(vec![i as u8]),
            });
            zeroize::Zeroize::zeroize(&mut key);
        }
        let mut mpk = vec![0u8; self.config.mpk_len];
        rng.fill_bytes(&mut mpk);
        let rand: [u8; 16] = wire::random(rng);
        let tpk = self
            .tpks
            .first()
            .ok_or(Error::State("no ticket protection key"))?;
        let ticket = seal_base_ticket(granted.policy, tpk, wire::ntp_now(now), &rand, &mpk, &keys);
        zeroize::Zeroize::zeroize(&mut mpk);
        let ticket = ticket?;
        let opened = open_base_ticket(&ticket, |id| self.tpks.iter().find(|k| k.id == id))?;
        let mut plain_keys = vec![mpk_data(opened.mpki(&ticket.policy)?.expose_secret(), 0)?];
        if flags.forking {
            plain_keys.push(mpk_data(opened.mpkr(&ticket.policy)?.expose_secret(), 1)?);
        }
        plain_keys.extend(keys);
        let _ = prf;
        let mut plain = Vec::new();
        KeyData::emit_chain(&plain_keys, &mut plain);
        Ok((ticket, plain))
    }

    /// The KMS's answer to a desired policy: D set, flags made consistent,
    /// validity clamped, IDRi and IDRkms the authenticated ones, the KEMAC
    /// removed; K set if anything differs from what was asked.
    fn granted_policy(
        &self,
        desired: &TicketPolicy,
        initiator: &[u8],
        now: Duration,
    ) -> Result<(Granted, Vec<(KeyType, usize)>), Error> {
        if (desired.ticket_type, desired.subtype, desired.version) != policy::BASE_TICKET {
            return Err(Error::InvalidTicket("only the MIKEY base ticket is issued"));
        }
        let prf = wire::prf_of(&desired.prf).map_err(|_| Error::Policy("ticket PRF"))?;
        let asked = Flags::from_codec(&desired.flags);
        let mut flags = asked;
        flags.kms_generated = true;
        flags.kms_changed = false;
        if flags.forking {
            flags.resolve_mandatory = true;
            flags.transfer_resp = true;
        }
        if flags.responder_rand || flags.responder_keys {
            flags.transfer_resp = true;
        }
        if !flags.responder_rand {
            flags.initiator_rand_in_tek = true;
        }
        flags.initiator_can_transfer = true;
        flags.responder_can_process = true;
        let mut changed = Flags {
            kms_generated: true,
            kms_changed: false,
            ..asked
        } != flags;

        let responders: Vec<&[u8]> = wire::idrs(&desired.tp_data, IdRoleKind::Responder).collect();
        if responders.is_empty() {
            return Err(Error::Policy("no responder (IDRr) in the desired policy"));
        }
        let (from, to) = policy::validity(desired);
        let latest = now + self.config.max_validity;
        let start = from.unwrap_or(now);
        let end = match to {
            Some(t) if t <= latest => t,
            _ => {
                changed = true;
                latest
            }
        };
        if end < now || start > end {
            return Err(Error::Policy(
                "validity period ends before it starts or in the past",
            ));
        }
        let mut keys = policy::requested_keys(desired).unwrap_or_else(|| vec![(KeyType::Tgk, 16)]);
        if keys.is_empty() {
            keys.push((KeyType::Tgk, 16));
            changed = true;
        }
        let cap = usize::from(self.config.max_keys);
        if keys.len() > cap {
            keys.truncate(cap);
            changed = true;
        }
        for k in &mut keys {
            if !matches!(k.0, KeyType::Tgk | KeyType::Tek | KeyType::Gtgk)
                || !(16..=32).contains(&k.1)
            {
                *k = (KeyType::Tgk, 16);
                changed = true;
            }
        }
        flags.kms_changed = changed;
        flags.check()?;

        let mut tp_data = vec![
            wire::idr(IdRoleKind::Kms, &self.config.identity),
            wire::idr(IdRoleKind::Initiator, initiator),
        ];
        policy::push_validity(&mut tp_data, Some(start), Some(end));
        tp_data.extend(
            desired
                .tp_data
                .iter()
                .filter(|p| matches!(p, Payload::Idr(id) if id.role == IdRoleKind::App))
                .cloned(),
        );
        for r in responders {
            tp_data.push(wire::idr(IdRoleKind::Responder, r));
        }
        Ok((
            Granted {
                policy: TicketPolicy {
                    ticket_type: desired.ticket_type,
                    subtype: desired.subtype,
                    version: desired.version,
                    prf: wire::prf_func(prf),
                    flags: flags.to_codec(),
                    tp_data,
                },
                flags,
            },
            keys,
        ))
    }

    /// RESOLVE_INIT_PSK → RESOLVE_RESP (RFC 6043 §4.2.3).
    fn resolve(
        &mut self,
        msg: &Message,
        bytes: &[u8],
        now: Duration,
        rng: &mut impl CryptoRngCore,
        directory: &impl Directory,
    ) -> Result<KmsReply, Refusal> {
        let auth = self
            .authenticate(
                msg,
                bytes,
                now,
                directory,
                IdRoleKind::Responder,
                RandRoleKind::Responder,
            )
            .map_err(|e| Self::refuse(msg, e, now, None))?;
        let keys = &auth.response_keys;
        let reply = self
            .resolve_authenticated(msg, bytes, &auth, now, rng, directory)
            .map_err(|e| Self::refuse(msg, e, now, Some(keys)))?;
        self.record(&auth, now)
            .map_err(|e| Self::refuse(msg, e, now, Some(keys)))?;
        Ok(reply)
    }

    fn resolve_authenticated(
        &self,
        msg: &Message,
        bytes: &[u8],
        auth: &Authenticated,
        now: Duration,
        rng: &mut impl CryptoRngCore,
        directory: &impl Directory,
    ) -> Result<KmsReply, Error> {
        let ticket = wire::find_ticket(&msg.payloads).ok_or(Error::Missing("TICKET"))?;
        let opened = open_base_ticket(ticket, |id| self.tpks.iter().find(|k| k.id == id))?;
        let tpolicy = &ticket.policy;
        policy::check_validity(tpolicy, now).map_err(|e| match e {
            Error::InvalidTicket(why) => Error::NotAuthorised(why),
            other => other,
        })?;
        let grant = authorise(tpolicy, &auth.requester, directory)?;
        let flags = Flags::from_codec(&tpolicy.flags);
        let prf = wire::prf_of(&tpolicy.prf)?;
        let mpki = opened.mpki(tpolicy)?;
        let mut out_keys = vec![mpk_data(mpki.expose_secret(), 0)?];
        let mut modifier = None;
        let forked = flags.forking && !matches!(grant, Grant::NetworkFunction(_));
        if flags.forking {
            let mpkr = opened.mpkr(tpolicy)?;
            verify_initiator_data(ticket, mpkr.expose_secret())?;
            if forked {
                let id = auth.requester.identity.clone();
                let randrkms: [u8; 16] = wire::random(rng);
                let mpkr_f = fork_key(prf, mpkr.expose_secret(), ForkedKey::Mpkr, &id, &randrkms)?;
                out_keys.push(mpk_data(mpkr_f.expose_secret(), 1)?);
                modifier = Some((id, randrkms));
            } else {
                out_keys.push(mpk_data(mpkr.expose_secret(), 1)?);
            }
        }
        for k in &opened.keys {
            let mut k = k.clone();
            if let (Some((id, randrkms)), KeyType::Tgk) = (&modifier, &k.key_type) {
                let f = fork_key(prf, k.key.expose_secret(), ForkedKey::Tgk, id, randrkms)?;
                k.key = crate::codec::KeyBytes::from_slice(f.expose_secret())
                    .map_err(|_| Error::Policy("TGK length"))?;
            }
            out_keys.push(k);
        }
        let mut plain = Vec::new();
        KeyData::emit_chain(&out_keys, &mut plain);
        let t = wire::ntp_now(now);
        let keys = &auth.response_keys;
        let encr = keys.encrypt(msg.header.csb_id, wire::iv_t(&t), &plain)?;
        zeroize::Zeroize::zeroize(&mut plain);
        let cfg = &self.config;
        let mut payloads = vec![
            wire::t(t),
            wire::idr(IdRoleKind::Kms, &cfg.identity),
            Payload::Kemac(Kemac {
                encr_alg: wire::encr_alg(cfg.algorithms.encryption),
                encr_data: encr,
                mac_alg: MacAlg::Null,
                mac: Vec::new(),
            }),
        ];
        if let Some((id, randrkms)) = &modifier {
            payloads.push(wire::idr(IdRoleKind::Responder, id));
            payloads.push(wire::randr(RandRoleKind::Kms, randrkms));
        }
        let reply = Message {
            header: wire::header(
                DataType::ResolveResp,
                false,
                wire::prf_of(&msg.header.prf)?,
                msg.header.csb_id,
                CsIdMap::Empty,
            ),
            payloads,
        };
        let audit = match grant {
            Grant::NetworkFunction(kind) => Some(AuditEvent {
                network_function: auth.requester.identity.clone(),
                kind,
                initiator: wire::find_idr(&tpolicy.tp_data, IdRoleKind::Initiator)
                    .unwrap_or_default()
                    .to_vec(),
                responders: wire::idrs(&tpolicy.tp_data, IdRoleKind::Responder)
                    .map(<[u8]>::to_vec)
                    .collect(),
                at: now,
            }),
            _ => None,
        };
        Ok(KmsReply {
            message: wire::emit_with_v(reply, keys, &[bytes]),
            audit,
        })
    }
}

struct Granted {
    policy: TicketPolicy,
    flags: Flags,
}

/// An MPK key data sub-payload with SPI `spi`.
fn mpk_data(key: &[u8], spi: u8) -> Result<KeyData, Error> {
    Ok(KeyData {
        key_type: KeyType::Mpk,
        key: crate::codec::KeyBytes::from_slice(key).map_err(|_| Error::Policy("MPK length"))?,
        salt: None,
        kv: KeyValidity::Spi(vec![spi]),
    })
}

/// Checks the Initiator Data of a forked ticket (RFC 6043 §6.10): Vi, Vr,
/// with Vr's MAC keyed from MPKr over the Initiator Data without the MAC.
fn verify_initiator_data(ticket: &Ticket, mpkr: &[u8]) -> Result<(), Error> {
    let data = crate::codec::parse_chain(&ticket.initiator_data)
        .map_err(|_| Error::AuthFailure("Initiator Data does not parse"))?;
    let vr = wire::last_v(&data).map_err(|_| Error::AuthFailure("no Vr in the Initiator Data"))?;
    if !matches!(data.first(), Some(Payload::V(_))) || data.len() != 2 {
        return Err(Error::AuthFailure("Initiator Data is not Vi, Vr"));
    }
    let prf = wire::prf_of(&ticket.policy.prf)?;
    let keys = ProtectionKeys::derive(
        prf,
        mpkr,
        &MessageKeyLabel::InitiatorData,
        Encryption::Null,
        wire::mac_of(&vr.mac_alg)?,
    )?;
    wire::verify_v(&ticket.initiator_data, vr, &keys, &[])
        .map_err(|_| Error::AuthFailure("Initiator Data MAC does not verify"))
}

/// The domain of a SIP URI identity (`sip:user@domain;…` → `domain`).
pub(crate) fn domain_of(id: &[u8]) -> Option<&[u8]> {
    let at = id.iter().rposition(|b| *b == b'@')?;
    let rest = id.get(at + 1..)?;
    let end = rest
        .iter()
        .position(|b| matches!(b, b';' | b'>' | b':' | b'?'))
        .unwrap_or(rest.len());
    rest.get(..end)
}

/// Who may resolve a ticket: a pure function of the ticket policy, the
/// authenticated requester and the directory (the time was checked before).
fn authorise(
    policy: &TicketPolicy,
    requester: &Requester,
    directory: &impl Directory,
) -> Result<Grant, Error> {
    let responders: Vec<&[u8]> = wire::idrs(&policy.tp_data, IdRoleKind::Responder).collect();
    if responders.iter().any(|r| requester.is(r)) {
        return Ok(Grant::Listed);
    }
    for r in &responders {
        if let Some(members) = directory.group_members(r) {
            if members.iter().any(|m| requester.is(m)) {
                return Ok(Grant::Group);
            }
        }
    }
    if let Some(nf) = &requester.network_function {
        let initiator = wire::find_idr(&policy.tp_data, IdRoleKind::Initiator);
        let in_domain = initiator
            .into_iter()
            .chain(responders.iter().copied())
            .filter_map(domain_of)
            .any(|d| nf.domains.iter().any(|nd| nd.eq_ignore_ascii_case(d)));
        if in_domain {
            return Ok(Grant::NetworkFunction(nf.kind));
        }
    }
    Err(Error::NotAuthorised("not a receiver of this ticket"))
}

#[cfg(test)]
mod tests {
    use super::domain_of;

    #[test]
    fn domains_of_sip_uris() {
        assert_eq!(domain_of(b"sip:bob@example.com"), Some(&b"example.com"[..]));
        assert_eq!(
            domain_of(b"sip:bob@example.com;gr=1"),
            Some(&b"example.com"[..])
        );
        assert_eq!(
            domain_of(b"sip:bob@example.com:5060"),
            Some(&b"example.com"[..])
        );
        assert_eq!(domain_of(b"tel:+1555"), None);
    }
}
