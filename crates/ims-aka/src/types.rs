//! The values of an AKA run, named as TS 33.102 §6.3 names them.

use alloc::vec::Vec;
use core::fmt;

use ims_sec_core::{Secret, SecretBytes};

use crate::Error;

/// The subscriber key K: 128 bits for Milenage, 128 or 256 bits for TUAK.
pub type K = SecretBytes<32>;
/// OPc, Milenage's operator variant key derived from OP and K (TS 35.206 §4.1).
pub type Opc = Secret<16>;
/// TOPc, TUAK's operator variant key derived from TOP and K (TS 35.231 §6.1).
pub type Topc = Secret<32>;
/// The response RES (or expected response XRES): 32 to 256 bits.
pub type Res = SecretBytes<32>;
/// The cipher key CK: 128 bits, or 256 bits with TUAK.
pub type Ck = SecretBytes<32>;
/// The integrity key IK: 128 bits, or 256 bits with TUAK.
pub type Ik = SecretBytes<32>;
/// The anonymity key AK (f5) or AK* (f5*): 48 bits.
pub type Ak = Secret<6>;

/// The random challenge RAND (128 bits).
pub type Rand = [u8; 16];

/// The authentication management field AMF (16 bits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Amf(pub [u8; 2]);

impl Amf {
    /// The dummy AMF used for MAC-S in resynchronisation (TS 33.102 §6.3.3).
    pub const RESYNC: Amf = Amf([0, 0]);

    /// Whether the "AMF separation bit" (bit 0, the most significant bit,
    /// TS 33.102 Annex H) is set.
    #[must_use]
    pub const fn separation_bit(self) -> bool {
        self.0[0] & 0x80 != 0
    }
}

/// A 48-bit sequence number SQN (TS 33.102 §6.3.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sqn(u64);

impl Sqn {
    /// The largest SQN, 2^48 - 1.
    pub const MAX: Sqn = Sqn((1 << 48) - 1);

    /// An SQN from its integer value; `None` above 2^48 - 1.
    #[must_use]
    pub const fn new(value: u64) -> Option<Self> {
        if value <= Self::MAX.0 {
            Some(Self(value))
        } else {
            None
        }
    }

    /// An SQN from its six big-endian bytes.
    #[must_use]
    pub const fn from_bytes(b: [u8; 6]) -> Self {
        Self(u64::from_be_bytes([
            0, 0, b[0], b[1], b[2], b[3], b[4], b[5],
        ]))
    }

    /// The integer value.
    #[must_use]
    pub const fn value(self) -> u64 {
        self.0
    }

    /// The six big-endian bytes.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 6] {
        let b = self.0.to_be_bytes();
        [b[2], b[3], b[4], b[5], b[6], b[7]]
    }

    /// SQN ⊕ AK, as AUTN and AUTS carry it concealed.
    #[must_use]
    pub fn conceal(self, ak: &Ak) -> [u8; 6] {
        xor6(self.to_bytes(), ak.expose_secret())
    }

    /// Recovers the SQN from SQN ⊕ AK.
    #[must_use]
    pub fn reveal(concealed: [u8; 6], ak: &Ak) -> Self {
        Self::from_bytes(xor6(concealed, ak.expose_secret()))
    }
}

impl fmt::Display for Sqn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012x}", self.0)
    }
}

fn xor6(mut a: [u8; 6], b: &[u8; 6]) -> [u8; 6] {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
    a
}

/// A message authentication code from f1 (MAC-A, XMAC-A) or f1* (MAC-S):
/// 64 bits for Milenage; 64, 128 or 256 bits for TUAK. `==` compares in
/// constant time.
#[derive(Clone, Copy)]
pub struct Mac {
    bytes: [u8; 32],
    len: u8,
}

impl Mac {
    /// A MAC of 8, 16 or 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        if !matches!(bytes.len(), 8 | 16 | 32) {
            return Err(Error::Length {
                what: "MAC",
                got: bytes.len(),
            });
        }
        let mut out = Self {
            bytes: [0; 32],
            len: bytes.len() as u8,
        };
        for (dst, src) in out.bytes.iter_mut().zip(bytes) {
            *dst = *src;
        }
        Ok(out)
    }

    /// The MAC bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        // `len` is 8, 16 or 32 by construction.
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// Compares with another MAC in constant time.
    #[must_use]
    pub fn ct_eq(&self, other: &Mac) -> bool {
        ims_sec_core::ct_eq(self.as_bytes(), other.as_bytes())
    }
}

impl PartialEq for Mac {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl Eq for Mac {}

macro_rules! mac_from_array {
    ($($n:literal),*) => {$(
        impl From<[u8; $n]> for Mac {
            fn from(bytes: [u8; $n]) -> Self {
                let mut out = Self { bytes: [0; 32], len: $n };
                if let Some(prefix) = out.bytes.get_mut(..$n) {
                    prefix.copy_from_slice(&bytes);
                }
                out
            }
        }
    )*};
}
mac_from_array!(8, 16, 32);

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mac({})", hex::encode(self.as_bytes()))
    }
}

/// The authentication token AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A (TS 33.102 §6.3.2):
/// 128 bits with the usual 64-bit MAC.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Autn {
    /// SQN ⊕ AK.
    pub concealed_sqn: [u8; 6],
    /// The AMF, sent in the clear.
    pub amf: Amf,
    /// MAC-A.
    pub mac: Mac,
}

impl Autn {
    /// Parses AUTN bytes: 6 + 2 + 8 (or 16, 32 for TUAK's longer MACs).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let length = Error::Length {
            what: "AUTN",
            got: bytes.len(),
        };
        let (concealed, rest) = bytes.split_first_chunk::<6>().ok_or(length.clone())?;
        let (amf, mac) = rest.split_first_chunk::<2>().ok_or(length.clone())?;
        Ok(Self {
            concealed_sqn: *concealed,
            amf: Amf(*amf),
            mac: Mac::from_slice(mac).map_err(|_| length)?,
        })
    }

    /// Length of the encoded AUTN in bytes (16 with a 64-bit MAC).
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        8 + self.mac.as_bytes().len()
    }

    /// The AUTN bytes (16 with a 64-bit MAC).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(&self.concealed_sqn);
        out.extend_from_slice(&self.amf.0);
        out.extend_from_slice(self.mac.as_bytes());
        out
    }
}

/// The resynchronisation token AUTS = SQN_MS ⊕ AK* ‖ MAC-S (TS 33.102 §6.3.3):
/// 112 bits with the usual 64-bit MAC.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Auts {
    /// SQN_MS ⊕ AK*.
    pub concealed_sqn: [u8; 6],
    /// MAC-S = f1*(SQN_MS ‖ RAND ‖ AMF = 0x0000).
    pub mac: Mac,
}

impl Auts {
    /// Parses AUTS bytes: 6 + 8 (or 16, 32 for TUAK's longer MACs).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let length = Error::Length {
            what: "AUTS",
            got: bytes.len(),
        };
        let (concealed, mac) = bytes.split_first_chunk::<6>().ok_or(length.clone())?;
        Ok(Self {
            concealed_sqn: *concealed,
            mac: Mac::from_slice(mac).map_err(|_| length)?,
        })
    }

    /// The AUTS bytes (14 with a 64-bit MAC).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(6 + self.mac.as_bytes().len());
        out.extend_from_slice(&self.concealed_sqn);
        out.extend_from_slice(self.mac.as_bytes());
        out
    }
}
