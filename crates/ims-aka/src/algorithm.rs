//! One trait over the 3GPP authentication and key generation functions, so
//! that vectors, the USIM checks and Digest AKA work with Milenage or TUAK.

use crate::types::{Ak, Amf, Ck, Ik, Mac, Rand, Res, Sqn};

/// The outputs of f2, f3, f4 and f5 for one RAND.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyOutputs {
    /// f2: RES (XRES on the network side).
    pub res: Res,
    /// f3: the cipher key CK.
    pub ck: Ck,
    /// f4: the integrity key IK.
    pub ik: Ik,
    /// f5: the anonymity key AK.
    pub ak: Ak,
}

/// An algorithm set implementing f1, f1*, f2, f3, f4, f5 and f5*
/// (TS 33.102 §6.3.2) for one subscriber. Implementations hold the
/// subscriber's key material with its schedules precomputed.
pub trait AkaAlgorithm {
    /// f1: the network authentication code MAC-A over SQN ‖ RAND ‖ AMF.
    fn f1(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac;

    /// f1*: the resynchronisation code MAC-S over SQN_MS ‖ RAND ‖ AMF.
    fn f1_star(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac;

    /// f2, f3, f4 and f5 of one RAND.
    fn f2345(&self, rand: &Rand) -> KeyOutputs;

    /// f5*: the anonymity key AK* for resynchronisation.
    fn f5_star(&self, rand: &Rand) -> Ak;

    /// The length in bytes of MAC-A and MAC-S, and so of the MAC in AUTN
    /// and AUTS: 8 (the 64 bits of TS 33.102) unless the algorithm is
    /// configured otherwise.
    fn mac_len(&self) -> usize {
        8
    }

    /// f1 together with f2..f5, as an authentication vector needs them. The
    /// default calls [`AkaAlgorithm::f1`] and [`AkaAlgorithm::f2345`];
    /// algorithms that share work between them override it.
    fn f1_f2345(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> (Mac, KeyOutputs) {
        (self.f1(rand, sqn, amf), self.f2345(rand))
    }
}

impl<A: AkaAlgorithm + ?Sized> AkaAlgorithm for &A {
    fn f1(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac {
        (**self).f1(rand, sqn, amf)
    }
    fn f1_star(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac {
        (**self).f1_star(rand, sqn, amf)
    }
    fn f2345(&self, rand: &Rand) -> KeyOutputs {
        (**self).f2345(rand)
    }
    fn f5_star(&self, rand: &Rand) -> Ak {
        (**self).f5_star(rand)
    }
    fn mac_len(&self) -> usize {
        (**self).mac_len()
    }
    fn f1_f2345(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> (Mac, KeyOutputs) {
        (**self).f1_f2345(rand, sqn, amf)
    }
}
