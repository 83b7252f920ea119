//! Key derivation labels and the derivations built on them: RFC 3830
//! §4.1.3 and §4.1.4, RFC 6043 §5.1.1 to §5.1.3, §6.10, Appendix A.2.1 and
//! A.2.2.
//!
//! Two constant tables exist and they differ: keys derived from a TGK use
//! Table 4.1.3 of RFC 3830 ([`KeyKind`]), keys that protect MIKEY messages
//! (from an envelope key, a PSK, an MPK, MPKr or a TPK) use Table 4.1.4
//! ([`MessageKeyKind`]). The two enums keep them apart.

use alloc::vec::Vec;

use ims_sec_core::SecretBytes;
use zeroize::Zeroizing;

use super::error::CryptoError;
use super::prf::{prf, Prf};

/// The longest key the convenience derivations return, in bytes.
pub const MAX_KEY_LEN: usize = 255;

/// A derived key: zeroized on drop, redacted in `Debug`, compared in
/// constant time.
pub type KeyBytes = SecretBytes<MAX_KEY_LEN>;

/// A key derived from a TGK (RFC 3830 §4.1.3, Table 4.1.3; also RFC 6043
/// §5.1.3 for TGK, TGK' and GTGK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// TEK, constant `0x2AD01C64`.
    Tek,
    /// Authentication key, constant `0x1B5C7973`.
    Auth,
    /// Encryption key, constant `0x15798CEF`.
    Encr,
    /// Salting key, constant `0x39A2C14B`.
    Salt,
}

impl KeyKind {
    /// The label constant of RFC 3830 Table 4.1.3.
    #[must_use]
    pub const fn constant(self) -> u32 {
        match self {
            Self::Tek => 0x2AD0_1C64,
            Self::Auth => 0x1B5C_7973,
            Self::Encr => 0x1579_8CEF,
            Self::Salt => 0x39A2_C14B,
        }
    }
}

/// A key that protects MIKEY messages, derived from an envelope key, a
/// pre-shared key, an MPK, MPKr or a TPK (RFC 3830 §4.1.4, Table 4.1.4,
/// which RFC 6043 §5.1.2, §6.10 and Appendix A.2.1 reuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKeyKind {
    /// Encryption key, constant `0x150533E1`.
    Encr,
    /// Authentication key, constant `0x2D22AC75`.
    Auth,
    /// Salt key, constant `0x29B88916`.
    Salt,
}

impl MessageKeyKind {
    /// The label constant of RFC 3830 Table 4.1.4.
    #[must_use]
    pub const fn constant(self) -> u32 {
        match self {
            Self::Encr => 0x1505_33E1,
            Self::Auth => 0x2D22_AC75,
            Self::Salt => 0x29B8_8916,
        }
    }
}

/// Which message of an exchange the keys protect (RFC 6043 §5.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The initial message (`0x01`).
    Initial,
    /// The response message (`0x02`).
    Response,
}

impl Direction {
    const fn code(self) -> u8 {
        match self {
            Self::Initial => 0x01,
            Self::Response => 0x02,
        }
    }
}

/// The key a fork derivation produces (RFC 6043 §5.1.1, Table 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForkedKey {
    /// MPKr' from MPKr, constant `0x2B288856`.
    Mpkr,
    /// TGK' from a TGK, constant `0x1512B54A`.
    Tgk,
}

impl ForkedKey {
    /// The label constant of RFC 6043 Table 5.1.
    #[must_use]
    pub const fn constant(self) -> u32 {
        match self {
            Self::Mpkr => 0x2B28_8856,
            Self::Tgk => 0x1512_B54A,
        }
    }
}

/// Which key is derived from the MPK (RFC 6043 Appendix A.2.2, Table A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MpkRole {
    /// MPKi, constant `0x220E99A2`.
    Initiator,
    /// MPKr, constant `0x1F4D675B`.
    Responder,
}

impl MpkRole {
    /// The label constant of RFC 6043 Table A.1.
    #[must_use]
    pub const fn constant(self) -> u32 {
        match self {
            Self::Initiator => 0x220E_99A2,
            Self::Responder => 0x1F4D_675B,
        }
    }
}

/// Appends an 8-bit length and the bytes (RFC 6043: "length RAND is the
/// length of RAND in bytes as an 8-bit unsigned integer").
fn push_len8(label: &mut Vec<u8>, what: &'static str, bytes: &[u8]) -> Result<(), CryptoError> {
    let len = u8::try_from(bytes.len()).map_err(|_| CryptoError::BadLength {
        what,
        len: bytes.len(),
    })?;
    label.push(len);
    label.extend_from_slice(bytes);
    Ok(())
}

