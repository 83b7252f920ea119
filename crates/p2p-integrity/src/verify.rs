//! Verification at the receiving peer (TR 33.844 §5.4 steps 8 and 12).
//!
//! The peer trusts only the root (with the length and segment size) it got
//! from the CCS over PP_s1. It accepts a segment hash list only if the list
//! reduces to that root, then checks segments as they arrive, in any order,
//! and single 16 KiB blocks with a Merkle proof before it holds a whole
//! segment. A failure names the segment and marks nothing verified.

use alloc::vec::Vec;

use ims_sec_core::ct_eq;

use crate::bitmap::SegmentBitmap;
use crate::error::VerifyError;
use crate::manifest::Manifest;
use crate::merkle::{block_hash, BlockProof, Hash, Layout};

/// Checks a content's segments and blocks against a trusted root.
#[derive(Debug, Clone)]
pub struct SegmentVerifier {
    layout: Layout,
    root: Hash,
    segment_hashes: Option<Vec<Hash>>,
    verified: SegmentBitmap,
}

impl SegmentVerifier {
    /// A verifier for content of `layout` whose root is `trusted_root`. It
    /// can check blocks with full proofs at once, and segments after
    /// [`accept_hashes`](Self::accept_hashes).
    #[must_use]
    pub fn new(layout: Layout, trusted_root: Hash) -> Self {
        Self {
            layout,
            root: trusted_root,
            segment_hashes: None,
            verified: SegmentBitmap::new(layout.segment_count()),
        }
    }

    /// A verifier from a manifest, which must carry the trusted root; its
    /// segment hashes are accepted if they reduce to it.
    pub fn from_manifest(manifest: &Manifest, trusted_root: &Hash) -> Result<Self, VerifyError> {
        if !ct_eq(manifest.root(), trusted_root) {
            return Err(VerifyError::RootMismatch);
        }
        let mut v = Self::new(*manifest.layout(), *trusted_root);
        v.accept_hashes(manifest.segment_hashes().to_vec())?;
        Ok(v)
    }

    /// Takes the segment hash list if it has one hash per segment and reduces
    /// to the trusted root; otherwise refuses it and keeps what it had.
    pub fn accept_hashes(&mut self, hashes: Vec<Hash>) -> Result<(), VerifyError> {
        let root = self
            .layout
            .root_of(&hashes)
            .map_err(VerifyError::HashList)?;
        if !ct_eq(&root, &self.root) {
            return Err(VerifyError::HashList(
                crate::error::Error::HashesDoNotMatchRoot,
            ));
        }
        self.segment_hashes = Some(hashes);
        Ok(())
    }

    /// The layout being verified.
    #[must_use]
    pub const fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The trusted root.
    #[must_use]
    pub const fn root(&self) -> &Hash {
        &self.root
    }

    /// Whether a segment hash list was accepted.
    #[must_use]
    pub const fn has_hashes(&self) -> bool {
        self.segment_hashes.is_some()
    }

    /// Checks segment `index` and marks it verified if it matches. A failure
    /// marks nothing; it does not unmark a segment that passed before (the
    /// bitmap records that good bytes were seen, not which bytes are held).
    pub fn verify_segment(&mut self, index: u32, data: &[u8]) -> Result<(), VerifyError> {
        let hashes = self
            .segment_hashes
            .as_ref()
            .ok_or(VerifyError::NoHashList)?;
        let expected = hashes
            .get(index as usize)
            .ok_or(VerifyError::NoSuchSegment(index))?;
        let got = self.layout.segment_hash(index, data).map_err(|e| match e {
            crate::error::Error::SegmentLength {
                segment,
                expected,
                got,
            } => VerifyError::SegmentLength {
                segment,
                expected,
                got,
            },
            _ => VerifyError::NoSuchSegment(index),
        })?;
        if !ct_eq(&got, expected) {
            return Err(VerifyError::SegmentMismatch(index));
        }
        self.verified.set(index);
        Ok(())
    }

    /// Checks one block with its proof: against the root when the proof has
    /// the tree's height in uncles, or against the accepted segment hash
    /// when it has the segment's height. Marks nothing (a segment is
    /// verified whole).
    pub fn verify_block(
        &self,
        block: u32,
        data: &[u8],
        proof: &BlockProof,
    ) -> Result<(), VerifyError> {
        let segment = self.layout.segment_of_block(block);
        let tree = self.layout.tree_height() as usize;
        let seg = self.layout.segment_height() as usize;
        let target = if proof.uncles().len() == tree {
            self.root
        } else if proof.uncles().len() == seg {
            match self.segment_hashes.as_ref() {
                Some(h) => *h
                    .get(segment as usize)
                    .ok_or(VerifyError::WrongBlock { segment, block })?,
                None => return Err(VerifyError::NoHashList),
            }
        } else {
            return Err(VerifyError::ProofLayers {
                segment,
                block,
                expected: tree,
                got: proof.uncles().len(),
            });
        };
        verify_block_to(&self.layout, &target, block, data, proof)
    }

    /// The segments verified so far.
    #[must_use]
    pub const fn verified(&self) -> &SegmentBitmap {
        &self.verified
    }

    /// Whether every segment is verified.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.verified.is_full()
    }
}

/// Checks block `block` against `target`, the node `proof.uncles().len()`
/// levels above the leaves that covers the block: the root for a full
/// proof.
fn verify_block_to(
    layout: &Layout,
    target: &Hash,
    block: u32,
    data: &[u8],
    proof: &BlockProof,
) -> Result<(), VerifyError> {
    let segment = layout.segment_of_block(block);
    if proof.block() != block {
        return Err(VerifyError::WrongBlock { segment, block });
    }
    let expected = layout
        .block_len(block)
        .ok_or(VerifyError::WrongBlock { segment, block })?;
    if data.len() != expected {
        return Err(VerifyError::BlockLength {
            segment,
            block,
            expected,
            got: data.len(),
        });
    }
    // The proof's uncles climb from the block to a node of the tree; its
    // length decides which layer, so it must be one of the two we trust.
    let layers = proof.uncles().len();
    if layers != layout.tree_height() as usize && layers != layout.segment_height() as usize {
        return Err(VerifyError::ProofLayers {
            segment,
            block,
            expected: layout.tree_height() as usize,
            got: layers,
        });
    }
    if ct_eq(&proof.climb(block_hash(data)), target) {
        Ok(())
    } else {
        Err(VerifyError::BlockMismatch { segment, block })
    }
}

/// Checks a block against the content root with a full proof. Needs no
/// content and no segment hashes: what a Tracker uses for possession checks.
pub fn verify_block_to_root(
    layout: &Layout,
    root: &Hash,
    block: u32,
    data: &[u8],
    proof: &BlockProof,
) -> Result<(), VerifyError> {
    let segment = layout.segment_of_block(block);
    let expected = layout.tree_height() as usize;
    if proof.uncles().len() != expected {
        return Err(VerifyError::ProofLayers {
            segment,
            block,
            expected,
            got: proof.uncles().len(),
        });
    }
    verify_block_to(layout, root, block, data, proof)
}
