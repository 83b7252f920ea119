//! Domain-name rules for the names TLS authenticates (TS 33.203 §6.5, seed 004
//! §5.1.1).

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

/// Why text is not a [`DomainPattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DomainNameError {
    /// A label is empty, longer than 63 characters, holds a character other
    /// than a letter, digit or hyphen, or starts or ends with a hyphen.
    #[error("bad label in domain name")]
    Label,
    /// The name is longer than 253 characters.
    #[error("domain name longer than 253 characters")]
    TooLong,
    /// A `*` other than a whole first label followed by a dot.
    #[error("a wildcard may only be a whole first label, as in *.example.net")]
    Wildcard,
}

/// A rule for the domain names a partner's TLS certificates carry: one exact
/// name (`sip.carrier-b.com`), or every name below a domain
/// (`*.carrier-a.net`), at any depth but not the domain itself (RFC 3325 §11's
/// example Spec(T): "subjectAltName ends with one of the following domain
/// names"). Names compare without regard to ASCII case, and one trailing dot
/// is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainPattern {
    /// The name, lower case, without a trailing dot or the `*.`.
    name: String,
    subdomains: bool,
}

impl DomainPattern {
    /// Whether the authenticated name `peer_name` matches. A name that is not
    /// a host name (say a wildcard pattern copied from a certificate) matches
    /// nothing.
    #[must_use]
    pub fn matches(&self, peer_name: &str) -> bool {
        let name = peer_name.strip_suffix('.').unwrap_or(peer_name);
        if check_host_name(name).is_err() {
            return false;
        }
        if !self.subdomains {
            return name.eq_ignore_ascii_case(&self.name);
        }
        // The name is ASCII, so any index is a char boundary.
        let Some(cut) = name.len().checked_sub(self.name.len() + 1) else {
            return false;
        };
        cut > 0
            && name.as_bytes().get(cut) == Some(&b'.')
            && name
                .get(cut + 1..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(&self.name))
    }
}

impl FromStr for DomainPattern {
    type Err = DomainNameError;

    /// `name` or `*.name`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_suffix('.').unwrap_or(s);
        let (name, subdomains) = match s.strip_prefix("*.") {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        if name.contains('*') {
            return Err(DomainNameError::Wildcard);
        }
        check_host_name(name)?;
        Ok(Self {
            name: name.to_ascii_lowercase(),
            subdomains,
        })
    }
}

impl fmt::Display for DomainPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.subdomains {
            f.write_str("*.")?;
        }
        f.write_str(&self.name)
    }
}

/// RFC 1123 §2.1 host name: labels of letters, digits and inner hyphens.
fn check_host_name(name: &str) -> Result<(), DomainNameError> {
    if name.len() > 253 {
        return Err(DomainNameError::TooLong);
    }
    let good_label = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if name.split('.').all(good_label) {
        Ok(())
    } else {
        Err(DomainNameError::Label)
    }
}
