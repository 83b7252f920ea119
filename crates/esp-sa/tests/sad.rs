//! The SA database: the four SAs of a UE–P-CSCF pair end to end over UDP
//! and TCP, selectors, SPI allocation, lifetimes and expiry.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use esp_sa::lifetime::{Lifetime, LifetimeState, Limits};
use esp_sa::sad::{Expiry, SaRef};
use esp_sa::{
    EncryptionAlgorithm, Endpoint, Error, InboundSa, IntegrityAlgorithm, OutboundSa, ReplayWindow,
    Role, SaDatabase, SaSet, SaSetParams, Selector,
};
use ims_sec_core::Secret;

mod common;
use common::{packets, transform, Counter};

const T0: Duration = Duration::from_secs(1000);

fn ck() -> Secret<16> {
    Secret::new([0x11; 16])
}
fn ik() -> Secret<16> {
    Secret::new([0x22; 16])
}

fn endpoints(v6: bool) -> (Endpoint, Endpoint) {
    let (ue, pcscf): (IpAddr, IpAddr) = if v6 {
        (
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10).into(),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20).into(),
        )
    } else {
        (
            Ipv4Addr::new(10, 0, 0, 10).into(),
            Ipv4Addr::new(10, 0, 0, 20).into(),
        )
    };
    (
        Endpoint {
            address: ue,
            port_c: 5060 + 1000,
            port_s: 5060 + 2000,
            spi_c: 0x1111_0001,
            spi_s: 0x1111_0002,
        },
        Endpoint {
            address: pcscf,
            port_c: 5062,
            port_s: 5064,
            spi_c: 0x2222_0001,
            spi_s: 0x2222_0002,
        },
    )
}

fn params(role: Role, v6: bool, lifetime: Lifetime) -> SaSetParams {
    let (ue, pcscf) = endpoints(v6);
    SaSetParams {
        role,
        ue,
        pcscf,
        replay_window: 64,
        lifetime,
    }
}

/// The set of `p` with HMAC-SHA-1-96 and AES-CBC.
fn cbc_set(p: &SaSetParams) -> SaSet {
    SaSet::from_ims_keys(
        p,
        IntegrityAlgorithm::HmacSha196,
        EncryptionAlgorithm::AesCbc128,
        &ck(),
        &ik(),
        T0,
    )
    .unwrap()
}

/// A UDP (17) or TCP (6) packet with a SIP body, from the shared builders.
fn packet(protocol: u8, src: IpAddr, sport: u16, dst: IpAddr, dport: u16, body: &[u8]) -> Vec<u8> {
    if protocol == 17 {
        packets::udp(src, dst, sport, dport, body)
    } else {
        packets::tcp(src, dst, sport, dport, 1, body)
    }
}

fn spi_on_wire(protected: &[u8]) -> u32 {
    let at = if protected[0] >> 4 == 4 { 20 } else { 40 };
    u32::from_be_bytes(protected[at..at + 4].try_into().unwrap())
}

