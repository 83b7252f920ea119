//! The rollover counter, replay windows, MKI switching, key lifetimes and
//! key derivation rates, walked between our own sender and receiver.
//!
//! Each rollover test is named after a failure deployed engines had:
//! - libsrtp#567: a receiver near 65535 with loss and NACK retransmissions;
//! - libsrtp#729 / str0m#1036: the first packet the receiver sees is already
//!   past the wrap (the first packets were lost, or the sender started its
//!   numbering past 65535);
//! - re#6 (libre): reordering across the wrap moved the ROC twice;
//! - SymphonyMediaBridge#322: a gap longer than 2^15 packets;
//! - sipsorcery#1498: the receiver never advanced its ROC.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use srtp_sdes::session::estimate_index;
use srtp_sdes::{
    CryptoSuite, Error, Event, InboundSession, MasterKey, Mki, OutboundSession, Policy,
};

const SSRC: u32 = 0x1234_5678;

fn key_salt(suite: CryptoSuite, seed: u8) -> Vec<u8> {
    (0..suite.key_salt_len() as u8)
        .map(|b| b.wrapping_mul(7) ^ seed)
        .collect()
}

fn policy(suite: CryptoSuite) -> Policy {
    Policy::from_key_salt(suite, &key_salt(suite, 0x42)).unwrap()
}

fn pair(suite: CryptoSuite) -> (OutboundSession, InboundSession) {
    (
        OutboundSession::new(policy(suite)).unwrap(),
        InboundSession::new(policy(suite)).unwrap(),
    )
}

fn rtp(ssrc: u32, seq: u16, payload_len: usize) -> Vec<u8> {
    let mut p = vec![0x80, 0x00];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&u32::from(seq).wrapping_mul(160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..payload_len).map(|i| (i as u8) ^ (seq as u8)));
    p
}

fn protect(tx: &mut OutboundSession, ssrc: u32, seq: u16) -> Vec<u8> {
    let mut p = rtp(ssrc, seq, 40);
    tx.protect_rtp_vec(&mut p).unwrap();
    p
}

fn receive(rx: &mut InboundSession, mut packet: Vec<u8>) -> Result<u64, Error> {
    let plain_len = packet.len();
    let got = rx.unprotect_rtp(&mut packet)?;
    assert!(got.len < plain_len);
    Ok(got.index)
}

#[test]
fn rfc3711_3_3_1_index_estimate() {
    // Before the first packet: the initial ROC.
    assert_eq!(estimate_index(None, 0, 7), 7);
    assert_eq!(estimate_index(None, 2, 7), (2 << 16) | 7);
    // s_l high, SEQ small: the next ROC.
    assert_eq!(estimate_index(Some(65_530), 0, 3), (1 << 16) | 3);
    // s_l small, SEQ high: the previous ROC (a late packet from before the wrap).
    assert_eq!(estimate_index(Some((1 << 16) | 3), 0, 65_530), 65_530);
    // ...but never below ROC 0.
    assert_eq!(estimate_index(Some(3), 0, 65_530), 65_530);
    // Within half the space either way: the same ROC.
    assert_eq!(
        estimate_index(Some((5 << 16) | 40_000), 0, 10_000),
        (5 << 16) | 10_000
    );
}

#[test]
fn sipsorcery_1498_receiver_advances_its_roc_at_the_wrap() {
    for suite in [CryptoSuite::AesCm128HmacSha1_80, CryptoSuite::AeadAes128Gcm] {
        let (mut tx, mut rx) = pair(suite);
        for seq in (65_527..=65_535).chain(0..10) {
            receive(&mut rx, protect(&mut tx, SSRC, seq)).unwrap();
        }
        assert_eq!(tx.roc(SSRC), Some(1));
        assert_eq!(rx.roc(SSRC), Some(1));
    }
}

