//! UDP encapsulation of ESP for NAT traversal (RFC 3948), as TS 33.203
//! Annex M uses it (`mod=UDP-enc-tun`: tunnel mode inside UDP, port 4500).
//!
//! On the wire a UDP datagram on the encapsulation port carries one of three
//! things (RFC 3948 §2): an ESP packet (its SPI is never zero), a non-ESP
//! packet behind a four-zero-byte marker (IKE), or a one-byte NAT keepalive
//! 0xFF. [`classify`] tells them apart; [`write_header`] and
//! [`parse_header`] frame the datagram. In tunnel mode the ESP payload is the
//! whole inner IP packet: encapsulate it with [`IPPROTO_IPV4`] or
//! [`IPPROTO_IPV6`] as the next header.
//!
//! ```
//! use esp_sa::udp::{self, UdpPayload};
//!
//! let keepalive = udp::NAT_KEEPALIVE;
//! assert_eq!(udp::classify(&keepalive)?, UdpPayload::Keepalive);
//! assert_eq!(udp::classify(&[0, 0, 0, 0, 0x21])?, UdpPayload::NonEsp);
//! assert_eq!(udp::classify(&[0, 0, 0x10, 0, 0, 0, 0, 1])?, UdpPayload::Esp);
//! # Ok::<(), esp_sa::Error>(())
//! ```

use core::ops::Range;

use crate::Error;

/// The UDP port of IKE and UDP-encapsulated ESP (RFC 3948 §2.1, RFC 3947).
pub const PORT: u16 = 4500;
/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;
/// The IP protocol number of UDP.
pub const PROTOCOL_UDP: u8 = 17;
/// Next Header of a tunnel-mode ESP packet carrying IPv4.
pub const IPPROTO_IPV4: u8 = 4;
/// Next Header of a tunnel-mode ESP packet carrying IPv6.
pub const IPPROTO_IPV6: u8 = 41;
/// The payload of a NAT-keepalive datagram (RFC 3948 §2.3).
pub const NAT_KEEPALIVE: [u8; 1] = [0xff];
/// The marker in front of a non-ESP (IKE) payload (RFC 3948 §2.2).
pub const NON_ESP_MARKER: [u8; 4] = [0; 4];
/// The shortest ESP packet: SPI and sequence number.
const ESP_HEADER_LEN: usize = 8;

/// What a UDP payload on the encapsulation port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UdpPayload {
    /// An ESP packet: hand the whole payload to the SA its SPI names.
    Esp,
    /// A non-ESP packet (IKE) after the 4-byte [`NON_ESP_MARKER`].
    NonEsp,
    /// A NAT keepalive, to be ignored (RFC 3948 §2.3).
    Keepalive,
}

/// Tells an ESP packet, a non-ESP packet and a NAT keepalive apart.
pub fn classify(udp_payload: &[u8]) -> Result<UdpPayload, Error> {
    match udp_payload {
        [0xff] => Ok(UdpPayload::Keepalive),
        [0, 0, 0, 0, ..] => Ok(UdpPayload::NonEsp),
        p if p.len() >= ESP_HEADER_LEN => Ok(UdpPayload::Esp),
        p => Err(Error::Length { got: p.len() }),
    }
}

/// A parsed UDP header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpHeader {
    /// Source port.
    pub source_port: u16,
    /// Destination port.
    pub destination_port: u16,
    /// Where the payload lies in the datagram (its length from the header).
    pub payload: Range<usize>,
}

/// Writes a UDP header for a payload of `payload_len` bytes into the first
/// [`HEADER_LEN`] bytes of `buf`, with a zero checksum (RFC 3948 §2.1: the
/// checksum SHOULD be zero for UDP-encapsulated ESP over IPv4; over IPv6 a
/// zero checksum needs RFC 6935's exception or the caller computes one).
pub fn write_header(
    buf: &mut [u8],
    source_port: u16,
    destination_port: u16,
    payload_len: usize,
) -> Result<(), Error> {
    let total = payload_len.saturating_add(HEADER_LEN);
    let length = u16::try_from(total).map_err(|_| Error::Length { got: total })?;
    let header = buf
        .first_chunk_mut::<HEADER_LEN>()
        .ok_or(Error::Buffer { needed: HEADER_LEN })?;
    let [sp0, sp1] = source_port.to_be_bytes();
    let [dp0, dp1] = destination_port.to_be_bytes();
    let [l0, l1] = length.to_be_bytes();
    *header = [sp0, sp1, dp0, dp1, l0, l1, 0, 0];
    Ok(())
}

/// Reads a UDP header; the length field must cover the header and fit in
/// `datagram` (bytes beyond it, link-layer padding, are not payload). The
/// checksum is not checked (RFC 3948 §2.1: receivers must not depend on it).
pub fn parse_header(datagram: &[u8]) -> Result<UdpHeader, Error> {
    let [sp0, sp1, dp0, dp1, l0, l1, _, _] =
        *datagram.first_chunk::<HEADER_LEN>().ok_or(Error::Length {
            got: datagram.len(),
        })?;
    let length = usize::from(u16::from_be_bytes([l0, l1]));
    if length < HEADER_LEN || length > datagram.len() {
        return Err(Error::Length {
            got: datagram.len(),
        });
    }
    Ok(UdpHeader {
        source_port: u16::from_be_bytes([sp0, sp1]),
        destination_port: u16::from_be_bytes([dp0, dp1]),
        payload: HEADER_LEN..length,
    })
}
