//! The content manifest (TR 33.844 §5.4): what the CSS computes at import and
//! the CCS hands out over PP_s1.
//!
//! [`ManifestBuilder`] takes the (encrypted) content in chunks of any size
//! and hashes 16 KiB blocks straight from them, buffering only a partial
//! block, so its memory grows with the number of segments, not the content.

use alloc::vec::Vec;

use crate::codec::{put_header, Extensions, Reader};
use crate::error::{Error, ParseError};
use crate::ids::ContentId;
use crate::merkle::{block_hash, reduce, BlockProof, Hash, Layout, SegmentSize, BLOCK_SIZE};

const MANIFEST_TYPE: u8 = b'M';

/// Content ID, length, segment size, Merkle root and segment hashes.
///
/// The root equals a BitTorrent v2 torrent's `pieces root` for the same
/// bytes, and the segment hashes its `piece layers` entry (for content of
/// one segment, the single hash is the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    content_id: ContentId,
    layout: Layout,
    root: Hash,
    segment_hashes: Vec<Hash>,
    extensions: Extensions,
}

impl Manifest {
    /// A manifest from its parts; refused unless the hashes fit the layout
    /// and reduce to `root`.
    pub fn new(
        content_id: ContentId,
        layout: Layout,
        root: Hash,
        segment_hashes: Vec<Hash>,
    ) -> Result<Self, Error> {
        if layout.root_of(&segment_hashes)? != root {
            return Err(Error::HashesDoNotMatchRoot);
        }
        Ok(Self {
            content_id,
            layout,
            root,
            segment_hashes,
            extensions: Extensions::new(),
        })
    }

    /// Hashes `content` in one call; [`ManifestBuilder`] for streams.
    pub fn build(
        content_id: ContentId,
        segment_size: SegmentSize,
        content: &[u8],
    ) -> Result<Self, Error> {
        let mut b = ManifestBuilder::new(content_id, segment_size);
        b.update(content)?;
        b.finish()
    }

    /// The content's identifier.
    #[must_use]
    pub const fn content_id(&self) -> &ContentId {
        &self.content_id
    }

    /// Length, segment size and tree shape.
    #[must_use]
    pub const fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The Merkle root (`pieces root`).
    #[must_use]
    pub const fn root(&self) -> &Hash {
        &self.root
    }

    /// One hash per segment (`piece layers`).
    #[must_use]
    pub fn segment_hashes(&self) -> &[Hash] {
        &self.segment_hashes
    }

    /// Extensions carried by the manifest.
    #[must_use]
    pub const fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Replaces the extensions.
    pub fn set_extensions(&mut self, extensions: Extensions) {
        self.extensions = extensions;
    }

    /// Proves block `block` against the root, from the bytes of its segment
    /// (which must match this manifest): what a peer answers to a Tracker's
    /// possession challenge.
    pub fn prove_block(&self, block: u32, segment_data: &[u8]) -> Result<BlockProof, Error> {
        self.layout
            .prove_block(block, segment_data, &self.segment_hashes)
    }

    /// Parses a manifest: `M`, version, content ID (u8 length + bytes),
    /// length (u64), log2 of the segment size (u8), root (32), segment count
    /// (u32), the segment hashes, extensions. Refused unless the count fits
    /// the layout and the hashes reduce to the root.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        r.header(MANIFEST_TYPE, "manifest type")?;
        let content_id = ContentId::read(&mut r, "content ID")?;
        let at = r.position();
        let length = r.u64("content length")?;
        let log_at = r.position();
        let log2 = r.u8("segment size")?;
        let size =
            SegmentSize::from_log2(log2).map_err(|_| ParseError::new(log_at, "segment size"))?;
        let layout =
            Layout::new(length, size).map_err(|_| ParseError::new(at, "content length"))?;
        let root = r.array("root")?;
        let at = r.position();
        let count = r.u32("segment count")?;
        if count != layout.segment_count() {
            return Err(ParseError::new(at, "segment count"));
        }
        let hashes_at = r.position();
        let raw = r.bytes(count as usize * 32, "segment hashes")?;
        let segment_hashes: Vec<Hash> = raw
            .chunks_exact(32)
            .filter_map(|c| Hash::try_from(c).ok())
            .collect();
        if layout.root_of(&segment_hashes).ok() != Some(root) {
            return Err(ParseError::new(
                hashes_at,
                "segment hashes (do not match the root)",
            ));
        }
        let extensions = Extensions::parse(&mut r)?;
        r.finish()?;
        Ok(Self {
            content_id,
            layout,
            root,
            segment_hashes,
            extensions,
        })
    }

    /// Appends the encoding.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, MANIFEST_TYPE);
        self.content_id.emit(out);
        out.extend_from_slice(&self.layout.length().to_be_bytes());
        out.push(self.layout.segment_size().log2());
        out.extend_from_slice(&self.root);
        out.extend_from_slice(&(self.segment_hashes.len() as u32).to_be_bytes());
        for h in &self.segment_hashes {
            out.extend_from_slice(h);
        }
        self.extensions.emit(out);
    }

    /// The encoding in a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 32 * self.segment_hashes.len());
        self.emit(&mut out);
        out
    }
}

