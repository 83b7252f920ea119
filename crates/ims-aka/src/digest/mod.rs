//! HTTP Digest AKA for SIP (RFC 3310, RFC 4169, RFC 8760 algorithm names).
//!
//! The S-CSCF puts RAND and AUTN in the nonce of a `WWW-Authenticate`
//! challenge; the UE's ISIM checks AUTN and answers RES, CK and IK, from which
//! the UE makes the Digest password and sends an `Authorization` header; the
//! S-CSCF makes the same password from XRES and compares the responses.
//!
//! - [`Challenge`] and [`Credentials`]: the header codecs (parse and `Display`).
//! - [`Algorithm`]: `AKAv1-MD5`, `AKAv2-MD5`, `AKAv1-SHA-256`, `AKAv2-SHA-256`, …
//! - [`AkaNonce`]: base64(RAND ‖ AUTN ‖ server data); AUTN's length depends
//!   on the algorithm's MAC, so decoding takes it
//!   ([`AkaAlgorithm::mac_len`](crate::AkaAlgorithm::mac_len)).
//! - [`response`]: the RFC 2617 request digest and the AKA password rules.
//! - [`client`] and [`server`]: the two roles.
//!
//! Choices where the RFCs leave room:
//! - Parsing is liberal: names ignore case, every parameter may be quoted
//!   or bare, LWS and line folds may appear around `=` and `,`, empty list
//!   elements are skipped, base64 (nonce, `auts`) may lack its padding.
//!   Emitting is canonical (RFC 2617's quoting; only tokens bare; base64
//!   padded).
//! - Every answer with a response carries qop, nc and cnonce: a challenge
//!   without `qop` is answered with `qop=auth` (RFC 8760 §2.6 item 8: absent
//!   means `auth`, and a UAC MUST send qop). [`server::challenge`] always
//!   sends qop (it refuses an empty list); [`server::verify`] accepts both
//!   `qop=auth` and the RFC 2617/2069 form without qop against a challenge
//!   that had none.
//! - When both `auth` and `auth-int` are offered the client uses `auth`
//!   unless told otherwise ([`client::QopPreference`]); the server refuses
//!   credentials without qop when it offered some.
//! - Among several challenges the client answers AKAv2 if offered, else the
//!   topmost it supports ([`client::select_challenge`]).
//!
//! ```
//! use ims_aka::digest::{self, client, server, Algorithm, Challenge, Credentials, Qop};
//! use ims_aka::{sqn::SqnArray, AkaAlgorithm, AuthenticationVector, Amf, Milenage, Sqn, Usim};
//! use ims_sec_core::Secret;
//!
//! let (k, opc) = (Secret::new([0x46; 16]), Secret::new([0xcd; 16]));
//! // S-CSCF: a vector from the HSS, and the 401 challenge.
//! let vector = AuthenticationVector::generate(
//!     &Milenage::new(&k, &opc), [0x23; 16], Sqn::new(32).unwrap(), Amf([0x80, 0]));
//! let challenge = server::challenge(
//!     "ims.example.net", &(&vector).into(), Algorithm::AkaV1Md5, vec![Qop::Auth, Qop::AuthInt])?;
//! let header = challenge.to_string(); // WWW-Authenticate: {header}
//!
//! // UE: parse, decode the nonce for its algorithm's MAC length, run the
//! // ISIM on RAND and AUTN, answer.
//! let challenge = Challenge::parse(&header)?;
//! let milenage = Milenage::new(&k, &opc);
//! let nonce = challenge.aka_nonce(milenage.mac_len())?;
//! let mut isim = Usim::new(milenage, SqnArray::default());
//! let keys = isim.authenticate(&nonce.rand, &nonce.autn).expect("AUTN verifies");
//! let request = client::ClientRequest {
//!     username: "user@ims.example.net",
//!     method: "REGISTER",
//!     uri: "sip:ims.example.net",
//!     body: b"",
//!     cnonce: "0a4f113b",
//!     nc: 1,
//!     qop: client::QopPreference::Auth,
//! };
//! let credentials = client::respond(&challenge, &request, &(&keys).into())?;
//! let header = credentials.to_string(); // Authorization: {header}
//!
//! // S-CSCF: verify against the challenge it sent and XRES.
//! let credentials = Credentials::parse(&header)?;
//! let verdict = server::verify(&challenge, &credentials, "REGISTER", b"", &(&vector).into())?;
//! assert_eq!(verdict, server::Verdict::Authenticated);
//! # Ok::<(), digest::DigestError>(())
//! ```

mod algorithm;
mod b64;
mod challenge;
pub mod client;
mod credentials;
mod error;
mod nonce;
mod params;
pub mod response;
pub mod server;

pub use algorithm::{AkaVersion, Algorithm, HashAlgorithm};
pub use challenge::Challenge;
pub use credentials::Credentials;
pub use error::DigestError;
pub use nonce::AkaNonce;
pub use params::Qop;
pub use response::{aka_password, request_digest, response_auth, AkaKeys, Password};
