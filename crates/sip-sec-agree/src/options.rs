//! The `sec-agree` option tag in `Require`, `Proxy-Require` and `Supported`
//! (RFC 3329 §2.3, §6.5), and what a first-hop server answers a request that
//! lacks it (RFC 3329 §2.3.2).

use alloc::string::String;
use alloc::vec::Vec;

use ims_sec_core::sip::split_list;

use crate::message::Headers;

/// The option tag of RFC 3329.
pub const SEC_AGREE: &str = "sec-agree";

/// The option tags of every `name` line (`Require`, `Proxy-Require`,
/// `Supported` or its compact form `k`), in order. Option tags are tokens
/// and compare case-insensitively (RFC 3261 §19.2).
#[must_use]
pub fn option_tags<'a>(headers: &'a Headers, name: &'a str) -> Vec<&'a str> {
    headers
        .values(name)
        .flat_map(|value| {
            split_list(value, b',', 0)
                .map(|items| items.into_iter().map(|i| i.value).collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether any `name` line carries `tag`.
#[must_use]
pub fn has_option_tag(headers: &Headers, name: &str, tag: &str) -> bool {
    option_tags(headers, name)
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tag))
}

/// Adds `tag` to the `name` header unless it is already there.
pub fn add_option_tag(headers: &mut Headers, name: &str, tag: &str) {
    if !has_option_tag(headers, name, tag) && headers.push(name, tag).is_err() {
        debug_assert!(false, "option tag names are tokens");
    }
}

/// Removes `tag` from every `name` line and removes lines left empty, as a
/// proxy does once the agreement is checked (RFC 3329 §2.3.1: "it MUST
/// remove the "sec-agree" value from both the Require and Proxy-Require
/// header fields, and then remove the header fields if no values remain").
pub fn remove_option_tag(headers: &mut Headers, name: &str, tag: &str) {
    let kept: Vec<String> = option_tags(headers, name)
        .into_iter()
        .filter(|t| !t.eq_ignore_ascii_case(tag))
        .map(String::from)
        .collect();
    headers.remove(name);
    if !kept.is_empty() && headers.push(name, kept.join(", ")).is_err() {
        debug_assert!(false, "option tags are tokens");
    }
}

/// Adds what a UE puts in every REGISTER and every request it protects:
/// `Require: sec-agree`, `Proxy-Require: sec-agree` (RFC 3329 §2.3.1) and
/// `Supported: sec-agree` (§2.3.2: clients "SHOULD add" it).
pub fn add_sec_agree(headers: &mut Headers) {
    add_option_tag(headers, "Require", SEC_AGREE);
    add_option_tag(headers, "Proxy-Require", SEC_AGREE);
    add_option_tag(headers, "Supported", SEC_AGREE);
}

/// Whether the request asks its first hop to use the agreement (`sec-agree`
/// in `Require` or `Proxy-Require`).
#[must_use]
pub fn requires_sec_agree(headers: &Headers) -> bool {
    has_option_tag(headers, "Require", SEC_AGREE)
        || has_option_tag(headers, "Proxy-Require", SEC_AGREE)
}

/// What a first-hop server that requires the agreement does with an
/// unprotected request (RFC 3329 §2.3.1, §2.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstHopCheck {
    /// The client asked for the agreement (`sec-agree` in `Require` or
    /// `Proxy-Require`): go on and challenge it. In IMS the challenge is the
    /// S-CSCF's 401, to which the P-CSCF adds Security-Server (TS 24.229 §5.2.2).
    Agree,
    /// `sec-agree` only in `Supported`: answer 494 (Security Agreement
    /// Required) with Security-Server and `Require: sec-agree`.
    Respond494,
    /// No `sec-agree` anywhere: answer 421 (Extension Required) with
    /// Security-Server and `Require: sec-agree`.
    Respond421,
    /// More than one Via: the server is not the first hop and must not use
    /// the agreement; answer 502 (Bad Gateway).
    Respond502,
}

impl FirstHopCheck {
    /// Classifies an unprotected request.
    #[must_use]
    pub fn of(headers: &Headers) -> Self {
        let vias: usize = headers
            .values("Via")
            .map(|v| split_list(v, b',', 0).map_or(1, |items| items.len()))
            .sum();
        if vias > 1 {
            Self::Respond502
        } else if requires_sec_agree(headers) {
            Self::Agree
        } else if has_option_tag(headers, "Supported", SEC_AGREE) {
            Self::Respond494
        } else {
            Self::Respond421
        }
    }

    /// The status line of the response to send, if one is due.
    #[must_use]
    pub fn status_line(self) -> Option<&'static str> {
        match self {
            Self::Agree => None,
            Self::Respond494 => Some("SIP/2.0 494 Security Agreement Required"),
            Self::Respond421 => Some("SIP/2.0 421 Extension Required"),
            Self::Respond502 => Some("SIP/2.0 502 Bad Gateway"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[(&str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (n, v) in lines {
            h.push(*n, *v).unwrap();
        }
        h
    }

    #[test]
    fn rfc_3329_first_hop_answers() {
        let via = ("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx");
        assert_eq!(
            FirstHopCheck::of(&headers(&[via, ("Require", "sec-agree")])),
            FirstHopCheck::Agree
        );
        assert_eq!(
            FirstHopCheck::of(&headers(&[via, ("Proxy-Require", "Sec-Agree")])),
            FirstHopCheck::Agree
        );
        assert_eq!(
            FirstHopCheck::of(&headers(&[via, ("k", "path, sec-agree")])),
            FirstHopCheck::Respond494
        );
        assert_eq!(
            FirstHopCheck::of(&headers(&[via, ("Supported", "path")])),
            FirstHopCheck::Respond421
        );
        assert_eq!(
            FirstHopCheck::of(&headers(&[via, via, ("Require", "sec-agree")])),
            FirstHopCheck::Respond502
        );
        assert_eq!(
            FirstHopCheck::of(&headers(&[
                ("Via", "SIP/2.0/UDP a, SIP/2.0/UDP b"),
                ("Require", "sec-agree")
            ])),
            FirstHopCheck::Respond502
        );
    }

    #[test]
    fn a_proxy_removes_sec_agree_and_empty_lines() {
        let mut h = headers(&[
            ("Require", "sec-agree"),
            ("Proxy-Require", "sec-agree, foo"),
        ]);
        remove_option_tag(&mut h, "Require", SEC_AGREE);
        remove_option_tag(&mut h, "Proxy-Require", SEC_AGREE);
        assert!(!h.contains("Require"));
        assert_eq!(h.first("Proxy-Require"), Some("foo"));
    }
}
