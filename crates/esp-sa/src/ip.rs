//! Whole IP packets: ESP inserted after the IP header and removed again
//! (RFC 4303 §3.1.1, transport mode), with the protocol / next-header field,
//! the lengths and the IPv4 header checksum fixed, so a protected packet can
//! go on a wire or into a pcap.
//!
//! IPv6 packets are handled when ESP follows the fixed 40-byte header
//! directly (no extension headers before the upper layer), which is what a
//! SIP signalling packet between UE and P-CSCF looks like.

use alloc::vec::Vec;
use core::net::IpAddr;
use core::time::Duration;

use rand_core::CryptoRngCore;

use crate::sa::{Decapsulated, InboundSa, OutboundSa};
use crate::Error;

/// The IP protocol number of ESP.
pub const PROTOCOL_ESP: u8 = 50;
const IPV6_HEADER_LEN: usize = 40;
/// Hop-by-hop, routing, fragment and destination options: the IPv6
/// extension headers that come before ESP.
const IPV6_EXTENSION_HEADERS: [u8; 4] = [0, 43, 44, 60];

/// Where the header ends and which field holds the upper-layer protocol.
struct Layout {
    header_len: usize,
    protocol_at: usize,
    v4: bool,
}

fn u16_at(packet: &[u8], at: usize) -> Result<u16, Error> {
    match packet.get(at..at + 2) {
        Some(&[hi, lo]) => Ok(u16::from_be_bytes([hi, lo])),
        _ => Err(Error::IpHeader),
    }
}

fn put_u16(packet: &mut [u8], at: usize, value: u16) {
    if let Some(field) = packet.get_mut(at..at + 2) {
        field.copy_from_slice(&value.to_be_bytes());
    }
}

fn layout(packet: &[u8]) -> Result<Layout, Error> {
    let first = *packet.first().ok_or(Error::IpHeader)?;
    match first >> 4 {
        4 => {
            let ihl = usize::from(first & 0x0f) * 4;
            if ihl < 20 || packet.len() < ihl || usize::from(u16_at(packet, 2)?) != packet.len() {
                return Err(Error::IpHeader);
            }
            // A fragment (MF set or an offset): transport-mode ESP takes whole
            // datagrams only, and a fragment offered to it is discarded
            // (RFC 4303 §3.3.4, §3.4.1). Reassemble first.
            if u16_at(packet, 6)? & 0x3fff != 0 {
                return Err(Error::IpHeader);
            }
            Ok(Layout {
                header_len: ihl,
                protocol_at: 9,
                v4: true,
            })
        }
        6 => {
            if packet.len() != IPV6_HEADER_LEN + usize::from(u16_at(packet, 4)?) {
                return Err(Error::IpHeader);
            }
            Ok(Layout {
                header_len: IPV6_HEADER_LEN,
                protocol_at: 6,
                v4: false,
            })
        }
        _ => Err(Error::IpHeader),
    }
}

/// What the SA database needs from an IP packet: where the upper layer
/// starts, its protocol, and the addresses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub(crate) len: usize,
    pub(crate) protocol: u8,
    pub(crate) source: IpAddr,
    pub(crate) destination: IpAddr,
}

/// Parses the IPv4 or IPv6 header of `packet`.
pub(crate) fn header(packet: &[u8]) -> Result<Header, Error> {
    let layout = layout(packet)?;
    let protocol = *packet.get(layout.protocol_at).ok_or(Error::IpHeader)?;
    let (source, destination) = if layout.v4 {
        match (
            packet.get(12..16).and_then(|a| <[u8; 4]>::try_from(a).ok()),
            packet.get(16..20).and_then(|a| <[u8; 4]>::try_from(a).ok()),
        ) {
            (Some(s), Some(d)) => (IpAddr::from(s), IpAddr::from(d)),
            _ => return Err(Error::IpHeader),
        }
    } else {
        match (
            packet.get(8..24).and_then(|a| <[u8; 16]>::try_from(a).ok()),
            packet
                .get(24..40)
                .and_then(|a| <[u8; 16]>::try_from(a).ok()),
        ) {
            (Some(s), Some(d)) => (IpAddr::from(s), IpAddr::from(d)),
            _ => return Err(Error::IpHeader),
        }
    };
    Ok(Header {
        len: layout.header_len,
        protocol,
        source,
        destination,
    })
}

/// The source and destination ports at the start of an upper-layer header
/// (UDP, TCP, SCTP and others put them there).
pub(crate) fn ports(upper_layer: &[u8]) -> Option<(u16, u16)> {
    match upper_layer {
        [s0, s1, d0, d1, ..] => Some((
            u16::from_be_bytes([*s0, *s1]),
            u16::from_be_bytes([*d0, *d1]),
        )),
        _ => None,
    }
}

