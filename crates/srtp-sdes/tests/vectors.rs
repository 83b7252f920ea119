//! Known-answer vectors, each named by its source section.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use srtp_sdes::crypto::SessionKeys;
use srtp_sdes::kdf::{Kdf, Label};
use srtp_sdes::CryptoSuite;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// The keystream segment of RFC 3711 B.2 and RFC 6188 §7.1/§7.3: SSRC 0,
/// index 0, salt F0..FD; 65282 blocks, checked at the first three and the
/// last three.
fn keystream_segment(suite: CryptoSuite, key: &str, first: [&str; 3], last: [&str; 3]) {
    let keys = SessionKeys::from_session_keys(
        suite,
        &h(key),
        &h("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"),
        &[0; 20],
    )
    .unwrap();
    let mut stream = vec![0u8; 1_044_512];
    keys.apply_cm_keystream(0, 0, &mut stream);
    for (i, block) in first.iter().enumerate() {
        assert_eq!(&stream[16 * i..16 * i + 16], h(block), "block {i}");
    }
    for (i, block) in last.iter().enumerate() {
        let n = 0xfeff + i;
        assert_eq!(&stream[16 * n..16 * n + 16], h(block), "block {n:#x}");
    }
}

#[test]
fn rfc3711_b2_aes_cm_keystream() {
    keystream_segment(
        CryptoSuite::AesCm128HmacSha1_80,
        "2B7E151628AED2A6ABF7158809CF4F3C",
        [
            "E03EAD0935C95E80E166B16DD92B4EB4",
            "D23513162B02D0F72A43A2FE4A5F97AB",
            "41E95B3BB0A2E8DD477901E4FCA894C0",
        ],
        [
            "EC8CDF7398607CB0F2D21675EA9EA1E4",
            "362B7C3C6773516318A077D7FC5073AE",
            "6A2CC3787889374FBEB4C81B17BA6C44",
        ],
    );
}

#[test]
fn rfc6188_7_1_aes_256_cm_keystream() {
    keystream_segment(
        CryptoSuite::AesCm256HmacSha1_80,
        "57f82fe3613fd170a85ec93c40b1f0922ec4cb0dc025b58272147cc438944a98",
        [
            "92bdd28a93c3f52511c677d08b5515a4",
            "9da71b2378a854f67050756ded165bac",
            "63c4868b7096d88421b563b8c94c9a31",
        ],
        [
            "cea518c90fd91ced9cbb18c078a54711",
            "3dbc4814f4da5f00a08772b63c6a046d",
            "6eb246913062a16891433e97dd01a57f",
        ],
    );
}

#[test]
fn rfc6188_7_3_aes_192_cm_keystream() {
    keystream_segment(
        CryptoSuite::AesCm192HmacSha1_80,
        "eab234764e517b2d3d160d587d8c86219740f65f99b6bcf7",
        [
            "35096cba4610028dc1b57503804ce37c",
            "5de986291dcce161d5165ec4568f5c9a",
            "474a40c77894bc17180202272a4c264d",
        ],
        [
            "d108d1a31a00bad6367ec23eb044b415",
            "c8f57129fdeb970b59f917b257662d4c",
            "a5dab625811034e8cebdfeb6dc158dd3",
        ],
    );
}

fn derive(kdf: &Kdf, label: Label, len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    kdf.derive(label, 0, &mut out);
    out
}

#[test]
fn rfc3711_b3_key_derivation() {
    let kdf = Kdf::new(
        &h("E1F97A0D3E018BE0D64FA32C06DE4139"),
        &h("0EC675AD498AFEEBB6960B3AABE6"),
    )
    .unwrap();
    assert_eq!(
        derive(&kdf, Label::RtpEncryption, 16),
        h("C61E7A93744F39EE10734AFE3FF7A087")
    );
    assert_eq!(
        derive(&kdf, Label::RtpSalt, 14),
        h("30CBBC08863D8C85D49DB34A9AE1")
    );
    // B.3 shows 94 octets of auth key (for a hypothetical long key).
    assert_eq!(
        derive(&kdf, Label::RtpAuthentication, 94),
        h(
            "CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE
           E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25
           6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2"
        )
    );
}

