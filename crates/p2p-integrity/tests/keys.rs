//! Content pre-encryption and key provisioning (TR 33.844 §5.1, Figure 10).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aes::cipher::{KeyIvInit, StreamCipher};
use p2p_integrity::{
    CipherSuite, ContentId, ContentKey, ContentKeyRequest, ContentKeyResponse, ContentKeyServer,
    KeyEncryptionKey, KeyError, Manifest, PermanentId, Refusal, SegmentBitmap, SegmentCipher,
    SegmentSize,
};
use proptest::prelude::*;
use rand::{RngCore, SeedableRng};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// RFC 3394 §4.1, §4.3 and §4.6: the KEK and key sizes this crate wraps with
/// (AES-128 KEK for AES-128 content keys, AES-256 KEK for either).
#[test]
fn key_wrap_matches_rfc_3394_vectors() {
    let cases = [
        (
            "000102030405060708090A0B0C0D0E0F",
            "00112233445566778899AABBCCDDEEFF",
            "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5",
            CipherSuite::Aes128Ctr,
        ),
        (
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            "00112233445566778899AABBCCDDEEFF",
            "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7",
            CipherSuite::Aes128Ctr,
        ),
        (
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
            "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
            CipherSuite::Aes256Ctr,
        ),
    ];
    for (kek, key, wrapped, suite) in cases {
        let kek = KeyEncryptionKey::new(&h(kek)).unwrap();
        let key = ContentKey::new(suite, &h(key)).unwrap();
        assert_eq!(kek.wrap(&key).unwrap(), h(wrapped));
        assert_eq!(kek.unwrap(suite, &h(wrapped)).unwrap(), key);
        let mut bad = h(wrapped);
        bad[9] ^= 1;
        assert_eq!(kek.unwrap(suite, &bad), Err(KeyError::Unwrap));
    }
}

/// The counter block is prefix ‖ segment ‖ 0, and AES-CTR from it is plain
/// RustCrypto `ctr::Ctr32BE`, independently computed here.
#[test]
fn segments_encrypt_with_their_own_counter_block_and_decrypt_alone() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    for suite in [CipherSuite::Aes128Ctr, CipherSuite::Aes256Ctr] {
        let key = ContentKey::generate(suite, &mut rng);
        let id = ContentId::new("urn:ims:content:film").unwrap();
        let cipher = SegmentCipher::new(&key, &id);
        let size = SegmentSize::MIN;
        let mut plain = vec![0u8; 5 * 16384 + 999];
        rng.fill_bytes(&mut plain);
        let mut ct = plain.clone();
        cipher.apply_content(size, &mut ct).unwrap();
        assert_ne!(ct, plain);
        // Segment 3 alone, out of order, from its own counter block.
        let mut seg3 = ct[3 * 16384..4 * 16384].to_vec();
        cipher.apply(3, &mut seg3).unwrap();
        assert_eq!(seg3, plain[3 * 16384..4 * 16384]);
        let iv = cipher.counter_block(3);
        assert_eq!(&iv[8..], &[0, 0, 0, 3, 0, 0, 0, 0]);
        let mut reference = plain[3 * 16384..4 * 16384].to_vec();
        match suite {
            CipherSuite::Aes128Ctr => {
                ctr::Ctr32BE::<aes::Aes128>::new(key.expose_secret().into(), (&iv).into())
                    .apply_keystream(&mut reference)
            }
            CipherSuite::Aes256Ctr => {
                ctr::Ctr32BE::<aes::Aes256>::new(key.expose_secret().into(), (&iv).into())
                    .apply_keystream(&mut reference)
            }
        }
        assert_eq!(reference, ct[3 * 16384..4 * 16384]);
        // Segments never share keystream: same plaintext, different ciphertext.
        let mut a = vec![0u8; 64];
        let mut b = vec![0u8; 64];
        cipher.apply(0, &mut a).unwrap();
        cipher.apply(1, &mut b).unwrap();
        assert_ne!(a, b);
        // Another content under the same key has another counter prefix.
        let other = SegmentCipher::new(&key, &ContentId::new("urn:ims:content:other").unwrap());
        assert_ne!(other.counter_block(0), cipher.counter_block(0));
        cipher.apply_content(size, &mut ct).unwrap();
        assert_eq!(ct, plain);
    }
}

