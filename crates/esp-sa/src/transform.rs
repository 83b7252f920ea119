//! The keyed algorithms of one SA, as one value: encryption with a separate
//! HMAC (NULL, DES-EDE3-CBC or AES-CBC with HMAC-MD5-96 or HMAC-SHA-1-96),
//! AES-GCM (RFC 4106) or AES-GMAC (RFC 4543).
//!
//! A [`Transform`] seals and opens the ESP payload of a packet laid out as
//! SPI ‖ sequence number ‖ IV ‖ payload and trailer ‖ ICV; the SA around it
//! ([`crate::sa`]) writes the header, IV and trailer. Key schedules, HMAC
//! pads and the GHASH key are computed once, in [`Transform::new`].

use alloc::boxed::Box;

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes128;
use aes_gcm::aead::AeadInPlace;
use aes_gcm::Aes128Gcm;
use ghash::universal_hash::UniversalHash;
use ghash::GHash;
use ims_sec_core::Secret;

use crate::algorithm::{EncryptionAlgorithm, IntegrityAlgorithm};
use crate::cipher::Cipher;
use crate::integrity::Integrity;
use crate::keys::EspKeys;
use crate::Error;

/// Length of the AES-GCM and AES-GMAC tag: the ICV is never truncated here
/// (RFC 4106 §6 allows 8, 12 or 16 bytes; RFC 4543 §3.4 only 16).
pub const TAG_LEN: usize = 16;
/// Length of the salt that completes a GCM/GMAC key (RFC 4106 §4).
const SALT_LEN: usize = 4;
/// Length of the explicit IV of GCM and GMAC (RFC 4106 §3.1).
const GCM_IV_LEN: usize = 8;
/// SPI and 32-bit sequence number.
const ESP_HEADER_LEN: usize = 8;

#[derive(Clone)]
enum Keyed {
    /// A cipher (possibly NULL) and, unless the SA only encrypts, an HMAC.
    Separate {
        cipher: Cipher,
        integrity: Option<Integrity>,
    },
    /// AES-GCM: the cipher and its GHASH key, and the salt.
    Gcm(Box<Aes128Gcm>, [u8; SALT_LEN]),
    /// AES-GMAC: the block cipher for the tag mask, the keyed GHASH, the salt.
    Gmac(Box<(Aes128, GHash)>, [u8; SALT_LEN]),
}

/// The keyed algorithm pair of one SA.
#[derive(Clone)]
pub struct Transform {
    integrity: IntegrityAlgorithm,
    encryption: EncryptionAlgorithm,
    keyed: Keyed,
}

impl core::fmt::Debug for Transform {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Transform(alg={}, ealg={}, [redacted])",
            self.integrity, self.encryption
        )
    }
}

/// Where the parts of an ESP packet lie, for [`Transform::seal`] and
/// [`Transform::open`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    /// ESP header and IV.
    pub(crate) header: usize,
    /// Payload, padding, Pad Length and Next Header.
    pub(crate) encrypted: usize,
}

