//! A protected call between two UEs: SDES offer/answer in the SDP (RFC 4568,
//! with TS 24.229's `a=3ge2ae`), then SRTP both ways across a rollover of
//! the sequence number, SRTCP reports, and a replayed and a tampered packet
//! refused. Everything runs in memory and is printed as it happens.
//!
//! ```sh
//! cargo run --example secure_call
//! cargo run --example secure_call -- --suite AEAD_AES_128_GCM
//! ```
#![allow(clippy::print_stdout)]

use std::error::Error;

use ims_sec::srtp::e2ae::{self, E2aeIndicator};
use ims_sec::srtp::offer_answer::answer;
use ims_sec::srtp::{
    CryptoAttribute, CryptoSuite, InboundSession, Offerer, OutboundSession, SdesConfig,
};
use rand::rngs::StdRng;
use rand::SeedableRng;

/// One UE's media plane: what it protects with and what it unprotects with.
struct MediaPlane {
    name: &'static str,
    ssrc: u32,
    send: OutboundSession,
    receive: InboundSession,
}

fn main() -> Result<(), Box<dyn Error>> {
    let suite = match std::env::args().skip_while(|a| a != "--suite").nth(1) {
        Some(name) => CryptoSuite::from_name(&name).ok_or(format!("unknown suite {name}"))?,
        None => CryptoSuite::AesCm128HmacSha1_80,
    };
    // Deterministic keys so the output is the same every run; a product
    // passes its CSPRNG (rand::rngs::OsRng) instead.
    let mut rng = StdRng::seed_from_u64(2026);

    println!("== SDES offer/answer (RFC 4568 §5–§7) ==");
    let config = SdesConfig {
        suites: vec![suite, CryptoSuite::AesCm128HmacSha1_32],
        ..SdesConfig::default()
    };
    let offerer = Offerer::new(config.clone(), &mut rng)?;
    let offer = offerer.offer();
    println!("UE-A INVITE SDP (audio):");
    println!("  m=audio 49170 RTP/SAVP 0");
    for line in &offer {
        println!("  {}", line.sdp_line());
    }
    // mediasec was agreed at registration: ask for e2ae protection.
    let requested = e2ae::ue_offer_indicator(true, &offer);
    if let Some(ind) = &requested {
        println!("  {}", ind.sdp_line());
    }

    // The offer travels as text; UE-B parses what it received.
    let received: Vec<CryptoAttribute> = offer
        .iter()
        .map(|a| CryptoAttribute::parse(&a.sdp_line()))
        .collect::<Result<_, _>>()?;
    let (answer_line, at_b) = answer(&received, &config, &mut rng)?;
    println!("UE-B 200 OK SDP (audio):");
    println!("  m=audio 3456 RTP/SAVP 0");
    println!("  {}", answer_line.sdp_line());
    let applied = e2ae::pcscf_answer_indicator(requested.as_slice(), &received, true);
    if let Some(ind) = &applied {
        println!("  {}   (added by the P-CSCF applying e2ae)", ind.sdp_line());
    }
    let at_a = offerer.accept_answer(&CryptoAttribute::parse(&answer_line.sdp_line())?)?;
    println!(
        "negotiated: tag {} {}; e2ae applied: {}",
        at_a.tag,
        at_a.suite,
        e2ae::is_applied(applied.as_slice())
    );
    assert_eq!(applied, Some(E2aeIndicator::Applied));

    let mut a = MediaPlane {
        name: "UE-A",
        ssrc: 0x0a0a_0001,
        send: OutboundSession::new(at_a.send)?,
        receive: InboundSession::new(at_a.receive)?,
    };
    let mut b = MediaPlane {
        name: "UE-B",
        ssrc: 0x0b0b_0002,
        send: OutboundSession::new(at_b.send)?,
        receive: InboundSession::new(at_b.receive)?,
    };

    println!("\n== RTP A → B across the sequence-number wrap ==");
    let mut kept = None;
    for seq in (65_532..=65_535).chain(0..4) {
        let packet = send_rtp(&mut a, seq)?;
        if seq == 1 {
            kept = Some(packet.clone());
        }
        receive_rtp(&mut b, packet)?;
    }

    println!("\n== RTP B → A ==");
    for seq in 100..103 {
        let packet = send_rtp(&mut b, seq)?;
        receive_rtp(&mut a, packet)?;
    }

    println!("\n== SRTCP reports ==");
    let sr = rtcp_sender_report(a.ssrc);
    let packet = send_rtcp(&mut a, sr)?;
    receive_rtcp(&mut b, packet)?;
    let rr = rtcp_receiver_report(b.ssrc, a.ssrc);
    let packet = send_rtcp(&mut b, rr)?;
    receive_rtcp(&mut a, packet)?;

    println!("\n== attacks ==");
    if let Some(replayed) = kept {
        let mut copy = replayed;
        match b.receive.unprotect_rtp(&mut copy) {
            Ok(_) => return Err("a replayed packet was accepted".into()),
            Err(e) => println!("UE-B refuses a replayed packet (seq 1): {e}"),
        }
    }
    let mut tampered = send_rtp(&mut a, 4)?;
    if let Some(byte) = tampered.get_mut(20) {
        *byte ^= 0x01;
    }
    match b.receive.unprotect_rtp(&mut tampered) {
        Ok(_) => return Err("a tampered packet was accepted".into()),
        Err(e) => println!("UE-B refuses a tampered packet (seq 4): {e}"),
    }
    println!(
        "UE-B's stream from UE-A is unchanged: ROC {:?}",
        b.receive.roc(a.ssrc)
    );

    println!("\n== key export for a debugging session (never log these) ==");
    for line in b.receive.export_keys() {
        println!("{line}");
    }
    println!("\nresult: call protected with {}", at_a.suite);
    Ok(())
}

