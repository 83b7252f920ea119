//! IMS peer-to-peer content distribution, secured as TR 33.844 §5 sketches
//! it, in memory and printed as it happens:
//!
//! 1. The CSS imports a film: encrypts it (AES-128-CTR, §5.1), cuts it into
//!    segments and hashes them into a BEP 52 manifest over the ciphertext
//!    (§5.4). The CCS keeps the manifest and the key; the Tracker keeps only
//!    the root.
//! 2. UE-A downloads from the CCS, gets the manifest and the content key
//!    over PP_s1 (its own KEK, RFC 3394 wrap), verifies and decrypts, and
//!    announces under a temporary peer ID (§5.3).
//! 3. A malicious UE announces the film without having it.
//! 4. UE-B's peer list shows only TIDs. B downloads from the peers; the
//!    malicious peer's tampered segment is caught and fetched again from A.
//! 5. The Tracker's checking cycle (§5.2) catches the false announcement.
//! 6. A rotates its TID; B cannot link the old TID to the new one.
//!
//! ```sh
//! cargo run --example p2p_distribution
//! ```
#![allow(clippy::print_stdout, clippy::indexing_slicing)]

use std::error::Error;
use std::time::Duration;

use ims_sec::p2p::{
    Announcement, BlockProof, CheckOutcome, CipherSuite, ContentId, ContentKey, ContentKeyRequest,
    ContentKeyResponse, ContentKeyServer, KeyEncryptionKey, Manifest, ManifestBuilder, PeerList,
    PermanentId, PossessionResponse, Refusal, SegmentBitmap, SegmentCipher, SegmentSize,
    SegmentVerifier, TemporaryPeerId, TidSecret, Tracker, TrackerConfig,
};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

const LENGTH: usize = 1_000_000;
const SEGMENT: u64 = 64 * 1024;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn short(tid: &TemporaryPeerId) -> String {
    hex(&tid.as_bytes()[..6])
}

