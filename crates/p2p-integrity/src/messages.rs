//! The messages between UEs and the Tracker (TR 33.844 §5.2, §5.3).
//!
//! - [`Announcement`] (UE → Tracker over PP_s1, §5.3 step 3): {permanent ID,
//!   TID, content information}.
//! - [`PeerList`] (Tracker → UE, §5.3 step 7): TIDs and their segment
//!   bitmaps. [`PeerEntry`] has no field that could hold a permanent ID.
//! - [`PossessionChallenge`] (Tracker → UE, §5.2) and [`PossessionResponse`]
//!   (UE → Tracker): prove holding an announced segment with one block and
//!   its Merkle proof.

use alloc::vec::Vec;
use core::time::Duration;

use crate::bitmap::SegmentBitmap;
use crate::codec::{put_header, Reader};
use crate::error::{Error, ParseError};
use crate::ids::{ContentId, PermanentId, TemporaryPeerId};
use crate::manifest::Manifest;
use crate::merkle::{BlockProof, BLOCK_SIZE};

const ANNOUNCEMENT_TYPE: u8 = b'A';
const PEER_LIST_TYPE: u8 = b'L';
const CHALLENGE_TYPE: u8 = b'C';
const RESPONSE_TYPE: u8 = b'R';

fn read_tid(r: &mut Reader<'_>) -> Result<TemporaryPeerId, ParseError> {
    Ok(TemporaryPeerId::from_bytes(r.array("temporary peer ID")?))
}

/// §5.3 step 3: a UE binds its TID to content it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The UE's permanent identity (the Tracker checks it is the one IMS
    /// authenticated; it never leaves the Tracker).
    pub permanent_id: PermanentId,
    /// The TID other peers will know the UE by.
    pub tid: TemporaryPeerId,
    /// The content offered.
    pub content_id: ContentId,
    /// The segments offered.
    pub segments: SegmentBitmap,
}

impl Announcement {
    /// Parses `A`, version, permanent ID (u8 length + bytes), TID (16),
    /// content ID (u8 length + bytes), bitmap (u32 bit count + bits).
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        r.header(ANNOUNCEMENT_TYPE, "announcement type")?;
        let permanent_id = PermanentId::read(&mut r, "permanent ID")?;
        let tid = read_tid(&mut r)?;
        let content_id = ContentId::read(&mut r, "content ID")?;
        let segments = SegmentBitmap::read(&mut r)?;
        r.finish()?;
        Ok(Self {
            permanent_id,
            tid,
            content_id,
            segments,
        })
    }

    /// Appends the encoding.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, ANNOUNCEMENT_TYPE);
        self.permanent_id.emit(out);
        out.extend_from_slice(self.tid.as_bytes());
        self.content_id.emit(out);
        self.segments.emit(out);
    }

    /// The encoding in a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }
}

/// One peer in a peer list: a TID and what it offers. There is no
/// permanent identity here by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerEntry {
    /// The peer's temporary ID.
    pub tid: TemporaryPeerId,
    /// The segments it offers.
    pub segments: SegmentBitmap,
}

/// §5.3 step 7: the peers offering a content, indexed by TID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerList {
    /// The content.
    pub content_id: ContentId,
    /// The peers, at most 65535.
    pub peers: Vec<PeerEntry>,
}

impl PeerList {
    /// Parses `L`, version, content ID (u8 length + bytes), peer count (u16),
    /// then per peer its TID (16) and bitmap (u32 bit count + bits).
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        r.header(PEER_LIST_TYPE, "peer list type")?;
        let content_id = ContentId::read(&mut r, "content ID")?;
        let count = r.u16("peer count")?;
        let mut peers = Vec::with_capacity(usize::from(count).min(1024));
        for _ in 0..count {
            let tid = read_tid(&mut r)?;
            let segments = SegmentBitmap::read(&mut r)?;
            peers.push(PeerEntry { tid, segments });
        }
        r.finish()?;
        Ok(Self { content_id, peers })
    }

    /// Appends the encoding (of the first 65535 peers).
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, PEER_LIST_TYPE);
        self.content_id.emit(out);
        let count = self.peers.len().min(usize::from(u16::MAX));
        out.extend_from_slice(&(count as u16).to_be_bytes());
        for p in self.peers.iter().take(count) {
            out.extend_from_slice(p.tid.as_bytes());
            p.segments.emit(out);
        }
    }

    /// The encoding in a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }
}

