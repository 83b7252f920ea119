//! The USIM/ISIM side and the HE side working together, with either algorithm set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ims_aka::home::{resynchronise, AuthenticationVector};
use ims_aka::sqn::{SqnArray, SqnLayout, Staleness};
use ims_aka::usim::{Failure, SeparationBit, Usim};
use ims_aka::{AkaAlgorithm, Amf, Autn, Auts, Error, Milenage, Sqn, Tuak, TuakParams, K};
use ims_sec_core::Secret;
use proptest::prelude::*;

fn milenage() -> Milenage {
    Milenage::new(&Secret::new([0x46; 16]), &Secret::new([0xcd; 16]))
}

fn sqn(seq: u64, ind: usize) -> Sqn {
    SqnLayout::default().sqn(seq, ind).unwrap()
}

#[test]
fn separation_bit_policy_refuses_without_changing_state() {
    let alg = milenage();
    let mut usim =
        Usim::new(&alg, SqnArray::default()).with_separation_bit(SeparationBit::RequireSet);
    let umts = AuthenticationVector::generate(&alg, [1; 16], sqn(1, 0), Amf([0x00, 0x00]));
    let before = usim.sqn_state().clone();
    assert_eq!(usim.authenticate(&umts.rand, &umts.autn), Err(Failure::Amf));
    assert_eq!(usim.sqn_state(), &before);
    let eps = AuthenticationVector::generate(&alg, [1; 16], sqn(1, 0), Amf([0x80, 0x00]));
    assert!(usim.authenticate(&eps.rand, &eps.autn).is_ok());
}

/// TS 33.102 §6.3.3: MAC-S uses the dummy AMF 0x0000, not the AMF of the
/// refused AUTN (Kamailio's local-mode resync used the subscriber's AMF).
#[test]
fn auts_mac_s_uses_amf_zero_not_the_subscriber_amf() {
    let alg = milenage();
    let mut usim = Usim::new(&alg, SqnArray::default());
    let first = AuthenticationVector::generate(&alg, [2; 16], sqn(5, 1), Amf([0xb9, 0xb9]));
    usim.authenticate(&first.rand, &first.autn).unwrap();
    let Err(Failure::Sync { auts, reason }) = usim.authenticate(&first.rand, &first.autn) else {
        panic!("replay accepted");
    };
    assert_eq!(reason, Staleness::NotFresh);
    let sqn_ms = resynchronise(&alg, &first.rand, &auts).unwrap();
    assert_eq!(sqn_ms, sqn(5, 1));
    assert_eq!(auts.mac, alg.f1_star(&first.rand, sqn_ms, Amf::RESYNC));
    assert_ne!(
        auts.mac,
        alg.f1_star(&first.rand, sqn_ms, Amf([0xb9, 0xb9]))
    );
}

#[test]
fn auts_with_a_wrong_mac_s_is_refused() {
    let alg = milenage();
    let rand = [3; 16];
    let good = Auts {
        concealed_sqn: sqn(9, 2).conceal(&alg.f5_star(&rand)),
        mac: alg.f1_star(&rand, sqn(9, 2), Amf::RESYNC),
    };
    assert_eq!(resynchronise(&alg, &rand, &good), Ok(sqn(9, 2)));
    let mut bytes = good.to_bytes();
    bytes[13] ^= 0x01;
    assert_eq!(
        resynchronise(&alg, &rand, &Auts::from_bytes(&bytes).unwrap()),
        Err(Error::MacS)
    );
    // The MAC-S does not verify under another RAND either.
    assert_eq!(resynchronise(&alg, &[4; 16], &good), Err(Error::MacS));
}