fn segment_of<'a>(m: &Manifest, data: &'a [u8], i: u32) -> &'a [u8] {
    let (start, len) = m.layout().segment_range(i).unwrap_or((0, 0));
    &data[start as usize..(start + len) as usize]
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = StdRng::seed_from_u64(33_844);
    let film_id = ContentId::new("urn:ims:content:film-0042")?;
    let alice = PermanentId::new("sip:alice@ims.example")?;
    let bob = PermanentId::new("sip:bob@ims.example")?;
    let mallory = PermanentId::new("sip:mallory@ims.example")?;
    let mut now = Duration::from_secs(1_000);

    // 1. CSS: encrypt before import, then hash the ciphertext, streamed.
    println!("== CSS imports the film");
    let mut film = vec![0u8; LENGTH];
    rng.fill_bytes(&mut film);
    let plain = film.clone();
    let key = ContentKey::generate(CipherSuite::Aes128Ctr, &mut rng);
    let size = SegmentSize::new(SEGMENT)?;
    SegmentCipher::new(&key, &film_id).apply_content(size, &mut film)?;
    let mut builder = ManifestBuilder::new(film_id.clone(), size);
    for chunk in film.chunks(50_000) {
        builder.update(chunk)?;
    }
    let manifest = builder.finish()?;
    let n = manifest.layout().segment_count();
    println!(
        "CSS: {LENGTH} bytes encrypted with {}, {n} segments of {} KiB, root {}",
        key.suite(),
        SEGMENT / 1024,
        hex(manifest.root())
    );
    let mut ccs = ContentKeyServer::new();
    ccs.add_content(film_id.clone(), n, key.clone());
    let manifest_wire = manifest.to_bytes();
    println!(
        "CCS: holds the key and the manifest ({} bytes)",
        manifest_wire.len()
    );
    let mut tracker = Tracker::new(TrackerConfig::default());
    tracker.register_content(&manifest);
    println!("Tracker: knows the film's root, length and segment size, no content");

    // The CCS's entitlement policy: subscribers only.
    let policy = |who: &PermanentId, _: &ContentId, _: &SegmentBitmap| {
        if who.as_bytes().ends_with(b"@ims.example") && who != &mallory {
            Ok(())
        } else {
            Err(Refusal::NotEntitled)
        }
    };

    // 2. UE-A: manifest and key over PP_s1, segments from the CCS.
    println!("\n== UE-A downloads from the CCS");
    let manifest_a = Manifest::parse(&manifest_wire)?;
    let trusted_root = *manifest.root(); // what PP_s1 vouches for
    let mut verifier_a = SegmentVerifier::from_manifest(&manifest_a, &trusted_root)?;
    for i in 0..n {
        verifier_a.verify_segment(i, segment_of(&manifest, &film, i))?;
    }
    println!(
        "UE-A: {n}/{n} segments verified against the root",
        n = verifier_a.verified().count()
    );
    let key_a = request_key(&ccs, &policy, &film_id, &alice, n, &mut rng)?;
    let mut copy_a = film.clone();
    SegmentCipher::new(&key_a, &film_id).apply_content(size, &mut copy_a)?;
    println!(
        "UE-A: key unwrapped, film decrypted: {}",
        if copy_a == plain { "intact" } else { "CORRUPT" }
    );
    let refused = ccs.handle(
        &ContentKeyRequest::new(
            film_id.clone(),
            mallory.clone(),
            SegmentBitmap::full(n),
            KeyEncryptionKey::generate(16, &mut rng)?,
        ),
        &policy,
    );
    if let ContentKeyResponse::Refused { reason, .. } = refused {
        println!("CCS: key request from mallory refused: {reason}");
    }
    let secret_a = TidSecret::generate(&mut rng);
    let tid_a0 = secret_a.tid(0);
    let ack = tracker.announce(
        now,
        &Announcement {
            permanent_id: alice.clone(),
            tid: tid_a0,
            content_id: film_id.clone(),
            segments: SegmentBitmap::full(n),
        },
    )?;
    println!(
        "UE-A: announces all segments as TID {} (binding until t={}s)",
        tid_a0,
        ack.expires_at.as_secs()
    );

    // 3. Mallory announces the film without holding it.
    let tid_m = TemporaryPeerId::random(&mut rng);
    tracker.announce(
        now,
        &Announcement {
            permanent_id: mallory.clone(),
            tid: tid_m,
            content_id: film_id.clone(),
            segments: SegmentBitmap::full(n),
        },
    )?;
    println!("mallory: announces all segments as TID {tid_m} (holds none)");
    // A third UE tries to take over A's TID.
    let takeover = tracker.announce(
        now,
        &Announcement {
            permanent_id: mallory.clone(),
            tid: tid_a0,
            content_id: film_id.clone(),
            segments: SegmentBitmap::full(n),
        },
    );
    println!(
        "mallory: tries to announce under UE-A's TID: {}",
        match takeover {
            Err(e) => format!("refused ({e})"),
            Ok(_) => "ACCEPTED".to_owned(),
        }
    );

    // 4. UE-B: peer list, key, download from peers.
    println!("\n== UE-B downloads from peers");
    now += Duration::from_secs(5);
    let list = tracker.peer_list(now, &bob, &film_id, 50);
    let list_wire = list.to_bytes();
    print_peers("UE-B", &PeerList::parse(&list_wire)?);
    let leaked = [&alice, &mallory].iter().any(|id| {
        list_wire
            .windows(id.as_bytes().len())
            .any(|w| w == id.as_bytes())
    });
    if !leaked {
        println!(
            "UE-B: peer list carries no permanent ID ({} bytes checked)",
            list_wire.len()
        );
    }
    let key_b = request_key(&ccs, &policy, &film_id, &bob, n, &mut rng)?;
    let mut verifier_b =
        SegmentVerifier::from_manifest(&Manifest::parse(&manifest_wire)?, &trusted_root)?;
    let mut copy_b = vec![0u8; LENGTH];
    for i in 0..n {
        // Segment 3 is asked of mallory first, who sends something else.
        let from_mallory = i == 3;
        let mut data = segment_of(&manifest, &film, i).to_vec();
        if from_mallory {
            data[1234] ^= 0x20;
            match verifier_b.verify_segment(i, &data) {
                Err(e) => println!("UE-B refuses segment {i} from peer {}: {e}", short(&tid_m)),
                Ok(()) => println!("UE-B ACCEPTED a tampered segment"),
            }
            data = segment_of(&manifest, &film, i).to_vec();
            verifier_b.verify_segment(i, &data)?;
            println!(
                "UE-B verified segment {i} fetched again from peer {}",
                short(&tid_a0)
            );
        } else {
            verifier_b.verify_segment(i, &data)?;
        }
        let (start, _) = manifest.layout().segment_range(i).unwrap_or((0, 0));
        copy_b[start as usize..start as usize + data.len()].copy_from_slice(&data);
    }
    println!(
        "UE-B: {}/{n} segments verified",
        verifier_b.verified().count()
    );
    // A single block checked before its segment is complete.
    let block = 20;
    let proof = manifest.prove_block(
        block,
        segment_of(&manifest, &film, manifest.layout().segment_of_block(block)),
    )?;
    let proof = BlockProof::parse(&proof.to_bytes())?.to_segment_layer(manifest.layout());
    let start = block as usize * 16384;
    verifier_b.verify_block(block, &film[start..start + 16384], &proof)?;
    println!(
        "UE-B: block {block} verified alone with a {}-hash proof to its segment",
        proof.uncles().len()
    );

    // 5. The Tracker's checking cycle.
    println!("\n== Tracker checking cycle");
    let issued = tracker.poll_challenges(now, &mut rng);
    for i in issued {
        let c = &i.challenge;
        println!(
            "Tracker: challenges TID {} for block {} of segment {}",
            short(&c.tid),
            c.block,
            c.segment
        );
        let response = if i.recipient == alice {
            c.answer(&manifest_a, segment_of(&manifest, &film, c.segment))?
        } else {
            // Mallory has no data: it makes up a block and a proof.
            let mut block = vec![0u8; 16384];
            rng.fill_bytes(&mut block);
            let uncles = (0..manifest.layout().tree_height())
                .map(|_| [0x11; 32])
                .collect();
            PossessionResponse {
                nonce: c.nonce,
                block,
                proof: BlockProof::new(c.block, uncles),
            }
        };
        let wire = response.to_bytes();
        match tracker.handle_response(
            now + Duration::from_secs(1),
            &i.recipient,
            &PossessionResponse::parse(&wire)?,
        )? {
            CheckOutcome::Passed { tid, segment, .. } => {
                println!("Tracker: TID {} proved segment {segment}", short(&tid))
            }
            CheckOutcome::Failed {
                tid,
                reason,
                strikes,
                ..
            } => {
                println!(
                    "Tracker: false announcement by TID {} removed ({reason:?}, strike {strikes})",
                    short(&tid)
                );
            }
            CheckOutcome::Stale => println!("Tracker: stale answer ignored"),
        }
    }
    print_peers("UE-B", &tracker.peer_list(now, &bob, &film_id, 50));

    // 6. A rotates its TID.
    println!("\n== UE-A rotates its TID");
    now += Duration::from_secs(3600);
    let tid_a1 = secret_a.tid(1);
    tracker.announce(
        now,
        &Announcement {
            permanent_id: alice.clone(),
            tid: tid_a1,
            content_id: film_id.clone(),
            segments: SegmentBitmap::full(n),
        },
    )?;
    let after = tracker.peer_list(now, &bob, &film_id, 50);
    print_peers("UE-B", &after);
    let shared = tid_a0
        .as_bytes()
        .iter()
        .zip(tid_a1.as_bytes())
        .filter(|(a, b)| a == b)
        .count();
    let old_listed = tracker.is_listed(now, &tid_a0, &film_id);
    println!(
        "UE-B cannot link TID {} to TID {}: old TID listed: {old_listed}, bytes in common: {shared}/16, permanent ID in list: {}",
        short(&tid_a0),
        short(&tid_a1),
        after.to_bytes().windows(alice.as_bytes().len()).any(|w| w == alice.as_bytes())
    );

    SegmentCipher::new(&key_b, &film_id).apply_content(size, &mut copy_b)?;
    if copy_b == plain && verifier_b.is_complete() {
        println!("\nresult: UE-B holds the film, decrypted and verified");
    } else {
        println!("\nresult: UE-B's copy is WRONG");
    }
    Ok(())
}

fn print_peers(who: &str, list: &PeerList) {
    let peers: Vec<String> = list
        .peers
        .iter()
        .map(|p| format!("{} ({} segments)", p.tid, p.segments.count()))
        .collect();
    println!("{who}: peer list: {}", peers.join(", "));
}

/// Figure 10 steps 3–4 over PP_s1, with the UE's own KEK.
fn request_key(
    ccs: &ContentKeyServer,
    policy: &impl ims_sec::p2p::EntitlementPolicy,
    film: &ContentId,
    who: &PermanentId,
    segments: u32,
    rng: &mut StdRng,
) -> Result<ContentKey, Box<dyn Error>> {
    let kek = KeyEncryptionKey::generate(16, rng)?;
    let request = ContentKeyRequest::new(
        film.clone(),
        who.clone(),
        SegmentBitmap::full(segments),
        kek,
    );
    let response = ContentKeyResponse::parse(
        &ccs.handle(&ContentKeyRequest::parse(&request.to_bytes())?, policy)
            .to_bytes(),
    )?;
    let key = response.content_key(&request)?;
    println!(
        "CCS: grants {:?} its {} key, wrapped under its KEK (RFC 3394)",
        who,
        key.suite()
    );
    Ok(key)
}
