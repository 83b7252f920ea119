//! The security association database of one UE or P-CSCF (RFC 4301 §4.4.2,
//! TS 33.203 §7.1).
//!
//! Inbound SAs are found by SPI (the SPIs are ours: [`SaDatabase::allocate_spi`]
//! keeps them unique) and then checked against their selector; outbound SAs
//! are found by selector. A selector is a pair of addresses and ports and
//! matches any upper-layer protocol: the one SA pair of a UE carries its
//! REGISTER over TCP and its MESSAGE over UDP alike.
//!
//! [`SaSet`] is the four SAs of one UE–P-CSCF pair. Nothing here runs a
//! timer: [`SaDatabase::expire`] takes `now` and says what reached its soft
//! or hard lifetime.

use alloc::collections::{btree_map, BTreeMap};
use alloc::vec::Vec;
use core::net::IpAddr;
use core::time::Duration;

use ims_sec_core::Secret;
use rand_core::CryptoRngCore;

use crate::algorithm::{EncryptionAlgorithm, IntegrityAlgorithm};
use crate::ip;
use crate::lifetime::{Lifetime, LifetimeState};
use crate::replay::ReplayWindow;
use crate::sa::{Decapsulated, InboundSa, OutboundSa};
use crate::transform::Transform;
use crate::Error;

/// SPIs below this are reserved (RFC 4303 §2.1: 1–255 by IANA, 0 local).
pub const MIN_SPI: u32 = 256;
/// How many random draws [`SaDatabase::allocate_spi`] makes before giving up.
const SPI_ATTEMPTS: usize = 64;

/// The traffic an SA carries: from one address and port to another, any
/// upper-layer protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Selector {
    /// Source address.
    pub source: IpAddr,
    /// Source port.
    pub source_port: u16,
    /// Destination address.
    pub destination: IpAddr,
    /// Destination port.
    pub destination_port: u16,
}

impl core::fmt::Display for Selector {
    /// `10.0.0.1:5060 -> 10.0.0.2:5062`, IPv6 addresses in brackets.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let end = |f: &mut core::fmt::Formatter<'_>, a: &IpAddr, p: u16| match a {
            IpAddr::V4(a) => write!(f, "{a}:{p}"),
            IpAddr::V6(a) => write!(f, "[{a}]:{p}"),
        };
        end(f, &self.source, self.source_port)?;
        f.write_str(" -> ")?;
        end(f, &self.destination, self.destination_port)
    }
}

/// Which SA an [`Expiry`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaRef {
    /// The inbound SA with this SPI.
    Inbound(u32),
    /// The outbound SA for this selector.
    Outbound(Selector),
}

impl core::fmt::Display for SaRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Inbound(spi) => write!(f, "inbound SA {spi:#010x}"),
            Self::Outbound(selector) => write!(f, "outbound SA {selector}"),
        }
    }
}

/// An SA that reached a lifetime limit ([`SaDatabase::expire`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Expiry {
    /// The SA.
    pub sa: SaRef,
    /// [`LifetimeState::Soft`]: replace it (reported once);
    /// [`LifetimeState::Hard`]: it has been removed.
    pub state: LifetimeState,
}

/// What [`SaDatabase::unprotect`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unprotected {
    /// The SPI of the SA that accepted the packet.
    pub spi: u32,
    /// The packet's sequence number, next header and payload range.
    pub decapsulated: Decapsulated,
}

#[derive(Debug, Clone)]
struct Inbound {
    selector: Selector,
    sa: InboundSa,
    soft_reported: bool,
}

#[derive(Debug, Clone)]
struct Outbound {
    sa: OutboundSa,
    soft_reported: bool,
}

