//! The client (UE) side: pick the challenge to answer
//! ([`select_challenge`]), then answer it with credentials (RFC 3310 §3.3),
//! report a synchronisation failure with AUTS (§3.4), or report that the
//! network failed to authenticate (TS 24.229 §5.1.1.5.3).
//!
//! The caller decodes the nonce ([`Challenge::aka_nonce`] with its
//! algorithm's MAC length), runs the ISIM
//! ([`crate::usim::Usim::authenticate`]) on its RAND and AUTN, and hands the
//! outcome here: [`respond`] on success, [`respond_sync_failure`] on
//! [`Failure::Sync`](crate::usim::Failure::Sync), [`respond_mac_failure`] on
//! [`Failure::Mac`](crate::usim::Failure::Mac).

use alloc::string::String;

use super::algorithm::{AkaVersion, Algorithm, HashAlgorithm};
use super::challenge::Challenge;
use super::credentials::Credentials;
use super::params::Qop;
use super::response::{aka_password, request_digest, AkaKeys};
use super::DigestError;
use crate::types::Auts;

/// Which qop to use when the challenge offers both `auth` and `auth-int`.
/// When only one of them is offered, that one is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QopPreference {
    /// `auth` (the default): the body is not covered; in IMS, sec-agree's
    /// IPsec protects the messages that follow.
    #[default]
    Auth,
    /// `auth-int`: the digest also covers the message body.
    AuthInt,
}

/// The request being authorised, and the client's choices for it.
#[derive(Debug, Clone, Copy)]
pub struct ClientRequest<'a> {
    /// The username (in IMS, the private user identity).
    pub username: &'a str,
    /// The request's method, such as `REGISTER`.
    pub method: &'a str,
    /// The Request-URI, sent as `uri`.
    pub uri: &'a str,
    /// The message body (used by `auth-int` only).
    pub body: &'a [u8],
    /// A fresh client nonce (sent with qop, so in every answer with a response).
    pub cnonce: &'a str,
    /// How many requests, this one included, used this nonce (1 for the first).
    pub nc: u32,
    /// The qop to prefer.
    pub qop: QopPreference,
}

/// Picks the challenge to answer among those of one 401 or 407 response,
/// given in the order of their header fields.
///
/// The first challenge the client supports wins (RFC 8760 §2.4: "the
/// topmost header field that it supports"; challenges it does not
/// understand are ignored), except that an AKAv2 challenge wins over AKAv1
/// wherever it stands (RFC 4169 §4.1: the user agent "MUST choose AKAv2 if
/// both AKAv1 and AKAv2 are present"). Supported means an AKA algorithm with
/// a hash we implement, and either no qop or `auth` or `auth-int` among
/// those offered. `None` when nothing is supported: RFC 8760 §2.4 then says
/// to abandon the request.
#[must_use]
pub fn select_challenge(challenges: &[Challenge]) -> Option<&Challenge> {
    let supported = || challenges.iter().filter(|c| is_supported(c));
    supported()
        .find(|c| c.effective_algorithm().aka_version() == Some(AkaVersion::V2))
        .or_else(|| supported().next())
}

fn is_supported(challenge: &Challenge) -> bool {
    aka_hash(challenge.effective_algorithm()).is_ok()
        && choose_qop(&challenge.qop, QopPreference::Auth).is_ok()
}

/// Answers a challenge after the ISIM accepted its AUTN: the password is
/// made from RES (AKAv1) or RES, IK and CK (AKAv2).
///
/// The credentials always carry qop, nc and cnonce: a challenge without qop
/// is answered with `qop=auth` (RFC 8760 §2.6 item 8: absent qop means
/// `auth`, and 'a UAC MUST send the "qop" parameter').
///
/// Errors if the challenge's algorithm is not AKA with a hash we implement,
/// or if it offers qop values but neither `auth` nor `auth-int`.
pub fn respond(
    challenge: &Challenge,
    request: &ClientRequest<'_>,
    keys: &AkaKeys<'_>,
) -> Result<Credentials, DigestError> {
    let hash = aka_hash(challenge.effective_algorithm())?;
    let password = aka_password(challenge.effective_algorithm(), keys)?;
    build(challenge, request, hash, &password)
}

/// Answers a challenge whose SQN the ISIM refused: the credentials carry
/// `auts` = base64(AUTS) and a response computed with the empty password
/// (RFC 3310 §3.4: with `auts` "the client MUST calculate its credentials
/// using an empty password").
///
/// The same holds for AKAv2: RFC 4169 does not mention AUTS, but its §2
/// makes Digest AKAv2 "identical to the Digest AKAv1 operation" except for
/// what it specifies, and its only change to the response (§2.1) is the
/// password made from RES, which a synchronisation failure does not have.
pub fn respond_sync_failure(
    challenge: &Challenge,
    request: &ClientRequest<'_>,
    auts: &Auts,
) -> Result<Credentials, DigestError> {
    let hash = aka_hash(challenge.effective_algorithm())?;
    let mut credentials = build(challenge, request, hash, b"")?;
    credentials.set_auts(auts);
    Ok(credentials)
}

