//! SDES offer/answer for one unicast media stream (RFC 4568 §5.1, §7.1):
//! the offerer lists crypto lines in preference order, each with a fresh
//! key; the answerer accepts the first acceptable line, echoing its tag and
//! suite with its own key; each side then sends with its own key and
//! receives with the other's.
//!
//! ```
//! use rand::rngs::OsRng;
//! use srtp_sdes::offer_answer::{answer, Offerer, SdesConfig};
//!
//! let config = SdesConfig::default();
//! let offerer = Offerer::new(config.clone(), &mut OsRng).unwrap();
//! let offer = offerer.offer();                    // a=crypto lines for the SDP offer
//! let (answer_line, at_answerer) = answer(&offer, &config, &mut OsRng).unwrap();
//! let at_offerer = offerer.accept_answer(&answer_line).unwrap();
//! assert_eq!(at_offerer.send, at_answerer.receive);
//! assert_eq!(at_offerer.receive, at_answerer.send);
//! ```
//!
//! Parameter rules (RFC 4568 §6.3): `UNENCRYPTED_SRTP`, `UNENCRYPTED_SRTCP`
//! and `UNAUTHENTICATED_SRTP` are negotiated: the answer echoes them and
//! they apply to both directions. `KDR`, `WSH` and `FEC_ORDER` are
//! declarative: each applies to the media of the side that wrote it (`WSH`
//! is a hint to the receiver of that media). `FEC_KEY` (a separate FEC
//! stream) and unknown mandatory extensions are refused; optional (`-`)
//! extensions are ignored.

use alloc::vec::Vec;

use rand_core::CryptoRngCore;
use zeroize::Zeroize as _;

use crate::policy::Policy;
use crate::sdes::{
    CryptoAttribute, InlineKey, KeyParam, Lifetime, MkiField, SdesError, SessionParam, Suite,
    MAX_INLINE_KEY_SALT_LEN,
};
use crate::suite::CryptoSuite;

/// What one side offers and accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdesConfig {
    /// The suites, most preferred first (RFC 4568 §5.1.1: stronger first).
    /// The offerer writes one line per suite; the answerer accepts only these.
    pub suites: Vec<CryptoSuite>,
    /// The MKI length (bytes, 1 to 128) to key packets with, or `None` for
    /// no MKI. Our key gets MKI value 1.
    pub mki_len: Option<u8>,
    /// The lifetime to advertise with our key, if any.
    pub lifetime: Option<Lifetime>,
    /// `KDR=n` to declare for our media (RFC 4568 §6.3.1).
    pub kdr: Option<u8>,
    /// `WSH=n` to declare: the replay window we ask the peer to use for our
    /// media (RFC 4568 §6.3.6).
    pub wsh: Option<u32>,
    /// Offer `UNENCRYPTED_SRTP` (RFC 4568 §6.3.2).
    pub unencrypted_srtp: bool,
    /// Offer `UNENCRYPTED_SRTCP` (RFC 4568 §6.3.2).
    pub unencrypted_srtcp: bool,
    /// Offer `UNAUTHENTICATED_SRTP` (RFC 4568 §6.3.3; NOT RECOMMENDED).
    pub unauthenticated_srtp: bool,
    /// Accept the peer's requests to switch services off (`UNENCRYPTED_*`,
    /// `UNAUTHENTICATED_SRTP`) that we did not offer ourselves. Off by
    /// default: RFC 4568 §7.1.2 and §7.1.3 let policy refuse them.
    pub allow_weakened: bool,
}

impl Default for SdesConfig {
    /// Every suite the engine runs, strongest first; no MKI, no lifetime,
    /// no session parameters, weakened services refused.
    fn default() -> Self {
        Self {
            suites: CryptoSuite::ALL
                .into_iter()
                .filter(|s| s.is_supported())
                .collect(),
            mki_len: None,
            lifetime: None,
            kdr: None,
            wsh: None,
            unencrypted_srtp: false,
            unencrypted_srtcp: false,
            unauthenticated_srtp: false,
            allow_weakened: false,
        }
    }
}

