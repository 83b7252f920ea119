//! The per-packet path allocates nothing (DESIGN.md, "Hot paths work in
//! place"): once the SAs are keyed, encapsulating and decapsulating, and
//! refusing a tampered or replayed packet, make no heap allocation, for
//! every algorithm pair, with and without extended sequence numbers; nor do
//! `ip::protect` and `ip::unprotect` when the vector has room for the ESP
//! overhead.
//!
//! Counting needs a counting `#[global_allocator]`, whose `GlobalAlloc` impl
//! is `unsafe`. The workspace forbids unsafe code, and `forbid` cannot be
//! lowered by an `allow` in this file, so the allocator comes from the
//! `allocation-counter` dev-dependency: linking it (only this test binary
//! names it) installs a wrapper around `System` that counts per thread, so
//! the harness's threads and the other tests running beside these do not
//! touch the counts. Reallocations go through its `alloc`, so they count.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use allocation_counter::measure;
use esp_sa::ip::{protect, unprotect};
use esp_sa::{
    EncryptionAlgorithm, Error, InboundSa, IntegrityAlgorithm, OutboundSa, Replay, ReplayWindow,
};

mod common;
use common::{all_pairs, transform, Counter};

const NOW: Duration = Duration::ZERO;
const SPI: u32 = 0x0bad_cafe;
/// Empty, one byte, a block boundary either side, and SIP-sized packets.
const SIZES: [usize; 7] = [0, 1, 14, 15, 160, 600, 1400];
const PACKETS_PER_SIZE: usize = 20;

/// Keyed SAs in both directions. With ESN the sender starts just below
/// 2^32, so the packets cross into the next high half, and the receiver has
/// seen that last number (RFC 4303 A2.2).
fn sas(int: IntegrityAlgorithm, enc: EncryptionAlgorithm, esn: bool) -> (OutboundSa, InboundSa) {
    let start = if esn { u64::from(u32::MAX) - 3 } else { 0 };
    let mut window = ReplayWindow::new(64, esn).unwrap();
    if start > 0 {
        window.accept(start).unwrap();
    }
    (
        OutboundSa::new(SPI, transform(int, enc), esn).with_last_sequence_number(start),
        InboundSa::new(SPI, transform(int, enc), window),
    )
}

/// A payload that differs packet to packet.
fn fill(payload: &mut [u8], seed: usize) {
    for (i, b) in payload.iter_mut().enumerate() {
        *b = (i ^ seed) as u8;
    }
}

#[test]
fn the_counter_sees_an_allocation() {
    // Without this, a counter that never counts would pass every test here.
    let info = measure(|| {
        black_box(Vec::<u8>::with_capacity(black_box(64)));
    });
    assert_eq!(info.count_total, 1);
}

#[test]
fn encapsulate_and_decapsulate_allocate_nothing_for_every_pair() {
    let pairs = all_pairs();
    assert!(pairs.len() >= 10, "every Annex H pair: {pairs:?}");
    for (int, enc) in pairs {
        for esn in [false, true] {
            let (mut out, mut inbound) = sas(int, enc, esn);
            let mut rng = Counter(1);
            let max = *SIZES.iter().max().unwrap();
            let mut buf = vec![0u8; out.encapsulated_len(max)];
            let mut sent = vec![0u8; max];
            let mut round_trip = |size: usize, seed: usize| {
                let at = out.header_len();
                fill(&mut sent[..size], seed);
                buf[at..at + size].copy_from_slice(&sent[..size]);
                let len = out.encapsulate(&mut buf, size, 17, &mut rng, NOW).unwrap();
                let got = inbound.decapsulate(&mut buf[..len], NOW).unwrap();
                assert_eq!(got.next_header, 17);
                assert_eq!(&buf[got.payload], &sent[..size]);
            };
            // Warm-up: anything done once per process (CPU feature
            // detection, lazy statics) happens here, outside the count.
            round_trip(1, 0);

            let info = measure(|| {
                for size in SIZES {
                    for seed in 0..PACKETS_PER_SIZE {
                        round_trip(size, seed);
                    }
                }
            });
            assert_eq!(
                info.count_total, 0,
                "{int}/{enc} esn={esn}: {} allocations, {} bytes",
                info.count_total, info.bytes_total
            );
            if esn {
                assert!(out.last_sequence_number() > u64::from(u32::MAX));
            }
        }
    }
}

#[test]
fn refusing_a_packet_allocates_nothing() {
    for (int, enc) in all_pairs() {
        for esn in [false, true] {
            let (mut out, mut inbound) = sas(int, enc, esn);
            let mut rng = Counter(1);
            let mut packet = vec![0u8; out.encapsulated_len(160)];
            let len = out
                .encapsulate(&mut packet, 160, 17, &mut rng, NOW)
                .unwrap();
            let mut copy = packet.clone();
            inbound.decapsulate(&mut copy, NOW).unwrap();
            let mut tampered = packet.clone();
            tampered[len - 1] ^= 1;
            let mut other_spi = packet.clone();
            other_spi[0] ^= 1;

            let mut errors = Vec::with_capacity(3);
            let info = measure(|| {
                // The same packet again: a replay.
                copy.copy_from_slice(&packet);
                errors.push(inbound.decapsulate(&mut copy, NOW).unwrap_err());
                errors.push(inbound.decapsulate(&mut tampered, NOW).unwrap_err());
                errors.push(inbound.decapsulate(&mut other_spi, NOW).unwrap_err());
            });
            assert_eq!(info.count_total, 0, "{int}/{enc} esn={esn}: {errors:?}");
            assert_eq!(errors[0], Error::Replay(Replay::Duplicate));
            assert_eq!(
                errors[2],
                Error::Spi {
                    got: SPI ^ 0x0100_0000
                }
            );
        }
    }
}

