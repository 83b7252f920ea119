//! Key export for debugging: one line per stream holding everything a
//! decrypting tool needs, with the master key ‖ salt in SDES's `inline:`
//! base64, which libsrtp's `rtp_decoder -b` and `srtp-decrypt -k` take.
//!
//! The lines contain keys. Write them only where a debugging session wants
//! them, never to ordinary logs.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use zeroize::Zeroize;

use crate::policy::Policy;

/// The line for one stream: SSRC, rollover counter, suite, KDR, MKI and key.
///
/// `SRTP ssrc=0x0000162e roc=1 suite=AES_CM_128_HMAC_SHA1_80 kdr=0 mki=- inline:<base64>`
#[must_use]
pub fn key_line(policy: &Policy, key: usize, ssrc: u32, roc: u32) -> String {
    let Some(master) = policy.keys.get(key) else {
        return format!(
            "SRTP ssrc={ssrc:#010x} roc={roc} suite={} no key",
            policy.suite
        );
    };
    let mut key_salt: Vec<u8> = master.key().iter().chain(master.salt()).copied().collect();
    let inline = base64::engine::general_purpose::STANDARD.encode(&key_salt);
    key_salt.zeroize();
    let mki = master.mki.as_ref().map_or_else(
        || String::from("-"),
        |m| m.as_bytes().iter().map(|b| format!("{b:02x}")).collect(),
    );
    format!(
        "SRTP ssrc={ssrc:#010x} roc={roc} suite={} kdr={} mki={mki} inline:{inline}",
        policy.suite, policy.kdr
    )
}
