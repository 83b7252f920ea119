//! Privacy at the edge of the trust domain (TS 33.203 §5.3 and §6.5,
//! RFC 3325, RFC 3323).
//!
//! A CSCF decides for every hop whether the other end is trusted: its own
//! network, a partner with an interworking agreement (an IMS network behind
//! Za/SEG, or a non-IMS SIP provider on Mm), or anyone else. A peer reached
//! over TLS is judged by the name in its certificate (TS 33.203 §6.5: "verify
//! the name on the certificate against the list of the interworking
//! partners"); any other peer by its IP address, against the "service partner
//! table" of trusted domain names and address ranges (seed 004, the SA3
//! study of Rel-6 interworking, §5.1.1 and §5.2.1).
//!
//! [`TrustPolicy::inbound`] removes `P-Asserted-Identity` from what an
//! untrusted peer sends (RFC 3325 §5 and §8, TS 33.203 §5.3 "removed by the
//! CSCF, and retained otherwise"); [`TrustPolicy::outbound`] withholds the
//! identity headers from what goes to an untrusted peer (RFC 3325 §7,
//! TS 33.203 §5.3). Both work on [`Headers`] in place and return a
//! [`Decision`] to log.
//!
//! ```
//! use sip_sec_agree::trust::{Network, Partner, Peer, TrustPolicy};
//! use sip_sec_agree::Headers;
//!
//! let policy = TrustPolicy::new()
//!     .with_own_range("10.0.0.0/8".parse()?)
//!     .with_partner(Partner::new("Carrier B", Network::Ims).with_domain("*.ims.carrier-b.net".parse()?));
//!
//! let mut invite = Headers::new()
//!     .with("P-Asserted-Identity", "<sip:alice@ims.example.net>")?
//!     .with("Privacy", "id")?;
//!
//! // Towards a trusted partner, authenticated by TLS: the identity travels.
//! let partner = Peer::tls("198.51.100.7".parse()?, "icscf.ims.carrier-b.net");
//! assert!(!policy.outbound(&partner, &mut invite.clone()).removed_any());
//!
//! // Towards anyone else it is withheld; the Privacy request stays.
//! let stranger = Peer::new("203.0.113.9".parse()?);
//! let decision = policy.outbound(&stranger, &mut invite);
//! assert_eq!(decision.asserted_identity_removed, 1);
//! assert_eq!(invite.first("Privacy"), Some("id"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::net::IpAddr;

use ims_sec_core::sip::{split_list, Cursor, ParseError};

use crate::message::Headers;

mod address;
mod domain;

pub use address::{AddressRange, AddressRangeError};
pub use domain::{DomainNameError, DomainPattern};

/// `P-Asserted-Identity` (RFC 3325 §9.1).
pub const P_ASSERTED_IDENTITY: &str = "P-Asserted-Identity";
/// `P-Preferred-Identity` (RFC 3325 §9.2).
pub const P_PREFERRED_IDENTITY: &str = "P-Preferred-Identity";
/// `Privacy` (RFC 3323 §4.2).
pub const PRIVACY: &str = "Privacy";

/// Domain names and address ranges that identify one network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Members {
    domains: Vec<DomainPattern>,
    ranges: Vec<AddressRange>,
}

impl Members {
    /// Seed 004 §5.1.1: with TLS the authenticated name decides, and only
    /// it; §5.2.1: otherwise the address.
    fn include(&self, peer: &Peer<'_>) -> bool {
        match peer.tls_name {
            Some(name) => self.domains.iter().any(|d| d.matches(name)),
            None => self.ranges.iter().any(|r| r.contains(peer.address)),
        }
    }
}

/// What kind of network a partner is (seed 004 REQ1: tell IMS traffic from
/// non-IMS traffic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    /// Another operator's IMS, reached behind a security gateway (Za, NDS/IP).
    Ims,
    /// A non-IMS SIP service provider on Mm, trusted by service agreement
    /// (seed 004 REQ5).
    NonIms,
}

/// One row of the service partner table: a network with an interworking
/// agreement, known by TLS names and/or address ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    label: String,
    network: Network,
    members: Members,
}

impl Partner {
    /// A partner with no names or ranges yet; `label` is for logs.
    #[must_use]
    pub fn new(label: impl Into<String>, network: Network) -> Self {
        Self {
            label: label.into(),
            network,
            members: Members::default(),
        }
    }

