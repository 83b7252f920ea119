//! The Gm link after IMS AKA: a UE and its P-CSCF derive ESP keys from CK
//! and IK, install the four SAs of TS 33.203 §7.1 and exchange a REGISTER
//! over UDP and its 200 OK over TCP through the same SA pair; a replayed
//! packet is refused, and the SAs expire with the registration.
//!
//! ```text
//! cargo run --example esp [-- --alg hmac-sha-1-96 --ealg aes-cbc] [--wireshark]
//! ```
//!
//! `--alg`/`--ealg` take the TS 33.203 Annex H tokens: `hmac-sha-1-96`,
//! `hmac-md5-96`, `aes-gmac` or `null`; `aes-cbc`, `des-ede3-cbc`, `aes-gcm`
//! or `null` (AES-GCM goes with `--alg null`, AES-GMAC with `--ealg null`).
//! `--wireshark` also prints the SAs as Wireshark ESP SA entries.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use ims_sec::aka::home::AuthenticationVector;
use ims_sec::aka::milenage::{opc_from_op, Milenage};
use ims_sec::aka::{Amf, Sqn};
use ims_sec::common::Secret;
use ims_sec::esp::lifetime::{Lifetime, Limits};
use ims_sec::esp::{
    wireshark, EncryptionAlgorithm, Endpoint, EspKeys, IntegrityAlgorithm, Role, SaDatabase, SaSet,
    SaSetParams,
};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str, default: &'static str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let alg =
        IntegrityAlgorithm::from_token(&option("--alg", "hmac-sha-1-96")).ok_or("unknown --alg")?;
    let ealg =
        EncryptionAlgorithm::from_token(&option("--ealg", "aes-cbc")).ok_or("unknown --ealg")?;
    let mut rng = rand::rngs::OsRng;

    // The S-CSCF's authentication vector (TS 35.208 test set 1); the UE's
    // ISIM computes the same CK and IK from RAND and AUTN.
    let k = Secret::new(hex16("465b5ce8b199b49faa5f0a2ee238a6bc")?);
    let opc = opc_from_op(&k, &Secret::new(hex16("cdc202d5123e20f62b6d676ac72cb318")?));
    let milenage = Milenage::new(&k, &opc);
    let rand = hex16("23553cbe9637a89d218ae64dae47bf35")?;
    let av =
        AuthenticationVector::generate(&milenage, rand, Sqn::new(1).ok_or("SQN")?, Amf([0x80, 0]));
    let ck = Secret::<16>::from_slice(av.ck.expose_secret()).map_err(|e| format!("CK: {e}"))?;
    let ik = Secret::<16>::from_slice(av.ik.expose_secret()).map_err(|e| format!("IK: {e}"))?;

    // Each side draws its SPIs; the P-CSCF's must differ from the UE's.
    let mut ue_db = SaDatabase::new();
    let mut pcscf_db = SaDatabase::new();
    let spi_uc = ue_db.allocate_spi(&mut rng, &[])?;
    let spi_us = ue_db.allocate_spi(&mut rng, &[spi_uc])?;
    let spi_pc = pcscf_db.allocate_spi(&mut rng, &[spi_uc, spi_us])?;
    let spi_ps = pcscf_db.allocate_spi(&mut rng, &[spi_uc, spi_us, spi_pc])?;
    let ue = Endpoint {
        address: IpAddr::V4(Ipv4Addr::new(10, 45, 0, 2)),
        port_c: 31_800,
        port_s: 31_801,
        spi_c: spi_uc,
        spi_s: spi_us,
    };
    let pcscf = Endpoint {
        address: IpAddr::V4(Ipv4Addr::new(10, 46, 0, 1)),
        port_c: 5_064,
        port_s: 5_066,
        spi_c: spi_pc,
        spi_s: spi_ps,
    };
    // The temporary SAs live as long as the registration (600 s here) plus a
    // margin; ask for new ones 30 s before.
    let lifetime = Lifetime {
        soft: Limits::time(Duration::from_secs(570)),
        hard: Limits::time(Duration::from_secs(630)),
    };
    let now = Duration::ZERO; // The application's monotonic clock.
    let params = |role| SaSetParams {
        role,
        ue,
        pcscf,
        replay_window: 64,
        lifetime,
    };
    ue_db.insert_set(SaSet::from_ims_keys(
        &params(Role::Ue),
        alg,
        ealg,
        &ck,
        &ik,
        now,
    )?)?;
    pcscf_db.insert_set(SaSet::from_ims_keys(
        &params(Role::Pcscf),
        alg,
        ealg,
        &ck,
        &ik,
        now,
    )?)?;
    println!("alg={alg} ealg={ealg}");
    println!(
        "UE     {} port-c {} port-s {} spi-c {spi_uc:#010x} spi-s {spi_us:#010x}",
        ue.address, ue.port_c, ue.port_s
    );
    println!(
        "P-CSCF {} port-c {} port-s {} spi-c {spi_pc:#010x} spi-s {spi_ps:#010x}",
        pcscf.address, pcscf.port_c, pcscf.port_s
    );

    // REGISTER over UDP from the UE's client port to the P-CSCF's server port.
    let register =
        b"REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.45.0.2:31800\r\n\r\n";
    let mut packet = ipv4(
        17,
        ue.address,
        ue.port_c,
        pcscf.address,
        pcscf.port_s,
        register,
    );
    let clear_len = packet.len();
    ue_db.protect(&mut packet, &mut rng, now)?;
    let on_wire = packet.clone();
    println!(
        "UE -> P-CSCF  UDP {} -> {}: {clear_len} bytes in clear, {} as ESP (SPI {:#010x})",
        ue.port_c,
        pcscf.port_s,
        packet.len(),
        spi_of(&packet)
    );
    let got = pcscf_db.unprotect(&mut packet, now)?;
    println!(
        "  P-CSCF accepts seq {} on SPI {:#010x}: {:?}",
        got.decapsulated.sequence_number,
        got.spi,
        first_line(packet.get(28..).unwrap_or_default())
    );

    // The 200 OK over TCP, from the P-CSCF's server port back to the UE's client port.
    let ok = b"SIP/2.0 200 OK\r\n\r\n";
    let mut packet = ipv4(6, pcscf.address, pcscf.port_s, ue.address, ue.port_c, ok);
    pcscf_db.protect(&mut packet, &mut rng, now)?;
    println!(
        "P-CSCF -> UE  TCP {} -> {}: {} bytes as ESP (SPI {:#010x})",
        pcscf.port_s,
        ue.port_c,
        packet.len(),
        spi_of(&packet)
    );
    let got = ue_db.unprotect(&mut packet, now)?;
    println!(
        "  UE accepts seq {} on SPI {:#010x}: {:?}",
        got.decapsulated.sequence_number,
        got.spi,
        first_line(packet.get(40..).unwrap_or_default())
    );

    // The same REGISTER again: the replay window refuses it.
    let mut replayed = on_wire;
    match pcscf_db.unprotect(&mut replayed, now) {
        Err(e) => println!("replayed REGISTER refused: {e}"),
        Ok(_) => return Err("a replayed packet was accepted".into()),
    }

    // For a capture of this traffic, `--wireshark` prints the four SAs as
    // Wireshark ESP SA entries. They hold the keys in clear: debugging only.
    if args.iter().any(|a| a == "--wireshark") {
        let keys = EspKeys::derive(alg, ealg, &ck, &ik);
        for (src, dst, spi) in [
            (ue.address, pcscf.address, spi_ps),
            (ue.address, pcscf.address, spi_pc),
            (pcscf.address, ue.address, spi_uc),
            (pcscf.address, ue.address, spi_us),
        ] {
            let entry = wireshark::sa_entry_with_keys(
                src,
                dst,
                spi,
                alg,
                keys.integrity.expose_secret(),
                ealg,
                keys.encryption.expose_secret(),
            )?;
            println!("esp_sa: {}", entry.as_str());
        }
    }

    // Time passes: first a request for new SAs, then the old ones go.
    for at in [570, 630] {
        for expiry in pcscf_db.expire(Duration::from_secs(at)) {
            println!("t={at}s P-CSCF {:?}: {}", expiry.state, expiry.sa);
        }
    }
    println!("P-CSCF SAs left: {}", pcscf_db.len());
    Ok(())
}

