//! An SA as an entry of Wireshark's ESP SA table, so that Wireshark or
//! tshark can decrypt and check the packets of a capture: for debugging
//! captures only, since the entry carries the SA's keys in clear.
//!
//! The table is Wireshark's `esp_sa` UAT (Preferences › Protocols › ESP ›
//! ESP SAs). Each entry has eight quoted, comma-separated fields: protocol
//! (`IPv4` or `IPv6`), source address, destination address, SPI, encryption
//! algorithm, encryption key, authentication algorithm, authentication key;
//! the algorithm names and key format are those of Wireshark 4.0
//! (`epan/dissectors/packet-ipsec.c`). The entry can be used
//!
//! - as a line of the file `esp_sa` in a Wireshark profile directory (for
//!   example `~/.config/wireshark/esp_sa`), one line per SA, or
//! - on the tshark command line, one `-o` per SA, together with the two
//!   preferences that switch decryption and ICV checking on:
//!
//! ```text
//! tshark -r capture.pcap \
//!     -o esp.enable_encryption_decode:TRUE \
//!     -o esp.enable_authentication_check:TRUE \
//!     -o 'uat:esp_sa:"IPv4","192.0.2.1","192.0.2.2","0x00001000","AES-CBC [RFC3602]","0x…","HMAC-SHA-1-96 [RFC2404]","0x…"'
//! ```
//!
//! Limits of Wireshark 4.0, which the entry cannot work around: it has no
//! AES-GMAC (RFC 4543, `ENCR_NULL_AUTH_AES_GMAC`), so no entry is made for
//! it; and it has no extended sequence numbers, so the ICV of an SA with ESN
//! shows as bad (and a GCM packet does not decrypt) although the packet is
//! right.

use alloc::string::String;
use core::fmt::Write as _;
use core::net::IpAddr;

use zeroize::Zeroizing;

use crate::algorithm::{EncryptionAlgorithm, IntegrityAlgorithm};
use crate::Error;

/// The name of Wireshark's ESP SA table: the file name in a profile
/// directory, and the table in tshark's `-o uat:esp_sa:<entry>`.
pub const UAT_NAME: &str = "esp_sa";

/// More than the longest entry: two full IPv6 addresses, the longest names,
/// 24- and 20-byte keys in hexadecimal, quotes and commas.
const ENTRY_CAPACITY: usize = 384;

/// Wireshark's name for an encryption algorithm (`esp_encryption_type_vals`).
/// GCM is always with the full 16-byte ICV here.
#[must_use]
pub const fn encryption_name(algorithm: EncryptionAlgorithm) -> &'static str {
    match algorithm {
        EncryptionAlgorithm::Null => "NULL",
        EncryptionAlgorithm::DesEde3Cbc => "TripleDES-CBC [RFC2451]",
        EncryptionAlgorithm::AesCbc128 => "AES-CBC [RFC3602]",
        EncryptionAlgorithm::AesGcm => "AES-GCM with 16 octet ICV [RFC4106]",
    }
}

/// Wireshark's name for an integrity algorithm
/// (`esp_authentication_type_vals`), or `None` for AES-GMAC, which
/// Wireshark 4.0 does not have.
#[must_use]
pub const fn authentication_name(algorithm: IntegrityAlgorithm) -> Option<&'static str> {
    match algorithm {
        IntegrityAlgorithm::HmacMd596 => Some("HMAC-MD5-96 [RFC2403]"),
        IntegrityAlgorithm::HmacSha196 => Some("HMAC-SHA-1-96 [RFC2404]"),
        IntegrityAlgorithm::Null => Some("NULL"),
        IntegrityAlgorithm::AesGmac => None,
    }
}

