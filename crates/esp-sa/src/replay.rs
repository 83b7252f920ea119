//! The receiver's anti-replay window (RFC 4303 §3.4.3), with 32-bit or
//! extended 64-bit sequence numbers (RFC 4303 Appendix A), kept as the ring
//! of 64-bit blocks of RFC 6479 so that advancing the window clears whole
//! words instead of shifting bits.
//!
//! The window is used in two steps, as RFC 4303 §3.4.3 orders them:
//! [`ReplayWindow::check`] before the ICV is verified (cheap rejection of
//! duplicates and old packets; nothing changes), and
//! [`ReplayWindow::accept`] only after the ICV verified, which records the
//! number and may advance the window.

use alloc::vec;
use alloc::vec::Vec;

use crate::Error;

/// Bits per bitmap block.
const BLOCK_BITS: u64 = 64;
/// The largest window supported: 2^16 packets (RFC 4303 asks for at least 32,
/// TS 33.203 deployments use 64; 4096 and more suit fast links).
pub const MAX_WINDOW: u32 = 1 << 16;

/// Why a sequence number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Replay {
    /// Already received within the window.
    #[error("duplicate sequence number")]
    Duplicate,
    /// Left of the window (or zero, which is never sent).
    #[error("sequence number left of the anti-replay window")]
    TooOld,
}

/// The anti-replay state of an inbound SA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayWindow {
    /// W: how many sequence numbers, ending at `top`, are tracked.
    size: u64,
    /// T: the highest sequence number accepted (full 64 bits with ESN); 0
    /// before the first packet.
    top: u64,
    /// Ring of blocks; bit `seq % 64` of block `(seq / 64) % len` marks `seq`.
    blocks: Vec<u64>,
    /// Extended (64-bit) sequence numbers: only the low 32 bits are sent.
    esn: bool,
}

impl ReplayWindow {
    /// A window of `size` packets (1 to [`MAX_WINDOW`]; 64 is the usual),
    /// for 32-bit or extended sequence numbers.
    pub fn new(size: u32, esn: bool) -> Result<Self, Error> {
        if size == 0 || size > MAX_WINDOW {
            return Err(Error::Parameter(
                "anti-replay window must be 1 to 65536 packets",
            ));
        }
        let size = u64::from(size);
        // One block more than the window needs: the block holding `top` may
        // be only partly inside the window (RFC 6479 §2).
        let len = size.div_ceil(BLOCK_BITS) + 1;
        Ok(Self {
            size,
            top: 0,
            blocks: vec![0; len as usize],
            esn,
        })
    }

    /// The window size W.
    #[must_use]
    pub fn size(&self) -> u32 {
        self.size as u32
    }

    /// The highest sequence number accepted so far (0 before the first).
    #[must_use]
    pub fn top(&self) -> u64 {
        self.top
    }

    /// Whether extended sequence numbers are in use.
    #[must_use]
    pub fn esn(&self) -> bool {
        self.esn
    }

    /// The full sequence number a packet carrying `seq_low` stands for: the
    /// number itself, or with ESN the high 32 bits inferred as RFC 4303
    /// Appendix A2.2 says. `None` if it would lie before the first number.
    #[must_use]
    pub fn full_sequence_number(&self, seq_low: u32) -> Option<u64> {
        if !self.esn {
            return Some(u64::from(seq_low));
        }
        let th = self.top >> 32;
        let tl = self.top as u32;
        let w = self.size as u32;
        // Bl = Tl - W + 1, arithmetic mod 2^32.
        let bl = tl.wrapping_sub(w).wrapping_add(1);
        let seq_high = if tl >= w - 1 {
            // Case A: the window lies within one subspace.
            if seq_low >= bl {
                th
            } else {
                th + 1
            }
        } else if seq_low >= bl {
            // Case B: the window spans two subspaces; this is the lower one.
            th.checked_sub(1)?
        } else {
            th
        };
        Some((seq_high << 32) | u64::from(seq_low))
    }

    /// Checks a received sequence number before the ICV is verified, and
    /// returns the full sequence number (to feed the ICV with ESN, and to
    /// [`ReplayWindow::accept`]). Changes nothing.
    pub fn check(&self, seq_low: u32) -> Result<u64, Replay> {
        let seq = self.full_sequence_number(seq_low).ok_or(Replay::TooOld)?;
        self.check_full(seq)?;
        Ok(seq)
    }

    fn check_full(&self, seq: u64) -> Result<(), Replay> {
        if seq == 0 {
            return Err(Replay::TooOld);
        }
        if seq > self.top {
            return Ok(());
        }
        if self.top - seq >= self.size {
            return Err(Replay::TooOld);
        }
        let (block, bit) = self.position(seq);
        match self.blocks.get(block) {
            Some(b) if b & bit == 0 => Ok(()),
            _ => Err(Replay::Duplicate),
        }
    }

    /// Records a sequence number whose packet passed the ICV check, moving
    /// the window right if it is the new highest. The number is checked
    /// again, so a duplicate that raced past [`ReplayWindow::check`] is still
    /// refused, and a refusal changes nothing.
    pub fn accept(&mut self, seq: u64) -> Result<(), Replay> {
        self.check_full(seq)?;
        if seq > self.top {
            let len = self.blocks.len() as u64;
            let old_block = self.top / BLOCK_BITS;
            let new_block = seq / BLOCK_BITS;
            // Clear the blocks the window moves into (all of them at most).
            let moved = (new_block - old_block).min(len);
            for i in 1..=moved {
                if let Some(b) = self.blocks.get_mut(((old_block + i) % len) as usize) {
                    *b = 0;
                }
            }
            self.top = seq;
        }
        let (block, bit) = self.position(seq);
        if let Some(b) = self.blocks.get_mut(block) {
            *b |= bit;
        }
        Ok(())
    }

    fn position(&self, seq: u64) -> (usize, u64) {
        let len = self.blocks.len() as u64;
        (((seq / BLOCK_BITS) % len) as usize, 1 << (seq % BLOCK_BITS))
    }
}