/// An IPv4 packet with a UDP (17) or minimal TCP (6) header; the IPv4
/// checksum is left zero: protect and unprotect set it.
fn ipv4(protocol: u8, src: IpAddr, sport: u16, dst: IpAddr, dport: u16, body: &[u8]) -> Vec<u8> {
    let mut upper = [sport.to_be_bytes(), dport.to_be_bytes()].concat();
    if protocol == 17 {
        upper.extend_from_slice(&u16::try_from(8 + body.len()).unwrap_or(0).to_be_bytes());
        upper.extend_from_slice(&[0, 0]);
    } else {
        upper.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    }
    upper.extend_from_slice(body);
    let total = u16::try_from(20 + upper.len()).unwrap_or(0).to_be_bytes();
    let octets = |a: IpAddr| match a {
        IpAddr::V4(a) => a.octets(),
        IpAddr::V6(_) => [0; 4],
    };
    [
        &[
            0x45, 0, total[0], total[1], 0, 0, 0x40, 0, 64, protocol, 0, 0,
        ][..],
        &octets(src),
        &octets(dst),
        &upper,
    ]
    .concat()
}

fn spi_of(packet: &[u8]) -> u32 {
    packet
        .get(20..24)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

fn first_line(sip: &[u8]) -> String {
    String::from_utf8_lossy(sip)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn hex16(s: &str) -> Result<[u8; 16], Box<dyn Error>> {
    let v = hex::decode(s).map_err(|e| format!("{s}: {e}"))?;
    Ok(v.try_into().map_err(|_| "16 bytes expected")?)
}