    /// Adds a name its TLS certificates may carry.
    #[must_use]
    pub fn with_domain(mut self, domain: DomainPattern) -> Self {
        self.members.domains.push(domain);
        self
    }

    /// Adds an address range it sends from and is reached at.
    #[must_use]
    pub fn with_range(mut self, range: AddressRange) -> Self {
        self.members.ranges.push(range);
        self
    }

    /// The label given at creation.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether it is an IMS network.
    #[must_use]
    pub fn network(&self) -> Network {
        self.network
    }

    /// Its TLS name rules.
    #[must_use]
    pub fn domains(&self) -> &[DomainPattern] {
        &self.members.domains
    }

    /// Its address ranges.
    #[must_use]
    pub fn ranges(&self) -> &[AddressRange] {
        &self.members.ranges
    }
}

/// The other end of one hop, as the transport knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer<'a> {
    /// The source address of what was received, or the destination address
    /// of what will be sent.
    pub address: IpAddr,
    /// The domain name TLS authenticated (from the peer certificate), or
    /// `None` when the hop is not TLS.
    pub tls_name: Option<&'a str>,
}

impl Peer<'static> {
    /// A peer known only by its address.
    #[must_use]
    pub fn new(address: IpAddr) -> Self {
        Self {
            address,
            tls_name: None,
        }
    }
}

impl<'a> Peer<'a> {
    /// A peer that TLS authenticated as `name`.
    #[must_use]
    pub fn tls(address: IpAddr, name: &'a str) -> Self {
        Self {
            address,
            tls_name: Some(name),
        }
    }
}

/// Where a peer stands (seed 004 REQ1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification<'p> {
    /// A node of the operator's own trust domain (TS 24.229's P-, I-,
    /// S-CSCF, BGCF, MGCF, MRFC and own ASs; TS 33.203 Annex J).
    OwnNetwork,
    /// A trusted IMS partner network.
    TrustedIms(&'p Partner),
    /// A trusted non-IMS SIP provider.
    TrustedNonIms(&'p Partner),
    /// Anyone else: the Internet, or a network with no agreement.
    Untrusted,
}

impl<'p> Classification<'p> {
    /// Whether the peer is inside the trust domain (RFC 3325 §2).
    #[must_use]
    pub fn is_trusted(&self) -> bool {
        !matches!(self, Self::Untrusted)
    }

    /// Whether the traffic is IMS traffic (own network or an IMS partner).
    #[must_use]
    pub fn is_ims(&self) -> bool {
        matches!(self, Self::OwnNetwork | Self::TrustedIms(_))
    }

    /// The partner that matched, if any.
    #[must_use]
    pub fn partner(&self) -> Option<&'p Partner> {
        match self {
            Self::TrustedIms(p) | Self::TrustedNonIms(p) => Some(p),
            Self::OwnNetwork | Self::Untrusted => None,
        }
    }
}

/// What to do with `P-Asserted-Identity` towards an untrusted peer when the
/// user did not ask for `id` privacy (RFC 3325 §7 leaves it to Spec(T)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum UntrustedEgress {
    /// Always remove it: TS 33.203 §5.3, "the privacy information shall be
    /// removed from the traffic towards the foreign network". Overrides
    /// `Privacy: none`.
    #[default]
    Withhold,
    /// Remove it only when `Privacy` has `id` or cannot be read; keep it
    /// otherwise, as RFC 3325 §7 recommends and requires for `none`.
    AsRequested,
}

/// Which rule a [`Decision`] applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The peer is trusted: everything kept (RFC 3325 §5, TS 33.203 §5.3).
    TrustedPeer,
    /// Received from an untrusted peer: its assertion is worthless and is
    /// removed (RFC 3325 §5 and §8, TS 33.203 §5.3).
    UntrustedSender,
    /// Sent to an untrusted peer with `Privacy: id` (RFC 3325 §7).
    PrivacyId,
    /// Sent to an untrusted peer with a `Privacy` header that cannot be
    /// read; treated as asking for `id`.
    UnreadablePrivacy(PrivacyError),
    /// Sent to an untrusted peer without `id`: removed by operator policy
    /// ([`UntrustedEgress::Withhold`], TS 33.203 §5.3).
    OperatorPolicy,
    /// Sent to an untrusted peer without `id`: kept
    /// ([`UntrustedEgress::AsRequested`], RFC 3325 §7).
    NoPrivacyRequested,
}

