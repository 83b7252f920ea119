//! The BitTorrent v2 Merkle tree (BEP 52), and block proofs.
//!
//! Content is cut into [`BLOCK_SIZE`] blocks (the last may be shorter); each
//! block's SHA-256 is a leaf; the leaf layer is padded with zero hashes to a
//! power of two; each node is the SHA-256 of its two children. The root is a
//! v2 torrent's `pieces root`. A segment (a BEP 52 piece) is a power-of-two
//! run of blocks, so each segment hash is a node of the tree, and the layer
//! of segment hashes is the torrent's `piece layers` entry. When the content
//! is no longer than one segment, the tree has fewer leaves than a segment
//! and its root is the single segment hash (BEP 52 then omits the piece
//! layer).

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::codec::{put_header, Reader};
use crate::error::{Error, ParseError};

/// The Merkle leaf size of BEP 52: 16 KiB.
pub const BLOCK_SIZE: usize = 16 * 1024;
const BLOCK_LOG2: u8 = 14;
/// The largest content this crate lays out: 1 TiB (2^26 blocks).
pub const MAX_CONTENT_LENGTH: u64 = 1 << 40;
const MAX_SEGMENT_LOG2: u8 = 30;

/// A SHA-256 value in the tree.
pub type Hash = [u8; 32];

/// The hash of a leaf past the end of the content (BEP 52: zero).
pub const ZERO_HASH: Hash = [0; 32];

/// SHA-256 of one block: a leaf.
#[must_use]
pub fn block_hash(block: &[u8]) -> Hash {
    Sha256::digest(block).into()
}

/// SHA-256 of two children: their parent.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The hash of a subtree of `height` levels that lies wholly past the end of
/// the content: zero leaves, hashed up.
#[must_use]
pub fn pad_hash(height: u32) -> Hash {
    let mut h = ZERO_HASH;
    for _ in 0..height {
        h = node_hash(&h, &h);
    }
    h
}

/// Hashes `layer` (nodes each `height` levels above the leaves) `levels`
/// levels up, padding each odd layer with the pad hash of its height, and
/// returns the one node left. The vector is used as scratch.
pub(crate) fn reduce(layer: &mut Vec<Hash>, height: u32, levels: u32) -> Hash {
    let mut pad = pad_hash(height);
    for _ in 0..levels {
        up_one(layer, &pad);
        pad = node_hash(&pad, &pad);
    }
    layer.first().copied().unwrap_or(pad)
}

/// Replaces `layer` by its parents, padding an odd layer with `pad`.
fn up_one(layer: &mut Vec<Hash>, pad: &Hash) {
    if layer.len() % 2 == 1 {
        layer.push(*pad);
    }
    let pairs = layer.len() / 2;
    for i in 0..pairs {
        let parent = match (layer.get(2 * i), layer.get(2 * i + 1)) {
            (Some(l), Some(r)) => node_hash(l, r),
            _ => *pad,
        };
        if let Some(slot) = layer.get_mut(i) {
            *slot = parent;
        }
    }
    layer.truncate(pairs);
}

/// Like [`reduce`], collecting the uncle of node `index` at each level.
fn uncles_of(layer: &mut Vec<Hash>, mut index: u64, height: u32, levels: u32, out: &mut Vec<Hash>) {
    let mut pad = pad_hash(height);
    for _ in 0..levels {
        let sibling = usize::try_from(index ^ 1).ok().and_then(|i| layer.get(i));
        out.push(sibling.copied().unwrap_or(pad));
        index >>= 1;
        up_one(layer, &pad);
        pad = node_hash(&pad, &pad);
    }
}

/// A segment size: a power of two from 16 KiB to 1 GiB (a BEP 52 `piece
/// length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SegmentSize(u8);

impl SegmentSize {
    /// 16 KiB, one block per segment.
    pub const MIN: Self = Self(BLOCK_LOG2);

    /// A size in bytes; refused unless a power of two from 16 KiB to 1 GiB.
    pub fn new(bytes: u64) -> Result<Self, Error> {
        if bytes.is_power_of_two() {
            Self::from_log2(bytes.trailing_zeros() as u8).map_err(|_| Error::SegmentSize(bytes))
        } else {
            Err(Error::SegmentSize(bytes))
        }
    }

    /// 2^`log2` bytes; `log2` from 14 to 30.
    pub fn from_log2(log2: u8) -> Result<Self, Error> {
        if (BLOCK_LOG2..=MAX_SEGMENT_LOG2).contains(&log2) {
            Ok(Self(log2))
        } else {
            Err(Error::SegmentSize(
                1u64.checked_shl(u32::from(log2)).unwrap_or(0),
            ))
        }
    }

    /// The size in bytes.
    #[must_use]
    pub const fn bytes(self) -> u64 {
        1 << self.0
    }

    /// Its base-2 logarithm.
    #[must_use]
    pub const fn log2(self) -> u8 {
        self.0
    }

    /// Blocks per segment.
    #[must_use]
    pub const fn blocks(self) -> u64 {
        1 << (self.0 - BLOCK_LOG2)
    }
}

