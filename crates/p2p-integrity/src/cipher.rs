//! Content pre-encryption (TR 33.844 §5.1, Figure 9): the CSS encrypts the
//! content before import with AES-CTR, so it travels encrypted over PP_m1 and
//! PP_m2 and only UEs the CCS gives the key can read it.
//!
//! Each segment has its own counter block, derived from the content ID and
//! the segment index, so every segment decrypts on its own, in any order:
//!
//! ```text
//! counter block = SHA-256("ims-sec p2p ctr" ‖ content ID)[0..8] ‖ segment index (u32 BE) ‖ block counter (u32 BE, from 0)
//! ```
//!
//! The block counter covers 2^32 AES blocks (64 GiB), beyond the largest
//! segment (1 GiB), so counter blocks never repeat within a content. One key
//! per content: two contents with the same key would share keystream only if
//! their content IDs' 64-bit prefixes collided. The Merkle tree is computed
//! over the ciphertext, so peers, the CCS and the Tracker check integrity
//! without the key.

use aes::cipher::{InnerIvInit, KeyInit, StreamCipher};
use aes::{Aes128Enc, Aes256Enc};
use core::fmt;
use ims_sec_core::SecretBytes;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::error::Error;
use crate::ids::ContentId;
use crate::merkle::SegmentSize;

/// The content cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CipherSuite {
    /// AES-128 in counter mode.
    Aes128Ctr,
    /// AES-256 in counter mode.
    Aes256Ctr,
}

impl CipherSuite {
    /// Key length in bytes.
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128Ctr => 16,
            Self::Aes256Ctr => 32,
        }
    }

    /// Its code in key responses.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Aes128Ctr => 1,
            Self::Aes256Ctr => 2,
        }
    }

    /// The suite with code `code`.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Aes128Ctr),
            2 => Some(Self::Aes256Ctr),
            _ => None,
        }
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Aes128Ctr => "AES-128-CTR",
            Self::Aes256Ctr => "AES-256-CTR",
        })
    }
}

/// A content encryption key and its suite; zeroized on drop, redacted in
/// `Debug`, compared in constant time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentKey {
    suite: CipherSuite,
    key: SecretBytes<32>,
}

impl ContentKey {
    /// A key for `suite`; refused unless `key` has the suite's length.
    pub fn new(suite: CipherSuite, key: &[u8]) -> Result<Self, Error> {
        if key.len() != suite.key_len() {
            return Err(Error::KeyLength(key.len()));
        }
        let key = SecretBytes::from_slice(key).map_err(|e| Error::KeyLength(e.got))?;
        Ok(Self { suite, key })
    }

    /// A fresh key from `rng`.
    pub fn generate(suite: CipherSuite, rng: &mut impl CryptoRngCore) -> Self {
        let mut b = [0u8; 32];
        let len = suite.key_len();
        let part = b.get_mut(..len).unwrap_or(&mut []);
        rng.fill_bytes(part);
        let key = SecretBytes::from_slice(part).unwrap_or_else(|_| SecretBytes::from_array([0; 0]));
        b.zeroize();
        Self { suite, key }
    }

    /// The suite.
    #[must_use]
    pub const fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// The key bytes. Every use is a place to audit.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        self.key.expose_secret()
    }
}

// One per cipher, built once; boxing would add a pointer chase per segment.
#[allow(clippy::large_enum_variant)]
enum Engine {
    A128(Aes128Enc),
    A256(Aes256Enc),
}

/// Encrypts and decrypts segments of one content; the AES key schedule is
/// built once.
pub struct SegmentCipher {
    engine: Engine,
    prefix: [u8; 8],
}

impl fmt::Debug for SegmentCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SegmentCipher([redacted])")
    }
}

/// The largest input one counter block sequence covers: 2^32 AES blocks.
const MAX_SEGMENT_BYTES: u64 = 1 << 36;

impl SegmentCipher {
    /// The cipher for content `content_id` under `key`.
    #[must_use]
    pub fn new(key: &ContentKey, content_id: &ContentId) -> Self {
        let k = key.expose_secret();
        let engine = match key.suite {
            CipherSuite::Aes128Ctr => Engine::A128(Aes128Enc::new(k.into())),
            CipherSuite::Aes256Ctr => Engine::A256(Aes256Enc::new(k.into())),
        };
        let mut h = Sha256::new();
        h.update(b"ims-sec p2p ctr");
        h.update(content_id.as_bytes());
        let digest = h.finalize();
        let mut prefix = [0; 8];
        prefix.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
        Self { engine, prefix }
    }

    /// The first counter block of segment `segment`.
    #[must_use]
    pub fn counter_block(&self, segment: u32) -> [u8; 16] {
        let mut block = [0; 16];
        let (prefix, rest) = block.split_at_mut(8);
        prefix.copy_from_slice(&self.prefix);
        let (index, _) = rest.split_at_mut(4);
        index.copy_from_slice(&segment.to_be_bytes());
        block
    }

    /// Encrypts or decrypts (the same operation) segment `segment` in place.
    pub fn apply(&self, segment: u32, data: &mut [u8]) -> Result<(), Error> {
        if data.len() as u64 > MAX_SEGMENT_BYTES {
            return Err(Error::TooLongForCounter(data.len()));
        }
        let iv = self.counter_block(segment);
        let iv = (&iv).into();
        match &self.engine {
            Engine::A128(k) => {
                ctr::Ctr32BE::<&Aes128Enc>::from_core(ctr::CtrCore::inner_iv_init(k, iv))
                    .apply_keystream(data);
            }
            Engine::A256(k) => {
                ctr::Ctr32BE::<&Aes256Enc>::from_core(ctr::CtrCore::inner_iv_init(k, iv))
                    .apply_keystream(data);
            }
        }
        Ok(())
    }

    /// Encrypts or decrypts a whole content in place, segment by segment.
    pub fn apply_content(
        &self,
        segment_size: SegmentSize,
        content: &mut [u8],
    ) -> Result<(), Error> {
        let size = usize::try_from(segment_size.bytes())
            .map_err(|_| Error::SegmentSize(segment_size.bytes()))?;
        for (i, segment) in content.chunks_mut(size).enumerate() {
            let index =
                u32::try_from(i).map_err(|_| Error::ContentTooLong(content_len(size, i)))?;
            self.apply(index, segment)?;
        }
        Ok(())
    }
}

fn content_len(size: usize, segments: usize) -> u64 {
    (size as u64).saturating_mul(segments as u64)
}
