//! Which segments of a content a peer holds, has verified or announces.

use alloc::vec;
use alloc::vec::Vec;

use crate::codec::Reader;
use crate::error::{Error, ParseError};

/// One bit per segment, segment 0 in the high bit of the first byte (the
/// BitTorrent `bitfield` order); spare bits in the last byte are zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SegmentBitmap {
    len: u32,
    bits: Vec<u8>,
}

impl SegmentBitmap {
    /// No segment set, for content of `len` segments.
    #[must_use]
    pub fn new(len: u32) -> Self {
        Self {
            len,
            bits: vec![0; (len as usize).div_ceil(8)],
        }
    }

    /// Every segment set.
    #[must_use]
    pub fn full(len: u32) -> Self {
        let mut b = Self::new(len);
        for i in 0..len {
            b.set(i);
        }
        b
    }

    /// A bitmap of `len` bits with exactly the given segments set; indices
    /// past the end are refused.
    pub fn from_indices(len: u32, indices: impl IntoIterator<Item = u32>) -> Result<Self, Error> {
        let mut b = Self::new(len);
        for i in indices {
            if !b.set(i) {
                return Err(Error::NoSuchSegment(i));
            }
        }
        Ok(b)
    }

    /// Number of segments the bitmap describes.
    #[must_use]
    pub const fn len(&self) -> u32 {
        self.len
    }

    /// Whether it describes no segment at all.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether segment `i` is set (false past the end).
    #[must_use]
    pub fn get(&self, i: u32) -> bool {
        i < self.len
            && self
                .bits
                .get((i / 8) as usize)
                .is_some_and(|b| b & (0x80 >> (i % 8)) != 0)
    }

    /// Sets segment `i`; false (and nothing set) if `i` is past the end.
    pub fn set(&mut self, i: u32) -> bool {
        if i >= self.len {
            return false;
        }
        match self.bits.get_mut((i / 8) as usize) {
            Some(b) => {
                *b |= 0x80 >> (i % 8);
                true
            }
            None => false,
        }
    }

    /// Clears segment `i`.
    pub fn clear(&mut self, i: u32) {
        if let Some(b) = self.bits.get_mut((i / 8) as usize) {
            *b &= !(0x80 >> (i % 8));
        }
    }

    /// Number of segments set.
    #[must_use]
    pub fn count(&self) -> u32 {
        self.bits.iter().map(|b| b.count_ones()).sum()
    }

    /// Whether every segment is set.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.count() == self.len
    }

    /// Whether no segment is set.
    #[must_use]
    pub fn is_clear(&self) -> bool {
        self.bits.iter().all(|b| *b == 0)
    }

    /// Whether every segment set here is set in `other` too.
    #[must_use]
    pub fn is_subset_of(&self, other: &Self) -> bool {
        self.len == other.len && self.bits.iter().zip(&other.bits).all(|(a, b)| a & !b == 0)
    }

    /// Sets every segment set in `other` (of the same length; otherwise
    /// nothing changes).
    pub fn union_with(&mut self, other: &Self) {
        if self.len == other.len {
            for (a, b) in self.bits.iter_mut().zip(&other.bits) {
                *a |= b;
            }
        }
    }

    /// Clears every segment not set in `other` (everything if the lengths
    /// differ).
    pub fn intersect_with(&mut self, other: &Self) {
        if self.len == other.len {
            for (a, b) in self.bits.iter_mut().zip(&other.bits) {
                *a &= b;
            }
        } else {
            self.bits.iter_mut().for_each(|a| *a = 0);
        }
    }

    /// The segments set here and not in `other`.
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        let mut out = self.clone();
        if self.len == other.len {
            for (a, b) in out.bits.iter_mut().zip(&other.bits) {
                *a &= !b;
            }
        }
        out
    }

    /// The `n`th set segment (counting from 0).
    #[must_use]
    pub fn nth_set(&self, n: u32) -> Option<u32> {
        self.iter().nth(n as usize)
    }

    /// The set segments, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len).filter(|i| self.get(*i))
    }

    /// The packed bits.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bits
    }

    /// Bytes of heap the bitmap holds.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.bits.capacity()
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        let len = r.u32("bitmap length")?;
        let at = r.position();
        let bits = r.bytes((len as usize).div_ceil(8), "bitmap")?.to_vec();
        let spare = (8 - len % 8) % 8;
        if let Some(last) = bits.last() {
            if spare > 0 && last & ((1u8 << spare) - 1) != 0 {
                return Err(ParseError::new(at, "bitmap spare bits"));
            }
        }
        Ok(Self { len, bits })
    }

    pub(crate) fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.len.to_be_bytes());
        out.extend_from_slice(&self.bits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_in_bitfield_order() {
        let mut b = SegmentBitmap::new(10);
        assert!(b.set(0));
        assert!(b.set(9));
        assert!(!b.set(10));
        assert_eq!(b.as_bytes(), &[0x80, 0x40]);
        assert_eq!(b.iter().collect::<Vec<_>>(), [0, 9]);
        assert_eq!(b.count(), 2);
        assert!(SegmentBitmap::full(10).is_full());
    }

    #[test]
    fn spare_bits_must_be_zero() {
        let bytes = [0, 0, 0, 3, 0b1110_0001];
        assert!(SegmentBitmap::read(&mut Reader::new(&bytes)).is_err());
        let bytes = [0, 0, 0, 3, 0b1110_0000];
        assert_eq!(
            SegmentBitmap::read(&mut Reader::new(&bytes))
                .unwrap()
                .count(),
            3
        );
    }
}
