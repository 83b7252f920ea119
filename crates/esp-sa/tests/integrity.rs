//! HMAC-MD5-96 (RFC 2403) and HMAC-SHA-1-96 (RFC 2404) on the test cases of
//! RFC 2202 whose keys have the length those RFCs allow (cases 1, 3 and 5;
//! the other cases use key lengths ESP must refuse). The ICV is the first
//! 96 bits of each RFC 2202 digest; case 5 states its digest-96 itself.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use esp_sa::{Error, Integrity, IntegrityAlgorithm};

mod common;
use common::h;

fn check(alg: IntegrityAlgorithm, case: u32, key: &[u8], data: &[u8], digest: &str) {
    let integrity = Integrity::new(alg, key).unwrap();
    let icv = integrity.icv(data, None);
    assert_eq!(
        hex::encode(icv),
        digest[..24],
        "{alg} RFC 2202 test case {case}"
    );
    assert!(integrity.verify(data, None, &h(&digest[..24])));
}

#[test]
fn rfc2202_hmac_md5_test_cases_1_3_5_truncated_to_96_bits() {
    let alg = IntegrityAlgorithm::HmacMd596;
    check(
        alg,
        1,
        &[0x0b; 16],
        b"Hi There",
        "9294727a3638bb1c13f48ef8158bfc9d",
    );
    check(
        alg,
        3,
        &[0xaa; 16],
        &[0xdd; 50],
        "56be34521d144c88dbb8c733f0e8b3f6",
    );
    // RFC 2202 gives digest-96 = 0x56461ef2342edc00f9bab995 for this case.
    check(
        alg,
        5,
        &[0x0c; 16],
        b"Test With Truncation",
        "56461ef2342edc00f9bab995690efd4c",
    );
}

#[test]
fn rfc2202_hmac_sha1_test_cases_1_3_5_truncated_to_96_bits() {
    let alg = IntegrityAlgorithm::HmacSha196;
    check(
        alg,
        1,
        &[0x0b; 20],
        b"Hi There",
        "b617318655057264e28bc0b6fb378c8ef146be00",
    );
    check(
        alg,
        3,
        &[0xaa; 20],
        &[0xdd; 50],
        "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
    );
    // RFC 2202 gives digest-96 = 0x4c1a03424b55e07fe7f27be1 for this case.
    check(
        alg,
        5,
        &[0x0c; 20],
        b"Test With Truncation",
        "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
    );
}

#[test]
fn other_key_lengths_are_refused() {
    // RFC 2403 §3 / RFC 2404 §3: "Key lengths other than 128/160 bits MUST NOT be supported".
    for (alg, len) in [
        (IntegrityAlgorithm::HmacMd596, 20),
        (IntegrityAlgorithm::HmacSha196, 16),
        (IntegrityAlgorithm::HmacSha196, 0),
    ] {
        assert!(
            matches!(Integrity::new(alg, &vec![1; len]), Err(Error::KeyLength { got, .. }) if got == len)
        );
    }
}

#[test]
fn esn_high_bits_enter_the_icv_after_the_packet() {
    // RFC 4303 §2.2.1: the high-order 32 bits are appended for the ICV only.
    let integrity = Integrity::new(IntegrityAlgorithm::HmacSha196, &[0x0b; 20]).unwrap();
    let packet = b"\x00\x00\x10\x00\x00\x00\x00\x07payload";
    let with_high = integrity.icv(packet, Some(0x0102_0304));
    let mut appended = packet.to_vec();
    appended.extend_from_slice(&[1, 2, 3, 4]);
    assert_eq!(with_high, integrity.icv(&appended, None));
    assert_ne!(with_high, integrity.icv(packet, None));
    assert!(!integrity.verify(packet, Some(0x0102_0305), &with_high));
}

#[test]
fn any_flipped_bit_of_packet_or_icv_fails_verification() {
    let integrity = Integrity::new(IntegrityAlgorithm::HmacMd596, &[0x42; 16]).unwrap();
    let packet: Vec<u8> = (0u8..64).collect();
    let icv = integrity.icv(&packet, None);
    for i in 0..packet.len() * 8 {
        let mut p = packet.clone();
        p[i / 8] ^= 1 << (i % 8);
        assert!(!integrity.verify(&p, None, &icv));
    }
    for i in 0..96 {
        let mut bad = icv;
        bad[i / 8] ^= 1 << (i % 8);
        assert!(!integrity.verify(&packet, None, &bad));
    }
    assert!(!integrity.verify(&packet, None, &icv[..11]));
    assert!(format!("{integrity:?}").contains("redacted"));
}

#[test]
fn tokens_round_trip_case_insensitively() {
    for &alg in IntegrityAlgorithm::ALL {
        assert_eq!(IntegrityAlgorithm::from_token(alg.token()), Some(alg));
        assert_eq!(
            IntegrityAlgorithm::from_token(&alg.token().to_uppercase()),
            Some(alg)
        );
    }
    assert_eq!(IntegrityAlgorithm::from_token("hmac-sha-1-9"), None);
    assert_eq!(IntegrityAlgorithm::HmacSha196.to_string(), "hmac-sha-1-96");
}
