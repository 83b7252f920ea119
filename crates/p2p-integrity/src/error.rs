//! The crate's errors: one enum per layer. A refused input changes nothing:
//! a failed verification marks no segment, a refused announcement or answer
//! leaves the Tracker as it was (a wrong answer to a possession challenge is
//! not refused: it is an outcome, reported as such).

use core::fmt;
use core::time::Duration;

/// A message could not be parsed: what was wrong and the byte offset where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// Offset of the offending field from the start of the message.
    pub offset: usize,
    /// The field that was missing, short or invalid.
    pub reason: &'static str,
}

impl ParseError {
    pub(crate) const fn new(offset: usize, reason: &'static str) -> Self {
        Self { offset, reason }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed {} at byte {}", self.reason, self.offset)
    }
}

impl core::error::Error for ParseError {}

/// A value the crate cannot represent or a content layout it refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Content of zero bytes has no Merkle tree (BEP 52 gives empty files no
    /// `pieces root`).
    #[error("content is empty")]
    EmptyContent,
    /// Content beyond [`MAX_CONTENT_LENGTH`](crate::merkle::MAX_CONTENT_LENGTH).
    #[error("content of {0} bytes exceeds the 1 TiB limit")]
    ContentTooLong(u64),
    /// Not a power of two from 16 KiB to 1 GiB.
    #[error("segment size {0} is not a power of two from 16 KiB to 1 GiB")]
    SegmentSize(u64),
    /// Content and peer identifiers are 1 to 255 bytes.
    #[error("identifier of {0} bytes (1 to 255 allowed)")]
    IdLength(usize),
    /// Too many extensions, or one longer than 65535 bytes.
    #[error("extension list full or extension too long")]
    ExtensionTooLarge,
    /// A segment index past the end of the content.
    #[error("segment {0} does not exist")]
    NoSuchSegment(u32),
    /// A block index past the end of the content.
    #[error("block {0} does not exist")]
    NoSuchBlock(u32),
    /// Segment data of the wrong length.
    #[error("segment {segment} has {got} bytes, expected {expected}")]
    SegmentLength {
        /// The segment.
        segment: u32,
        /// Its length in the layout.
        expected: u64,
        /// The length given.
        got: u64,
    },
    /// Segment data that does not hash to the manifest's segment hash.
    #[error("segment {0} does not match the manifest")]
    SegmentMismatch(u32),
    /// A bitmap whose length is not the content's segment count.
    #[error("bitmap of {got} bits for content of {expected} segments")]
    BitmapLength {
        /// The segment count.
        expected: u32,
        /// The bitmap's length.
        got: u32,
    },
    /// A segment hash list of the wrong length.
    #[error("{got} segment hashes for {expected} segments")]
    HashCount {
        /// The segment count.
        expected: u32,
        /// Hashes given.
        got: usize,
    },
    /// The segment hashes do not reduce to the root.
    #[error("segment hashes do not match the root")]
    HashesDoNotMatchRoot,
    /// A key or key-encryption key of a length no suite uses.
    #[error("key of {0} bytes (16 or 32 expected)")]
    KeyLength(usize),
    /// More data than one segment's counter space can encrypt.
    #[error("{0} bytes exceed one segment's counter space")]
    TooLongForCounter(usize),
}