/// The SAs of one node.
#[derive(Debug, Clone, Default)]
pub struct SaDatabase {
    inbound: BTreeMap<u32, Inbound>,
    outbound: BTreeMap<Selector, Outbound>,
    /// Outbound SAs of a newer set whose selector an older set still sends
    /// on (a re-registration keeps the UE's protected server port and the
    /// P-CSCF's ports, TS 33.203 §7.4): kept until
    /// [`SaDatabase::use_set_for_sending`] or the older set's removal.
    standby: Vec<(Selector, Outbound)>,
}

impl SaDatabase {
    /// An empty database.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of inbound and outbound SAs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inbound.len() + self.outbound.len() + self.standby.len()
    }

    /// Whether there is no SA.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Draws an SPI for a new inbound SA from `rng`: at least [`MIN_SPI`],
    /// not used by an inbound SA here and not in `exclude` (the P-CSCF
    /// passes the UE's SPIs and the ones it has drawn but not installed yet:
    /// TS 33.203 §7.1 wants them unique and different from the UE's).
    pub fn allocate_spi(
        &self,
        rng: &mut impl CryptoRngCore,
        exclude: &[u32],
    ) -> Result<u32, Error> {
        (0..SPI_ATTEMPTS)
            .map(|_| rng.next_u32())
            .find(|spi| {
                *spi >= MIN_SPI && !self.inbound.contains_key(spi) && !exclude.contains(spi)
            })
            .ok_or(Error::NoFreeSpi)
    }

    /// Installs an inbound SA for the traffic `selector` describes. Refused
    /// if the SPI is reserved or already in use.
    pub fn insert_inbound(&mut self, selector: Selector, sa: InboundSa) -> Result<(), Error> {
        let spi = sa.spi();
        if spi < MIN_SPI {
            return Err(Error::Parameter("SPIs below 256 are reserved"));
        }
        if self.inbound.contains_key(&spi) {
            return Err(Error::SpiInUse { spi });
        }
        self.inbound.insert(
            spi,
            Inbound {
                selector,
                sa,
                soft_reported: false,
            },
        );
        Ok(())
    }

    /// Installs the outbound SA for `selector`. Refused if the selector has
    /// one already.
    pub fn insert_outbound(&mut self, selector: Selector, sa: OutboundSa) -> Result<(), Error> {
        if self.outbound.contains_key(&selector) {
            return Err(Error::SelectorInUse);
        }
        self.outbound.insert(
            selector,
            Outbound {
                sa,
                soft_reported: false,
            },
        );
        Ok(())
    }

    /// Removes the inbound SA with `spi`.
    pub fn remove_inbound(&mut self, spi: u32) -> Option<InboundSa> {
        self.inbound.remove(&spi).map(|e| e.sa)
    }

    /// Removes the outbound SA for `selector`.
    pub fn remove_outbound(&mut self, selector: &Selector) -> Option<OutboundSa> {
        let removed = self.outbound.remove(selector).map(|e| e.sa);
        self.promote_standby();
        removed
    }

    /// The inbound SA with `spi`.
    #[must_use]
    pub fn inbound(&self, spi: u32) -> Option<&InboundSa> {
        self.inbound.get(&spi).map(|e| &e.sa)
    }

    /// The inbound SA with `spi`, for processing packets.
    pub fn inbound_mut(&mut self, spi: u32) -> Option<&mut InboundSa> {
        self.inbound.get_mut(&spi).map(|e| &mut e.sa)
    }

    /// The selector of the inbound SA with `spi`.
    #[must_use]
    pub fn inbound_selector(&self, spi: u32) -> Option<&Selector> {
        self.inbound.get(&spi).map(|e| &e.selector)
    }

    /// The outbound SA for `selector`.
    #[must_use]
    pub fn outbound(&self, selector: &Selector) -> Option<&OutboundSa> {
        self.outbound.get(selector).map(|e| &e.sa)
    }

    /// The outbound SA for `selector`, for processing packets.
    pub fn outbound_mut(&mut self, selector: &Selector) -> Option<&mut OutboundSa> {
        self.outbound.get_mut(selector).map(|e| &mut e.sa)
    }

    /// Protects a whole IPv4 or IPv6 packet with the outbound SA its
    /// addresses and ports select ([`ip::protect`]). [`Error::NoSa`] if none
    /// does: the caller must not send the packet in clear.
    pub fn protect(
        &mut self,
        packet: &mut Vec<u8>,
        rng: &mut impl CryptoRngCore,
        now: Duration,
    ) -> Result<(), Error> {
        let selector = outbound_selector(packet)?;
        let entry = self.outbound.get_mut(&selector).ok_or(Error::NoSa)?;
        ip::protect(&mut entry.sa, packet, rng, now)
    }

    /// Checks and removes the ESP of a whole IPv4 or IPv6 packet with the
    /// inbound SA its SPI names, then checks the decrypted packet against
    /// that SA's selector (addresses and ports, any protocol) before the SA
    /// records it. On error nothing has changed and the packet must be
    /// dropped.
    pub fn unprotect(&mut self, packet: &mut Vec<u8>, now: Duration) -> Result<Unprotected, Error> {
        let header = ip::header(packet)?;
        if header.protocol != ip::PROTOCOL_ESP {
            return Err(Error::IpHeader);
        }
        let spi = packet
            .get(header.len..)
            .and_then(|esp| esp.first_chunk::<4>())
            .map(|spi| u32::from_be_bytes(*spi))
            .ok_or(Error::Length {
                got: packet.len().saturating_sub(header.len),
            })?;
        let entry = self.inbound.get_mut(&spi).ok_or(Error::Spi { got: spi })?;
        let selector = entry.selector;
        let decapsulated = ip::unprotect_checked(&mut entry.sa, packet, now, |_, payload| {
            match ip::ports(payload) {
                Some((source_port, destination_port))
                    if selector
                        == (Selector {
                            source: header.source,
                            source_port,
                            destination: header.destination,
                            destination_port,
                        }) =>
                {
                    Ok(())
                }
                _ => Err(Error::Selector),
            }
        })?;
        Ok(Unprotected { spi, decapsulated })
    }

    /// Reports every SA that has reached a lifetime limit at `now`: soft
    /// once per SA, hard after removing the SA.
    pub fn expire(&mut self, now: Duration) -> Vec<Expiry> {
        let mut out = Vec::new();
        self.inbound.retain(|&spi, e| {
            keep(
                e.sa.lifetime_state(now),
                &mut e.soft_reported,
                SaRef::Inbound(spi),
                &mut out,
            )
        });
        self.outbound.retain(|&selector, e| {
            keep(
                e.sa.lifetime_state(now),
                &mut e.soft_reported,
                SaRef::Outbound(selector),
                &mut out,
            )
        });
        self.standby.retain_mut(|(selector, e)| {
            keep(
                e.sa.lifetime_state(now),
                &mut e.soft_reported,
                SaRef::Outbound(*selector),
                &mut out,
            )
        });
        self.promote_standby();
        out
    }

    /// Makes a standby SA active for every selector left without one.
    fn promote_standby(&mut self) {
        let mut i = 0;
        while let Some((selector, _)) = self.standby.get(i) {
            if self.outbound.contains_key(selector) {
                i += 1;
            } else {
                let (selector, entry) = self.standby.remove(i);
                self.outbound.insert(selector, entry);
            }
        }
    }

    /// The outbound SA of a set: active or on standby.
    fn set_outbound_mut(&mut self, selector: &Selector, spi: u32) -> Option<&mut Outbound> {
        match self.outbound.get_mut(selector) {
            Some(e) if e.sa.spi() == spi => Some(e),
            _ => self
                .standby
                .iter_mut()
                .find(|(s, e)| s == selector && e.sa.spi() == spi)
                .map(|(_, e)| e),
        }
    }

    /// Sends through the set's outbound SAs from now on, where an older set
    /// shares their selectors (the older SAs go on standby until removed).
    /// Returns how many of the set's outbound SAs are now active.
    pub fn use_set_for_sending(&mut self, handle: &SaSetHandle) -> usize {
        let mut active = 0;
        for (selector, spi) in handle.outbound.iter().zip(handle.outbound_spis) {
            if self
                .outbound
                .get(selector)
                .is_some_and(|e| e.sa.spi() == spi)
            {
                active += 1;
                continue;
            }
            let Some(i) = self
                .standby
                .iter()
                .position(|(s, e)| s == selector && e.sa.spi() == spi)
            else {
                continue;
            };
            let (selector, entry) = self.standby.remove(i);
            if let Some(older) = self.outbound.insert(selector, entry) {
                self.standby.push((selector, older));
            }
            active += 1;
        }
        active
    }

    /// Replaces the lifetime limits of one SA (see
    /// [`OutboundSa::set_lifetime`]); a soft limit it reaches again is
    /// reported again. Returns whether the SA exists.
    pub fn set_lifetime(&mut self, sa: &SaRef, lifetime: Lifetime) -> bool {
        match sa {
            SaRef::Inbound(spi) => self.inbound.get_mut(spi).map(|e| {
                e.sa.set_lifetime(lifetime);
                e.soft_reported = false;
            }),
            SaRef::Outbound(selector) => self.outbound.get_mut(selector).map(|e| {
                e.sa.set_lifetime(lifetime);
                e.soft_reported = false;
            }),
        }
        .is_some()
    }

    /// Replaces the lifetime limits of the SAs of a set; returns how many
    /// were still there.
    pub fn set_set_lifetime(&mut self, handle: &SaSetHandle, lifetime: Lifetime) -> usize {
        let inbound = handle
            .inbound
            .map(SaRef::Inbound)
            .iter()
            .filter(|sa| self.set_lifetime(sa, lifetime))
            .count();
        let outbound = handle
            .outbound
            .iter()
            .zip(handle.outbound_spis)
            .filter(|(selector, spi)| {
                self.set_outbound_mut(selector, *spi)
                    .map(|e| {
                        e.sa.set_lifetime(lifetime);
                        e.soft_reported = false;
                    })
                    .is_some()
            })
            .count();
        inbound + outbound
    }

    /// Installs the four SAs of a set, all or none. Where an installed set
    /// already sends on one of its outbound selectors (a re-registration),
    /// the new outbound SA waits on standby until
    /// [`SaDatabase::use_set_for_sending`] or the older set's removal.
    pub fn insert_set(&mut self, set: SaSet) -> Result<SaSetHandle, Error> {
        let handle = set.handle();
        let [a, b] = &handle.inbound;
        if a == b {
            return Err(Error::SpiInUse { spi: *a });
        }
        for spi in handle.inbound {
            if spi < MIN_SPI {
                return Err(Error::Parameter("SPIs below 256 are reserved"));
            }
            if self.inbound.contains_key(&spi) {
                return Err(Error::SpiInUse { spi });
            }
        }
        let [c, d] = &handle.outbound;
        if c == d
            || handle
                .outbound
                .iter()
                .zip(handle.outbound_spis)
                .any(|(s, spi)| self.set_outbound_mut(s, spi).is_some())
        {
            return Err(Error::SelectorInUse);
        }
        for (selector, sa) in set.inbound {
            self.insert_inbound(selector, sa)?;
        }
        for (selector, sa) in set.outbound {
            let entry = Outbound {
                sa,
                soft_reported: false,
            };
            match self.outbound.entry(selector) {
                btree_map::Entry::Occupied(_) => self.standby.push((selector, entry)),
                btree_map::Entry::Vacant(slot) => {
                    slot.insert(entry);
                }
            }
        }
        Ok(handle)
    }

    /// Removes the SAs of a set; returns how many were still there.
    pub fn remove_set(&mut self, handle: &SaSetHandle) -> usize {
        let inbound = handle
            .inbound
            .iter()
            .filter(|spi| self.remove_inbound(**spi).is_some())
            .count();
        let mut outbound = 0;
        for (selector, spi) in handle.outbound.iter().zip(handle.outbound_spis) {
            if self
                .outbound
                .get(selector)
                .is_some_and(|e| e.sa.spi() == spi)
            {
                self.outbound.remove(selector);
                outbound += 1;
            } else if let Some(i) = self
                .standby
                .iter()
                .position(|(s, e)| s == selector && e.sa.spi() == spi)
            {
                self.standby.remove(i);
                outbound += 1;
            }
        }
        self.promote_standby();
        inbound + outbound
    }
}

