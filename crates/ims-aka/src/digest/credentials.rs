//! The credentials of `Authorization` and `Proxy-Authorization` (RFC 2617
//! §3.2.2, RFC 3310 §3.4).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use ims_sec_core::sip::Param;

use super::algorithm::{Algorithm, DEFAULT};
use super::params::{parse_digest, parse_nc, required, set_once, value_of, DigestWriter, Qop};
use super::{b64, DigestError};
use crate::types::Auts;

/// Digest credentials: the value of an `Authorization` or
/// `Proxy-Authorization` header.
///
/// Parsing matches names without regard to case and accepts quoted or bare
/// values for every parameter. [`Display`](fmt::Display) writes the
/// canonical form: `username`, `realm`, `nonce`, `uri`, `response`,
/// `cnonce`, `opaque` and `auts` quoted; `algorithm`, `qop` and `nc` bare;
/// then the unknown parameters in the order they came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user's name in the realm (in IMS, the private user identity).
    pub username: String,
    /// The realm, echoed from the challenge.
    pub realm: String,
    /// The nonce, echoed from the challenge (empty in an initial IMS REGISTER).
    pub nonce: String,
    /// The `digest-uri`: the Request-URI (RFC 8760 §2.6, item 3).
    pub uri: String,
    /// The request digest in lower-case hex (empty before any challenge,
    /// RFC 8760 §2.7, and when reporting a wrong MAC, TS 24.229 §5.1.1.5.3).
    pub response: String,
    /// The algorithm, if the directive was present; absent means MD5.
    pub algorithm: Option<Algorithm>,
    /// The client nonce; present exactly when `qop` is.
    pub cnonce: Option<String>,
    /// The challenge's opaque, echoed.
    pub opaque: Option<String>,
    /// The quality of protection chosen.
    pub qop: Option<Qop>,
    /// The nonce count; present exactly when `qop` is. Written as 8 hex digits.
    pub nc: Option<u32>,
    /// The base64 AUTS of a synchronisation failure (RFC 3310 §3.4); see
    /// [`Credentials::decode_auts`].
    pub auts: Option<String>,
    /// Unknown parameters, in order.
    pub extensions: Vec<Param>,
}

impl Credentials {
    /// Credentials with the required parameters and nothing else.
    #[must_use]
    pub fn new(
        username: impl Into<String>,
        realm: impl Into<String>,
        nonce: impl Into<String>,
        uri: impl Into<String>,
        response: impl Into<String>,
    ) -> Self {
        Self {
            username: username.into(),
            realm: realm.into(),
            nonce: nonce.into(),
            uri: uri.into(),
            response: response.into(),
            algorithm: None,
            cnonce: None,
            opaque: None,
            qop: None,
            nc: None,
            auts: None,
            extensions: Vec::new(),
        }
    }

    /// Parses the header value after the colon, starting with the `Digest` scheme.
    pub fn parse(input: &str) -> Result<Self, DigestError> {
        let mut username = None;
        let mut realm = None;
        let mut nonce = None;
        let mut uri = None;
        let mut response = None;
        let mut algorithm = None;
        let mut cnonce = None;
        let mut opaque = None;
        let mut qop = None;
        let mut nc = None;
        let mut auts = None;
        let mut extensions = Vec::new();
        for param in parse_digest(input)? {
            let at = param.offset;
            let name = param.value.name();
            let text = |slot: &mut Option<String>, name: &'static str| -> Result<(), DigestError> {
                set_once(slot, value_of(&param, name)?.into(), name, at)
            };
            if name.eq_ignore_ascii_case("username") {
                text(&mut username, "username")?;
            } else if name.eq_ignore_ascii_case("realm") {
                text(&mut realm, "realm")?;
            } else if name.eq_ignore_ascii_case("nonce") {
                text(&mut nonce, "nonce")?;
            } else if name.eq_ignore_ascii_case("uri") {
                text(&mut uri, "uri")?;
            } else if name.eq_ignore_ascii_case("response") {
                text(&mut response, "response")?;
            } else if name.eq_ignore_ascii_case("algorithm") {
                let value = Algorithm::from_name(value_of(&param, "algorithm")?);
                set_once(&mut algorithm, value, "algorithm", at)?;
            } else if name.eq_ignore_ascii_case("cnonce") {
                text(&mut cnonce, "cnonce")?;
            } else if name.eq_ignore_ascii_case("opaque") {
                text(&mut opaque, "opaque")?;
            } else if name.eq_ignore_ascii_case("qop") {
                let value = Qop::from_name(value_of(&param, "qop")?);
                set_once(&mut qop, value, "qop", at)?;
            } else if name.eq_ignore_ascii_case("nc") {
                let value = parse_nc(value_of(&param, "nc")?, at)?;
                set_once(&mut nc, value, "nc", at)?;
            } else if name.eq_ignore_ascii_case("auts") {
                text(&mut auts, "auts")?;
            } else {
                extensions.push(param.value);
            }
        }
        Ok(Self {
            username: required(username, "username")?,
            realm: required(realm, "realm")?,
            nonce: required(nonce, "nonce")?,
            uri: required(uri, "uri")?,
            response: required(response, "response")?,
            algorithm,
            cnonce,
            opaque,
            qop,
            nc,
            auts,
            extensions,
        })
    }

    /// The algorithm in force: the directive's, or MD5 when it is absent.
    #[must_use]
    pub fn effective_algorithm(&self) -> &Algorithm {
        self.algorithm.as_ref().unwrap_or(&DEFAULT)
    }

    /// Decodes the `auts` parameter: `None` when absent, an error when it is
    /// not base64 (padded or not) of an AUTS (RFC 3310 §3.4).
    pub fn decode_auts(&self) -> Result<Option<Auts>, DigestError> {
        let Some(auts) = &self.auts else {
            return Ok(None);
        };
        let bytes = b64::decode(auts).ok_or(DigestError::Auts)?;
        Auts::from_bytes(&bytes)
            .map(Some)
            .map_err(|_| DigestError::Auts)
    }

    /// Sets the `auts` parameter to base64 of `auts`, padded.
    pub fn set_auts(&mut self, auts: &Auts) {
        self.auts = Some(b64::encode(&auts.to_bytes()));
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = DigestWriter::new(f)?;
        w.quoted("username", &self.username)?;
        w.quoted("realm", &self.realm)?;
        w.quoted("nonce", &self.nonce)?;
        w.quoted("uri", &self.uri)?;
        w.quoted("response", &self.response)?;
        if let Some(algorithm) = &self.algorithm {
            w.bare("algorithm", algorithm.name())?;
        }
        if let Some(cnonce) = &self.cnonce {
            w.quoted("cnonce", cnonce)?;
        }
        if let Some(opaque) = &self.opaque {
            w.quoted("opaque", opaque)?;
        }
        if let Some(qop) = &self.qop {
            w.bare("qop", qop.name())?;
        }
        if let Some(nc) = self.nc {
            w.bare("nc", &alloc::format!("{nc:08x}"))?;
        }
        if let Some(auts) = &self.auts {
            w.quoted("auts", auts)?;
        }
        for param in &self.extensions {
            w.param(param)?;
        }
        Ok(())
    }
}