#[test]
fn libsrtp_567_loss_near_the_wrap_and_late_retransmissions() {
    let (mut tx, mut rx) = pair(CryptoSuite::AesCm128HmacSha1_80);
    let mut held = Vec::new();
    for seq in (65_400..=65_535).chain(0..200) {
        let p = protect(&mut tx, SSRC, seq);
        // 10 % loss; the lost packets come back later, as NACK answers would.
        if seq % 10 == 3 {
            held.push((seq, p));
        } else {
            receive(&mut rx, p).unwrap();
        }
    }
    for (seq, p) in held {
        // Those still inside the 128-packet window are accepted with the
        // right ROC; older ones are refused as too old, never misauthenticated.
        match receive(&mut rx, p) {
            Ok(index) => assert_eq!(index & 0xffff, u64::from(seq)),
            Err(e) => assert!(matches!(e, Error::Replay(_)), "{e}"),
        }
    }
    assert_eq!(rx.roc(SSRC), Some(1));
}

#[test]
fn libsrtp_729_first_packets_lost_across_the_wrap() {
    for suite in [CryptoSuite::AesCm128HmacSha1_80, CryptoSuite::AeadAes256Gcm] {
        let (mut tx, mut rx) = pair(suite);
        let sent: Vec<_> = (65_530..=65_535)
            .chain(0..5)
            .map(|seq| (seq, protect(&mut tx, SSRC, seq)))
            .collect();
        // Everything before the wrap is lost: the receiver's first packet is
        // seq 0 with ROC 1, which RFC 3711's estimate (ROC 0) gets wrong.
        for (seq, p) in sent.into_iter().filter(|(s, _)| *s < 100) {
            let index = receive(&mut rx, p).unwrap();
            assert_eq!(index, (1 << 16) | u64::from(seq));
        }
        assert_eq!(rx.roc(SSRC), Some(1));
    }
}

#[test]
fn str0m_1036_first_packet_already_past_65535() {
    // The sender starts its numbering in ROC 1 (an SFU forwarding an
    // extended sequence number); without out-of-band ROC the receiver
    // finds it by trying the next ROC.
    let (mut tx, mut rx) = pair(CryptoSuite::AesCm128HmacSha1_80);
    tx.set_roc(SSRC, 1).unwrap();
    for seq in 100..110 {
        assert_eq!(
            receive(&mut rx, protect(&mut tx, SSRC, seq)).unwrap(),
            (1 << 16) | u64::from(seq)
        );
    }
    // Further away it needs the ROC signalled, as RFC 3711 §3.3.1 says.
    let (mut tx, _) = pair(CryptoSuite::AesCm128HmacSha1_80);
    tx.set_roc(SSRC, 5).unwrap();
    let mut rx = InboundSession::new(policy(CryptoSuite::AesCm128HmacSha1_80)).unwrap();
    let p = protect(&mut tx, SSRC, 100);
    assert_eq!(receive(&mut rx, p.clone()), Err(Error::Authentication));
    assert_eq!(rx.roc(SSRC), None, "a refused packet creates no stream");
    rx.add_stream(SSRC, 5).unwrap();
    assert_eq!(receive(&mut rx, p).unwrap(), (5 << 16) | 100);
}

#[test]
fn libre_6_reordering_across_the_wrap_moves_the_roc_once() {
    let (mut tx, mut rx) = pair(CryptoSuite::AesCm128HmacSha1_80);
    // The sender itself protects out of order (a retransmission path).
    let order = [65_533u16, 65_535, 0, 1, 65_534, 2, 3];
    let packets: Vec<_> = order
        .iter()
        .map(|&s| (s, protect(&mut tx, SSRC, s)))
        .collect();
    assert_eq!(tx.roc(SSRC), Some(1));
    for (seq, p) in packets {
        let index = receive(&mut rx, p).unwrap();
        let roc = if seq > 60_000 { 0 } else { 1 };
        assert_eq!(index, (roc << 16) | u64::from(seq), "seq {seq}");
    }
    assert_eq!(rx.roc(SSRC), Some(1));
}

