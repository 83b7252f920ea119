//! Helpers shared by the esp-sa integration tests.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rand_core::{CryptoRng, RngCore};

/// Hex to bytes, ignoring white space (so RFC hex dumps paste as they are).
pub fn h(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).unwrap()
}

/// An "RNG" that hands out fixed bytes (repeated), to reproduce published
/// packets whose IV is given.
pub struct FixedIv(pub Vec<u8>);

impl RngCore for FixedIv {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill_bytes(&mut b);
        u32::from_be_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill_bytes(&mut b);
        u64::from_be_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for (d, s) in dest.iter_mut().zip(self.0.iter().cycle()) {
            *d = *s;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for FixedIv {}

/// A deterministic "RNG" counting up, for IVs that differ packet to packet.
pub struct Counter(pub u64);

impl RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for Counter {}

use esp_sa::{EncryptionAlgorithm, IntegrityAlgorithm, Transform};

/// Every algorithm pair a [`Transform`] accepts (Annex H pairs plus
/// encryption-only CBC), keyed with fixed test keys.
pub fn all_pairs() -> Vec<(IntegrityAlgorithm, EncryptionAlgorithm)> {
    let mut pairs = Vec::new();
    for &int in IntegrityAlgorithm::ALL {
        for &enc in EncryptionAlgorithm::ALL {
            if Transform::new(int, &vec![0; int.key_len()], enc, &vec![0; enc.key_len()]).is_ok() {
                pairs.push((int, enc));
            }
        }
    }
    pairs
}

/// A transform for `int`/`enc` with fixed, distinct test keys.
pub fn transform(int: IntegrityAlgorithm, enc: EncryptionAlgorithm) -> Transform {
    let ikey: Vec<u8> = (0..int.key_len() as u8).map(|b| b ^ 0x5a).collect();
    let ekey: Vec<u8> = (0..enc.key_len() as u8).collect();
    Transform::new(int, &ikey, enc, &ekey).unwrap()
}

/// Whether an interop peer is installed. Under CI (`IMS_SEC_CI` set) a
/// missing peer fails the test; elsewhere the test says so on stderr and
/// passes, as the osmo-auc-gen test of ims-aka does.
pub fn peer_available(peer: &str, found: bool, install: &str) -> bool {
    if !found {
        assert!(
            std::env::var_os("IMS_SEC_CI").is_none(),
            "{peer} is missing under CI: {install}"
        );
        eprintln!("{peer} not installed ({install}): interop test not run");
    }
    found
}

/// IP packets of the Gm link for the interop tests: SIP over UDP and TCP
/// between a UE and a P-CSCF, IPv4 and IPv6, with correct lengths and
/// checksums, so that a real stack (scapy, Wireshark) reads them as it
/// would on a wire.
pub mod packets {
    use std::net::IpAddr;

    /// The UE's and the P-CSCF's addresses (documentation ranges).
    pub const UE_V4: &str = "192.0.2.10";
    /// The P-CSCF's IPv4 address.
    pub const PCSCF_V4: &str = "192.0.2.20";
    /// The UE's IPv6 address.
    pub const UE_V6: &str = "2001:db8::10";
    /// The P-CSCF's IPv6 address.
    pub const PCSCF_V6: &str = "2001:db8:0:1::20";

    /// IP protocol numbers.
    pub const UDP: u8 = 17;
    /// TCP.
    pub const TCP: u8 = 6;
    /// No Next Header (an empty upper layer).
    pub const NO_NEXT_HEADER: u8 = 59;

    /// The (UE, P-CSCF) address pair of an IP version.
    pub fn addresses(v6: bool) -> (IpAddr, IpAddr) {
        if v6 {
            (UE_V6.parse().unwrap(), PCSCF_V6.parse().unwrap())
        } else {
            (UE_V4.parse().unwrap(), PCSCF_V4.parse().unwrap())
        }
    }

    /// A SIP REGISTER of exactly `len` bytes: the start of a real message,
    /// cut, or extended with more header text.
    pub fn sip_bytes(len: usize) -> Vec<u8> {
        let head = sip_register(0, "cut");
        head.iter().copied().cycle().take(len).collect()
    }

    /// A whole SIP REGISTER (TS 24.229 style, protected ports) with a
    /// distinct Call-ID, `extra` filler bytes in a header to vary its size.
    pub fn sip_register(extra: usize, call_id: &str) -> Vec<u8> {
        format!(
            "REGISTER sip:ims.example.net SIP/2.0\r\n\
             Via: SIP/2.0/UDP [2001:db8::10]:5062;branch=z9hG4bK{call_id}\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:alice@ims.example.net>;tag=4fa3\r\n\
             To: <sip:alice@ims.example.net>\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: 2 REGISTER\r\n\
             Contact: <sip:[2001:db8::10]:5062>;expires=600000\r\n\
             Security-Verify: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1000;spi-s=1001;port-c=5062;port-s=5063\r\n\
             X-Filler: {}\r\n\
             Content-Length: 0\r\n\r\n",
            "x".repeat(extra)
        )
        .into_bytes()
    }

    /// A UDP datagram in an IP packet.
    pub fn udp(src: IpAddr, dst: IpAddr, sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
        let mut segment = Vec::with_capacity(8 + data.len());
        segment.extend_from_slice(&sport.to_be_bytes());
        segment.extend_from_slice(&dport.to_be_bytes());
        segment.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
        segment.extend_from_slice(&[0, 0]);
        segment.extend_from_slice(data);
        let mut checksum = transport_checksum(src, dst, UDP, &segment);
        if checksum == 0 {
            checksum = 0xffff;
        }
        segment[6..8].copy_from_slice(&checksum.to_be_bytes());
        ip(src, dst, UDP, &segment, data.len() as u16)
    }

    /// A TCP segment (PSH, ACK) in an IP packet.
    pub fn tcp(src: IpAddr, dst: IpAddr, sport: u16, dport: u16, seq: u32, data: &[u8]) -> Vec<u8> {
        let mut segment = Vec::with_capacity(20 + data.len());
        segment.extend_from_slice(&sport.to_be_bytes());
        segment.extend_from_slice(&dport.to_be_bytes());
        segment.extend_from_slice(&seq.to_be_bytes());
        segment.extend_from_slice(&0x0bad_cafe_u32.to_be_bytes()); // ack
        segment.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        segment.extend_from_slice(data);
        let checksum = transport_checksum(src, dst, TCP, &segment);
        segment[16..18].copy_from_slice(&checksum.to_be_bytes());
        ip(src, dst, TCP, &segment, seq as u16)
    }

    /// An IP header for `payload` (IPv4 with a correct checksum, or IPv6
    /// without extension headers); `id` varies the IPv4 identification
    /// and the IPv6 flow label.
    pub fn ip(src: IpAddr, dst: IpAddr, protocol: u8, payload: &[u8], id: u16) -> Vec<u8> {
        let mut packet = match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let mut h = vec![0x45, 0x10];
                h.extend_from_slice(&((20 + payload.len()) as u16).to_be_bytes());
                h.extend_from_slice(&id.to_be_bytes());
                h.extend_from_slice(&[0x40, 0, 64, protocol, 0, 0]);
                h.extend_from_slice(&s.octets());
                h.extend_from_slice(&d.octets());
                let checksum = !fold(sum(&h));
                h[10..12].copy_from_slice(&checksum.to_be_bytes());
                h
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                let mut h = vec![0x60, 0x0a, (id >> 8) as u8, id as u8];
                h.extend_from_slice(&(payload.len() as u16).to_be_bytes());
                h.extend_from_slice(&[protocol, 64]);
                h.extend_from_slice(&s.octets());
                h.extend_from_slice(&d.octets());
                h
            }
            _ => panic!("mixed IP versions"),
        };
        packet.extend_from_slice(payload);
        packet
    }

    fn transport_checksum(src: IpAddr, dst: IpAddr, protocol: u8, segment: &[u8]) -> u16 {
        let mut pseudo = Vec::new();
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                pseudo.extend_from_slice(&s.octets());
                pseudo.extend_from_slice(&d.octets());
                pseudo.extend_from_slice(&[0, protocol]);
                pseudo.extend_from_slice(&(segment.len() as u16).to_be_bytes());
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                pseudo.extend_from_slice(&s.octets());
                pseudo.extend_from_slice(&d.octets());
                pseudo.extend_from_slice(&(segment.len() as u32).to_be_bytes());
                pseudo.extend_from_slice(&[0, 0, 0, protocol]);
            }
            _ => panic!("mixed IP versions"),
        }
        !fold(sum(&pseudo) + sum(segment))
    }

    fn sum(bytes: &[u8]) -> u64 {
        bytes
            .chunks(2)
            .map(|w| u64::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)])))
            .sum()
    }

    fn fold(mut sum: u64) -> u16 {
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }
}