/// Why a segment, a block or a hash list was not accepted by a peer. Each
/// names the segment it is about; nothing is marked verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The manifest's root is not the trusted root.
    #[error("manifest root differs from the trusted root")]
    RootMismatch,
    /// The segment hash list has the wrong count or does not reduce to the
    /// trusted root.
    #[error("segment hash list refused: {0}")]
    HashList(Error),
    /// Segments cannot be checked before a hash list is accepted.
    #[error("no segment hash list accepted yet")]
    NoHashList,
    /// A segment index past the end.
    #[error("segment {0} does not exist")]
    NoSuchSegment(u32),
    /// Segment data of the wrong length.
    #[error("segment {segment} has {got} bytes, expected {expected}")]
    SegmentLength {
        /// The segment.
        segment: u32,
        /// Its length in the layout.
        expected: u64,
        /// The length received.
        got: u64,
    },
    /// Segment data whose hash differs from the accepted segment hash.
    #[error("segment {0} is corrupt or tampered with")]
    SegmentMismatch(u32),
    /// A block index past the end, or a proof for a different block.
    #[error("block {block} of segment {segment} does not exist or the proof is for another block")]
    WrongBlock {
        /// The segment the block would be in.
        segment: u32,
        /// The block, counted from the start of the content.
        block: u32,
    },
    /// Block data of the wrong length.
    #[error("block {block} of segment {segment} has {got} bytes, expected {expected}")]
    BlockLength {
        /// The block's segment.
        segment: u32,
        /// The block.
        block: u32,
        /// Its length in the layout.
        expected: usize,
        /// The length received.
        got: usize,
    },
    /// A proof with the wrong number of uncle hashes for its target layer.
    #[error("proof for block {block} of segment {segment} has {got} layers, expected {expected}")]
    ProofLayers {
        /// The block's segment.
        segment: u32,
        /// The block.
        block: u32,
        /// Layers between the leaf and the target.
        expected: usize,
        /// Layers in the proof.
        got: usize,
    },
    /// The block and its proof do not lead to the trusted hash.
    #[error("block {block} of segment {segment} does not verify")]
    BlockMismatch {
        /// The block's segment.
        segment: u32,
        /// The block.
        block: u32,
    },
}

impl VerifyError {
    /// The segment the failure is about, if it is about one.
    #[must_use]
    pub const fn segment(&self) -> Option<u32> {
        match self {
            Self::NoSuchSegment(s) | Self::SegmentMismatch(s) => Some(*s),
            Self::SegmentLength { segment, .. }
            | Self::WrongBlock { segment, .. }
            | Self::BlockLength { segment, .. }
            | Self::ProofLayers { segment, .. }
            | Self::BlockMismatch { segment, .. } => Some(*segment),
            Self::RootMismatch | Self::HashList(_) | Self::NoHashList => None,
        }
    }
}

/// Why a content key could not be wrapped or unwrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A key-encryption key of a length AES key wrap does not take here.
    #[error("key-encryption key of {0} bytes (16 or 32 expected)")]
    KekLength(usize),
    /// The wrapped key failed RFC 3394's integrity check: wrong KEK, or the
    /// response was altered.
    #[error("wrapped key failed the RFC 3394 integrity check")]
    Unwrap,
    /// The wrapped key has a length the suite's key does not give.
    #[error("wrapped key of {0} bytes does not fit the cipher suite")]
    WrappedLength(usize),
    /// The CCS refused the request.
    #[error("content key refused: {0}")]
    Refused(crate::keys::Refusal),
    /// The response is for another content than the one asked for.
    #[error("response is for another content")]
    OtherContent,
}

/// Why the Tracker refused an announcement, a binding or an answer. The
/// Tracker's state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackerError {
    /// The policy is "no UE announcements": peer lists come from the content
    /// service's records.
    #[error("the Tracker takes no announcements from UEs")]
    AnnouncementsNotAccepted,
    /// The permanent ID collected too many strikes.
    #[error("announcements refused until {until:?} after failed possession checks")]
    Banned {
        /// When announcements are taken again.
        until: Duration,
    },
    /// The Tracker has no record of this content.
    #[error("unknown content")]
    UnknownContent,
    /// The bitmap does not fit the content.
    #[error("bitmap of {got} bits for content of {expected} segments")]
    BitmapLength {
        /// Segments of the content.
        expected: u32,
        /// Bits in the bitmap.
        got: u32,
    },
    /// An announcement of no segment at all.
    #[error("announcement names no segment")]
    EmptyAnnouncement,
    /// Another permanent ID holds this TID.
    #[error("temporary peer ID already in use")]
    TidInUse,
    /// The permanent ID has no live TID binding.
    #[error("no temporary peer ID bound to this identity")]
    NotBound,
    /// The TID given is not the one bound to this permanent ID.
    #[error("temporary peer ID is not this identity's current one")]
    NotCurrentTid,
    /// No outstanding challenge has this nonce.
    #[error("no outstanding challenge with this nonce")]
    UnknownChallenge,
    /// The answer came from another permanent ID than the one challenged.
    #[error("challenge answered by another identity")]
    WrongResponder,
}