impl SdesConfig {
    /// The negotiated parameters this side asks for.
    fn negotiated_params(&self) -> Vec<SessionParam> {
        let mut params = Vec::new();
        if self.unencrypted_srtp {
            params.push(SessionParam::UnencryptedSrtp);
        }
        if self.unencrypted_srtcp {
            params.push(SessionParam::UnencryptedSrtcp);
        }
        if self.unauthenticated_srtp {
            params.push(SessionParam::UnauthenticatedSrtp);
        }
        params
    }

    /// The declarative parameters this side writes about its own media.
    fn declarative_params(&self) -> Vec<SessionParam> {
        let mut params = Vec::new();
        if let Some(n) = self.kdr {
            params.push(SessionParam::Kdr(n));
        }
        if let Some(n) = self.wsh {
            params.push(SessionParam::Wsh(n));
        }
        params
    }
}

/// The outcome of a negotiation, for one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The tag of the accepted line.
    pub tag: u32,
    /// The suite, the same both ways (RFC 4568 §5.1.2).
    pub suite: CryptoSuite,
    /// What this side protects its media with: its own key.
    pub send: Policy,
    /// What this side unprotects the peer's media with: the peer's key.
    pub receive: Policy,
}

/// Why an offer could not be made, answered, or its answer accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NegotiationError {
    /// The configuration cannot be offered (no suite, or a bad parameter).
    #[error("invalid SDES configuration: {0}")]
    Config(&'static str),
    /// The answer's tag names no offered line (RFC 4568 §5.1.3).
    #[error("the answer's tag {0} was not offered")]
    TagNotOffered(u32),
    /// The answer changed the suite of the line its tag names (RFC 4568 §5.1.3).
    #[error("the answer's suite {answered} is not the offered {offered}")]
    SuiteChanged {
        /// The suite offered under the tag.
        offered: CryptoSuite,
        /// The suite in the answer.
        answered: Suite,
    },
    /// A session parameter this side does not support or will not honour
    /// (RFC 4568 §6.3.7, §7.1.2, §7.1.3).
    #[error("session parameter {0} refused")]
    ParamRefused(alloc::string::String),
    /// A negotiated parameter of the offer is missing from the answer
    /// (RFC 4568 §5.1.3).
    #[error("the answer omits the negotiated parameter {0}")]
    ParamMissing(alloc::string::String),
    /// The answer reuses an offered key (RFC 4568 §7.1.2: the answer's keys
    /// MUST differ from the offer's).
    #[error("the answer reuses an offered master key")]
    KeyReused,
    /// No offered line is valid and acceptable: the stream must be rejected
    /// (RFC 4568 §5.1.2, §7.1.2).
    #[error("no acceptable crypto line in the offer")]
    NoAcceptableLine,
    /// The line is not a valid SRTP security description.
    #[error(transparent)]
    Sdes(#[from] SdesError),
}

/// The offerer of one media stream: its crypto lines and keys.
///
/// Accepting an answer does not change the offerer, so several answers to
/// one offer (SIP forking, RFC 4568 §7.3) can each be accepted.
#[derive(Debug, Clone)]
pub struct Offerer {
    config: SdesConfig,
    lines: Vec<CryptoAttribute>,
}

impl Offerer {
    /// Builds the offer: one line per configured suite, tags 1, 2, … in
    /// preference order, each with a fresh random key (RFC 4568 §5.1.1,
    /// §6.1: keys unique in the SDP) and the configured MKI, lifetime and
    /// session parameters.
    pub fn new(config: SdesConfig, rng: &mut impl CryptoRngCore) -> Result<Self, NegotiationError> {
        if config.suites.is_empty() {
            return Err(NegotiationError::Config("no crypto suite"));
        }
        check_config(&config)?;
        let mut lines = Vec::with_capacity(config.suites.len());
        for (tag, suite) in (1u32..).zip(config.suites.iter().copied()) {
            let key = fresh_key(suite, config.mki_len, config.lifetime, rng)?;
            let mut session_params = config.declarative_params();
            session_params.extend(config.negotiated_params());
            lines.push(CryptoAttribute {
                tag,
                suite: Suite::Known(suite),
                key_params: alloc::vec![KeyParam::Inline(key)],
                session_params,
            });
        }
        Ok(Self { config, lines })
    }

    /// The `a=crypto` attributes to put on the media line, in order.
    #[must_use]
    pub fn offer(&self) -> Vec<CryptoAttribute> {
        self.lines.clone()
    }

    /// Checks the answer's crypto line and gives the policies: the tag must
    /// be offered and its suite unchanged (RFC 4568 §5.1.3, §7.1.3), every
    /// negotiated parameter of the offer echoed, any other parameter one we
    /// honour, and the keys `inline` and new. Refusal changes nothing.
    pub fn accept_answer(&self, answer: &CryptoAttribute) -> Result<Negotiated, NegotiationError> {
        let offered = self
            .lines
            .iter()
            .find(|line| line.tag == answer.tag)
            .ok_or(NegotiationError::TagNotOffered(answer.tag))?;
        let suite = offered
            .suite
            .known()
            .ok_or(NegotiationError::NoAcceptableLine)?;
        if answer.suite != Suite::Known(suite) {
            return Err(NegotiationError::SuiteChanged {
                offered: suite,
                answered: answer.suite.clone(),
            });
        }
        check_params(answer, &self.config, &offered.session_params)?;
        for param in offered.session_params.iter().filter(|p| p.is_negotiated()) {
            if !answer.has_param(param) {
                return Err(NegotiationError::ParamMissing(alloc::format!("{param}")));
            }
        }
        let offered_keys: Vec<&InlineKey> = offered.inline_keys().collect();
        if answer
            .inline_keys()
            .any(|a| offered_keys.iter().any(|o| o == &a))
        {
            return Err(NegotiationError::KeyReused);
        }
        let receive = answer.policy()?;
        let mut send = offered.policy()?;
        apply_negotiated(&mut send, answer);
        Ok(Negotiated {
            tag: answer.tag,
            suite,
            send,
            receive,
        })
    }
}

/// Answers an offer: accepts the first line (in offer order, RFC 4568
/// §5.1.2) whose suite is configured, whose keys are valid `inline` keys,
/// and whose session parameters are all acceptable; echoes its tag and
/// suite with a fresh key of our own. The answer's MKI length is the
/// offer's when it uses MKIs, else the configured one; its lifetime is the
/// configured one, else the offer's. Negotiated parameters are echoed; our
/// own `KDR` and `WSH` are declared.
///
/// Errors with [`NegotiationError::NoAcceptableLine`] when no line can be
/// accepted: the stream must then be rejected.
pub fn answer(
    offered: &[CryptoAttribute],
    config: &SdesConfig,
    rng: &mut impl CryptoRngCore,
) -> Result<(CryptoAttribute, Negotiated), NegotiationError> {
    check_config(config)?;
    let line = offered
        .iter()
        .find(|line| acceptable(line, config))
        .ok_or(NegotiationError::NoAcceptableLine)?;
    let suite = line
        .suite
        .known()
        .ok_or(NegotiationError::NoAcceptableLine)?;
    let offered_mki = line.inline_keys().find_map(|k| k.mki).map(MkiField::length);
    let offered_lifetime = line.inline_keys().find_map(|k| k.lifetime);
    let key = fresh_key(
        suite,
        offered_mki.or(config.mki_len),
        config.lifetime.or(offered_lifetime),
        rng,
    )?;
    let mut session_params: Vec<SessionParam> = config.declarative_params();
    session_params.extend(
        line.session_params
            .iter()
            .filter(|p| p.is_negotiated())
            .cloned(),
    );
    let attr = CryptoAttribute {
        tag: line.tag,
        suite: Suite::Known(suite),
        key_params: alloc::vec![KeyParam::Inline(key)],
        session_params,
    };
    let send = attr.policy()?;
    let mut receive = line.policy()?;
    apply_negotiated(&mut receive, &attr);
    let negotiated = Negotiated {
        tag: line.tag,
        suite,
        send,
        receive,
    };
    Ok((attr, negotiated))
}

fn check_config(config: &SdesConfig) -> Result<(), NegotiationError> {
    if config
        .mki_len
        .is_some_and(|l| l == 0 || usize::from(l) > crate::policy::MAX_MKI_LEN)
    {
        return Err(NegotiationError::Config("MKI length must be 1 to 128"));
    }
    if config.kdr.is_some_and(|n| n > crate::sdes::MAX_KDR) {
        return Err(NegotiationError::Config("KDR must be 0 to 24"));
    }
    if config.wsh.is_some_and(|n| n < crate::sdes::MIN_WSH) {
        return Err(NegotiationError::Config("WSH must be at least 64"));
    }
    let max = CryptoSuite::AesCm128HmacSha1_80.max_srtp_lifetime();
    if config.lifetime.is_some_and(|l| {
        l.packets() == 0 || l.packets() > max || matches!(l, Lifetime::PowerOfTwo(n) if n > 48)
    }) {
        return Err(NegotiationError::Config(
            "lifetime must be 1 to 2^48 packets",
        ));
    }
    Ok(())
}

/// Whether the answerer can accept this offered line (RFC 4568 §7.1.2).
fn acceptable(line: &CryptoAttribute, config: &SdesConfig) -> bool {
    let Some(suite) = line.suite.known() else {
        return false;
    };
    config.suites.contains(&suite)
        && !line.key_params.is_empty()
        && line
            .key_params
            .iter()
            .all(|k| matches!(k, KeyParam::Inline(_)))
        && check_params(line, config, &config.negotiated_params()).is_ok()
        && line.policy().is_ok()
}

/// Whether every session parameter of a received line is one we support
/// and honour. Negotiated parameters in `ours` are always honoured; others
/// only with `allow_weakened`.
fn check_params(
    line: &CryptoAttribute,
    config: &SdesConfig,
    ours: &[SessionParam],
) -> Result<(), NegotiationError> {
    for param in &line.session_params {
        let refused = match param {
            SessionParam::Kdr(_) | SessionParam::Wsh(_) | SessionParam::FecOrder(_) => false,
            // We key no separate FEC stream (RFC 4568 §6.3.5).
            SessionParam::FecKey(_) => true,
            SessionParam::UnencryptedSrtp
            | SessionParam::UnencryptedSrtcp
            | SessionParam::UnauthenticatedSrtp => !config.allow_weakened && !ours.contains(param),
            // RFC 4568 §6.3.7: unknown without "-" makes the line invalid.
            SessionParam::Extension(_) => param.is_mandatory_extension(),
        };
        if refused {
            return Err(NegotiationError::ParamRefused(alloc::format!("{param}")));
        }
    }
    Ok(())
}

/// Applies the negotiated parameters of `answer` to `policy` (they hold
/// in both directions, RFC 4568 §4.4, §6.3.2, §6.3.3).
fn apply_negotiated(policy: &mut Policy, answer: &CryptoAttribute) {
    policy.encrypt_rtp = !answer.has_param(&SessionParam::UnencryptedSrtp);
    policy.encrypt_rtcp = !answer.has_param(&SessionParam::UnencryptedSrtcp);
    policy.authenticate_rtp = !answer.has_param(&SessionParam::UnauthenticatedSrtp);
}

/// A fresh random key ‖ salt for `suite`, with MKI value 1 of `mki_len`
/// bytes and the lifetime.
fn fresh_key(
    suite: CryptoSuite,
    mki_len: Option<u8>,
    lifetime: Option<Lifetime>,
    rng: &mut impl CryptoRngCore,
) -> Result<InlineKey, NegotiationError> {
    let mut buf = [0u8; MAX_INLINE_KEY_SALT_LEN];
    let bytes = buf
        .get_mut(..suite.key_salt_len())
        .ok_or(NegotiationError::Config("suite key longer than supported"))?;
    rng.fill_bytes(bytes);
    let key = InlineKey::new(bytes);
    buf.zeroize();
    let mut key = key?;
    key.lifetime = lifetime;
    if let Some(len) = mki_len {
        key = key.with_mki(MkiField::new(1, len)?);
    }
    Ok(key)
}