impl FromStr for Credentials {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, DigestError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    /// RFC 3310 §4, figure 3, message 3 (synchronisation failure).
    const RFC3310_SYNC: &str = "Digest\r\n      username=\"jon.dough@mobile.biz\",\r\n      \
        realm=\"RoamingUsers@mobile.biz\",\r\n      \
        nonce=\"CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==\",\r\n      uri=\"sip:home.mobile.biz\",\r\n      \
        qop=auth,\r\n      nc=00000001,\r\n      cnonce=\"0a4f113b\",\r\n      \
        response=\"4429ffe49393c02397450934607c4ef1\",\r\n      \
        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\",\r\n      auts=\"5PYxMuX2NOT2NeQ=\"";

    #[test]
    fn rfc3310_sync_failure_credentials_parse() {
        let credentials = Credentials::parse(RFC3310_SYNC).unwrap();
        assert_eq!(credentials.username, "jon.dough@mobile.biz");
        assert_eq!(credentials.uri, "sip:home.mobile.biz");
        assert_eq!(credentials.qop, Some(Qop::Auth));
        assert_eq!(credentials.nc, Some(1));
        assert_eq!(credentials.cnonce.as_deref(), Some("0a4f113b"));
        assert_eq!(credentials.auts.as_deref(), Some("5PYxMuX2NOT2NeQ="));
        assert_eq!(credentials.effective_algorithm(), &Algorithm::Md5);
        // The RFC's example AUTS is 11 bytes, not the 14 of a real AUTS.
        assert_eq!(credentials.decode_auts(), Err(DigestError::Auts));
        assert_eq!(
            Credentials::parse(&credentials.to_string()).unwrap(),
            credentials
        );
    }

    #[test]
    fn auts_round_trips_through_base64() {
        let auts = Auts::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]).unwrap();
        let mut credentials = Credentials::new("u", "r", "n", "sip:r", "");
        credentials.set_auts(&auts);
        assert_eq!(credentials.auts.as_deref(), Some("AQIDBAUGBwgJCgsMDQ4="));
        assert_eq!(credentials.decode_auts(), Ok(Some(auts)));
    }

    /// The nonce and `auts` share one base64: padding is optional on input.
    #[test]
    fn unpadded_auts_is_accepted() {
        let auts = Auts::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]).unwrap();
        let mut credentials = Credentials::new("u", "r", "n", "sip:r", "");
        credentials.auts = Some("AQIDBAUGBwgJCgsMDQ4".into());
        assert_eq!(credentials.decode_auts(), Ok(Some(auts)));
        credentials.auts = Some("AQIDBAUGBwgJCgsMDQ4=\n".into());
        assert_eq!(credentials.decode_auts(), Err(DigestError::Auts));
    }

    #[test]
    fn initial_ims_register_with_empty_values_parses() {
        // TS 24.229 §5.1.1.2: the first REGISTER carries empty nonce and response.
        let text = "Digest username=\"user1@home1.net\", realm=\"home1.net\", nonce=\"\", \
                    uri=\"sip:home1.net\", response=\"\"";
        let credentials = Credentials::parse(text).unwrap();
        assert_eq!(credentials.nonce, "");
        assert_eq!(credentials.response, "");
        assert_eq!(credentials.to_string(), text);
    }

    #[test]
    fn bad_nc_and_missing_uri_are_refused() {
        assert_eq!(
            Credentials::parse("Digest username=\"u\", nc=1"),
            Err(DigestError::InvalidValue {
                name: "nc",
                offset: 21
            })
        );
        assert_eq!(
            Credentials::parse("Digest username=\"u\", realm=\"r\", nonce=\"n\", response=\"\""),
            Err(DigestError::MissingParameter { name: "uri" })
        );
    }
}
