//! # ims-aka
//!
//! 3GPP Authentication and Key Agreement (TS 33.102 §6.3) as IMS uses it:
//!
//! - the algorithm sets [`Milenage`] (TS 35.206) and [`Tuak`] (TS 35.231)
//!   behind one trait, [`AkaAlgorithm`];
//! - the home environment: [`AuthenticationVector`]s and resynchronisation
//!   from AUTS ([`home`]), with sequence numbers per Annex C ([`sqn`]);
//! - the USIM/ISIM: AUTN verification, SQN freshness, RES/CK/IK or AUTS ([`usim`]);
//! - HTTP Digest AKA for SIP, RFC 3310 and RFC 4169 ([`digest`]).
//!
//! No I/O, no clock, no global randomness: RAND comes from the caller or an
//! injected `rand_core` RNG, and SQN state is a value the caller stores.
//! Keys are [`ims_sec_core`] secret types: zeroized on drop, redacted in
//! `Debug`, compared in constant time.
//!
//! ```
//! use ims_aka::home::AuthenticationVector;
//! use ims_aka::sqn::{FreshnessPolicy, SqnArray, SqnGenerator, SqnLayout};
//! use ims_aka::usim::{Failure, Usim};
//! use ims_aka::{Amf, Milenage, Sqn};
//! use ims_sec_core::Secret;
//!
//! // The subscriber (TS 35.208 test set 1's K and OPc).
//! let k = Secret::new([
//!     0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
//!     0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc,
//! ]);
//! let opc = Secret::new([
//!     0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
//!     0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf,
//! ]);
//! let milenage = Milenage::new(&k, &opc); // AES key schedule built once
//!
//! // HSS: the next SQN and a vector.
//! let policy = FreshnessPolicy::default();
//! let mut auc = SqnGenerator::new(policy.layout, policy.delta, Sqn::default());
//! let av = AuthenticationVector::generate(&milenage, [0x23; 16], auc.next_sqn()?, Amf([0x80, 0]));
//!
//! // ISIM: verify AUTN, check freshness, answer RES, CK, IK.
//! let mut isim = Usim::new(&milenage, SqnArray::new(policy));
//! let ok = isim.authenticate(&av.rand, &av.autn).expect("fresh and authentic");
//! assert_eq!(ok.res, av.xres);
//!
//! // A replay is refused with AUTS; the HSS resynchronises from it.
//! let Err(Failure::Sync { auts, .. }) = isim.authenticate(&av.rand, &av.autn) else {
//!     panic!("a replay must be refused");
//! };
//! let resync = auc.resynchronise(&milenage, &av.rand, &auts)?;
//! assert_eq!(resync.sqn_ms, ok.sqn);
//! let next = AuthenticationVector::generate(&milenage, [0x24; 16], auc.next_sqn()?, Amf([0x80, 0]));
//! assert!(isim.authenticate(&next.rand, &next.autn).is_ok());
//! # Ok::<(), ims_aka::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod algorithm;
pub mod digest;
pub mod error;
pub mod home;
pub mod milenage;
pub mod sqn;
pub mod tuak;
pub mod types;
pub mod usim;

pub use algorithm::{AkaAlgorithm, KeyOutputs};
pub use error::Error;
pub use home::AuthenticationVector;
pub use milenage::Milenage;
pub use tuak::{Tuak, TuakParams};
pub use types::{Ak, Amf, Autn, Auts, Ck, Ik, Mac, Opc, Rand, Res, Sqn, Topc, K};
pub use usim::Usim;