/// Reports that the ISIM refused the challenge's AUTN because MAC-A is
/// wrong ([`Failure::Mac`](crate::usim::Failure::Mac)): the network failed
/// to authenticate itself.
///
/// TS 24.229 §5.1.1.5.3 (abnormal cases): "in the case where the UE deems
/// the MAC parameter to be invalid the subsequent REGISTER request shall
/// contain no "auts" Authorization header field parameter and an empty
/// "response" Authorization header field parameter, i.e. no
/// authentication challenge response". So the credentials carry the
/// username and uri of `request`, the challenge's realm and nonce (which
/// tell the S-CSCF which challenge failed), its algorithm and opaque
/// echoed as in any answer (RFC 2617 §3.2.2), an empty response, and no
/// auts, qop, nc or cnonce, since no digest is computed.
///
/// Errors if the challenge's algorithm is not AKA with a hash we implement.
pub fn respond_mac_failure(
    challenge: &Challenge,
    request: &ClientRequest<'_>,
) -> Result<Credentials, DigestError> {
    aka_hash(challenge.effective_algorithm())?;
    Ok(echo(challenge, request))
}

/// Credentials for `request` that echo the challenge's realm, nonce,
/// algorithm and opaque (RFC 2617 §3.2.2), with an empty response.
fn echo(challenge: &Challenge, request: &ClientRequest<'_>) -> Credentials {
    let mut credentials = Credentials::new(
        request.username,
        challenge.realm.clone(),
        challenge.nonce.clone(),
        request.uri,
        String::new(),
    );
    credentials.algorithm.clone_from(&challenge.algorithm);
    credentials.opaque.clone_from(&challenge.opaque);
    credentials
}

/// The hash of an AKA algorithm; anything else cannot be answered here.
pub(super) fn aka_hash(algorithm: &Algorithm) -> Result<HashAlgorithm, DigestError> {
    match (algorithm.aka_version(), algorithm.hash()) {
        (Some(_), Some(hash)) => Ok(hash),
        _ => Err(DigestError::NotAka(algorithm.clone())),
    }
}

/// The qop to use: `auth` when none is offered (RFC 8760 §2.6 item 8: 'If
/// the "qop" parameter is not specified, then the default value is
/// "auth"'), else the preferred one if offered, else the other known one.
fn choose_qop(offered: &[Qop], preference: QopPreference) -> Result<Qop, DigestError> {
    if offered.is_empty() {
        return Ok(Qop::Auth);
    }
    let (first, second) = match preference {
        QopPreference::Auth => (Qop::Auth, Qop::AuthInt),
        QopPreference::AuthInt => (Qop::AuthInt, Qop::Auth),
    };
    [first, second]
        .into_iter()
        .find(|qop| offered.contains(qop))
        .ok_or(DigestError::NoSupportedQop)
}

fn build(
    challenge: &Challenge,
    request: &ClientRequest<'_>,
    hash: HashAlgorithm,
    password: &[u8],
) -> Result<Credentials, DigestError> {
    let qop = choose_qop(&challenge.qop, request.qop)?;
    let mut credentials = echo(challenge, request);
    // RFC 2617 §3.2.2: cnonce and nc are sent exactly when qop is, which
    // RFC 8760 makes always.
    credentials.cnonce = Some(request.cnonce.into());
    credentials.nc = Some(request.nc);
    credentials.qop = Some(qop);
    credentials.response =
        request_digest(hash, &credentials, password, request.method, request.body)?;
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_is_preferred_unless_asked_otherwise() {
        let both = [Qop::AuthInt, Qop::Auth];
        assert_eq!(choose_qop(&both, QopPreference::Auth), Ok(Qop::Auth));
        assert_eq!(choose_qop(&both, QopPreference::AuthInt), Ok(Qop::AuthInt));
        assert_eq!(
            choose_qop(&[Qop::AuthInt], QopPreference::Auth),
            Ok(Qop::AuthInt)
        );
        // RFC 8760 §2.6 item 8: no qop offered means auth.
        assert_eq!(choose_qop(&[], QopPreference::AuthInt), Ok(Qop::Auth));
        assert_eq!(
            choose_qop(&[Qop::Other("auth-conf".into())], QopPreference::Auth),
            Err(DigestError::NoSupportedQop)
        );
    }
}
