//! Properties of `kms_ticket::crypto` over random inputs: round trips for
//! every algorithm, tamper detection, the replay cache's promises, and no
//! panic for any input length.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::time::Duration;

use kms_ticket::crypto::*;
use proptest::prelude::*;

fn any_prf() -> impl Strategy<Value = Prf> {
    prop_oneof![Just(Prf::MikeyOne), Just(Prf::HmacSha256)]
}

fn any_enc() -> impl Strategy<Value = Encryption> {
    prop_oneof![
        Just(Encryption::Null),
        Just(Encryption::AesCm128),
        Just(Encryption::AesKw128),
        Just(Encryption::AesCm256),
    ]
}

fn any_mac() -> impl Strategy<Value = Mac> {
    prop_oneof![Just(Mac::HmacSha1_160), Just(Mac::HmacSha256_256)]
}

fn keys(
    prf: Prf,
    inkey: &[u8],
    csb_id: u32,
    rand: &[u8],
    enc: Encryption,
    mac: Mac,
) -> ProtectionKeys {
    ProtectionKeys::derive(
        prf,
        inkey,
        &MessageKeyLabel::Envelope { csb_id, rand },
        enc,
        mac,
    )
    .unwrap()
}

/// A plaintext the algorithm can take: AES-KW wraps whole 64-bit blocks,
/// at least two.
fn fit(enc: Encryption, mut p: Vec<u8>) -> Vec<u8> {
    if enc == Encryption::AesKw128 {
        let len = (p.len() / 8 * 8).max(16);
        p.resize(len, 0x5A);
    }
    p
}

