//! The UE's side of the agreement (TS 33.203 §7.2, TS 24.229 §5.1.1).
//!
//! 1. [`UeAgreement::new`] builds the Security-Client: one `ipsec-3gpp`
//!    tuple per algorithm pair the UE supports, each with its SPIs and ports.
//! 2. [`UeAgreement::on_challenge`] takes the 401's Security-Server once the
//!    UE has verified AUTN and has CK and IK: it takes the most preferred
//!    tuple (highest `q`, then list order) whose pair the UE offered, checks
//!    the server's tuples against its own offer, and returns the temporary
//!    SA set to install.
//! 3. [`UeAgreement::write_protected`] adds to the protected REGISTER (and
//!    every later request) the same Security-Client and a Security-Verify
//!    that mirrors the Security-Server received.

use alloc::vec::Vec;
use core::net::IpAddr;
use core::time::Duration;

use esp_sa::{Role, SaSet, SaSetParams};
use ims_sec_core::Secret;

use crate::error::Error;
use crate::header::{MechanismList, SecurityHeader};
use crate::lifecycle::SaOptions;
use crate::message::Headers;
use crate::options;
use crate::tuple::{AlgorithmPair, AlgorithmProfile, Ipsec3gpp, SpisAndPorts};

/// What the UE chose from the 401, and the SAs to install before it sends
/// the protected REGISTER.
#[derive(Debug, Clone)]
pub struct UeChallenge {
    /// The P-CSCF tuple the UE took.
    pub chosen: Ipsec3gpp,
    /// The temporary SA set (lifetime reg-await-auth).
    pub sa_set: SaSet,
}

#[derive(Debug, Clone)]
enum State {
    Offered,
    Chosen {
        server: MechanismList,
        chosen: Ipsec3gpp,
    },
}

/// One registration's agreement at the UE.
#[derive(Debug, Clone)]
pub struct UeAgreement {
    profile: AlgorithmProfile,
    own: SpisAndPorts,
    client: MechanismList,
    state: State,
}

impl UeAgreement {
    /// An offer of every pair in `profile`, with the UE's SPIs (drawn from
    /// its SA database, at least 256 and distinct) and protected ports.
    /// `ealg` is written in every tuple unless the profile has no
    /// encrypting pair at all (a Rel-5 UE, which knows no `ealg`).
    pub fn new(profile: AlgorithmProfile, own: SpisAndPorts) -> Result<Self, Error> {
        if profile.pairs().is_empty() {
            return Err(Error::NoCommonAlgorithm);
        }
        if own.spi_c == own.spi_s
            || own.spi_c < esp_sa::sad::MIN_SPI
            || own.spi_s < esp_sa::sad::MIN_SPI
        {
            return Err(Error::SpiClash);
        }
        if own.port_c == 0 || own.port_s == 0 || own.port_c == own.port_s {
            return Err(Error::Port);
        }
        let rel6 = profile.pairs().iter().any(|p| p.encrypts());
        let client = MechanismList::new(
            profile
                .pairs()
                .iter()
                .map(|pair| {
                    Ipsec3gpp {
                        pair: *pair,
                        ealg_written: rel6 || pair.integrity == esp_sa::IntegrityAlgorithm::AesGmac,
                        spis_and_ports: own,
                        q: None,
                    }
                    .to_mechanism()
                })
                .collect(),
        );
        Ok(Self {
            profile,
            own,
            client,
            state: State::Offered,
        })
    }

    /// The Security-Client list (the same in SM1 and SM7).
    #[must_use]
    pub fn security_client(&self) -> &MechanismList {
        &self.client
    }

    /// The UE's SPIs and ports.
    #[must_use]
    pub fn own(&self) -> SpisAndPorts {
        self.own
    }

    /// Adds Security-Client and the `sec-agree` option tags to the first,
    /// unprotected REGISTER (SM1).
    pub fn write_register(&self, headers: &mut Headers) {
        self.client.write_to(headers, SecurityHeader::Client);
        options::add_sec_agree(headers);
    }

    /// Adds to a re-REGISTER sent through the SAs of the registration in
    /// force (`registered`): this agreement's new Security-Client, the
    /// Security-Verify of the last successful authentication and the
    /// `sec-agree` option tags (TS 24.229 §5.1.1.4.2).
    pub fn write_reregister(
        &self,
        registered: &UeAgreement,
        headers: &mut Headers,
    ) -> Result<(), Error> {
        let State::Chosen { server, .. } = &registered.state else {
            return Err(Error::State(
                "the registration in force has no Security-Server",
            ));
        };
        self.client.write_to(headers, SecurityHeader::Client);
        server.write_to(headers, SecurityHeader::Verify);
        options::add_sec_agree(headers);
        Ok(())
    }