/// Where every block and segment of a content lies, and the tree's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    length: u64,
    segment_size: SegmentSize,
}

impl Layout {
    /// The layout of `length` bytes cut into segments of `segment_size`.
    pub fn new(length: u64, segment_size: SegmentSize) -> Result<Self, Error> {
        if length == 0 {
            return Err(Error::EmptyContent);
        }
        if length > MAX_CONTENT_LENGTH {
            return Err(Error::ContentTooLong(length));
        }
        Ok(Self {
            length,
            segment_size,
        })
    }

    /// Content length in bytes.
    #[must_use]
    pub const fn length(&self) -> u64 {
        self.length
    }

    /// The segment size.
    #[must_use]
    pub const fn segment_size(&self) -> SegmentSize {
        self.segment_size
    }

    /// Number of 16 KiB blocks (the last may be shorter).
    #[must_use]
    pub const fn block_count(&self) -> u32 {
        self.length.div_ceil(BLOCK_SIZE as u64) as u32
    }

    /// Number of segments (the last may be shorter).
    #[must_use]
    pub const fn segment_count(&self) -> u32 {
        self.length.div_ceil(self.segment_size.bytes()) as u32
    }

    /// Levels from the leaves to the root.
    #[must_use]
    pub const fn tree_height(&self) -> u32 {
        (self.block_count() as u64)
            .next_power_of_two()
            .trailing_zeros()
    }

    /// Levels from the leaves to the segment hashes: a segment's depth, or
    /// the whole tree when the content is shorter than one segment.
    #[must_use]
    pub const fn segment_height(&self) -> u32 {
        let seg = (self.segment_size.log2() - BLOCK_LOG2) as u32;
        let tree = self.tree_height();
        if seg < tree {
            seg
        } else {
            tree
        }
    }

    /// Levels from the segment hashes to the root.
    #[must_use]
    pub const fn upper_height(&self) -> u32 {
        self.tree_height() - self.segment_height()
    }

    /// Byte offset and length of segment `index`.
    #[must_use]
    pub fn segment_range(&self, index: u32) -> Option<(u64, u64)> {
        if index >= self.segment_count() {
            return None;
        }
        let start = u64::from(index) * self.segment_size.bytes();
        Some((start, (self.length - start).min(self.segment_size.bytes())))
    }

    /// The segment holding block `block`.
    #[must_use]
    pub const fn segment_of_block(&self, block: u32) -> u32 {
        block >> (self.segment_size.log2() - BLOCK_LOG2)
    }

    /// The first block of segment `segment` and how many blocks it has.
    #[must_use]
    pub fn blocks_of_segment(&self, segment: u32) -> Option<(u32, u32)> {
        let (start, len) = self.segment_range(segment)?;
        Some((
            (start / BLOCK_SIZE as u64) as u32,
            len.div_ceil(BLOCK_SIZE as u64) as u32,
        ))
    }

    /// Length of block `block` (16 KiB except the content's last).
    #[must_use]
    pub fn block_len(&self, block: u32) -> Option<usize> {
        if block >= self.block_count() {
            return None;
        }
        let start = u64::from(block) * BLOCK_SIZE as u64;
        Some((self.length - start).min(BLOCK_SIZE as u64) as usize)
    }

    /// The hash of segment `index` from its bytes: its blocks' leaves,
    /// padded with zero leaves, hashed up to the segment layer.
    pub fn segment_hash(&self, index: u32, data: &[u8]) -> Result<Hash, Error> {
        let mut leaves = self.segment_leaves(index, data)?;
        Ok(reduce(&mut leaves, 0, self.segment_height()))
    }

    fn segment_leaves(&self, index: u32, data: &[u8]) -> Result<Vec<Hash>, Error> {
        let (_, len) = self
            .segment_range(index)
            .ok_or(Error::NoSuchSegment(index))?;
        if data.len() as u64 != len {
            return Err(Error::SegmentLength {
                segment: index,
                expected: len,
                got: data.len() as u64,
            });
        }
        Ok(data.chunks(BLOCK_SIZE).map(block_hash).collect())
    }

    /// The root from the segment hash layer. Refused if the count is wrong.
    pub fn root_of(&self, segment_hashes: &[Hash]) -> Result<Hash, Error> {
        let expected = self.segment_count();
        if segment_hashes.len() != expected as usize {
            return Err(Error::HashCount {
                expected,
                got: segment_hashes.len(),
            });
        }
        let mut layer = segment_hashes.to_vec();
        Ok(reduce(
            &mut layer,
            self.segment_height(),
            self.upper_height(),
        ))
    }

