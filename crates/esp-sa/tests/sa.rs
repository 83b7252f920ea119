//! ESP transport mode end to end: RFC 3602's sample packets, round trips for
//! every algorithm pair, and refusals that leave the SA as it was.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use esp_sa::{
    Cipher, EncryptionAlgorithm, Error, InboundSa, IntegrityAlgorithm, OutboundSa, Replay,
    ReplayWindow, Transform,
};
use proptest::prelude::*;
use rand_core::{CryptoRng, RngCore};

mod common;
use common::{all_pairs, h, transform, Counter, FixedIv};

const NOW: Duration = Duration::ZERO;

fn encapsulate(
    sa: &mut OutboundSa,
    payload: &[u8],
    next_header: u8,
    rng: &mut (impl RngCore + CryptoRng),
) -> Vec<u8> {
    let mut buf = vec![0u8; sa.encapsulated_len(payload.len())];
    let at = sa.header_len();
    buf[at..at + payload.len()].copy_from_slice(payload);
    let n = sa
        .encapsulate(&mut buf, payload.len(), next_header, rng, NOW)
        .unwrap();
    assert_eq!(n, buf.len());
    buf
}

/// RFC 3602 §4 cases 5 and 6: transport-mode ESP with AES-CBC and no
/// authentication; the ESP part of "Post-encryption packet".
#[test]
fn rfc3602_transport_mode_packets_cases_5_and_6() {
    let key = h("90d382b4 10eeba7a d938c46c ec1a82bf");
    let cases = [
        (
            "case 5",
            1u64,
            "e96e8c08 ab465763 fd098d45 dd3ff893",
            "08000ebd a70a0000 8e9c083d b95b0700 08090a0b 0c0d0e0f 10111213 14151617
             18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637",
            "00004321 00000001 e96e8c08 ab465763 fd098d45 dd3ff893
             f663c25d 325c18c6 a9453e19 4e120849 a4870b66 cc6b9965 330013b4 898dc856
             a4699e52 3a55db08 0b59ec3a 8e4b7e52 775b07d1 db34ed9c 538ab50c 551b874a
             a269add0 47ad2d59 13ac19b7 cfbad4a6",
        ),
        (
            "case 6",
            8,
            "69d08df7 d203329d b093fc49 24e5bd80",
            "0800b5e8 a80a0500 a69c083d 0b660e00 77777777 77777777 77777777",
            "00004321 00000008 69d08df7 d203329d b093fc49 24e5bd80
             f5199588 1ec4e0c4 488987ce 742e8109 689bb379 d2d750c0 d915dca3 46a89f75",
        ),
    ];
    for (name, seq, iv, payload, packet) in cases {
        let cipher = Cipher::new(EncryptionAlgorithm::AesCbc128, &key).unwrap();
        let mut out = OutboundSa::new(0x4321, Transform::from_parts(cipher.clone(), None), false)
            .with_last_sequence_number(seq - 1);
        let wire = encapsulate(&mut out, &h(payload), 1, &mut FixedIv(h(iv)));
        assert_eq!(
            hex::encode(&wire),
            hex::encode(h(packet)),
            "RFC 3602 {name}: encapsulate"
        );

        let mut inbound = InboundSa::new(
            0x4321,
            Transform::from_parts(cipher, None),
            ReplayWindow::new(64, false).unwrap(),
        );
        let mut received = h(packet);
        let got = inbound.decapsulate(&mut received, NOW).unwrap();
        assert_eq!(
            (got.sequence_number, got.next_header),
            (seq, 1),
            "RFC 3602 {name}"
        );
        assert_eq!(
            &received[got.payload],
            &h(payload)[..],
            "RFC 3602 {name}: decapsulate"
        );
    }
}

fn pair(int: IntegrityAlgorithm, enc: EncryptionAlgorithm, esn: bool) -> (OutboundSa, InboundSa) {
    (
        OutboundSa::new(0xdead_beef, transform(int, enc), esn),
        InboundSa::new(
            0xdead_beef,
            transform(int, enc),
            ReplayWindow::new(64, esn).unwrap(),
        ),
    )
}

fn algorithms() -> impl Strategy<Value = (IntegrityAlgorithm, EncryptionAlgorithm, bool)> {
    (prop::sample::select(all_pairs()), any::<bool>()).prop_map(|((i, e), esn)| (i, e, esn))
}

