//! Helpers every role shares: finding payloads, the MAC of a V payload and
//! its coverage (RFC 6043 §5.5), timestamps, ERR messages.

use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use crate::codec::{
    CsIdMap, DataType, EncrAlg, ErrorCode, ErrorPayload, Header, IdRole, IdRoleKind, IdType, Kemac,
    MacAlg, Message, Payload, PrfFunc, RandRole, RandRoleKind, Ticket, Timestamp, TsRole, TsValue,
    Verification,
};
use crate::crypto::{self, Encryption, Mac, Prf, ProtectionKeys, TimestampValue};

use crate::error::Error;

/// The codec's PRF number for a crypto PRF.
pub(crate) fn prf_func(prf: Prf) -> PrfFunc {
    match prf {
        Prf::MikeyOne => PrfFunc::MikeyOne,
        Prf::HmacSha256 => PrfFunc::HmacSha256,
    }
}

/// The crypto PRF a PRF number names.
pub(crate) fn prf_of(func: &PrfFunc) -> Result<Prf, Error> {
    match func {
        PrfFunc::MikeyOne => Ok(Prf::MikeyOne),
        PrfFunc::HmacSha256 => Ok(Prf::HmacSha256),
        _ => Err(Error::Unsupported("PRF function")),
    }
}

/// The codec's MAC algorithm for a crypto MAC.
pub(crate) fn mac_alg(mac: Mac) -> MacAlg {
    match mac {
        Mac::Null => MacAlg::Null,
        Mac::HmacSha1_160 => MacAlg::HmacSha1_160,
        Mac::HmacSha256_256 => MacAlg::HmacSha256_256,
    }
}

/// The crypto MAC a MAC algorithm names; NULL is never accepted for a V payload.
pub(crate) fn mac_of(alg: &MacAlg) -> Result<Mac, Error> {
    match alg {
        MacAlg::HmacSha1_160 => Ok(Mac::HmacSha1_160),
        MacAlg::HmacSha256_256 => Ok(Mac::HmacSha256_256),
        _ => Err(Error::AuthFailure("NULL MAC")),
    }
}

/// The codec's encryption algorithm for a crypto encryption.
pub(crate) fn encr_alg(enc: Encryption) -> EncrAlg {
    match enc {
        Encryption::Null => EncrAlg::Null,
        Encryption::AesCm128 => EncrAlg::AesCm128,
        Encryption::AesKw128 => EncrAlg::AesKw128,
        Encryption::AesCm256 => EncrAlg::AesCm256,
    }
}

/// The crypto encryption an algorithm number names.
pub(crate) fn encryption_of(alg: &EncrAlg) -> Result<Encryption, Error> {
    match alg {
        EncrAlg::Null => Ok(Encryption::Null),
        EncrAlg::AesCm128 => Ok(Encryption::AesCm128),
        EncrAlg::AesKw128 => Ok(Encryption::AesKw128),
        EncrAlg::AesCm256 => Ok(Encryption::AesCm256),
        _ => Err(Error::Unsupported("KEMAC encryption algorithm")),
    }
}

/// The NTP-UTC timestamp of `now` (time since the Unix epoch).
pub(crate) fn ntp_now(now: Duration) -> TsValue {
    TsValue::NtpUtc(crypto::ntp_from_unix(now.as_secs(), now.subsec_nanos()))
}

/// A codec timestamp as the crypto module takes it.
pub(crate) fn ts_value(ts: &TsValue) -> TimestampValue {
    match *ts {
        TsValue::NtpUtc(v) => TimestampValue::NtpUtc(v),
        TsValue::Ntp(v) => TimestampValue::Ntp(v),
        TsValue::Counter(v) => TimestampValue::Counter(u64::from(v)),
        TsValue::NtpUtc32(v) => TimestampValue::NtpUtc32(v),
    }
}

/// The 64-bit T that goes into the KEMAC IV (RFC 3830 §4.2.3, RFC 6043 §6.3).
pub(crate) fn iv_t(ts: &TsValue) -> u64 {
    crypto::iv_timestamp(ts_value(ts))
}

/// The time since the Unix epoch an NTP-type timestamp names (None for a counter).
pub(crate) fn ts_time(ts: &TsValue) -> Option<Duration> {
    ts_value(ts).unix_time()
}

