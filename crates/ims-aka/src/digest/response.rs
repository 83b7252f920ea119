//! The request digest of RFC 2617 §3.2.2 and the AKA password rules of
//! RFC 3310 §3.3 (AKAv1) and RFC 4169 §2.1 (AKAv2).
//!
//! ```text
//! A1             = unq(username) ":" unq(realm) ":" password
//! A2             = Method ":" digest-uri [ ":" H(entity-body) ]     (auth-int)
//! request-digest = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" qop ":" H(A2))
//!                | KD(H(A1), unq(nonce) ":" H(A2))                  (no qop)
//! KD(secret, data) = H(secret ":" data)
//! ```
//!
//! `unq` removes the quotes and the quoting backslashes (RFC 7616 §3.4), which
//! the codec has already done. The password is bytes, not text: an AKAv1
//! password is RES, which is binary. Everything derived from the password
//! (the AKAv2 key and PRF output, H(A1)) lives in zeroizing buffers.

use alloc::string::String;
use alloc::vec::Vec;

use hmac::Hmac;
use md5::{Digest, Md5};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::algorithm::{AkaVersion, Algorithm, HashAlgorithm};
use super::credentials::Credentials;
use super::params::Qop;
use super::{b64, DigestError};
use crate::home::AuthenticationVector;
use crate::types::{Ck, Ik, Res};
use crate::usim::Success;

/// A Digest password: bytes that are wiped when dropped.
pub type Password = Zeroizing<Vec<u8>>;

/// The PRF label of the AKAv2 password (RFC 4169 §2.1; case sensitive).
const AKAV2_PASSWORD_LABEL: &[u8] = b"http-digest-akav2-password";

/// What an AKA password is made from: RES on the client, XRES on the
/// server, and CK and IK (used by AKAv2 only).
#[derive(Debug, Clone, Copy)]
pub struct AkaKeys<'a> {
    /// RES (client) or XRES (server).
    pub res: &'a Res,
    /// The cipher key CK.
    pub ck: &'a Ck,
    /// The integrity key IK.
    pub ik: &'a Ik,
}

impl<'a> From<&'a Success> for AkaKeys<'a> {
    /// The ISIM's RES, CK and IK.
    fn from(success: &'a Success) -> Self {
        Self {
            res: &success.res,
            ck: &success.ck,
            ik: &success.ik,
        }
    }
}

impl<'a> From<&'a AuthenticationVector> for AkaKeys<'a> {
    /// The vector's XRES, CK and IK.
    fn from(vector: &'a AuthenticationVector) -> Self {
        Self {
            res: &vector.xres,
            ck: &vector.ck,
            ik: &vector.ik,
        }
    }
}

/// The Digest password of an AKA algorithm.
///
/// AKAv1 (RFC 3310 §3.3): RES as raw octets. AKAv2 (RFC 4169 §2.1):
/// base64(PRF(RES ‖ IK ‖ CK, "http-digest-akav2-password")), where PRF is
/// HMAC with the algorithm's hash, keyed with RES ‖ IK ‖ CK, over the label;
/// the password is the base64 text's bytes.
pub fn aka_password(algorithm: &Algorithm, keys: &AkaKeys<'_>) -> Result<Password, DigestError> {
    let (Some(version), Some(hash)) = (algorithm.aka_version(), algorithm.hash()) else {
        return Err(DigestError::NotAka(algorithm.clone()));
    };
    match version {
        AkaVersion::V1 => Ok(Zeroizing::new(keys.res.expose_secret().to_vec())),
        AkaVersion::V2 => {
            let mut key = Zeroizing::new(Vec::with_capacity(
                keys.res.len() + keys.ik.len() + keys.ck.len(),
            ));
            key.extend_from_slice(keys.res.expose_secret());
            key.extend_from_slice(keys.ik.expose_secret());
            key.extend_from_slice(keys.ck.expose_secret());
            let prf = match hash {
                HashAlgorithm::Md5 => hmac_bytes::<Hmac<Md5>>(&key),
                HashAlgorithm::Sha256 => hmac_bytes::<Hmac<Sha256>>(&key),
            };
            Ok(b64::encode_secret(&prf))
        }
    }
}

fn hmac_bytes<M: hmac::Mac + hmac::digest::KeyInit>(key: &[u8]) -> Zeroizing<Vec<u8>> {
    // HMAC takes keys of any length (longer ones are hashed first), so this never fails.
    let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(key) else {
        return Zeroizing::new(Vec::new());
    };
    mac.update(AKAV2_PASSWORD_LABEL);
    let mut out = mac.finalize().into_bytes();
    let bytes = Zeroizing::new(out.to_vec());
    out.as_mut_slice().zeroize();
    bytes
}

/// The `response` of an Authorization header (RFC 2617 §3.2.2.1), in
/// lower-case hex.
///
/// Reads username, realm, nonce, uri, qop, nc and cnonce from `credentials`
/// (the `response` field itself is ignored). `body` is the message body,
/// hashed for `auth-int` only (empty body: H(""), RFC 8760 §2.6 item 7).
/// Errors if qop is one we do not know, or if nc or cnonce is missing while
/// qop is present.
pub fn request_digest(
    hash: HashAlgorithm,
    credentials: &Credentials,
    password: &[u8],
    method: &str,
    body: &[u8],
) -> Result<String, DigestError> {
    digest(hash, credentials, password, method.as_bytes(), body)
}

