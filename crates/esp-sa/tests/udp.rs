//! RFC 3948 UDP encapsulation: tunnel mode in UDP (TS 33.203
//! `mod=UDP-enc-tun`), the non-ESP marker and NAT keepalives.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use esp_sa::udp::{self, UdpPayload};
use esp_sa::{EncryptionAlgorithm, Error, InboundSa, IntegrityAlgorithm, OutboundSa, ReplayWindow};
use proptest::prelude::*;

mod common;
use common::{h, transform, Counter};

const NOW: Duration = Duration::ZERO;

/// An inner IPv4 SIP packet travels as tunnel-mode ESP in a UDP datagram
/// from port 4500 to 4500, and comes out unchanged.
#[test]
fn tunnel_mode_in_udp_round_trip() {
    let inner = h("45000030 00000000 40110000 0a000001 0a000002
                   13c413c4 001c0000 4d455353 41474520 7369703a 78205349 502f322e 300d0a0d");
    let t = || {
        transform(
            IntegrityAlgorithm::HmacSha196,
            EncryptionAlgorithm::AesCbc128,
        )
    };
    let mut out = OutboundSa::new(0x1234, t(), false);
    let mut inbound = InboundSa::new(0x1234, t(), ReplayWindow::new(64, false).unwrap());

    let esp_len = out.encapsulated_len(inner.len());
    let mut datagram = vec![0u8; udp::HEADER_LEN + esp_len];
    let at = udp::HEADER_LEN + out.header_len();
    datagram[at..at + inner.len()].copy_from_slice(&inner);
    let n = out
        .encapsulate(
            &mut datagram[udp::HEADER_LEN..],
            inner.len(),
            udp::IPPROTO_IPV4,
            &mut Counter(1),
            NOW,
        )
        .unwrap();
    udp::write_header(&mut datagram, udp::PORT, udp::PORT, n).unwrap();
    assert_eq!(
        &datagram[..8],
        &[0x11, 0x94, 0x11, 0x94, 0, (8 + n) as u8, 0, 0][..]
    );

    let header = udp::parse_header(&datagram).unwrap();
    assert_eq!((header.source_port, header.destination_port), (4500, 4500));
    let payload = &mut datagram[header.payload];
    assert_eq!(udp::classify(payload).unwrap(), UdpPayload::Esp);
    let got = inbound.decapsulate(payload, NOW).unwrap();
    assert_eq!(got.next_header, udp::IPPROTO_IPV4);
    assert_eq!(&payload[got.payload], &inner[..]);
}

#[test]
fn keepalive_marker_and_bad_datagrams() {
    assert_eq!(
        udp::classify(&udp::NAT_KEEPALIVE),
        Ok(UdpPayload::Keepalive)
    );
    let mut ike = udp::NON_ESP_MARKER.to_vec();
    ike.extend_from_slice(&[0x5a; 28]);
    assert_eq!(udp::classify(&ike), Ok(UdpPayload::NonEsp));
    // SPI zero is never ESP, even when the rest would fit.
    assert_eq!(udp::classify(&[0; 12]), Ok(UdpPayload::NonEsp));
    for short in [&[][..], &[0xfe][..], &[1, 2, 3, 4, 5, 6, 7][..]] {
        assert!(matches!(udp::classify(short), Err(Error::Length { .. })));
    }
    // Length field shorter than the header or longer than the datagram.
    assert!(udp::parse_header(&[0, 1, 0, 2, 0, 7, 0, 0]).is_err());
    assert!(udp::parse_header(&[0, 1, 0, 2, 0, 10, 0, 0, 0]).is_err());
    assert!(udp::parse_header(&[0, 1, 0, 2]).is_err());
    // Trailing bytes beyond the UDP length are not payload.
    let h = udp::parse_header(&[0, 1, 0, 2, 0, 9, 0, 0, 0xff, 0xee]).unwrap();
    assert_eq!(h.payload, 8..9);
    assert!(udp::write_header(&mut [0; 7], 1, 2, 0).is_err());
    assert!(udp::write_header(&mut [0; 8], 1, 2, 65_528).is_err());
}

proptest! {
    #[test]
    fn udp_header_round_trips(sport: u16, dport: u16, len in 0usize..2000) {
        let mut datagram = vec![0u8; udp::HEADER_LEN + len];
        udp::write_header(&mut datagram, sport, dport, len).unwrap();
        let header = udp::parse_header(&datagram).unwrap();
        prop_assert_eq!(header.source_port, sport);
        prop_assert_eq!(header.destination_port, dport);
        prop_assert_eq!(header.payload, udp::HEADER_LEN..udp::HEADER_LEN + len);
    }
}
