//! The P-CSCF's side of the agreement (seed 002's SM1 → SM6 → SM7,
//! TS 33.203 §7.2, TS 24.229 §5.2.2).
//!
//! 1. [`PcscfAgreement::on_register`] takes the unprotected REGISTER (SM1):
//!    it checks the `sec-agree` option tags (or says which of 421, 494 or
//!    502 to answer) and keeps the UE's Security-Client.
//! 2. [`PcscfAgreement::on_challenge`] takes CK and IK from the S-CSCF's 401
//!    (SM4): it chooses the first pair on the P-CSCF's list that the UE
//!    offered, draws the P-CSCF's SPIs and returns the Security-Server to add
//!    to the 401 (SM6) and the temporary SA set to install.
//! 3. [`PcscfAgreement::on_protected_register`] takes the REGISTER that
//!    arrived through those SAs (SM7) and checks that Security-Verify is the
//!    Security-Server sent and Security-Client the one of SM1; otherwise the
//!    registration is aborted.

use alloc::vec::Vec;
use core::net::IpAddr;
use core::time::Duration;

use esp_sa::{Role, SaDatabase, SaSet, SaSetParams, Selector};
use ims_sec_core::Secret;
use rand_core::CryptoRngCore;

use crate::error::Error;
use crate::header::{MechanismList, QValue, SecurityHeader};
use crate::lifecycle::SaOptions;
use crate::message::Headers;
use crate::options::{self, FirstHopCheck, SEC_AGREE};
use crate::tuple::{AlgorithmPair, AlgorithmProfile, Ipsec3gpp, Release, SpisAndPorts};

/// A P-CSCF's configuration for the agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcscfPolicy {
    /// The algorithm pairs it accepts, best first; Security-Server lists
    /// them all, in this order, with decreasing `q`.
    pub profile: AlgorithmProfile,
    /// Its address on the Gm link.
    pub address: IpAddr,
    /// Its protected client port (`port-c`).
    pub port_c: u16,
    /// Its protected server port (`port-s`).
    pub port_s: u16,
    /// SA parameters.
    pub sa: SaOptions,
}

impl PcscfPolicy {
    /// The policy of a P-CSCF of `release`: that release's pairs, including
    /// the integrity-only ones a Rel-5 UE needs.
    #[must_use]
    pub fn new(release: Release, address: IpAddr, port_c: u16, port_s: u16) -> Self {
        Self {
            profile: AlgorithmProfile::for_release(release),
            address,
            port_c,
            port_s,
            sa: SaOptions::default(),
        }
    }

    /// The same policy for a P-CSCF configured to trust the access network's
    /// encryption: it offers no `ealg` (seed 002, NOTE to SM6).
    #[must_use]
    pub fn trusting_access_network_encryption(mut self) -> Self {
        self.profile = self.profile.integrity_only();
        self
    }

    /// The Security-Server list: every pair of the profile in order, each
    /// with the P-CSCF's SPIs and ports and a distinct, decreasing `q`
    /// (RFC 3329 §2.2). Integrity-only HMAC pairs are written without `ealg`,
    /// the form a Rel-5 UE understands and a Rel-6 UE reads as NULL.
    #[must_use]
    pub fn security_server(&self, spis_and_ports: SpisAndPorts) -> MechanismList {
        let n = self.profile.pairs().len();
        let mechanisms = self
            .profile
            .pairs()
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                Ipsec3gpp {
                    pair: *pair,
                    ealg_written: writes_ealg(*pair),
                    spis_and_ports,
                    q: QValue::from_thousandths(preference(i, n)),
                }
                .to_mechanism()
            })
            .collect();
        MechanismList::new(mechanisms)
    }
}

/// Whether a P-CSCF writes `ealg` for `pair`: always when it encrypts or
/// when `alg` alone would mislead (AES-GMAC); not for an HMAC with NULL.
fn writes_ealg(pair: AlgorithmPair) -> bool {
    pair.encrypts() || pair.integrity == esp_sa::IntegrityAlgorithm::AesGmac
}

/// Distinct decreasing q-values in thousandths: 0.9, 0.8, … for up to nine
/// entries, evenly spread below 1 for more.
fn preference(index: usize, count: usize) -> u16 {
    let q = if count <= 9 {
        900usize.saturating_sub(100 * index)
    } else {
        count.saturating_sub(index) * 1000 / (count + 1)
    };
    q.min(1000) as u16
}

/// What the P-CSCF must answer instead of going on with the agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub reason: Error,
    /// The status line of the response.
    pub status_line: &'static str,
    /// Headers to add to it: Security-Server (without SPIs, since no SAs
    /// are set up) and `Require: sec-agree` for 421 and 494 (RFC 3329 §2.3.2).
    pub headers: Headers,
}