    /// The proof of block `block` up to the root, from the bytes of its
    /// segment and the segment hash layer. Refused if the segment's bytes do
    /// not hash to its entry in `segment_hashes`.
    pub fn prove_block(
        &self,
        block: u32,
        segment_data: &[u8],
        segment_hashes: &[Hash],
    ) -> Result<BlockProof, Error> {
        if block >= self.block_count() {
            return Err(Error::NoSuchBlock(block));
        }
        let segment = self.segment_of_block(block);
        let mut leaves = self.segment_leaves(segment, segment_data)?;
        let expected = segment_hashes
            .get(segment as usize)
            .ok_or(Error::HashCount {
                expected: self.segment_count(),
                got: segment_hashes.len(),
            })?;
        let (first, _) = self
            .blocks_of_segment(segment)
            .ok_or(Error::NoSuchSegment(segment))?;
        let mut uncles = Vec::with_capacity(self.tree_height() as usize);
        uncles_of(
            &mut leaves,
            u64::from(block - first),
            0,
            self.segment_height(),
            &mut uncles,
        );
        if leaves.first() != Some(expected) {
            return Err(Error::SegmentMismatch(segment));
        }
        let mut layer = segment_hashes.to_vec();
        uncles_of(
            &mut layer,
            u64::from(segment),
            self.segment_height(),
            self.upper_height(),
            &mut uncles,
        );
        Ok(BlockProof { block, uncles })
    }
}

const PROOF_TYPE: u8 = b'P';
/// At most this many uncles: the height of a 1 TiB tree.
const MAX_PROOF_LAYERS: u8 = 26;

/// The uncle hashes of one block, from its sibling leaf upwards (BEP 52
/// `hashes`: "starts with the base layer and ends with the uncle hash
/// closest to the root"). With as many uncles as the tree's height it
/// proves the block against the root; with a segment's height, against the
/// segment hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockProof {
    block: u32,
    uncles: Vec<Hash>,
}

impl BlockProof {
    /// A proof for `block` (counted from the start of the content).
    #[must_use]
    pub const fn new(block: u32, uncles: Vec<Hash>) -> Self {
        Self { block, uncles }
    }

    /// The block the proof is for.
    #[must_use]
    pub const fn block(&self) -> u32 {
        self.block
    }

    /// The uncle hashes, nearest the leaf first.
    #[must_use]
    pub fn uncles(&self) -> &[Hash] {
        &self.uncles
    }

    /// Keeps only the uncles up to the segment layer of `layout`, for a peer
    /// that holds the segment hashes.
    #[must_use]
    pub fn to_segment_layer(mut self, layout: &Layout) -> Self {
        self.uncles.truncate(layout.segment_height() as usize);
        self
    }

    /// The node the proof leads to from the block's leaf hash.
    #[must_use]
    pub fn climb(&self, leaf: Hash) -> Hash {
        let mut index = self.block;
        let mut node = leaf;
        for uncle in &self.uncles {
            node = if index & 1 == 0 {
                node_hash(&node, uncle)
            } else {
                node_hash(uncle, &node)
            };
            index >>= 1;
        }
        node
    }

    /// Parses `P`, version, block (u32), layer count (u8), the uncles.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        let proof = Self::read(&mut r)?;
        r.finish()?;
        Ok(proof)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        r.header(PROOF_TYPE, "block proof type")?;
        let block = r.u32("block index")?;
        let at = r.position();
        let layers = r.u8("proof layers")?;
        if layers > MAX_PROOF_LAYERS {
            return Err(ParseError::new(at, "proof layers"));
        }
        let mut uncles = Vec::with_capacity(usize::from(layers));
        for _ in 0..layers {
            uncles.push(r.array("uncle hash")?);
        }
        Ok(Self { block, uncles })
    }

    /// Appends the encoding. Proofs built by this crate have at most 26
    /// uncles; a longer hand-made one is cut to 255 in the layer count and
    /// will not parse back.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_header(out, PROOF_TYPE);
        out.extend_from_slice(&self.block.to_be_bytes());
        out.push(self.uncles.len().min(255) as u8);
        for u in self.uncles.iter().take(255) {
            out.extend_from_slice(u);
        }
    }

    /// The encoding in a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(7 + 32 * self.uncles.len());
        self.emit(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_block_content_root_is_the_leaf() {
        let layout = Layout::new(1, SegmentSize::MIN).unwrap();
        assert_eq!(layout.tree_height(), 0);
        assert_eq!(layout.segment_hash(0, &[7]).unwrap(), block_hash(&[7]));
    }

    #[test]
    fn short_content_pads_to_its_own_power_of_two() {
        // 3 blocks in a 64 KiB segment: 4 leaves, not the segment's 4 either way;
        // 5 blocks in a 128 KiB segment: 8 leaves.
        let size = SegmentSize::new(1 << 17).unwrap();
        let layout = Layout::new(3 * BLOCK_SIZE as u64, size).unwrap();
        assert_eq!(layout.segment_height(), 2);
        let layout = Layout::new(BLOCK_SIZE as u64 + 1, size).unwrap();
        assert_eq!(layout.segment_height(), 1);
        assert_eq!(layout.upper_height(), 0);
    }

    #[test]
    fn segment_sizes_outside_the_range_are_refused() {
        assert!(SegmentSize::new(8192).is_err());
        assert!(SegmentSize::new(3 << 14).is_err());
        assert!(SegmentSize::new(1 << 31).is_err());
        assert_eq!(SegmentSize::new(1 << 30).unwrap().blocks(), 1 << 16);
    }
}