/// The retain decision of [`SaDatabase::expire`] for one SA.
fn keep(state: LifetimeState, soft_reported: &mut bool, sa: SaRef, out: &mut Vec<Expiry>) -> bool {
    match state {
        LifetimeState::Live => true,
        LifetimeState::Soft => {
            if !*soft_reported {
                *soft_reported = true;
                out.push(Expiry { sa, state });
            }
            true
        }
        LifetimeState::Hard => {
            out.push(Expiry { sa, state });
            false
        }
    }
}

/// The selector of an outgoing IP packet: its addresses and the ports of its
/// upper-layer header.
fn outbound_selector(packet: &[u8]) -> Result<Selector, Error> {
    let header = ip::header(packet)?;
    let (source_port, destination_port) = packet
        .get(header.len..)
        .and_then(ip::ports)
        .ok_or(Error::Selector)?;
    Ok(Selector {
        source: header.source,
        source_port,
        destination: header.destination,
        destination_port,
    })
}

/// Which end of the UE–P-CSCF link this node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The UE.
    Ue,
    /// The P-CSCF.
    Pcscf,
}

/// One end of a UE–P-CSCF security association set: its address, its
/// protected client and server ports and the SPIs it chose for its inbound
/// SAs (TS 33.203 §7.1: `port-c`, `port-s`, `spi-c`, `spi-s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// IP address.
    pub address: IpAddr,
    /// Protected client port (`port-c`): requests leave from it.
    pub port_c: u16,
    /// Protected server port (`port-s`): requests arrive on it.
    pub port_s: u16,
    /// SPI of the inbound SA to `port_c` (`spi-c`).
    pub spi_c: u32,
    /// SPI of the inbound SA to `port_s` (`spi-s`).
    pub spi_s: u32,
}

