//! Milenage (TS 35.206): the AES-128 based example algorithm set for f1..f5*.
//!
//! The AES key schedule of K is computed once, in [`Milenage::new`], and
//! reused by every function. The operator constants r1..r5 and c1..c5 are
//! parameters ([`Constants`]) defaulting to the specification's values.

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use aes::Aes128Enc;
use ims_sec_core::{Secret, SecretBytes};
use zeroize::Zeroize;

use crate::algorithm::{AkaAlgorithm, KeyOutputs};
use crate::types::{Ak, Amf, Mac, Opc, Rand, Sqn};

/// The operator-selectable rotation and addition constants of TS 35.206 §4.1.
///
/// Each `r` is a left rotation in bits (0..128); each `c` is a 128-bit value
/// XORed before encryption. The specification's defaults are
/// [`Constants::DEFAULT`]; the only constraint the algorithm itself needs is
/// that the five pairs differ, which [`Milenage::with_constants`] does not
/// second-guess (an operator may have reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Constants {
    /// r1..r5, rotations in bits.
    pub r: [u32; 5],
    /// c1..c5.
    pub c: [u128; 5],
}

impl Constants {
    /// TS 35.206 §4.1: r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96;
    /// c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8.
    pub const DEFAULT: Constants = Constants {
        r: [64, 0, 32, 64, 96],
        c: [0, 1, 2, 4, 8],
    };
}

impl Default for Constants {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Milenage for one subscriber: K's AES key schedule, OPc and the constants.
#[derive(Clone)]
pub struct Milenage {
    cipher: Aes128Enc,
    opc: u128,
    constants: Constants,
}

impl Drop for Milenage {
    fn drop(&mut self) {
        // The AES key schedule zeroizes itself (the `aes` crate's `zeroize` feature).
        self.opc.zeroize();
    }
}

impl core::fmt::Debug for Milenage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Milenage([redacted])")
    }
}

/// OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1).
#[must_use]
pub fn opc_from_op(k: &Secret<16>, op: &Secret<16>) -> Opc {
    let cipher = Aes128Enc::new(GenericArray::from_slice(k.expose_secret()));
    let mut op = u128::from_be_bytes(*op.expose_secret());
    let mut opc = encrypt(&cipher, op) ^ op;
    let out = Secret::new(opc.to_be_bytes());
    op.zeroize();
    opc.zeroize();
    out
}

fn encrypt(cipher: &Aes128Enc, block: u128) -> u128 {
    let mut b = GenericArray::from(block.to_be_bytes());
    cipher.encrypt_block(&mut b);
    u128::from_be_bytes(b.into())
}

impl Milenage {
    /// Milenage with K (128 bits, hence `Secret<16>` rather than the
    /// 128-or-256-bit [`crate::K`] TUAK takes) and OPc, and the default constants.
    #[must_use]
    pub fn new(k: &Secret<16>, opc: &Opc) -> Self {
        Self::with_constants(k, opc, Constants::DEFAULT)
    }

    /// Milenage with K and OP (OPc is derived here, once).
    #[must_use]
    pub fn with_op(k: &Secret<16>, op: &Secret<16>) -> Self {
        Self::new(k, &opc_from_op(k, op))
    }

    /// Milenage with operator-chosen constants r1..r5, c1..c5.
    #[must_use]
    #[inline]
    pub fn with_constants(k: &Secret<16>, opc: &Opc, constants: Constants) -> Self {
        Self {
            cipher: Aes128Enc::new(GenericArray::from_slice(k.expose_secret())),
            opc: u128::from_be_bytes(*opc.expose_secret()),
            constants,
        }
    }

    /// TEMP = E_K(RAND ⊕ OPc).
    #[inline]
    fn temp(&self, rand: &Rand) -> u128 {
        encrypt(&self.cipher, u128::from_be_bytes(*rand) ^ self.opc)
    }

    /// The input of E_K for OUTi (i = 2..5, `index` = i - 1): rot(TEMP ⊕ OPc, ri) ⊕ ci.
    #[inline]
    fn out_input(&self, index: usize, temp: u128) -> u128 {
        let r = self.constants.r.get(index).copied().unwrap_or(0);
        let c = self.constants.c.get(index).copied().unwrap_or(0);
        (temp ^ self.opc).rotate_left(r % 128) ^ c
    }

    /// The input of E_K for OUT1: TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1 with
    /// IN1 = SQN ‖ AMF ‖ SQN ‖ AMF.
    #[inline]
    fn out1_input(&self, temp: u128, sqn: Sqn, amf: Amf) -> u128 {
        let half = (sqn.value() << 16) | u64::from(u16::from_be_bytes(amf.0));
        let in1 = (u128::from(half) << 64) | u128::from(half);
        let (r, c) = (self.constants.r[0], self.constants.c[0]);
        temp ^ (in1 ^ self.opc).rotate_left(r % 128) ^ c
    }

