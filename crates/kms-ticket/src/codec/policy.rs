//! The security policy payload (SP, RFC 3830 §6.10) and its SRTP parameters
//! (§6.10.1).

use alloc::vec::Vec;

use super::error::ParseError;
use super::header::u8_enum;
use super::reader::Reader;

/// One policy parameter: Type, Length, Value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyParam {
    /// The parameter type (for SRTP, see [`srtp_param`]).
    pub ptype: u8,
    /// The value (at most 255 bytes).
    pub value: Vec<u8>,
}

/// The security policy payload (SP).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecurityPolicy {
    /// The policy number that CS ID maps refer to.
    pub policy_no: u8,
    /// The security protocol (0 = SRTP).
    pub prot_type: u8,
    /// The parameters, in wire order, unknown ones included.
    pub params: Vec<PolicyParam>,
}

impl SecurityPolicy {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        let policy_no = r.u8()?;
        let prot_type = r.u8()?;
        let len = r.u16()?;
        let mut sub = r.sub(usize::from(len), "SP")?;
        let mut params = Vec::new();
        while !sub.is_empty() {
            let ptype = sub.u8()?;
            let plen = sub.u8()?;
            let value = sub.take(usize::from(plen))?.to_vec();
            params.push(PolicyParam { ptype, value });
        }
        Ok(Self {
            policy_no,
            prot_type,
            params,
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(self.policy_no);
        out.push(self.prot_type);
        let len: usize = self.params.iter().map(|p| 2 + p.value.len()).sum();
        out.extend_from_slice(&(len as u16).to_be_bytes());
        for p in &self.params {
            out.push(p.ptype);
            out.push(p.value.len() as u8);
            out.extend_from_slice(&p.value);
        }
    }

    /// The value of the first parameter of type `ptype`.
    #[must_use]
    pub fn param(&self, ptype: u8) -> Option<&[u8]> {
        self.params
            .iter()
            .find(|p| p.ptype == ptype)
            .map(|p| p.value.as_slice())
    }

    /// An SRTP policy (Prot type 0) from typed parameters.
    #[must_use]
    pub fn srtp(policy_no: u8, policy: &SrtpPolicy) -> Self {
        Self {
            policy_no,
            prot_type: 0,
            params: policy.to_params(),
        }
    }

    /// The typed SRTP parameters, if this is an SRTP policy whose known
    /// parameters are well formed.
    pub fn srtp_policy(&self) -> Result<SrtpPolicy, SrtpPolicyError> {
        SrtpPolicy::try_from(self)
    }
}

/// SRTP policy parameter types (RFC 3830 Table 6.10.1.a).
pub mod srtp_param {
    /// Encryption algorithm.
    pub const ENCR_ALG: u8 = 0;
    /// Session encryption key length.
    pub const ENCR_KEY_LEN: u8 = 1;
    /// Authentication algorithm.
    pub const AUTH_ALG: u8 = 2;
    /// Session authentication key length.
    pub const AUTH_KEY_LEN: u8 = 3;
    /// Session salt key length.
    pub const SALT_LEN: u8 = 4;
    /// SRTP pseudo-random function.
    pub const PRF: u8 = 5;
    /// Key derivation rate.
    pub const KDR: u8 = 6;
    /// SRTP encryption off/on.
    pub const SRTP_ENCR: u8 = 7;
    /// SRTCP encryption off/on.
    pub const SRTCP_ENCR: u8 = 8;
    /// Sender's FEC order.
    pub const FEC_ORDER: u8 = 9;
    /// SRTP authentication off/on.
    pub const SRTP_AUTH: u8 = 10;
    /// Authentication tag length (bytes).
    pub const AUTH_TAG_LEN: u8 = 11;
    /// SRTP prefix length (bytes).
    pub const PREFIX_LEN: u8 = 12;
}

u8_enum! {
    /// SRTP encryption algorithm (RFC 3830 Table 6.10.1.b).
    pub enum SrtpEncrAlg {
        /// NULL (0).
        Null = 0,
        /// AES-CM (1).
        AesCm = 1,
        /// AES-F8 (2).
        AesF8 = 2,
    }
}

u8_enum! {
    /// SRTP authentication algorithm (RFC 3830 Table 6.10.1.c).
    pub enum SrtpAuthAlg {
        /// NULL (0).
        Null = 0,
        /// HMAC-SHA-1 (1).
        HmacSha1 = 1,
    }
}

/// An SP payload could not be read as an SRTP policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SRTP policy: {0}")]
pub struct SrtpPolicyError(pub &'static str);

/// The SRTP policy parameters of RFC 3830 §6.10.1, typed. `None` means the
/// parameter is absent (SRTP's default applies).
///
/// Every known parameter is one byte on the wire, except the key derivation
/// rate, read from 1 to 4 bytes (big-endian) and written as 4. Parameters of
/// other types are kept in `other`. Converting to parameters writes the known
/// ones in type order, then `other`; the raw [`SecurityPolicy`] keeps the
/// exact wire form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SrtpPolicy {
    /// Type 0: encryption algorithm.
    pub encr_alg: Option<SrtpEncrAlg>,
    /// Type 1: session encryption key length (bytes).
    pub encr_key_len: Option<u8>,
    /// Type 2: authentication algorithm.
    pub auth_alg: Option<SrtpAuthAlg>,
    /// Type 3: session authentication key length (bytes).
    pub auth_key_len: Option<u8>,
    /// Type 4: session salt key length (bytes).
    pub salt_len: Option<u8>,
    /// Type 5: SRTP PRF (0 = AES-CM).
    pub prf: Option<u8>,
    /// Type 6: key derivation rate.
    pub kdr: Option<u32>,
    /// Type 7: SRTP encryption on.
    pub srtp_encr: Option<bool>,
    /// Type 8: SRTCP encryption on.
    pub srtcp_encr: Option<bool>,
    /// Type 9: sender's FEC order (0 = FEC-SRTP).
    pub fec_order: Option<u8>,
    /// Type 10: SRTP authentication on.
    pub srtp_auth: Option<bool>,
    /// Type 11: authentication tag length (bytes).
    pub auth_tag_len: Option<u8>,
    /// Type 12: SRTP prefix length (bytes).
    pub prefix_len: Option<u8>,
    /// Parameters of other types, in wire order.
    pub other: Vec<PolicyParam>,
}

impl SrtpPolicy {
    /// The policy as SP parameters.
    #[must_use]
    pub fn to_params(&self) -> Vec<PolicyParam> {
        use srtp_param as t;
        fn byte(out: &mut Vec<PolicyParam>, ptype: u8, v: Option<u8>) {
            if let Some(v) = v {
                out.push(PolicyParam {
                    ptype,
                    value: alloc::vec![v],
                });
            }
        }
        let mut out = Vec::new();
        byte(&mut out, t::ENCR_ALG, self.encr_alg.map(u8::from));
        byte(&mut out, t::ENCR_KEY_LEN, self.encr_key_len);
        byte(&mut out, t::AUTH_ALG, self.auth_alg.map(u8::from));
        byte(&mut out, t::AUTH_KEY_LEN, self.auth_key_len);
        byte(&mut out, t::SALT_LEN, self.salt_len);
        byte(&mut out, t::PRF, self.prf);
        if let Some(kdr) = self.kdr {
            out.push(PolicyParam {
                ptype: t::KDR,
                value: kdr.to_be_bytes().to_vec(),
            });
        }
        byte(&mut out, t::SRTP_ENCR, self.srtp_encr.map(u8::from));
        byte(&mut out, t::SRTCP_ENCR, self.srtcp_encr.map(u8::from));
        byte(&mut out, t::FEC_ORDER, self.fec_order);
        byte(&mut out, t::SRTP_AUTH, self.srtp_auth.map(u8::from));
        byte(&mut out, t::AUTH_TAG_LEN, self.auth_tag_len);
        byte(&mut out, t::PREFIX_LEN, self.prefix_len);
        out.extend(self.other.iter().cloned());
        out
    }
}

fn one_byte(value: &[u8]) -> Result<u8, SrtpPolicyError> {
    match value {
        [b] => Ok(*b),
        _ => Err(SrtpPolicyError("a one-byte parameter has another length")),
    }
}

fn on_off(value: &[u8]) -> Result<bool, SrtpPolicyError> {
    match one_byte(value)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(SrtpPolicyError("an off/on parameter is neither 0 nor 1")),
    }
}