/// Both ends install their sets; every direction of the four SAs carries
/// UDP and TCP, with the SPI TS 33.203 §7.1 gives it.
#[test]
fn ue_and_pcscf_sets_carry_udp_and_tcp_both_ways() {
    for v6 in [false, true] {
        for &(int, enc) in &[
            (
                IntegrityAlgorithm::HmacSha196,
                EncryptionAlgorithm::AesCbc128,
            ),
            (IntegrityAlgorithm::HmacMd596, EncryptionAlgorithm::Null),
            (IntegrityAlgorithm::Null, EncryptionAlgorithm::AesGcm),
            (IntegrityAlgorithm::AesGmac, EncryptionAlgorithm::Null),
        ] {
            let mut ue_db = SaDatabase::new();
            let mut pcscf_db = SaDatabase::new();
            let p_ue = params(Role::Ue, v6, Lifetime::UNLIMITED);
            let p_pcscf = params(Role::Pcscf, v6, Lifetime::UNLIMITED);
            ue_db
                .insert_set(SaSet::from_ims_keys(&p_ue, int, enc, &ck(), &ik(), T0).unwrap())
                .unwrap();
            pcscf_db
                .insert_set(SaSet::from_ims_keys(&p_pcscf, int, enc, &ck(), &ik(), T0).unwrap())
                .unwrap();
            assert_eq!((ue_db.len(), pcscf_db.len()), (4, 4));
            let (ue, pc) = (p_ue.ue, p_ue.pcscf);
            // (from UE?, source port, destination port, expected SPI)
            let flows = [
                (true, ue.port_c, pc.port_s, pc.spi_s),
                (false, pc.port_s, ue.port_c, ue.spi_c),
                (false, pc.port_c, ue.port_s, ue.spi_s),
                (true, ue.port_s, pc.port_c, pc.spi_c),
            ];
            let mut rng = Counter(1);
            for (i, &(from_ue, sport, dport, spi)) in flows.iter().enumerate() {
                for protocol in [17u8, 6] {
                    let (src, dst) = if from_ue {
                        (ue.address, pc.address)
                    } else {
                        (pc.address, ue.address)
                    };
                    let original =
                        packet(protocol, src, sport, dst, dport, b"MESSAGE sip:x SIP/2.0");
                    let mut wire = original.clone();
                    let (tx, rx) = if from_ue {
                        (&mut ue_db, &mut pcscf_db)
                    } else {
                        (&mut pcscf_db, &mut ue_db)
                    };
                    tx.protect(&mut wire, &mut rng, T0).unwrap();
                    assert_eq!(spi_on_wire(&wire), spi, "flow {i} {int}/{enc}");
                    let got = rx.unprotect(&mut wire, T0).unwrap();
                    assert_eq!(got.spi, spi);
                    assert_eq!(got.decapsulated.next_header, protocol);
                    assert_eq!(wire, original, "flow {i} {int}/{enc} v6={v6}");
                }
            }
        }
    }
}

#[test]
fn packet_outside_the_selector_is_refused_and_changes_nothing() {
    let mut pcscf_db = SaDatabase::new();
    let p = params(Role::Pcscf, false, Lifetime::UNLIMITED);
    pcscf_db.insert_set(cbc_set(&p)).unwrap();
    // The UE's SA to the P-CSCF's server port, used for a packet from another port.
    let ue_set = cbc_set(&params(Role::Ue, false, Lifetime::UNLIMITED));
    let mut to_server = ue_set.outbound()[0].1.clone();
    assert_eq!(to_server.spi(), p.pcscf.spi_s);
    let spoofed = packet(
        17,
        p.ue.address,
        9999,
        p.pcscf.address,
        p.pcscf.port_s,
        b"x",
    );
    let mut wire = spoofed.clone();
    esp_sa::ip::protect(&mut to_server, &mut wire, &mut Counter(1), T0).unwrap();
    let before = pcscf_db.inbound(p.pcscf.spi_s).unwrap().window().clone();
    assert_eq!(pcscf_db.unprotect(&mut wire, T0), Err(Error::Selector));
    assert_eq!(
        pcscf_db.inbound(p.pcscf.spi_s).unwrap().window(),
        &before,
        "a refused packet does not move the window"
    );
    // No outbound SA for traffic outside the set: never sent in clear.
    let mut stray = packet(17, p.pcscf.address, 1, p.ue.address, 2, b"x");
    assert_eq!(
        pcscf_db.protect(&mut stray, &mut Counter(1), T0),
        Err(Error::NoSa)
    );
    // An unknown SPI.
    let mut unknown = wire.clone();
    unknown[20..24].copy_from_slice(&0x0bad_0bad_u32.to_be_bytes());
    assert_eq!(
        pcscf_db.unprotect(&mut unknown, T0),
        Err(Error::Spi { got: 0x0bad_0bad })
    );
}