/// An IDR payload with a URI (or byte-string for PSK names) identity.
pub(crate) fn idr(role: IdRoleKind, data: &[u8]) -> Payload {
    let id_type = if matches!(role, IdRoleKind::Psk) {
        IdType::ByteString
    } else {
        IdType::Uri
    };
    Payload::Idr(IdRole {
        role,
        id_type,
        data: data.to_vec(),
    })
}

/// A RANDR payload.
pub(crate) fn randr(role: RandRoleKind, rand: &[u8]) -> Payload {
    Payload::Randr(RandRole {
        role,
        rand: rand.to_vec(),
    })
}

/// A T payload.
pub(crate) fn t(ts: TsValue) -> Payload {
    Payload::T(Timestamp { ts })
}

/// The ID data of every IDR payload with `role`.
pub(crate) fn idrs(payloads: &[Payload], role: IdRoleKind) -> impl Iterator<Item = &[u8]> {
    payloads.iter().filter_map(move |p| match p {
        Payload::Idr(id) if id.role == role => Some(id.data.as_slice()),
        _ => None,
    })
}

/// The ID data of the first IDR payload with `role`.
pub(crate) fn find_idr(payloads: &[Payload], role: IdRoleKind) -> Option<&[u8]> {
    idrs(payloads, role).next()
}

/// The RAND of the first RANDR payload with `role`.
pub(crate) fn find_randr(payloads: &[Payload], role: RandRoleKind) -> Option<&[u8]> {
    payloads.iter().find_map(|p| match p {
        Payload::Randr(r) if r.role == role => Some(r.rand.as_slice()),
        _ => None,
    })
}

/// The value of the first T payload.
pub(crate) fn find_t(payloads: &[Payload]) -> Option<&TsValue> {
    payloads.iter().find_map(|p| match p {
        Payload::T(t) => Some(&t.ts),
        _ => None,
    })
}

/// The value of the first TR payload with `role`.
pub(crate) fn find_tr(payloads: &[Payload], role: TsRole) -> Option<&TsValue> {
    payloads.iter().find_map(|p| match p {
        Payload::Tr(t) if t.role == role => Some(&t.ts),
        _ => None,
    })
}

/// The first KEMAC payload.
pub(crate) fn find_kemac(payloads: &[Payload]) -> Option<&Kemac> {
    payloads.iter().find_map(|p| match p {
        Payload::Kemac(k) => Some(k),
        _ => None,
    })
}

/// The first TICKET payload.
pub(crate) fn find_ticket(payloads: &[Payload]) -> Option<&Ticket> {
    payloads.iter().find_map(|p| match p {
        Payload::Ticket(t) => Some(t),
        _ => None,
    })
}

/// The V payload, which must be the last one.
pub(crate) fn last_v(payloads: &[Payload]) -> Result<&Verification, Error> {
    match payloads.last() {
        Some(Payload::V(v)) => Ok(v),
        _ => Err(Error::Missing("V (last)")),
    }
}

/// The first ERR payload's code.
pub(crate) fn find_err(payloads: &[Payload]) -> Option<ErrorCode> {
    payloads.iter().find_map(|p| match p {
        Payload::Err(e) => Some(e.code),
        _ => None,
    })
}

/// Refuses a message of the wrong data type, reporting a peer's ERR message
/// as such.
pub(crate) fn expect_type(msg: &Message, want: DataType, what: &'static str) -> Result<(), Error> {
    if msg.header.data_type == want {
        return Ok(());
    }
    if msg.header.data_type == DataType::Error {
        return Err(Error::Peer(
            find_err(&msg.payloads).unwrap_or(ErrorCode::Unspecified),
        ));
    }
    Err(Error::Unexpected(what))
}

/// The bytes of a message whose MAC is its last `mac_len` bytes, without them.
fn without_mac(bytes: &[u8], mac_len: usize) -> Result<&[u8], Error> {
    bytes
        .len()
        .checked_sub(mac_len)
        .and_then(|n| bytes.get(..n))
        .ok_or(Error::Missing("MAC"))
}

/// Appends a V payload to `msg`, emits it, and fills the MAC over the
/// message (without the MAC) followed by `extra` (RFC 6043 §5.5).
pub(crate) fn emit_with_v(mut msg: Message, keys: &ProtectionKeys, extra: &[&[u8]]) -> Vec<u8> {
    let mac_len = keys.tag_len();
    msg.payloads.push(Payload::V(Verification {
        mac_alg: mac_alg(keys.mac_alg()),
        mac: vec![0; mac_len],
    }));
    let mut bytes = msg.to_bytes();
    let covered = bytes.len() - mac_len;
    let tag = mac_over(keys, bytes.get(..covered).unwrap_or_default(), extra);
    if let Some(slot) = bytes.get_mut(covered..) {
        slot.copy_from_slice(&tag);
    }
    bytes
}

