//! The MIKEY base ticket (RFC 6043 Appendix A): Ticket Data =
//! THDR, T, RAND, KEMAC, [IDRpsk], V, sealed with a ticket protection key
//! (TPK). In mode 1 only the KMS holds the TPK, so the ticket is opaque to
//! everyone else and the KMS needs no store: the ticket carries the keys.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use ims_sec_core::SecretBytes;

use crate::codec::{
    emit_chain, IdRoleKind, Kemac, KeyData, KeyType, MacAlg, Payload, Rand, Ticket, TicketData,
    TicketHeader, TicketPolicy, Timestamp, TsValue, Verification,
};
use crate::crypto::{
    derive_mpk, Encryption, Mac, MessageKeyLabel, MpkRole, ProtectionKeys, MAX_KEY_LEN,
};
use crate::error::Error;

use super::policy::BASE_TICKET;
use super::wire;

/// The CSB ID that goes into the ticket KEMAC's IV (Appendix A.1).
const TICKET_CSB_ID: u32 = 0xFFFF_FFFF;

/// A ticket protection key and the name IDRpsk gives it.
pub struct TicketProtectionKey {
    /// The name carried in the ticket's IDRpsk payload.
    pub id: Vec<u8>,
    key: SecretBytes<64>,
    /// KEMAC encryption of tickets sealed with this key.
    pub encryption: Encryption,
    /// MAC of tickets sealed with this key.
    pub mac: Mac,
}

impl TicketProtectionKey {
    /// A TPK (16 to 64 bytes) named `id`, sealing with AES-CM-128 and HMAC-SHA-256-256.
    pub fn new(id: &[u8], key: &[u8]) -> Result<Self, Error> {
        if key.len() < 16 {
            return Err(Error::Policy("ticket protection key shorter than 16 bytes"));
        }
        Ok(Self {
            id: id.to_vec(),
            key: SecretBytes::from_slice(key)
                .map_err(|_| Error::Policy("ticket protection key longer than 64 bytes"))?,
            encryption: Encryption::AesCm128,
            mac: Mac::HmacSha256_256,
        })
    }

    /// The key bytes.
    pub(crate) fn key(&self) -> &[u8] {
        self.key.expose_secret()
    }
}

impl fmt::Debug for TicketProtectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TicketProtectionKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// What an opened base ticket holds.
#[derive(Debug)]
pub struct OpenedTicket {
    /// Time of issue (T).
    pub issued: TsValue,
    /// The ticket's RAND, input to the MPK and TPK derivations.
    pub rand: Vec<u8>,
    /// The MIKEY protection key.
    pub mpk: SecretBytes<MAX_KEY_LEN>,
    /// The session keys (TGKs, TEKs, GTGKs) with salts and SPIs.
    pub keys: Vec<KeyData>,
    /// The name of the TPK that sealed it.
    pub tpk_id: Vec<u8>,
}

impl OpenedTicket {
    /// MPKi, which protects TRANSFER_INIT (Appendix A.2.2).
    pub fn mpki(&self, policy: &TicketPolicy) -> Result<SecretBytes<MAX_KEY_LEN>, Error> {
        let prf = wire::prf_of(&policy.prf)?;
        Ok(derive_mpk(
            prf,
            self.mpk.expose_secret(),
            MpkRole::Initiator,
            &self.rand,
        )?)
    }

    /// MPKr, which protects TRANSFER_RESP, forked before use when the I flag is set.
    pub fn mpkr(&self, policy: &TicketPolicy) -> Result<SecretBytes<MAX_KEY_LEN>, Error> {
        let prf = wire::prf_of(&policy.prf)?;
        Ok(derive_mpk(
            prf,
            self.mpk.expose_secret(),
            MpkRole::Responder,
            &self.rand,
        )?)
    }
}

fn tpk_keys(
    policy: &TicketPolicy,
    tpk: &TicketProtectionKey,
    rand: &[u8],
    mac: Mac,
) -> Result<ProtectionKeys, Error> {
    let prf = wire::prf_of(&policy.prf)?;
    ProtectionKeys::derive(
        prf,
        tpk.key(),
        &MessageKeyLabel::Tpk { rand },
        tpk.encryption,
        mac,
    )
    .map_err(Error::from)
}

/// The bytes of a TICKET payload its V MAC covers (Appendix A.1): all but
/// the next-payload field, the Initiator Data length and data, and the MAC.
fn ticket_mac_input(ticket: &Ticket, mac_len: usize) -> Result<Vec<u8>, Error> {
    let mut bare = ticket.clone();
    bare.initiator_data.clear();
    let mut out = Vec::new();
    emit_chain(&[Payload::Ticket(bare)], &mut out);
    // [first payload type][next payload] ... ticket data (ending in the MAC) [00 00]
    let end = out
        .len()
        .checked_sub(2 + mac_len)
        .ok_or(Error::InvalidTicket("ticket data shorter than its MAC"))?;
    out.truncate(end);
    if out.len() < 2 {
        return Err(Error::InvalidTicket("empty ticket"));
    }
    out.drain(..2);
    Ok(out)
}

