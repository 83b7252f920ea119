//! The USIM/ISIM side: verify AUTN, check SQN freshness, answer RES, CK and IK
//! or a typed failure (TS 33.102 §6.3.3).

use crate::algorithm::{AkaAlgorithm, KeyOutputs};
use crate::sqn::{SqnArray, Staleness};
use crate::types::{Amf, Autn, Auts, Ck, Ik, Rand, Res, Sqn};

/// What the USIM requires of the AMF separation bit (TS 33.102 Annex H;
/// TS 33.401 §6.1.1 requires it set for E-UTRAN access).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SeparationBit {
    /// Not checked (IMS AKA over any access: the ISIM default).
    #[default]
    Ignore,
    /// AMF bit 0 must be 1.
    RequireSet,
    /// AMF bit 0 must be 0.
    RequireClear,
}

impl SeparationBit {
    fn accepts(self, amf: Amf) -> bool {
        match self {
            Self::Ignore => true,
            Self::RequireSet => amf.separation_bit(),
            Self::RequireClear => !amf.separation_bit(),
        }
    }
}

/// A successful challenge: what the USIM returns to the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Success {
    /// The response RES.
    pub res: Res,
    /// The cipher key CK.
    pub ck: Ck,
    /// The integrity key IK.
    pub ik: Ik,
    /// The accepted SQN.
    pub sqn: Sqn,
}

/// Why the USIM refused a challenge. A refusal never changes the SQN state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// XMAC-A ≠ MAC-A: the network is not authentic ("MAC failure").
    #[error("MAC failure: AUTN is not from the home network")]
    Mac,
    /// The AMF separation bit is not what the policy requires.
    #[error("AMF separation bit not acceptable")]
    Amf,
    /// SQN is not in the acceptable range: send AUTS ("synch failure").
    #[error("synchronisation failure ({reason:?})")]
    Sync {
        /// Why the SQN was refused.
        reason: Staleness,
        /// The resynchronisation token to send.
        auts: Auts,
    },
}

/// A USIM (or ISIM) for one subscriber: its algorithm set and SQN state.
#[derive(Clone, Debug)]
pub struct Usim<A> {
    algorithm: A,
    sqn: SqnArray,
    separation_bit: SeparationBit,
}

impl<A: AkaAlgorithm> Usim<A> {
    /// A USIM with the given algorithm and SQN state, ignoring the AMF separation bit.
    pub fn new(algorithm: A, sqn: SqnArray) -> Self {
        Self {
            algorithm,
            sqn,
            separation_bit: SeparationBit::Ignore,
        }
    }

    /// Sets the AMF separation bit policy.
    #[must_use]
    pub fn with_separation_bit(mut self, policy: SeparationBit) -> Self {
        self.separation_bit = policy;
        self
    }

    /// The SQN state, to store between runs.
    pub fn sqn_state(&self) -> &SqnArray {
        &self.sqn
    }

    /// Runs the challenge (TS 33.102 §6.3.3): computes AK and recovers SQN,
    /// checks MAC-A in constant time, then the AMF policy, then SQN
    /// freshness; on success records SQN and returns RES, CK and IK.
    pub fn authenticate(&mut self, rand: &Rand, autn: &Autn) -> Result<Success, Failure> {
        let KeyOutputs { res, ck, ik, ak } = self.algorithm.f2345(rand);
        let sqn = Sqn::reveal(autn.concealed_sqn, &ak);
        let xmac = self.algorithm.f1(rand, sqn, autn.amf);
        if !xmac.ct_eq(&autn.mac) {
            return Err(Failure::Mac);
        }
        if !self.separation_bit.accepts(autn.amf) {
            return Err(Failure::Amf);
        }
        if let Err(reason) = self.sqn.accept(sqn) {
            return Err(Failure::Sync {
                reason,
                auts: self.auts(rand),
            });
        }
        Ok(Success { res, ck, ik, sqn })
    }

    /// AUTS = SQN_MS ⊕ AK* ‖ MAC-S, MAC-S = f1*(SQN_MS ‖ RAND ‖ AMF = 0x0000)
    /// (TS 33.102 §6.3.3).
    fn auts(&self, rand: &Rand) -> Auts {
        let sqn_ms = self.sqn.sqn_ms();
        Auts {
            concealed_sqn: sqn_ms.conceal(&self.algorithm.f5_star(rand)),
            mac: self.algorithm.f1_star(rand, sqn_ms, Amf::RESYNC),
        }
    }
}