/// What to add to the S-CSCF's 401 and what to install before sending it.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// The pair the P-CSCF chose.
    pub chosen: AlgorithmPair,
    /// The P-CSCF's SPIs and ports.
    pub pcscf: SpisAndPorts,
    /// The Security-Server list to add to the 401 ([`Challenge::write_to`]).
    pub security_server: MechanismList,
    /// The temporary SA set, to install in the SA database before the 401
    /// leaves (its lifetime is reg-await-auth).
    pub sa_set: SaSet,
}

impl Challenge {
    /// Adds Security-Server to the 401's headers.
    pub fn write_to(&self, headers: &mut Headers) {
        self.security_server
            .write_to(headers, SecurityHeader::Server);
    }
}

#[derive(Debug, Clone)]
enum State {
    /// SM1 received; waiting for the S-CSCF's 401.
    AwaitingChallenge,
    /// SM6 sent; waiting for the protected REGISTER.
    Challenged {
        server: MechanismList,
        /// `spi-s`: the inbound SA at the protected server port, the only
        /// one that carries the UE's requests (TS 33.203 §7.1).
        request_spi: u32,
    },
    /// SM7 checked: the lists matched.
    Verified { server: MechanismList },
    /// SM7's lists did not match.
    Aborted,
}

/// One registration's agreement at the P-CSCF.
#[derive(Debug, Clone)]
pub struct PcscfAgreement {
    ue_address: IpAddr,
    client: MechanismList,
    offered: Vec<Ipsec3gpp>,
    ue: SpisAndPorts,
    state: State,
}

impl PcscfAgreement {
    /// SM1: an unprotected REGISTER from `ue_address` (the packet's source
    /// address). Refused with the response RFC 3329 §2.3.2 prescribes when
    /// `sec-agree` is not required or there is more than one Via, and with
    /// 494 when Security-Client has no usable `ipsec-3gpp` tuple.
    pub fn on_register(
        policy: &PcscfPolicy,
        headers: &Headers,
        ue_address: IpAddr,
    ) -> Result<Self, Refusal> {
        let refuse = |check: FirstHopCheck, reason: Error| Refusal {
            reason,
            status_line: check
                .status_line()
                .unwrap_or("SIP/2.0 494 Security Agreement Required"),
            headers: refusal_headers(policy, check),
        };
        let check = FirstHopCheck::of(headers);
        if check != FirstHopCheck::Agree {
            return Err(refuse(check, Error::NoSecAgree));
        }
        let bad_client = |reason| refuse(FirstHopCheck::Respond494, reason);
        let client = MechanismList::from_headers(headers, SecurityHeader::Client)
            .map_err(|e| bad_client(Error::Header(e)))?
            .ok_or_else(|| bad_client(Error::NoSecurityClient))?;
        let offered: Vec<Ipsec3gpp> = client
            .mechanisms()
            .iter()
            .filter_map(|m| Ipsec3gpp::from_mechanism(m).ok())
            .collect();
        let ue = offered
            .first()
            .map(|t| t.spis_and_ports)
            .ok_or_else(|| bad_client(Error::NoSecurityClient))?;
        if offered.iter().any(|t| t.spis_and_ports != ue) {
            return Err(bad_client(Error::InconsistentTuples));
        }
        if ue.spi_c == ue.spi_s
            || ue.spi_c < esp_sa::sad::MIN_SPI
            || ue.spi_s < esp_sa::sad::MIN_SPI
        {
            return Err(bad_client(Error::SpiClash));
        }
        if ue.port_c == 0 || ue.port_s == 0 {
            return Err(bad_client(Error::Port));
        }
        Ok(Self {
            ue_address,
            client,
            offered,
            ue,
            state: State::AwaitingChallenge,
        })
    }

    /// The UE's SPIs and ports from SM1.
    #[must_use]
    pub fn ue(&self) -> SpisAndPorts {
        self.ue
    }

    /// The UE's Security-Client from SM1.
    #[must_use]
    pub fn security_client(&self) -> &MechanismList {
        &self.client
    }

