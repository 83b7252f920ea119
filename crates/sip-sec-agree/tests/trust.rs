//! Trust-domain privacy: TS 33.203 §5.3 and §6.5, RFC 3325, RFC 3323, and the
//! service partner table of seed 004.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::IpAddr;

use proptest::prelude::*;
use sip_sec_agree::trust::{
    AddressRange, AddressRangeError, Classification, DomainNameError, DomainPattern, Network,
    Partner, Peer, PrivValue, Privacy, PrivacyError, Rule, TrustPolicy, UntrustedEgress,
};
use sip_sec_agree::Headers;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The operator (cisco.com in RFC 3325 §10), an IMS partner reached over
/// TLS or by address, and a non-IMS SIP provider (pstn.net in §10.1).
fn policy() -> TrustPolicy {
    TrustPolicy::new()
        .with_own_domain("*.cisco.com".parse().unwrap())
        .with_own_range("10.0.0.0/8".parse().unwrap())
        .with_own_range("2001:db8:c::/48".parse().unwrap())
        .with_partner(
            Partner::new("Carrier B IMS", Network::Ims)
                .with_domain("*.ims.carrier-b.net".parse().unwrap())
                .with_range("198.51.100.0/24".parse().unwrap())
                .with_range("2001:db8:b::/48".parse().unwrap()),
        )
        .with_partner(
            Partner::new("PSTN gateway provider", Network::NonIms)
                .with_domain("proxy.pstn.net".parse().unwrap())
                .with_range("192.0.2.0/25".parse().unwrap()),
        )
}

fn headers(lines: &[(&str, &str)]) -> Headers {
    let mut headers = Headers::new();
    for (name, value) in lines {
        headers.push(*name, *value).unwrap();
    }
    headers
}

/// RFC 3325 §10.1 F4, proxy.cisco.com -> proxy.pstn.net (trusted).
fn rfc3325_10_1_f4() -> Headers {
    headers(&[
        ("Via", "SIP/2.0/TCP useragent.cisco.com;branch=z9hG4bK-124"),
        ("Via", "SIP/2.0/TCP proxy.cisco.com;branch=z9hG4bK-abc"),
        ("To", "<sip:+14085551212@cisco.com>"),
        (
            "From",
            "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=9802748",
        ),
        ("Call-ID", "245780247857024504"),
        ("CSeq", "2 INVITE"),
        ("Max-Forwards", "69"),
        (
            "P-Asserted-Identity",
            "\"Cullen Jennings\" <sip:fluffy@cisco.com>",
        ),
        ("P-Asserted-Identity", "tel:+14085264000"),
        ("Privacy", "id"),
    ])
}

/// RFC 3325 §10.2 F4, proxy.cisco.com -> outbound.cisco.com (trusted), as
/// outbound.cisco.com is about to forward it to proxy.biloxi.com.
fn rfc3325_10_2_f4() -> Headers {
    headers(&[
        ("Via", "SIP/2.0/TCP useragent.cisco.com;branch=z9hG4bK-a123"),
        ("Via", "SIP/2.0/TCP proxy.cisco.com;branch=z9hG4bK-b234"),
        ("To", "<sip:bob@biloxi.com>"),
        (
            "From",
            "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=9802748",
        ),
        ("Call-ID", "245780247857024504"),
        ("CSeq", "2 INVITE"),
        ("Max-Forwards", "69"),
        (
            "P-Asserted-Identity",
            "\"Cullen Jennings\" <sip:fluffy@vovida.org>",
        ),
        ("Privacy", "id"),
    ])
}

fn names(headers: &Headers) -> Vec<String> {
    headers.iter().map(|h| h.name().to_owned()).collect()
}

#[test]
fn untrusted_peer_loses_asserted_identity_on_the_way_in() {
    let policy = policy();
    let mut message = rfc3325_10_1_f4();
    let internet = Peer::new(ip("203.0.113.50"));
    let decision = policy.inbound(&internet, &mut message);
    assert_eq!(decision.classification, Classification::Untrusted);
    assert_eq!(decision.rule, Rule::UntrustedSender);
    assert_eq!(decision.asserted_identity_removed, 2);
    assert!(!message.contains("P-Asserted-Identity"));
    assert_eq!(message.len(), 8);
}

