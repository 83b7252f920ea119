//! What a MIKEY exchange hands to SRTP: per crypto session, the master key
//! and salt derived from the TGK (or carried as a TEK) and the negotiated
//! security policy, as an srtp-sdes [`Policy`].

use alloc::vec::Vec;

use srtp_sdes::{CryptoSuite, MasterKey, Mki, Policy};

use crate::codec::{PolicyParam, SecurityPolicy};
use crate::error::Error;

/// The SRTP policy parameter types of RFC 3830 §6.10.1.
mod param {
    pub(super) const ENCR_ALG: u8 = 0;
    pub(super) const ENCR_KEY_LEN: u8 = 1;
    pub(super) const AUTH_ALG: u8 = 2;
    pub(super) const AUTH_KEY_LEN: u8 = 3;
    pub(super) const SALT_LEN: u8 = 4;
    pub(super) const PRF: u8 = 5;
    pub(super) const KDR: u8 = 6;
    pub(super) const SRTP_ENCR: u8 = 7;
    pub(super) const SRTCP_ENCR: u8 = 8;
    pub(super) const SRTP_AUTH: u8 = 10;
    pub(super) const TAG_LEN: u8 = 11;
}

/// The SRTP protocol type in an SP payload (RFC 3830 Table 6.10).
pub const PROT_SRTP: u8 = 0;

/// One crypto session as a MIKEY exchange established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoSession {
    /// CS ID (GENERIC-ID map) or position + 1 (SRTP-ID map).
    pub cs_id: u8,
    /// The SSRC the crypto session is bound to.
    pub ssrc: u32,
    /// The initial rollover counter.
    pub roc: u32,
    /// The SRTP master key and salt, suite and services, ready for
    /// [`srtp_sdes::OutboundSession::new`] or [`srtp_sdes::InboundSession::new`].
    pub policy: Policy,
}

/// The SRTP suite and services an SP payload selects, RFC 3711's defaults
/// filling what it leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpParams {
    /// The suite.
    pub suite: CryptoSuite,
    /// Key derivation rate.
    pub kdr: u64,
    /// SRTP encryption on.
    pub encrypt_rtp: bool,
    /// SRTCP encryption on.
    pub encrypt_rtcp: bool,
    /// SRTP authentication on.
    pub authenticate_rtp: bool,
}

impl Default for SrtpParams {
    fn default() -> Self {
        Self {
            suite: CryptoSuite::AesCm128HmacSha1_80,
            kdr: 0,
            encrypt_rtp: true,
            encrypt_rtcp: true,
            authenticate_rtp: true,
        }
    }
}