/// Appends `length RANDRi || [RANDRi] || length RANDRr || [RANDRr]`, an
/// omitted RAND having length 0; at least one must be present.
fn push_randr(
    label: &mut Vec<u8>,
    randri: Option<&[u8]>,
    randrr: Option<&[u8]>,
) -> Result<(), CryptoError> {
    if randri.is_none() && randrr.is_none() {
        return Err(CryptoError::MissingRand);
    }
    push_len8(label, "RANDRi", randri.unwrap_or_default())?;
    push_len8(label, "RANDRr", randrr.unwrap_or_default())
}

/// RFC 3830 §4.1.3: `constant || cs_id || csb_id || RAND`.
#[must_use]
pub fn label_tgk(kind: KeyKind, cs_id: u8, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut l = Vec::with_capacity(9 + rand.len());
    l.extend_from_slice(&kind.constant().to_be_bytes());
    l.push(cs_id);
    l.extend_from_slice(&csb_id.to_be_bytes());
    l.extend_from_slice(rand);
    l
}

/// RFC 3830 §4.1.4: `constant || 0xFF || csb_id || RAND`.
#[must_use]
pub fn label_envelope(kind: MessageKeyKind, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut l = Vec::with_capacity(9 + rand.len());
    l.extend_from_slice(&kind.constant().to_be_bytes());
    l.push(0xFF);
    l.extend_from_slice(&csb_id.to_be_bytes());
    l.extend_from_slice(rand);
    l
}

/// RFC 6043 §5.1.2: `constant || 0xFF || CSB ID || 0x01 (initial) or 0x02
/// (response) || length RANDRi || [RANDRi] || length RANDRr || [RANDRr]`.
///
/// An omitted RAND has length 0. Errors: both omitted
/// ([`CryptoError::MissingRand`]), a RAND longer than 255 bytes.
pub fn label_ticket_message(
    kind: MessageKeyKind,
    csb_id: u32,
    direction: Direction,
    randri: Option<&[u8]>,
    randrr: Option<&[u8]>,
) -> Result<Vec<u8>, CryptoError> {
    let mut l =
        Vec::with_capacity(12 + randri.map_or(0, <[u8]>::len) + randrr.map_or(0, <[u8]>::len));
    l.extend_from_slice(&kind.constant().to_be_bytes());
    l.push(0xFF);
    l.extend_from_slice(&csb_id.to_be_bytes());
    l.push(direction.code());
    push_randr(&mut l, randri, randrr)?;
    Ok(l)
}

/// RFC 6043 §5.1.3: `constant || CS ID || 0xFFFFFFFF || 0x03 || length
/// RANDRi || [RANDRi] || length RANDRr || [RANDRr]` (Table 4.1.3 constants).
///
/// Errors as for [`label_ticket_message`].
pub fn label_ticket_tgk(
    kind: KeyKind,
    cs_id: u8,
    randri: Option<&[u8]>,
    randrr: Option<&[u8]>,
) -> Result<Vec<u8>, CryptoError> {
    let mut l =
        Vec::with_capacity(12 + randri.map_or(0, <[u8]>::len) + randrr.map_or(0, <[u8]>::len));
    l.extend_from_slice(&kind.constant().to_be_bytes());
    l.push(cs_id);
    l.extend_from_slice(&[0xFF; 4]);
    l.push(0x03);
    push_randr(&mut l, randri, randrr)?;
    Ok(l)
}

/// RFC 6043 §5.1.1: `constant || 0xFF || 0xFFFFFFFF || 0x00 || length ID
/// Data (16 bits) || ID Data || length RANDRkms (8 bits) || RANDRkms`.
///
/// `id_data` is the ID Data field of the IDRr payload. Errors: ID Data
/// longer than 65535 bytes or RANDRkms longer than 255.
pub fn label_fork(
    which: ForkedKey,
    id_data: &[u8],
    randrkms: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let id_len = u16::try_from(id_data.len()).map_err(|_| CryptoError::BadLength {
        what: "ID Data",
        len: id_data.len(),
    })?;
    let mut l = Vec::with_capacity(13 + id_data.len() + randrkms.len());
    l.extend_from_slice(&which.constant().to_be_bytes());
    l.push(0xFF);
    l.extend_from_slice(&[0xFF; 4]);
    l.push(0x00);
    l.extend_from_slice(&id_len.to_be_bytes());
    l.extend_from_slice(id_data);
    push_len8(&mut l, "RANDRkms", randrkms)?;
    Ok(l)
}

/// RFC 6043 §6.10, the key of the Vr payload in the Initiator Data, from
/// MPKr (not forked): `constant || 0xFF || 0xFFFFFFFF || 0x04`.
#[must_use]
pub fn label_initiator_data(kind: MessageKeyKind) -> Vec<u8> {
    let mut l = Vec::with_capacity(10);
    l.extend_from_slice(&kind.constant().to_be_bytes());
    l.push(0xFF);
    l.extend_from_slice(&[0xFF; 4]);
    l.push(0x04);
    l
}