/// Sets the protocol field and the length fields (and the IPv4 checksum)
/// for the packet's current length.
fn fix_header(packet: &mut [u8], layout: &Layout, protocol: u8) -> Result<(), Error> {
    let len = packet.len();
    let header = packet.get_mut(..layout.header_len).ok_or(Error::IpHeader)?;
    if let Some(p) = header.get_mut(layout.protocol_at) {
        *p = protocol;
    }
    if layout.v4 {
        put_u16(header, 2, u16::try_from(len).map_err(|_| Error::IpHeader)?);
        put_u16(header, 10, 0);
        let checksum = ipv4_checksum(header);
        put_u16(header, 10, checksum);
    } else {
        put_u16(
            header,
            4,
            u16::try_from(len - IPV6_HEADER_LEN).map_err(|_| Error::IpHeader)?,
        );
    }
    Ok(())
}

/// The Internet checksum of an IPv4 header (RFC 791, RFC 1071).
fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|w| match w {
            [hi, lo] => u32::from(u16::from_be_bytes([*hi, *lo])),
            [hi] => u32::from(*hi) << 8,
            _ => 0,
        })
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Protects a whole IPv4 or IPv6 packet with `sa` in transport mode: the
/// upper-layer payload becomes ESP, the protocol field says 50, lengths and
/// checksum are fixed. The vector grows by the ESP overhead (reserve it to
/// avoid a reallocation). On error the packet and the SA are unchanged.
pub fn protect(
    sa: &mut OutboundSa,
    packet: &mut Vec<u8>,
    rng: &mut impl CryptoRngCore,
    now: Duration,
) -> Result<(), Error> {
    let layout = layout(packet)?;
    let protocol = *packet.get(layout.protocol_at).ok_or(Error::IpHeader)?;
    // ESP goes after the IPv6 extension headers that precede it (RFC 4303
    // §3.1.1); this module handles packets without them.
    if !layout.v4 && IPV6_EXTENSION_HEADERS.contains(&protocol) {
        return Err(Error::IpHeader);
    }
    let payload_len = packet.len() - layout.header_len;
    let esp_len = sa.encapsulated_len(payload_len);
    let new_len = layout.header_len + esp_len;
    if (layout.v4 && new_len > usize::from(u16::MAX))
        || (!layout.v4 && new_len - IPV6_HEADER_LEN > usize::from(u16::MAX))
    {
        return Err(Error::IpHeader);
    }
    let original_len = packet.len();
    packet.resize(new_len, 0);
    let header_room = sa.header_len();
    packet.copy_within(
        layout.header_len..original_len,
        layout.header_len + header_room,
    );
    let esp = packet.get_mut(layout.header_len..).ok_or(Error::IpHeader)?;
    if let Err(e) = sa.encapsulate(esp, payload_len, protocol, rng, now) {
        // Put the payload back where it was.
        packet.copy_within(
            layout.header_len + header_room..layout.header_len + header_room + payload_len,
            layout.header_len,
        );
        packet.truncate(original_len);
        return Err(e);
    }
    fix_header(packet, &layout, PROTOCOL_ESP)
}

/// Checks and removes the ESP of a whole IPv4 or IPv6 packet: the result is
/// the original packet, its protocol field restored from Next Header. On
/// error the SA is unchanged and the packet must be dropped.
pub fn unprotect(
    sa: &mut InboundSa,
    packet: &mut Vec<u8>,
    now: Duration,
) -> Result<Decapsulated, Error> {
    unprotect_checked(sa, packet, now, |_, _| Ok(()))
}

/// [`unprotect`] with a check on the decrypted upper-layer protocol and
/// payload before the SA records the packet.
pub(crate) fn unprotect_checked(
    sa: &mut InboundSa,
    packet: &mut Vec<u8>,
    now: Duration,
    check: impl FnOnce(u8, &[u8]) -> Result<(), Error>,
) -> Result<Decapsulated, Error> {
    let layout = layout(packet)?;
    if packet.get(layout.protocol_at) != Some(&PROTOCOL_ESP) {
        return Err(Error::IpHeader);
    }
    let esp = packet.get_mut(layout.header_len..).ok_or(Error::IpHeader)?;
    let got = sa.decapsulate_checked(esp, now, check)?;
    let payload = layout.header_len + got.payload.start..layout.header_len + got.payload.end;
    let payload_len = payload.len();
    packet.copy_within(payload, layout.header_len);
    packet.truncate(layout.header_len + payload_len);
    fix_header(packet, &layout, got.next_header)?;
    Ok(Decapsulated {
        payload: layout.header_len..packet.len(),
        ..got
    })
}