/// What identifies the SAs of an installed [`SaSet`], to remove them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SaSetHandle {
    /// The SPIs of the two inbound SAs.
    pub inbound: [u32; 2],
    /// The selectors of the two outbound SAs.
    pub outbound: [Selector; 2],
    /// The SPIs of the two outbound SAs (the peer's), in the same order.
    pub outbound_spis: [u32; 2],
}

/// The four SAs between a UE and its P-CSCF, seen from one of them
/// (TS 33.203 §7.1), with the node's own SPIs for the inbound ones:
///
/// | traffic | SPI |
/// |---|---|
/// | UE `port_c` → P-CSCF `port_s` | P-CSCF `spi_s` |
/// | P-CSCF `port_s` → UE `port_c` | UE `spi_c` |
/// | P-CSCF `port_c` → UE `port_s` | UE `spi_s` |
/// | UE `port_s` → P-CSCF `port_c` | P-CSCF `spi_c` |
#[derive(Debug, Clone)]
pub struct SaSet {
    inbound: [(Selector, InboundSa); 2],
    outbound: [(Selector, OutboundSa); 2],
}

/// How to build an [`SaSet`]: the two ends, the algorithms and the SA
/// parameters that are not negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaSetParams {
    /// Which end this node is.
    pub role: Role,
    /// The UE's end.
    pub ue: Endpoint,
    /// The P-CSCF's end.
    pub pcscf: Endpoint,
    /// Anti-replay window size (TS 33.203 sets none; 64 is RFC 4303's default).
    pub replay_window: u32,
    /// Lifetime of every SA of the set (TS 33.203 §7.4: the registration's).
    pub lifetime: Lifetime,
}

