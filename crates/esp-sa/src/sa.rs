//! Security associations and ESP transport-mode processing in place
//! (RFC 4303 §3.3 outbound, §3.4 inbound).
//!
//! Outbound, the caller leaves [`OutboundSa::header_len`] bytes of headroom
//! before the payload and room for [`OutboundSa::encapsulated_len`] bytes in
//! all; [`OutboundSa::encapsulate`] writes SPI ‖ sequence number ‖ IV ‖
//! ciphertext ‖ ICV around it. Inbound, [`InboundSa::decapsulate`] checks
//! and decrypts the packet where it lies and says where the payload is. No
//! allocation happens per packet, and a packet that is refused leaves the
//! SA as it was.
//!
//! Every call takes `now`, the caller's monotonic clock, for the SA's
//! [`Lifetime`].

use core::ops::Range;
use core::time::Duration;

use rand_core::CryptoRngCore;

use crate::lifetime::{Lifetime, LifetimeState, Tracker};
use crate::replay::{Replay, ReplayWindow};
use crate::transform::{Layout, Transform};
use crate::Error;

/// SPI and sequence number: the ESP header.
const HEADER_LEN: usize = 8;
/// Pad Length and Next Header: the fixed part of the ESP trailer.
const TRAILER_LEN: usize = 2;
/// Next Header value of a dummy packet (RFC 4303 §2.6), to be dropped.
pub const NO_NEXT_HEADER: u8 = 59;

/// The sending side of an SA.
#[derive(Debug, Clone)]
pub struct OutboundSa {
    spi: u32,
    transform: Transform,
    esn: bool,
    /// The last sequence number sent (0: none yet).
    last_seq: u64,
    life: Tracker,
}

impl OutboundSa {
    /// An SA that sends with `spi`, protecting with `transform`, with
    /// extended (64-bit) sequence numbers if `esn` (TS 33.203 uses 32-bit
    /// ones). It has no lifetime limits until [`OutboundSa::with_lifetime`].
    #[must_use]
    pub fn new(spi: u32, transform: Transform, esn: bool) -> Self {
        Self {
            spi,
            transform,
            esn,
            last_seq: 0,
            life: Tracker::default(),
        }
    }