/// §5.2: the Tracker asks the peer behind `tid` for block `block` of
/// announced segment `segment`, by `deadline` (the Tracker's clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PossessionChallenge {
    /// Random; the answer must echo it.
    pub nonce: [u8; 16],
    /// The announced content.
    pub content_id: ContentId,
    /// The TID the announcement was made under.
    pub tid: TemporaryPeerId,
    /// The segment picked among those announced.
    pub segment: u32,
    /// The block asked for, counted from the start of the content; it lies in
    /// `segment`.
    pub block: u32,
    /// When the Tracker stops waiting (millisecond precision on the wire).
    pub deadline: Duration,
}

impl PossessionChallenge {
    /// Parses `C`, version, nonce (16), content ID (u8 length + bytes),
    /// TID (16), segment (u32), block (u32), deadline in milliseconds (u64).
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        r.header(CHALLENGE_TYPE, "challenge type")?;
        let nonce = r.array("nonce")?;
        let content_id = ContentId::read(&mut r, "content ID")?;
        let tid = read_tid(&mut r)?;
        let segment = r.u32("segment")?;
        let block = r.u32("block")?;
        let deadline = Duration::from_millis(r.u64("deadline")?);
        r.finish()?;
        Ok(Self {
            nonce,
            content_id,
            tid,
            segment,
            block,
            deadline,
        })
    }

    /// Appends the encoding.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, CHALLENGE_TYPE);
        out.extend_from_slice(&self.nonce);
        self.content_id.emit(out);
        out.extend_from_slice(self.tid.as_bytes());
        out.extend_from_slice(&self.segment.to_be_bytes());
        out.extend_from_slice(&self.block.to_be_bytes());
        let ms = u64::try_from(self.deadline.as_millis()).unwrap_or(u64::MAX);
        out.extend_from_slice(&ms.to_be_bytes());
    }

    /// The encoding in a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }

    /// The UE's answer, from the manifest and the bytes of the challenged
    /// segment it holds. Refused if the segment is not the challenged one's
    /// length or does not match the manifest.
    pub fn answer(
        &self,
        manifest: &Manifest,
        segment_data: &[u8],
    ) -> Result<PossessionResponse, Error> {
        let layout = manifest.layout();
        if layout.segment_of_block(self.block) != self.segment {
            return Err(Error::NoSuchBlock(self.block));
        }
        let proof = manifest.prove_block(self.block, segment_data)?;
        let (first, _) = layout
            .blocks_of_segment(self.segment)
            .ok_or(Error::NoSuchSegment(self.segment))?;
        let start = (self.block - first) as usize * BLOCK_SIZE;
        let len = layout
            .block_len(self.block)
            .ok_or(Error::NoSuchBlock(self.block))?;
        let block = segment_data
            .get(start..start + len)
            .ok_or(Error::NoSuchBlock(self.block))?
            .to_vec();
        Ok(PossessionResponse {
            nonce: self.nonce,
            block,
            proof,
        })
    }
}

/// §5.2: the block asked for and its proof up to the content root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PossessionResponse {
    /// The challenge's nonce.
    pub nonce: [u8; 16],
    /// The block's bytes (at most 16 KiB).
    pub block: Vec<u8>,
    /// Uncle hashes from the block to the root.
    pub proof: BlockProof,
}

impl PossessionResponse {
    /// Parses `R`, version, nonce (16), block length (u16, at most 16384),
    /// the block, then a [`BlockProof`] encoding.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        r.header(RESPONSE_TYPE, "possession response type")?;
        let nonce = r.array("nonce")?;
        let at = r.position();
        let len = r.u16("block length")?;
        if usize::from(len) > BLOCK_SIZE {
            return Err(ParseError::new(at, "block length"));
        }
        let block = r.bytes(usize::from(len), "block")?.to_vec();
        let proof = BlockProof::read(&mut r)?;
        r.finish()?;
        Ok(Self {
            nonce,
            block,
            proof,
        })
    }

    /// Appends the encoding (a block is at most 16 KiB; a longer one is cut).
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, RESPONSE_TYPE);
        out.extend_from_slice(&self.nonce);
        let block = self.block.get(..BLOCK_SIZE).unwrap_or(&self.block);
        out.extend_from_slice(&(block.len() as u16).to_be_bytes());
        out.extend_from_slice(block);
        self.proof.emit(out);
    }

    /// The encoding in a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }
}
