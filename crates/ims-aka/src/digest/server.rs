//! The server (S-CSCF) side: build the challenge from an authentication
//! vector, and verify the credentials that come back.

use alloc::string::String;
use alloc::vec::Vec;

use ims_sec_core::ct_eq;

use super::algorithm::Algorithm;
use super::challenge::Challenge;
use super::client::aka_hash;
use super::credentials::Credentials;
use super::nonce::AkaNonce;
use super::params::Qop;
use super::response::{aka_password, request_digest, AkaKeys};
use super::DigestError;
use crate::types::Auts;

/// A Digest AKA challenge (RFC 3310 §3.2): the nonce carries RAND and AUTN,
/// the algorithm is always sent, and `qop` lists what the server accepts
/// (RFC 8760 §2.6 item 8: 'A UAS MUST always send a "qop" parameter').
///
/// Errors if `algorithm` is not an AKA algorithm with a hash we implement
/// ([`DigestError::NotAka`]), if `qop` is empty
/// ([`DigestError::QopRequired`]), or if it holds neither `auth` nor
/// `auth-int` ([`DigestError::NoSupportedQop`]), since then no response
/// could ever verify.
pub fn challenge(
    realm: impl Into<String>,
    nonce: &AkaNonce,
    algorithm: Algorithm,
    qop: Vec<Qop>,
) -> Result<Challenge, DigestError> {
    aka_hash(&algorithm)?;
    if qop.is_empty() {
        return Err(DigestError::QopRequired);
    }
    if !qop.iter().any(|q| matches!(q, Qop::Auth | Qop::AuthInt)) {
        return Err(DigestError::NoSupportedQop);
    }
    let mut challenge = Challenge::new(realm, nonce.encode());
    challenge.algorithm = Some(algorithm);
    challenge.qop = qop;
    Ok(challenge)
}

/// What a successful verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The response was made from RES = XRES: the user is authenticated.
    Authenticated,
    /// The client reported a synchronisation failure (RFC 3310 §3.4). Check
    /// the AUTS with [`crate::home::resynchronise`], then challenge again
    /// with a vector from the resynchronised SQN. The user is not authenticated.
    SyncFailure(Auts),
    /// The client reported that the network failed to authenticate: its
    /// ISIM found MAC-A wrong, so it answered with an empty `response` and
    /// no `auts` (TS 24.229 §5.1.1.5.3; [`client::respond_mac_failure`]).
    ///
    /// The user is not authenticated, and nothing in such credentials is
    /// authenticated either: anyone can send them. The registration has
    /// failed; the report is no evidence for or against the subscriber.
    ///
    /// [`client::respond_mac_failure`]: super::client::respond_mac_failure
    NetworkAuthenticationFailure,
}

/// Verifies credentials against the challenge that was sent and the
/// vector's XRES (and CK, IK for AKAv2).
///
/// Checks, in order: realm, nonce, algorithm (absent means MD5 on both
/// sides) and opaque equal the challenge's. Then an empty response without
/// `auts` is the UE's report of a network authentication failure
/// ([`Verdict::NetworkAuthenticationFailure`]). Otherwise qop must be one the
/// challenge offered, and present if it offered any (a missing qop would be
/// a downgrade from `auth-int`); against a challenge without qop, which
/// means `auth` (RFC 8760 §2.6 item 8), `qop=auth` and the RFC 2617/2069
/// form without qop are both accepted. Last, the response, compared in
/// constant time. With `auts`, the response is checked with the empty
/// password and the AUTS is returned for resynchronisation.
///
/// Not checked here, because they need the caller's state: that `username`
/// is the identity the vector belongs to, that `uri` names a user the server
/// serves (RFC 8760 §2.6 item 6), and that `nc` grows (replay).
pub fn verify(
    challenge: &Challenge,
    credentials: &Credentials,
    method: &str,
    body: &[u8],
    keys: &AkaKeys<'_>,
) -> Result<Verdict, DigestError> {
    if credentials.realm != challenge.realm {
        return Err(DigestError::RealmMismatch);
    }
    if credentials.nonce != challenge.nonce {
        return Err(DigestError::NonceMismatch);
    }
    let algorithm = challenge.effective_algorithm();
    if credentials.effective_algorithm() != algorithm {
        return Err(DigestError::AlgorithmMismatch);
    }
    let hash = aka_hash(algorithm)?;
    if credentials.opaque != challenge.opaque {
        return Err(DigestError::OpaqueMismatch);
    }
    // TS 24.229 §5.1.1.5.3: MAC-A was wrong; no response was computed.
    if credentials.response.is_empty() && credentials.auts.is_none() {
        return Ok(Verdict::NetworkAuthenticationFailure);
    }
    let qop_ok = match &credentials.qop {
        None => challenge.qop.is_empty(),
        Some(qop) if challenge.qop.is_empty() => *qop == Qop::Auth,
        Some(qop) => challenge.qop.contains(qop),
    };
    if !qop_ok {
        return Err(DigestError::QopMismatch);
    }

    let auts = credentials.decode_auts()?;
    let password = match auts {
        Some(_) => zeroize::Zeroizing::new(Vec::new()),
        None => aka_password(algorithm, keys)?,
    };
    let expected = request_digest(hash, credentials, &password, method, body)?;
    let received = credentials.response.to_ascii_lowercase();
    if !ct_eq(expected.as_bytes(), received.as_bytes()) {
        return Err(DigestError::ResponseMismatch);
    }
    Ok(match auts {
        Some(auts) => Verdict::SyncFailure(auts),
        None => Verdict::Authenticated,
    })
}
