//! ESP encryption algorithms on their published vectors.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use esp_sa::{Cipher, EncryptionAlgorithm, Error};

mod common;
use common::h;

fn round_trip(
    alg: EncryptionAlgorithm,
    name: &str,
    key: &str,
    iv: &str,
    plain: &[u8],
    cipher: &str,
) {
    let c = Cipher::new(alg, &h(key)).unwrap();
    let mut data = plain.to_vec();
    c.encrypt(&h(iv), &mut data).unwrap();
    assert_eq!(
        hex::encode(&data),
        cipher.replace(' ', ""),
        "{name}: encrypt"
    );
    c.decrypt(&h(iv), &mut data).unwrap();
    assert_eq!(data, plain, "{name}: decrypt");
}

#[test]
fn rfc3602_aes_cbc_cases_1_to_4() {
    let aes = EncryptionAlgorithm::AesCbc128;
    round_trip(
        aes,
        "RFC 3602 case 1",
        "06a9214036b8a15b512e03d534120006",
        "3dafba429d9eb430b422da802c9fac41",
        b"Single block msg",
        "e353779c1079aeb82708942dbe77181a",
    );
    round_trip(
        aes,
        "RFC 3602 case 2",
        "c286696d887c9aa0611bbb3e2025a45a",
        "562e17996d093d28ddb3ba695a2e6f58",
        &h("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
        "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1",
    );
    round_trip(aes, "RFC 3602 case 3", "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
        b"This is a 48-byte message (exactly 3 AES blocks)",
        "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5021c19216bad525c8579695d83ba2684");
    round_trip(aes, "RFC 3602 case 4", "56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
        &h("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"),
        "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55");
}

/// RFC 3602 cases 5 and 6: the encrypted part of transport-mode ESP
/// packets (payload, padding 1, 2, 3…, pad length, next header).
#[test]
fn rfc3602_esp_payloads_cases_5_and_6() {
    let aes = EncryptionAlgorithm::AesCbc128;
    round_trip(
        aes,
        "RFC 3602 case 5",
        "90d382b410eeba7ad938c46cec1a82bf",
        "e96e8c08ab465763fd098d45dd3ff893",
        &h(
            "08000ebd a70a0000 8e9c083d b95b0700 08090a0b 0c0d0e0f 10111213 14151617
            18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637
            01020304 05060708 090a0b0c 0d0e0e01"
                .replace('\n', "")
                .as_str(),
        ),
        "f663c25d 325c18c6 a9453e19 4e120849 a4870b66 cc6b9965 330013b4 898dc856
         a4699e52 3a55db08 0b59ec3a 8e4b7e52 775b07d1 db34ed9c 538ab50c 551b874a
         a269add0 47ad2d59 13ac19b7 cfbad4a6"
            .replace('\n', "")
            .as_str(),
    );
    round_trip(
        aes,
        "RFC 3602 case 6",
        "90d382b410eeba7ad938c46cec1a82bf",
        "69d08df7d203329db093fc4924e5bd80",
        &h("0800b5e8 a80a0500 a69c083d 0b660e00 77777777 77777777 77777777 01020201"),
        "f5199588 1ec4e0c4 488987ce 742e8109 689bb379 d2d750c0 d915dca3 46a89f75",
    );
}

/// DES-EDE3-CBC (RFC 2451 gives no vectors): computed with pyca/cryptography
/// 48.0 (OpenSSL), `Cipher(TripleDES(key), modes.CBC(iv))`.
#[test]
fn des_ede3_cbc_matches_openssl() {
    round_trip(EncryptionAlgorithm::DesEde3Cbc, "3DES-CBC (pyca/cryptography)",
        "0123456789abcdef23456789abcdef01456789abcdef0123", "1234567890abcdef",
        b"Now is the time for all good men to come to the aid of the party",
        "f3c0ff026c023089656fbb169def7edb30ba36075d6f017615c82ad93fca176cfc9f49e8a899c2b6b4764f442df4fba3b9864d6bb8e07ca13397cbf10b0511a1");
}

#[test]
fn null_leaves_the_data_as_it_is() {
    let c = Cipher::new(EncryptionAlgorithm::Null, &[]).unwrap();
    let mut data = *b"four byte aligned";
    let mut aligned = data[..16].to_vec();
    c.encrypt(&[], &mut aligned).unwrap();
    assert_eq!(aligned, &data[..16]);
    assert!(
        c.encrypt(&[], &mut data).is_err(),
        "17 bytes are not 4-byte aligned"
    );
}

#[test]
fn wrong_key_iv_and_block_lengths_are_errors() {
    assert!(matches!(
        Cipher::new(EncryptionAlgorithm::AesCbc128, &[0; 24]),
        Err(Error::KeyLength { got: 24, .. })
    ));
    assert!(matches!(
        Cipher::new(EncryptionAlgorithm::DesEde3Cbc, &[0; 16]),
        Err(Error::KeyLength { got: 16, .. })
    ));
    let c = Cipher::new(EncryptionAlgorithm::AesCbc128, &[0; 16]).unwrap();
    let mut data = [0u8; 32];
    assert!(c.encrypt(&[0; 8], &mut data).is_err());
    assert!(c.decrypt(&[0; 16], &mut data[..31]).is_err());
    assert!(format!("{c:?}").contains("redacted"));
    for &alg in EncryptionAlgorithm::ALL {
        assert_eq!(EncryptionAlgorithm::from_token(alg.token()), Some(alg));
    }
}
