//! MIKEY pre-shared key mode (RFC 3830 §3.1): [`PskInitiator`] sends
//! PSK_INIT carrying a TGK (or TEK) encrypted under keys derived from the
//! pre-shared key, [`PskResponder`] checks and opens it and, when asked,
//! answers PSK_VERIFY.
//!
//! ```text
//! PSK_INIT   = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC      --->
//! PSK_VERIFY = HDR, T, [IDi], [IDr], V                      <---  (if V flag)
//! ERR        = HDR, T, ERR, {SP}, [V]                       <---  (refused)
//! ```
//!
//! Both ends come out with one [`CryptoSession`] per entry of the SRTP-ID
//! map, holding an srtp-sdes [`srtp_sdes::Policy`].
//!
//! How this module reads the places where RFC 3830 leaves room:
//!
//! - **Message keys** (§4.1.4): `PRF(PSK, constant || 0xFF || CSB ID ||
//!   RAND)`, the same encryption, salt and authentication keys protecting
//!   PSK_INIT, PSK_VERIFY and an authenticated ERR.
//! - **KEMAC IV** (§4.2.3): `T` is the 64-bit value of the Initiator's T
//!   payload (NTP-UTC here) and the CSB ID that of the HDR.
//! - **KEMAC MAC** (§5.2, §6.2): HMAC over the whole PSK_INIT up to the MAC
//!   field; the KEMAC must be the last payload.
//! - **V MAC** (§5.2, §6.9): HMAC over the whole PSK_VERIFY up to the MAC
//!   field, then `Identity_i || Identity_r || T_i`: the ID Data of the IDi
//!   and IDr payloads *of PSK_INIT* (empty when that payload was left out)
//!   and the timestamp value field of the Initiator's T payload (8 bytes for
//!   NTP-UTC, without the TS type). PSK_VERIFY carries the Initiator's T
//!   unchanged (§5.2: "the Responder does not create a new timestamp") and
//!   the same IDi and IDr payloads PSK_INIT had.
//! - **CS ID** (§6.1.1 note): with the SRTP-ID map, the crypto session of
//!   the i-th entry has CS ID i, counting from 1.
//! - **Session keys** (§4.1.3): from a TGK, the SRTP master key is
//!   `PRF(TGK, 0x2AD01C64 || CS ID || CSB ID || RAND)` sized for the SP's
//!   encryption key length, and the master salt is the Key data
//!   sub-payload's salt when it has one (its first 14 bytes), else
//!   `PRF(TGK, 0x39A2C14B || CS ID || CSB ID || RAND)` of 14 bytes. A TEK
//!   is the master key of every crypto session as it is (its length must
//!   be the SP's key length); a TEK without a salt gets the salt derived
//!   from it with the salting-key label. A KV SPI becomes the SRTP MKI.
//! - **SP**: a crypto session whose policy number has no SP payload uses
//!   RFC 3711's defaults (AES_CM_128_HMAC_SHA1_80).
//! - **Errors** (§5.1.2, §5.3): a message that does not authenticate, is
//!   stale or replayed, or cannot be read gets no ERR message. What the
//!   Responder does not support gets one: Invalid DT, PRF, MAC before the
//!   MAC can be checked (unauthenticated); Invalid EA, SP, SPpar after it
//!   (then with a V payload covered as PSK_VERIFY's, and for SP errors our
//!   supported SP).

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use ims_sec_core::SecretBytes;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::codec::{
    CsIdMap, DataType, ErrorCode, ErrorPayload, Header, Id, IdType, Kemac, KeyBytes, KeyData,
    KeyType, KeyValidity, Message, Payload, Rand, SrtpCs, TsValue,
};
use crate::crypto::{
    derive_from_tgk, Encryption, KeyKind, Mac, MessageKeyLabel, Prf, ProtectionKeys, ReplayCache,
    TgkLabel, MAX_KEY_LEN,
};
use crate::error::Error;
use crate::srtp::{CryptoSession, SrtpParams, PROT_SRTP};
use crate::ticket::wire;