/// The tree covers the ciphertext: anyone verifies without the key.
#[test]
fn the_manifest_of_the_ciphertext_verifies_without_the_key() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let key = ContentKey::generate(CipherSuite::Aes128Ctr, &mut rng);
    let id = ContentId::new("c").unwrap();
    let mut data = vec![7u8; 70_000];
    let plain_manifest = Manifest::build(id.clone(), SegmentSize::MIN, &data).unwrap();
    SegmentCipher::new(&key, &id)
        .apply_content(SegmentSize::MIN, &mut data)
        .unwrap();
    let m = Manifest::build(id, SegmentSize::MIN, &data).unwrap();
    assert_ne!(m.root(), plain_manifest.root());
    let mut v = p2p_integrity::SegmentVerifier::from_manifest(&m, m.root()).unwrap();
    v.verify_segment(2, &data[2 * 16384..3 * 16384]).unwrap();
}

fn setup() -> (ContentKeyServer, ContentId, ContentKey, PermanentId) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let key = ContentKey::generate(CipherSuite::Aes256Ctr, &mut rng);
    let id = ContentId::new("urn:ims:content:7").unwrap();
    let mut ccs = ContentKeyServer::new();
    ccs.add_content(id.clone(), 10, key.clone());
    (
        ccs,
        id,
        key,
        PermanentId::new("sip:alice@ims.example").unwrap(),
    )
}

#[test]
fn the_ccs_grants_the_wrapped_key_and_the_ue_unwraps_it() {
    let (ccs, id, key, alice) = setup();
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let kek = KeyEncryptionKey::generate(32, &mut rng).unwrap();
    let req = ContentKeyRequest::new(
        id.clone(),
        alice,
        SegmentBitmap::from_indices(10, [0, 4, 9]).unwrap(),
        kek,
    );
    let wire = req.to_bytes();
    let parsed = ContentKeyRequest::parse(&wire).unwrap();
    assert_eq!(parsed, req);
    let resp =
        ccs.handle(&parsed, &|_: &PermanentId,
                              _: &ContentId,
                              _: &SegmentBitmap| {
            Ok(())
        });
    let resp = ContentKeyResponse::parse(&resp.to_bytes()).unwrap();
    assert!(matches!(
        resp,
        ContentKeyResponse::Granted {
            suite: CipherSuite::Aes256Ctr,
            ..
        }
    ));
    assert_eq!(resp.content_key(&req).unwrap(), key);
    // Another KEK cannot unwrap it.
    let other = ContentKeyRequest {
        kek: KeyEncryptionKey::generate(32, &mut rng).unwrap(),
        ..req
    };
    assert_eq!(resp.content_key(&other), Err(KeyError::Unwrap));
}

