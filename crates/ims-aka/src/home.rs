//! The home environment's side (HE/AuC, HSS): authentication vectors and
//! resynchronisation from AUTS (TS 33.102 §6.3.2, §6.3.5).

use rand_core::CryptoRngCore;

use crate::algorithm::{AkaAlgorithm, KeyOutputs};
use crate::types::{Amf, Autn, Auts, Ck, Ik, Rand, Res, Sqn};
use crate::Error;

/// A quintet: RAND, XRES, CK, IK and AUTN (TS 33.102 §6.3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationVector {
    /// The random challenge.
    pub rand: Rand,
    /// The expected response.
    pub xres: Res,
    /// The cipher key.
    pub ck: Ck,
    /// The integrity key.
    pub ik: Ik,
    /// The authentication token SQN ⊕ AK ‖ AMF ‖ MAC-A.
    pub autn: Autn,
}

impl AuthenticationVector {
    /// Computes the vector for a caller-chosen RAND (TS 33.102 §6.3.2, figure 8).
    #[must_use]
    #[inline]
    pub fn generate<A: AkaAlgorithm + ?Sized>(
        algorithm: &A,
        rand: Rand,
        sqn: Sqn,
        amf: Amf,
    ) -> Self {
        let (mac, KeyOutputs { res, ck, ik, ak }) = algorithm.f1_f2345(&rand, sqn, amf);
        Self {
            rand,
            autn: Autn {
                concealed_sqn: sqn.conceal(&ak),
                amf,
                mac,
            },
            xres: res,
            ck,
            ik,
        }
    }

    /// Computes the vector with RAND drawn from `rng`.
    pub fn generate_with_rng<A: AkaAlgorithm + ?Sized>(
        algorithm: &A,
        rng: &mut impl CryptoRngCore,
        sqn: Sqn,
        amf: Amf,
    ) -> Self {
        let mut rand = [0; 16];
        rng.fill_bytes(&mut rand);
        Self::generate(algorithm, rand, sqn, amf)
    }
}

/// Verifies an AUTS received for `rand` and returns SQN_MS (TS 33.102 §6.3.5).
///
/// MAC-S is computed with the dummy AMF 0x0000, whatever the subscriber's AMF
/// is (§6.3.3), and compared in constant time. An HSS that keeps its
/// counter in a [`crate::sqn::SqnGenerator`] calls
/// [`SqnGenerator::resynchronise`](crate::sqn::SqnGenerator::resynchronise),
/// which verifies through this function and then updates SQN_HE.
pub fn resynchronise<A: AkaAlgorithm + ?Sized>(
    algorithm: &A,
    rand: &Rand,
    auts: &Auts,
) -> Result<Sqn, Error> {
    let ak_star = algorithm.f5_star(rand);
    let sqn_ms = Sqn::reveal(auts.concealed_sqn, &ak_star);
    let xmac_s = algorithm.f1_star(rand, sqn_ms, Amf::RESYNC);
    if xmac_s.ct_eq(&auts.mac) {
        Ok(sqn_ms)
    } else {
        Err(Error::MacS)
    }
}
