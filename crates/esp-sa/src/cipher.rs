//! ESP encryption: NULL (RFC 2410), DES-EDE3-CBC (RFC 2451) and AES-CBC-128
//! (RFC 3602), in place on block-aligned data. AES-GCM, which also
//! authenticates, is keyed as a whole [`crate::Transform`].
//!
//! Key schedules are computed once per SA ([`Cipher::new`]); each packet
//! runs CBC over a borrowed schedule and the packet's IV: nothing is copied.

use alloc::boxed::Box;

use aes::cipher::inout::InOutBuf;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};
use aes::{Aes128Dec, Aes128Enc};
use des::TdesEde3;

use crate::algorithm::EncryptionAlgorithm;
use crate::Error;

/// The key schedules, boxed: an SA moves around as a value, its schedules
/// (over a kilobyte for AES with both directions) need not.
#[derive(Clone)]
enum Keyed {
    Null,
    Aes(Box<(Aes128Enc, Aes128Dec)>),
    Tdes(Box<TdesEde3>),
}

/// A keyed encryption algorithm of one SA.
#[derive(Clone)]
pub struct Cipher {
    algorithm: EncryptionAlgorithm,
    keyed: Keyed,
}

impl core::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Cipher({}, [redacted])", self.algorithm)
    }
}

impl Cipher {
    /// Keys `algorithm`; the key must have exactly the algorithm's length.
    pub fn new(algorithm: EncryptionAlgorithm, key: &[u8]) -> Result<Self, Error> {
        let bad = || Error::KeyLength {
            algorithm: algorithm.token(),
            got: key.len(),
        };
        if key.len() != algorithm.key_len() {
            return Err(bad());
        }
        let keyed = match algorithm {
            EncryptionAlgorithm::Null => Keyed::Null,
            EncryptionAlgorithm::AesCbc128 => Keyed::Aes(Box::new((
                Aes128Enc::new_from_slice(key).map_err(|_| bad())?,
                Aes128Dec::new_from_slice(key).map_err(|_| bad())?,
            ))),
            EncryptionAlgorithm::DesEde3Cbc => {
                Keyed::Tdes(Box::new(TdesEde3::new_from_slice(key).map_err(|_| bad())?))
            }
            EncryptionAlgorithm::AesGcm => {
                return Err(Error::Parameter(
                    "AES-GCM is an AEAD: key it as a Transform",
                ))
            }
        };
        Ok(Self { algorithm, keyed })
    }

    /// The algorithm.
    #[must_use]
    pub fn algorithm(&self) -> EncryptionAlgorithm {
        self.algorithm
    }

    /// Encrypts `data` in place with `iv`. `data` must be a whole number of
    /// blocks and `iv` exactly [`EncryptionAlgorithm::iv_len`] bytes.
    pub fn encrypt(&self, iv: &[u8], data: &mut [u8]) -> Result<(), Error> {
        self.check(iv, data)?;
        match &self.keyed {
            Keyed::Null => {}
            Keyed::Aes(keys) => {
                let mut mode = cbc::Encryptor::inner_iv_slice_init(&keys.0, iv)
                    .map_err(|_| Error::Parameter("IV length"))?;
                mode.encrypt_blocks_inout_mut(InOutBuf::from(&mut *data).into_chunks().0);
            }
            Keyed::Tdes(tdes) => {
                let mut mode = cbc::Encryptor::inner_iv_slice_init(&**tdes, iv)
                    .map_err(|_| Error::Parameter("IV length"))?;
                mode.encrypt_blocks_inout_mut(InOutBuf::from(&mut *data).into_chunks().0);
            }
        }
        Ok(())
    }

    /// Decrypts `data` in place with `iv`; the same rules as [`Cipher::encrypt`].
    pub fn decrypt(&self, iv: &[u8], data: &mut [u8]) -> Result<(), Error> {
        self.check(iv, data)?;
        match &self.keyed {
            Keyed::Null => {}
            Keyed::Aes(keys) => {
                let mut mode = cbc::Decryptor::inner_iv_slice_init(&keys.1, iv)
                    .map_err(|_| Error::Parameter("IV length"))?;
                mode.decrypt_blocks_inout_mut(InOutBuf::from(&mut *data).into_chunks().0);
            }
            Keyed::Tdes(tdes) => {
                let mut mode = cbc::Decryptor::inner_iv_slice_init(&**tdes, iv)
                    .map_err(|_| Error::Parameter("IV length"))?;
                mode.decrypt_blocks_inout_mut(InOutBuf::from(&mut *data).into_chunks().0);
            }
        }
        Ok(())
    }

    fn check(&self, iv: &[u8], data: &[u8]) -> Result<(), Error> {
        if iv.len() != self.algorithm.iv_len() {
            return Err(Error::Parameter("IV length does not match the algorithm"));
        }
        if data.len() % self.algorithm.block_len() != 0 {
            return Err(Error::Parameter(
                "data is not a whole number of cipher blocks",
            ));
        }
        Ok(())
    }
}