#[test]
fn trusted_partner_retains_asserted_identity_on_the_way_in() {
    let policy = policy();
    let original = rfc3325_10_1_f4();
    let mut message = original.clone();
    let partner = Peer::new(ip("198.51.100.20"));
    let decision = policy.inbound(&partner, &mut message);
    assert_eq!(decision.rule, Rule::TrustedPeer);
    assert!(!decision.removed_any());
    assert_eq!(message, original);
}

#[test]
fn trusted_partner_by_tls_name_keeps_identity() {
    // RFC 3325 §10.1 F4 -> F5: the asserted identities reach the trusted gateway.
    let policy = policy();
    let original = rfc3325_10_1_f4();
    let mut message = original.clone();
    let pstn = Peer::tls(ip("203.0.113.7"), "proxy.pstn.net");
    let decision = policy.outbound(&pstn, &mut message);
    let Classification::TrustedNonIms(partner) = decision.classification else {
        panic!("{:?}", decision.classification);
    };
    assert_eq!(partner.label(), "PSTN gateway provider");
    assert_eq!(decision.rule, Rule::TrustedPeer);
    assert_eq!(message, original);
}

#[test]
fn privacy_id_towards_untrusted_network_removes_asserted_identity() {
    // RFC 3325 §10.2 F4 -> F5: outbound.cisco.com to proxy.biloxi.com (not trusted).
    let policy = policy();
    let mut message = rfc3325_10_2_f4();
    let biloxi = Peer::tls(ip("203.0.113.80"), "proxy.biloxi.com");
    let decision = policy.outbound(&biloxi, &mut message);
    assert_eq!(decision.rule, Rule::PrivacyId);
    assert_eq!(decision.asserted_identity_removed, 1);
    // F5 carries everything else (the proxy's own Via and Max-Forwards aside),
    // Privacy: id included, so later hops still honour it.
    assert_eq!(
        names(&message),
        [
            "Via",
            "Via",
            "To",
            "From",
            "Call-ID",
            "CSeq",
            "Max-Forwards",
            "Privacy"
        ]
    );
    assert_eq!(message.first("Privacy"), Some("id"));
}

#[test]
fn untrusted_network_loses_identity_even_without_privacy_request() {
    // TS 33.203 §5.3: "the privacy information shall be removed from the
    // traffic towards the foreign network".
    let policy = policy();
    let mut message = headers(&[("P-Asserted-Identity", "<sip:alice@cisco.com>")]);
    let decision = policy.outbound(&Peer::new(ip("203.0.113.1")), &mut message);
    assert_eq!(decision.rule, Rule::OperatorPolicy);
    assert_eq!(decision.asserted_identity_removed, 1);
    assert!(message.is_empty());

    // Privacy: none does not override the operator's rule.
    let mut message = headers(&[
        ("P-Asserted-Identity", "<sip:alice@cisco.com>"),
        ("Privacy", "none"),
    ]);
    let decision = policy.outbound(&Peer::new(ip("203.0.113.1")), &mut message);
    assert_eq!(decision.rule, Rule::OperatorPolicy);
    assert_eq!(names(&message), ["Privacy"]);
}