/// Builds a [`Manifest`] from content fed in chunks of any size.
#[derive(Debug, Clone)]
pub struct ManifestBuilder {
    content_id: ContentId,
    segment_size: SegmentSize,
    length: u64,
    /// The bytes of a block split across chunks (never a whole block).
    partial: Vec<u8>,
    /// Leaf hashes of the segment being read.
    leaves: Vec<Hash>,
    segment_hashes: Vec<Hash>,
}

impl ManifestBuilder {
    /// A builder for content `content_id` cut into `segment_size` segments.
    #[must_use]
    pub fn new(content_id: ContentId, segment_size: SegmentSize) -> Self {
        Self {
            content_id,
            segment_size,
            length: 0,
            partial: Vec::new(),
            leaves: Vec::new(),
            segment_hashes: Vec::new(),
        }
    }

    /// Takes the next chunk of content. Refused (with nothing taken) past
    /// the 1 TiB limit.
    pub fn update(&mut self, mut data: &[u8]) -> Result<(), Error> {
        let new_len = self.length.saturating_add(data.len() as u64);
        if new_len > crate::merkle::MAX_CONTENT_LENGTH {
            return Err(Error::ContentTooLong(new_len));
        }
        self.length = new_len;
        if !self.partial.is_empty() {
            let take = (BLOCK_SIZE - self.partial.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.partial.extend_from_slice(head);
            data = rest;
            if self.partial.len() < BLOCK_SIZE {
                return Ok(());
            }
            let leaf = block_hash(&self.partial);
            self.partial.clear();
            self.push_leaf(leaf);
        }
        let mut blocks = data.chunks_exact(BLOCK_SIZE);
        for block in &mut blocks {
            self.push_leaf(block_hash(block));
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            if self.partial.capacity() == 0 {
                self.partial.reserve_exact(BLOCK_SIZE);
            }
            self.partial.extend_from_slice(rest);
        }
        Ok(())
    }

    fn push_leaf(&mut self, leaf: Hash) {
        self.leaves.push(leaf);
        if self.leaves.len() as u64 == self.segment_size.blocks() {
            let height = u32::from(self.segment_size.log2()) - 14;
            let h = reduce(&mut self.leaves, 0, height);
            self.leaves.clear();
            self.segment_hashes.push(h);
        }
    }

    /// Bytes taken so far.
    #[must_use]
    pub const fn length(&self) -> u64 {
        self.length
    }

    /// Completes the tree. Refused for empty content.
    pub fn finish(mut self) -> Result<Manifest, Error> {
        let layout = Layout::new(self.length, self.segment_size)?;
        if !self.partial.is_empty() {
            let leaf = block_hash(&self.partial);
            self.partial.clear();
            self.leaves.push(leaf);
        }
        if !self.leaves.is_empty() {
            // The last, short segment (or the only one): pad to the layout's
            // segment height, which for content shorter than a segment is the
            // tree's own height (BEP 52 pads to a power of two of blocks).
            let h = reduce(&mut self.leaves, 0, layout.segment_height());
            self.segment_hashes.push(h);
        }
        let root = layout.root_of(&self.segment_hashes)?;
        Ok(Manifest {
            content_id: self.content_id,
            layout,
            root,
            segment_hashes: self.segment_hashes,
            extensions: Extensions::new(),
        })
    }
}