/// A 20 ms G.711 frame (160 bytes) as RTP from `ue`.
fn send_rtp(ue: &mut MediaPlane, seq: u16) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut packet = Vec::with_capacity(12 + 160 + ue.send.rtp_overhead());
    packet.extend_from_slice(&[0x80, 0x00]);
    packet.extend_from_slice(&seq.to_be_bytes());
    packet.extend_from_slice(&(u32::from(seq).wrapping_mul(160)).to_be_bytes());
    packet.extend_from_slice(&ue.ssrc.to_be_bytes());
    packet.extend((0..160u8).map(|i| i ^ seq as u8));
    ue.send.protect_rtp_vec(&mut packet)?;
    println!(
        "{} sends seq {seq:5} ROC {}: {} bytes SRTP {}…",
        ue.name,
        ue.send.roc(ue.ssrc).unwrap_or(0),
        packet.len(),
        hex(packet.get(12..20).unwrap_or_default()),
    );
    Ok(packet)
}

fn receive_rtp(ue: &mut MediaPlane, mut packet: Vec<u8>) -> Result<(), Box<dyn Error>> {
    let got = ue.receive.unprotect_rtp(&mut packet)?;
    println!(
        "{} accepts index {:#x} (ROC {}, seq {}): {} bytes RTP, payload {}…",
        ue.name,
        got.index,
        got.index >> 16,
        got.index & 0xffff,
        got.len,
        hex(packet.get(12..18).unwrap_or_default()),
    );
    Ok(())
}

fn send_rtcp(ue: &mut MediaPlane, mut packet: Vec<u8>) -> Result<Vec<u8>, Box<dyn Error>> {
    let plain = packet.len();
    ue.send.protect_rtcp_vec(&mut packet)?;
    let e_index = packet
        .get(plain..plain + 4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_be_bytes)
        .unwrap_or(0);
    println!(
        "{} sends SRTCP: {} bytes, E={} index {}",
        ue.name,
        packet.len(),
        e_index >> 31,
        e_index & 0x7fff_ffff
    );
    Ok(packet)
}

fn receive_rtcp(ue: &mut MediaPlane, mut packet: Vec<u8>) -> Result<(), Box<dyn Error>> {
    let got = ue.receive.unprotect_rtcp(&mut packet)?;
    let kind = match packet.get(1) {
        Some(200) => "SR",
        Some(201) => "RR",
        _ => "RTCP",
    };
    println!(
        "{} accepts SRTCP index {} from {:#010x}: {kind}, {} bytes",
        ue.name, got.index, got.ssrc, got.len
    );
    Ok(())
}

/// An RTCP sender report with no report blocks (RFC 3550 §6.4.1).
fn rtcp_sender_report(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 200, 0x00, 0x06];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0xe9, 0x4c, 0x2b, 0x00, 0x80, 0x00, 0x00, 0x00]); // NTP time
    p.extend_from_slice(&1280u32.to_be_bytes()); // RTP timestamp
    p.extend_from_slice(&8u32.to_be_bytes()); // packets sent
    p.extend_from_slice(&1280u32.to_be_bytes()); // octets sent
    p
}

/// An RTCP receiver report with one report block about `source`.
fn rtcp_receiver_report(ssrc: u32, source: u32) -> Vec<u8> {
    let mut p = vec![0x81, 201, 0x00, 0x07];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&source.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 0]); // fraction lost, cumulative lost
    p.extend_from_slice(&((1u32 << 16) | 3).to_be_bytes()); // extended highest seq
    p.extend_from_slice(&[0; 12]); // jitter, LSR, DLSR
    p
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