#[test]
fn rfc6188_7_2_aes_256_cm_prf() {
    let kdf = Kdf::new(
        &h("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6"),
        &h("3b04803de51ee7c96423ab5b78d2"),
    )
    .unwrap();
    assert_eq!(
        derive(&kdf, Label::RtpEncryption, 32),
        h("5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4")
    );
    assert_eq!(
        derive(&kdf, Label::RtpSalt, 14),
        h("fa31791685ca444a9e07c6c64e93")
    );
    assert_eq!(
        derive(&kdf, Label::RtpAuthentication, 20),
        h("fd9c32d39ed5fbb5a9dc96b30818454d1313dc05")
    );
}

#[test]
fn rfc6188_7_4_aes_192_cm_prf() {
    let kdf = Kdf::new(
        &h("73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1"),
        &h("c8522f3acd4ce86d5add78edbb11"),
    )
    .unwrap();
    assert_eq!(
        derive(&kdf, Label::RtpEncryption, 24),
        h("31874736a8f1143870c26e4857d8a5b2c4a354407faadabb")
    );
    assert_eq!(
        derive(&kdf, Label::RtpSalt, 14),
        h("2372b82d639b6d8503a47adc0a6c")
    );
    assert_eq!(
        derive(&kdf, Label::RtpAuthentication, 20),
        h("355b10973cd95b9eacf4061c7e1a7151e7cfbfcb")
    );
}

const GCM_SALT: &str = "517569642070726f2071756f";
const RTP_7714: &str = "8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e697320646976697361 20696e2070617274657320747265 73";
const RTCP_7714: &str = "81c8000d4d617273 4e5450314e5450325254502000 00042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

fn gcm_srtp(suite: CryptoSuite, key: &str, expected: &str) {
    let keys = SessionKeys::from_session_keys(suite, &h(key), &h(GCM_SALT), &[]).unwrap();
    let mut packet = h(RTP_7714);
    let (header, payload) = packet.split_at_mut(12);
    // SSRC 5501a0b2, ROC 0, SEQ f17b.
    let tag = keys
        .gcm_seal(0x5501_a0b2, 0xf17b, false, header, payload)
        .unwrap();
    packet.extend_from_slice(&tag);
    assert_eq!(packet, h(expected));
    // §16.x.2/§16.x.4: decryption and tag verification.
    let (header, rest) = packet.split_at_mut(12);
    let (ct, tag) = rest.split_at_mut(rest.len() - 16);
    let tag: [u8; 16] = (&*tag).try_into().unwrap();
    keys.gcm_open(0x5501_a0b2, 0xf17b, false, header, ct, &tag)
        .unwrap();
    assert_eq!(&packet[..packet.len() - 16], h(RTP_7714));
}

#[test]
fn rfc7714_16_1_srtp_aead_aes_128_gcm() {
    gcm_srtp(
        CryptoSuite::AeadAes128Gcm,
        "000102030405060708090a0b0c0d0e0f",
        "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
         0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce",
    );
}

#[test]
fn rfc7714_16_2_srtp_aead_aes_256_gcm() {
    gcm_srtp(
        CryptoSuite::AeadAes256Gcm,
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238
         9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13",
    );
}

#[test]
fn rfc7714_17_1_srtcp_aead_aes_128_gcm() {
    let keys = SessionKeys::from_session_keys(
        CryptoSuite::AeadAes128Gcm,
        &h("000102030405060708090a0b0c0d0e0f"),
        &h(GCM_SALT),
        &[],
    )
    .unwrap();
    let mut packet = h(RTCP_7714);
    let aad = h("81c8000d4d617273800005d4");
    let tag = keys
        .gcm_seal(0x4d61_7273, 0x5d4, true, &aad, &mut packet[8..])
        .unwrap();
    packet.extend_from_slice(&tag);
    packet.extend_from_slice(&h("800005d4"));
    assert_eq!(
        packet,
        h(
            "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
           c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
           45d9eade 800005d4"
        )
    );
}

#[test]
fn rfc7714_17_3_srtcp_aead_aes_128_gcm_unencrypted() {
    // §17.3: E = 0, the whole packet and the index are AAD; GMAC only.
    let keys = SessionKeys::from_session_keys(
        CryptoSuite::AeadAes128Gcm,
        &h("000102030405060708090a0b0c0d0e0f"),
        &h(GCM_SALT),
        &[],
    )
    .unwrap();
    let mut aad = h(RTCP_7714);
    aad.extend_from_slice(&h("000005d4"));
    let tag = keys
        .gcm_seal(0x4d61_7273, 0x5d4, true, &aad, &mut [])
        .unwrap();
    assert_eq!(tag.to_vec(), h("841dd968 3dd78ec9 2ae58790 125f62b3"));
}
