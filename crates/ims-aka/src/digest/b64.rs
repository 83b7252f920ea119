//! The one base64 of Digest AKA: the nonce (RFC 3310 §3.2), `auts`
//! (RFC 3310 §3.4) and the AKAv2 password (RFC 4169 §2.1).
//!
//! Standard alphabet; `=` padding is always written, and accepted or not on
//! input, since servers and clients in the field do both.

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use zeroize::Zeroizing;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The base64 text of `bytes`, padded.
pub(super) fn encode(bytes: &[u8]) -> String {
    ENGINE.encode(bytes)
}

/// The base64 text of secret `bytes`, padded, as bytes in a buffer of the
/// exact size (so no growing copy is left behind) that is wiped on drop.
pub(super) fn encode_secret(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = base64::encoded_len(bytes.len(), true).unwrap_or(0);
    let mut text = Zeroizing::new(alloc::vec![0; len]);
    let written = ENGINE.encode_slice(bytes, text.as_mut_slice()).unwrap_or(0);
    text.truncate(written);
    text
}

/// The bytes of base64 `text`, padded or not; `None` if it is not base64.
pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
    ENGINE.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_written_and_optional_on_input() {
        assert_eq!(encode(b"ab"), "YWI=");
        assert_eq!(encode_secret(b"ab").as_slice(), b"YWI=");
        assert_eq!(decode("YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(decode("YWI").as_deref(), Some(&b"ab"[..]));
        assert_eq!(decode("YW I="), None);
        assert_eq!(decode("YWI=="), None);
    }
}