impl Transform {
    /// Keys an algorithm pair with its keying material (the lengths of
    /// [`IntegrityAlgorithm::key_len`] and [`EncryptionAlgorithm::key_len`];
    /// GCM and GMAC keys end with their 4-byte salt).
    ///
    /// The pairs are those TS 33.203 Annex H can signal: an HMAC with NULL,
    /// DES-EDE3-CBC or AES-CBC; `aes-gmac` with `null`; `null` with
    /// `aes-gcm`. An encryption-only pair (`null` with a CBC cipher) is
    /// accepted for RFC 3602's test packets, never negotiated by TS 33.203.
    pub fn new(
        integrity: IntegrityAlgorithm,
        integrity_key: &[u8],
        encryption: EncryptionAlgorithm,
        encryption_key: &[u8],
    ) -> Result<Self, Error> {
        use EncryptionAlgorithm as E;
        use IntegrityAlgorithm as I;
        let keyed = match (integrity, encryption) {
            (I::Null, E::AesGcm) => {
                let (key, salt) = split_salt(encryption.token(), encryption_key)?;
                let aead = Aes128Gcm::new_from_slice(key).map_err(|_| Error::KeyLength {
                    algorithm: encryption.token(),
                    got: encryption_key.len(),
                })?;
                Keyed::Gcm(Box::new(aead), salt)
            }
            (I::AesGmac, E::Null) => {
                let (key, salt) = split_salt(integrity.token(), integrity_key)?;
                let aes = Aes128::new_from_slice(key).map_err(|_| Error::KeyLength {
                    algorithm: integrity.token(),
                    got: integrity_key.len(),
                })?;
                // The GHASH key H is the encryption of the zero block.
                let mut h = aes::Block::default();
                aes.encrypt_block(&mut h);
                let ghash = GHash::new(&h);
                zeroize::Zeroize::zeroize(h.as_mut_slice());
                Keyed::Gmac(Box::new((aes, ghash)), salt)
            }
            (I::HmacMd596 | I::HmacSha196, E::Null | E::AesCbc128 | E::DesEde3Cbc)
            | (I::Null, E::AesCbc128 | E::DesEde3Cbc) => Keyed::Separate {
                cipher: Cipher::new(encryption, encryption_key)?,
                integrity: match integrity {
                    I::Null => None,
                    _ => Some(Integrity::new(integrity, integrity_key)?),
                },
            },
            _ => {
                return Err(Error::Parameter(
                    "not an algorithm pair of TS 33.203 Annex H",
                ))
            }
        };
        Ok(Self {
            integrity,
            encryption,
            keyed,
        })
    }

    /// Keys an algorithm pair from the keys of IMS AKA, expanded as TS 33.203
    /// Annex I says ([`EspKeys::derive`]). Only the pairs Annex H can signal:
    /// encryption without integrity is refused here.
    pub fn from_ims_keys(
        integrity: IntegrityAlgorithm,
        encryption: EncryptionAlgorithm,
        ck_im: &Secret<16>,
        ik_im: &Secret<16>,
    ) -> Result<Self, Error> {
        if integrity == IntegrityAlgorithm::Null && encryption != EncryptionAlgorithm::AesGcm {
            return Err(Error::Parameter(
                "TS 33.203 Annex H has no encryption without integrity",
            ));
        }
        let keys = EspKeys::derive(integrity, encryption, ck_im, ik_im);
        Self::new(
            integrity,
            keys.integrity.expose_secret(),
            encryption,
            keys.encryption.expose_secret(),
        )
    }

    /// A transform from an already keyed cipher and HMAC, without checking
    /// the pair: for test vectors (RFC 3602's packets have no integrity).
    /// NULL without integrity, which RFC 4303 §3.2 forbids, is not refused.
    #[must_use]
    pub fn from_parts(cipher: Cipher, integrity: Option<Integrity>) -> Self {
        Self {
            integrity: integrity
                .as_ref()
                .map_or(IntegrityAlgorithm::Null, Integrity::algorithm),
            encryption: cipher.algorithm(),
            keyed: Keyed::Separate { cipher, integrity },
        }
    }

    /// The integrity algorithm (`alg`).
    #[must_use]
    pub fn integrity_algorithm(&self) -> IntegrityAlgorithm {
        self.integrity
    }

    /// The encryption algorithm (`ealg`).
    #[must_use]
    pub fn encryption_algorithm(&self) -> EncryptionAlgorithm {
        self.encryption
    }

    /// Length of the IV in each packet.
    #[must_use]
    pub fn iv_len(&self) -> usize {
        match self.keyed {
            Keyed::Separate { .. } => self.encryption.iv_len(),
            Keyed::Gcm(..) | Keyed::Gmac(..) => GCM_IV_LEN,
        }
    }

    /// Whether packets are authenticated (an ICV is present).
    #[must_use]
    pub fn authenticates(&self) -> bool {
        self.icv_len() > 0
    }

    /// Whether the IV is a counter (GCM, GMAC: it must never repeat) rather
    /// than random (CBC: it must be unpredictable).
    #[must_use]
    pub fn iv_is_counter(&self) -> bool {
        matches!(self.keyed, Keyed::Gcm(..) | Keyed::Gmac(..))
    }