    /// SM6: the 401's headers, after AUTN was verified and CK and IK
    /// computed. The UE takes the most preferred tuple it offered and
    /// refuses a Security-Server that contradicts its offer: no usable
    /// tuple, tuples with different SPIs or ports, SPIs equal to its own.
    /// On error nothing changes (TS 24.229 §5.1.1.5.1: abandon and start
    /// again with a new REGISTER). A second call is an error: a new
    /// challenge needs a new agreement with new SPIs.
    pub fn on_challenge(
        &mut self,
        headers: &Headers,
        ck: &Secret<16>,
        ik: &Secret<16>,
        addresses: (IpAddr, IpAddr),
        sa: &SaOptions,
        now: Duration,
    ) -> Result<UeChallenge, Error> {
        // One Security-Client, one temporary set: a further challenge is
        // answered by a new REGISTER with new spi-c, spi-s and port-c
        // (TS 24.229 §5.1.1.5.1, §5.1.1.5.3), i.e. a new agreement. Taking
        // a second Security-Server here would build a second set on the
        // same inbound SPIs and change the list Security-Verify mirrors.
        if !matches!(self.state, State::Offered) {
            return Err(Error::State("a Security-Server was already taken"));
        }
        let (ue_address, pcscf_address) = addresses;
        let server = MechanismList::from_headers(headers, SecurityHeader::Server)?
            .ok_or(Error::NoSecurityServer)?;
        let chosen = self.choose(&server)?;
        let params = SaSetParams {
            role: Role::Ue,
            ue: self.own.endpoint(ue_address),
            pcscf: chosen.spis_and_ports.endpoint(pcscf_address),
            replay_window: sa.replay_window,
            lifetime: sa.temporary_lifetime(),
        };
        let sa_set = SaSet::from_ims_keys(
            &params,
            chosen.pair.integrity,
            chosen.pair.encryption,
            ck,
            ik,
            now,
        )?;
        self.state = State::Chosen { server, chosen };
        Ok(UeChallenge { chosen, sa_set })
    }

    /// The tuple the UE takes from a Security-Server list.
    fn choose(&self, server: &MechanismList) -> Result<Ipsec3gpp, Error> {
        let tuples: Vec<Ipsec3gpp> = server
            .mechanisms()
            .iter()
            .filter_map(|m| Ipsec3gpp::from_mechanism(m).ok())
            .collect();
        let first = tuples.first().ok_or(Error::NoSecurityServer)?;
        let pcscf = first.spis_and_ports;
        if tuples.iter().any(|t| t.spis_and_ports != pcscf) {
            return Err(Error::InconsistentTuples);
        }
        let spis = [self.own.spi_c, self.own.spi_s, pcscf.spi_c, pcscf.spi_s];
        if pcscf.spi_c == pcscf.spi_s
            || spis[2..]
                .iter()
                .any(|s| *s < esp_sa::sad::MIN_SPI || spis[..2].contains(s))
        {
            return Err(Error::SpiClash);
        }
        if pcscf.port_c == 0 || pcscf.port_s == 0 {
            return Err(Error::Port);
        }
        // RFC 3329 §2.3.1: the highest q among the mechanisms the client
        // knows; the list order breaks ties (and orders tuples without q).
        let mut best: Option<&Ipsec3gpp> = None;
        for tuple in tuples.iter().filter(|t| self.profile.contains(t.pair)) {
            if best.is_none_or(|b| tuple.q > b.q) {
                best = Some(tuple);
            }
        }
        best.copied().ok_or(Error::NoCommonAlgorithm)
    }

    /// The pair the UE chose, once it has.
    #[must_use]
    pub fn chosen(&self) -> Option<AlgorithmPair> {
        match &self.state {
            State::Chosen { chosen, .. } => Some(chosen.pair),
            State::Offered => None,
        }
    }

    /// Adds to a request sent through the agreed SAs (SM7 and every later
    /// request): the Security-Client of SM1, a Security-Verify mirroring the
    /// Security-Server received, and the `sec-agree` option tags
    /// (TS 24.229 §5.1.1.5.1, RFC 3329 §2.3.1).
    pub fn write_protected(&self, headers: &mut Headers) -> Result<(), Error> {
        let State::Chosen { server, .. } = &self.state else {
            return Err(Error::State("no Security-Server received yet"));
        };
        self.client.write_to(headers, SecurityHeader::Client);
        server.write_to(headers, SecurityHeader::Verify);
        options::add_sec_agree(headers);
        Ok(())
    }
}
