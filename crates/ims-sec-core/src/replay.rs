//! A sliding anti-replay window over 64-bit packet indices, shared by ESP
//! (RFC 4303 §3.4.3) and SRTP/SRTCP (RFC 3711 §3.3.2).
//!
//! The bitmap is the ring of 64-bit blocks of RFC 6479, so advancing the
//! window clears whole words instead of shifting bits. The window is used in
//! two steps: [`SlidingWindow::check`] before the packet is authenticated
//! (cheap rejection; nothing changes) and [`SlidingWindow::accept`] only after
//! it authenticated, which records the index and may advance the window.
//! Protocol rules on top (ESP never sends 0, ESN inference, the SRTP index)
//! stay with the protocol.

use alloc::vec;
use alloc::vec::Vec;

/// Bits per bitmap block.
const BLOCK_BITS: u64 = 64;

/// The largest window supported: 2^16 packets.
pub const MAX_WINDOW: u32 = 1 << 16;

/// Why an index is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Replay {
    /// Already received within the window.
    #[error("duplicate packet index")]
    Duplicate,
    /// Left of the window.
    #[error("packet index left of the anti-replay window")]
    TooOld,
}

/// The window size is outside 1 to [`MAX_WINDOW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("anti-replay window must be 1 to 65536 packets, not {0}")]
pub struct WindowSizeError(pub u32);

/// A window of the last `size` indices ending at the highest one accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlidingWindow {
    /// W: how many indices, ending at `top`, are tracked.
    size: u64,
    /// The highest index accepted; `None` before the first.
    top: Option<u64>,
    /// Ring of blocks; bit `i % 64` of block `(i / 64) % len` marks `i`.
    blocks: Vec<u64>,
}

impl SlidingWindow {
    /// A window of `size` packets (1 to [`MAX_WINDOW`]).
    pub fn new(size: u32) -> Result<Self, WindowSizeError> {
        if size == 0 || size > MAX_WINDOW {
            return Err(WindowSizeError(size));
        }
        let size = u64::from(size);
        // One block more than the window needs: the block holding `top` may
        // be only partly inside the window (RFC 6479 §2); rounded up to a
        // power of two so a packet's block is a mask, not a division.
        let len = (size.div_ceil(BLOCK_BITS) + 1).next_power_of_two();
        Ok(Self {
            size,
            top: None,
            blocks: vec![0; len as usize],
        })
    }

    /// The window size W.
    #[must_use]
    pub fn size(&self) -> u32 {
        self.size as u32
    }

    /// The highest index accepted so far, `None` before the first.
    #[must_use]
    pub fn top(&self) -> Option<u64> {
        self.top
    }

    /// Checks an index before its packet is authenticated. Changes nothing.
    pub fn check(&self, index: u64) -> Result<(), Replay> {
        let Some(top) = self.top else {
            return Ok(());
        };
        if index > top {
            return Ok(());
        }
        if top - index >= self.size {
            return Err(Replay::TooOld);
        }
        let (block, bit) = self.position(index);
        match self.blocks.get(block) {
            Some(b) if b & bit == 0 => Ok(()),
            _ => Err(Replay::Duplicate),
        }
    }

    /// Records the index of an authenticated packet, moving the window right
    /// if it is the new highest. The index is checked again, so a duplicate
    /// that raced past [`SlidingWindow::check`] is still refused, and a
    /// refusal changes nothing.
    pub fn accept(&mut self, index: u64) -> Result<(), Replay> {
        self.check(index)?;
        let len = self.blocks.len() as u64;
        match self.top {
            Some(top) if index <= top => {}
            Some(top) => {
                let old_block = top / BLOCK_BITS;
                let new_block = index / BLOCK_BITS;
                // Clear the blocks the window moves into (all of them at most).
                let moved = (new_block - old_block).min(len);
                for i in 1..=moved {
                    if let Some(b) = self.blocks.get_mut(((old_block + i) & (len - 1)) as usize) {
                        *b = 0;
                    }
                }
                self.top = Some(index);
            }
            None => self.top = Some(index),
        }
        let (block, bit) = self.position(index);
        if let Some(b) = self.blocks.get_mut(block) {
            *b |= bit;
        }
        Ok(())
    }

    fn position(&self, index: u64) -> (usize, u64) {
        let len = self.blocks.len() as u64;
        (
            ((index / BLOCK_BITS) % len) as usize,
            1 << (index % BLOCK_BITS),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_index_is_accepted_whatever_it_is() {
        let mut w = SlidingWindow::new(64).unwrap();
        assert_eq!(w.check(0), Ok(()));
        w.accept(1 << 40).unwrap();
        assert_eq!(w.top(), Some(1 << 40));
        assert_eq!(w.accept(1 << 40), Err(Replay::Duplicate));
    }

    #[test]
    fn window_edges() {
        let mut w = SlidingWindow::new(128).unwrap();
        w.accept(1000).unwrap();
        assert_eq!(w.check(1000 - 127), Ok(()));
        assert_eq!(w.check(1000 - 128), Err(Replay::TooOld));
        w.accept(900).unwrap();
        assert_eq!(w.accept(900), Err(Replay::Duplicate));
        // A jump far right clears every block.
        w.accept(1_000_000).unwrap();
        assert_eq!(w.check(1_000_000 - 100), Ok(()));
    }

    #[test]
    fn refused_sizes() {
        assert_eq!(SlidingWindow::new(0), Err(WindowSizeError(0)));
        assert!(SlidingWindow::new(MAX_WINDOW + 1).is_err());
    }
}
