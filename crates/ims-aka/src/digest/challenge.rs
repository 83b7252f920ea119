//! The challenge of `WWW-Authenticate` and `Proxy-Authenticate` (RFC 2617
//! §3.2.1, RFC 3310 §3.2).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use ims_sec_core::sip::Param;

use super::algorithm::{Algorithm, DEFAULT};
use super::nonce::AkaNonce;
use super::params::{parse_digest, required, set_once, value_of, DigestWriter, Qop};
use super::DigestError;

/// A Digest challenge: the value of a `WWW-Authenticate` or
/// `Proxy-Authenticate` header.
///
/// Parameter names are matched without regard to case, and quoted and bare
/// values are both accepted for every parameter. [`Display`](fmt::Display)
/// writes the canonical form: `realm`, `nonce`, `opaque`, `domain` and `qop`
/// quoted, `algorithm` and `stale` bare, then the unknown parameters in the
/// order they came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The protection space (required).
    pub realm: String,
    /// The server's nonce (required); for AKA, see [`Challenge::aka_nonce`].
    pub nonce: String,
    /// The algorithm, if the directive was present; absent means MD5.
    pub algorithm: Option<Algorithm>,
    /// The qop values offered, in order; empty when the directive was absent
    /// (the RFC 2069 compatible form).
    pub qop: Vec<Qop>,
    /// Data the client returns unchanged.
    pub opaque: Option<String>,
    /// The `stale` flag, if present (`true` ignoring case; anything else is false).
    pub stale: Option<bool>,
    /// The URIs of the protection space (space separated on the wire).
    pub domain: Vec<String>,
    /// Unknown parameters, in order.
    pub extensions: Vec<Param>,
}