/// The MAC over `head || extra…`.
pub(crate) fn mac_over(keys: &ProtectionKeys, head: &[u8], extra: &[&[u8]]) -> Vec<u8> {
    let mut parts = Vec::with_capacity(extra.len() + 1);
    parts.push(head);
    parts.extend_from_slice(extra);
    keys.mac_parts(&parts)
}

/// Verifies the V payload ending `bytes` over the message and `extra`.
pub(crate) fn verify_v(
    bytes: &[u8],
    v: &Verification,
    keys: &ProtectionKeys,
    extra: &[&[u8]],
) -> Result<(), Error> {
    if mac_of(&v.mac_alg)? != keys.mac_alg() {
        return Err(Error::AuthFailure(
            "MAC algorithm differs from the expected one",
        ));
    }
    let head = without_mac(bytes, v.mac.len())?;
    if !bytes.ends_with(&v.mac) {
        return Err(Error::AuthFailure("V is not the last payload"));
    }
    let mut parts = Vec::with_capacity(extra.len() + 1);
    parts.push(head);
    parts.extend_from_slice(extra);
    keys.verify_parts(&parts, &v.mac)
        .map_err(|_| Error::AuthFailure("MAC does not verify"))
}

/// What the TRANSFER_INIT MAC covers (RFC 6043 §5.5): the message without
/// the Initiator Data length and Initiator Data of its TICKET payload and
/// without the MAC itself. `msg` is the parsed (or about to be sent)
/// message, which the codec emits byte for byte as received.
pub(crate) fn transfer_init_coverage(msg: &Message, mac_len: usize) -> Result<Vec<u8>, Error> {
    let index = msg
        .payloads
        .iter()
        .position(|p| matches!(p, Payload::Ticket(_)))
        .ok_or(Error::Missing("TICKET"))?;
    let mut stripped = msg.clone();
    if let Some(Payload::Ticket(ticket)) = stripped.payloads.get_mut(index) {
        ticket.initiator_data.clear();
    }
    // The TICKET payload ends at the length of the message cut after it (the
    // cut changes one next-payload value, never a length).
    let ticket_end = Message {
        header: stripped.header.clone(),
        payloads: stripped.payloads.get(..=index).unwrap_or_default().to_vec(),
    }
    .to_bytes()
    .len();
    let mut bytes = stripped.to_bytes();
    let covered = bytes
        .len()
        .checked_sub(mac_len)
        .ok_or(Error::Missing("MAC"))?;
    bytes.truncate(covered);
    // Drop the (now zero) Initiator Data length, the TICKET payload's last two bytes.
    let start = ticket_end.checked_sub(2).ok_or(Error::Missing("TICKET"))?;
    if ticket_end > bytes.len() {
        return Err(Error::Missing("V after TICKET"));
    }
    bytes.drain(start..ticket_end);
    Ok(bytes)
}

/// A header for a message of `data_type` in the bundle `csb_id`.
pub(crate) fn header(
    data_type: DataType,
    v_flag: bool,
    prf: Prf,
    csb_id: u32,
    cs_map: CsIdMap,
) -> Header {
    Header {
        version: 1,
        data_type,
        v_flag,
        prf: prf_func(prf),
        csb_id,
        cs_map,
    }
}

/// An ERR message answering `to` (RFC 6043 §5.4: HDR, T, ERR, [V]); with
/// `keys` (the ones of the refused message) it carries a V payload.
pub(crate) fn error_message(
    to: &Header,
    code: ErrorCode,
    now: Duration,
    keys: Option<&ProtectionKeys>,
) -> Vec<u8> {
    let msg = Message {
        header: Header {
            version: to.version,
            data_type: DataType::Error,
            v_flag: false,
            prf: to.prf,
            csb_id: to.csb_id,
            cs_map: to.cs_map.clone(),
        },
        payloads: vec![
            t(ntp_now(now)),
            Payload::Err(ErrorPayload { code, reserved: 0 }),
        ],
    };
    match keys {
        Some(keys) => emit_with_v(msg, keys, &[]),
        None => msg.to_bytes(),
    }
}

/// Random bytes from the caller's generator.
pub(crate) fn random<const N: usize>(rng: &mut impl rand_core::RngCore) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}