    /// The alignment of payload and trailer.
    #[must_use]
    pub fn block_len(&self) -> usize {
        self.encryption.block_len()
    }

    /// Length of the ICV.
    #[must_use]
    pub fn icv_len(&self) -> usize {
        self.integrity.icv_len() + self.encryption.icv_len()
    }

    /// Encrypts and authenticates `packet` (exactly header, encrypted part
    /// and ICV) in place, writing the ICV. `seq_high` is the high half of an
    /// extended sequence number.
    pub(crate) fn seal(
        &self,
        packet: &mut [u8],
        layout: Layout,
        seq_high: Option<u32>,
    ) -> Result<(), Error> {
        let (covered, icv) = packet.split_at_mut(layout.header + layout.encrypted);
        let (header, plaintext) = covered.split_at_mut(layout.header);
        let (esp_header, iv) = header.split_at_mut(ESP_HEADER_LEN);
        match &self.keyed {
            Keyed::Separate { cipher, integrity } => {
                cipher.encrypt(iv, plaintext)?;
                if let Some(integrity) = integrity {
                    icv.copy_from_slice(&integrity.icv(covered, seq_high));
                }
            }
            Keyed::Gcm(aead, salt) => {
                let mut aad = [0; 12];
                let aad = gcm_aad(&mut aad, esp_header, seq_high);
                let tag = aead
                    .encrypt_in_place_detached(&nonce(salt, iv), aad, plaintext)
                    .map_err(|_| Error::Parameter("GCM input too long"))?;
                icv.copy_from_slice(&tag);
            }
            Keyed::Gmac(keys, salt) => {
                icv.copy_from_slice(&gmac(keys, salt, covered, seq_high));
            }
        }
        Ok(())
    }

    /// Verifies the ICV of `packet` in constant time and, only if it
    /// verifies, decrypts in place. On error nothing has been decrypted.
    pub(crate) fn open(
        &self,
        packet: &mut [u8],
        layout: Layout,
        seq_high: Option<u32>,
    ) -> Result<(), Error> {
        let (covered, icv) = packet.split_at_mut(layout.header + layout.encrypted);
        match &self.keyed {
            Keyed::Separate { cipher, integrity } => {
                if let Some(integrity) = integrity {
                    if !integrity.verify(covered, seq_high, icv) {
                        return Err(Error::Icv);
                    }
                }
                let (header, ciphertext) = covered.split_at_mut(layout.header);
                let iv = header.get(ESP_HEADER_LEN..).unwrap_or_default();
                cipher.decrypt(iv, ciphertext)
            }
            Keyed::Gcm(aead, salt) => {
                let (header, ciphertext) = covered.split_at_mut(layout.header);
                let (esp_header, iv) = header.split_at(ESP_HEADER_LEN);
                let mut aad = [0; 12];
                let aad = gcm_aad(&mut aad, esp_header, seq_high);
                // One 16-byte copy (collecting the tag byte by byte through
                // an iterator cost about 20 ns a packet).
                let tag = <[u8; TAG_LEN]>::try_from(&*icv).map_err(|_| Error::Icv)?;
                let tag = aes_gcm::Tag::from(tag);
                aead.decrypt_in_place_detached(&nonce(salt, iv), aad, ciphertext, &tag)
                    .map_err(|_| Error::Icv)
            }
            Keyed::Gmac(keys, salt) => {
                if ims_sec_core::ct_eq(&gmac(keys, salt, covered, seq_high), icv) {
                    Ok(())
                } else {
                    Err(Error::Icv)
                }
            }
        }
    }
}

/// Splits GCM/GMAC keying material into the 128-bit AES key and the salt.
fn split_salt<'a>(
    algorithm: &'static str,
    material: &'a [u8],
) -> Result<(&'a [u8], [u8; SALT_LEN]), Error> {
    let (key, salt) = material
        .split_last_chunk::<SALT_LEN>()
        .filter(|(key, _)| key.len() == 16)
        .ok_or(Error::KeyLength {
            algorithm,
            got: material.len(),
        })?;
    Ok((key, *salt))
}

