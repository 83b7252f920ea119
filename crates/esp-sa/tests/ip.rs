//! Whole IP packets in and out of ESP transport mode: RFC 3602's sample
//! packets with their IPv4 headers, and IPv6.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use esp_sa::ip::{protect, unprotect};
use std::time::Duration;

use esp_sa::{
    Cipher, EncryptionAlgorithm, Error, InboundSa, Integrity, IntegrityAlgorithm, OutboundSa,
    ReplayWindow, Transform,
};

mod common;
use common::{h, FixedIv};

const NOW: Duration = Duration::ZERO;

/// RFC 3602 §4 cases 5 and 6: the original IPv4 packet and the whole
/// post-encryption packet (protocol 50, new total length and checksum).
#[test]
fn rfc3602_cases_5_and_6_as_whole_ipv4_packets() {
    let key = h("90d382b4 10eeba7a d938c46c ec1a82bf");
    let cases = [
        (
            1u64,
            "e96e8c08 ab465763 fd098d45 dd3ff893",
            "45000054 08f20000 4001f9fe c0a87b03 c0a87b64
             08000ebd a70a0000 8e9c083d b95b0700 08090a0b 0c0d0e0f 10111213 14151617
             18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637",
            "4500007c 08f20000 4032f9a5 c0a87b03 c0a87b64
             00004321 00000001 e96e8c08 ab465763 fd098d45 dd3ff893
             f663c25d 325c18c6 a9453e19 4e120849 a4870b66 cc6b9965 330013b4 898dc856
             a4699e52 3a55db08 0b59ec3a 8e4b7e52 775b07d1 db34ed9c 538ab50c 551b874a
             a269add0 47ad2d59 13ac19b7 cfbad4a6",
        ),
        (
            8,
            "69d08df7 d203329d b093fc49 24e5bd80",
            "45000030 08fe0000 4001fa16 c0a87b03 c0a87b64
             0800b5e8 a80a0500 a69c083d 0b660e00 77777777 77777777 77777777",
            "4500004c 08fe0000 4032f9c9 c0a87b03 c0a87b64
             00004321 00000008 69d08df7 d203329d b093fc49 24e5bd80
             f5199588 1ec4e0c4 488987ce 742e8109 689bb379 d2d750c0 d915dca3 46a89f75",
        ),
    ];
    for (seq, iv, original, protected) in cases {
        let cipher = Cipher::new(EncryptionAlgorithm::AesCbc128, &key).unwrap();
        let mut out = OutboundSa::new(0x4321, Transform::from_parts(cipher.clone(), None), false)
            .with_last_sequence_number(seq - 1);
        let mut packet = h(original);
        protect(&mut out, &mut packet, &mut FixedIv(h(iv)), NOW).unwrap();
        assert_eq!(
            hex::encode(&packet),
            hex::encode(h(protected)),
            "RFC 3602 seq {seq}"
        );

        let mut inbound = InboundSa::new(
            0x4321,
            Transform::from_parts(cipher, None),
            ReplayWindow::new(64, false).unwrap(),
        );
        let got = unprotect(&mut inbound, &mut packet, NOW).unwrap();
        assert_eq!(
            hex::encode(&packet),
            hex::encode(h(original)),
            "RFC 3602 seq {seq}: back"
        );
        assert_eq!((got.next_header, got.payload.start), (1, 20));
    }
}