impl Challenge {
    /// A challenge with a realm and a nonce and nothing else.
    #[must_use]
    pub fn new(realm: impl Into<String>, nonce: impl Into<String>) -> Self {
        Self {
            realm: realm.into(),
            nonce: nonce.into(),
            algorithm: None,
            qop: Vec::new(),
            opaque: None,
            stale: None,
            domain: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// Parses the header value after the colon, starting with the `Digest` scheme.
    pub fn parse(input: &str) -> Result<Self, DigestError> {
        let mut realm = None;
        let mut nonce = None;
        let mut algorithm = None;
        let mut qop = None;
        let mut opaque = None;
        let mut stale = None;
        let mut domain = None;
        let mut extensions = Vec::new();
        for param in parse_digest(input)? {
            let at = param.offset;
            let name = param.value.name();
            if name.eq_ignore_ascii_case("realm") {
                set_once(&mut realm, value_of(&param, "realm")?.into(), "realm", at)?;
            } else if name.eq_ignore_ascii_case("nonce") {
                set_once(&mut nonce, value_of(&param, "nonce")?.into(), "nonce", at)?;
            } else if name.eq_ignore_ascii_case("algorithm") {
                let value = Algorithm::from_name(value_of(&param, "algorithm")?);
                set_once(&mut algorithm, value, "algorithm", at)?;
            } else if name.eq_ignore_ascii_case("qop") {
                // qop-options = "qop" "=" <"> 1#qop-value <">
                let value = value_of(&param, "qop")?
                    .split(',')
                    .map(|v| v.trim_matches([' ', '\t']))
                    .filter(|v| !v.is_empty())
                    .map(Qop::from_name)
                    .collect();
                set_once(&mut qop, value, "qop", at)?;
            } else if name.eq_ignore_ascii_case("opaque") {
                set_once(
                    &mut opaque,
                    value_of(&param, "opaque")?.into(),
                    "opaque",
                    at,
                )?;
            } else if name.eq_ignore_ascii_case("stale") {
                // RFC 2617 §3.2.1: "FALSE, or anything other than TRUE" is false.
                let value = value_of(&param, "stale")?.eq_ignore_ascii_case("true");
                set_once(&mut stale, value, "stale", at)?;
            } else if name.eq_ignore_ascii_case("domain") {
                // domain = "domain" "=" <"> URI ( 1*SP URI ) <">
                let value = value_of(&param, "domain")?
                    .split([' ', '\t'])
                    .filter(|uri| !uri.is_empty())
                    .map(String::from)
                    .collect();
                set_once(&mut domain, value, "domain", at)?;
            } else {
                extensions.push(param.value);
            }
        }
        Ok(Self {
            realm: required(realm, "realm")?,
            nonce: required(nonce, "nonce")?,
            algorithm,
            qop: qop.unwrap_or_default(),
            opaque,
            stale,
            domain: domain.unwrap_or_default(),
            extensions,
        })
    }

    /// The algorithm in force: the directive's, or MD5 when it is absent.
    #[must_use]
    pub fn effective_algorithm(&self) -> &Algorithm {
        self.algorithm.as_ref().unwrap_or(&DEFAULT)
    }

    /// Decodes the nonce as RAND ‖ AUTN ‖ server data (RFC 3310 §3.2), with
    /// the MAC in AUTN `mac_len` bytes long: the UE's
    /// [`AkaAlgorithm::mac_len`](crate::AkaAlgorithm::mac_len). See
    /// [`AkaNonce::decode`].
    pub fn aka_nonce(&self, mac_len: usize) -> Result<AkaNonce, DigestError> {
        AkaNonce::decode(&self.nonce, mac_len)
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = DigestWriter::new(f)?;
        w.quoted("realm", &self.realm)?;
        w.quoted("nonce", &self.nonce)?;
        if let Some(algorithm) = &self.algorithm {
            w.bare("algorithm", algorithm.name())?;
        }
        if !self.qop.is_empty() {
            let qop: Vec<&str> = self.qop.iter().map(Qop::name).collect();
            w.quoted("qop", &qop.join(","))?;
        }
        if let Some(opaque) = &self.opaque {
            w.quoted("opaque", opaque)?;
        }
        if let Some(stale) = self.stale {
            w.bare("stale", if stale { "true" } else { "false" })?;
        }
        if !self.domain.is_empty() {
            w.quoted("domain", &self.domain.join(" "))?;
        }
        for param in &self.extensions {
            w.param(param)?;
        }
        Ok(())
    }
}

impl FromStr for Challenge {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, DigestError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use ims_sec_core::sip::{ParamValue, ParseError};

    /// RFC 3310 §4, message 2 (folded as a SIP stack hands it over, after the colon).
    const RFC3310_CHALLENGE: &str = "Digest\r\n        realm=\"RoamingUsers@mobile.biz\",\r\n        \
        nonce=\"CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==\",\r\n        qop=\"auth,auth-int\",\r\n        \
        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\",\r\n        algorithm=AKAv1-MD5";

    #[test]
    fn rfc3310_challenge_parses_and_emits_canonically() {
        let challenge = Challenge::parse(RFC3310_CHALLENGE).unwrap();
        assert_eq!(challenge.realm, "RoamingUsers@mobile.biz");
        assert_eq!(
            challenge.nonce,
            "CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz=="
        );
        assert_eq!(challenge.qop, [Qop::Auth, Qop::AuthInt]);
        assert_eq!(challenge.algorithm, Some(Algorithm::AkaV1Md5));
        assert_eq!(
            challenge.opaque.as_deref(),
            Some("5ccc069c403ebaf9f0171e9517f40e41")
        );
        assert_eq!(
            challenge.to_string(),
            "Digest realm=\"RoamingUsers@mobile.biz\", \
             nonce=\"CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==\", algorithm=AKAv1-MD5, \
             qop=\"auth,auth-int\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        );
    }

    #[test]
    fn names_ignore_case_and_unknowns_keep_order() {
        let challenge = Challenge::parse(
            "DIGEST REALM = \"r\" , z=1, Nonce=n, STALE=TRUE, a=\"x y\", domain=\"sip:a  sip:b\"",
        )
        .unwrap();
        assert_eq!(challenge.nonce, "n");
        assert_eq!(challenge.stale, Some(true));
        assert_eq!(challenge.domain, ["sip:a", "sip:b"]);
        assert_eq!(
            challenge.extensions,
            vec![
                Param::new("z", Some(ParamValue::Token("1".into()))).unwrap(),
                Param::new("a", Some(ParamValue::Quoted("x y".into()))).unwrap(),
            ]
        );
        assert_eq!(challenge.effective_algorithm(), &Algorithm::Md5);
    }

    #[test]
    fn duplicates_and_missing_required_are_refused() {
        assert_eq!(
            Challenge::parse("Digest realm=\"a\", nonce=\"b\", REALM=\"c\""),
            Err(DigestError::DuplicateParameter {
                name: "realm",
                offset: 29
            })
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"a\""),
            Err(DigestError::MissingParameter { name: "nonce" })
        );
        assert_eq!(
            Challenge::parse("Digest realm, nonce=\"b\""),
            Err(DigestError::InvalidValue {
                name: "realm",
                offset: 7
            })
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"a, nonce=\"b\""),
            Err(DigestError::Syntax(ParseError {
                offset: 26,
                expected: "closing '\"'"
            }))
        );
    }
}
