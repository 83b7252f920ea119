//! Security for IMS peer-to-peer content distribution (3GPP TR 33.844 §5):
//! verifiable content segments, content pre-encryption with provisioned
//! keys, temporary peer IDs, and a Tracker that checks announcements.
//!
//! - [`merkle`], [`manifest`], [`verify`] (§5.4): content is cut into
//!   segments whose hashes are nodes of BitTorrent v2's Merkle tree (BEP 52:
//!   SHA-256 over 16 KiB blocks), so a [`Manifest`]'s root is a v2 torrent's
//!   `pieces root` and its segment hashes the `piece layers` entry. A peer
//!   holding only the root accepts a hash list that matches it, verifies
//!   segments in any order, and single blocks with a [`BlockProof`].
//! - [`cipher`], [`keys`] (§5.1, Figure 10): the CSS encrypts content with
//!   AES-CTR before import, each segment with its own counter block; the
//!   tree covers the ciphertext. The UE asks the CCS for the key with a
//!   [`ContentKeyRequest`] carrying a KEK; the CCS checks the application's
//!   [`EntitlementPolicy`] and answers with the key wrapped per RFC 3394.
//! - [`ids`], [`tracker`], [`messages`] (§5.2, §5.3): [`TemporaryPeerId`]s
//!   per epoch; the [`Tracker`] binds them to permanent IDs, answers peer
//!   lists that cannot carry a permanent ID, refuses TID collisions and
//!   takeovers, and checks announcements with possession challenges in
//!   cycles of bounded work, striking and banning liars.
//!
//! No I/O, no clock, no global randomness: pass `now` and an RNG.
//!
//! ```
//! use core::time::Duration;
//! use p2p_integrity::*;
//! use rand::SeedableRng;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rng = rand::rngs::StdRng::seed_from_u64(7);
//! // CSS: encrypt, then hash the ciphertext into a manifest.
//! let id = ContentId::new("urn:ims:content:42")?;
//! let size = SegmentSize::new(32 * 1024)?;
//! let key = ContentKey::generate(CipherSuite::Aes128Ctr, &mut rng);
//! let mut content = vec![0x5a; 100_000];
//! SegmentCipher::new(&key, &id).apply_content(size, &mut content)?;
//! let manifest = Manifest::build(id.clone(), size, &content)?;
//!
//! // UE: trusts the root from the CCS, checks segments as they arrive.
//! let mut verifier = SegmentVerifier::from_manifest(&manifest, manifest.root())?;
//! let (start, len) = manifest.layout().segment_range(1).unwrap();
//! let segment = &content[start as usize..(start + len) as usize];
//! verifier.verify_segment(1, segment)?;
//! assert!(verifier.verified().get(1));
//!
//! // UE: asks the CCS for the key with its own KEK.
//! let mut ccs = ContentKeyServer::new();
//! ccs.add_content(id.clone(), manifest.layout().segment_count(), key.clone());
//! let alice = PermanentId::new("sip:alice@ims.example")?;
//! let kek = KeyEncryptionKey::generate(16, &mut rng)?;
//! let wanted = SegmentBitmap::full(manifest.layout().segment_count());
//! let request = ContentKeyRequest::new(id.clone(), alice.clone(), wanted.clone(), kek);
//! let allow_all = |_: &PermanentId, _: &ContentId, _: &SegmentBitmap| Ok(());
//! let response = ccs.handle(&request, &allow_all);
//! assert_eq!(response.content_key(&request)?, key);
//!
//! // Tracker: Alice announces under a TID; Bob's peer list shows only TIDs.
//! let mut tracker = Tracker::new(TrackerConfig::default());
//! tracker.register_content(&manifest);
//! let tid = TidSecret::generate(&mut rng).tid(0);
//! let now = Duration::from_secs(1);
//! tracker.announce(now, &Announcement { permanent_id: alice.clone(), tid, content_id: id.clone(), segments: wanted })?;
//! let bob = PermanentId::new("sip:bob@ims.example")?;
//! let list = tracker.peer_list(now, &bob, &id, 50);
//! assert_eq!(list.peers[0].tid, tid);
//!
//! // Tracker: a possession check, answered from the segment Alice holds.
//! let issued = tracker.poll_challenges(now, &mut rng);
//! let challenge = &issued[0].challenge;
//! let (start, len) = manifest.layout().segment_range(challenge.segment).unwrap();
//! let answer = challenge.answer(&manifest, &content[start as usize..(start + len) as usize])?;
//! let outcome = tracker.handle_response(now, &alice, &answer)?;
//! assert!(matches!(outcome, CheckOutcome::Passed { .. }));
//! # Ok(())
//! # }
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod bitmap;
pub mod cipher;
pub mod codec;
pub mod error;
pub mod ids;
pub mod keys;
pub mod manifest;
pub mod merkle;
pub mod messages;
pub mod tracker;
pub mod verify;

pub use bitmap::SegmentBitmap;
pub use cipher::{CipherSuite, ContentKey, SegmentCipher};
pub use codec::Extensions;
pub use error::{Error, KeyError, ParseError, TrackerError, VerifyError};
pub use ids::{epoch_of, ContentId, PermanentId, TemporaryPeerId, TidSecret};
pub use keys::{
    ContentKeyRequest, ContentKeyResponse, ContentKeyServer, EntitlementPolicy, KeyEncryptionKey,
    Refusal,
};
pub use manifest::{Manifest, ManifestBuilder};
pub use merkle::{BlockProof, Hash, Layout, SegmentSize, BLOCK_SIZE};
pub use messages::{Announcement, PeerEntry, PeerList, PossessionChallenge, PossessionResponse};
pub use tracker::{
    AnnounceAck, AnnouncementPolicy, CheckConfig, CheckFailure, CheckOutcome, IssuedChallenge,
    Tracker, TrackerConfig,
};
pub use verify::SegmentVerifier;