    /// OUT = E_K(input) ⊕ OPc for several independent inputs at once, so the
    /// AES rounds of the blocks overlap in the pipeline.
    #[inline]
    fn outs<const N: usize>(&self, inputs: [u128; N]) -> [[u8; 16]; N] {
        let mut blocks = inputs.map(|x| GenericArray::from(x.to_be_bytes()));
        self.cipher.encrypt_blocks(&mut blocks);
        blocks.map(|b| (u128::from_be_bytes(b.into()) ^ self.opc).to_be_bytes())
    }

    /// f2..f5 from OUT2, OUT3 and OUT4 (TS 35.206 §4.1).
    #[inline]
    fn key_outputs(out2: [u8; 16], out3: [u8; 16], out4: [u8; 16]) -> KeyOutputs {
        let [a0, a1, a2, a3, a4, a5, _, _, res @ ..] = out2;
        KeyOutputs {
            res: SecretBytes::from_array(res),
            ck: SecretBytes::from_array(out3),
            ik: SecretBytes::from_array(out4),
            ak: Secret::new([a0, a1, a2, a3, a4, a5]),
        }
    }
}

/// f1 is OUT1[0..64], f1* is OUT1[64..128].
fn split_out1(out1: [u8; 16]) -> (Mac, Mac) {
    let [a0, a1, a2, a3, a4, a5, a6, a7, s @ ..] = out1;
    (Mac::from([a0, a1, a2, a3, a4, a5, a6, a7]), Mac::from(s))
}

impl AkaAlgorithm for Milenage {
    #[inline]
    fn f1(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac {
        let [out1] = self.outs([self.out1_input(self.temp(rand), sqn, amf)]);
        split_out1(out1).0
    }

    #[inline]
    fn f1_star(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac {
        let [out1] = self.outs([self.out1_input(self.temp(rand), sqn, amf)]);
        split_out1(out1).1
    }

    #[inline]
    fn f2345(&self, rand: &Rand) -> KeyOutputs {
        let temp = self.temp(rand);
        let [out2, out3, out4] = self.outs([1, 2, 3].map(|i| self.out_input(i, temp)));
        Self::key_outputs(out2, out3, out4)
    }

    #[inline]
    fn f5_star(&self, rand: &Rand) -> Ak {
        let [[a0, a1, a2, a3, a4, a5, ..]] = self.outs([self.out_input(4, self.temp(rand))]);
        Secret::new([a0, a1, a2, a3, a4, a5])
    }

    #[inline]
    fn f1_f2345(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> (Mac, KeyOutputs) {
        // TEMP once, then OUT1..OUT4 side by side: five AES blocks, four in parallel.
        let temp = self.temp(rand);
        let [out1, out2, out3, out4] = self.outs([
            self.out1_input(temp, sqn, amf),
            self.out_input(1, temp),
            self.out_input(2, temp),
            self.out_input(3, temp),
        ]);
        (split_out1(out1).0, Self::key_outputs(out2, out3, out4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal_free::h;

    /// Tiny hex helper for the unit tests (integration tests read the spec files).
    mod hex_literal_free {
        pub(super) fn h<const N: usize>(s: &str) -> [u8; N] {
            let v = hex::decode(s).unwrap();
            v.try_into().unwrap()
        }
    }

    /// TS 35.208 §4.3 test set 1 (also TS 35.207 §4.3 test set 1).
    #[test]
    fn ts35208_test_set_1() {
        let k = Secret::new(h("465b5ce8b199b49faa5f0a2ee238a6bc"));
        let op = Secret::new(h("cdc202d5123e20f62b6d676ac72cb318"));
        let opc = opc_from_op(&k, &op);
        assert_eq!(
            opc.expose_secret(),
            &h::<16>("cd63cb71954a9f4e48a5994e37a02baf")
        );
        let m = Milenage::new(&k, &opc);
        let rand = h("23553cbe9637a89d218ae64dae47bf35");
        let sqn = Sqn::from_bytes(h("ff9bb4d0b607"));
        let amf = Amf(h("b9b9"));
        assert_eq!(m.f1(&rand, sqn, amf).as_bytes(), h::<8>("4a9ffac354dfafb3"));
        assert_eq!(
            m.f1_star(&rand, sqn, amf).as_bytes(),
            h::<8>("01cfaf9ec4e871e9")
        );
        let out = m.f2345(&rand);
        assert_eq!(out.res.expose_secret(), h::<8>("a54211d5e3ba50bf"));
        assert_eq!(out.ak.expose_secret(), &h::<6>("aa689c648370"));
        assert_eq!(
            out.ck.expose_secret(),
            h::<16>("b40ba9a3c58b2a05bbf0d987b21bf8cb")
        );
        assert_eq!(
            out.ik.expose_secret(),
            h::<16>("f769bcd751044604127672711c6d3441")
        );
        assert_eq!(m.f5_star(&rand).expose_secret(), &h::<6>("451e8beca43b"));
        let (mac, both) = m.f1_f2345(&rand, sqn, amf);
        assert_eq!(mac, m.f1(&rand, sqn, amf));
        assert_eq!(both, out);
    }
}