/// Length of the RAND the Initiator sends (RFC 3830 §4.1.1: at least 128 bits).
pub const RAND_LEN: usize = 16;
/// Length of the TGK the Initiator sends.
pub const TGK_LEN: usize = 16;
/// The SRTP master salt length (RFC 3711 §8.2: 112 bits).
const SALT_LEN: usize = 14;

/// What the Initiator carries in the KEMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMaterial {
    /// A 16-byte TGK; each crypto session's master key and salt are derived
    /// from it (RFC 3830 §4.1.3).
    Tgk,
    /// A 16-byte TGK with a 14-byte salt (TGK+SALT): master keys derived,
    /// the salt used as every crypto session's master salt.
    TgkWithSalt,
    /// A TEK+SALT: the SRTP master key and salt themselves, shared by every
    /// crypto session.
    TekWithSalt,
}

/// The algorithms and limits of one end of the PSK exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PskConfig {
    /// PRF of the messages the Initiator sends (MIKEY-1 or, RFC 6043,
    /// PRF-HMAC-SHA-256). The Responder follows the HDR's.
    pub prf: Prf,
    /// KEMAC encryption the Initiator uses (AES-CM-128 by default; NULL is
    /// refused at both ends).
    pub encryption: Encryption,
    /// MAC of KEMAC and V the Initiator uses (HMAC-SHA-1-160 by default;
    /// NULL is refused at both ends).
    pub mac: Mac,
    /// What the Initiator puts in the KEMAC.
    pub key_material: KeyMaterial,
    /// The Responder's allowed clock skew (RFC 3830 §5.4).
    pub skew: Duration,
    /// How many accepted messages the Responder's replay cache holds.
    pub replay_capacity: usize,
}

impl Default for PskConfig {
    /// MIKEY-1, AES-CM-128, HMAC-SHA-1-160, a TGK, 5 minutes of skew,
    /// 10 000 cached messages.
    fn default() -> Self {
        Self {
            prf: Prf::MikeyOne,
            encryption: Encryption::AesCm128,
            mac: Mac::HmacSha1_160,
            key_material: KeyMaterial::Tgk,
            skew: Duration::from_secs(300),
            replay_capacity: 10_000,
        }
    }
}

type Psk = SecretBytes<MAX_KEY_LEN>;

fn psk_bytes(psk: &[u8]) -> Result<Psk, Error> {
    if psk.is_empty() {
        return Err(Error::Policy("empty pre-shared key"));
    }
    Psk::from_slice(psk).map_err(|_| Error::Policy("pre-shared key longer than 255 bytes"))
}

/// A refusal with, when the peer should hear of it, the ERR code.
struct Fail {
    error: Error,
    code: Option<ErrorCode>,
}

impl Fail {
    /// Refused without an ERR message.
    fn silent(error: Error) -> Self {
        Self { error, code: None }
    }

    /// Refused with an ERR message carrying `code`.
    fn report(error: Error, code: ErrorCode) -> Self {
        Self {
            error,
            code: Some(code),
        }
    }
}

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        Self::silent(error)
    }
}

/// The timestamp value field of a T payload, without its TS type: what the
/// V MAC appends as `Timestamp` (RFC 3830 §5.2).
fn ts_field(ts: &TsValue) -> Vec<u8> {
    match *ts {
        TsValue::NtpUtc(v) | TsValue::Ntp(v) => v.to_be_bytes().to_vec(),
        TsValue::Counter(v) | TsValue::NtpUtc32(v) => v.to_be_bytes().to_vec(),
    }
}

/// The ID Data of the first ID payload and of the second one: by RFC 3830
/// §3.1's order, IDi then IDr (a lone ID payload is IDi, so an Initiator
/// sends IDr only after IDi).
fn ids(msg: &Message) -> (Option<&[u8]>, Option<&[u8]>) {
    let mut it = msg.payloads.iter().filter_map(|p| match p {
        Payload::Id(id) => Some(id.data.as_slice()),
        _ => None,
    });
    (it.next(), it.next())
}