#[test]
fn tuak_with_long_outputs_runs_the_whole_flow() {
    let params = TuakParams {
        mac_bits: 128,
        res_bits: 256,
        ck_bits: 256,
        ik_bits: 256,
        iterations: 3,
    };
    let k = K::from_slice(&[0x42; 32]).unwrap();
    let tuak = Tuak::with_top(&k, &Secret::new([0x11; 32]), params).unwrap();
    let av = AuthenticationVector::generate(&tuak, [5; 16], sqn(1, 3), Amf([0x80, 0]));
    assert_eq!(av.autn.encoded_len(), 24);
    assert_eq!((av.xres.len(), av.ck.len(), av.ik.len()), (32, 32, 32));
    let wire = av.autn.to_bytes();
    let mut usim = Usim::new(&tuak, SqnArray::default());
    let ok = usim
        .authenticate(&av.rand, &Autn::from_bytes(&wire).unwrap())
        .unwrap();
    assert_eq!((ok.res, ok.ck, ok.ik), (av.xres, av.ck, av.ik));
    let Err(Failure::Sync { auts, .. }) = usim.authenticate(&av.rand, &av.autn) else {
        panic!("replay accepted");
    };
    assert_eq!(auts.to_bytes().len(), 6 + 16);
    assert_eq!(resynchronise(&tuak, &av.rand, &auts), Ok(sqn(1, 3)));
}

#[test]
fn tuak_refuses_lengths_the_specification_does_not_allow() {
    let k = K::from_slice(&[0; 16]).unwrap();
    let topc = Secret::new([0; 32]);
    for bad in [
        TuakParams {
            mac_bits: 32,
            ..TuakParams::default()
        },
        TuakParams {
            res_bits: 16,
            ..TuakParams::default()
        },
        TuakParams {
            ck_bits: 64,
            ..TuakParams::default()
        },
        TuakParams {
            iterations: 0,
            ..TuakParams::default()
        },
    ] {
        assert!(
            matches!(Tuak::new(&k, &topc, bad), Err(Error::Parameter(_))),
            "{bad:?}"
        );
    }
    let k24 = K::from_slice(&[0; 24]).unwrap();
    assert!(matches!(
        Tuak::new(&k24, &topc, TuakParams::default()),
        Err(Error::Length { .. })
    ));
}

#[test]
fn secrets_and_algorithms_never_print_key_material() {
    let alg = milenage();
    let av = AuthenticationVector::generate(&alg, [6; 16], sqn(1, 0), Amf::default());
    let text = format!("{alg:?} {av:?} {:?}", alg.f2345(&av.rand));
    assert!(text.contains("redacted"));
    for secret in [
        av.xres.expose_secret(),
        av.ck.expose_secret(),
        av.ik.expose_secret(),
    ] {
        assert!(
            !text.contains(&hex::encode(secret)),
            "hex of a secret in {text}"
        );
        assert!(
            !text.contains(&hex::encode_upper(secret)),
            "hex of a secret in {text}"
        );
        assert!(
            !text.contains(&format!("{secret:?}")),
            "bytes of a secret in {text}"
        );
    }
    assert!(!format!("{alg:?}").contains("cdcd"));
}

#[test]
fn malformed_autn_and_auts_lengths_are_errors() {
    for len in [0, 15, 17, 23, 41] {
        assert!(matches!(
            Autn::from_bytes(&vec![0; len]),
            Err(Error::Length { what: "AUTN", .. })
        ));
    }
    for len in [0, 13, 15, 39] {
        assert!(matches!(
            Auts::from_bytes(&vec![0; len]),
            Err(Error::Length { what: "AUTS", .. })
        ));
    }
}

proptest! {
    #[test]
    fn autn_and_auts_round_trip(sqn_bytes in any::<[u8; 6]>(), amf in any::<[u8; 2]>(), mac_len in prop_oneof![Just(8usize), Just(16), Just(32)], seed in any::<u8>()) {
        let mac = ims_aka::Mac::from_slice(&vec![seed; mac_len]).unwrap();
        let autn = Autn { concealed_sqn: sqn_bytes, amf: Amf(amf), mac };
        prop_assert_eq!(Autn::from_bytes(&autn.to_bytes()).unwrap(), autn);
        let auts = Auts { concealed_sqn: sqn_bytes, mac };
        prop_assert_eq!(Auts::from_bytes(&auts.to_bytes()).unwrap(), auts);
    }

    #[test]
    fn sqn_conceal_reveal_round_trips(value in 0u64..=Sqn::MAX.value(), ak in any::<[u8; 6]>()) {
        let sqn = Sqn::new(value).unwrap();
        let ak = Secret::new(ak);
        prop_assert_eq!(Sqn::reveal(sqn.conceal(&ak), &ak), sqn);
        prop_assert_eq!(Sqn::from_bytes(sqn.to_bytes()), sqn);
    }
}