impl Rule {
    /// Whether the rule removes `P-Asserted-Identity`.
    #[must_use]
    pub fn withholds_identity(&self) -> bool {
        !matches!(self, Self::TrustedPeer | Self::NoPrivacyRequested)
    }
}

/// What [`TrustPolicy::inbound`] or [`TrustPolicy::outbound`] did, to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'p> {
    /// Where the peer stands.
    pub classification: Classification<'p>,
    /// The rule applied.
    pub rule: Rule,
    /// How many `P-Asserted-Identity` lines were removed.
    pub asserted_identity_removed: usize,
    /// How many `P-Preferred-Identity` lines were removed.
    pub preferred_identity_removed: usize,
}

impl Decision<'_> {
    /// Whether any header line was removed.
    #[must_use]
    pub fn removed_any(&self) -> bool {
        self.asserted_identity_removed + self.preferred_identity_removed > 0
    }
}

/// The operator's trust domain and its service partner table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustPolicy {
    own: Members,
    partners: Vec<Partner>,
    egress: UntrustedEgress,
}

impl TrustPolicy {
    /// A policy that trusts no one yet and withholds identities
    /// ([`UntrustedEgress::Withhold`]).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a TLS name rule of the operator's own nodes.
    #[must_use]
    pub fn with_own_domain(mut self, domain: DomainPattern) -> Self {
        self.own.domains.push(domain);
        self
    }

    /// Adds an address range of the operator's own nodes.
    #[must_use]
    pub fn with_own_range(mut self, range: AddressRange) -> Self {
        self.own.ranges.push(range);
        self
    }

    /// Adds a row to the service partner table; the first row that matches
    /// a peer wins, after the own network.
    #[must_use]
    pub fn with_partner(mut self, partner: Partner) -> Self {
        self.partners.push(partner);
        self
    }

    /// Sets what goes to untrusted peers without `Privacy: id`.
    #[must_use]
    pub fn with_untrusted_egress(mut self, egress: UntrustedEgress) -> Self {
        self.egress = egress;
        self
    }

    /// The service partner table.
    #[must_use]
    pub fn partners(&self) -> &[Partner] {
        &self.partners
    }

