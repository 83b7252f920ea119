//! Known-answer tests from the 3GPP test-data specifications, one test per
//! test set, read from `tests/data/` (each file names its source):
//! - TS 35.207 (Milenage implementors' test data), sets 1–6;
//! - TS 35.208 (Milenage design conformance test data), sets 1–20;
//! - TS 35.232 (TUAK implementers' test data), sets 1–6, and its clause 5
//!   Keccak-f[1600] permutation sets 1–6;
//! - TS 35.233 (TUAK design conformance test data), sets 1–6.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;

use ims_aka::milenage::{opc_from_op, Milenage};
use ims_aka::tuak::{topc_from_top, Tuak, TuakParams};
use ims_aka::{AkaAlgorithm, Amf, Sqn, K};
use ims_sec_core::Secret;

type Set = HashMap<String, String>;

/// Reads `[set N]` sections of `name = value` lines.
fn load(file: &str) -> HashMap<u32, Set> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut sets = HashMap::new();
    let mut current: Option<(u32, Set)> = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(n) = line.strip_prefix("[set ").and_then(|l| l.strip_suffix(']')) {
            if let Some((k, v)) = current.take() {
                sets.insert(k, v);
            }
            current = Some((n.parse().unwrap(), Set::new()));
        } else {
            let (k, v) = line.split_once(" = ").unwrap();
            current
                .as_mut()
                .unwrap()
                .1
                .insert(k.to_owned(), v.to_owned());
        }
    }
    if let Some((k, v)) = current {
        sets.insert(k, v);
    }
    sets
}

fn set(file: &str, n: u32) -> Set {
    load(file)
        .remove(&n)
        .unwrap_or_else(|| panic!("{file} has no set {n}"))
}

fn bytes(set: &Set, name: &str) -> Vec<u8> {
    hex::decode(&set[name]).unwrap()
}

fn array<const N: usize>(set: &Set, name: &str) -> [u8; N] {
    bytes(set, name).try_into().unwrap()
}

fn hex_of(b: impl AsRef<[u8]>) -> String {
    hex::encode(b)
}

fn check_milenage(file: &str, n: u32) {
    let s = set(file, n);
    let k = Secret::new(array(&s, "k"));
    let opc = opc_from_op(&k, &Secret::new(array(&s, "op")));
    assert_eq!(hex_of(opc.expose_secret()), s["opc"], "{file} set {n}: OPc");
    check_outputs(file, n, &s, &Milenage::new(&k, &opc));
}

fn check_outputs(file: &str, n: u32, s: &Set, alg: &impl AkaAlgorithm) {
    let rand = array(s, "rand");
    let sqn = Sqn::from_bytes(array(s, "sqn"));
    let amf = Amf(array(s, "amf"));
    assert_eq!(
        hex_of(alg.f1(&rand, sqn, amf).as_bytes()),
        s["f1"],
        "{file} set {n}: f1"
    );
    // The test data computes f1* with the set's AMF (resynchronisation uses 0x0000).
    assert_eq!(
        hex_of(alg.f1_star(&rand, sqn, amf).as_bytes()),
        s["f1star"],
        "{file} set {n}: f1*"
    );
    let out = alg.f2345(&rand);
    assert_eq!(
        hex_of(out.res.expose_secret()),
        s["f2"],
        "{file} set {n}: f2"
    );
    assert_eq!(
        hex_of(out.ck.expose_secret()),
        s["f3"],
        "{file} set {n}: f3"
    );
    assert_eq!(
        hex_of(out.ik.expose_secret()),
        s["f4"],
        "{file} set {n}: f4"
    );
    assert_eq!(
        hex_of(out.ak.expose_secret()),
        s["f5"],
        "{file} set {n}: f5"
    );
    assert_eq!(
        hex_of(alg.f5_star(&rand).expose_secret()),
        s["f5star"],
        "{file} set {n}: f5*"
    );
    let (mac, both) = alg.f1_f2345(&rand, sqn, amf);
    assert_eq!(
        hex_of(mac.as_bytes()),
        s["f1"],
        "{file} set {n}: f1 with f2..f5"
    );
    assert_eq!(both, out, "{file} set {n}: f2..f5 with f1");
}