#[test]
fn rfc3325_policy_keeps_identity_unless_id_is_requested() {
    // RFC 3325 §7: without a Privacy header the proxy MAY keep it (RECOMMENDED),
    // with "none" it MUST NOT remove it, with "id" it MUST remove it.
    let policy = policy().with_untrusted_egress(UntrustedEgress::AsRequested);
    let stranger = Peer::new(ip("203.0.113.1"));
    for privacy in [None, Some("none"), Some("user; header")] {
        let mut message = headers(&[("P-Asserted-Identity", "<sip:alice@cisco.com>")]);
        if let Some(privacy) = privacy {
            message.push("Privacy", privacy).unwrap();
        }
        let original = message.clone();
        let decision = policy.outbound(&stranger, &mut message);
        assert_eq!(decision.rule, Rule::NoPrivacyRequested, "{privacy:?}");
        assert_eq!(message, original);
    }
    let mut message = headers(&[
        ("P-Asserted-Identity", "<sip:alice@cisco.com>"),
        ("Privacy", "user"),
        ("privacy", "ID;critical"),
    ]);
    let decision = policy.outbound(&stranger, &mut message);
    assert_eq!(decision.rule, Rule::PrivacyId);
    assert_eq!(names(&message), ["Privacy", "privacy"]);
}

#[test]
fn unreadable_privacy_is_treated_as_asking_for_id() {
    let policy = policy().with_untrusted_egress(UntrustedEgress::AsRequested);
    let mut message = headers(&[
        ("Privacy", "user"),
        ("Privacy", "id, user"),
        ("P-Asserted-Identity", "<sip:alice@cisco.com>"),
    ]);
    let decision = policy.outbound(&Peer::new(ip("203.0.113.1")), &mut message);
    let Rule::UnreadablePrivacy(PrivacyError { line, error }) = decision.rule else {
        panic!("{:?}", decision.rule);
    };
    assert_eq!((line, error.offset), (1, 2));
    assert_eq!(decision.asserted_identity_removed, 1);
}

#[test]
fn preferred_identity_never_leaves_the_trust_domain() {
    // RFC 3325 §10.2 F1/F3 as the UE sends it: the hint is for the first proxy.
    let f3 = headers(&[
        ("Via", "SIP/2.0/TCP useragent.cisco.com;branch=z9hG4bK-a123"),
        ("To", "<sip:bob@biloxi.com>"),
        ("Privacy", "id"),
        (
            "P-Preferred-Identity",
            "\"Cullen Jennings\" <sip:fluffy@cisco.com>",
        ),
        (
            "Proxy-Authorization",
            ".... realm=\"cisco.com\" user=\"fluffy\"",
        ),
    ]);
    let policy = policy();
    let ue = Peer::new(ip("203.0.113.99"));

    // Received from the (untrusted) UE, the hint stays for the proxy to use.
    let mut received = f3.clone();
    let decision = policy.inbound(&ue, &mut received);
    assert_eq!(received, f3);
    assert!(!decision.removed_any());

    // Sent to an untrusted peer, it goes, in either egress mode.
    for egress in [UntrustedEgress::Withhold, UntrustedEgress::AsRequested] {
        let mut sent = f3.clone();
        let policy = policy.clone().with_untrusted_egress(egress);
        let decision = policy.outbound(&ue, &mut sent);
        assert_eq!(decision.preferred_identity_removed, 1);
        assert!(!sent.contains("P-Preferred-Identity"));
        assert_eq!(sent.len(), 4);
    }

    // Inside the trust domain nothing is touched.
    let mut sent = f3.clone();
    policy.outbound(&Peer::new(ip("10.1.2.3")), &mut sent);
    assert_eq!(sent, f3);
}

#[test]
fn address_ranges_classify_ims_and_non_ims_traffic() {
    // Seed 004 REQ1 and §5.2.1: without TLS the address range decides.
    let policy = policy();
    let classify = |address: &str| policy.classify(&Peer::new(ip(address)));

    for own in [
        "10.0.0.1",
        "10.255.255.255",
        "2001:db8:c::5",
        "::ffff:10.9.9.9",
    ] {
        assert_eq!(classify(own), Classification::OwnNetwork, "{own}");
        assert!(classify(own).is_ims());
    }
    for ims in ["198.51.100.0", "198.51.100.255", "2001:db8:b:ffff::1"] {
        let class = classify(ims);
        assert!(matches!(class, Classification::TrustedIms(p) if p.label() == "Carrier B IMS"));
        assert!(class.is_trusted() && class.is_ims(), "{ims}");
    }
    for non_ims in ["192.0.2.0", "192.0.2.127"] {
        let class = classify(non_ims);
        assert!(
            matches!(class, Classification::TrustedNonIms(_)),
            "{non_ims}"
        );
        assert!(class.is_trusted() && !class.is_ims());
        assert_eq!(class.partner().unwrap().network(), Network::NonIms);
    }
    for stranger in [
        "192.0.2.128",
        "11.0.0.1",
        "198.51.101.1",
        "2001:db8:d::1",
        "::1",
    ] {
        assert_eq!(classify(stranger), Classification::Untrusted, "{stranger}");
        assert!(!classify(stranger).is_ims());
    }
}