/// RFC 6043 Appendix A.2.1, keys from a TPK: `constant || 0xFF ||
/// 0xFFFFFFFF || 0x05 || length RAND || RAND`.
///
/// Errors: RAND longer than 255 bytes.
pub fn label_tpk(kind: MessageKeyKind, rand: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut l = Vec::with_capacity(11 + rand.len());
    l.extend_from_slice(&kind.constant().to_be_bytes());
    l.push(0xFF);
    l.extend_from_slice(&[0xFF; 4]);
    l.push(0x05);
    push_len8(&mut l, "RAND", rand)?;
    Ok(l)
}

/// RFC 6043 Appendix A.2.2, MPKi and MPKr from the MPK: `constant || 0xFF
/// || 0xFFFFFFFF || 0x06 || length RAND || RAND`.
///
/// Errors: RAND longer than 255 bytes.
pub fn label_mpk(role: MpkRole, rand: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut l = Vec::with_capacity(11 + rand.len());
    l.extend_from_slice(&role.constant().to_be_bytes());
    l.push(0xFF);
    l.extend_from_slice(&[0xFF; 4]);
    l.push(0x06);
    push_len8(&mut l, "RAND", rand)?;
    Ok(l)
}

/// The context of a message-protection key derivation: which clause's label
/// to build for each [`MessageKeyKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKeyLabel<'a> {
    /// RFC 3830 §4.1.4 (envelope key or PSK of plain MIKEY).
    Envelope {
        /// CSB ID of the HDR payload.
        csb_id: u32,
        /// The RAND of the RAND payload.
        rand: &'a [u8],
    },
    /// RFC 6043 §5.1.2 (PSK, envelope key, MPKi or MPKr').
    Ticket {
        /// CSB ID of the HDR payload.
        csb_id: u32,
        /// Initial (`0x01`) or response (`0x02`) message.
        direction: Direction,
        /// RANDRi, if the exchange uses it.
        randri: Option<&'a [u8]>,
        /// RANDRr, if the exchange uses it.
        randrr: Option<&'a [u8]>,
    },
    /// RFC 6043 §6.10 (the Vr key of the Initiator Data, from MPKr).
    InitiatorData,
    /// RFC 6043 Appendix A.2.1 (from the TPK of a MIKEY Base Ticket).
    Tpk {
        /// The RAND of the Ticket Data.
        rand: &'a [u8],
    },
}

impl MessageKeyLabel<'_> {
    /// The label for one key kind.
    pub fn label(&self, kind: MessageKeyKind) -> Result<Vec<u8>, CryptoError> {
        match *self {
            Self::Envelope { csb_id, rand } => Ok(label_envelope(kind, csb_id, rand)),
            Self::Ticket {
                csb_id,
                direction,
                randri,
                randrr,
            } => label_ticket_message(kind, csb_id, direction, randri, randrr),
            Self::InitiatorData => Ok(label_initiator_data(kind)),
            Self::Tpk { rand } => label_tpk(kind, rand),
        }
    }
}

/// The context of a derivation from a TGK (TEK, salt, encryption or
/// authentication key for the security protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TgkLabel<'a> {
    /// RFC 3830 §4.1.3.
    Rfc3830 {
        /// CS ID of the crypto session.
        cs_id: u8,
        /// CSB ID of the HDR payload.
        csb_id: u32,
        /// The RAND of the RAND payload.
        rand: &'a [u8],
    },
    /// RFC 6043 §5.1.3 (TGK, TGK' or GTGK in the Ticket Transfer exchange).
    Ticket {
        /// CS ID of the crypto session.
        cs_id: u8,
        /// RANDRi, if the Ticket Policy's H flag says so.
        randri: Option<&'a [u8]>,
        /// RANDRr, if the Ticket Policy's G flag says so.
        randrr: Option<&'a [u8]>,
    },
}

impl TgkLabel<'_> {
    /// The label for one key kind.
    pub fn label(&self, kind: KeyKind) -> Result<Vec<u8>, CryptoError> {
        match *self {
            Self::Rfc3830 {
                cs_id,
                csb_id,
                rand,
            } => Ok(label_tgk(kind, cs_id, csb_id, rand)),
            Self::Ticket {
                cs_id,
                randri,
                randrr,
            } => label_ticket_tgk(kind, cs_id, randri, randrr),
        }
    }
}