/// An IPv4 header (20 bytes, UDP) and an IPv6 header (40 bytes, UDP) for a
/// packet of `total` bytes, checksum left for `protect` to fix.
fn ip_packet(v6: bool, payload_len: usize) -> Vec<u8> {
    let mut packet = if v6 {
        let mut h = vec![0u8; 40];
        h[0] = 0x60;
        h[4..6].copy_from_slice(&(payload_len as u16).to_be_bytes());
        h[6] = 17;
        h[7] = 64;
        h[8..24].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        h[24..40].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        h
    } else {
        let mut h = vec![0u8; 20];
        h[0] = 0x45;
        h[2..4].copy_from_slice(&((20 + payload_len) as u16).to_be_bytes());
        h[8] = 64;
        h[9] = 17;
        h[12..16].copy_from_slice(&[192, 0, 2, 1]);
        h[16..20].copy_from_slice(&[192, 0, 2, 2]);
        h
    };
    let start = packet.len();
    packet.resize(start + payload_len, 0);
    fill(&mut packet[start..], payload_len);
    packet
}

#[test]
fn ip_protect_and_unprotect_allocate_nothing_with_room_reserved() {
    for (int, enc) in all_pairs() {
        for v6 in [false, true] {
            let (mut out, mut inbound) = sas(int, enc, false);
            let mut rng = Counter(1);
            for size in SIZES {
                let original = ip_packet(v6, size);
                let header = original.len() - size;
                // Room for the ESP overhead, reserved once.
                let mut packet = Vec::with_capacity(header + out.encapsulated_len(size));
                packet.extend_from_slice(&original);
                // Warm-up, outside the count.
                protect(&mut out, &mut packet, &mut rng, NOW).unwrap();
                unprotect(&mut inbound, &mut packet, NOW).unwrap();

                let info = measure(|| {
                    for _ in 0..PACKETS_PER_SIZE {
                        protect(&mut out, &mut packet, &mut rng, NOW).unwrap();
                        assert_eq!(packet.len(), header + out.encapsulated_len(size));
                        unprotect(&mut inbound, &mut packet, NOW).unwrap();
                        assert_eq!(packet[header..], original[header..]);
                    }
                });
                assert_eq!(
                    info.count_total,
                    0,
                    "{int}/{enc} IPv{} payload {size}",
                    if v6 { 6 } else { 4 }
                );
            }
        }
    }
}

#[test]
fn ip_protect_without_room_does_allocate() {
    // The other side of the rule above: the caller must reserve the room.
    let (mut out, _) = sas(
        IntegrityAlgorithm::HmacSha196,
        EncryptionAlgorithm::AesCbc128,
        false,
    );
    let mut packet = ip_packet(false, 160);
    packet.shrink_to_fit();
    let info = measure(|| protect(&mut out, &mut packet, &mut Counter(1), NOW).unwrap());
    assert!(info.count_total >= 1);
}

#[test]
fn sa_database_protect_and_unprotect_allocate_nothing() {
    use esp_sa::{Endpoint, Lifetime, Role, SaDatabase, SaSet, SaSetParams};
    use ims_sec_core::Secret;
    use std::net::IpAddr;

    for v6 in [false, true] {
        let (ue, pcscf): (IpAddr, IpAddr) = if v6 {
            (
                "2001:db8::1".parse().unwrap(),
                "2001:db8::2".parse().unwrap(),
            )
        } else {
            ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap())
        };
        let params = |role| SaSetParams {
            role,
            ue: Endpoint {
                address: ue,
                port_c: 5060,
                port_s: 5062,
                spi_c: 0x1000,
                spi_s: 0x1001,
            },
            pcscf: Endpoint {
                address: pcscf,
                port_c: 5064,
                port_s: 5066,
                spi_c: 0x2000,
                spi_s: 0x2001,
            },
            replay_window: 64,
            lifetime: Lifetime::UNLIMITED,
        };
        let (ck, ik) = (Secret::new([1; 16]), Secret::new([2; 16]));
        let set = |role| {
            SaSet::from_ims_keys(
                &params(role),
                IntegrityAlgorithm::HmacSha196,
                EncryptionAlgorithm::AesCbc128,
                &ck,
                &ik,
                NOW,
            )
            .unwrap()
        };
        let (mut ue_db, mut pcscf_db) = (SaDatabase::new(), SaDatabase::new());
        ue_db.insert_set(set(Role::Ue)).unwrap();
        pcscf_db.insert_set(set(Role::Pcscf)).unwrap();

        // UDP from the UE's client port to the P-CSCF's server port.
        let mut original = ip_packet(v6, 600);
        let header = original.len() - 600;
        original[header..header + 4].copy_from_slice(&[0x13, 0xc4, 0x13, 0xca]);
        let mut packet = Vec::with_capacity(original.len() + 64);
        packet.extend_from_slice(&original);
        let mut rng = Counter(1);
        ue_db.protect(&mut packet, &mut rng, NOW).unwrap();
        pcscf_db.unprotect(&mut packet, NOW).unwrap();

        let info = measure(|| {
            for _ in 0..PACKETS_PER_SIZE {
                ue_db.protect(&mut packet, &mut rng, NOW).unwrap();
                pcscf_db.unprotect(&mut packet, NOW).unwrap();
                assert_eq!(packet[header..], original[header..]);
            }
        });
        assert_eq!(info.count_total, 0, "IPv{}", if v6 { 6 } else { 4 });
    }
}