#[test]
fn tls_name_decides_even_inside_a_partner_address_range() {
    // TS 33.203 §6.5 / seed 004 §5.1.1: a TLS peer is judged by its certificate.
    let policy = policy();
    let inside_range = ip("198.51.100.20");
    assert_eq!(
        policy.classify(&Peer::tls(inside_range, "sbc.evil.example")),
        Classification::Untrusted
    );
    assert!(matches!(
        policy.classify(&Peer::tls(ip("203.0.113.1"), "icscf.ims.carrier-b.net")),
        Classification::TrustedIms(_)
    ));
    assert_eq!(
        policy.classify(&Peer::tls(ip("203.0.113.1"), "scscf1.cisco.com")),
        Classification::OwnNetwork
    );
}

#[test]
fn certificate_names_match_without_regard_to_case_or_a_trailing_dot() {
    let policy = policy();
    for name in [
        "PROXY.pstn.NET",
        "proxy.pstn.net.",
        "ICSCF.Ims.Carrier-B.Net.",
    ] {
        assert!(
            policy
                .classify(&Peer::tls(ip("203.0.113.1"), name))
                .is_trusted(),
            "{name}"
        );
    }
    for name in [
        "proxy.pstn.net..",
        "*.ims.carrier-b.net",
        "proxy .pstn.net",
        "",
        ".",
    ] {
        assert!(
            !policy
                .classify(&Peer::tls(ip("198.51.100.1"), name))
                .is_trusted(),
            "{name:?}"
        );
    }
}

#[test]
fn subdomain_rule_matches_names_below_but_not_the_domain_itself() {
    let rule: DomainPattern = "*.Carrier-A.net.".parse().unwrap();
    assert_eq!(rule.to_string(), "*.carrier-a.net");
    assert!(rule.matches("pcscf.carrier-a.net"));
    assert!(rule.matches("a.b.trusted.carrier-a.net"));
    assert!(!rule.matches("carrier-a.net"));
    assert!(!rule.matches("evilcarrier-a.net"));
    assert!(!rule.matches("carrier-a.net.evil.com"));
    let exact: DomainPattern = "sip.carrier-b.com".parse().unwrap();
    assert!(exact.matches("SIP.carrier-b.com."));
    assert!(!exact.matches("x.sip.carrier-b.com"));
}

#[test]
fn domain_patterns_refuse_what_is_not_a_host_name() {
    let err = |s: &str| s.parse::<DomainPattern>().unwrap_err();
    assert_eq!(err("a.*.net"), DomainNameError::Wildcard);
    assert_eq!(err("*a.net"), DomainNameError::Wildcard);
    assert_eq!(err("*"), DomainNameError::Wildcard);
    assert_eq!(err(""), DomainNameError::Label);
    assert_eq!(err("a..net"), DomainNameError::Label);
    assert_eq!(err("-a.net"), DomainNameError::Label);
    assert_eq!(err("a_b.net"), DomainNameError::Label);
    assert_eq!(err(&"a".repeat(64)), DomainNameError::Label);
    assert_eq!(
        err(&format!("{}a", "a.".repeat(127))),
        DomainNameError::TooLong
    );
    assert!(format!("{}a", "a.".repeat(126))
        .parse::<DomainPattern>()
        .is_ok());
}

