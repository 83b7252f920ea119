//! Secret byte strings: zeroized on drop, redacted in `Debug`, compared in
//! constant time.
//!
//! [`Secret<N>`] holds exactly `N` bytes (K, OPc, a 128-bit CK). [`SecretBytes<MAX>`]
//! holds up to `MAX` bytes for values whose length is negotiated or chosen by
//! the algorithm (a TUAK RES of 32 to 256 bits, a 128- or 256-bit CK). Neither
//! allocates, so both work in `no_std` firmware.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A byte string had a length the type cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthError {
    /// The length that was offered.
    pub got: usize,
    /// The largest length (or, for fixed-size types, the only length) accepted.
    pub max: usize,
}

impl fmt::Display for LengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "secret of {} bytes does not fit (limit {})",
            self.got, self.max
        )
    }
}

impl core::error::Error for LengthError {}

/// Compares two byte strings in time that depends only on their lengths.
///
/// Use it for every MAC, RES, ICV and tag check: a comparison that stops at
/// the first differing (or zero) byte tells an attacker how much they got right.
#[must_use]
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Exactly `N` secret bytes.
#[derive(Clone)]
pub struct Secret<const N: usize>([u8; N]);

impl<const N: usize> Drop for Secret<N> {
    fn drop(&mut self) {
        // The slice form clears in bulk; the array form fences every byte.
        self.0.as_mut_slice().zeroize();
    }
}

impl<const N: usize> ZeroizeOnDrop for Secret<N> {}

impl<const N: usize> Secret<N> {
    /// Takes ownership of the bytes.
    #[must_use]
    pub const fn new(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// Copies the bytes from a slice of exactly `N` bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, LengthError> {
        let array = <[u8; N]>::try_from(bytes).map_err(|_| LengthError {
            got: bytes.len(),
            max: N,
        })?;
        Ok(Self(array))
    }

    /// The secret bytes. The name is long on purpose: every use is a place to audit.
    #[must_use]
    pub const fn expose_secret(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> From<[u8; N]> for Secret<N> {
    fn from(bytes: [u8; N]) -> Self {
        Self(bytes)
    }
}

impl<const N: usize> ConstantTimeEq for Secret<N> {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl<const N: usize> PartialEq for Secret<N> {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl<const N: usize> Eq for Secret<N> {}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret<{N}>([redacted])")
    }
}

/// Up to `MAX` secret bytes; the length itself is not secret.
#[derive(Clone)]
pub struct SecretBytes<const MAX: usize> {
    bytes: [u8; MAX],
    len: u8,
}

impl<const MAX: usize> SecretBytes<MAX> {
    /// Copies `bytes`, which must be at most `MAX` long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, LengthError> {
        const { assert!(MAX <= 255, "SecretBytes holds at most 255 bytes") };
        let mut out = Self {
            bytes: [0; MAX],
            len: bytes.len() as u8,
        };
        out.bytes
            .get_mut(..bytes.len())
            .ok_or(LengthError {
                got: bytes.len(),
                max: MAX,
            })?
            .copy_from_slice(bytes);
        Ok(out)
    }

    /// Takes `N` bytes; a compile-time error if `N > MAX`.
    #[must_use]
    pub fn from_array<const N: usize>(bytes: [u8; N]) -> Self {
        const { assert!(N <= MAX && MAX <= 255) };
        let mut out = Self {
            bytes: [0; MAX],
            len: N as u8,
        };
        if let Some(prefix) = out.bytes.get_mut(..N) {
            prefix.copy_from_slice(&bytes);
        }
        out
    }

    /// The secret bytes. The name is long on purpose: every use is a place to audit.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        // `len <= MAX` is an invariant of every constructor.
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Number of bytes held.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether no bytes are held.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const MAX: usize> Drop for SecretBytes<MAX> {
    fn drop(&mut self) {
        // Bytes past `len` are never written, so only the prefix needs clearing.
        if let Some(used) = self.bytes.get_mut(..usize::from(self.len)) {
            used.zeroize();
        }
    }
}

impl<const MAX: usize> ZeroizeOnDrop for SecretBytes<MAX> {}

impl<const N: usize, const MAX: usize> From<&Secret<N>> for SecretBytes<MAX> {
    /// Copies a fixed-size secret; panics at compile time if `N > MAX`.
    fn from(secret: &Secret<N>) -> Self {
        Self::from_array(*secret.expose_secret())
    }
}

impl<const MAX: usize> ConstantTimeEq for SecretBytes<MAX> {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        // Lengths are public; only the contents are compared in constant time.
        subtle::Choice::from(u8::from(self.len == other.len))
            & self.expose_secret().ct_eq(other.expose_secret())
    }
}

impl<const MAX: usize> PartialEq for SecretBytes<MAX> {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl<const MAX: usize> Eq for SecretBytes<MAX> {}

impl<const MAX: usize> fmt::Debug for SecretBytes<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes, [redacted])", self.len)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;

    #[test]
    fn debug_never_shows_the_bytes() {
        let s = Secret::new([0xab; 4]);
        assert!(!format!("{s:?}").contains("ab"));
        let v = SecretBytes::<8>::from_slice(&[0xcd; 3]).unwrap();
        assert_eq!(format!("{v:?}"), "SecretBytes(3 bytes, [redacted])");
    }

    #[test]
    fn too_long_is_refused() {
        assert_eq!(
            SecretBytes::<4>::from_slice(&[0; 5]).unwrap_err(),
            LengthError { got: 5, max: 4 }
        );
        assert_eq!(
            Secret::<4>::from_slice(&[0; 3]).unwrap_err(),
            LengthError { got: 3, max: 4 }
        );
    }

    #[test]
    fn equality_needs_same_length_and_bytes() {
        let a = SecretBytes::<8>::from_slice(&[1, 2, 3]).unwrap();
        assert_ne!(a, SecretBytes::<8>::from_slice(&[1, 2, 3, 0]).unwrap());
        assert_ne!(a, SecretBytes::<8>::from_slice(&[1, 2, 4]).unwrap());
        assert_eq!(a, SecretBytes::<8>::from_slice(&[1, 2, 3]).unwrap());
        assert!(ct_eq(&[0, 1], &[0, 1]));
        assert!(!ct_eq(&[0, 1], &[0]));
        assert!(!ct_eq(&[0, 0, 1], &[0, 0, 2]));
    }

    #[test]
    fn widening_a_fixed_secret_keeps_its_bytes() {
        let fixed = Secret::new([7u8; 16]);
        let wide: SecretBytes<32> = (&fixed).into();
        assert_eq!(wide.expose_secret(), &[7u8; 16]);
    }

    proptest::proptest! {
        #[test]
        fn from_slice_round_trips(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..=32)) {
            let s = SecretBytes::<32>::from_slice(&bytes).unwrap();
            proptest::prop_assert_eq!(s.expose_secret(), &bytes[..]);
        }
    }
}