    /// Where `peer` stands. A TLS peer is judged by its authenticated name
    /// alone, so a name on no list is untrusted whatever its address
    /// (TS 33.203 §6.5); any other peer by its address.
    #[must_use]
    pub fn classify(&self, peer: &Peer<'_>) -> Classification<'_> {
        if self.own.include(peer) {
            return Classification::OwnNetwork;
        }
        match self.partners.iter().find(|p| p.members.include(peer)) {
            Some(p) if p.network == Network::Ims => Classification::TrustedIms(p),
            Some(p) => Classification::TrustedNonIms(p),
            None => Classification::Untrusted,
        }
    }

    /// Applies the rules to a message received from `peer`: from an untrusted
    /// peer every `P-Asserted-Identity` line is removed. `P-Preferred-Identity`
    /// stays: it is the user's hint to the first proxy (RFC 3325 §6), which
    /// removes it once it has asserted an identity.
    pub fn inbound(&self, peer: &Peer<'_>, headers: &mut Headers) -> Decision<'_> {
        let classification = self.classify(peer);
        let (rule, removed) = if classification.is_trusted() {
            (Rule::TrustedPeer, 0)
        } else {
            (Rule::UntrustedSender, headers.remove(P_ASSERTED_IDENTITY))
        };
        Decision {
            classification,
            rule,
            asserted_identity_removed: removed,
            preferred_identity_removed: 0,
        }
    }

    /// Applies the rules to a message about to be sent to `peer`. To an
    /// untrusted peer `P-Asserted-Identity` is removed as [`Rule`] says, and
    /// `P-Preferred-Identity` always (RFC 3325 §6: it must not leave the trust
    /// domain). The `Privacy` header itself is kept, as in RFC 3325 §10.2 F5,
    /// so later hops still honour it.
    pub fn outbound(&self, peer: &Peer<'_>, headers: &mut Headers) -> Decision<'_> {
        let classification = self.classify(peer);
        if classification.is_trusted() {
            return Decision {
                classification,
                rule: Rule::TrustedPeer,
                asserted_identity_removed: 0,
                preferred_identity_removed: 0,
            };
        }
        let rule = match (Privacy::from_headers(headers), self.egress) {
            // `id` wins over a (malformed) `none` beside it.
            (Ok(Some(privacy)), _) if privacy.contains(&PrivValue::Id) => Rule::PrivacyId,
            (Err(error), _) => Rule::UnreadablePrivacy(error),
            (Ok(_), UntrustedEgress::Withhold) => Rule::OperatorPolicy,
            (Ok(_), UntrustedEgress::AsRequested) => Rule::NoPrivacyRequested,
        };
        let asserted_identity_removed = if rule.withholds_identity() {
            headers.remove(P_ASSERTED_IDENTITY)
        } else {
            0
        };
        Decision {
            classification,
            rule,
            asserted_identity_removed,
            preferred_identity_removed: headers.remove(P_PREFERRED_IDENTITY),
        }
    }
}

/// One `priv-value` (RFC 3323 §4.2, RFC 3325 §9.3); tokens compare without
/// regard to case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrivValue {
    /// `header`: obscure headers such as Via and Contact.
    Header,
    /// `session`: anonymise the session.
    Session,
    /// `user`: user-level privacy by the network.
    User,
    /// `none`: apply no privacy function.
    None,
    /// `critical`: fail the request if the privacy cannot be given.
    Critical,
    /// `id`: keep the asserted identity inside the trust domain (RFC 3325).
    Id,
    /// Any other token, as written.
    Other(String),
}

impl PrivValue {
    fn from_token(token: &str) -> Self {
        const KNOWN: [(&str, PrivValue); 6] = [
            ("header", PrivValue::Header),
            ("session", PrivValue::Session),
            ("user", PrivValue::User),
            ("none", PrivValue::None),
            ("critical", PrivValue::Critical),
            ("id", PrivValue::Id),
        ];
        KNOWN
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(token))
            .map_or_else(|| Self::Other(token.into()), |(_, value)| value)
    }
}

impl fmt::Display for PrivValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Session => "session",
            Self::User => "user",
            Self::None => "none",
            Self::Critical => "critical",
            Self::Id => "id",
            Self::Other(token) => token,
        })
    }
}

/// A `Privacy` line that is not a `;`-separated list of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Privacy line {line}: {error}")]
pub struct PrivacyError {
    /// Which `Privacy` line (0 for the first).
    pub line: usize,
    /// What was expected, and where in that line's value.
    #[source]
    pub error: ParseError,
}

/// The privacy a message asks for: the `Privacy` header (RFC 3323 §4.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Privacy {
    values: Vec<PrivValue>,
}

impl Privacy {
    /// Reads one header value: `priv-value *(";" priv-value)`.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let mut values = Vec::new();
        for item in split_list(value, b';', 0)? {
            let mut cursor = Cursor::with_base(item.value, item.offset);
            let token = cursor.token()?;
            cursor.end("';' or end of list")?;
            values.push(PrivValue::from_token(token));
        }
        if values.is_empty() {
            return Err(ParseError {
                offset: 0,
                expected: "priv-value",
            });
        }
        Ok(Self { values })
    }

    /// The values of every `Privacy` line together, in order; `None` when
    /// there is no `Privacy` line.
    pub fn from_headers(headers: &Headers) -> Result<Option<Self>, PrivacyError> {
        let mut all: Option<Self> = None;
        for (line, value) in headers.values(PRIVACY).enumerate() {
            let privacy = Self::parse(value).map_err(|error| PrivacyError { line, error })?;
            all.get_or_insert_with(Self::default)
                .values
                .extend(privacy.values);
        }
        Ok(all)
    }

    /// The values, in order.
    #[must_use]
    pub fn values(&self) -> &[PrivValue] {
        &self.values
    }

    /// Whether `value` is asked for.
    #[must_use]
    pub fn contains(&self, value: &PrivValue) -> bool {
        self.values.contains(value)
    }
}

impl fmt::Display for Privacy {
    /// The header value, `id;critical`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, value) in self.values.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{value}")?;
        }
        Ok(())
    }
}
