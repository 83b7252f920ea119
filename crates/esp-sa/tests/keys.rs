//! TS 33.203 Annex I key expansion, and the expanded keys accepted by the
//! algorithms they are for.
#![allow(clippy::unwrap_used)]

use esp_sa::keys::{encryption_key, integrity_key};
use esp_sa::{EncryptionAlgorithm, EspKeys, IntegrityAlgorithm, Transform};
use ims_sec_core::Secret;

fn ck() -> Secret<16> {
    Secret::new(*b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f")
}

fn ik() -> Secret<16> {
    Secret::new(*b"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
}

#[test]
fn annex_i_integrity_keys() {
    let md5 = integrity_key(IntegrityAlgorithm::HmacMd596, &ck(), &ik());
    assert_eq!(
        hex::encode(md5.expose_secret()),
        "101112131415161718191a1b1c1d1e1f"
    );
    // IK_ESP = IK_IM ‖ 32 zero bits.
    let sha1 = integrity_key(IntegrityAlgorithm::HmacSha196, &ck(), &ik());
    assert_eq!(
        hex::encode(sha1.expose_secret()),
        "101112131415161718191a1b1c1d1e1f00000000"
    );
    // AES-GMAC: IK_IM ‖ salt, the salt the last 4 bytes of
    // HMAC-SHA-256(CK_IM ‖ IK_IM, 0x58 ‖ "AES_GMAC_SALT" ‖ 0x000d).
    // The salt value is our regression value (Python's hmac computed it);
    // 3GPP publishes no vector for it.
    let gmac = integrity_key(IntegrityAlgorithm::AesGmac, &ck(), &ik());
    assert_eq!(
        hex::encode(gmac.expose_secret()),
        "101112131415161718191a1b1c1d1e1f7040f6a2"
    );
    assert!(integrity_key(IntegrityAlgorithm::Null, &ck(), &ik()).is_empty());
}

#[test]
fn annex_i_encryption_keys() {
    assert_eq!(
        hex::encode(encryption_key(EncryptionAlgorithm::AesCbc128, &ck(), &ik()).expose_secret()),
        "000102030405060708090a0b0c0d0e0f"
    );
    // CK_ESP = CK_IM1 ‖ CK_IM2 ‖ CK_IM1, parity bits as they are.
    assert_eq!(
        hex::encode(encryption_key(EncryptionAlgorithm::DesEde3Cbc, &ck(), &ik()).expose_secret()),
        "000102030405060708090a0b0c0d0e0f0001020304050607"
    );
    // AES-GCM: CK_IM ‖ salt, with 0x59 ‖ "AES_GCM_SALT" ‖ 0x000c.
    assert_eq!(
        hex::encode(encryption_key(EncryptionAlgorithm::AesGcm, &ck(), &ik()).expose_secret()),
        "000102030405060708090a0b0c0d0e0f99ca2318"
    );
    assert!(encryption_key(EncryptionAlgorithm::Null, &ck(), &ik()).is_empty());
}

/// Every Annex H pair keys a transform from CK and IK; the pairs Annex H
/// cannot signal are refused (encryption without integrity too, which
/// `Transform::new` allows for RFC 3602's test packets).
#[test]
fn annex_h_pairs_key_from_ck_and_ik() {
    use EncryptionAlgorithm as E;
    use IntegrityAlgorithm as I;
    let mut accepted = Vec::new();
    for &int in I::ALL {
        for &enc in E::ALL {
            if Transform::from_ims_keys(int, enc, &ck(), &ik()).is_ok() {
                accepted.push((int.token(), enc.token()));
            }
            let keys = EspKeys::derive(int, enc, &ck(), &ik());
            assert_eq!(keys.integrity.len(), int.key_len());
            assert_eq!(keys.encryption.len(), enc.key_len());
        }
    }
    // HMACs with every non-AEAD cipher; GMAC only with null; GCM only with
    // null.
    let mut expected = vec![
        ("aes-gmac", "null"),
        ("hmac-sha-1-96", "aes-cbc"),
        ("hmac-sha-1-96", "des-ede3-cbc"),
        ("hmac-sha-1-96", "null"),
        ("hmac-md5-96", "aes-cbc"),
        ("hmac-md5-96", "des-ede3-cbc"),
        ("hmac-md5-96", "null"),
        ("null", "aes-gcm"),
    ];
    expected.sort_unstable();
    accepted.sort_unstable();
    assert_eq!(accepted, expected);
}

#[test]
fn deprecated_algorithms_are_flagged() {
    assert!(IntegrityAlgorithm::HmacMd596.deprecated());
    assert!(!IntegrityAlgorithm::HmacSha196.deprecated());
    assert!(EncryptionAlgorithm::DesEde3Cbc.deprecated());
    assert!(!EncryptionAlgorithm::AesCbc128.deprecated());
    assert!(!EncryptionAlgorithm::Null.deprecated());
}