fn check_tuak(file: &str, n: u32) {
    let s = set(file, n);
    let num = |name: &str| -> u32 { s[name].parse().unwrap() };
    let params = TuakParams {
        mac_bits: num("mac_len_bits") as u16,
        res_bits: num("res_len_bits") as u16,
        ck_bits: num("ck_len_bits") as u16,
        ik_bits: num("ik_len_bits") as u16,
        iterations: num("keccak_iterations"),
    };
    let k = K::from_slice(&bytes(&s, "k")).unwrap();
    let top = Secret::new(array(&s, "top"));
    let topc = topc_from_top(&k, &top, params.iterations).unwrap();
    assert_eq!(
        hex_of(topc.expose_secret()),
        s["topc"],
        "{file} set {n}: TOPc"
    );
    let tuak = Tuak::new(&k, &topc, params).unwrap();
    check_outputs(file, n, &s, &tuak);
    assert_eq!(
        Tuak::with_top(&k, &top, params)
            .unwrap()
            .f2345(&array(&s, "rand")),
        tuak.f2345(&array(&s, "rand")),
        "{file} set {n}: TUAK from TOP"
    );
}

macro_rules! test_sets {
    ($check:ident, $file:literal, $($name:ident = $n:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $check($file, $n);
            }
        )*
    };
}

test_sets!(
    check_milenage,
    "ts35207_milenage.txt",
    ts35207_test_set_1 = 1,
    ts35207_test_set_2 = 2,
    ts35207_test_set_3 = 3,
    ts35207_test_set_4 = 4,
    ts35207_test_set_5 = 5,
    ts35207_test_set_6 = 6,
);

test_sets!(
    check_milenage,
    "ts35208_milenage.txt",
    ts35208_test_set_1 = 1,
    ts35208_test_set_2 = 2,
    ts35208_test_set_3 = 3,
    ts35208_test_set_4 = 4,
    ts35208_test_set_5 = 5,
    ts35208_test_set_6 = 6,
    ts35208_test_set_7 = 7,
    ts35208_test_set_8 = 8,
    ts35208_test_set_9 = 9,
    ts35208_test_set_10 = 10,
    ts35208_test_set_11 = 11,
    ts35208_test_set_12 = 12,
    ts35208_test_set_13 = 13,
    ts35208_test_set_14 = 14,
    ts35208_test_set_15 = 15,
    ts35208_test_set_16 = 16,
    ts35208_test_set_17 = 17,
    ts35208_test_set_18 = 18,
    ts35208_test_set_19 = 19,
    ts35208_test_set_20 = 20,
);

test_sets!(
    check_tuak,
    "ts35232_tuak.txt",
    ts35232_test_set_1 = 1,
    ts35232_test_set_2 = 2,
    ts35232_test_set_3 = 3,
    ts35232_test_set_4 = 4,
    ts35232_test_set_5 = 5,
    ts35232_test_set_6 = 6,
);

test_sets!(
    check_tuak,
    "ts35233_tuak.txt",
    ts35233_test_set_1 = 1,
    ts35233_test_set_2 = 2,
    ts35233_test_set_3 = 3,
    ts35233_test_set_4 = 4,
    ts35233_test_set_5 = 5,
    ts35233_test_set_6 = 6,
);

/// TS 35.232 clause 5: the Keccak-f[1600] permutation on the 200-byte state,
/// lanes read little-endian, as TUAK loads them.
#[test]
fn ts35232_keccak_permutation_sets_1_to_6() {
    let sets = load("ts35232_keccak.txt");
    assert_eq!(sets.len(), 6);
    for (n, s) in sets {
        let input = bytes(&s, "in");
        let mut lanes = [0u64; 25];
        for (lane, chunk) in lanes.iter_mut().zip(input.chunks_exact(8)) {
            *lane = u64::from_le_bytes(chunk.try_into().unwrap());
        }
        keccak::f1600(&mut lanes);
        let out: Vec<u8> = lanes.iter().flat_map(|l| l.to_le_bytes()).collect();
        assert_eq!(hex_of(out), s["out"], "TS 35.232 Keccak test set {n}");
    }
}

#[test]
fn every_set_in_the_data_files_has_a_test() {
    assert_eq!(load("ts35207_milenage.txt").len(), 6);
    assert_eq!(load("ts35208_milenage.txt").len(), 20);
    assert_eq!(load("ts35232_tuak.txt").len(), 6);
    assert_eq!(load("ts35233_tuak.txt").len(), 6);
}