fn id_payload(data: &[u8]) -> Payload {
    Payload::Id(Id {
        id_type: IdType::Uri,
        data: data.to_vec(),
    })
}

/// The message-protection keys of RFC 3830 §4.1.4 for one CSB.
fn message_keys(
    prf: Prf,
    psk: &[u8],
    csb_id: u32,
    rand: &[u8],
    enc: Encryption,
    mac: Mac,
) -> Result<ProtectionKeys, Error> {
    ProtectionKeys::derive(
        prf,
        psk,
        &MessageKeyLabel::Envelope { csb_id, rand },
        enc,
        mac,
    )
    .map_err(Error::from)
}

/// The crypto sessions of a PSK_INIT (RFC 3830 §4.1.3, §6.1.1), from its
/// header, SP payloads, RAND and decrypted key data. Shared by both ends so
/// they agree by construction; the known-answer test checks it against the
/// crypto module's own derivation.
fn derive_sessions(
    prf: Prf,
    msg: &Message,
    rand: &[u8],
    keys: &[KeyData],
) -> Result<Vec<CryptoSession>, Fail> {
    let CsIdMap::SrtpId(map) = &msg.header.cs_map else {
        return Err(Fail::report(
            Error::Unsupported("CS ID map other than SRTP-ID"),
            ErrorCode::Unspecified,
        ));
    };
    if map.is_empty() {
        return Err(Fail::report(
            Error::Policy("no crypto session"),
            ErrorCode::Unspecified,
        ));
    }
    let key = keys
        .iter()
        .find(|k| matches!(k.key_type, KeyType::Tgk | KeyType::Tek))
        .ok_or_else(|| Fail::report(Error::Missing("TGK or TEK"), ErrorCode::Unspecified))?;
    let mki = match &key.kv {
        KeyValidity::Spi(spi) if !spi.is_empty() => Some(spi.as_slice()),
        _ => None,
    };
    let sp_par = |e: Error| Fail::report(e, ErrorCode::InvalidSpPar);
    let mut out = Vec::with_capacity(map.len());
    for (i, cs) in map.iter().enumerate() {
        let cs_id = u8::try_from(i + 1).map_err(|_| {
            Fail::report(
                Error::Policy("more than 255 crypto sessions"),
                ErrorCode::Unspecified,
            )
        })?;
        let params = match msg.sp(cs.policy_no) {
            Some(sp) if sp.prot_type != PROT_SRTP => {
                return Err(Fail::report(
                    Error::Policy("security protocol other than SRTP"),
                    ErrorCode::InvalidSp,
                ))
            }
            Some(sp) => SrtpParams::from_sp(sp).map_err(sp_par)?,
            None => SrtpParams::default(),
        };
        let key_len = params.master_key_len();
        let label = TgkLabel::Rfc3830 {
            cs_id,
            csb_id: msg.header.csb_id,
            rand,
        };
        let inkey = key.key.expose_secret();
        let master: Zeroizing<Vec<u8>> = match key.key_type {
            KeyType::Tek => {
                if inkey.len() != key_len {
                    return Err(sp_par(Error::Policy(
                        "TEK length differs from the SP's encryption key length",
                    )));
                }
                Zeroizing::new(inkey.to_vec())
            }
            _ => Zeroizing::new(
                derive_from_tgk(prf, inkey, &label, KeyKind::Tek, key_len)
                    .map_err(|e| Fail::report(e.into(), ErrorCode::Unspecified))?
                    .expose_secret()
                    .to_vec(),
            ),
        };
        let salt: Zeroizing<Vec<u8>> = match &key.salt {
            Some(s) => Zeroizing::new(
                s.expose_secret()
                    .get(..SALT_LEN)
                    .ok_or_else(|| sp_par(Error::Policy("salt shorter than 14 bytes")))?
                    .to_vec(),
            ),
            None => Zeroizing::new(
                derive_from_tgk(prf, inkey, &label, KeyKind::Salt, SALT_LEN)
                    .map_err(|e| Fail::report(e.into(), ErrorCode::Unspecified))?
                    .expose_secret()
                    .to_vec(),
            ),
        };
        let policy = params.policy(&master, &salt, mki).map_err(sp_par)?;
        out.push(CryptoSession {
            cs_id,
            ssrc: cs.ssrc,
            roc: cs.roc,
            policy,
        });
    }
    Ok(out)
}