#[test]
fn own_network_is_checked_first_then_partners_in_table_order() {
    let overlapping = TrustPolicy::new()
        .with_own_range("10.0.0.0/8".parse().unwrap())
        .with_partner(
            Partner::new("first", Network::NonIms).with_range("10.0.0.0/8".parse().unwrap()),
        )
        .with_partner(
            Partner::new("second", Network::Ims).with_range("11.0.0.0/8".parse().unwrap()),
        )
        .with_partner(
            Partner::new("third", Network::Ims).with_range("11.1.0.0/16".parse().unwrap()),
        );
    assert_eq!(
        overlapping.classify(&Peer::new(ip("10.1.1.1"))),
        Classification::OwnNetwork
    );
    let partner = overlapping
        .classify(&Peer::new(ip("11.1.1.1")))
        .partner()
        .unwrap();
    assert_eq!(partner.label(), "second");
    assert_eq!(overlapping.partners().len(), 3);
}

#[test]
fn an_empty_policy_trusts_no_one() {
    let policy = TrustPolicy::new();
    for peer in [Peer::new(ip("10.0.0.1")), Peer::tls(ip("::1"), "localhost")] {
        assert_eq!(policy.classify(&peer), Classification::Untrusted);
    }
}

#[test]
fn privacy_values_parse_from_the_shared_lexer() {
    // RFC 3323 §4.2: priv-value *(";" priv-value); RFC 3325 §9.3 adds "id".
    let privacy = Privacy::parse("id; user").unwrap();
    assert_eq!(privacy.values(), [PrivValue::Id, PrivValue::User]);
    let privacy = Privacy::parse("ID;Critical").unwrap();
    assert_eq!(privacy.values(), [PrivValue::Id, PrivValue::Critical]);
    assert_eq!(privacy.to_string(), "id;critical");
    let privacy = Privacy::parse("header;session;\r\n none ; history").unwrap();
    assert_eq!(
        privacy.values(),
        [
            PrivValue::Header,
            PrivValue::Session,
            PrivValue::None,
            PrivValue::Other("history".into())
        ]
    );
    assert_eq!(Privacy::parse(&privacy.to_string()).unwrap(), privacy);

    let message = headers(&[("Privacy", "user"), ("To", "<sip:b@x>"), ("PRIVACY", "id")]);
    let privacy = Privacy::from_headers(&message).unwrap().unwrap();
    assert!(privacy.contains(&PrivValue::Id) && privacy.contains(&PrivValue::User));
    assert_eq!(Privacy::from_headers(&Headers::new()), Ok(None));
}

#[test]
fn malformed_privacy_says_where() {
    let at = |s: &str| {
        Privacy::parse(s)
            .map(|_| ())
            .map_err(|e| (e.offset, e.expected))
    };
    assert_eq!(at(""), Err((0, "priv-value")));
    assert_eq!(at(" ; "), Err((0, "priv-value")));
    assert_eq!(at("id user"), Err((3, "';' or end of list")));
    assert_eq!(at("id;=x"), Err((3, "token")));
    assert_eq!(at("id;\"user\""), Err((3, "token")));
    let message = headers(&[("Privacy", "id"), ("Privacy", "id;\"open")]);
    assert_eq!(Privacy::from_headers(&message).unwrap_err().line, 1);
}

mod address_range {
    use super::*;

