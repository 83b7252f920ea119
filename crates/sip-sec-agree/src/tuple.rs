//! `ipsec-3gpp` mechanisms as typed tuples (TS 33.203 Annex H), and the
//! algorithm pairs each side is willing to use, ordered by preference.
//!
//! One `ipsec-3gpp` mechanism is one tuple: an integrity algorithm, an
//! encryption algorithm and the sender's SPIs and protected ports. A UE
//! offers one tuple per pair it supports, all with the same SPIs and ports;
//! a choice is always a whole tuple, never fields taken from different ones.

use alloc::vec::Vec;
use core::fmt;

use esp_sa::{EncryptionAlgorithm, IntegrityAlgorithm};

use crate::header::{Algorithm, Mechanism, MechanismName, MechanismParam, Mode, Protocol, QValue};

/// An integrity and an encryption algorithm, as one `ipsec-3gpp` tuple
/// names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlgorithmPair {
    /// `alg`.
    pub integrity: IntegrityAlgorithm,
    /// `ealg` (absent means [`EncryptionAlgorithm::Null`], RFC 3329 Appendix A).
    pub encryption: EncryptionAlgorithm,
}

impl AlgorithmPair {
    /// The pair.
    #[must_use]
    pub const fn new(integrity: IntegrityAlgorithm, encryption: EncryptionAlgorithm) -> Self {
        Self {
            integrity,
            encryption,
        }
    }

    /// Whether the pair encrypts.
    #[must_use]
    pub fn encrypts(self) -> bool {
        self.encryption != EncryptionAlgorithm::Null
    }

    /// Whether Annex H can signal the pair and esp-sa can run it: an HMAC
    /// with any CBC cipher or NULL, AES-GMAC with NULL, or `alg=null` with
    /// AES-GCM.
    #[must_use]
    pub fn is_valid(self) -> bool {
        use EncryptionAlgorithm as E;
        use IntegrityAlgorithm as I;
        match self.integrity {
            I::HmacMd596 | I::HmacSha196 => {
                matches!(self.encryption, E::Null | E::AesCbc128 | E::DesEde3Cbc)
            }
            I::AesGmac => self.encryption == E::Null,
            I::Null => self.encryption == E::AesGcm,
            _ => false,
        }
    }

    /// Whether the pair uses an algorithm TS 33.203 has dropped (HMAC-MD5-96, DES-EDE3-CBC).
    #[must_use]
    pub fn deprecated(self) -> bool {
        self.integrity.deprecated() || self.encryption.deprecated()
    }
}

impl fmt::Display for AlgorithmPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alg={} ealg={}", self.integrity, self.encryption)
    }
}

/// The SPIs and protected ports one end puts in its tuples (TS 33.203 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpisAndPorts {
    /// `spi-c`: SPI of the inbound SA at the protected client port.
    pub spi_c: u32,
    /// `spi-s`: SPI of the inbound SA at the protected server port.
    pub spi_s: u32,
    /// `port-c`: the protected client port.
    pub port_c: u16,
    /// `port-s`: the protected server port.
    pub port_s: u16,
}

impl SpisAndPorts {
    /// The end of an SA set at `address` with these SPIs and ports.
    #[must_use]
    pub fn endpoint(self, address: core::net::IpAddr) -> esp_sa::Endpoint {
        esp_sa::Endpoint {
            address,
            port_c: self.port_c,
            port_s: self.port_s,
            spi_c: self.spi_c,
            spi_s: self.spi_s,
        }
    }
}

/// One `ipsec-3gpp` tuple we can run: ESP in transport mode (TS 33.203
/// §7.1; Annex M's UDP-encapsulated tunnel mode is not supported here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipsec3gpp {
    /// The algorithms.
    pub pair: AlgorithmPair,
    /// Whether `ealg` was (or is to be) written. A Rel-5 tuple has none;
    /// its meaning is NULL encryption either way.
    pub ealg_written: bool,
    /// The sender's SPIs and ports.
    pub spis_and_ports: SpisAndPorts,
    /// `q`, if any.
    pub q: Option<QValue>,
}

