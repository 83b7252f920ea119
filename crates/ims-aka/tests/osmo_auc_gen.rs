//! Differential tests against `osmo-auc-gen` (Debian `libosmocore-utils`), an
//! independent Milenage and AUTS implementation.
//!
//! Under CI (`IMS_SEC_CI` set) a missing tool fails the test; elsewhere the
//! test says so on stderr and passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::collections::HashMap;
use std::process::Command;

use base64::Engine as _;
use ims_aka::digest::AkaNonce;
use ims_aka::home::{resynchronise, AuthenticationVector};
use ims_aka::sqn::{FreshnessPolicy, SqnArray};
use ims_aka::usim::{Failure, Usim};
use ims_aka::{Amf, Autn, Milenage, Sqn};
use ims_sec_core::Secret;
use rand::{Rng, SeedableRng};

const RUNS: usize = 100;

fn osmo_available() -> bool {
    let found = Command::new("osmo-auc-gen").arg("--help").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("IMS_SEC_CI").is_none(),
            "osmo-auc-gen is missing under CI: apt-get install libosmocore-utils"
        );
        eprintln!("osmo-auc-gen not installed: differential test not run");
    }
    found
}

/// Runs osmo-auc-gen and returns its `NAME:\tvalue` lines.
fn osmo(args: &[&str]) -> HashMap<String, String> {
    let out = Command::new("osmo-auc-gen")
        .args(["-3", "-a", "milenage"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .filter_map(|l| l.split_once(":\t"))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
}

fn rng() -> rand::rngs::StdRng {
    let seed = std::env::var("IMS_SEC_SEED").map_or(20_261_123, |s| s.parse().unwrap());
    eprintln!("seed {seed} (set IMS_SEC_SEED to replay)");
    rand::rngs::StdRng::seed_from_u64(seed)
}

#[test]
fn vectors_match_osmo_auc_gen_on_random_inputs() {
    if !osmo_available() {
        return;
    }
    let mut rng = rng();
    for run in 0..RUNS {
        let k: [u8; 16] = rng.gen();
        // Odd runs give OP and let both sides derive OPc; even runs give OPc.
        let (op_flag, op): (&str, [u8; 16]) = if run % 2 == 1 {
            ("-O", rng.gen())
        } else {
            ("-o", rng.gen())
        };
        let rand: [u8; 16] = rng.gen();
        let amf: [u8; 2] = rng.gen();
        let sqn = Sqn::new(rng.gen_range(0..=Sqn::MAX.value())).unwrap();
        let milenage = if op_flag == "-O" {
            Milenage::with_op(&Secret::new(k), &Secret::new(op))
        } else {
            Milenage::new(&Secret::new(k), &Secret::new(op))
        };
        let av = AuthenticationVector::generate(&milenage, rand, sqn, Amf(amf));

        let theirs = osmo(&[
            "-k",
            &hex::encode(k),
            op_flag,
            &hex::encode(op),
            "-r",
            &hex::encode(rand),
            "-s",
            &sqn.value().to_string(),
            "-f",
            &hex::encode(amf),
        ]);
        let ctx = format!(
            "run {run}: K={} {op_flag} {} RAND={} SQN={sqn} AMF={}",
            hex::encode(k),
            hex::encode(op),
            hex::encode(rand),
            hex::encode(amf)
        );
        assert_eq!(theirs["AUTN"], hex::encode(av.autn.to_bytes()), "{ctx}");
        assert_eq!(theirs["RES"], hex::encode(av.xres.expose_secret()), "{ctx}");
        assert_eq!(theirs["CK"], hex::encode(av.ck.expose_secret()), "{ctx}");
        assert_eq!(theirs["IK"], hex::encode(av.ik.expose_secret()), "{ctx}");
        let b64 = base64::engine::general_purpose::STANDARD;
        assert_eq!(theirs["IMS nonce"], AkaNonce::from(&av).encode(), "{ctx}");
        assert_eq!(
            theirs["IMS res"],
            b64.encode(av.xres.expose_secret()),
            "{ctx}"
        );
    }
}

#[test]
fn auts_from_our_usim_resynchronises_osmo_auc_gen() {
    if !osmo_available() {
        return;
    }
    let mut rng = rng();
    let policy = FreshnessPolicy::default();
    for run in 0..RUNS {
        let k: [u8; 16] = rng.gen();
        let opc: [u8; 16] = rng.gen();
        let rand: [u8; 16] = rng.gen();
        let milenage = Milenage::new(&Secret::new(k), &Secret::new(opc));
        // A USIM that has accepted SEQ values up to a random point, and a
        // network that sends an old SQN: the USIM answers with AUTS.
        let mut entries = vec![0u64; policy.layout.ind_count()];
        for e in &mut entries {
            *e = rng.gen_range(1..1 << 20);
        }
        let state = SqnArray::from_entries(policy, &entries).unwrap();
        let sqn_ms = state.sqn_ms();
        let mut usim = Usim::new(&milenage, state);
        let stale = policy.layout.sqn(0, 3).unwrap();
        let av = AuthenticationVector::generate(&milenage, rand, stale, Amf([0x80, 0]));
        let auts = match usim.authenticate(&rand, &av.autn) {
            Err(Failure::Sync { auts, .. }) => auts,
            other => panic!("run {run}: expected synch failure, got {other:?}"),
        };
        assert_eq!(resynchronise(&milenage, &rand, &auts), Ok(sqn_ms));

        let theirs = osmo(&[
            "-k",
            &hex::encode(k),
            "-o",
            &hex::encode(opc),
            "-r",
            &hex::encode(rand),
            "-A",
            &hex::encode(auts.to_bytes()),
        ]);
        assert_eq!(theirs["SQN.MS"], sqn_ms.value().to_string(), "run {run}");
        // osmo-auc-gen then issues a vector with SEQ_MS + 1 (IND 0); our USIM takes it.
        let next_sqn: u64 = theirs["SQN"].parse().unwrap();
        assert_eq!(
            policy.layout.seq(Sqn::new(next_sqn).unwrap()),
            policy.layout.seq(sqn_ms) + 1
        );
        let autn = Autn::from_bytes(&hex::decode(&theirs["AUTN"]).unwrap()).unwrap();
        let ok = usim.authenticate(&rand, &autn).unwrap();
        assert_eq!(
            hex::encode(ok.res.expose_secret()),
            theirs["RES"],
            "run {run}"
        );
    }
}