#[test]
fn refusals_say_why() {
    let (ccs, id, _, alice) = setup();
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let kek32 = KeyEncryptionKey::generate(32, &mut rng).unwrap();
    let kek16 = KeyEncryptionKey::generate(16, &mut rng).unwrap();
    let all = SegmentBitmap::full(10);
    // Entitled to segments 0..5 only.
    let policy = |who: &PermanentId, _: &ContentId, segs: &SegmentBitmap| {
        if who.as_bytes() != b"sip:alice@ims.example" {
            Err(Refusal::NotEntitled)
        } else if segs.iter().any(|s| s >= 5) {
            Err(Refusal::SegmentsNotEntitled)
        } else {
            Ok(())
        }
    };
    let ask = |id: &ContentId, who: &PermanentId, segs: SegmentBitmap, kek: &KeyEncryptionKey| {
        let req = ContentKeyRequest::new(id.clone(), who.clone(), segs, kek.clone());
        match ccs.handle(&req, &policy) {
            ContentKeyResponse::Refused { reason, .. } => Some(reason),
            ContentKeyResponse::Granted { .. } => None,
        }
    };
    let unknown = ContentId::new("nope").unwrap();
    assert_eq!(
        ask(&unknown, &alice, all.clone(), &kek32),
        Some(Refusal::UnknownContent)
    );
    assert_eq!(
        ask(&id, &alice, SegmentBitmap::full(9), &kek32),
        Some(Refusal::BadSegments)
    );
    assert_eq!(
        ask(&id, &alice, SegmentBitmap::new(10), &kek32),
        Some(Refusal::BadSegments)
    );
    assert_eq!(
        ask(&id, &alice, SegmentBitmap::full(10), &kek16),
        Some(Refusal::KekTooWeak)
    );
    let bob = PermanentId::new("sip:bob@ims.example").unwrap();
    assert_eq!(
        ask(&id, &bob, all.clone(), &kek32),
        Some(Refusal::NotEntitled)
    );
    assert_eq!(
        ask(&id, &alice, all, &kek32),
        Some(Refusal::SegmentsNotEntitled)
    );
    let first = SegmentBitmap::from_indices(10, 0..5).unwrap();
    assert_eq!(ask(&id, &alice, first, &kek32), None);
    let refused = ContentKeyResponse::Refused {
        content_id: id.clone(),
        reason: Refusal::SegmentsNotEntitled,
    };
    assert_eq!(
        ContentKeyResponse::parse(&refused.to_bytes()).unwrap(),
        refused
    );
    assert_eq!(
        Refusal::SegmentsNotEntitled.to_string(),
        "not entitled to some requested segments"
    );
}

#[test]
fn a_request_with_a_bad_kek_length_does_not_parse() {
    let (_, id, _, alice) = setup();
    let req = ContentKeyRequest::new(
        id,
        alice,
        SegmentBitmap::full(3),
        KeyEncryptionKey::new(&[1; 16]).unwrap(),
    );
    let mut wire = req.to_bytes();
    // The KEK length byte sits before 16 KEK bytes and the extension count.
    let at = wire.len() - 1 - 16 - 1;
    assert_eq!(wire[at], 16);
    wire[at] = 15;
    wire.remove(at + 1);
    assert_eq!(
        ContentKeyRequest::parse(&wire).unwrap_err().reason,
        "key-encryption key length"
    );
    assert!(KeyEncryptionKey::new(&[0; 24]).is_err());
    assert!(!format!("{req:?}").contains("1, 1"));
}

proptest! {
    #[test]
    fn key_messages_round_trip(
        segs in proptest::collection::vec(any::<bool>(), 1..300),
        kek in prop_oneof![proptest::collection::vec(any::<u8>(), 16), proptest::collection::vec(any::<u8>(), 32)],
        code in 1u8..=255,
        wrapped in proptest::collection::vec(any::<u8>(), 24),
    ) {
        let bitmap = SegmentBitmap::from_indices(
            segs.len() as u32,
            segs.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| i as u32),
        ).unwrap();
        let req = ContentKeyRequest::new(
            ContentId::new("x").unwrap(),
            PermanentId::new("sip:x@y").unwrap(),
            bitmap,
            KeyEncryptionKey::new(&kek).unwrap(),
        );
        prop_assert_eq!(ContentKeyRequest::parse(&req.to_bytes()).unwrap(), req);
        let refused = ContentKeyResponse::Refused { content_id: ContentId::new("x").unwrap(), reason: Refusal::from_code(code).unwrap() };
        prop_assert_eq!(ContentKeyResponse::parse(&refused.to_bytes()).unwrap(), refused);
        let granted = ContentKeyResponse::Granted { content_id: ContentId::new("x").unwrap(), suite: CipherSuite::Aes128Ctr, wrapped_key: wrapped };
        prop_assert_eq!(ContentKeyResponse::parse(&granted.to_bytes()).unwrap(), granted);
    }
}
