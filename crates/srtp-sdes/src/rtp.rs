//! Just enough of the RTP (RFC 3550 §5.1) and RTCP (RFC 3550 §6.4) headers
//! for SRTP: where the header ends and which SSRC and sequence number the
//! packet carries. CSRCs and a header extension (RFC 3550 §5.3.1, RFC 8285)
//! belong to the header: authenticated, never encrypted. Padding belongs to
//! the payload and is encrypted with it (RFC 3711 §3.1).

use crate::Error;

/// The fixed RTP header length.
pub const RTP_HEADER_LEN: usize = 12;
/// The RTCP header plus the sender's SSRC: what SRTCP leaves in clear.
pub const RTCP_HEADER_LEN: usize = 8;

/// What SRTP needs from an RTP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Synchronisation source.
    pub ssrc: u32,
    /// Sequence number.
    pub sequence_number: u16,
    /// Header length including CSRCs and the extension.
    pub len: usize,
}

impl RtpHeader {
    /// Reads the header of `packet`, refusing anything that is not RTP
    /// version 2 or whose CSRC list or extension runs past `packet`.
    pub fn parse(packet: &[u8]) -> Result<Self, Error> {
        let fixed: &[u8; RTP_HEADER_LEN] = packet
            .get(..RTP_HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(Error::Malformed("shorter than an RTP header"))?;
        if fixed[0] >> 6 != 2 {
            return Err(Error::Malformed("not RTP version 2"));
        }
        let csrc_count = usize::from(fixed[0] & 0x0f);
        let mut len = RTP_HEADER_LEN + 4 * csrc_count;
        if fixed[0] & 0x10 != 0 {
            let ext: [u8; 4] = packet
                .get(len..len + 4)
                .and_then(|e| e.try_into().ok())
                .ok_or(Error::Malformed("header extension runs past the packet"))?;
            let words = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
            len += 4 + 4 * words;
        }
        if len > packet.len() {
            return Err(Error::Malformed("RTP header runs past the packet"));
        }
        Ok(Self {
            ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
            sequence_number: u16::from_be_bytes([fixed[2], fixed[3]]),
            len,
        })
    }
}

/// The sender SSRC of an RTCP compound packet (its first packet's), refusing
/// anything that is not RTCP version 2.
pub fn rtcp_ssrc(packet: &[u8]) -> Result<u32, Error> {
    let fixed: &[u8; RTCP_HEADER_LEN] = packet
        .get(..RTCP_HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or(Error::Malformed("shorter than an RTCP header"))?;
    if fixed[0] >> 6 != 2 {
        return Err(Error::Malformed("not RTCP version 2"));
    }
    Ok(u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]))
}