#[test]
fn symphony_322_gap_longer_than_half_the_sequence_space() {
    let (mut tx, mut rx) = pair(CryptoSuite::AesCm128HmacSha1_80);
    // Indices 12, 82630, 115999 (the report's example): 82630 is ROC 1,
    // seq 17094, more than 2^15 after 12.
    let mut seq_of = |index: u64| -> Vec<u8> {
        // Walk the sender forward without sending, as a sender whose
        // packets were all lost would.
        let seq = (index & 0xffff) as u16;
        protect(&mut tx, SSRC, seq)
    };
    let first = seq_of(12);
    let _lost: Vec<_> = (1..=4u64).map(|k| seq_of(12 + k * 16_000)).collect();
    let second = seq_of(82_630);
    let third = seq_of(115_999);
    assert_eq!(receive(&mut rx, first).unwrap(), 12);
    assert_eq!(receive(&mut rx, second).unwrap(), 82_630);
    assert_eq!(receive(&mut rx, third).unwrap(), 115_999);
}

#[test]
fn refused_packets_move_nothing() {
    let (mut tx, mut rx) = pair(CryptoSuite::AesCm128HmacSha1_80);
    receive(&mut rx, protect(&mut tx, SSRC, 65_535)).unwrap();
    let good = protect(&mut tx, SSRC, 0);
    let mut bad = good.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(receive(&mut rx, bad), Err(Error::Authentication));
    assert_eq!(
        rx.roc(SSRC),
        Some(0),
        "a forged packet does not move the ROC"
    );
    assert_eq!(receive(&mut rx, good.clone()).unwrap(), 1 << 16);
    assert_eq!(
        receive(&mut rx, good),
        Err(Error::Replay(ims_sec_core::replay::Replay::Duplicate))
    );
}

#[test]
fn replay_windows_are_per_ssrc_and_sized_by_the_policy() {
    let mut p = policy(CryptoSuite::AesCm128HmacSha1_80);
    p.rtp_window = 64;
    let mut tx = OutboundSession::new(p.clone()).unwrap();
    let mut rx = InboundSession::new(p).unwrap();
    let a1 = protect(&mut tx, 1, 10);
    let b1 = protect(&mut tx, 2, 10);
    receive(&mut rx, a1.clone()).unwrap();
    // The same index on another SSRC is a different packet.
    receive(&mut rx, b1).unwrap();
    assert!(matches!(receive(&mut rx, a1), Err(Error::Replay(_))));
    // With the top at 75, index 11 is 64 behind (too old), 12 is 63 behind.
    let behind_64 = protect(&mut tx, 1, 11);
    let behind_63 = protect(&mut tx, 1, 12);
    receive(&mut rx, protect(&mut tx, 1, 75)).unwrap();
    assert!(matches!(receive(&mut rx, behind_64), Err(Error::Replay(_))));
    receive(&mut rx, behind_63).unwrap();
}

#[test]
fn srtcp_replay_and_index() {
    let (mut tx, mut rx) = pair(CryptoSuite::AesCm128HmacSha1_32);
    let rtcp = |ssrc: u32| {
        let mut p = vec![0x80, 0xc9, 0x00, 0x01];
        p.extend_from_slice(&ssrc.to_be_bytes());
        p
    };
    let mut first = rtcp(SSRC);
    tx.protect_rtcp_vec(&mut first).unwrap();
    // _32 suites keep an 80-bit SRTCP tag (RFC 4568 §6.2.2): 8 + 4 + 10.
    assert_eq!(first.len(), 22);
    let mut second = rtcp(SSRC);
    tx.protect_rtcp_vec(&mut second).unwrap();
    let got = rx.unprotect_rtcp(&mut second.clone()).unwrap();
    assert_eq!((got.index, got.len), (1, 8));
    // An older index inside the 64-packet window is still accepted, once.
    assert_eq!(rx.unprotect_rtcp(&mut first.clone()).unwrap().index, 0);
    assert!(matches!(
        rx.unprotect_rtcp(&mut first),
        Err(Error::Replay(_))
    ));
}

