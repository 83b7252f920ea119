//! TUAK (TS 35.231): the Keccak-f\[1600\] based algorithm set for f1..f5*.
//!
//! Every length TS 35.231 allows is supported: K of 128 or 256 bits, MAC of
//! 64, 128 or 256 bits, RES of 32, 64, 128 or 256 bits, CK and IK of 128 or
//! 256 bits. The number of Keccak iterations is part of each [`Tuak`] value
//! ([`TuakParams::iterations`]), never global state.
//!
//! The state layout (TS 35.231 §6): TOPc in bytes 0..32, INSTANCE in byte 32,
//! ALGONAME "TUAK1.0" in 33..40, RAND in 40..56, AMF in 56..58, SQN in 58..64,
//! K in 64..96, then the padding bytes 0x1f at 96 and 0x80 at 135. Each field
//! is stored with its bytes in reverse order (the specification's bit
//! numbering, IN\[i\] = X\[n-1-i\], reverses bits while the byte encoding keeps
//! bits within a byte), and outputs are read back the same way.

use ims_sec_core::{Secret, SecretBytes};
use zeroize::Zeroize;

use crate::algorithm::{AkaAlgorithm, KeyOutputs};
use crate::types::{Ak, Amf, Mac, Rand, Sqn, Topc, K};
use crate::Error;

const ALGONAME: &[u8; 7] = b"TUAK1.0";

/// Byte offsets of the fields in the Keccak state (TS 35.231 §6).
mod field {
    pub(super) const TOPC: usize = 0;
    pub(super) const INSTANCE: usize = 32;
    pub(super) const ALGONAME: usize = 33;
    pub(super) const RAND: usize = 40;
    pub(super) const AMF: usize = 56;
    pub(super) const SQN: usize = 58;
    pub(super) const KEY: usize = 64;
    pub(super) const PAD_START: usize = 96;
    pub(super) const PAD_END: usize = 135;
    /// Where CK, IK and AK are read from OUT (RES and MAC from byte 0).
    pub(super) const CK: usize = 32;
    pub(super) const IK: usize = 64;
    pub(super) const AK: usize = 96;
}

/// INSTANCE bits (TS 35.231 §6, bit 0 = most significant).
mod instance {
    pub(super) const STAR: u8 = 0x80;
    pub(super) const KEYS: u8 = 0x40;
    pub(super) const CK_256: u8 = 0x04;
    pub(super) const IK_256: u8 = 0x02;
    pub(super) const K_256: u8 = 0x01;
}

/// The operator's TUAK configuration: output lengths and Keccak iterations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TuakParams {
    /// MAC-A and MAC-S length: 64, 128 or 256 bits.
    pub mac_bits: u16,
    /// RES length: 32, 64, 128 or 256 bits.
    pub res_bits: u16,
    /// CK length: 128 or 256 bits.
    pub ck_bits: u16,
    /// IK length: 128 or 256 bits.
    pub ik_bits: u16,
    /// How many times Keccak-f\[1600\] is applied (at least 1).
    pub iterations: u32,
}

impl Default for TuakParams {
    /// The lengths TS 33.102 authentication uses (64-bit MAC, 64-bit RES,
    /// 128-bit CK and IK) and one Keccak iteration.
    fn default() -> Self {
        Self {
            mac_bits: 64,
            res_bits: 64,
            ck_bits: 128,
            ik_bits: 128,
            iterations: 1,
        }
    }
}