fn be_value(value: &[u8]) -> Result<u64, Error> {
    if value.len() > 8 {
        return Err(Error::Policy("SRTP policy value longer than 8 bytes"));
    }
    Ok(value.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

impl SrtpParams {
    /// Reads an SRTP SP payload (RFC 3830 §6.10.1); parameters we cannot
    /// run (F8, NULL authentication with encryption, other PRFs) are refused.
    pub fn from_sp(sp: &SecurityPolicy) -> Result<Self, Error> {
        if sp.prot_type != PROT_SRTP {
            return Err(Error::Policy("security policy is not for SRTP"));
        }
        let mut encr_alg = 1;
        let mut key_len = 16;
        let mut auth_alg = 1;
        let mut tag_len = 10;
        let mut out = Self::default();
        for p in &sp.params {
            let v = be_value(&p.value)?;
            match p.ptype {
                param::ENCR_ALG => encr_alg = v,
                param::ENCR_KEY_LEN => key_len = v,
                param::AUTH_ALG => auth_alg = v,
                param::AUTH_KEY_LEN if v != 20 => {
                    return Err(Error::Policy("SRTP authentication key length is not 20"))
                }
                param::SALT_LEN if v != 14 => {
                    return Err(Error::Policy("SRTP salt length is not 14"))
                }
                param::PRF if v != 0 => return Err(Error::Policy("SRTP PRF is not AES-CM")),
                param::KDR => out.kdr = v,
                param::SRTP_ENCR => out.encrypt_rtp = v != 0,
                param::SRTCP_ENCR => out.encrypt_rtcp = v != 0,
                param::SRTP_AUTH => out.authenticate_rtp = v != 0,
                param::TAG_LEN => tag_len = v,
                _ => {}
            }
        }
        if auth_alg != 1 {
            return Err(Error::Policy("SRTP authentication other than HMAC-SHA-1"));
        }
        if encr_alg == 0 {
            out.encrypt_rtp = false;
            out.encrypt_rtcp = false;
        } else if encr_alg != 1 {
            return Err(Error::Policy("SRTP encryption other than AES-CM"));
        }
        out.suite = match (key_len, tag_len) {
            (16, 10) => CryptoSuite::AesCm128HmacSha1_80,
            (16, 4) => CryptoSuite::AesCm128HmacSha1_32,
            (24, 10) => CryptoSuite::AesCm192HmacSha1_80,
            (24, 4) => CryptoSuite::AesCm192HmacSha1_32,
            (32, 10) => CryptoSuite::AesCm256HmacSha1_80,
            (32, 4) => CryptoSuite::AesCm256HmacSha1_32,
            _ => return Err(Error::Policy("SRTP key or tag length not supported")),
        };
        Ok(out)
    }

    /// The SP payload that selects these parameters, numbered `policy_no`.
    pub fn to_sp(&self, policy_no: u8) -> SecurityPolicy {
        let (key_len, tag_len): (u8, u8) = match self.suite {
            CryptoSuite::AesCm128HmacSha1_32 => (16, 4),
            CryptoSuite::AesCm192HmacSha1_80 => (24, 10),
            CryptoSuite::AesCm192HmacSha1_32 => (24, 4),
            CryptoSuite::AesCm256HmacSha1_80 => (32, 10),
            CryptoSuite::AesCm256HmacSha1_32 => (32, 4),
            _ => (16, 10),
        };
        let byte = |ptype: u8, v: u8| PolicyParam {
            ptype,
            value: alloc::vec![v],
        };
        let mut params = alloc::vec![
            byte(param::ENCR_ALG, 1),
            byte(param::ENCR_KEY_LEN, key_len),
            byte(param::AUTH_ALG, 1),
            byte(param::AUTH_KEY_LEN, 20),
            byte(param::SALT_LEN, 14),
            byte(param::PRF, 0),
            byte(param::SRTP_ENCR, u8::from(self.encrypt_rtp)),
            byte(param::SRTCP_ENCR, u8::from(self.encrypt_rtcp)),
            byte(param::SRTP_AUTH, u8::from(self.authenticate_rtp)),
            byte(param::TAG_LEN, tag_len),
        ];
        if self.kdr != 0 {
            params.push(PolicyParam {
                ptype: param::KDR,
                value: (self.kdr as u32).to_be_bytes().to_vec(),
            });
        }
        SecurityPolicy {
            policy_no,
            prot_type: PROT_SRTP,
            params,
        }
    }

    /// The master key length the suite needs.
    pub fn master_key_len(&self) -> usize {
        self.suite.master_key_len()
    }

    /// An srtp-sdes policy with this master key, salt and MKI.
    pub fn policy(&self, key: &[u8], salt: &[u8], mki: Option<&[u8]>) -> Result<Policy, Error> {
        let salt = salt.get(..14).unwrap_or(salt);
        let mut master = MasterKey::new(key, salt)
            .map_err(|_| Error::Policy("SRTP master key or salt length"))?;
        if let Some(mki) = mki.filter(|m| !m.is_empty()) {
            master = master.with_mki(Mki::new(mki).map_err(|_| Error::Policy("SRTP MKI length"))?);
        }
        let mut policy = Policy::new(self.suite, master);
        policy.kdr = self.kdr;
        policy.encrypt_rtp = self.encrypt_rtp;
        policy.encrypt_rtcp = self.encrypt_rtcp;
        policy.authenticate_rtp = self.authenticate_rtp;
        policy
            .validate()
            .map_err(|_| Error::Policy("SRTP policy not valid"))?;
        Ok(policy)
    }
}

/// Finds SP payload number `policy_no` among `sps`.
pub(crate) fn find_sp<'a>(
    sps: impl IntoIterator<Item = &'a SecurityPolicy>,
    policy_no: u8,
) -> Option<&'a SecurityPolicy> {
    sps.into_iter().find(|sp| sp.policy_no == policy_no)
}