#[test]
fn the_sender_refuses_to_reuse_an_index() {
    let (mut tx, _) = pair(CryptoSuite::AesCm128HmacSha1_80);
    protect(&mut tx, SSRC, 5);
    let mut again = rtp(SSRC, 5, 40);
    assert!(matches!(
        tx.protect_rtp_vec(&mut again),
        Err(Error::Replay(_))
    ));
    assert_eq!(
        again,
        rtp(SSRC, 5, 40),
        "a refused packet is left as it was"
    );
}

fn mki_policy(suite: CryptoSuite, lifetime: Option<u64>) -> Policy {
    let mut keys = Vec::new();
    for (i, seed) in [0x11u8, 0x22, 0x33].into_iter().enumerate() {
        let mut k = MasterKey::from_key_salt(suite, &key_salt(suite, seed))
            .unwrap()
            .with_mki(Mki::from_value(i as u64 + 1, 2).unwrap());
        k.lifetime = lifetime;
        keys.push(k);
    }
    let mut p = policy(suite);
    p.keys = keys;
    p
}

#[test]
fn mki_selects_the_key_and_the_sender_switches() {
    for suite in [CryptoSuite::AesCm256HmacSha1_80, CryptoSuite::AeadAes128Gcm] {
        let mut tx = OutboundSession::new(mki_policy(suite, None)).unwrap();
        let mut rx = InboundSession::new(mki_policy(suite, None)).unwrap();
        let p = protect(&mut tx, SSRC, 1);
        let mut q = p.clone();
        assert_eq!(rx.unprotect_rtp(&mut q).unwrap().key, 0);
        tx.use_key(&Mki::from_value(3, 2).unwrap()).unwrap();
        let p = protect(&mut tx, SSRC, 2);
        assert_eq!(rx.unprotect_rtp(&mut p.clone()).unwrap().key, 2);
        // An MKI the receiver does not know is refused before any crypto.
        let mut bad = protect(&mut tx, SSRC, 3);
        let at = if suite.is_aead() {
            bad.len() - 2
        } else {
            bad.len() - suite.srtp_tag_len() - 2
        };
        bad[at..at + 2].copy_from_slice(&[0, 9]);
        assert_eq!(rx.unprotect_rtp(&mut bad), Err(Error::UnknownMki));
        assert!(tx.use_key(&Mki::from_value(9, 2).unwrap()).is_err());
    }
}

#[test]
fn from_to_selects_keys_without_mki() {
    let suite = CryptoSuite::AesCm128HmacSha1_80;
    let mut p = policy(suite);
    p.keys = vec![
        MasterKey::from_key_salt(suite, &key_salt(suite, 1))
            .unwrap()
            .with_from_to(0, 99),
        MasterKey::from_key_salt(suite, &key_salt(suite, 2))
            .unwrap()
            .with_from_to(100, (1 << 48) - 1),
    ];
    let mut tx = OutboundSession::new(p.clone()).unwrap();
    let mut rx = InboundSession::new(p).unwrap();
    for seq in 95..105u16 {
        let got = rx.unprotect_rtp(&mut protect(&mut tx, SSRC, seq)).unwrap();
        assert_eq!(got.key, usize::from(seq >= 100));
    }
}