/// The exchange the Initiator has under way.
struct Pending {
    csb_id: u32,
    v_flag: bool,
    t: TsValue,
    idi: Vec<u8>,
    idr: Vec<u8>,
    keys: ProtectionKeys,
    sessions: Vec<CryptoSession>,
    verified: bool,
}

/// The Initiator of the pre-shared key exchange (RFC 3830 §3.1).
pub struct PskInitiator {
    psk: Psk,
    identity_i: Option<Vec<u8>>,
    identity_r: Option<Vec<u8>>,
    config: PskConfig,
    pending: Option<Pending>,
}

impl fmt::Debug for PskInitiator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskInitiator")
            .field("identity_i", &self.identity_i)
            .field("identity_r", &self.identity_r)
            .field("config", &self.config)
            .field("psk", &"[redacted]")
            .field("csb_id", &self.pending.as_ref().map(|p| p.csb_id))
            .finish_non_exhaustive()
    }
}

impl PskInitiator {
    /// An Initiator sharing `psk` with the Responder. `identity_i` and
    /// `identity_r`, when given, go into PSK_INIT as the IDi and IDr
    /// payloads (URI type); leave them out when the peer knows them from
    /// elsewhere (RFC 3830 §3.1).
    ///
    /// RFC 3830 ID payloads carry no role, so IDr can only follow IDi:
    /// `identity_r` without `identity_i` is refused.
    ///
    /// Errors: an empty PSK or one over 255 bytes; NULL encryption or MAC
    /// in `config`; `identity_r` without `identity_i`.
    pub fn new(
        psk: &[u8],
        identity_i: Option<&[u8]>,
        identity_r: Option<&[u8]>,
        config: PskConfig,
    ) -> Result<Self, Error> {
        if config.encryption == Encryption::Null || config.mac == Mac::Null {
            return Err(Error::Policy(
                "NULL KEMAC encryption or MAC in the PSK mode",
            ));
        }
        if identity_i.is_none() && identity_r.is_some() {
            return Err(Error::Policy("IDr can only be sent after IDi"));
        }
        for id in [identity_i, identity_r].into_iter().flatten() {
            if id.len() > usize::from(u16::MAX) {
                return Err(Error::Policy("identity longer than 65535 bytes"));
            }
        }
        Ok(Self {
            psk: psk_bytes(psk)?,
            identity_i: identity_i.map(<[u8]>::to_vec),
            identity_r: identity_r.map(<[u8]>::to_vec),
            config,
            pending: None,
        })
    }