    /// The pairs the UE offered that the P-CSCF could run, in the UE's order.
    pub fn offered_pairs(&self) -> impl Iterator<Item = AlgorithmPair> + '_ {
        self.offered.iter().map(|t| t.pair)
    }

    /// SM4 → SM6: the S-CSCF's 401 arrived with CK and IK. Chooses the
    /// first pair on the P-CSCF's list that the UE offered, as a whole
    /// tuple; draws the P-CSCF's SPIs from `sad` (unique there and different
    /// from the UE's, TS 33.203 §7.1); refuses a UE whose protected client
    /// port at this address already has SAs (TS 33.203 §7.2).
    pub fn on_challenge(
        &mut self,
        policy: &PcscfPolicy,
        sad: &SaDatabase,
        ck: &Secret<16>,
        ik: &Secret<16>,
        rng: &mut impl CryptoRngCore,
        now: Duration,
    ) -> Result<Challenge, Error> {
        if !matches!(self.state, State::AwaitingChallenge) {
            return Err(Error::State("the challenge was already added"));
        }
        let chosen = policy
            .profile
            .pairs()
            .iter()
            .copied()
            .find(|pair| self.offered.iter().any(|t| t.pair == *pair))
            .ok_or(Error::NoCommonAlgorithm)?;
        let to_ue_client_port = Selector {
            source: policy.address,
            source_port: policy.port_s,
            destination: self.ue_address,
            destination_port: self.ue.port_c,
        };
        if sad.outbound(&to_ue_client_port).is_some() {
            return Err(Error::Port);
        }
        let spi_c = sad.allocate_spi(rng, &[self.ue.spi_c, self.ue.spi_s])?;
        let spi_s = sad.allocate_spi(rng, &[self.ue.spi_c, self.ue.spi_s, spi_c])?;
        let pcscf = SpisAndPorts {
            spi_c,
            spi_s,
            port_c: policy.port_c,
            port_s: policy.port_s,
        };
        let params = SaSetParams {
            role: Role::Pcscf,
            ue: self.ue.endpoint(self.ue_address),
            pcscf: pcscf.endpoint(policy.address),
            replay_window: policy.sa.replay_window,
            lifetime: policy.sa.temporary_lifetime(),
        };
        let sa_set =
            SaSet::from_ims_keys(&params, chosen.integrity, chosen.encryption, ck, ik, now)?;
        let security_server = policy.security_server(pcscf);
        self.state = State::Challenged {
            server: security_server.clone(),
            request_spi: spi_s,
        };
        Ok(Challenge {
            chosen,
            pcscf,
            security_server,
            sa_set,
        })
    }

    /// SM7: the REGISTER that arrived through the inbound SA `spi`, which
    /// must be the P-CSCF's `spi-s`: the UE sends it from its protected
    /// client port to the protected server port (TS 24.229 §5.1.1.5.1,
    /// TS 33.203 §7.1); `spi-c` carries only the UE's responses. Its
    /// Security-Verify must mean the Security-Server sent in SM6 and its
    /// Security-Client the one of SM1 (compared by meaning:
    /// [`MechanismList::same_meaning`]); otherwise the registration is
    /// aborted. A message that did not come through this agreement's SAs is
    /// refused and changes nothing.
    pub fn on_protected_register(&mut self, headers: &Headers, spi: u32) -> Result<(), Error> {
        let server = match &self.state {
            State::Challenged {
                server,
                request_spi,
            } if *request_spi == spi => server.clone(),
            State::Challenged { .. } => return Err(Error::NotProtected),
            State::Aborted => return Err(Error::Aborted),
            _ => return Err(Error::State("no challenge is outstanding")),
        };
        match self.check_lists(headers, &server) {
            Ok(()) => {
                self.state = State::Verified { server };
                Ok(())
            }
            Err(error) => {
                self.state = State::Aborted;
                Err(error)
            }
        }
    }

    fn check_lists(&self, headers: &Headers, server: &MechanismList) -> Result<(), Error> {
        let verify = MechanismList::from_headers(headers, SecurityHeader::Verify)?
            .ok_or(Error::NoSecurityVerify)?;
        if !verify.same_meaning(server) {
            return Err(Error::VerifyMismatch);
        }
        let client = MechanismList::from_headers(headers, SecurityHeader::Client)?
            .ok_or(Error::NoSecurityClient)?;
        if !client.same_meaning(&self.client) {
            return Err(Error::ClientMismatch);
        }
        if !options::requires_sec_agree(headers) {
            return Err(Error::NoSecAgree);
        }
        Ok(())
    }

    /// A later request protected by this agreement's SAs (a re-REGISTER, an
    /// INVITE): its Security-Verify must still mirror the Security-Server of
    /// the last successful authentication (RFC 3329 §2.3.1, TS 24.229
    /// §5.1.1.4.2). Changes nothing.
    pub fn check_security_verify(&self, headers: &Headers) -> Result<(), Error> {
        let State::Verified { server } = &self.state else {
            return Err(Error::State("the agreement is not verified"));
        };
        let verify = MechanismList::from_headers(headers, SecurityHeader::Verify)?
            .ok_or(Error::NoSecurityVerify)?;
        if verify.same_meaning(server) {
            Ok(())
        } else {
            Err(Error::VerifyMismatch)
        }
    }

    /// Whether SM7 passed the checks.
    #[must_use]
    pub fn is_verified(&self) -> bool {
        matches!(self.state, State::Verified { .. })
    }

    /// Whether SM7 failed the checks and the registration was aborted.
    #[must_use]
    pub fn is_aborted(&self) -> bool {
        matches!(self.state, State::Aborted)
    }
}