/// The crypto sessions of a GENERIC-ID map keyed from TGKs (RFC 6043
/// §5.1.3): per CS, TEK = PRF(TGK, label(TEK, CS ID, RANDRi?, RANDRr?)),
/// salt from the key data sub-payload (or derived when it has none), the
/// policy from the CS's SP payload, the TGK chosen by the CS's SPI.
pub(crate) fn ticket_sessions(
    prf: crate::crypto::Prf,
    map: &[crate::codec::GenericCs],
    sps: &[&SecurityPolicy],
    keys: &[crate::codec::KeyData],
    randri: Option<&[u8]>,
    randrr: Option<&[u8]>,
) -> Result<Vec<CryptoSession>, Error> {
    use crate::codec::{KeyType, KeyValidity};
    use crate::crypto::{label_ticket_tgk, KeyKind};
    let mut out = Vec::with_capacity(map.len());
    for cs in map {
        if cs.prot_type != PROT_SRTP {
            return Err(Error::Policy("crypto session is not SRTP"));
        }
        let policy_no = *cs
            .policies
            .first()
            .ok_or(Error::Policy("crypto session without a policy"))?;
        let params = match find_sp(sps.iter().copied(), policy_no) {
            Some(sp) => SrtpParams::from_sp(sp)?,
            None => SrtpParams::default(),
        };
        let (ssrc, roc_seq) = cs
            .srtp_session()
            .ok_or(Error::Policy("crypto session without an SSRC"))?;
        let key = keys
            .iter()
            .filter(|k| matches!(k.key_type, KeyType::Tgk | KeyType::Gtgk | KeyType::Tek))
            .find(|k| matches!(&k.kv, KeyValidity::Spi(spi) if *spi == cs.spi))
            .or_else(|| {
                keys.iter()
                    .find(|k| matches!(k.key_type, KeyType::Tgk | KeyType::Gtgk | KeyType::Tek))
            })
            .ok_or(Error::Missing("TGK"))?;
        let mut master = alloc::vec![0u8; params.master_key_len()];
        let mut salt = alloc::vec![0u8; 14];
        if key.key_type == KeyType::Tek {
            let tek = key.key.expose_secret();
            master = tek
                .get(..params.master_key_len())
                .ok_or(Error::Policy("TEK too short"))?
                .to_vec();
        } else {
            crate::crypto::prf(
                prf,
                key.key.expose_secret(),
                &label_ticket_tgk(KeyKind::Tek, cs.cs_id, randri, randrr)?,
                &mut master,
            );
        }
        match &key.salt {
            Some(s) if s.expose_secret().len() >= 14 => {
                salt.copy_from_slice(s.expose_secret().get(..14).unwrap_or_default())
            }
            _ => crate::crypto::prf(
                prf,
                key.key.expose_secret(),
                &label_ticket_tgk(KeyKind::Salt, cs.cs_id, randri, randrr)?,
                &mut salt,
            ),
        }
        let policy = params.policy(&master, &salt, None);
        zeroize::Zeroize::zeroize(&mut master);
        zeroize::Zeroize::zeroize(&mut salt);
        out.push(CryptoSession {
            cs_id: cs.cs_id,
            ssrc,
            roc: roc_seq.map_or(0, |(roc, _)| roc),
            policy: policy?,
        });
    }
    Ok(out)
}