    /// Builds PSK_INIT (RFC 3830 §3.1, §5.2) offering one crypto session per
    /// `(policy number, SSRC, ROC)` stream, in that order (CS IDs 1, 2, …),
    /// with one SP payload, number 0, selecting `srtp`. `want_verify` sets
    /// the V flag: the Responder then answers PSK_VERIFY.
    ///
    /// The exchange replaces any earlier one of this Initiator; its crypto
    /// sessions are available at once from [`PskInitiator::sessions`].
    /// Errors: no stream or more than 255; an encryption that cannot take
    /// the key data (AES-KW-128 needs multiples of 8 bytes).
    pub fn init(
        &mut self,
        streams: &[(u8, u32, u32)],
        srtp: SrtpParams,
        want_verify: bool,
        now: Duration,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, Error> {
        if streams.is_empty() || streams.len() > usize::from(u8::MAX) {
            return Err(Error::Policy("between 1 and 255 streams"));
        }
        let cfg = self.config;
        let csb_id = rng.next_u32();
        let rand: [u8; RAND_LEN] = wire::random(rng);
        let t = wire::ntp_now(now);
        let map = streams
            .iter()
            .map(|&(policy_no, ssrc, roc)| SrtpCs {
                policy_no,
                ssrc,
                roc,
            })
            .collect();
        let key_data = self.fresh_key(srtp, rng)?;
        let keys = message_keys(
            cfg.prf,
            self.psk.expose_secret(),
            csb_id,
            &rand,
            cfg.encryption,
            cfg.mac,
        )?;
        let mut plain = Zeroizing::new(Vec::new());
        KeyData::emit_chain(core::slice::from_ref(&key_data), &mut plain);
        let encr_data = keys.encrypt(csb_id, wire::iv_t(&t), &plain)?;
        if encr_data.len() > usize::from(u16::MAX) {
            return Err(Error::Policy("KEMAC data too long"));
        }
        let mac_len = keys.tag_len();
        let mut payloads = vec![
            wire::t(t),
            Payload::Rand(Rand {
                rand: rand.to_vec(),
            }),
        ];
        payloads.extend(self.identity_i.as_deref().map(id_payload));
        payloads.extend(self.identity_r.as_deref().map(id_payload));
        payloads.push(Payload::Sp(srtp.to_sp(0)));
        payloads.push(Payload::Kemac(Kemac {
            encr_alg: wire::encr_alg(cfg.encryption),
            encr_data,
            mac_alg: wire::mac_alg(cfg.mac),
            mac: vec![0; mac_len],
        }));
        let msg = Message {
            header: wire::header(
                DataType::PskInit,
                want_verify,
                cfg.prf,
                csb_id,
                CsIdMap::SrtpId(map),
            ),
            payloads,
        };
        let sessions = derive_sessions(cfg.prf, &msg, &rand, core::slice::from_ref(&key_data))
            .map_err(|f| f.error)?;
        let mut bytes = msg.to_bytes();
        let covered = bytes.len().saturating_sub(mac_len);
        let tag = keys.mac(bytes.get(..covered).unwrap_or_default());
        if let Some(slot) = bytes.get_mut(covered..) {
            slot.copy_from_slice(&tag);
        }
        self.pending = Some(Pending {
            csb_id,
            v_flag: want_verify,
            t,
            idi: self.identity_i.clone().unwrap_or_default(),
            idr: self.identity_r.clone().unwrap_or_default(),
            keys,
            sessions,
            verified: false,
        });
        Ok(bytes)
    }

    /// A fresh Key data sub-payload as the configuration asks.
    fn fresh_key(&self, srtp: SrtpParams, rng: &mut impl CryptoRngCore) -> Result<KeyData, Error> {
        let mut key = Zeroizing::new([0u8; 32]);
        let mut salt = Zeroizing::new([0u8; SALT_LEN]);
        rng.fill_bytes(&mut key[..]);
        rng.fill_bytes(&mut salt[..]);
        let (key_type, len, with_salt) = match self.config.key_material {
            KeyMaterial::Tgk => (KeyType::Tgk, TGK_LEN, false),
            KeyMaterial::TgkWithSalt => (KeyType::Tgk, TGK_LEN, true),
            KeyMaterial::TekWithSalt => (KeyType::Tek, srtp.master_key_len(), true),
        };
        let bad = |_| Error::Policy("key length");
        Ok(KeyData {
            key_type,
            key: KeyBytes::from_slice(key.get(..len).ok_or(Error::Policy("key length"))?)
                .map_err(bad)?,
            salt: if with_salt {
                Some(KeyBytes::from_slice(&salt[..]).map_err(bad)?)
            } else {
                None
            },
            kv: KeyValidity::Null,
        })
    }

    /// The crypto sessions of the last PSK_INIT (empty before the first).
    /// They hold from the moment PSK_INIT is sent; PSK_VERIFY, when asked
    /// for, only confirms that the Responder has them.
    #[must_use]
    pub fn sessions(&self) -> &[CryptoSession] {
        self.pending.as_ref().map_or(&[], |p| p.sessions.as_slice())
    }

    /// The CSB ID of the last PSK_INIT.
    #[must_use]
    pub fn csb_id(&self) -> Option<u32> {
        self.pending.as_ref().map(|p| p.csb_id)
    }

    /// Whether a PSK_VERIFY for the last PSK_INIT has verified.
    #[must_use]
    pub fn is_verified(&self) -> bool {
        self.pending.as_ref().is_some_and(|p| p.verified)
    }

    /// Checks PSK_VERIFY (RFC 3830 §3.1, §5.2) for the PSK_INIT sent with
    /// the V flag, and returns the crypto sessions it confirms.
    ///
    /// An ERR message gives [`Error::Peer`] with its code (it may be
    /// unauthenticated, so it changes nothing: RFC 3830 §5.1.2). Any refusal
    /// leaves the Initiator as it was. `now` is not consulted: PSK_VERIFY
    /// must carry the Initiator's own timestamp, which the V MAC covers.
    pub fn verify(&mut self, bytes: &[u8], _now: Duration) -> Result<Vec<CryptoSession>, Error> {
        let msg = Message::parse(bytes)?;
        wire::expect_type(&msg, DataType::PskVerify, "PSK_VERIFY expected")?;
        let pending = self
            .pending
            .as_mut()
            .ok_or(Error::State("no PSK_INIT sent"))?;
        if !pending.v_flag {
            return Err(Error::State("PSK_INIT did not ask for verification"));
        }
        if pending.verified {
            return Err(Error::State("PSK_VERIFY already received"));
        }
        if msg.header.csb_id != pending.csb_id {
            return Err(Error::Unexpected("PSK_VERIFY for another CSB"));
        }
        let v = wire::last_v(&msg.payloads)?;
        let t = wire::find_t(&msg.payloads).ok_or(Error::Missing("T"))?;
        let t_i = ts_field(&pending.t);
        wire::verify_v(bytes, v, &pending.keys, &[&pending.idi, &pending.idr, &t_i])?;
        if *t != pending.t {
            return Err(Error::Unexpected(
                "PSK_VERIFY does not carry the Initiator's timestamp",
            ));
        }
        pending.verified = true;
        Ok(pending.sessions.clone())
    }
}

/// What the Responder got from an accepted PSK_INIT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PskAccepted {
    /// The CSB ID of the exchange.
    pub csb_id: u32,
    /// One crypto session per SRTP-ID map entry, CS IDs from 1.
    pub sessions: Vec<CryptoSession>,
    /// PSK_VERIFY to send back, when the V flag asked for it.
    pub verify_message: Option<Vec<u8>>,
}