#[test]
fn lifetime_signals_rekey_then_refuses() {
    let suite = CryptoSuite::AesCm128HmacSha1_80;
    let mut tx = OutboundSession::new(mki_policy(suite, Some(32))).unwrap();
    let mut rx = InboundSession::new(mki_policy(suite, Some(32))).unwrap();
    for seq in 0..32u16 {
        receive(&mut rx, protect(&mut tx, SSRC, seq)).unwrap();
        if seq == 29 {
            // 15/16 of 32 = 30 packets: the signal comes once, on both sides.
            let e = Event::RekeyNeeded {
                key: 0,
                rtcp: false,
            };
            assert_eq!(tx.poll_event(), Some(e.clone()));
            assert_eq!(rx.poll_event(), Some(e));
        }
    }
    assert_eq!(tx.poll_event(), None);
    let mut p = rtp(SSRC, 32, 40);
    assert_eq!(tx.protect_rtp_vec(&mut p), Err(Error::KeyExhausted));
    // Switching to the next MKI continues the stream.
    tx.use_key(&Mki::from_value(2, 2).unwrap()).unwrap();
    let got = rx.unprotect_rtp(&mut protect(&mut tx, SSRC, 32)).unwrap();
    assert_eq!((got.key, got.index), (1, 32));
}

#[test]
fn srtcp_lifetime_is_counted_apart() {
    let suite = CryptoSuite::AesCm128HmacSha1_80;
    let mut tx = OutboundSession::new(mki_policy(suite, Some(2))).unwrap();
    for _ in 0..2 {
        let mut p = vec![0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1];
        tx.protect_rtcp_vec(&mut p).unwrap();
    }
    let mut p = vec![0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1];
    assert_eq!(tx.protect_rtcp_vec(&mut p), Err(Error::KeyExhausted));
    // SRTP on the same key still has its own two packets.
    protect(&mut tx, SSRC, 0);
}

#[test]
fn key_derivation_rate_rekeys_every_kdr_packets() {
    for suite in [CryptoSuite::AesCm128HmacSha1_80, CryptoSuite::AeadAes128Gcm] {
        let mut p = policy(suite);
        p.kdr = 1 << 4;
        let mut tx = OutboundSession::new(p.clone()).unwrap();
        let mut rx = InboundSession::new(p).unwrap();
        let mut plain_kdr0 = OutboundSession::new(policy(suite)).unwrap();
        let mut same = 0;
        for seq in 0..100u16 {
            let a = protect(&mut tx, SSRC, seq);
            let b = protect(&mut plain_kdr0, SSRC, seq);
            // r = index DIV 16 is 0 for the first 16 packets: same keys.
            if a == b {
                same += 1;
            }
            receive(&mut rx, a).unwrap();
        }
        assert_eq!(same, 16);
        // A late packet from an earlier r still verifies.
        let mut tx2 = OutboundSession::new({
            let mut p = policy(suite);
            p.kdr = 1 << 4;
            p
        })
        .unwrap();
        let mut rx2 = InboundSession::new({
            let mut p = policy(suite);
            p.kdr = 1 << 4;
            p
        })
        .unwrap();
        let early = protect(&mut tx2, SSRC, 20);
        receive(&mut rx2, protect(&mut tx2, SSRC, 40)).unwrap();
        assert_eq!(receive(&mut rx2, early).unwrap(), 20);
    }
}

#[test]
fn listed_ssrcs_only() {
    let mut tx = OutboundSession::new(policy(CryptoSuite::AesCm128HmacSha1_80)).unwrap();
    let mut rx =
        InboundSession::for_listed_ssrcs(policy(CryptoSuite::AesCm128HmacSha1_80)).unwrap();
    rx.add_stream(7, 0).unwrap();
    receive(&mut rx, protect(&mut tx, 7, 1)).unwrap();
    assert_eq!(
        receive(&mut rx, protect(&mut tx, 8, 1)),
        Err(Error::UnknownSsrc(8))
    );
}

#[test]
fn key_export_names_each_stream() {
    let (mut tx, mut rx) = pair(CryptoSuite::AesCm128HmacSha1_80);
    for seq in [65_535, 0] {
        receive(&mut rx, protect(&mut tx, SSRC, seq)).unwrap();
    }
    let lines = rx.export_keys();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with(
        "SRTP ssrc=0x12345678 roc=1 suite=AES_CM_128_HMAC_SHA1_80 kdr=0 mki=- inline:"
    ));
    assert_eq!(tx.export_keys(), lines);
}