/// Seals a MIKEY base ticket: `mpk` and `keys` go into the KEMAC encrypted
/// with keys derived from the TPK and `rand`, and a V payload authenticates
/// the policy and ticket data.
pub fn seal_base_ticket(
    policy: TicketPolicy,
    tpk: &TicketProtectionKey,
    issued: TsValue,
    rand: &[u8],
    mpk: &[u8],
    keys: &[KeyData],
) -> Result<Ticket, Error> {
    let protection = tpk_keys(&policy, tpk, rand, tpk.mac)?;
    let mut plain = Vec::new();
    let mut all = Vec::with_capacity(keys.len() + 1);
    all.push(KeyData {
        key_type: KeyType::Mpk,
        key: crate::codec::KeyBytes::from_slice(mpk).map_err(|_| Error::Policy("MPK length"))?,
        salt: None,
        kv: crate::codec::KeyValidity::Spi(vec![0]),
    });
    all.extend(keys.iter().cloned());
    KeyData::emit_chain(&all, &mut plain);
    let encr_data = protection.encrypt(TICKET_CSB_ID, wire::iv_t(&issued), &plain)?;
    let mac_len = protection.tag_len();
    let ticket_data_payloads = vec![
        Payload::T(Timestamp { ts: issued }),
        Payload::Rand(Rand {
            rand: rand.to_vec(),
        }),
        Payload::Kemac(Kemac {
            encr_alg: wire::encr_alg(tpk.encryption),
            encr_data,
            mac_alg: MacAlg::Null,
            mac: Vec::new(),
        }),
        wire::idr(IdRoleKind::Psk, &tpk.id),
        Payload::V(Verification {
            mac_alg: wire::mac_alg(tpk.mac),
            mac: vec![0; mac_len],
        }),
    ];
    let ticket_data = TicketData {
        header: TicketHeader { data: Vec::new() },
        payloads: ticket_data_payloads,
    }
    .to_bytes();
    let mut ticket = Ticket {
        policy,
        ticket_data,
        initiator_data: Vec::new(),
    };
    let tag = protection.mac(&ticket_mac_input(&ticket, mac_len)?);
    let at = ticket.ticket_data.len() - mac_len;
    if let Some(slot) = ticket.ticket_data.get_mut(at..) {
        slot.copy_from_slice(&tag);
    }
    Ok(ticket)
}

/// Opens a MIKEY base ticket with the TPK its IDRpsk names (`lookup`),
/// verifying its MAC before decrypting anything.
pub fn open_base_ticket<'k>(
    ticket: &Ticket,
    lookup: impl Fn(&[u8]) -> Option<&'k TicketProtectionKey>,
) -> Result<OpenedTicket, Error> {
    let p = &ticket.policy;
    if (p.ticket_type, p.subtype, p.version) != BASE_TICKET {
        return Err(Error::InvalidTicket("not a MIKEY base ticket (type 1)"));
    }
    let data = TicketData::parse(&ticket.ticket_data)
        .map_err(|_| Error::InvalidTicket("ticket data does not parse"))?
        .payloads;
    let tpk_id = wire::find_idr(&data, IdRoleKind::Psk).ok_or(Error::InvalidTicket(
        "no IDRpsk names the ticket protection key",
    ))?;
    let tpk = lookup(tpk_id).ok_or(Error::InvalidTicket("unknown ticket protection key"))?;
    let issued = *wire::find_t(&data).ok_or(Error::InvalidTicket("no T"))?;
    let rand = data
        .iter()
        .find_map(|p| match p {
            Payload::Rand(r) => Some(r.rand.clone()),
            _ => None,
        })
        .ok_or(Error::InvalidTicket("no RAND"))?;
    let kemac = wire::find_kemac(&data).ok_or(Error::InvalidTicket("no KEMAC"))?;
    let v = wire::last_v(&data).map_err(|_| Error::InvalidTicket("V is not last"))?;
    let mac = wire::mac_of(&v.mac_alg).map_err(|_| Error::InvalidTicket("NULL MAC"))?;
    let protection = tpk_keys(p, tpk, &rand, mac)?;
    let input = ticket_mac_input(ticket, v.mac.len())?;
    protection
        .verify(&input, &v.mac)
        .map_err(|_| Error::InvalidTicket("ticket MAC does not verify"))?;
    if wire::encryption_of(&kemac.encr_alg)? != tpk.encryption {
        return Err(Error::InvalidTicket(
            "ticket KEMAC encryption is not the TPK's",
        ));
    }
    let plain = protection.decrypt(TICKET_CSB_ID, wire::iv_t(&issued), &kemac.encr_data)?;
    let mut keys = KeyData::parse_chain(&plain)
        .map_err(|_| Error::InvalidTicket("ticket key data does not parse"))?;
    if keys.first().map(|k| &k.key_type) != Some(&KeyType::Mpk) {
        return Err(Error::InvalidTicket(
            "ticket KEMAC does not start with the MPK",
        ));
    }
    let first = keys.remove(0);
    let mpk = SecretBytes::from_slice(first.key.expose_secret())
        .map_err(|_| Error::InvalidTicket("MPK too long"))?;
    Ok(OpenedTicket {
        issued,
        rand,
        mpk,
        keys,
        tpk_id: tpk_id.to_vec(),
    })
}