#[test]
fn ipv6_sip_packet_round_trips_with_integrity() {
    let cipher = Cipher::new(EncryptionAlgorithm::AesCbc128, &[7; 16]).unwrap();
    let integrity = Integrity::new(IntegrityAlgorithm::HmacSha196, &[9; 20]).unwrap();
    let mut out = OutboundSa::new(
        1000,
        Transform::from_parts(cipher.clone(), Some(integrity.clone())),
        false,
    );
    let mut inbound = InboundSa::new(
        1000,
        Transform::from_parts(cipher, Some(integrity)),
        ReplayWindow::new(64, false).unwrap(),
    );
    let udp = b"\x13\xc4\x13\xc6\x00\x1dxxREGISTER sip:x SIP/2.0\r\n".to_vec();
    let mut original = h("60000000 0000 11 40");
    original[4..6].copy_from_slice(&(udp.len() as u16).to_be_bytes());
    original.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    original.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    original.extend_from_slice(&udp);
    let mut packet = original.clone();
    protect(&mut out, &mut packet, &mut FixedIv(vec![0xab]), NOW).unwrap();
    assert_eq!(packet[6], 50, "next header is ESP");
    assert_eq!(
        usize::from(u16::from_be_bytes([packet[4], packet[5]])),
        packet.len() - 40
    );
    unprotect(&mut inbound, &mut packet, NOW).unwrap();
    assert_eq!(packet, original);
}

#[test]
fn refusals_leave_packet_and_sa_alone() {
    let cipher = Cipher::new(EncryptionAlgorithm::Null, &[]).unwrap();
    let integrity = Integrity::new(IntegrityAlgorithm::HmacMd596, &[1; 16]).unwrap();
    let mut out = OutboundSa::new(
        5,
        Transform::from_parts(cipher.clone(), Some(integrity.clone())),
        false,
    )
    .with_last_sequence_number(u64::from(u32::MAX));
    let original = h("45000018 00000000 40110000 0a000001 0a000002 01020304");
    let mut packet = original.clone();
    assert_eq!(
        protect(&mut out, &mut packet, &mut FixedIv(vec![0]), NOW),
        Err(Error::SequenceExhausted)
    );
    assert_eq!(packet, original);
    // Not ESP, wrong lengths, not IP at all.
    let mut inbound = InboundSa::new(
        5,
        Transform::from_parts(cipher, Some(integrity)),
        ReplayWindow::new(64, false).unwrap(),
    );
    for bad in [
        original.clone(),
        original[..19].to_vec(),
        vec![0x55; 30],
        vec![],
    ] {
        assert_eq!(
            unprotect(&mut inbound, &mut bad.clone(), NOW),
            Err(Error::IpHeader)
        );
    }
}

/// RFC 4303 §3.3.4/§3.4.1: transport mode takes whole datagrams; fragments
/// are refused both ways, and so is an IPv6 packet with extension headers
/// before the upper layer.
#[test]
fn fragments_and_ipv6_extension_headers_are_refused() {
    let cipher = Cipher::new(EncryptionAlgorithm::Null, &[]).unwrap();
    let integrity = Integrity::new(IntegrityAlgorithm::HmacSha196, &[1; 20]).unwrap();
    let transform = || Transform::from_parts(cipher.clone(), Some(integrity.clone()));
    let mut out = OutboundSa::new(300, transform(), false);
    let whole = h("45000020 00004000 40110000 0a000001 0a000002 13c413c4 000c0000 61626364");
    for frag in ["2000", "0001", "6001"] {
        let mut packet = whole.clone();
        packet[6..8].copy_from_slice(&h(frag));
        assert_eq!(
            protect(&mut out, &mut packet, &mut FixedIv(vec![0]), NOW),
            Err(Error::IpHeader),
            "flags/offset {frag}"
        );
    }
    let mut inbound = InboundSa::new(300, transform(), ReplayWindow::new(64, false).unwrap());
    let mut packet = whole.clone();
    protect(&mut out, &mut packet, &mut FixedIv(vec![0]), NOW).unwrap();
    packet[6] |= 0x20; // MF on the protected packet
    let before = inbound.window().clone();
    assert_eq!(
        unprotect(&mut inbound, &mut packet, NOW),
        Err(Error::IpHeader)
    );
    assert_eq!(inbound.window(), &before);
    // IPv6 with a hop-by-hop options header (next header 0).
    let mut v6 = h("60000000 0008 00 40");
    v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    v6.extend_from_slice(&h("11000000 00000000"));
    let original = v6.clone();
    assert_eq!(
        protect(&mut out, &mut v6, &mut FixedIv(vec![0]), NOW),
        Err(Error::IpHeader)
    );
    assert_eq!(v6, original);
}
