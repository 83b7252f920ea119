//! The AKA nonce: base64(RAND ‖ AUTN ‖ server data) (RFC 3310 §3.2, figure 1).

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use super::DigestError;
use crate::types::{Autn, Rand};

/// Standard base64 alphabet; `=` padding written, and accepted or not on input.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Length of RAND and of an AUTN with the 64-bit MAC of Milenage.
const RAND_LEN: usize = 16;
const AUTN_LEN: usize = 16;

/// What the `nonce` of a Digest AKA challenge carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AkaNonce {
    /// The random challenge.
    pub rand: Rand,
    /// The authentication token.
    pub autn: Autn,
    /// Whatever the server appended for itself (often nothing).
    pub server_data: Vec<u8>,
}

impl AkaNonce {
    /// A nonce without server data.
    #[must_use]
    pub fn new(rand: Rand, autn: Autn) -> Self {
        Self {
            rand,
            autn,
            server_data: Vec::new(),
        }
    }

    /// Decodes the nonce text: 16 bytes of RAND, 16 bytes of AUTN, and the
    /// rest is server data.
    ///
    /// The nonce does not say how long AUTN is, so an AUTN with the 64-bit
    /// MAC (16 bytes) is assumed, as IMS uses; with TUAK's longer MACs the
    /// extra MAC bytes would be read as server data.
    pub fn decode(nonce: &str) -> Result<Self, DigestError> {
        let bytes = BASE64
            .decode(nonce)
            .map_err(|_| DigestError::AkaNonce("not base64"))?;
        let short = DigestError::AkaNonce("shorter than RAND and AUTN (32 bytes)");
        let (rand, rest) = bytes.split_first_chunk::<RAND_LEN>().ok_or(short.clone())?;
        let (autn, server_data) = rest.split_first_chunk::<AUTN_LEN>().ok_or(short)?;
        Ok(Self {
            rand: *rand,
            autn: Autn::from_bytes(autn).map_err(|_| DigestError::AkaNonce("AUTN"))?,
            server_data: server_data.to_vec(),
        })
    }

    /// The nonce text: base64 of RAND ‖ AUTN ‖ server data, padded.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(RAND_LEN + self.autn.len() + self.server_data.len());
        bytes.extend_from_slice(&self.rand);
        bytes.extend_from_slice(&self.autn.to_bytes());
        bytes.extend_from_slice(&self.server_data);
        BASE64.encode(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex16(s: &str) -> [u8; 16] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// osmo-auc-gen prints "IMS nonce: I1U8vpY3qJ0hiuZNrke/NaponGSDcbm5gzxILEK0d3k="
    /// for RAND=23553cbe9637a89d218ae64dae47bf35, AUTN=aa689c648371b9b9833c482c42b47779.
    #[test]
    fn matches_osmo_auc_gen_ims_nonce() {
        let nonce = AkaNonce::new(
            hex16("23553cbe9637a89d218ae64dae47bf35"),
            Autn::from_bytes(&hex16("aa689c648371b9b9833c482c42b47779")).unwrap(),
        );
        assert_eq!(
            nonce.encode(),
            "I1U8vpY3qJ0hiuZNrke/NaponGSDcbm5gzxILEK0d3k="
        );
        assert_eq!(
            AkaNonce::decode("I1U8vpY3qJ0hiuZNrke/NaponGSDcbm5gzxILEK0d3k="),
            Ok(nonce.clone())
        );
        // Some servers drop the padding.
        assert_eq!(
            AkaNonce::decode("I1U8vpY3qJ0hiuZNrke/NaponGSDcbm5gzxILEK0d3k"),
            Ok(nonce)
        );
    }

    #[test]
    fn server_data_follows_autn() {
        let mut nonce = AkaNonce::new([7; 16], Autn::from_bytes(&[9; 16]).unwrap());
        nonce.server_data = b"server".to_vec();
        assert_eq!(AkaNonce::decode(&nonce.encode()), Ok(nonce));
    }

    #[test]
    fn short_or_non_base64_nonce_is_refused() {
        assert_eq!(
            AkaNonce::decode("AAAA"),
            Err(DigestError::AkaNonce(
                "shorter than RAND and AUTN (32 bytes)"
            ))
        );
        assert_eq!(
            AkaNonce::decode("dcd98b7102dd2f0e8b11d0f600bfb0c093"),
            Err(DigestError::AkaNonce("not base64"))
        );
        assert_eq!(
            AkaNonce::decode("a b"),
            Err(DigestError::AkaNonce("not base64"))
        );
    }
}