/// An RNG handing out a fixed sequence of u32s.
struct Scripted(Vec<u32>);
impl rand_core::RngCore for Scripted {
    fn next_u32(&mut self) -> u32 {
        if self.0.is_empty() {
            7
        } else {
            self.0.remove(0)
        }
    }
    fn next_u64(&mut self) -> u64 {
        u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u32() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for Scripted {}

#[test]
fn spi_allocation_skips_reserved_used_and_excluded_spis() {
    let mut db = SaDatabase::new();
    let selector = Selector {
        source: Ipv4Addr::LOCALHOST.into(),
        source_port: 1,
        destination: Ipv4Addr::LOCALHOST.into(),
        destination_port: 2,
    };
    let sa = |spi| {
        InboundSa::new(
            spi,
            transform(IntegrityAlgorithm::HmacSha196, EncryptionAlgorithm::Null),
            ReplayWindow::new(64, false).unwrap(),
        )
    };
    db.insert_inbound(selector, sa(1000)).unwrap();
    // 0 and 255 are reserved, 1000 is in use, 2000 is the UE's.
    let spi = db
        .allocate_spi(&mut Scripted(vec![0, 255, 1000, 2000, 256]), &[2000])
        .unwrap();
    assert_eq!(spi, 256);
    assert_eq!(
        db.allocate_spi(&mut Scripted(vec![]), &[]),
        Err(Error::NoFreeSpi)
    );
    assert_eq!(
        db.insert_inbound(selector, sa(1000)),
        Err(Error::SpiInUse { spi: 1000 })
    );
    assert!(matches!(
        db.insert_inbound(selector, sa(255)),
        Err(Error::Parameter(_))
    ));
}

#[test]
fn a_set_is_installed_whole_or_not_at_all_and_removed_whole() {
    let mut db = SaDatabase::new();
    let p = params(Role::Pcscf, false, Lifetime::UNLIMITED);
    let set = || cbc_set(&p);
    let handle = db.insert_set(set()).unwrap();
    assert_eq!(handle.inbound, [p.pcscf.spi_s, p.pcscf.spi_c]);
    // The same set again collides on its SPIs and installs nothing.
    assert!(matches!(db.insert_set(set()), Err(Error::SpiInUse { .. })));
    assert_eq!(db.len(), 4);
    assert_eq!(db.remove_set(&handle), 4);
    assert!(db.is_empty());
    assert_eq!(db.remove_set(&handle), 0);
}

#[test]
fn lifetimes_in_packets_bytes_and_time() {
    let lifetime = Lifetime {
        soft: Limits {
            packets: Some(2),
            ..Limits::NONE
        },
        hard: Limits {
            packets: Some(3),
            bytes: Some(1_000),
            time: Some(Duration::from_secs(60)),
        },
    };
    let t = || {
        transform(
            IntegrityAlgorithm::HmacSha196,
            EncryptionAlgorithm::AesCbc128,
        )
    };
    let mut out = OutboundSa::new(300, t(), false).with_lifetime(lifetime, T0);
    let mut buf = vec![0u8; 256];
    let send = |out: &mut OutboundSa, now| {
        let mut buf = vec![0u8; 256];
        out.encapsulate(&mut buf, 10, 17, &mut Counter(1), now)
    };
    assert_eq!(out.lifetime_state(T0), LifetimeState::Live);
    send(&mut out, T0).unwrap();
    send(&mut out, T0).unwrap();
    assert_eq!(out.lifetime_state(T0), LifetimeState::Soft);
    send(&mut out, T0).unwrap();
    assert_eq!(out.lifetime_state(T0), LifetimeState::Hard);
    assert_eq!(
        out.encapsulate(&mut buf, 10, 17, &mut Counter(1), T0),
        Err(Error::LifetimeExpired)
    );
    assert_eq!(out.last_sequence_number(), 3, "a refusal changes nothing");

    // Bytes: one big packet reaches the hard byte limit.
    let mut out = OutboundSa::new(300, t(), false).with_lifetime(lifetime, T0);
    let mut big = vec![0u8; 1100];
    out.encapsulate(&mut big, 1000, 17, &mut Counter(1), T0)
        .unwrap();
    assert_eq!(out.lifetime_state(T0), LifetimeState::Hard);

    // Time: hard after 60 s, for inbound SAs too.
    let mut inbound =
        InboundSa::new(300, t(), ReplayWindow::new(64, false).unwrap()).with_lifetime(lifetime, T0);
    let mut out = OutboundSa::new(300, t(), false);
    let mut wire = vec![0u8; 64];
    let n = out
        .encapsulate(&mut wire, 10, 17, &mut Counter(1), T0)
        .unwrap();
    wire.truncate(n);
    let late = T0 + Duration::from_secs(60);
    assert_eq!(inbound.lifetime_state(late), LifetimeState::Hard);
    let before = inbound.window().clone();
    assert_eq!(
        inbound.decapsulate(&mut wire.clone(), late),
        Err(Error::LifetimeExpired)
    );
    assert_eq!(inbound.window(), &before);
    inbound
        .decapsulate(&mut wire, late - Duration::from_secs(1))
        .unwrap();
}

#[test]
fn expiry_reports_soft_once_and_removes_hard() {
    let lifetime = Lifetime {
        soft: Limits::time(Duration::from_secs(540)),
        hard: Limits::time(Duration::from_secs(600)),
    };
    let mut db = SaDatabase::new();
    let p = params(Role::Ue, true, lifetime);
    db.insert_set(cbc_set(&p)).unwrap();
    assert!(db.expire(T0 + Duration::from_secs(539)).is_empty());
    let soft = db.expire(T0 + Duration::from_secs(540));
    assert_eq!(soft.len(), 4);
    assert!(soft.iter().all(|e| e.state == LifetimeState::Soft));
    assert!(soft.contains(&Expiry {
        sa: SaRef::Inbound(p.ue.spi_c),
        state: LifetimeState::Soft
    }));
    assert!(
        db.expire(T0 + Duration::from_secs(541)).is_empty(),
        "soft once"
    );
    let hard = db.expire(T0 + Duration::from_secs(600));
    assert_eq!(hard.len(), 4);
    assert!(hard.iter().all(|e| e.state == LifetimeState::Hard));
    assert!(db.is_empty());
}

/// TS 33.203 keys the four SAs of a set with one key and salt; with AES-GCM
/// or AES-GMAC their nonces must still never repeat (RFC 4106 §3.1, RFC 4543
/// §3.1): no two packets of the set, in either direction, share an IV.
#[test]
fn aead_sas_of_a_set_never_share_an_iv() {
    for (int, enc) in [
        (IntegrityAlgorithm::Null, EncryptionAlgorithm::AesGcm),
        (IntegrityAlgorithm::AesGmac, EncryptionAlgorithm::Null),
    ] {
        let mut ivs = std::collections::HashSet::new();
        for role in [Role::Ue, Role::Pcscf] {
            let set = SaSet::from_ims_keys(
                &params(role, false, Lifetime::UNLIMITED),
                int,
                enc,
                &ck(),
                &ik(),
                T0,
            )
            .unwrap();
            for (_, sa) in set.outbound() {
                let mut sa = sa.clone();
                for _ in 0..50 {
                    let mut buf = vec![0u8; sa.encapsulated_len(10)];
                    sa.encapsulate(&mut buf, 10, 17, &mut Counter(1), T0)
                        .unwrap();
                    assert!(ivs.insert(buf[8..16].to_vec()), "{int}/{enc}: IV repeated");
                }
            }
        }
        assert_eq!(ivs.len(), 200);
    }
}

#[test]
fn a_set_needs_integrity_and_four_different_spis() {
    let p = params(Role::Ue, false, Lifetime::UNLIMITED);
    assert!(matches!(
        SaSet::from_ims_keys(
            &p,
            IntegrityAlgorithm::Null,
            EncryptionAlgorithm::AesCbc128,
            &ck(),
            &ik(),
            T0
        ),
        Err(Error::Parameter(_))
    ));
    let encryption_only = esp_sa::Transform::new(
        IntegrityAlgorithm::Null,
        &[],
        EncryptionAlgorithm::AesCbc128,
        &[0; 16],
    )
    .unwrap();
    assert!(matches!(
        SaSet::new(&p, &encryption_only, T0),
        Err(Error::Parameter(_))
    ));
    let mut clash = p;
    clash.pcscf.spi_s = clash.ue.spi_c;
    assert!(matches!(
        SaSet::from_ims_keys(
            &clash,
            IntegrityAlgorithm::HmacSha196,
            EncryptionAlgorithm::AesCbc128,
            &ck(),
            &ik(),
            T0
        ),
        Err(Error::Parameter(_))
    ));
}

/// TS 33.203 §7.4: temporary SAs get the registration's lifetime once it is
/// confirmed, keeping what they have counted.
#[test]
fn lifetimes_can_be_extended_in_place() {
    let short = Lifetime {
        soft: Limits::time(Duration::from_secs(30)),
        hard: Limits::time(Duration::from_secs(60)),
    };
    let long = Lifetime {
        soft: Limits::time(Duration::from_secs(570)),
        hard: Limits::time(Duration::from_secs(630)),
    };
    let mut db = SaDatabase::new();
    let handle = db
        .insert_set(cbc_set(&params(Role::Ue, false, short)))
        .unwrap();
    assert_eq!(db.expire(T0 + Duration::from_secs(30)).len(), 4, "soft");
    assert_eq!(db.set_set_lifetime(&handle, long), 4);
    // Counted from installation still; the soft limit is reported anew.
    assert!(db.expire(T0 + Duration::from_secs(60)).is_empty());
    let soft = db.expire(T0 + Duration::from_secs(570));
    assert!(soft.len() == 4 && soft.iter().all(|e| e.state == LifetimeState::Soft));
    assert!(!db.set_lifetime(&SaRef::Inbound(1), long));
    assert_eq!(db.expire(T0 + Duration::from_secs(630)).len(), 4);
    assert!(db.is_empty());
}

/// A re-registration (TS 33.203 §7.4) keeps the UE's protected server port
/// and the P-CSCF's ports, so the new set's SA from the P-CSCF's client
/// port to the UE's server port shares its selector with the old set's.
/// The new one waits on standby; the old one sends until the new set is
/// put to use, and removing the old set leaves the new one active.
#[test]
fn a_re_registration_set_shares_selectors_and_takes_over_sending() {
    let old_params = params(Role::Pcscf, false, Lifetime::UNLIMITED);
    let mut new_params = old_params;
    new_params.ue.port_c += 2;
    new_params.ue.spi_c += 100;
    new_params.ue.spi_s += 100;
    new_params.pcscf.spi_c += 100;
    new_params.pcscf.spi_s += 100;
    let mut db = SaDatabase::new();
    let old = db.insert_set(cbc_set(&old_params)).unwrap();
    let new = db.insert_set(cbc_set(&new_params)).unwrap();
    assert_eq!(db.len(), 8);
    // The same set cannot go in twice.
    assert!(db.insert_set(cbc_set(&new_params)).is_err());

    let (ue, pcscf) = (old_params.ue, old_params.pcscf);
    let request_to_ue = || {
        packet(
            17,
            pcscf.address,
            pcscf.port_c,
            ue.address,
            ue.port_s,
            b"NOTIFY",
        )
    };
    let send = |db: &mut SaDatabase| {
        let mut p = request_to_ue();
        db.protect(&mut p, &mut Counter(1), T0).unwrap();
        spi_on_wire(&p)
    };
    assert_eq!(send(&mut db), old_params.ue.spi_s);
    assert_eq!(db.use_set_for_sending(&new), 2);
    assert_eq!(send(&mut db), new_params.ue.spi_s);
    // Back and forth, then the old set goes and the new one stays active.
    assert_eq!(db.use_set_for_sending(&old), 2);
    assert_eq!(send(&mut db), old_params.ue.spi_s);
    assert_eq!(db.remove_set(&old), 4);
    assert_eq!(send(&mut db), new_params.ue.spi_s);
    assert_eq!(db.set_set_lifetime(&new, Lifetime::UNLIMITED), 4);
    assert_eq!(db.remove_set(&new), 4);
    assert!(db.is_empty());
}