proptest! {
    #[test]
    fn every_algorithm_pair_round_trips(
        (int, enc, esn) in algorithms(),
        payload in prop::collection::vec(any::<u8>(), 0..300),
        next_header in any::<u8>(),
        start in prop_oneof![Just(0u64), Just(u64::from(u32::MAX) - 2)],
    ) {
        let (out, inbound) = pair(int, enc, esn);
        let start = if esn { start } else { 0 };
        let mut out = out.with_last_sequence_number(start);
        // The receiver has seen the sender's last number, so it can infer
        // the high half of what follows (RFC 4303 A2.2).
        let mut window = inbound.window().clone();
        if start > 0 {
            window.accept(start).unwrap();
        }
        let mut inbound = InboundSa::new(inbound.spi(), transform(int, enc), window);
        let mut rng = Counter(7);
        for i in 0..3u64 {
            let mut wire = encapsulate(&mut out, &payload, next_header, &mut rng);
            let got = inbound.decapsulate(&mut wire, NOW).unwrap();
            prop_assert_eq!(got.next_header, next_header);
            prop_assert_eq!(&wire[got.payload], &payload[..]);
            prop_assert_eq!(got.sequence_number, out.last_sequence_number());
            prop_assert_eq!(out.last_sequence_number(), start + i + 1);
        }
    }

    /// With integrity, any single changed bit is refused and the inbound SA
    /// (its replay window) is exactly as it was.
    #[test]
    fn tampered_packets_are_refused_and_change_nothing(
        (int, enc, esn) in algorithms(),
        payload in prop::collection::vec(any::<u8>(), 0..100),
        bit in any::<prop::sample::Index>(),
    ) {
        // Integrity is what refuses a changed bit: skip encryption-only pairs.
        let int = if int == IntegrityAlgorithm::Null && enc != EncryptionAlgorithm::AesGcm {
            IntegrityAlgorithm::HmacSha196
        } else {
            int
        };
        let (mut out, mut inbound) = pair(int, enc, esn);
        let mut wire = encapsulate(&mut out, &payload, 17, &mut Counter(1));
        let i = bit.index(wire.len() * 8);
        wire[i / 8] ^= 1 << (i % 8);
        let before = inbound.window().clone();
        let err = inbound.decapsulate(&mut wire, NOW).unwrap_err();
        prop_assert!(matches!(err, Error::Icv | Error::Spi { .. } | Error::Replay(_)), "{err:?}");
        prop_assert_eq!(inbound.window(), &before);
    }
}

#[test]
fn replayed_packet_is_refused_after_the_first() {
    let (mut out, mut inbound) = pair(
        IntegrityAlgorithm::HmacSha196,
        EncryptionAlgorithm::AesCbc128,
        false,
    );
    let wire = encapsulate(
        &mut out,
        b"REGISTER sip:ims.example.net SIP/2.0",
        17,
        &mut Counter(3),
    );
    inbound.decapsulate(&mut wire.clone(), NOW).unwrap();
    let before = inbound.window().clone();
    assert_eq!(
        inbound.decapsulate(&mut wire.clone(), NOW),
        Err(Error::Replay(Replay::Duplicate))
    );
    assert_eq!(inbound.window(), &before);
}

#[test]
fn truncated_and_misaligned_packets_are_length_errors() {
    let (mut out, mut inbound) = pair(
        IntegrityAlgorithm::HmacSha196,
        EncryptionAlgorithm::AesCbc128,
        false,
    );
    let wire = encapsulate(&mut out, b"hello", 17, &mut Counter(3));
    for len in [0, 7, 8, 24, wire.len() - 1, wire.len() - 13] {
        let mut short = wire[..len].to_vec();
        assert!(
            matches!(
                inbound.decapsulate(&mut short, NOW),
                Err(Error::Length { .. })
            ),
            "length {len}"
        );
    }
    let mut wrong_spi = wire.clone();
    wrong_spi[0] ^= 0x80;
    assert!(matches!(
        inbound.decapsulate(&mut wrong_spi, NOW),
        Err(Error::Spi { got: 0x5ead_beef })
    ));
}

#[test]
fn bad_padding_without_integrity_is_refused_and_changes_nothing() {
    // NULL encryption, no integrity: corrupt the padding in clear text.
    let null = || Transform::from_parts(Cipher::new(EncryptionAlgorithm::Null, &[]).unwrap(), None);
    let mut out = OutboundSa::new(1, null(), false);
    let mut inbound = InboundSa::new(1, null(), ReplayWindow::new(64, false).unwrap());
    let mut wire = encapsulate(&mut out, b"abc", 17, &mut Counter(3));
    // payload "abc" + padding [1, 2, 3] + pad length 3 + next header: 8 bytes after the header.
    assert_eq!(&wire[8..], b"abc\x01\x02\x03\x03\x11");
    wire[12] = 9;
    let before = inbound.window().clone();
    assert_eq!(inbound.decapsulate(&mut wire, NOW), Err(Error::Padding));
    assert_eq!(inbound.window(), &before);
    let mut too_long = encapsulate(&mut out, b"abc", 17, &mut Counter(3));
    too_long[14] = 200;
    assert_eq!(inbound.decapsulate(&mut too_long, NOW), Err(Error::Padding));
}

#[test]
fn sequence_numbers_never_cycle() {
    let (out, _) = pair(
        IntegrityAlgorithm::HmacSha196,
        EncryptionAlgorithm::Null,
        false,
    );
    let mut out = out.with_last_sequence_number(u64::from(u32::MAX) - 1);
    encapsulate(&mut out, b"last", 17, &mut Counter(1));
    let mut buf = vec![0u8; 64];
    assert_eq!(
        out.encapsulate(&mut buf, 4, 17, &mut Counter(1), NOW),
        Err(Error::SequenceExhausted)
    );
    assert_eq!(out.last_sequence_number(), u64::from(u32::MAX));
    // A buffer that is too short changes nothing either.
    let (mut fresh, _) = pair(
        IntegrityAlgorithm::Null,
        EncryptionAlgorithm::AesCbc128,
        false,
    );
    assert!(matches!(
        fresh.encapsulate(&mut [0u8; 10], 4, 17, &mut Counter(1), NOW),
        Err(Error::Buffer { .. })
    ));
    assert_eq!(fresh.last_sequence_number(), 0);
    // An absurd payload length is a buffer error, not an overflow.
    for len in [usize::MAX, usize::MAX - 1, usize::MAX / 2] {
        assert!(fresh.encapsulated_len(len) >= len);
        assert!(matches!(
            fresh.encapsulate(&mut [0u8; 64], len, 17, &mut Counter(1), NOW),
            Err(Error::Buffer { .. })
        ));
    }
    assert_eq!(fresh.last_sequence_number(), 0);
}
