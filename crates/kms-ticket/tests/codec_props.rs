//! Property tests: every payload and message emitted parses back to the same
//! value; whatever parses emits back to the same bytes; nothing panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kms_ticket::codec::*;
use proptest::collection::vec;
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max)
}

fn key_bytes(max: usize) -> impl Strategy<Value = KeyBytes> {
    bytes(max).prop_map(|b| KeyBytes::from_slice(&b).unwrap())
}

fn kv() -> impl Strategy<Value = KeyValidity> {
    prop_oneof![
        Just(KeyValidity::Null),
        bytes(8).prop_map(KeyValidity::Spi),
        (bytes(8), bytes(8)).prop_map(|(from, to)| KeyValidity::Interval { from, to }),
    ]
}

fn key_data() -> impl Strategy<Value = KeyData> {
    (
        0u8..4,
        key_bytes(40),
        proptest::option::of(key_bytes(20)),
        kv(),
    )
        .prop_map(|(t, key, salt, kv)| {
            let key_type =
                [KeyType::Tgk, KeyType::Tek, KeyType::Gtgk, KeyType::Mpk][usize::from(t)];
            let salt = if key_type == KeyType::Mpk { None } else { salt };
            KeyData {
                key_type,
                key,
                salt,
                kv,
            }
        })
}

fn mac_alg() -> impl Strategy<Value = MacAlg> {
    prop_oneof![
        Just(MacAlg::Null),
        Just(MacAlg::HmacSha1_160),
        Just(MacAlg::HmacSha256_256)
    ]
}

fn mac() -> impl Strategy<Value = (MacAlg, Vec<u8>)> {
    mac_alg().prop_flat_map(|alg| (Just(alg), vec(any::<u8>(), alg.mac_len())))
}

fn kemac() -> impl Strategy<Value = Kemac> {
    (
        any::<u8>(),
        prop_oneof![
            bytes(64),
            vec(key_data(), 0..3).prop_map(|k| {
                let mut out = Vec::new();
                KeyData::emit_chain(&k, &mut out);
                out
            })
        ],
        mac(),
    )
        .prop_map(|(e, encr_data, (mac_alg, mac))| Kemac {
            encr_alg: EncrAlg::from(e),
            encr_data,
            mac_alg,
            mac,
        })
}

fn ts() -> impl Strategy<Value = TsValue> {
    prop_oneof![
        any::<u64>().prop_map(TsValue::NtpUtc),
        any::<u64>().prop_map(TsValue::Ntp),
        any::<u32>().prop_map(TsValue::Counter),
        any::<u32>().prop_map(TsValue::NtpUtc32),
    ]
}

fn sp() -> impl Strategy<Value = SecurityPolicy> {
    (
        any::<u8>(),
        any::<u8>(),
        vec(
            (any::<u8>(), bytes(6)).prop_map(|(ptype, value)| PolicyParam { ptype, value }),
            0..8,
        ),
    )
        .prop_map(|(policy_no, prot_type, params)| SecurityPolicy {
            policy_no,
            prot_type,
            params,
        })
}

