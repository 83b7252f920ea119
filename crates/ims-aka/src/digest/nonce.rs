//! The AKA nonce: base64(RAND ‖ AUTN ‖ server data) (RFC 3310 §3.2, figure 1).

use alloc::string::String;
use alloc::vec::Vec;

use super::{b64, DigestError};
use crate::home::AuthenticationVector;
use crate::types::{Autn, Rand};

/// Length of RAND.
const RAND_LEN: usize = 16;
/// Length of AUTN without its MAC: SQN ⊕ AK (6) and AMF (2).
const AUTN_HEAD_LEN: usize = 8;

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

    /// Decodes the nonce text (base64, padded or not): 16 bytes of RAND,
    /// then AUTN with a MAC of `mac_len` bytes, and the rest is server data.
    ///
    /// The nonce does not say how long AUTN is, so the caller says how long
    /// its algorithm's MAC is: [`AkaAlgorithm::mac_len`](crate::AkaAlgorithm::mac_len),
    /// 8 for Milenage (a 16-byte AUTN) and 8, 16 or 32 for TUAK. Errors if
    /// `mac_len` is none of these, if the text is not base64, or if it is
    /// shorter than RAND and AUTN.
    pub fn decode(nonce: &str, mac_len: usize) -> Result<Self, DigestError> {
        if !matches!(mac_len, 8 | 16 | 32) {
            return Err(DigestError::AkaNonce(
                "MAC length must be 8, 16 or 32 bytes",
            ));
        }
        let bytes = b64::decode(nonce).ok_or(DigestError::AkaNonce("not base64"))?;
        let short = DigestError::AkaNonce("shorter than RAND and AUTN");
        let (rand, rest) = bytes.split_first_chunk::<RAND_LEN>().ok_or(short.clone())?;
        let (autn, server_data) = rest
            .split_at_checked(AUTN_HEAD_LEN + mac_len)
            .ok_or(short)?;
        Ok(Self {
            rand: *rand,
            autn: Autn::from_bytes(autn).map_err(|_| DigestError::AkaNonce("AUTN"))?,
            server_data: server_data.to_vec(),
        })
    }

    /// The nonce text: base64 of RAND ‖ AUTN ‖ server data, padded.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut bytes =
            Vec::with_capacity(RAND_LEN + self.autn.encoded_len() + self.server_data.len());
        bytes.extend_from_slice(&self.rand);
        bytes.extend_from_slice(&self.autn.to_bytes());
        bytes.extend_from_slice(&self.server_data);
        b64::encode(&bytes)
    }
}

impl From<&AuthenticationVector> for AkaNonce {
    /// The nonce of a vector: its RAND and AUTN, no server data.
    fn from(vector: &AuthenticationVector) -> Self {
        Self::new(vector.rand, vector.autn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Amf, Mac};

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
            AkaNonce::decode("I1U8vpY3qJ0hiuZNrke/NaponGSDcbm5gzxILEK0d3k=", 8),
            Ok(nonce.clone())
        );
        // Some servers drop the padding.
        assert_eq!(
            AkaNonce::decode("I1U8vpY3qJ0hiuZNrke/NaponGSDcbm5gzxILEK0d3k", 8),
            Ok(nonce)
        );
    }

    #[test]
    fn server_data_follows_autn() {
        let mut nonce = AkaNonce::new([7; 16], Autn::from_bytes(&[9; 16]).unwrap());
        nonce.server_data = b"server".to_vec();
        assert_eq!(AkaNonce::decode(&nonce.encode(), 8), Ok(nonce));
    }

    /// TS 35.231 allows 128- and 256-bit MACs: AUTN is then 24 or 40 bytes,
    /// and only the MAC length tells AUTN from server data.
    #[test]
    fn longer_tuak_macs_are_read_into_autn_not_server_data() {
        for mac in [Mac::from([0xa5; 16]), Mac::from([0x5a; 32])] {
            let autn = Autn {
                concealed_sqn: [1, 2, 3, 4, 5, 6],
                amf: Amf([0x80, 0]),
                mac,
            };
            let mut nonce = AkaNonce::new([7; 16], autn);
            nonce.server_data = b"sd".to_vec();
            let text = nonce.encode();
            let mac_len = mac.as_bytes().len();
            assert_eq!(AkaNonce::decode(&text, mac_len), Ok(nonce.clone()));
            // Read with the 64-bit MAC, the rest of the MAC becomes server data.
            let misread = AkaNonce::decode(&text, 8).unwrap();
            assert_ne!(misread.autn, autn);
            assert_eq!(misread.server_data.len(), mac_len - 8 + 2);
        }
    }

    #[test]
    fn short_or_non_base64_nonce_or_bad_mac_length_is_refused() {
        assert_eq!(
            AkaNonce::decode("AAAA", 8),
            Err(DigestError::AkaNonce("shorter than RAND and AUTN"))
        );
        // 32 bytes: enough for a 64-bit MAC, not for a 128-bit one.
        let text = b64::encode(&[0; 32]);
        assert!(AkaNonce::decode(&text, 8).is_ok());
        assert_eq!(
            AkaNonce::decode(&text, 16),
            Err(DigestError::AkaNonce("shorter than RAND and AUTN"))
        );
        assert_eq!(
            AkaNonce::decode(&text, 12),
            Err(DigestError::AkaNonce(
                "MAC length must be 8, 16 or 32 bytes"
            ))
        );
        assert_eq!(
            AkaNonce::decode(&text, usize::MAX),
            Err(DigestError::AkaNonce(
                "MAC length must be 8, 16 or 32 bytes"
            ))
        );
        assert_eq!(
            AkaNonce::decode("dcd98b7102dd2f0e8b11d0f600bfb0c093", 8),
            Err(DigestError::AkaNonce("not base64"))
        );
        assert_eq!(
            AkaNonce::decode("a b", 8),
            Err(DigestError::AkaNonce("not base64"))
        );
    }
}