/// What the P-CSCF does to a checked request before forwarding it to the
/// S-CSCF: removes Security-Client and Security-Verify and the `sec-agree`
/// option tags (RFC 3329 §2.3.1, TS 24.228 flows), and records in the
/// Authorization header whether the request arrived integrity protected
/// (TS 24.229 §5.2.2: `integrity-protected="yes"` or `"no"`), replacing
/// any such parameter the UE wrote itself.
pub fn prepare_for_s_cscf(headers: &mut Headers, integrity_protected: bool) {
    headers.remove(SecurityHeader::Client.name());
    headers.remove(SecurityHeader::Verify.name());
    options::remove_option_tag(headers, "Require", SEC_AGREE);
    options::remove_option_tag(headers, "Proxy-Require", SEC_AGREE);
    let flag = if integrity_protected { "yes" } else { "no" };
    let authorization: Vec<alloc::string::String> = headers
        .values("Authorization")
        .map(|v| with_integrity_flag(v, flag))
        .collect();
    if !authorization.is_empty() {
        headers.remove("Authorization");
        for value in authorization {
            if headers.push("Authorization", value).is_err() {
                debug_assert!(false, "a parsed value with a quoted flag stays on its line");
            }
        }
    }
}

/// The Authorization value with the P-CSCF's `integrity-protected` flag as
/// its only one. The flag is the P-CSCF's word to the S-CSCF (TS 24.229
/// §5.2.2, §5.4.1.2.1): one the UE wrote itself, perhaps `"yes"` on an
/// unprotected REGISTER, must not reach the S-CSCF, so it is removed before
/// the P-CSCF's own is appended. A value that does not split into
/// parameters (an unbalanced quote) is replaced by the scheme and the flag.
fn with_integrity_flag(value: &str, flag: &str) -> alloc::string::String {
    const NAME: &str = "integrity-protected";
    let value = value.trim();
    let (scheme, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    let mut out = alloc::string::String::from(scheme);
    let items = ims_sec_core::sip::split_list(rest, b',', 0).unwrap_or_default();
    let mut first = true;
    for item in items.iter().map(|i| i.value).filter(|text| {
        let name = text.split('=').next().unwrap_or_default().trim();
        !text.is_empty() && !name.eq_ignore_ascii_case(NAME)
    }) {
        out.push_str(if first { " " } else { ", " });
        out.push_str(item);
        first = false;
    }
    out.push_str(if first { " " } else { ", " });
    out.push_str(NAME);
    out.push_str("=\"");
    out.push_str(flag);
    out.push('"');
    out
}

/// The headers of a 421/494: the P-CSCF's list without SPIs (no SAs are set
/// up by it) and `Require: sec-agree`; nothing for a 502.
fn refusal_headers(policy: &PcscfPolicy, check: FirstHopCheck) -> Headers {
    let mut headers = Headers::new();
    if check == FirstHopCheck::Respond502 {
        return headers;
    }
    let list = policy.security_server(SpisAndPorts {
        spi_c: 0,
        spi_s: 0,
        port_c: policy.port_c,
        port_s: policy.port_s,
    });
    let list = MechanismList::new(
        list.mechanisms()
            .iter()
            .map(|m| m.clone().without("spi-c").without("spi-s"))
            .collect(),
    );
    list.write_to(&mut headers, SecurityHeader::Server);
    options::add_option_tag(&mut headers, "Require", SEC_AGREE);
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ue_supplied_integrity_protected_flag_never_reaches_the_s_cscf() {
        let mut h = Headers::new();
        h.push(
            "Authorization",
            "Digest username=\"u@ims\", integrity-protected=\"yes\", realm=\"ims\", nonce=\"a,b\"",
        )
        .unwrap();
        h.push("Authorization", "Digest Integrity-Protected=yes")
            .unwrap();
        prepare_for_s_cscf(&mut h, false);
        let values: Vec<&str> = h.values("Authorization").collect();
        assert_eq!(
            values,
            [
                "Digest username=\"u@ims\", realm=\"ims\", nonce=\"a,b\", integrity-protected=\"no\"",
                "Digest integrity-protected=\"no\"",
            ]
        );
    }

    #[test]
    fn q_values_are_distinct_and_decreasing() {
        for n in [1, 2, 6, 9, 10, 40] {
            let q: Vec<u16> = (0..n).map(|i| preference(i, n)).collect();
            assert!(q.windows(2).all(|w| w[0] > w[1]), "{n}: {q:?}");
            assert!(q.iter().all(|q| *q > 0 && *q <= 1000));
        }
    }
}