/// The `rspauth` of an Authentication-Info header (RFC 2617 §3.2.3): as
/// [`request_digest`] with an empty method in A2. In Digest AKA the server's
/// password is made from XRES (RFC 3310 §3.5).
pub fn response_auth(
    hash: HashAlgorithm,
    credentials: &Credentials,
    password: &[u8],
    body: &[u8],
) -> Result<String, DigestError> {
    digest(hash, credentials, password, b"", body)
}

fn digest(
    hash: HashAlgorithm,
    credentials: &Credentials,
    password: &[u8],
    method: &[u8],
    body: &[u8],
) -> Result<String, DigestError> {
    let qop = match &credentials.qop {
        None => None,
        Some(Qop::Auth) => Some(Qop::Auth),
        Some(Qop::AuthInt) => Some(Qop::AuthInt),
        Some(Qop::Other(other)) => return Err(DigestError::UnsupportedQop(other.clone())),
    };
    let ha1 = h(
        hash,
        &[
            credentials.username.as_bytes(),
            b":",
            credentials.realm.as_bytes(),
            b":",
            password,
        ],
    );
    let uri = credentials.uri.as_bytes();
    let ha2 = if qop == Some(Qop::AuthInt) {
        let body_hash = h(hash, &[body]);
        h(hash, &[method, b":", uri, b":", body_hash.as_bytes()])
    } else {
        h(hash, &[method, b":", uri])
    };
    let nonce = credentials.nonce.as_bytes();
    let response = match &qop {
        Some(qop) => {
            let nc = credentials
                .nc
                .ok_or(DigestError::MissingParameter { name: "nc" })?;
            let cnonce = credentials
                .cnonce
                .as_ref()
                .ok_or(DigestError::MissingParameter { name: "cnonce" })?;
            let nc = alloc::format!("{nc:08x}");
            h(
                hash,
                &[
                    ha1.as_bytes(),
                    b":",
                    nonce,
                    b":",
                    nc.as_bytes(),
                    b":",
                    cnonce.as_bytes(),
                    b":",
                    qop.name().as_bytes(),
                    b":",
                    ha2.as_bytes(),
                ],
            )
        }
        None => h(hash, &[ha1.as_bytes(), b":", nonce, b":", ha2.as_bytes()]),
    };
    Ok(String::from(response.as_str()))
}

/// H over the concatenation of `parts`, in lower-case hex, in a buffer wiped on drop.
fn h(hash: HashAlgorithm, parts: &[&[u8]]) -> Zeroizing<String> {
    match hash {
        HashAlgorithm::Md5 => hash_hex::<Md5>(parts),
        HashAlgorithm::Sha256 => hash_hex::<Sha256>(parts),
    }
}

fn hash_hex<D: Digest>(parts: &[&[u8]]) -> Zeroizing<String> {
    let mut hasher = D::new();
    for part in parts {
        hasher.update(part);
    }
    let mut out = hasher.finalize();
    // hex::encode collects an exact-size iterator, so the String is allocated
    // once at its final size and no unwiped copy of H(A1) is left behind.
    let hex = Zeroizing::new(hex::encode(out.as_slice()));
    out.as_mut_slice().zeroize();
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2617 §3.5: MD5, qop=auth, password "Circle Of Life".
    #[test]
    fn rfc2617_example_response() {
        let mut credentials = Credentials::new(
            "Mufasa",
            "testrealm@host.com",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            "/dir/index.html",
            "",
        );
        credentials.qop = Some(Qop::Auth);
        credentials.nc = Some(1);
        credentials.cnonce = Some("0a4f113b".into());
        assert_eq!(
            request_digest(
                HashAlgorithm::Md5,
                &credentials,
                b"Circle Of Life",
                "GET",
                b""
            )
            .unwrap(),
            "6629fae49393a05397450978507c4ef1"
        );
    }

    #[test]
    fn non_aka_algorithms_have_no_aka_password() {
        let res = Res::from_slice(&[1; 8]).unwrap();
        let key = Ck::from_slice(&[2; 16]).unwrap();
        let keys = AkaKeys {
            res: &res,
            ck: &key,
            ik: &key,
        };
        assert_eq!(
            aka_password(&Algorithm::Md5, &keys),
            Err(DigestError::NotAka(Algorithm::Md5))
        );
        assert_eq!(
            aka_password(&Algorithm::AkaV1Md5, &keys)
                .unwrap()
                .as_slice(),
            &[1; 8]
        );
    }

    #[test]
    fn qop_needs_nc_and_cnonce() {
        let mut credentials = Credentials::new("u", "r", "n", "sip:r", "");
        credentials.qop = Some(Qop::Auth);
        credentials.cnonce = Some("c".into());
        assert_eq!(
            request_digest(HashAlgorithm::Md5, &credentials, b"", "REGISTER", b""),
            Err(DigestError::MissingParameter { name: "nc" })
        );
        credentials.qop = Some(Qop::Other("auth-conf".into()));
        assert_eq!(
            request_digest(HashAlgorithm::Md5, &credentials, b"", "REGISTER", b""),
            Err(DigestError::UnsupportedQop("auth-conf".into()))
        );
    }
}