impl TuakParams {
    /// The INSTANCE length code of a 32/64/128/256-bit output.
    fn length_code(bits: u16) -> Option<u8> {
        match bits {
            32 => Some(0x00),
            64 => Some(0x08),
            128 => Some(0x10),
            256 => Some(0x20),
            _ => None,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        if !matches!(self.mac_bits, 64 | 128 | 256) {
            return Err(Error::Parameter(
                "TUAK MAC length must be 64, 128 or 256 bits",
            ));
        }
        if Self::length_code(self.res_bits).is_none() {
            return Err(Error::Parameter(
                "TUAK RES length must be 32, 64, 128 or 256 bits",
            ));
        }
        if !matches!(self.ck_bits, 128 | 256) || !matches!(self.ik_bits, 128 | 256) {
            return Err(Error::Parameter(
                "TUAK CK and IK lengths must be 128 or 256 bits",
            ));
        }
        if self.iterations == 0 {
            return Err(Error::Parameter("TUAK needs at least one Keccak iteration"));
        }
        Ok(())
    }
}

/// The 200-byte Keccak state, as 25 little-endian lanes.
#[derive(Clone)]
struct State([u64; 25]);

impl Drop for State {
    fn drop(&mut self) {
        self.0.as_mut_slice().zeroize();
    }
}

impl State {
    /// The state before any field is written: padding only.
    fn padded() -> Self {
        let mut s = Self([0; 25]);
        s.set_byte(field::PAD_START, 0x1f);
        s.set_byte(field::PAD_END, 0x80);
        s
    }

    fn set_byte(&mut self, at: usize, value: u8) {
        if let Some(lane) = self.0.get_mut(at / 8) {
            let shift = 8 * (at % 8);
            *lane = (*lane & !(0xff << shift)) | (u64::from(value) << shift);
        }
    }

    fn byte(&self, at: usize) -> u8 {
        self.0
            .get(at / 8)
            .map_or(0, |lane| (lane >> (8 * (at % 8))) as u8)
    }

    /// Writes `value` at `offset` with its bytes reversed.
    fn put_reversed(&mut self, offset: usize, value: &[u8]) {
        for (i, b) in value.iter().rev().enumerate() {
            self.set_byte(offset + i, *b);
        }
    }

    /// Reads `N` bytes at `offset`, reversing their order.
    fn get_reversed<const N: usize>(&self, offset: usize) -> [u8; N] {
        let mut out = [0; N];
        for (i, b) in out.iter_mut().rev().enumerate() {
            *b = self.byte(offset + i);
        }
        out
    }

    fn permute(&mut self, iterations: u32) {
        for _ in 0..iterations {
            keccak::f1600(&mut self.0);
        }
    }
}

/// TUAK for one subscriber: the Keccak state with TOPc, ALGONAME, K and the
/// padding already in place, built once in [`Tuak::new`].
#[derive(Clone)]
pub struct Tuak {
    base: State,
    params: TuakParams,
    k_256: bool,
}

impl core::fmt::Debug for Tuak {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tuak")
            .field("params", &self.params)
            .field("k_bits", &if self.k_256 { 256 } else { 128 })
            .finish_non_exhaustive()
    }
}

/// The state shared by TOPc derivation and every function: `top_or_topc`,
/// ALGONAME, K and the padding.
fn base_state(k: &K, top_or_topc: &[u8; 32]) -> Result<(State, bool), Error> {
    let k_256 = match k.len() {
        16 => false,
        32 => true,
        got => {
            return Err(Error::Length {
                what: "TUAK K",
                got,
            })
        }
    };
    let mut s = State::padded();
    s.put_reversed(field::TOPC, top_or_topc);
    s.put_reversed(field::ALGONAME, ALGONAME);
    s.put_reversed(field::KEY, k.expose_secret());
    Ok((s, k_256))
}

/// TOPc from TOP and K (TS 35.231 §6.1), with the same number of Keccak
/// iterations the functions use.
pub fn topc_from_top(k: &K, top: &Secret<32>, iterations: u32) -> Result<Topc, Error> {
    if iterations == 0 {
        return Err(Error::Parameter("TUAK needs at least one Keccak iteration"));
    }
    let (mut s, k_256) = base_state(k, top.expose_secret())?;
    s.set_byte(field::INSTANCE, if k_256 { instance::K_256 } else { 0 });
    s.permute(iterations);
    let mut topc = s.get_reversed::<32>(field::TOPC);
    let out = Secret::new(topc);
    topc.zeroize();
    Ok(out)
}