    fn range(s: &str) -> AddressRange {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_prefix_contains_its_first_and_last_address_only() {
        let r = range("192.0.2.0/24");
        assert_eq!((r.network(), r.prefix_len()), (ip("192.0.2.0"), 24));
        assert!(r.contains(ip("192.0.2.0")) && r.contains(ip("192.0.2.255")));
        assert!(!r.contains(ip("192.0.1.255")) && !r.contains(ip("192.0.3.0")));
        assert!(!r.contains(ip("2001:db8::1")));
        assert_eq!(r.to_string(), "192.0.2.0/24");
    }

    #[test]
    fn ipv6_prefix_contains_its_first_and_last_address_only() {
        let r = range("2001:db8::/32");
        assert!(r.contains(ip("2001:db8::")));
        assert!(r.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!r.contains(ip("2001:db7:ffff::1")) && !r.contains(ip("2001:db9::")));
        assert!(!r.contains(ip("192.0.2.1")));
        assert_eq!(r.to_string(), "2001:db8::/32");
        let odd = range("2001:db8:8000::/33");
        assert!(odd.contains(ip("2001:db8:8000::1")) && !odd.contains(ip("2001:db8:7fff::1")));
    }

    #[test]
    fn zero_prefixes_hold_a_whole_family() {
        assert!(range("0.0.0.0/0").contains(ip("255.255.255.255")));
        assert!(range("0.0.0.0/0").contains(ip("::ffff:1.2.3.4")));
        assert!(!range("0.0.0.0/0").contains(ip("2001:db8::1")));
        assert!(range("::/0").contains(ip("ffff::1")));
        assert!(!range("::/0").contains(ip("1.2.3.4")));
    }

    #[test]
    fn full_length_prefixes_and_bare_addresses_hold_one_address() {
        for (text, member, neighbour) in [
            ("192.0.2.7/32", "192.0.2.7", "192.0.2.6"),
            ("192.0.2.7", "192.0.2.7", "192.0.2.8"),
            ("2001:db8::7/128", "2001:db8::7", "2001:db8::6"),
            ("2001:db8::7", "2001:db8::7", "2001:db8::8"),
        ] {
            let r = range(text);
            assert!(
                r.contains(ip(member)) && !r.contains(ip(neighbour)),
                "{text}"
            );
        }
        assert_eq!(range("192.0.2.7").prefix_len(), 32);
        assert_eq!(range("2001:db8::7").prefix_len(), 128);
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_ranges() {
        assert!(range("192.0.2.0/24").contains(ip("::ffff:192.0.2.9")));
        assert!(range("::ffff:192.0.2.0/120").contains(ip("::ffff:192.0.2.9")));
    }

    #[test]
    fn bad_ranges_are_refused() {
        use AddressRangeError as E;
        let err = |s: &str| s.parse::<AddressRange>().unwrap_err();
        assert_eq!(err("192.0.2.1/24"), E::HostBitsSet);
        assert_eq!(err("2001:db8::1/32"), E::HostBitsSet);
        assert_eq!(err("0.0.0.1/0"), E::HostBitsSet);
        assert_eq!(
            err("192.0.2.0/33"),
            E::PrefixTooLong {
                prefix_len: 33,
                max: 32
            }
        );
        assert_eq!(
            err("::/129"),
            E::PrefixTooLong {
                prefix_len: 129,
                max: 128
            }
        );
        assert_eq!(
            err("::/999"),
            E::PrefixTooLong {
                prefix_len: 999,
                max: 128
            }
        );
        for bad_prefix in [
            "1.2.3.0/",
            "1.2.3.0/+8",
            "1.2.3.0/-8",
            "1.2.3.0/0x8",
            "::/0128",
            "::/ 8",
        ] {
            assert_eq!(err(bad_prefix), E::PrefixLength, "{bad_prefix}");
        }
        for bad_address in [
            "",
            "/8",
            "192.0.2/24",
            "300.0.0.0/8",
            "fe80::1%eth0/64",
            "host/8",
        ] {
            assert_eq!(err(bad_address), E::Address, "{bad_address}");
        }
        assert_eq!(
            AddressRange::new(ip("10.0.0.0"), 40),
            Err(E::PrefixTooLong {
                prefix_len: 40,
                max: 32
            })
        );
    }
}

fn header_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "P-Asserted-Identity",
        "p-asserted-identity",
        "P-ASSERTED-IDENTITY",
        "P-Asserted-Identity-X",
        "P-Preferred-Identity",
        "p-preferred-identity",
        "Privacy",
        "Via",
        "v",
        "From",
        "Security-Verify",
    ])
}