/// Payloads that may appear anywhere in a chain (not SIGN, not unknown).
fn middle_payload(nested: bool) -> BoxedStrategy<Payload> {
    let simple = prop_oneof![
        kemac().prop_map(Payload::Kemac),
        (0u8..4, bytes(40)).prop_map(|(cache, data)| Payload::Pke(Pke { cache, data })),
        (0u8..3, 0u8..16, kv()).prop_flat_map(|(group, reserved, kv)| {
            vec(any::<u8>(), Dh::value_len(group).unwrap()).prop_map(move |value| {
                Payload::Dh(Dh {
                    group,
                    value,
                    reserved,
                    kv: kv.clone(),
                })
            })
        }),
        ts().prop_map(|ts| Payload::T(Timestamp { ts })),
        (any::<u8>(), bytes(20)).prop_map(|(t, data)| Payload::Id(Id {
            id_type: IdType::from(t),
            data
        })),
        (any::<u8>(), bytes(20))
            .prop_map(|(cert_type, data)| Payload::Cert(Cert { cert_type, data })),
        (0u8..3).prop_flat_map(|f| vec(any::<u8>(), Chash::hash_len(f).unwrap())
            .prop_map(move |hash| Payload::Chash(Chash { hash_func: f, hash }))),
        mac().prop_map(|(mac_alg, mac)| Payload::V(Verification { mac_alg, mac })),
        sp().prop_map(Payload::Sp),
        bytes(32).prop_map(|rand| Payload::Rand(Rand { rand })),
        (any::<u8>(), any::<u16>()).prop_map(|(c, reserved)| Payload::Err(ErrorPayload {
            code: ErrorCode::from(c),
            reserved
        })),
        (any::<u8>(), ts()).prop_map(|(r, ts)| Payload::Tr(TimestampRole {
            role: TsRole::from(r),
            ts
        })),
        (any::<u8>(), any::<u8>(), bytes(20)).prop_map(|(r, t, data)| Payload::Idr(IdRole {
            role: IdRoleKind::from(r),
            id_type: IdType::from(t),
            data
        })),
        (any::<u8>(), bytes(32)).prop_map(|(r, rand)| Payload::Randr(RandRole {
            role: RandRoleKind::from(r),
            rand
        })),
        key_data().prop_map(|k| Payload::KeyData(Box::new(k))),
        (any::<u8>(), bytes(20))
            .prop_map(|(ext_type, data)| Payload::GeneralExt(GeneralExt { ext_type, data })),
    ];
    if nested {
        simple.boxed()
    } else {
        prop_oneof![
            4 => simple,
            1 => ticket_policy().prop_map(Payload::Tp),
            1 => ticket().prop_map(Payload::Ticket),
        ]
        .boxed()
    }
}

/// A payload allowed only last: SIGN or an unknown type.
fn last_payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        (0u8..16, bytes(64))
            .prop_map(|(s_type, signature)| Payload::Sign(Sign { s_type, signature })),
        (prop_oneof![18u8..=19, 22u8..=255], bytes(20))
            .prop_map(|(payload_type, rest)| Payload::Unknown { payload_type, rest }),
    ]
}

fn chain(nested: bool) -> impl Strategy<Value = Vec<Payload>> {
    (
        vec(middle_payload(nested), 0..5),
        proptest::option::of(last_payload()),
    )
        .prop_map(|(mut v, last)| {
            v.extend(last);
            v
        })
}

fn ticket_policy() -> impl Strategy<Value = TicketPolicy> {
    (
        any::<u16>(),
        any::<u8>(),
        any::<u8>(),
        0u8..128,
        0u32..=TicketFlags::ALL,
        chain(true),
    )
        .prop_map(
            |(ticket_type, subtype, version, prf, flags, tp_data)| TicketPolicy {
                ticket_type,
                subtype,
                version,
                prf: PrfFunc::from(prf),
                flags: TicketFlags(flags),
                tp_data,
            },
        )
}

fn ticket() -> impl Strategy<Value = Ticket> {
    (ticket_policy(), bytes(40), bytes(20)).prop_map(|(policy, ticket_data, initiator_data)| {
        Ticket {
            policy,
            ticket_data,
            initiator_data,
        }
    })
}

fn cs_map() -> impl Strategy<Value = CsIdMap> {
    prop_oneof![
        vec(
            (any::<u8>(), any::<u32>(), any::<u32>()).prop_map(|(policy_no, ssrc, roc)| SrtpCs {
                policy_no,
                ssrc,
                roc
            }),
            0..5
        )
        .prop_map(CsIdMap::SrtpId),
        Just(CsIdMap::Empty),
        vec(
            (
                any::<u8>(),
                any::<u8>(),
                any::<bool>(),
                bytes(5),
                bytes(12),
                bytes(6)
            )
                .prop_map(|(cs_id, prot_type, s_flag, policies, session_data, spi)| {
                    GenericCs {
                        cs_id,
                        prot_type,
                        s_flag,
                        policies,
                        session_data,
                        spi,
                    }
                }),
            0..4
        )
        .prop_map(CsIdMap::GenericId),
    ]
}

fn header() -> impl Strategy<Value = Header> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
        0u8..128,
        any::<u32>(),
        cs_map(),
    )
        .prop_map(|(version, dt, v_flag, prf, csb_id, cs_map)| Header {
            version,
            data_type: DataType::from(dt),
            v_flag,
            prf: PrfFunc::from(prf),
            csb_id,
            cs_map,
        })
}