/// The GCM/GMAC nonce: salt ‖ explicit IV (RFC 4106 §4, RFC 4543 §3.2).
fn nonce(salt: &[u8; SALT_LEN], iv: &[u8]) -> aes_gcm::Nonce<aes_gcm::aead::consts::U12> {
    let mut nonce = aes_gcm::Nonce::default();
    for (dst, src) in nonce.iter_mut().zip(salt.iter().chain(iv)) {
        *dst = *src;
    }
    nonce
}

/// The GCM AAD: SPI ‖ sequence number, or SPI ‖ 64-bit extended sequence
/// number (RFC 4106 §5).
fn gcm_aad<'a>(buf: &'a mut [u8; 12], esp_header: &[u8], seq_high: Option<u32>) -> &'a [u8] {
    let (spi, seq_low) = esp_header.split_at(4.min(esp_header.len()));
    let high = seq_high.map(u32::to_be_bytes);
    let parts = spi.iter().chain(high.iter().flatten()).chain(seq_low);
    let mut len = 0;
    for (dst, src) in buf.iter_mut().zip(parts) {
        *dst = *src;
        len += 1;
    }
    buf.get(..len).unwrap_or_default()
}

/// The GMAC tag of ESP (RFC 4543 §3.3 with its Figure 4 and
/// draft-mcgrew-gcm-test: the AAD is SPI ‖ (extended) sequence number ‖ IV
/// ‖ payload and trailer; the plaintext is empty).
fn gmac(
    keys: &(Aes128, GHash),
    salt: &[u8; SALT_LEN],
    covered: &[u8],
    seq_high: Option<u32>,
) -> [u8; TAG_LEN] {
    let (aes, ghash) = keys;
    let (spi, rest) = covered.split_at(4.min(covered.len()));
    let mut stream = GhashStream::new(ghash.clone());
    stream.update(spi);
    if let Some(high) = seq_high {
        stream.update(&high.to_be_bytes());
    }
    stream.update(rest);
    let mut tag = stream.finish();

    // The tag is GHASH ⊕ E(K, J0), J0 = salt ‖ IV ‖ 0x00000001.
    let iv = covered.get(ESP_HEADER_LEN..ESP_HEADER_LEN + GCM_IV_LEN);
    let mut j0 = aes::Block::default();
    for (dst, src) in j0.iter_mut().zip(
        salt.iter()
            .chain(iv.unwrap_or_default())
            .chain(&[0, 0, 0, 1]),
    ) {
        *dst = *src;
    }
    aes.encrypt_block(&mut j0);
    for (t, m) in tag.iter_mut().zip(j0.iter()) {
        *t ^= m;
    }
    tag
}

/// GHASH over AAD given in pieces of any length, with an empty ciphertext.
struct GhashStream {
    ghash: GHash,
    partial: [u8; 16],
    filled: usize,
    len: u64,
}

impl GhashStream {
    fn new(ghash: GHash) -> Self {
        Self {
            ghash,
            partial: [0; 16],
            filled: 0,
            len: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if self.filled > 0 {
            let take = (16 - self.filled).min(data.len());
            let (head, rest) = data.split_at(take);
            if let Some(dst) = self.partial.get_mut(self.filled..self.filled + take) {
                dst.copy_from_slice(head);
            }
            self.filled += take;
            data = rest;
            if self.filled < 16 {
                return;
            }
            self.ghash.update(&[self.partial.into()]);
            self.filled = 0;
        }
        let (blocks, rest) = data.split_at(data.len() / 16 * 16);
        // A whole number of blocks: no padding is added.
        self.ghash.update_padded(blocks);
        if let Some(dst) = self.partial.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        self.filled = rest.len();
    }

    fn finish(mut self) -> [u8; TAG_LEN] {
        if self.filled > 0 {
            self.ghash
                .update_padded(self.partial.get(..self.filled).unwrap_or_default());
        }
        // Lengths in bits: AAD, then the empty ciphertext.
        let mut lengths = [0u8; 16];
        for (dst, src) in lengths.iter_mut().zip((self.len * 8).to_be_bytes()) {
            *dst = src;
        }
        self.ghash.update(&[lengths.into()]);
        self.ghash.finalize().into()
    }
}