/// Why the Responder refused a PSK_INIT, and what (if anything) to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PskRefusal {
    /// Why.
    pub error: Error,
    /// An ERR message (RFC 3830 §5.1.2) to send back, for parameters the
    /// Responder does not support; `None` when the message did not
    /// authenticate, was stale or replayed, or could not be read.
    pub err_message: Option<Vec<u8>>,
}

/// The Responder of the pre-shared key exchange (RFC 3830 §3.1).
pub struct PskResponder {
    psk: Psk,
    identity_i: Option<Vec<u8>>,
    identity_r: Option<Vec<u8>>,
    config: PskConfig,
    replay: ReplayCache,
}

impl fmt::Debug for PskResponder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskResponder")
            .field("identity_i", &self.identity_i)
            .field("identity_r", &self.identity_r)
            .field("config", &self.config)
            .field("psk", &"[redacted]")
            .field("replay_cache", &self.replay.len())
            .finish()
    }
}

/// What the Responder knows once a PSK_INIT has authenticated.
struct Authenticated<'a> {
    keys: ProtectionKeys,
    t: &'a TsValue,
    idi: &'a [u8],
    idr: &'a [u8],
}

impl PskResponder {
    /// A Responder sharing `psk` with the Initiator. When `identity_i` is
    /// given, a PSK_INIT whose IDi names someone else is refused; when
    /// `identity_r` is given, one whose IDr names someone else is. The
    /// config's skew and replay capacity size the replay cache (RFC 3830
    /// §5.4).
    ///
    /// Errors: an empty PSK or one over 255 bytes.
    pub fn new(
        psk: &[u8],
        identity_i: Option<&[u8]>,
        identity_r: Option<&[u8]>,
        config: PskConfig,
    ) -> Result<Self, Error> {
        Ok(Self {
            psk: psk_bytes(psk)?,
            identity_i: identity_i.map(<[u8]>::to_vec),
            identity_r: identity_r.map(<[u8]>::to_vec),
            config,
            replay: ReplayCache::new(config.skew, config.replay_capacity),
        })
    }