impl Tuak {
    /// TUAK with K (16 or 32 bytes), TOPc and the operator's parameters.
    pub fn new(k: &K, topc: &Topc, params: TuakParams) -> Result<Self, Error> {
        params.validate()?;
        let (base, k_256) = base_state(k, topc.expose_secret())?;
        Ok(Self {
            base,
            params,
            k_256,
        })
    }

    /// TUAK with K and TOP (TOPc is derived here, once).
    pub fn with_top(k: &K, top: &Secret<32>, params: TuakParams) -> Result<Self, Error> {
        params.validate()?;
        Self::new(k, &topc_from_top(k, top, params.iterations)?, params)
    }

    /// The parameters.
    #[must_use]
    pub fn params(&self) -> TuakParams {
        self.params
    }

    /// Runs one function: INSTANCE, RAND and optionally AMF and SQN on top of
    /// the subscriber's base state.
    fn run(&self, instance: u8, rand: &Rand, sqn_amf: Option<(Sqn, Amf)>) -> State {
        let mut s = self.base.clone();
        let k_bit = if self.k_256 { instance::K_256 } else { 0 };
        s.set_byte(field::INSTANCE, instance | k_bit);
        s.put_reversed(field::RAND, rand);
        if let Some((sqn, amf)) = sqn_amf {
            s.put_reversed(field::AMF, &amf.0);
            s.put_reversed(field::SQN, &sqn.to_bytes());
        }
        s.permute(self.params.iterations);
        s
    }

    fn mac(&self, star: bool, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac {
        let code = TuakParams::length_code(self.params.mac_bits).unwrap_or(0);
        let s = self.run(
            if star { instance::STAR } else { 0 } | code,
            rand,
            Some((sqn, amf)),
        );
        match self.params.mac_bits {
            128 => Mac::from(s.get_reversed::<16>(0)),
            256 => Mac::from(s.get_reversed::<32>(0)),
            _ => Mac::from(s.get_reversed::<8>(0)),
        }
    }

    fn ak(s: &State) -> Ak {
        Secret::new(s.get_reversed::<6>(field::AK))
    }
}

/// Reads an output of `bits` (a length [`TuakParams::validate`] allowed) at `offset`.
fn output(s: &State, offset: usize, bits: u16) -> SecretBytes<32> {
    match bits {
        32 => SecretBytes::from_array(s.get_reversed::<4>(offset)),
        64 => SecretBytes::from_array(s.get_reversed::<8>(offset)),
        128 => SecretBytes::from_array(s.get_reversed::<16>(offset)),
        _ => SecretBytes::from_array(s.get_reversed::<32>(offset)),
    }
}

impl AkaAlgorithm for Tuak {
    fn f1(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac {
        self.mac(false, rand, sqn, amf)
    }

    fn f1_star(&self, rand: &Rand, sqn: Sqn, amf: Amf) -> Mac {
        self.mac(true, rand, sqn, amf)
    }

    fn f2345(&self, rand: &Rand) -> KeyOutputs {
        let p = self.params;
        let mut inst = instance::KEYS | TuakParams::length_code(p.res_bits).unwrap_or(0);
        if p.ck_bits == 256 {
            inst |= instance::CK_256;
        }
        if p.ik_bits == 256 {
            inst |= instance::IK_256;
        }
        let s = self.run(inst, rand, None);
        KeyOutputs {
            res: output(&s, 0, p.res_bits),
            ck: output(&s, field::CK, p.ck_bits),
            ik: output(&s, field::IK, p.ik_bits),
            ak: Self::ak(&s),
        }
    }

    fn f5_star(&self, rand: &Rand) -> Ak {
        Self::ak(&self.run(instance::STAR | instance::KEYS, rand, None))
    }

    fn mac_len(&self) -> usize {
        usize::from(self.params.mac_bits / 8)
    }
}