fn message() -> impl Strategy<Value = Message> {
    (header(), chain(false)).prop_map(|(header, payloads)| Message { header, payloads })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn message_round_trips(m in message()) {
        let bytes = m.to_bytes();
        prop_assert_eq!(Message::parse(&bytes), Ok(m.clone()));
        // The last payload's MAC is the message's last bytes.
        if let Some(Payload::V(v)) = m.payloads.last() {
            prop_assert!(bytes.ends_with(&v.mac));
        }
        if let Some(Payload::Kemac(k)) = m.payloads.last() {
            prop_assert!(bytes.ends_with(&k.mac));
        }
    }

    #[test]
    fn key_mgmt_round_trips(m in message(), protocol in "[a-z0-9][a-z0-9-]{0,9}", data in bytes(80)) {
        let km = KeyMgmt::mikey(&m);
        prop_assert_eq!(KeyMgmt::parse(&km.to_string()).unwrap().message(), Ok(m));
        let other = KeyMgmt { protocol, data };
        let line = format!("{other}\r\n");
        if other.data.is_empty() {
            prop_assert!(KeyMgmt::parse(&line).is_err());
        } else {
            prop_assert_eq!(KeyMgmt::parse(&line), Ok(other));
        }
    }

    #[test]
    fn chains_round_trip(c in chain(false)) {
        let mut out = Vec::new();
        emit_chain(&c, &mut out);
        prop_assert_eq!(parse_chain(&out), Ok(c));
    }

    #[test]
    fn ticket_data_round_trips(header in bytes(10), payloads in chain(false)) {
        let td = TicketData { header: TicketHeader { data: header }, payloads };
        prop_assert_eq!(TicketData::parse(&td.to_bytes()), Ok(td));
    }

    #[test]
    fn key_data_chains_round_trip(keys in vec(key_data(), 0..4)) {
        let mut out = Vec::new();
        KeyData::emit_chain(&keys, &mut out);
        if keys.is_empty() {
            prop_assert!(out.is_empty());
        } else {
            prop_assert_eq!(KeyData::parse_chain(&out), Ok(keys));
        }
    }

    #[test]
    fn srtp_policies_round_trip_typed(sp in sp()) {
        if let Ok(typed) = sp.srtp_policy() {
            let again = SecurityPolicy::srtp(sp.policy_no, &typed);
            prop_assert_eq!(again.srtp_policy(), Ok(typed));
        }
    }

    #[test]
    fn random_bytes_never_panic_and_what_parses_emits_the_same_bytes(data in bytes(200)) {
        if let Ok(m) = Message::parse(&data) {
            prop_assert_eq!(m.to_bytes(), data.clone());
        }
        if let Ok(c) = parse_chain(&data) {
            let mut out = Vec::new();
            emit_chain(&c, &mut out);
            prop_assert_eq!(&out, &data);
        }
        if let Ok(td) = TicketData::parse(&data) {
            prop_assert_eq!(td.to_bytes(), data.clone());
        }
        if let Ok(keys) = KeyData::parse_chain(&data) {
            let mut out = Vec::new();
            KeyData::emit_chain(&keys, &mut out);
            prop_assert_eq!(&out, &data);
        }
        let _ = KeyData::parse_pk_plaintext(&data);
    }

    #[test]
    fn mutated_messages_never_panic_and_round_trip_when_accepted(
        m in message(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut data = m.to_bytes();
        for (at, b) in edits {
            let i = at.index(data.len());
            data[i] = b;
        }
        let data = &data[..cut.index(data.len() + 1)];
        if let Ok(m) = Message::parse(data) {
            prop_assert_eq!(m.to_bytes(), data.to_vec());
        }
    }

    #[test]
    fn random_lines_never_panic(line in "(a=)?key-mgmt:[ -~]{0,60}(\r\n)?", any_line in "\\PC{0,40}") {
        for l in [&line, &any_line] {
            if let Ok(km) = KeyMgmt::parse(l) {
                prop_assert_eq!(KeyMgmt::parse(&km.to_string()), Ok(km.clone()));
                let _ = km.message();
            }
        }
    }
}
