//! The client (UE) side: answer a Digest AKA challenge with credentials
//! (RFC 3310 §3.3), or report a synchronisation failure with AUTS (§3.4).
//!
//! The caller decodes the nonce ([`Challenge::aka_nonce`]), runs the ISIM
//! ([`crate::usim::Usim::authenticate`]) on its RAND and AUTN, and hands the
//! outcome here.

use alloc::string::String;

use super::algorithm::{Algorithm, HashAlgorithm};
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
    /// A fresh client nonce (sent only when the challenge offers qop).
    pub cnonce: &'a str,
    /// How many requests, this one included, used this nonce (1 for the first).
    pub nc: u32,
    /// The qop to prefer.
    pub qop: QopPreference,
}

/// Answers a challenge after the ISIM accepted its AUTN: the password is
/// made from RES (AKAv1) or RES, IK and CK (AKAv2).
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
/// (RFC 3310 §3.4; the same for AKAv2, RFC 4169 §2).
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

/// The hash of an AKA algorithm; anything else cannot be answered here.
pub(super) fn aka_hash(algorithm: &Algorithm) -> Result<HashAlgorithm, DigestError> {
    match (algorithm.aka_version(), algorithm.hash()) {
        (Some(_), Some(hash)) => Ok(hash),
        _ => Err(DigestError::NotAka(algorithm.clone())),
    }
}

/// The qop to use: none when none is offered (the RFC 2069 form), else the
/// preferred one if offered, else the other known one.
fn choose_qop(offered: &[Qop], preference: QopPreference) -> Result<Option<Qop>, DigestError> {
    if offered.is_empty() {
        return Ok(None);
    }
    let (first, second) = match preference {
        QopPreference::Auth => (Qop::Auth, Qop::AuthInt),
        QopPreference::AuthInt => (Qop::AuthInt, Qop::Auth),
    };
    [first, second]
        .into_iter()
        .find(|qop| offered.contains(qop))
        .map(Some)
        .ok_or(DigestError::NoSupportedQop)
}

fn build(
    challenge: &Challenge,
    request: &ClientRequest<'_>,
    hash: HashAlgorithm,
    password: &[u8],
) -> Result<Credentials, DigestError> {
    let qop = choose_qop(&challenge.qop, request.qop)?;
    let mut credentials = Credentials::new(
        request.username,
        challenge.realm.clone(),
        challenge.nonce.clone(),
        request.uri,
        String::new(),
    );
    // RFC 2617 §3.2.2: algorithm and opaque are those of the challenge; cnonce
    // and nc are sent exactly when qop is.
    credentials.algorithm.clone_from(&challenge.algorithm);
    credentials.opaque.clone_from(&challenge.opaque);
    if qop.is_some() {
        credentials.cnonce = Some(request.cnonce.into());
        credentials.nc = Some(request.nc);
    }
    credentials.qop = qop;
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
        assert_eq!(choose_qop(&both, QopPreference::Auth), Ok(Some(Qop::Auth)));
        assert_eq!(
            choose_qop(&both, QopPreference::AuthInt),
            Ok(Some(Qop::AuthInt))
        );
        assert_eq!(
            choose_qop(&[Qop::AuthInt], QopPreference::Auth),
            Ok(Some(Qop::AuthInt))
        );
        assert_eq!(choose_qop(&[], QopPreference::AuthInt), Ok(None));
        assert_eq!(
            choose_qop(&[Qop::Other("auth-conf".into())], QopPreference::Auth),
            Err(DigestError::NoSupportedQop)
        );
    }
}