fn any_ts() -> impl Strategy<Value = TimestampValue> {
    // Times around now (2023-11-14) in every time format.
    let base = 1_700_000_000u64;
    (0u64..4000, any::<u32>(), 0u8..3).prop_map(move |(s, n, kind)| {
        let secs = base + s;
        match kind {
            0 => TimestampValue::NtpUtc(ntp_from_unix(secs, n % 1_000_000_000)),
            1 => TimestampValue::Ntp(ntp_from_unix(secs, n % 1_000_000_000)),
            _ => TimestampValue::NtpUtc32((ntp_from_unix(secs, 0) >> 32) as u32),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encrypt_then_decrypt_gives_the_plaintext(
        prf in any_prf(),
        inkey in prop::collection::vec(any::<u8>(), 1..80),
        rand in prop::collection::vec(any::<u8>(), 16..32),
        csb_id in any::<u32>(),
        t in any::<u64>(),
        enc in any_enc(),
        mac in any_mac(),
        plaintext in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let k = keys(prf, &inkey, csb_id, &rand, enc, mac);
        let p = fit(enc, plaintext);
        let c = k.encrypt(csb_id, t, &p).unwrap();
        prop_assert_eq!(c.len(), enc.ciphertext_len(p.len()));
        if enc != Encryption::Null && p.len() >= 16 {
            prop_assert_ne!(&c, &p);
        }
        prop_assert_eq!(&*k.decrypt(csb_id, t, &c).unwrap(), &p);
    }

    #[test]
    fn aes_cm_keystream_depends_on_csb_id_and_timestamp(
        inkey in prop::collection::vec(any::<u8>(), 16..=16),
        csb_id in any::<u32>(),
        t in any::<u64>(),
        bit in 0u32..96,
    ) {
        let k = keys(Prf::MikeyOne, &inkey, 1, &[0; 16], Encryption::AesCm128, Mac::HmacSha1_160);
        let p = [0u8; 32];
        let a = k.encrypt(csb_id, t, &p).unwrap();
        let (csb2, t2) = if bit < 32 { (csb_id ^ (1 << bit), t) } else { (csb_id, t ^ (1 << (bit - 32))) };
        prop_assert_ne!(a, k.encrypt(csb2, t2, &p).unwrap());
    }

    #[test]
    fn aes_kw_with_the_default_iv_is_the_aes_kw_crate(
        kek in prop::array::uniform16(any::<u8>()),
        blocks in 2usize..12,
        seed in any::<u8>(),
    ) {
        let data: Vec<u8> = (0..blocks * 8).map(|i| (i as u8).wrapping_mul(seed)).collect();
        let k = ProtectionKeys::from_keys(Encryption::AesKw128, Mac::Null, &kek, &aes_kw::IV, &[]).unwrap();
        let ours = k.encrypt(0, 0, &data).unwrap();
        let mut theirs = vec![0u8; data.len() + 8];
 aes_kw::KekAes128::from(kek).wrap(&data, &mut theirs).unwrap();
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn any_flipped_bit_in_data_or_tag_fails_verify(
        inkey in prop::collection::vec(any::<u8>(), 1..64),
        mac in any_mac(),
        data in prop::collection::vec(any::<u8>(), 1..200),
        flip_tag in any::<bool>(),
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let k = keys(Prf::HmacSha256, &inkey, 7, &[1; 16], Encryption::AesCm128, mac);
        let tag = k.mac(&data);
        prop_assert_eq!(tag.len(), mac.tag_len());
        prop_assert!(k.verify(&data, &tag).is_ok());
        let (mut d, mut t) = (data.clone(), tag.clone());
        if flip_tag {
            let i = pos.index(t.len());
 t[i] ^= 1 << bit;
        } else {
            let i = pos.index(d.len());
 d[i] ^= 1 << bit;
        }
        prop_assert_eq!(k.verify(&d, &t), Err(CryptoError::MacMismatch));
    }

    #[test]
    fn a_truncated_or_extended_tag_fails_verify(
        mac in any_mac(),
        data in prop::collection::vec(any::<u8>(), 0..64),
        cut in 0usize..40,
    ) {
        let k = keys(Prf::MikeyOne, &[9; 16], 7, &[1; 16], Encryption::Null, mac);
        let tag = k.mac(&data);
        let mut t = tag.clone();
        if cut < tag.len() { t.truncate(cut) } else { t.push(0) }
        prop_assert_eq!(k.verify(&data, &t), Err(CryptoError::MacMismatch));
    }

    #[test]
    fn decrypt_of_arbitrary_bytes_never_panics(
        enc in any_enc(),
        c in prop::collection::vec(any::<u8>(), 0..200),
        csb_id in any::<u32>(),
        t in any::<u64>(),
    ) {
        let k = keys(Prf::MikeyOne, &[3; 20], csb_id, &[2; 16], enc, Mac::HmacSha1_160);
        let r = k.decrypt(csb_id, t, &c);
        if enc == Encryption::AesKw128 {
            // 2^-64 to guess the integrity value.
            prop_assert!(r.is_err());
        } else {
            prop_assert_eq!(r.unwrap().len(), c.len());
        }
        // Encrypting any length is an answer or an error, never a panic.
        let _ = k.encrypt(csb_id, t, &c);
    }

    #[test]
    fn prf_fills_exactly_the_length_asked(
        prf_kind in any_prf(),
        inkey in prop::collection::vec(any::<u8>(), 0..150),
        label in prop::collection::vec(any::<u8>(), 0..80),
        len in 0usize..300,
    ) {
        let mut out = vec![0xEEu8; len + 8];
        prf(prf_kind, &inkey, &label, &mut out[..len]);
        // Nothing past the requested bytes is touched.
        prop_assert!(out[len..].iter().all(|&b| b == 0xEE));
        let mut again = vec![0u8; len];
        prf(prf_kind, &inkey, &label, &mut again);
        prop_assert_eq!(&out[..len], &again[..]);
        match derive_key(prf_kind, &inkey, &label, len) {
            Ok(k) => {
                prop_assert_eq!(k.len(), len);
                prop_assert_eq!(k.expose_secret(), &again[..]);
            }
            Err(CryptoError::EmptyKey) => prop_assert!(inkey.is_empty()),
            Err(e) => {
                prop_assert!(len > MAX_KEY_LEN, "{e:?}");
            }
        }
    }

    #[test]
    fn forked_and_mpk_keys_are_as_long_as_their_input(
        prf_kind in any_prf(),
        key in prop::collection::vec(any::<u8>(), 1..=MAX_KEY_LEN),
        id in prop::collection::vec(any::<u8>(), 0..100),
        rand in prop::collection::vec(any::<u8>(), 0..=255),
    ) {
        for which in [ForkedKey::Mpkr, ForkedKey::Tgk] {
            prop_assert_eq!(fork_key(prf_kind, &key, which, &id, &rand).unwrap().len(), key.len());
        }
        for role in [MpkRole::Initiator, MpkRole::Responder] {
            prop_assert_eq!(derive_mpk(prf_kind, &key, role, &rand).unwrap().len(), key.len());
        }
    }

    #[test]
    fn an_accepted_message_is_refused_while_inside_the_window(
        ts in any_ts(),
        key in prop::collection::vec(any::<u8>(), 0..40),
        skew_s in 1u64..600,
        later_ms in 0u64..1_200_000,
    ) {
        let skew = Duration::from_secs(skew_s);
        let mut cache = ReplayCache::new(skew, 100);
        let t = ts.unix_time().unwrap();
        cache.insert(t, ts, &key).unwrap();
        prop_assert_eq!(cache.len(), 1);
        let now = t + Duration::from_millis(later_ms);
        let again = cache.insert(now, ts, &key);
        if now.saturating_sub(t) <= skew {
            prop_assert_eq!(again, Err(FreshnessError::Replayed));
        } else {
            let refused = matches!(again, Err(FreshnessError::OutsideSkew { .. }));
 prop_assert!(refused);
        }
    }

    #[test]
    fn anything_outside_the_skew_is_refused(
        ts in any_ts(),
        skew_s in 0u64..600,
        off_ms in 1u64..10_000_000,
        ahead in any::<bool>(),
    ) {
        let skew = Duration::from_secs(skew_s);
        let t = ts.unix_time().unwrap();
        let off = skew + Duration::from_millis(off_ms);
        let now = if ahead { t - off } else { t + off };
        let cache = ReplayCache::new(skew, 10);
        let refused = matches!(cache.check(now, ts, b"k"), Err(FreshnessError::OutsideSkew { .. }));
 prop_assert!(refused);
        let refused = matches!(check_skew(now, ts, skew), Err(FreshnessError::OutsideSkew { .. }));
 prop_assert!(refused);
    }

    #[test]
    fn the_cache_never_exceeds_capacity_and_a_refusal_changes_nothing(
        capacity in 0usize..12,
        skew_s in 1u64..60,
        ops in prop::collection::vec((0u64..4_000, -90i64..90, 0u8..16), 1..200),
    ) {
        let skew = Duration::from_secs(skew_s);
        let mut cache = ReplayCache::new(skew, capacity);
        let mut now = Duration::from_secs(1_700_000_000);
        let mut accepted: Vec<(Duration, TimestampValue, u8)> = Vec::new();
        for (advance_ms, ts_off_s, key) in ops {
            now += Duration::from_millis(advance_ms);
            let secs = (now.as_secs() as i64 + ts_off_s) as u64;
            let ts = TimestampValue::NtpUtc(ntp_from_unix(secs, 0));
            let before = cache.clone();
            let checked = cache.check(now, ts, &[key]);
            prop_assert_eq!(&cache, &before, "check changes nothing");
            let inserted = cache.insert(now, ts, &[key]);
            prop_assert_eq!(checked, inserted);
            match inserted {
                Ok(()) => {
                    // Never twice inside the window.
                    let t = ts.unix_time().unwrap();
                    prop_assert!(!accepted.iter().any(|(at, ts2, k2)| *ts2 == ts && *k2 == key
                        && now.saturating_sub(*at) <= skew + skew && t + skew >= now));
                    accepted.push((now, ts, key));
                }
                Err(_) => prop_assert_eq!(&cache, &before, "a refusal changes nothing"),
            }
            prop_assert!(cache.len() <= capacity);
        }
    }

    #[test]
    fn counters_must_strictly_increase(counters in prop::collection::vec(any::<u64>(), 1..50)) {
        let mut w = CounterWindow::new();
        let mut last: Option<u64> = None;
        for c in counters {
            let before = w;
            let r = w.accept(c);
            if last.is_none_or(|l| c > l) {
                prop_assert!(r.is_ok());
                last = Some(c);
            } else {
                let refused = matches!(r, Err(FreshnessError::CounterNotIncreasing { .. }));
 prop_assert!(refused);
                prop_assert_eq!(w, before);
            }
        }
    }

    #[test]
    fn ntp_round_trips_from_1970_to_2104(secs in 0u64..4_233_462_144, nanos in 0u32..1_000_000_000) {
        let ntp = ntp_from_unix(secs, nanos);
        prop_assert_eq!(unix_from_ntp(ntp), Some((secs, nanos)));
        // Era 0 (1968-2036) has the most significant bit set; era 1 clear.
        prop_assert_eq!(ntp >> 63 == 1, secs < 2_085_978_496);
    }
}

#[test]
fn counter_timestamps_are_not_times_for_the_replay_cache() {
    let cache = ReplayCache::new(Duration::from_secs(60), 10);
    assert_eq!(
        cache.check(Duration::from_secs(1), TimestampValue::Counter(5), b"k"),
        Err(FreshnessError::NotATime)
    );
    assert_eq!(TimestampValue::Counter(5).iv_value(), 5);
}

#[test]
fn a_full_cache_refuses_until_entries_expire() {
    let skew = Duration::from_secs(10);
    let mut cache = ReplayCache::new(skew, 2);
    let now = Duration::from_secs(1_700_000_000);
    let ts = TimestampValue::NtpUtc(ntp_from_unix(now.as_secs(), 0));
    cache.insert(now, ts, b"a").unwrap();
    cache.insert(now, ts, b"b").unwrap();
    assert_eq!(cache.insert(now, ts, b"c"), Err(FreshnessError::CacheFull));
    // Past ts + skew the old entries can go, and a fresh message fits.
    let later = now + skew + Duration::from_secs(1);
    let ts2 = TimestampValue::NtpUtc(ntp_from_unix(later.as_secs(), 0));
    cache.insert(later, ts2, b"c").unwrap();
    assert!(cache.len() <= 2);
    // A message at the edge of the window is still a replay.
    let edge = now + skew;
    let mut c2 = ReplayCache::new(skew, 4);
    c2.insert(now, ts, b"x").unwrap();
    assert_eq!(c2.insert(edge, ts, b"x"), Err(FreshnessError::Replayed));
}