fn set<T>(slot: &mut Option<T>, value: T) -> Result<(), SrtpPolicyError> {
    if slot.replace(value).is_some() {
        Err(SrtpPolicyError("a parameter is repeated"))
    } else {
        Ok(())
    }
}

impl TryFrom<&SecurityPolicy> for SrtpPolicy {
    type Error = SrtpPolicyError;

    fn try_from(sp: &SecurityPolicy) -> Result<Self, Self::Error> {
        use srtp_param as t;
        if sp.prot_type != 0 {
            return Err(SrtpPolicyError("Prot type is not SRTP"));
        }
        let mut p = Self::default();
        for param in &sp.params {
            let v = param.value.as_slice();
            match param.ptype {
                t::ENCR_ALG => set(&mut p.encr_alg, SrtpEncrAlg::from(one_byte(v)?))?,
                t::ENCR_KEY_LEN => set(&mut p.encr_key_len, one_byte(v)?)?,
                t::AUTH_ALG => set(&mut p.auth_alg, SrtpAuthAlg::from(one_byte(v)?))?,
                t::AUTH_KEY_LEN => set(&mut p.auth_key_len, one_byte(v)?)?,
                t::SALT_LEN => set(&mut p.salt_len, one_byte(v)?)?,
                t::PRF => set(&mut p.prf, one_byte(v)?)?,
                t::KDR => {
                    if v.is_empty() || v.len() > 4 {
                        return Err(SrtpPolicyError(
                            "the key derivation rate is not 1 to 4 bytes",
                        ));
                    }
                    let kdr = v.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b));
                    set(&mut p.kdr, kdr)?;
                }
                t::SRTP_ENCR => set(&mut p.srtp_encr, on_off(v)?)?,
                t::SRTCP_ENCR => set(&mut p.srtcp_encr, on_off(v)?)?,
                t::FEC_ORDER => set(&mut p.fec_order, one_byte(v)?)?,
                t::SRTP_AUTH => set(&mut p.srtp_auth, on_off(v)?)?,
                t::AUTH_TAG_LEN => set(&mut p.auth_tag_len, one_byte(v)?)?,
                t::PREFIX_LEN => set(&mut p.prefix_len, one_byte(v)?)?,
                _ => p.other.push(param.clone()),
            }
        }
        Ok(p)
    }
}

impl TryFrom<SecurityPolicy> for SrtpPolicy {
    type Error = SrtpPolicyError;

    fn try_from(sp: SecurityPolicy) -> Result<Self, Self::Error> {
        Self::try_from(&sp)
    }
}
