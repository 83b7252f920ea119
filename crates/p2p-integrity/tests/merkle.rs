//! Manifests, segment verification and block proofs (TR 33.844 §5.4).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use p2p_integrity::error::VerifyError;
use p2p_integrity::merkle::{block_hash, node_hash, pad_hash, ZERO_HASH};
use p2p_integrity::verify::verify_block_to_root;
use p2p_integrity::{
    BlockProof, ContentId, Extensions, Layout, Manifest, SegmentSize, SegmentVerifier, BLOCK_SIZE,
};
use proptest::prelude::*;
use rand::{RngCore, SeedableRng};

fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut c = vec![0; len];
    rand::rngs::StdRng::seed_from_u64(seed).fill_bytes(&mut c);
    c
}

fn segment<'a>(m: &Manifest, data: &'a [u8], i: u32) -> &'a [u8] {
    let (start, len) = m.layout().segment_range(i).unwrap();
    &data[start as usize..(start + len) as usize]
}

fn id() -> ContentId {
    ContentId::new("urn:ims:content:test").unwrap()
}

#[test]
fn tree_shape_follows_bep_52_by_hand() {
    // Five blocks, 32 KiB segments: leaves padded to 8 with zero hashes,
    // segment 2 is block 4 and a zero leaf, segment 3 pure padding.
    let data = content(4 * BLOCK_SIZE + 10, 1);
    let m = Manifest::build(id(), SegmentSize::new(32 * 1024).unwrap(), &data).unwrap();
    let leaves: Vec<_> = data.chunks(BLOCK_SIZE).map(block_hash).collect();
    let s0 = node_hash(&leaves[0], &leaves[1]);
    let s1 = node_hash(&leaves[2], &leaves[3]);
    let s2 = node_hash(&leaves[4], &ZERO_HASH);
    assert_eq!(m.segment_hashes(), &[s0, s1, s2]);
    let root = node_hash(&node_hash(&s0, &s1), &node_hash(&s2, &pad_hash(1)));
    assert_eq!(m.root(), &root);
}

#[test]
fn segments_verify_in_any_order_and_a_tampered_one_is_named() {
    let data = content(10 * BLOCK_SIZE + 123, 2);
    let m = Manifest::build(id(), SegmentSize::new(64 * 1024).unwrap(), &data).unwrap();
    let mut v = SegmentVerifier::from_manifest(&m, m.root()).unwrap();
    let n = m.layout().segment_count();
    assert_eq!(n, 3);
    let mut bad = segment(&m, &data, 1).to_vec();
    bad[100] ^= 1;
    assert_eq!(
        v.verify_segment(1, &bad),
        Err(VerifyError::SegmentMismatch(1))
    );
    assert!(!v.verified().get(1));
    assert_eq!(
        v.verify_segment(2, &bad[..10]).unwrap_err().segment(),
        Some(2)
    );
    for i in [2, 0, 1] {
        v.verify_segment(i, segment(&m, &data, i)).unwrap();
    }
    assert!(v.is_complete());
    assert_eq!(v.verify_segment(3, &[]), Err(VerifyError::NoSuchSegment(3)));
}

#[test]
fn a_hash_list_that_does_not_match_the_trusted_root_is_refused() {
    let data = content(5 * BLOCK_SIZE, 3);
    let m = Manifest::build(id(), SegmentSize::MIN, &data).unwrap();
    let mut v = SegmentVerifier::new(*m.layout(), *m.root());
    assert_eq!(
        v.verify_segment(0, segment(&m, &data, 0)),
        Err(VerifyError::NoHashList)
    );
    let mut hashes = m.segment_hashes().to_vec();
    hashes[3][0] ^= 1;
    assert!(matches!(
        v.accept_hashes(hashes),
        Err(VerifyError::HashList(_))
    ));
    assert!(matches!(
        v.accept_hashes(m.segment_hashes()[..4].to_vec()),
        Err(VerifyError::HashList(_))
    ));
    assert!(!v.has_hashes());
    v.accept_hashes(m.segment_hashes().to_vec()).unwrap();
    // A manifest whose root is not the trusted one is refused whole.
    let other = Manifest::build(id(), SegmentSize::MIN, &content(5 * BLOCK_SIZE, 4)).unwrap();
    assert_eq!(
        SegmentVerifier::from_manifest(&other, m.root()).unwrap_err(),
        VerifyError::RootMismatch
    );
}

#[test]
fn a_block_verifies_against_its_segment_before_the_segment_is_complete() {
    let data = content(9 * BLOCK_SIZE + 5, 5);
    let m = Manifest::build(id(), SegmentSize::new(128 * 1024).unwrap(), &data).unwrap();
    let v = SegmentVerifier::from_manifest(&m, m.root()).unwrap();
    let block = 9; // the short last block, in segment 1
    let proof = m.prove_block(block, segment(&m, &data, 1)).unwrap();
    let bytes = &data[9 * BLOCK_SIZE..];
    v.verify_block(block, bytes, &proof).unwrap();
    let short = proof.clone().to_segment_layer(m.layout());
    assert_eq!(short.uncles().len(), 3);
    v.verify_block(block, bytes, &short).unwrap();
    let mut wrong = bytes.to_vec();
    wrong[0] ^= 0x80;
    assert_eq!(
        v.verify_block(block, &wrong, &short),
        Err(VerifyError::BlockMismatch {
            segment: 1,
            block: 9
        })
    );
}

#[test]
fn proving_refuses_segment_bytes_that_do_not_match_the_manifest() {
    let data = content(4 * BLOCK_SIZE, 6);
    let m = Manifest::build(id(), SegmentSize::new(32 * 1024).unwrap(), &data).unwrap();
    let mut seg = segment(&m, &data, 1).to_vec();
    seg[7] ^= 1;
    assert!(m.prove_block(2, &seg).is_err());
    assert!(m.prove_block(4, segment(&m, &data, 1)).is_err());
}