fn header_list() -> impl Strategy<Value = Headers> {
    prop::collection::vec((header_name(), "[ -~]{0,24}"), 0..12).prop_map(|lines| {
        let mut headers = Headers::new();
        for (name, value) in lines {
            headers.push(name, value.trim()).unwrap();
        }
        headers
    })
}

fn egress() -> impl Strategy<Value = UntrustedEgress> {
    prop_oneof![
        Just(UntrustedEgress::Withhold),
        Just(UntrustedEgress::AsRequested)
    ]
}

fn without(headers: &Headers, removed: &[&str]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|h| !removed.iter().any(|name| h.is(name)))
        .map(|h| (h.name().to_owned(), h.value().to_owned()))
        .collect()
}

proptest! {
    #[test]
    fn asserted_identity_never_reaches_an_untrusted_peer_and_nothing_else_changes(
        original in header_list(), address in any::<IpAddr>(),
    ) {
        let policy = policy();
        let peer = Peer::new(address);
        prop_assume!(!policy.classify(&peer).is_trusted());
        let mut sent = original.clone();
        let decision = policy.outbound(&peer, &mut sent);
        prop_assert!(!sent.contains("P-Asserted-Identity"));
        prop_assert!(!sent.contains("P-Preferred-Identity"));
        let kept = without(&original, &["P-Asserted-Identity", "P-Preferred-Identity"]);
        prop_assert_eq!(without(&sent, &[]), kept);
        prop_assert_eq!(
            decision.asserted_identity_removed + decision.preferred_identity_removed,
            original.len() - sent.len()
        );

        let mut received = original.clone();
        policy.inbound(&peer, &mut received);
        prop_assert_eq!(without(&received, &[]), without(&original, &["P-Asserted-Identity"]));
    }

    #[test]
    fn privacy_id_is_honoured_in_either_egress_mode(
        original in header_list(), mode in egress(), tls_name in "[a-z.*-]{0,16}",
    ) {
        let policy = policy().with_untrusted_egress(mode);
        let peer = Peer::tls(IpAddr::from([203, 0, 113, 1]), &tls_name);
        prop_assume!(!policy.classify(&peer).is_trusted());
        let mut sent = original.clone();
        sent.push("Privacy", "id").unwrap();
        policy.outbound(&peer, &mut sent);
        prop_assert!(!sent.contains("P-Asserted-Identity"));
    }

    #[test]
    fn trusted_peers_get_the_message_unchanged(
        original in header_list(), mode in egress(), host in 0u8..=255,
    ) {
        let policy = policy().with_untrusted_egress(mode);
        for peer in [
            Peer::new(IpAddr::from([10, 0, 0, host])),
            Peer::new(IpAddr::from([198, 51, 100, host])),
            Peer::tls(IpAddr::from([203, 0, 113, host]), "proxy.pstn.net"),
        ] {
            let mut message = original.clone();
            prop_assert!(!policy.outbound(&peer, &mut message).removed_any());
            prop_assert!(!policy.inbound(&peer, &mut message).removed_any());
            prop_assert_eq!(&message, &original);
        }
    }

    #[test]
    fn address_ranges_agree_with_a_bitwise_reference(
        network in any::<u32>(), prefix_len in 0u8..=32, probe in any::<u32>(),
    ) {
        let mask = if prefix_len == 0 { 0 } else { u32::MAX << (32 - prefix_len) };
        let range = AddressRange::new(IpAddr::from((network & mask).to_be_bytes()), prefix_len).unwrap();
        prop_assert_eq!(range.contains(IpAddr::from(probe.to_be_bytes())), probe & mask == network & mask);
        prop_assert_eq!(range.to_string().parse::<AddressRange>(), Ok(range));
        prop_assert_eq!(
            AddressRange::new(IpAddr::from(network.to_be_bytes()), prefix_len).is_ok(),
            network & !mask == 0
        );
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,40}") {
        let _ = text.parse::<AddressRange>();
        let _ = text.parse::<DomainPattern>();
        let _ = Privacy::parse(&text);
        let _ = policy().classify(&Peer::tls(IpAddr::from([0, 0, 0, 0]), &text));
    }
}