/// Renders one SA as an entry of Wireshark's ESP SA table (see the module
/// documentation for how to use it), **with its keys in clear: for
/// debugging captures only**. The entry is wiped from memory when dropped.
///
/// The keys are the keying material given to [`crate::Transform::new`]: for
/// AES-GCM the 16-byte key followed by its 4-byte salt, which is also what
/// Wireshark expects. `src` and `dst` are the addresses of the packets the
/// SA protects, as seen on the wire (for the UE's outbound SA, the UE's
/// address and the P-CSCF's).
///
/// Refuses AES-GMAC (Wireshark has no such algorithm), a pair
/// [`crate::Transform::new`] would refuse, a key of the wrong length, and
/// addresses of two IP versions.
pub fn sa_entry_with_keys(
    src: IpAddr,
    dst: IpAddr,
    spi: u32,
    integrity: IntegrityAlgorithm,
    integrity_key: &[u8],
    encryption: EncryptionAlgorithm,
    encryption_key: &[u8],
) -> Result<Zeroizing<String>, Error> {
    use EncryptionAlgorithm as E;
    use IntegrityAlgorithm as I;
    let authentication = authentication_name(integrity).ok_or(Error::Parameter(
        "Wireshark has no AES-GMAC (RFC 4543): no ESP SA entry for it",
    ))?;
    match (integrity, encryption) {
        (I::Null, E::AesGcm)
        | (I::HmacMd596 | I::HmacSha196, E::Null | E::AesCbc128 | E::DesEde3Cbc)
        | (I::Null, E::AesCbc128 | E::DesEde3Cbc) => {}
        _ => {
            return Err(Error::Parameter(
                "not an algorithm pair of TS 33.203 Annex H",
            ))
        }
    }
    for (algorithm, expected, key) in [
        (integrity.token(), integrity.key_len(), integrity_key),
        (encryption.token(), encryption.key_len(), encryption_key),
    ] {
        if key.len() != expected {
            return Err(Error::KeyLength {
                algorithm,
                got: key.len(),
            });
        }
    }
    let protocol = match (src, dst) {
        (IpAddr::V4(_), IpAddr::V4(_)) => "IPv4",
        (IpAddr::V6(_), IpAddr::V6(_)) => "IPv6",
        _ => {
            return Err(Error::Parameter(
                "source and destination of two IP versions",
            ))
        }
    };

    // Room for the longest entry, so the String never reallocates and leaves
    // no copy of a key behind.
    let mut entry = Zeroizing::new(String::with_capacity(ENTRY_CAPACITY));
    // Writing into a String cannot fail.
    let _ = write!(entry, "\"{protocol}\",");
    write_address(&mut entry, src);
    write_address(&mut entry, dst);
    let _ = write!(
        entry,
        "\"0x{spi:08x}\",\"{}\",",
        encryption_name(encryption)
    );
    write_key(&mut entry, encryption_key);
    let _ = write!(entry, ",\"{authentication}\",");
    write_key(&mut entry, integrity_key);
    Ok(entry)
}

/// An address field. IPv6 is written in full (eight groups of four digits):
/// Wireshark's SA address parser reads every form of it, but not the dotted
/// tail of an IPv4-mapped address that `Display` would write.
fn write_address(out: &mut String, address: IpAddr) {
    let _ = match address {
        IpAddr::V4(v4) => write!(out, "\"{v4}\","),
        IpAddr::V6(v6) => {
            let [a, b, c, d, e, f, g, h] = v6.segments();
            write!(
                out,
                "\"{a:04x}:{b:04x}:{c:04x}:{d:04x}:{e:04x}:{f:04x}:{g:04x}:{h:04x}\","
            )
        }
    };
}

