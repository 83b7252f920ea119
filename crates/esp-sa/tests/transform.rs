//! Cross-checks of the AEAD transforms against the `aes-gcm` crate used
//! directly: our GMAC streams its AAD through GHASH in pieces (the ESN high
//! bits are not in the packet), which must equal one-shot GCM over the
//! contiguous AAD with an empty plaintext (RFC 4543 §3.3, Figure 4).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use esp_sa::{EncryptionAlgorithm, IntegrityAlgorithm, OutboundSa, Transform};
use proptest::prelude::*;

mod common;
use common::Counter;

const KEY: [u8; 16] = [
    0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a, 0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34,
];
const SALT: [u8; 4] = [0x2e, 0x44, 0x3b, 0x68];

fn keymat() -> Vec<u8> {
    [&KEY[..], &SALT[..]].concat()
}

proptest! {
    #[test]
    fn gmac_equals_gcm_with_the_packet_as_aad(
        payload in prop::collection::vec(any::<u8>(), 0..200),
        esn in any::<bool>(),
        last in prop_oneof![Just(0u64), Just(0x1_0000_0005u64), any::<u32>().prop_map(u64::from)],
    ) {
        let t = Transform::new(IntegrityAlgorithm::AesGmac, &keymat(), EncryptionAlgorithm::Null, &[]).unwrap();
        let last = if esn { last } else { last & 0xffff_fffe };
        let mut out = OutboundSa::new(0x0000_4321, t, esn).with_last_sequence_number(last);
        let mut buf = vec![0u8; out.encapsulated_len(payload.len())];
        let h = out.header_len();
        buf[h..h + payload.len()].copy_from_slice(&payload);
        let n = out.encapsulate(&mut buf, payload.len(), 17, &mut Counter(0), Duration::ZERO).unwrap();
        let seq = last + 1;
        // The IV is SPI ‖ sequence number, the SPI XORed into an ESN's high half.
        prop_assert_eq!(&buf[8..16], &(seq ^ (0x4321u64 << 32)).to_be_bytes()[..]);
        let (covered, icv) = buf[..n].split_at(n - 16);
        let mut aad = covered[..4].to_vec();
        if esn {
            aad.extend_from_slice(&((seq >> 32) as u32).to_be_bytes());
        }
        aad.extend_from_slice(&covered[4..]);
        let nonce: Vec<u8> = [&SALT[..], &buf[8..16]].concat();
        let tag = Aes128Gcm::new_from_slice(&KEY)
            .unwrap()
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut [])
            .unwrap();
        prop_assert_eq!(icv, &tag[..]);
    }

    #[test]
    fn gcm_equals_the_crate_with_spi_and_sequence_as_aad(
        payload in prop::collection::vec(any::<u8>(), 0..200),
        esn in any::<bool>(),
    ) {
        let t = Transform::new(IntegrityAlgorithm::Null, &[], EncryptionAlgorithm::AesGcm, &keymat()).unwrap();
        let last = if esn { 0x2_ffff_ffff } else { 41 };
        let mut out = OutboundSa::new(0x0000_4321, t, esn).with_last_sequence_number(last);
        let mut buf = vec![0u8; out.encapsulated_len(payload.len())];
        let h = out.header_len();
        buf[h..h + payload.len()].copy_from_slice(&payload);
        let n = out.encapsulate(&mut buf, payload.len(), 6, &mut Counter(0), Duration::ZERO).unwrap();
        let seq = last + 1;
        // RFC 4106 §5: SPI ‖ seq, or SPI ‖ 64-bit ESN.
        let mut aad = buf[..4].to_vec();
        if esn {
            aad.extend_from_slice(&seq.to_be_bytes());
        } else {
            aad.extend_from_slice(&buf[4..8]);
        }
        let nonce: Vec<u8> = [&SALT[..], &buf[8..16]].concat();
        let mut plaintext = buf[16..n - 16].to_vec();
        Aes128Gcm::new_from_slice(&KEY)
            .unwrap()
            .decrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut plaintext, buf[n - 16..n].into())
            .unwrap();
        prop_assert_eq!(&plaintext[..payload.len()], &payload[..]);
        // RFC 4106 §3.2: minimal padding, trailer on a 4-byte boundary.
        prop_assert_eq!(plaintext.len() % 4, 0);
        prop_assert!(plaintext.len() - payload.len() - 2 < 4);
        prop_assert_eq!(plaintext[plaintext.len() - 1], 6);
    }
}