/// `PRF(inkey, label)` of `out_len` bytes as a secret. Errors: empty input
/// key, `out_len` above [`MAX_KEY_LEN`].
pub fn derive_key(
    prf_kind: Prf,
    inkey: &[u8],
    label: &[u8],
    out_len: usize,
) -> Result<KeyBytes, CryptoError> {
    if inkey.is_empty() {
        return Err(CryptoError::EmptyKey);
    }
    if out_len > MAX_KEY_LEN {
        return Err(CryptoError::BadLength {
            what: "derived key",
            len: out_len,
        });
    }
    let mut buf = Zeroizing::new([0u8; MAX_KEY_LEN]);
    let out = buf.get_mut(..out_len).unwrap_or_default();
    prf(prf_kind, inkey, label, out);
    KeyBytes::from_slice(out).map_err(|e| CryptoError::BadLength {
        what: "derived key",
        len: e.got,
    })
}

/// RFC 6043 §5.1.1: MPKr' or TGK' from MPKr or a TGK; the output is as long
/// as the input (`outkey_len = inkey_len`).
pub fn fork_key(
    prf_kind: Prf,
    key: &[u8],
    which: ForkedKey,
    id_data: &[u8],
    randrkms: &[u8],
) -> Result<KeyBytes, CryptoError> {
    derive_key(
        prf_kind,
        key,
        &label_fork(which, id_data, randrkms)?,
        key.len(),
    )
}

/// RFC 6043 Appendix A.2.2: MPKi or MPKr from the MPK; the output is as long
/// as the input.
pub fn derive_mpk(
    prf_kind: Prf,
    mpk: &[u8],
    role: MpkRole,
    rand: &[u8],
) -> Result<KeyBytes, CryptoError> {
    derive_key(prf_kind, mpk, &label_mpk(role, rand)?, mpk.len())
}

/// A key of `len` bytes from a TGK (RFC 3830 §4.1.3 or RFC 6043 §5.1.3).
pub fn derive_from_tgk(
    prf_kind: Prf,
    tgk: &[u8],
    label: &TgkLabel<'_>,
    kind: KeyKind,
    len: usize,
) -> Result<KeyBytes, CryptoError> {
    derive_key(prf_kind, tgk, &label.label(kind)?, len)
}

/// A message-protection key of `len` bytes (RFC 3830 §4.1.4, RFC 6043
/// §5.1.2, §6.10, A.2.1).
pub fn derive_message_key(
    prf_kind: Prf,
    inkey: &[u8],
    label: &MessageKeyLabel<'_>,
    kind: MessageKeyKind,
    len: usize,
) -> Result<KeyBytes, CryptoError> {
    derive_key(prf_kind, inkey, &label.label(kind)?, len)
}

/// RFC 3830 §4.1.3: the TEK of crypto session `cs_id`.
pub fn tek_from_tgk_rfc3830(
    prf_kind: Prf,
    tgk: &[u8],
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    tek_len: usize,
) -> Result<KeyBytes, CryptoError> {
    derive_key(
        prf_kind,
        tgk,
        &label_tgk(KeyKind::Tek, cs_id, csb_id, rand),
        tek_len,
    )
}

/// RFC 3830 §4.1.3: the salting key of crypto session `cs_id`, for when the
/// Key data sub-payload carries none.
pub fn salt_from_tgk_rfc3830(
    prf_kind: Prf,
    tgk: &[u8],
    cs_id: u8,
    csb_id: u32,
    rand: &[u8],
    salt_len: usize,
) -> Result<KeyBytes, CryptoError> {
    derive_key(
        prf_kind,
        tgk,
        &label_tgk(KeyKind::Salt, cs_id, csb_id, rand),
        salt_len,
    )
}

/// RFC 6043 §5.1.3: the TEK of crypto session `cs_id` from a TGK, TGK' or GTGK.
pub fn tek_from_tgk_ticket(
    prf_kind: Prf,
    tgk: &[u8],
    cs_id: u8,
    randri: Option<&[u8]>,
    randrr: Option<&[u8]>,
    tek_len: usize,
) -> Result<KeyBytes, CryptoError> {
    derive_key(
        prf_kind,
        tgk,
        &label_ticket_tgk(KeyKind::Tek, cs_id, randri, randrr)?,
        tek_len,
    )
}

/// RFC 6043 §5.1.3: the salting key of crypto session `cs_id`, for when the
/// Key data sub-payload carries none.
pub fn salt_from_tgk_ticket(
    prf_kind: Prf,
    tgk: &[u8],
    cs_id: u8,
    randri: Option<&[u8]>,
    randrr: Option<&[u8]>,
    salt_len: usize,
) -> Result<KeyBytes, CryptoError> {
    derive_key(
        prf_kind,
        tgk,
        &label_ticket_tgk(KeyKind::Salt, cs_id, randri, randrr)?,
        salt_len,
    )
}