/// TS 35.206 §4.1 with operator-chosen constants, checked against the
/// formulas computed here with plain AES.
#[test]
fn milenage_with_operator_constants_follows_the_formulas() {
    use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
    use ims_aka::milenage::Constants;

    let k = [0x46u8; 16];
    let opc = u128::from_be_bytes([0xcd; 16]);
    let constants = Constants {
        r: [8, 16, 40, 72, 100],
        c: [0x10, 0x20 << 64, 0x30, 0x40, 0x50],
    };
    let aes = aes::Aes128::new(GenericArray::from_slice(&k));
    let e = |x: u128| {
        let mut b = GenericArray::from(x.to_be_bytes());
        aes.encrypt_block(&mut b);
        u128::from_be_bytes(b.into())
    };
    let rand = [0x23u8; 16];
    let (sqn, amf) = (sqn(77, 5), Amf([0xb9, 0xb9]));
    let temp = e(u128::from_be_bytes(rand) ^ opc);
    let half = (u128::from(sqn.value()) << 16) | 0xb9b9;
    let in1 = (half << 64) | half;
    let out1 = e(temp ^ (in1 ^ opc).rotate_left(constants.r[0]) ^ constants.c[0]) ^ opc;
    let out = |i: usize| e((temp ^ opc).rotate_left(constants.r[i]) ^ constants.c[i]) ^ opc;
    let (out2, out3, out4, out5) = (out(1).to_be_bytes(), out(2), out(3), out(4).to_be_bytes());

    let m = Milenage::with_constants(&Secret::new(k), &Secret::new(opc.to_be_bytes()), constants);
    assert_eq!(m.f1(&rand, sqn, amf).as_bytes(), &out1.to_be_bytes()[..8]);
    assert_eq!(
        m.f1_star(&rand, sqn, amf).as_bytes(),
        &out1.to_be_bytes()[8..]
    );
    let keys = m.f2345(&rand);
    assert_eq!(keys.res.expose_secret(), &out2[8..]);
    assert_eq!(keys.ak.expose_secret(), &out2[..6]);
    assert_eq!(keys.ck.expose_secret(), &out3.to_be_bytes());
    assert_eq!(keys.ik.expose_secret(), &out4.to_be_bytes());
    assert_eq!(m.f5_star(&rand).expose_secret(), &out5[..6]);
    // The default constants are the specification's.
    let default = Milenage::with_constants(
        &Secret::new(k),
        &Secret::new(opc.to_be_bytes()),
        Constants::default(),
    );
    let spec = Milenage::new(&Secret::new(k), &Secret::new(opc.to_be_bytes()));
    assert_eq!(default.f2345(&rand), spec.f2345(&rand));
    assert_ne!(m.f2345(&rand), spec.f2345(&rand));
}

#[test]
fn vectors_take_rand_from_the_injected_rng() {
    use rand::SeedableRng;
    let alg = milenage();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let a = AuthenticationVector::generate_with_rng(&alg, &mut rng, sqn(1, 0), Amf::default());
    let b = AuthenticationVector::generate_with_rng(&alg, &mut rng, sqn(1, 0), Amf::default());
    assert_ne!(a.rand, b.rand);
    let mut replay = rand::rngs::StdRng::seed_from_u64(7);
    let again =
        AuthenticationVector::generate_with_rng(&alg, &mut replay, sqn(1, 0), Amf::default());
    assert_eq!(again, a);
    assert_eq!(
        AuthenticationVector::generate(&alg, a.rand, sqn(1, 0), Amf::default()),
        a
    );
}

#[test]
fn separation_bit_can_be_required_clear() {
    let alg = milenage();
    let mut usim =
        Usim::new(&alg, SqnArray::default()).with_separation_bit(SeparationBit::RequireClear);
    let eps = AuthenticationVector::generate(&alg, [1; 16], sqn(1, 0), Amf([0x80, 0x00]));
    assert_eq!(usim.authenticate(&eps.rand, &eps.autn), Err(Failure::Amf));
    let umts = AuthenticationVector::generate(&alg, [1; 16], sqn(1, 0), Amf([0x7f, 0xff]));
    assert!(usim.authenticate(&umts.rand, &umts.autn).is_ok());
}
