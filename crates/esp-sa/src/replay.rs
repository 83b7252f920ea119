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

use ims_sec_core::replay::SlidingWindow;
pub use ims_sec_core::replay::{Replay, MAX_WINDOW};

use crate::Error;

/// The anti-replay state of an inbound SA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayWindow {
    /// The shared bitmap over full (64-bit with ESN) sequence numbers.
    window: SlidingWindow,
    /// Extended (64-bit) sequence numbers: only the low 32 bits are sent.
    esn: bool,
}

impl ReplayWindow {
    /// A window of `size` packets (1 to [`MAX_WINDOW`]; 64 is the usual),
    /// for 32-bit or extended sequence numbers.
    pub fn new(size: u32, esn: bool) -> Result<Self, Error> {
        let window = SlidingWindow::new(size)
            .map_err(|_| Error::Parameter("anti-replay window must be 1 to 65536 packets"))?;
        Ok(Self { window, esn })
    }

    /// The window size W.
    #[must_use]
    pub fn size(&self) -> u32 {
        self.window.size()
    }

    /// The highest sequence number accepted so far (0 before the first).
    #[must_use]
    pub fn top(&self) -> u64 {
        self.window.top().unwrap_or(0)
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
        let top = self.top();
        let th = top >> 32;
        let tl = top as u32;
        let w = self.size();
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
        // RFC 4303 §3.3.3: 0 is never sent.
        if seq == 0 {
            return Err(Replay::TooOld);
        }
        self.window.check(seq)
    }

    /// Records a sequence number whose packet passed the ICV check, moving
    /// the window right if it is the new highest. The number is checked
    /// again, so a duplicate that raced past [`ReplayWindow::check`] is still
    /// refused, and a refusal changes nothing.
    pub fn accept(&mut self, seq: u64) -> Result<(), Replay> {
        self.check_full(seq)?;
        self.window.accept(seq)
    }
}
