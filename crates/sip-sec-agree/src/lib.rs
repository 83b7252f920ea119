//! # sip-sec-agree
//!
//! RFC 3329 security agreement as 3GPP IMS uses it on the Gm link
//! (TS 33.203 §7 and Annex H, TS 24.229 §5.1.1 and §5.2.2), and the
//! privacy rules at the border of a trust domain (TS 33.203 §5.3, RFC 3325).
//!
//! - [`header`]: `Security-Client`, `Security-Server`, `Security-Verify`
//!   with typed `ipsec-3gpp` tuples ([`tuple`](mod@tuple)); [`options`]: `sec-agree`.
//! - [`PcscfAgreement`] and [`UeAgreement`]: the two ends of SM1 → SM6 →
//!   SM7; they return headers to send and [`esp_sa::SaSet`]s to install.
//! - [`SaLifecycle`]: when sets become established, in use, retired and
//!   deleted (TS 33.203 §7.4), as actions for the caller's SA database.
//! - [`trust`]: P-Asserted-Identity at the trust-domain edge.
//! - [`message`]: header lines and a minimal SIP message codec.
//!
//! No I/O and no clock: time (`now`) and randomness (SPIs) are passed in.
//!
//! ```
//! use core::net::{IpAddr, Ipv4Addr};
//! use core::time::Duration;
//! use esp_sa::SaDatabase;
//! use ims_sec_core::Secret;
//! use sip_sec_agree::*;
//!
//! let (ue_ip, pcscf_ip) = (IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)));
//! let (ck, ik) = (Secret::new([0x11; 16]), Secret::new([0x22; 16])); // from IMS AKA
//! let (mut rng, now) = (rand::rngs::OsRng, Duration::ZERO);
//!
//! // SM1: the UE offers every pair it supports.
//! let own = SpisAndPorts { spi_c: 1111, spi_s: 2222, port_c: 5066, port_s: 5064 };
//! let mut ue = UeAgreement::new(AlgorithmProfile::for_release(Release::Rel13), own)?;
//! let mut register = Headers::new().with("Via", "SIP/2.0/UDP 192.0.2.10:5066")?;
//! ue.write_register(&mut register);
//!
//! // The P-CSCF keeps the offer; with the S-CSCF's 401 (and CK/IK) it
//! // chooses, draws its SPIs and adds Security-Server.
//! let policy = PcscfPolicy::new(Release::Rel13, pcscf_ip, 5100, 5101);
//! let mut pcscf_sad = SaDatabase::new();
//! let mut pcscf = PcscfAgreement::on_register(&policy, &register, ue_ip).map_err(|r| r.reason)?;
//! let challenge = pcscf.on_challenge(&policy, &pcscf_sad, &ck, &ik, &mut rng, now)?;
//! pcscf_sad.insert_set(challenge.sa_set.clone())?;
//! let mut unauthorized = Headers::new();
//! challenge.write_to(&mut unauthorized);
//!
//! // SM6 → SM7: the UE takes the same pair, installs its SAs and mirrors the list.
//! let chosen = ue.on_challenge(&unauthorized, &ck, &ik, (ue_ip, pcscf_ip), &policy.sa, now)?;
//! assert_eq!(chosen.chosen.pair, challenge.chosen);
//! let mut protected = Headers::new();
//! ue.write_protected(&mut protected)?;
//!
//! // SM7 arrives through the P-CSCF's spi-s: the lists must match.
//! pcscf.on_protected_register(&protected, challenge.pcscf.spi_s)?;
//! assert!(pcscf.is_verified());
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod error;
pub mod header;
pub mod lifecycle;
pub mod message;
pub mod options;
pub mod pcscf;
pub mod trust;
pub mod tuple;
pub mod ue;

pub use error::Error;
pub use header::{
    Algorithm, HeaderParseError, Mechanism, MechanismList, MechanismName, MechanismParam, Mode,
    Protocol, QValue, SecurityHeader,
};
pub use lifecycle::{Action, DeleteReason, Event, SaLifecycle, SaOptions, SetState};
pub use message::{Header, Headers, Message};
pub use options::FirstHopCheck;
pub use pcscf::{prepare_for_s_cscf, Challenge, PcscfAgreement, PcscfPolicy, Refusal};
pub use trust::{AddressRange, Classification, Decision, Partner, Peer, Privacy, TrustPolicy};
pub use tuple::{AlgorithmPair, AlgorithmProfile, Ipsec3gpp, Release, SpisAndPorts, TupleError};
pub use ue::{UeAgreement, UeChallenge};
