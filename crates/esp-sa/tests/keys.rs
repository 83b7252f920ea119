//! TS 33.203 Annex I key expansion, and the expanded keys accepted by the
//! algorithms they are for.
#![allow(clippy::unwrap_used)]

use esp_sa::keys::{encryption_key, integrity_key};
use esp_sa::{Cipher, EncryptionAlgorithm, Integrity, IntegrityAlgorithm};
use ims_sec_core::Secret;

fn ck() -> Secret<16> {
    Secret::new(*b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f")
}

fn ik() -> Secret<16> {
    Secret::new(*b"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
}

#[test]
fn annex_i_integrity_keys() {
    let md5 = integrity_key(IntegrityAlgorithm::HmacMd596, &ik());
    assert_eq!(
        hex::encode(md5.expose_secret()),
        "101112131415161718191a1b1c1d1e1f"
    );
    // IK_ESP = IK_IM ‖ 32 zero bits.
    let sha1 = integrity_key(IntegrityAlgorithm::HmacSha196, &ik());
    assert_eq!(
        hex::encode(sha1.expose_secret()),
        "101112131415161718191a1b1c1d1e1f00000000"
    );
    for &alg in IntegrityAlgorithm::ALL {
        Integrity::new(alg, integrity_key(alg, &ik()).expose_secret()).unwrap();
    }
}

#[test]
fn annex_i_encryption_keys() {
    assert_eq!(
        hex::encode(encryption_key(EncryptionAlgorithm::AesCbc128, &ck()).expose_secret()),
        "000102030405060708090a0b0c0d0e0f"
    );
    // CK_ESP = CK_IM1 ‖ CK_IM2 ‖ CK_IM1, parity bits as they are.
    assert_eq!(
        hex::encode(encryption_key(EncryptionAlgorithm::DesEde3Cbc, &ck()).expose_secret()),
        "000102030405060708090a0b0c0d0e0f0001020304050607"
    );
    assert!(encryption_key(EncryptionAlgorithm::Null, &ck()).is_empty());
    for &alg in EncryptionAlgorithm::ALL {
        Cipher::new(alg, encryption_key(alg, &ck()).expose_secret()).unwrap();
    }
}

#[test]
fn deprecated_algorithms_are_flagged() {
    assert!(IntegrityAlgorithm::HmacMd596.deprecated());
    assert!(!IntegrityAlgorithm::HmacSha196.deprecated());
    assert!(EncryptionAlgorithm::DesEde3Cbc.deprecated());
    assert!(!EncryptionAlgorithm::AesCbc128.deprecated());
    assert!(!EncryptionAlgorithm::Null.deprecated());
}