/// Why an `ipsec-3gpp` mechanism is not a tuple we can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TupleError {
    /// The mechanism is not `ipsec-3gpp`.
    #[error("not an ipsec-3gpp mechanism")]
    NotIpsec3gpp,
    /// A mandatory parameter is missing.
    #[error("ipsec-3gpp without {0}")]
    Missing(&'static str),
    /// An algorithm name esp-sa does not implement, or a pair Annex H cannot signal.
    #[error("algorithm not supported")]
    Algorithm,
    /// `prot` other than `esp`, or `mod` other than `trans`.
    #[error("only ESP in transport mode is supported")]
    Mode,
}

impl Ipsec3gpp {
    /// Reads a mechanism as a tuple; anything we cannot run is an error
    /// that says why (an offer's other tuples may still be usable).
    pub fn from_mechanism(mechanism: &Mechanism) -> Result<Self, TupleError> {
        if *mechanism.name() != MechanismName::Ipsec3gpp {
            return Err(TupleError::NotIpsec3gpp);
        }
        let integrity = match mechanism.alg() {
            Some(Algorithm::Known(a)) => a,
            Some(Algorithm::Other(_)) => return Err(TupleError::Algorithm),
            None => return Err(TupleError::Missing("alg")),
        };
        let (encryption, ealg_written) = match mechanism.ealg() {
            Some(Algorithm::Known(e)) => (e, true),
            Some(Algorithm::Other(_)) => return Err(TupleError::Algorithm),
            None => (EncryptionAlgorithm::Null, false),
        };
        let pair = AlgorithmPair::new(integrity, encryption);
        if !pair.is_valid() {
            return Err(TupleError::Algorithm);
        }
        if !matches!(mechanism.prot(), None | Some(Protocol::Esp))
            || !matches!(mechanism.mode(), None | Some(Mode::Transport))
        {
            return Err(TupleError::Mode);
        }
        Ok(Self {
            pair,
            ealg_written,
            spis_and_ports: SpisAndPorts {
                spi_c: mechanism.spi_c().ok_or(TupleError::Missing("spi-c"))?,
                spi_s: mechanism.spi_s().ok_or(TupleError::Missing("spi-s"))?,
                port_c: mechanism.port_c().ok_or(TupleError::Missing("port-c"))?,
                port_s: mechanism.port_s().ok_or(TupleError::Missing("port-s"))?,
            },
            q: mechanism.q(),
        })
    }

    /// The tuple as a mechanism: `ipsec-3gpp`, then `q` if any, `alg`,
    /// `ealg` if written, the SPIs and the ports (the order of TS 24.229's
    /// examples).
    #[must_use]
    pub fn to_mechanism(&self) -> Mechanism {
        let mut m = Mechanism::new(MechanismName::Ipsec3gpp);
        if let Some(q) = self.q {
            m = m.with(MechanismParam::Q(q));
        }
        m = m.with(MechanismParam::Alg(Algorithm::Known(self.pair.integrity)));
        if self.ealg_written {
            m = m.with(MechanismParam::Ealg(Algorithm::Known(self.pair.encryption)));
        }
        let sp = self.spis_and_ports;
        m.with(MechanismParam::SpiC(sp.spi_c))
            .with(MechanismParam::SpiS(sp.spi_s))
            .with(MechanismParam::PortC(sp.port_c))
            .with(MechanismParam::PortS(sp.port_s))
    }
}

/// The 3GPP release whose algorithm set a node follows (TS 33.203 §7.1 and
/// Annex H as amended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Release {
    /// Rel-5: integrity only, HMAC-SHA-1-96 or HMAC-MD5-96, no `ealg`.
    Rel5,
    /// Rel-6 to Rel-12: the Rel-5 pairs plus DES-EDE3-CBC and AES-CBC.
    Rel6,
    /// Rel-13 on: AES-GCM and AES-GMAC added; HMAC-MD5-96 and DES-EDE3-CBC
    /// removed; HMAC-SHA-1-96 and AES-CBC kept but not recommended.
    Rel13,
}

/// An ordered list of algorithm pairs: a node's preference, first is best
/// (seed 002: "a list of integrity and encryption algorithm combinations it
/// supports, ordered by priority").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlgorithmProfile {
    pairs: Vec<AlgorithmPair>,
}

