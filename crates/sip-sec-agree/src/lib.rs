//! # sip-sec-agree
//!
//! RFC 3329 security agreement as 3GPP IMS uses it on the Gm link
//! (TS 33.203 §7 and Annex H, TS 24.229 §5.1.1 and §5.2.2), and the
//! privacy rules at the border of a trust domain (TS 33.203 §5.3, RFC 3325).
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
