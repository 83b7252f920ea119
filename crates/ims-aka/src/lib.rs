//! # ims-aka
//!
//! 3GPP Authentication and Key Agreement for IMS.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

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