impl AlgorithmProfile {
    /// A profile from pairs in order of preference; pairs Annex H cannot
    /// signal and repeats are dropped.
    #[must_use]
    pub fn new(pairs: impl IntoIterator<Item = AlgorithmPair>) -> Self {
        let mut kept: Vec<AlgorithmPair> = Vec::new();
        for pair in pairs {
            if pair.is_valid() && !kept.contains(&pair) {
                kept.push(pair);
            }
        }
        Self { pairs: kept }
    }

    /// What a node of `release` supports, strongest first. Encrypting pairs
    /// come before integrity-only ones (seed 002: "Release 6 algorithms must
    /// have higher priority than Release 5 algorithms"), so a Rel-6 or later
    /// list still ends with the integrity-only pairs a Rel-5 UE can use.
    #[must_use]
    pub fn for_release(release: Release) -> Self {
        use EncryptionAlgorithm as E;
        use IntegrityAlgorithm as I;
        let p = AlgorithmPair::new;
        Self::new(match release {
            Release::Rel5 => alloc::vec![p(I::HmacSha196, E::Null), p(I::HmacMd596, E::Null)],
            Release::Rel6 => alloc::vec![
                p(I::HmacSha196, E::AesCbc128),
                p(I::HmacMd596, E::AesCbc128),
                p(I::HmacSha196, E::DesEde3Cbc),
                p(I::HmacMd596, E::DesEde3Cbc),
                p(I::HmacSha196, E::Null),
                p(I::HmacMd596, E::Null),
            ],
            Release::Rel13 => alloc::vec![
                p(I::Null, E::AesGcm),
                p(I::HmacSha196, E::AesCbc128),
                p(I::AesGmac, E::Null),
                p(I::HmacSha196, E::Null),
            ],
        })
    }

    /// Every pair combining one of `integrity` with one of `encryption` that
    /// Annex H can signal, integrity-major (how UEs list their offer).
    #[must_use]
    pub fn combinations(
        integrity: &[IntegrityAlgorithm],
        encryption: &[EncryptionAlgorithm],
    ) -> Self {
        Self::new(
            integrity
                .iter()
                .flat_map(|i| encryption.iter().map(move |e| AlgorithmPair::new(*i, *e))),
        )
    }

    /// The same profile without the pairs that encrypt: what a P-CSCF that
    /// trusts the access network's encryption offers (seed 002).
    #[must_use]
    pub fn integrity_only(&self) -> Self {
        Self::new(self.pairs.iter().copied().filter(|p| !p.encrypts()))
    }

    /// The same profile without deprecated algorithms.
    #[must_use]
    pub fn without_deprecated(&self) -> Self {
        Self::new(self.pairs.iter().copied().filter(|p| !p.deprecated()))
    }

    /// The pairs, best first.
    #[must_use]
    pub fn pairs(&self) -> &[AlgorithmPair] {
        &self.pairs
    }

    /// Whether the profile holds `pair`.
    #[must_use]
    pub fn contains(&self, pair: AlgorithmPair) -> bool {
        self.pairs.contains(&pair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_profiles_put_encryption_first_and_rel5_pairs_last() {
        let rel6 = AlgorithmProfile::for_release(Release::Rel6);
        assert_eq!(rel6.pairs().len(), 6);
        assert!(rel6.pairs()[..4].iter().all(|p| p.encrypts()));
        assert!(rel6.pairs()[4..].iter().all(|p| !p.encrypts()));
        let rel13 = AlgorithmProfile::for_release(Release::Rel13);
        assert!(rel13.pairs().iter().all(|p| !p.deprecated()));
        assert_eq!(rel13.integrity_only().pairs().len(), 2);
    }

    #[test]
    fn only_annex_h_pairs_are_kept() {
        use EncryptionAlgorithm as E;
        use IntegrityAlgorithm as I;
        let all = AlgorithmProfile::combinations(I::ALL, E::ALL);
        for pair in all.pairs() {
            assert!(pair.is_valid());
        }
        assert!(!all.contains(AlgorithmPair::new(I::Null, E::Null)));
        assert!(!all.contains(AlgorithmPair::new(I::AesGmac, E::AesCbc128)));
        assert!(all.contains(AlgorithmPair::new(I::Null, E::AesGcm)));
    }
}