    /// Messages in the replay cache.
    #[must_use]
    pub fn replay_cache_len(&self) -> usize {
        self.replay.len()
    }

    /// Processes a PSK_INIT (RFC 3830 §5.3): checks its data type, its
    /// timestamp against the skew and the replay cache, its MAC (in
    /// constant time), then decrypts the KEMAC and derives the crypto
    /// sessions. Only an accepted message enters the replay cache; a
    /// refused one changes nothing.
    pub fn receive(&mut self, bytes: &[u8], now: Duration) -> Result<PskAccepted, PskRefusal> {
        let msg = Message::parse(bytes).map_err(|e| PskRefusal {
            error: e.into(),
            err_message: None,
        })?;
        let mut auth = None;
        match self.process(bytes, &msg, now, &mut auth) {
            Ok(accepted) => Ok(accepted),
            Err(fail) => {
                let err_message = fail
                    .code
                    .map(|code| err_message(&msg, code, now, auth.as_ref()));
                Err(PskRefusal {
                    error: fail.error,
                    err_message,
                })
            }
        }
    }

    fn process<'m>(
        &mut self,
        bytes: &[u8],
        msg: &'m Message,
        now: Duration,
        auth: &mut Option<Authenticated<'m>>,
    ) -> Result<PskAccepted, Fail> {
        let h = &msg.header;
        match h.data_type {
            DataType::PskInit => {}
            // Never answer an error with an error.
            DataType::Error => {
                return Err(Fail::silent(Error::Peer(
                    msg.err().map_or(ErrorCode::Unspecified, |e| e.code),
                )))
            }
            _ => {
                return Err(Fail::report(
                    Error::Unexpected("PSK_INIT expected"),
                    ErrorCode::InvalidDt,
                ))
            }
        }
        if h.version != 1 {
            return Err(Fail::report(
                Error::Unsupported("MIKEY version"),
                ErrorCode::Unspecified,
            ));
        }
        let prf = wire::prf_of(&h.prf).map_err(|e| Fail::report(e, ErrorCode::InvalidPrf))?;
        let p = &msg.payloads;
        let t = wire::find_t(p).ok_or(Error::Missing("T"))?;
        let rand = msg.rand().ok_or(Error::Missing("RAND"))?;
        if rand.rand.len() < RAND_LEN {
            return Err(Error::Policy("RAND shorter than 128 bits").into());
        }
        let Some(Payload::Kemac(kemac)) = p.last() else {
            return Err(Error::Missing("KEMAC (last)").into());
        };
        let mac = match wire::mac_of(&kemac.mac_alg) {
            Ok(mac) => mac,
            Err(_) => {
                return Err(Fail::report(
                    Error::Unsupported("NULL MAC"),
                    ErrorCode::InvalidMac,
                ))
            }
        };
        let (idi, idr) = ids(msg);
        let names_other = |got: Option<&[u8]>, want: &Option<Vec<u8>>| matches!((got, want), (Some(g), Some(w)) if g != w.as_slice());
        if names_other(idi, &self.identity_i) {
            return Err(Error::AuthFailure("IDi names another party").into());
        }
        if names_other(idr, &self.identity_r) {
            return Err(Error::AuthFailure("IDr names another party").into());
        }
        // Freshness first (cheap, changes nothing), then the MAC.
        let ts = wire::ts_value(t);
        self.replay
            .check(now, ts, &kemac.mac)
            .map_err(Error::from)?;
        let enc = wire::encryption_of(&kemac.encr_alg)
            .ok()
            .filter(|e| *e != Encryption::Null);
        let keys = message_keys(
            prf,
            self.psk.expose_secret(),
            h.csb_id,
            &rand.rand,
            enc.unwrap_or(Encryption::Null),
            mac,
        )?;
        let covered = bytes
            .len()
            .checked_sub(kemac.mac.len())
            .and_then(|n| bytes.get(..n))
            .ok_or(Error::Missing("MAC"))?;
        if !bytes.ends_with(&kemac.mac) {
            return Err(Error::AuthFailure("KEMAC is not the last payload").into());
        }
        keys.verify(covered, &kemac.mac)
            .map_err(|_| Error::AuthFailure("MAC does not verify"))?;
        *auth = Some(Authenticated {
            keys: keys.clone(),
            t,
            idi: idi.unwrap_or_default(),
            idr: idr.unwrap_or_default(),
        });

        // Authenticated: what we do not support is now worth an ERR.
        if enc.is_none() {
            return Err(Fail::report(
                Error::Unsupported("KEMAC encryption algorithm"),
                ErrorCode::InvalidEa,
            ));
        }
        let plain = keys
            .decrypt(h.csb_id, wire::iv_t(t), &kemac.encr_data)
            .map_err(|e| Fail::report(e.into(), ErrorCode::Unspecified))?;
        let key_data = KeyData::parse_chain(&plain)
            .map_err(|e| Fail::report(e.into(), ErrorCode::Unspecified))?;
        let sessions = derive_sessions(prf, msg, &rand.rand, &key_data)?;
        let verify_message = h.v_flag.then(|| verify_message(msg, &keys, t, idi, idr));
        self.replay
            .insert(now, ts, &kemac.mac)
            .map_err(Error::from)?;
        Ok(PskAccepted {
            csb_id: h.csb_id,
            sessions,
            verify_message,
        })
    }
}