    /// Sets the lifetime limits, counted from `now`.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Lifetime, now: Duration) -> Self {
        self.life = Tracker::new(lifetime, now);
        self
    }

    /// Restores the sequence number state: `last_sent` is the last number used.
    #[must_use]
    pub fn with_last_sequence_number(mut self, last_sent: u64) -> Self {
        self.last_seq = last_sent;
        self
    }

    /// The SPI.
    #[must_use]
    pub fn spi(&self) -> u32 {
        self.spi
    }

    /// The algorithms.
    #[must_use]
    pub fn transform(&self) -> &Transform {
        &self.transform
    }

    /// Whether extended sequence numbers are in use.
    #[must_use]
    pub fn esn(&self) -> bool {
        self.esn
    }

    /// The last sequence number sent.
    #[must_use]
    pub fn last_sequence_number(&self) -> u64 {
        self.last_seq
    }

    /// The lifetime limits.
    #[must_use]
    pub fn lifetime(&self) -> &Lifetime {
        self.life.lifetime()
    }

    /// Replaces the limits of an SA in use (TS 33.203 §7.4: a temporary SA
    /// gets the registration's lifetime once it is confirmed); what it has
    /// processed and when it was installed still count.
    pub fn set_lifetime(&mut self, lifetime: Lifetime) {
        self.life.set_lifetime(lifetime);
    }

    /// Where the SA stands at `now`: packets and bytes sent so far, time
    /// since it was installed.
    #[must_use]
    pub fn lifetime_state(&self, now: Duration) -> LifetimeState {
        self.life.state(now)
    }

    /// Headroom needed before the payload: ESP header and IV.
    #[must_use]
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.transform.iv_len()
    }

    /// The length of the ESP packet for a payload of `payload_len` bytes.
    #[must_use]
    pub fn encapsulated_len(&self, payload_len: usize) -> usize {
        self.header_len()
            .saturating_add(encrypted_len(&self.transform, payload_len))
            .saturating_add(self.transform.icv_len())
    }

    /// Protects the payload at `buf[header_len()..header_len() + payload_len]`
    /// in place and returns the packet length ([`OutboundSa::encapsulated_len`]).
    /// A CBC IV is drawn from `rng`; a GCM/GMAC IV is SPI ‖ sequence number
    /// (the SPI XORed into the high half of an extended sequence number), so
    /// that SAs sharing a key never share a nonce.
    /// Refuses, changing nothing, when `buf` is too short, a hard lifetime
    /// limit is reached, or the sequence number would cycle (RFC 4303
    /// §3.3.3: rekey).
    pub fn encapsulate(
        &mut self,
        buf: &mut [u8],
        payload_len: usize,
        next_header: u8,
        rng: &mut impl CryptoRngCore,
        now: Duration,
    ) -> Result<usize, Error> {
        if self.lifetime_state(now) == LifetimeState::Hard {
            return Err(Error::LifetimeExpired);
        }
        let seq = self.next_sequence_number()?;
        let layout = Layout {
            header: self.header_len(),
            encrypted: encrypted_len(&self.transform, payload_len),
        };
        let total = self.encapsulated_len(payload_len);
        let packet = buf
            .get_mut(..total)
            .ok_or(Error::Buffer { needed: total })?;
        let pad_len = layout.encrypted - payload_len - TRAILER_LEN;

        // The lengths below all follow from `total`, so no split can fail.
        let (esp_header, rest) = packet.split_at_mut(HEADER_LEN);
        let (spi, seq_field) = esp_header.split_at_mut(4);
        spi.copy_from_slice(&self.spi.to_be_bytes());
        seq_field.copy_from_slice(&(seq as u32).to_be_bytes());
        let (iv, rest) = rest.split_at_mut(layout.header - HEADER_LEN);
        if self.transform.iv_is_counter() {
            for (dst, src) in iv.iter_mut().zip(counter_iv(self.spi, seq).to_be_bytes()) {
                *dst = src;
            }
        } else {
            rng.fill_bytes(iv);
        }
        // RFC 4303 §2.4: padding 1, 2, 3, …, then Pad Length and Next Header.
        let (_payload, trailer) = rest.split_at_mut(payload_len);
        let (padding, fields) = trailer.split_at_mut(pad_len);
        for (i, b) in padding.iter_mut().enumerate() {
            *b = (i + 1) as u8;
        }
        if let [pad_len_field, next_header_field, ..] = fields {
            *pad_len_field = pad_len as u8;
            *next_header_field = next_header;
        }
        self.transform.seal(packet, layout, self.seq_high(seq))?;
        self.last_seq = seq;
        self.life.record(payload_len);
        Ok(total)
    }

    fn next_sequence_number(&self) -> Result<u64, Error> {
        let limit = if self.esn {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        };
        if self.last_seq >= limit {
            return Err(Error::SequenceExhausted);
        }
        Ok(self.last_seq + 1)
    }

    fn seq_high(&self, seq: u64) -> Option<u32> {
        self.esn.then_some((seq >> 32) as u32)
    }
}

/// The GCM/GMAC IV of packet `seq` on SA `spi`: the sequence number with the
/// SPI folded into its high half, i.e. SPI ‖ sequence number for 32-bit
/// sequence numbers.
///
/// RFC 4106 §3.1 and RFC 4543 §3.1: the IV must never repeat for a key. The
/// sequence number alone does not do: TS 33.203 Annex I keys all four SAs of
/// a UE–P-CSCF set, both directions, with the same key and salt, and each SA
/// counts from 1. Their SPIs differ (each node draws its own unique SPIs,
/// the P-CSCF's different from the UE's), so SPI ‖ sequence number is unique
/// across the set, and within one SA the map is one-to-one even with
/// extended sequence numbers.
pub(crate) const fn counter_iv(spi: u32, seq: u64) -> u64 {
    seq ^ ((spi as u64) << 32)
}

/// Payload and trailer, padded to the transform's block.
fn encrypted_len(transform: &Transform, payload_len: usize) -> usize {
    let block = transform.block_len();
    // Saturating: an absurd length gives a packet no buffer can hold.
    payload_len
        .saturating_add(TRAILER_LEN)
        .div_ceil(block)
        .saturating_mul(block)
}

/// What [`InboundSa::decapsulate`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decapsulated {
    /// The full sequence number of the packet.
    pub sequence_number: u64,
    /// The Next Header field: the upper-layer protocol, or
    /// [`NO_NEXT_HEADER`] for a dummy packet to drop.
    pub next_header: u8,
    /// Where the upper-layer payload lies in the buffer.
    pub payload: Range<usize>,
}

/// The receiving side of an SA.
#[derive(Debug, Clone)]
pub struct InboundSa {
    spi: u32,
    transform: Transform,
    window: ReplayWindow,
    life: Tracker,
}

impl InboundSa {
    /// An SA that receives on `spi`, with its anti-replay window (which also
    /// says whether extended sequence numbers are in use). It has no
    /// lifetime limits until [`InboundSa::with_lifetime`].
    #[must_use]
    pub fn new(spi: u32, transform: Transform, window: ReplayWindow) -> Self {
        Self {
            spi,
            transform,
            window,
            life: Tracker::default(),
        }
    }