#[test]
fn empty_content_has_no_manifest() {
    assert!(Manifest::build(id(), SegmentSize::MIN, &[]).is_err());
    assert!(Layout::new(0, SegmentSize::MIN).is_err());
}

#[test]
fn manifest_parse_refuses_what_does_not_add_up() {
    let data = content(3 * BLOCK_SIZE, 7);
    let m = Manifest::build(id(), SegmentSize::MIN, &data).unwrap();
    let bytes = m.to_bytes();
    assert_eq!(Manifest::parse(&bytes).unwrap(), m);
    for cut in 0..bytes.len() {
        assert!(Manifest::parse(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut extra = bytes.clone();
    extra.push(0);
    assert_eq!(
        Manifest::parse(&extra).unwrap_err().reason,
        "trailing bytes"
    );
    // A flipped bit in a segment hash no longer reduces to the root.
    let mut bad = bytes.clone();
    let at = bytes.len() - 1 - 5;
    bad[at] ^= 1;
    let err = Manifest::parse(&bad).unwrap_err();
    assert!(err.reason.contains("segment hashes"), "{err}");
    let mut v2 = bytes;
    v2[1] = 2;
    assert_eq!(
        Manifest::parse(&v2).unwrap_err().reason,
        "unsupported version"
    );
}

/// Every way to spoil a proof: each must be refused.
fn mutations(
    proof: &BlockProof,
    data: &[u8],
    which: usize,
    bit: usize,
) -> Vec<(u32, Vec<u8>, BlockProof)> {
    let b = proof.block();
    let u = proof.uncles().to_vec();
    let mut out = Vec::new();
    if !u.is_empty() {
        let mut flipped = u.clone();
        flipped[which % u.len()][bit % 32] ^= 1 << (bit % 8);
        out.push((b, data.to_vec(), BlockProof::new(b, flipped)));
        out.push((
            b,
            data.to_vec(),
            BlockProof::new(b, u[..u.len() - 1].to_vec()),
        ));
        let mut swapped = u.clone();
        swapped.reverse();
        if swapped != u {
            out.push((b, data.to_vec(), BlockProof::new(b, swapped)));
        }
        // The same uncles presented for the sibling block.
        out.push((b ^ 1, data.to_vec(), BlockProof::new(b ^ 1, u.clone())));
    }
    let mut longer = u.clone();
    longer.push([0; 32]);
    out.push((b, data.to_vec(), BlockProof::new(b, longer)));
    let mut d = data.to_vec();
    let at = bit % d.len();
    d[at] ^= 1 << (bit % 8);
    out.push((b, d, proof.clone()));
    out.push((b, data[..data.len() - 1].to_vec(), proof.clone()));
    out.push((b, data.to_vec(), BlockProof::new(b.wrapping_add(1), u)));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_valid_proof_is_accepted_and_every_mutated_one_refused(
        len in 1usize..(20 * BLOCK_SIZE),
        log2 in 14u8..=17,
        pick in any::<u32>(),
        which in any::<usize>(),
        bit in any::<usize>(),
        seed in any::<u64>(),
    ) {
        let data = content(len, seed);
        let m = Manifest::build(id(), SegmentSize::from_log2(log2).unwrap(), &data).unwrap();
        let layout = m.layout();
        let block = pick % layout.block_count();
        let seg = layout.segment_of_block(block);
        let proof = m.prove_block(block, segment(&m, &data, seg)).unwrap();
        prop_assert_eq!(proof.uncles().len() as u32, layout.tree_height());
        let start = block as usize * BLOCK_SIZE;
        let bytes = &data[start..(start + BLOCK_SIZE).min(len)];
        prop_assert!(verify_block_to_root(layout, m.root(), block, bytes, &proof).is_ok());
        let v = SegmentVerifier::from_manifest(&m, m.root()).unwrap();
        prop_assert!(v.verify_block(block, bytes, &proof.clone().to_segment_layer(layout)).is_ok());
        prop_assert_eq!(BlockProof::parse(&proof.to_bytes()).unwrap(), proof.clone());
        for (b, d, p) in mutations(&proof, bytes, which, bit) {
            let verdict = verify_block_to_root(layout, m.root(), b, &d, &p);
            prop_assert!(verdict.is_err(), "mutated proof accepted: block {} {:?}", b, p);
            let named = verdict.unwrap_err().segment();
            prop_assert!(named.is_some());
        }
    }

    #[test]
    fn manifest_parse_of_emit_is_identity(
        len in 1usize..(40 * BLOCK_SIZE),
        log2 in 14u8..=19,
        id_bytes in proptest::collection::vec(any::<u8>(), 1..=255),
        ext in proptest::collection::vec((any::<u8>(), proptest::collection::vec(any::<u8>(), 0..40)), 0..4),
    ) {
        let data = vec![0xa5; len];
        let mut m = Manifest::build(ContentId::new(id_bytes).unwrap(), SegmentSize::from_log2(log2).unwrap(), &data).unwrap();
        let mut e = Extensions::new();
        for (k, v) in ext {
            e.push(k, v).unwrap();
        }
        m.set_extensions(e);
        prop_assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
    }

    #[test]
    fn proof_parse_of_emit_is_identity(block in any::<u32>(), uncles in proptest::collection::vec(any::<[u8; 32]>(), 0..=26)) {
        let p = BlockProof::new(block, uncles);
        prop_assert_eq!(BlockProof::parse(&p.to_bytes()).unwrap(), p);
    }
}