/// PSK_VERIFY (RFC 3830 §3.1): HDR, T (the Initiator's), [IDi], [IDr], V
/// with the MAC over the message, then `Identity_i || Identity_r || T_i`.
fn verify_message(
    init: &Message,
    keys: &ProtectionKeys,
    t: &TsValue,
    idi: Option<&[u8]>,
    idr: Option<&[u8]>,
) -> Vec<u8> {
    let h = &init.header;
    let mut payloads = vec![wire::t(*t)];
    payloads.extend(idi.map(id_payload));
    payloads.extend(idr.map(id_payload));
    let msg = Message {
        header: Header {
            version: h.version,
            data_type: DataType::PskVerify,
            v_flag: false,
            prf: h.prf,
            csb_id: h.csb_id,
            cs_map: h.cs_map.clone(),
        },
        payloads,
    };
    let t_i = ts_field(t);
    wire::emit_with_v(
        msg,
        keys,
        &[idi.unwrap_or_default(), idr.unwrap_or_default(), &t_i],
    )
}

/// An ERR message answering `to` (RFC 3830 §5.1.2): HDR, T, ERR, {SP},
/// [V]. T is the Initiator's when it had one. SP errors carry the SP this
/// Responder supports; with `auth` (the message authenticated) a V payload
/// covered as PSK_VERIFY's.
fn err_message(
    to: &Message,
    code: ErrorCode,
    now: Duration,
    auth: Option<&Authenticated<'_>>,
) -> Vec<u8> {
    let h = &to.header;
    let t = wire::find_t(&to.payloads)
        .copied()
        .unwrap_or_else(|| wire::ntp_now(now));
    let mut payloads = vec![wire::t(t), Payload::Err(ErrorPayload { code, reserved: 0 })];
    if matches!(code, ErrorCode::InvalidSp | ErrorCode::InvalidSpPar) {
        payloads.push(Payload::Sp(SrtpParams::default().to_sp(0)));
    }
    let msg = Message {
        header: Header {
            version: 1,
            data_type: DataType::Error,
            v_flag: false,
            prf: h.prf,
            csb_id: h.csb_id,
            cs_map: h.cs_map.clone(),
        },
        payloads,
    };
    match auth {
        Some(a) => {
            let t_i = ts_field(a.t);
            wire::emit_with_v(msg, &a.keys, &[a.idi, a.idr, &t_i])
        }
        None => msg.to_bytes(),
    }
}
