//! The MIKEY wire format: payloads, messages and the SDP attribute.
//!
//! Every type parses from bytes and emits back to the same bytes: unknown
//! enumeration values are kept (`Other(u8)`), reserved bits are kept, and a
//! payload of unknown type keeps the rest of its chain verbatim. Values whose
//! meaning decides a length (TS type, MAC algorithm, DH group, hash function,
//! CS ID map type, KV type, key type) must be known, or parsing fails with a
//! [`ParseError`] naming the payload and the byte offset.
//!
//! ```
//! use kms_ticket::codec::*;
//!
//! let msg = Message {
//!     header: Header {
//!         version: 1,
//!         data_type: DataType::PskInit,
//!         v_flag: false,
//!         prf: PrfFunc::MikeyOne,
//!         csb_id: 0x1234_5678,
//!         cs_map: CsIdMap::SrtpId(vec![SrtpCs { policy_no: 0, ssrc: 0xdead_beef, roc: 0 }]),
//!     },
//!     payloads: vec![
//!         Payload::T(Timestamp { ts: TsValue::NtpUtc(0xe000_0000_0000_0000) }),
//!         Payload::Rand(Rand { rand: vec![7; 16] }),
//!     ],
//! };
//! let line = KeyMgmt::mikey(&msg).to_string();
//! assert!(line.starts_with("a=key-mgmt:mikey "));
//! assert_eq!(KeyMgmt::parse(&line).unwrap().message().unwrap(), msg);
//! ```

mod error;
mod header;
mod kemac;
mod key_mgmt;
mod message;
mod payload;
mod policy;
mod reader;
mod ticket;

pub use error::{ParseError, ParseErrorKind};
pub use header::{CsIdMap, DataType, GenericCs, Header, PrfFunc, SrtpCs};
pub use kemac::{EncrAlg, Kemac, KeyBytes, KeyData, KeyType, KeyValidity, MacAlg};
pub use key_mgmt::KeyMgmt;
pub use message::Message;
pub use payload::{
    emit_chain, parse_chain, payload_type, Cert, Chash, Dh, ErrorCode, ErrorPayload, GeneralExt,
    Id, IdRole, IdRoleKind, IdType, Payload, Pke, Rand, RandRole, RandRoleKind, Sign, Timestamp,
    TimestampRole, TsRole, TsValue, Verification,
};
pub use policy::{
    srtp_param, PolicyParam, SecurityPolicy, SrtpAuthAlg, SrtpEncrAlg, SrtpPolicy, SrtpPolicyError,
};
pub use ticket::{Ticket, TicketData, TicketFlags, TicketHeader, TicketPolicy};