impl SaSet {
    /// The four SAs, each with its own copy of `transform` (the same keys
    /// serve all four, TS 33.203 §7.1). Refused unless the transform
    /// authenticates and the four SPIs differ.
    pub fn new(params: &SaSetParams, transform: &Transform, now: Duration) -> Result<Self, Error> {
        if !transform.authenticates() {
            return Err(Error::Parameter("the SAs of TS 33.203 always authenticate"));
        }
        let spis = [
            params.ue.spi_c,
            params.ue.spi_s,
            params.pcscf.spi_c,
            params.pcscf.spi_s,
        ];
        if spis
            .iter()
            .enumerate()
            .any(|(i, spi)| spis.iter().skip(i + 1).any(|other| other == spi))
        {
            // TS 33.203 §7.1; GCM/GMAC nonces rely on it too (see OutboundSa::encapsulate).
            return Err(Error::Parameter("the four SPIs of a set must differ"));
        }
        let (me, peer) = match params.role {
            Role::Ue => (&params.ue, &params.pcscf),
            Role::Pcscf => (&params.pcscf, &params.ue),
        };
        let selector = |from: &Endpoint, from_port, to: &Endpoint, to_port| Selector {
            source: from.address,
            source_port: from_port,
            destination: to.address,
            destination_port: to_port,
        };
        let inbound = |spi| -> Result<InboundSa, Error> {
            Ok(InboundSa::new(
                spi,
                transform.clone(),
                ReplayWindow::new(params.replay_window, false)?,
            )
            .with_lifetime(params.lifetime, now))
        };
        let outbound = |spi| {
            OutboundSa::new(spi, transform.clone(), false).with_lifetime(params.lifetime, now)
        };
        Ok(Self {
            inbound: [
                // The peer's requests to my server port, its responses to my client port.
                (
                    selector(peer, peer.port_c, me, me.port_s),
                    inbound(me.spi_s)?,
                ),
                (
                    selector(peer, peer.port_s, me, me.port_c),
                    inbound(me.spi_c)?,
                ),
            ],
            outbound: [
                (
                    selector(me, me.port_c, peer, peer.port_s),
                    outbound(peer.spi_s),
                ),
                (
                    selector(me, me.port_s, peer, peer.port_c),
                    outbound(peer.spi_c),
                ),
            ],
        })
    }

    /// The four SAs keyed from the IMS AKA keys (TS 33.203 Annex I).
    pub fn from_ims_keys(
        params: &SaSetParams,
        integrity: IntegrityAlgorithm,
        encryption: EncryptionAlgorithm,
        ck_im: &Secret<16>,
        ik_im: &Secret<16>,
        now: Duration,
    ) -> Result<Self, Error> {
        let transform = Transform::from_ims_keys(integrity, encryption, ck_im, ik_im)?;
        Self::new(params, &transform, now)
    }

    /// The inbound SAs with their selectors.
    #[must_use]
    pub fn inbound(&self) -> &[(Selector, InboundSa); 2] {
        &self.inbound
    }

    /// The outbound SAs with their selectors.
    #[must_use]
    pub fn outbound(&self) -> &[(Selector, OutboundSa); 2] {
        &self.outbound
    }

    /// What identifies the set once installed.
    #[must_use]
    pub fn handle(&self) -> SaSetHandle {
        let [(_, a), (_, b)] = &self.inbound;
        let [(c, e), (d, f)] = &self.outbound;
        SaSetHandle {
            inbound: [a.spi(), b.spi()],
            outbound: [*c, *d],
            outbound_spis: [e.spi(), f.spi()],
        }
    }
}