/// A key field: `0x` and hexadecimal digits, or empty for no key.
fn write_key(out: &mut String, key: &[u8]) {
    out.push('"');
    if !key.is_empty() {
        out.push_str("0x");
        for byte in key {
            let _ = write!(out, "{byte:02x}");
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};

    const UE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
    const PCSCF: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 20));

    fn count(n: u8) -> alloc::vec::Vec<u8> {
        (0..n).collect()
    }

    #[test]
    fn hmac_sha1_with_aes_cbc_is_one_quoted_line_of_eight_fields() {
        let entry = sa_entry_with_keys(
            UE,
            PCSCF,
            0x1234,
            IntegrityAlgorithm::HmacSha196,
            &count(20),
            EncryptionAlgorithm::AesCbc128,
            &count(16),
        )
        .unwrap();
        assert_eq!(
            entry.as_str(),
            "\"IPv4\",\"192.0.2.10\",\"192.0.2.20\",\"0x00001234\",\
             \"AES-CBC [RFC3602]\",\"0x000102030405060708090a0b0c0d0e0f\",\
             \"HMAC-SHA-1-96 [RFC2404]\",\"0x000102030405060708090a0b0c0d0e0f10111213\""
        );
    }

    #[test]
    fn gcm_key_carries_its_salt_and_ipv6_is_written_in_full() {
        let ue = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10));
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 20).to_ipv6_mapped());
        let entry = sa_entry_with_keys(
            ue,
            mapped,
            u32::MAX,
            IntegrityAlgorithm::Null,
            &[],
            EncryptionAlgorithm::AesGcm,
            &count(20),
        )
        .unwrap();
        assert_eq!(
            entry.as_str(),
            "\"IPv6\",\"2001:0db8:0000:0000:0000:0000:0000:0010\",\
             \"0000:0000:0000:0000:0000:ffff:c000:0214\",\"0xffffffff\",\
             \"AES-GCM with 16 octet ICV [RFC4106]\",\
             \"0x000102030405060708090a0b0c0d0e0f10111213\",\"NULL\",\"\""
        );
    }

    #[test]
    fn every_pair_wireshark_has_gets_its_names() {
        let entry = |int: IntegrityAlgorithm, enc: EncryptionAlgorithm| {
            sa_entry_with_keys(
                UE,
                PCSCF,
                1,
                int,
                &count(int.key_len() as u8),
                enc,
                &count(enc.key_len() as u8),
            )
            .unwrap()
        };
        let md5_3des = entry(
            IntegrityAlgorithm::HmacMd596,
            EncryptionAlgorithm::DesEde3Cbc,
        );
        assert!(md5_3des.contains(
            "\"TripleDES-CBC [RFC2451]\",\"0x000102030405060708090a0b0c0d0e0f1011121314151617\""
        ));
        assert!(
            md5_3des.ends_with("\"HMAC-MD5-96 [RFC2403]\",\"0x000102030405060708090a0b0c0d0e0f\"")
        );
        let sha1_null = entry(IntegrityAlgorithm::HmacSha196, EncryptionAlgorithm::Null);
        assert!(sha1_null.contains(",\"NULL\",\"\",\"HMAC-SHA-1-96 [RFC2404]\","));
        let cbc_only = entry(IntegrityAlgorithm::Null, EncryptionAlgorithm::AesCbc128);
        assert!(cbc_only.ends_with(",\"NULL\",\"\""));
    }

    #[test]
    fn what_wireshark_cannot_read_is_refused() {
        let refused = |int: IntegrityAlgorithm, ik: &[u8], enc, ek: &[u8], dst| {
            sa_entry_with_keys(UE, dst, 1, int, ik, enc, ek).unwrap_err()
        };
        // No GMAC in Wireshark.
        assert!(matches!(
            refused(
                IntegrityAlgorithm::AesGmac,
                &count(20),
                EncryptionAlgorithm::Null,
                &[],
                PCSCF
            ),
            Error::Parameter(_)
        ));
        // Not a pair.
        assert!(matches!(
            refused(
                IntegrityAlgorithm::HmacSha196,
                &count(20),
                EncryptionAlgorithm::AesGcm,
                &count(20),
                PCSCF
            ),
            Error::Parameter(_)
        ));
        // GCM without its salt.
        assert_eq!(
            refused(
                IntegrityAlgorithm::Null,
                &[],
                EncryptionAlgorithm::AesGcm,
                &count(16),
                PCSCF
            ),
            Error::KeyLength {
                algorithm: "aes-gcm",
                got: 16
            }
        );
        // An IPv4 source and an IPv6 destination.
        assert!(matches!(
            refused(
                IntegrityAlgorithm::HmacMd596,
                &count(16),
                EncryptionAlgorithm::Null,
                &[],
                IpAddr::V6(Ipv6Addr::LOCALHOST)
            ),
            Error::Parameter(_)
        ));
    }
}