    /// Sets the lifetime limits, counted from `now`.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Lifetime, now: Duration) -> Self {
        self.life = Tracker::new(lifetime, now);
        self
    }

    /// The SPI.
    #[must_use]
    pub fn spi(&self) -> u32 {
        self.spi
    }

    /// The algorithms.
    #[must_use]
    pub fn transform(&self) -> &Transform {
        &self.transform
    }

    /// The anti-replay window.
    #[must_use]
    pub fn window(&self) -> &ReplayWindow {
        &self.window
    }

    /// The lifetime limits.
    #[must_use]
    pub fn lifetime(&self) -> &Lifetime {
        self.life.lifetime()
    }

    /// Replaces the limits of an SA in use (TS 33.203 §7.4: a temporary SA
    /// gets the registration's lifetime once it is confirmed); what it has
    /// processed and when it was installed still count.
    pub fn set_lifetime(&mut self, lifetime: Lifetime) {
        self.life.set_lifetime(lifetime);
    }

    /// Where the SA stands at `now`: packets and bytes accepted so far, time
    /// since it was installed.
    #[must_use]
    pub fn lifetime_state(&self, now: Duration) -> LifetimeState {
        self.life.state(now)
    }

    /// Checks and decrypts an ESP packet in place (RFC 4303 §3.4): length,
    /// SPI, replay pre-check, ICV in constant time, decryption, padding;
    /// only then is the sequence number recorded. On any error the SA is
    /// unchanged (the buffer may hold decrypted bytes).
    pub fn decapsulate(&mut self, packet: &mut [u8], now: Duration) -> Result<Decapsulated, Error> {
        self.decapsulate_checked(packet, now, |_, _| Ok(()))
    }

    /// [`InboundSa::decapsulate`] with one more check, on the decrypted
    /// payload, before anything is recorded (the SA database's selector
    /// check, RFC 4301 §5.2 step 4).
    pub(crate) fn decapsulate_checked(
        &mut self,
        packet: &mut [u8],
        now: Duration,
        check: impl FnOnce(u8, &[u8]) -> Result<(), Error>,
    ) -> Result<Decapsulated, Error> {
        let header = HEADER_LEN + self.transform.iv_len();
        let icv_len = self.transform.icv_len();
        let block = self.transform.block_len();
        let encrypted = packet
            .len()
            .checked_sub(header + icv_len)
            .filter(|&n| n >= TRAILER_LEN && n % block == 0)
            .ok_or(Error::Length { got: packet.len() })?;

        let (spi, seq_low) = match packet.first_chunk::<HEADER_LEN>() {
            Some([s0, s1, s2, s3, q0, q1, q2, q3]) => (
                u32::from_be_bytes([*s0, *s1, *s2, *s3]),
                u32::from_be_bytes([*q0, *q1, *q2, *q3]),
            ),
            None => return Err(Error::Length { got: packet.len() }),
        };
        if spi != self.spi {
            return Err(Error::Spi { got: spi });
        }
        if self.lifetime_state(now) == LifetimeState::Hard {
            return Err(Error::LifetimeExpired);
        }
        let seq = self.window.check(seq_low).map_err(Error::Replay)?;
        let esn_high = self.window.esn().then_some((seq >> 32) as u32);
        self.transform
            .open(packet, Layout { header, encrypted }, esn_high)?;

        let plaintext = packet
            .get(header..header + encrypted)
            .ok_or(Error::Length { got: encrypted })?;
        let (next_header, pad_len) = match plaintext {
            [.., pad_len, next_header] => (*next_header, usize::from(*pad_len)),
            _ => return Err(Error::Length { got: encrypted }),
        };
        let payload_len = encrypted
            .checked_sub(TRAILER_LEN + pad_len)
            .ok_or(Error::Padding)?;
        // RFC 4303 §2.4: the receiver SHOULD inspect the default padding.
        let padding = plaintext
            .get(payload_len..payload_len + pad_len)
            .ok_or(Error::Padding)?;
        if padding
            .iter()
            .enumerate()
            .any(|(i, &b)| usize::from(b) != i + 1)
        {
            return Err(Error::Padding);
        }

        check(
            next_header,
            plaintext.get(..payload_len).unwrap_or_default(),
        )?;
        self.window.accept(seq).map_err(Error::Replay)?;
        self.life.record(payload_len);
        Ok(Decapsulated {
            sequence_number: seq,
            next_header,
            payload: header..header + payload_len,
        })
    }
}

impl From<Replay> for Error {
    fn from(r: Replay) -> Self {
        Error::Replay(r)
    }
}
