//! A command-line AKA vector tool, in the spirit of `osmo-auc-gen`.
//!
//! ```text
//! cargo run --example aka -- generate --k 465b5ce8b199b49faa5f0a2ee238a6bc \
//!     --op cdc202d5123e20f62b6d676ac72cb318 --rand 23553cbe9637a89d218ae64dae47bf35 \
//!     --sqn ff9bb4d0b607 --amf b9b9
//! cargo run --example aka -- verify --k … --opc … --rand … --autn … [--sqn-ms …]…
//! cargo run --example aka -- resync --k … --opc … --rand … --auts …
//! ```
//!
//! Hex in and out, one `NAME=value` per line. Milenage with OP or OPc by
//! default; `--alg tuak` with TOP or TOPc and the TUAK lengths.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::process::ExitCode;

use base64::Engine as _;
use ims_sec::aka::digest::AkaNonce;
use ims_sec::aka::home::AuthenticationVector;
use ims_sec::aka::milenage::{opc_from_op, Milenage};
use ims_sec::aka::sqn::{FreshnessPolicy, SqnArray, SqnGenerator, SqnLayout};
use ims_sec::aka::tuak::{topc_from_top, Tuak, TuakParams};
use ims_sec::aka::usim::{Failure, Usim};
use ims_sec::aka::{AkaAlgorithm, Amf, Autn, Auts, Sqn, K};
use ims_sec::common::Secret;

const USAGE: &str = "usage:
  aka generate SUBSCRIBER --rand HEX --sqn HEX [--amf HEX]
  aka verify   SUBSCRIBER --rand HEX --autn HEX [--sqn-ms HEX]... [--ind-len N]
  aka resync   SUBSCRIBER --rand HEX --auts HEX [--sqn-he HEX] [--ind-len N]
SUBSCRIBER is, for Milenage (the default):
  --k HEX (--op HEX | --opc HEX)
or, for TUAK:
  --alg tuak --k HEX (--top HEX | --topc HEX) [--iterations N]
  [--mac-bits 64|128|256] [--res-bits 32|64|128|256] [--ck-bits 128|256] [--ik-bits 128|256]
Hex values without spaces; an SQN is 6 bytes (12 hex digits).
--sqn-ms: an SQN the USIM accepted before (repeat for several IND slots).
--sqn-he: the HSS's last SQN, to decide whether AUTS resets it.";

/// Parsed `--name value` options; a flag may repeat.
struct Options(HashMap<String, Vec<String>>);

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("expected an option like --k, got {flag:?}"))?;
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            map.entry(name.to_owned()).or_default().push(value.clone());
        }
        Ok(Self(map))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.last()).map(String::as_str)
    }

    fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    fn hex<const N: usize>(&self, name: &str) -> Result<[u8; N], String> {
        let text = self
            .get(name)
            .ok_or_else(|| format!("--{name} is required"))?;
        hex_array(name, text)
    }

    fn hex_vec(&self, name: &str) -> Result<Vec<u8>, String> {
        let text = self
            .get(name)
            .ok_or_else(|| format!("--{name} is required"))?;
        hex::decode(text).map_err(|e| format!("--{name}: not hex ({e})"))
    }

    /// The subscriber's algorithm set and its operator variant key (OPc or TOPc).
    fn subscriber(&self) -> Result<(Box<dyn AkaAlgorithm>, Vec<u8>), String> {
        match self.get("alg").unwrap_or("milenage") {
            "milenage" => {
                let k = Secret::new(self.hex::<16>("k")?);
                let opc = match (self.get("op"), self.get("opc")) {
                    (Some(_), None) => opc_from_op(&k, &Secret::new(self.hex("op")?)),
                    (None, Some(_)) => Secret::new(self.hex("opc")?),
                    _ => return Err("give exactly one of --op and --opc".into()),
                };
                Ok((
                    Box::new(Milenage::new(&k, &opc)),
                    opc.expose_secret().to_vec(),
                ))
            }
            "tuak" => {
                let k = K::from_slice(&self.hex_vec("k")?).map_err(|e| format!("--k: {e}"))?;
                let params = TuakParams {
                    mac_bits: self.number("mac-bits", 64)?,
                    res_bits: self.number("res-bits", 64)?,
                    ck_bits: self.number("ck-bits", 128)?,
                    ik_bits: self.number("ik-bits", 128)?,
                    iterations: self.number("iterations", 1)?,
                };
                let topc = match (self.get("top"), self.get("topc")) {
                    (Some(_), None) => {
                        topc_from_top(&k, &Secret::new(self.hex("top")?), params.iterations)
                            .map_err(|e| e.to_string())?
                    }
                    (None, Some(_)) => Secret::new(self.hex("topc")?),
                    _ => return Err("give exactly one of --top and --topc".into()),
                };
                let tuak = Tuak::new(&k, &topc, params).map_err(|e| e.to_string())?;
                Ok((Box::new(tuak), topc.expose_secret().to_vec()))
            }
            other => Err(format!(
                "--alg: unknown algorithm {other:?} (milenage or tuak)"
            )),
        }
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        self.get(name).map_or(Ok(default), |t| {
            t.parse()
                .map_err(|_| format!("--{name}: not a number: {t:?}"))
        })
    }

    fn layout(&self) -> Result<SqnLayout, String> {
        SqnLayout::new(self.number("ind-len", 5)?).map_err(|e| e.to_string())
    }
}

fn hex_array<const N: usize>(name: &str, text: &str) -> Result<[u8; N], String> {
    let bytes = hex::decode(text).map_err(|e| format!("--{name}: not hex ({e})"))?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| {
        format!(
            "--{name}: expected {N} bytes ({} hex digits), got {}",
            2 * N,
            bytes.len()
        )
    })
}

fn sqn(name: &str, text: &str) -> Result<Sqn, String> {
    Ok(Sqn::from_bytes(hex_array(name, text)?))
}

fn line(name: &str, value: impl AsRef<[u8]>) {
    println!("{name}={}", hex::encode(value));
}

fn generate(o: &Options) -> Result<ExitCode, String> {
    let (algorithm, opc) = o.subscriber()?;
    let rand = o.hex("rand")?;
    let sqn = sqn("sqn", o.get("sqn").ok_or("--sqn is required")?)?;
    let amf = Amf(if o.get("amf").is_some() {
        o.hex("amf")?
    } else {
        [0, 0]
    });
    let av = AuthenticationVector::generate(&*algorithm, rand, sqn, amf);
    let ak = algorithm.f2345(&rand).ak;
    let autn = av.autn.to_bytes();
    line(
        if o.get("alg") == Some("tuak") {
            "TOPC"
        } else {
            "OPC"
        },
        &opc,
    );
    line("RAND", rand);
    line("SQN", sqn.to_bytes());
    line("AMF", amf.0);
    line("AK", ak.expose_secret());
    line("MAC_A", av.autn.mac.as_bytes());
    line("AUTN", &autn);
    line("XRES", av.xres.expose_secret());
    line("CK", av.ck.expose_secret());
    line("IK", av.ik.expose_secret());
    // The nonce of a Digest AKA challenge, and RES as osmo-auc-gen prints it.
    println!("IMS_NONCE={}", AkaNonce::from(&av).encode());
    println!(
        "IMS_RES={}",
        base64::engine::general_purpose::STANDARD.encode(av.xres.expose_secret())
    );
    Ok(ExitCode::SUCCESS)
}

/// Exits 0 when the challenge is accepted, 1 when the USIM refuses it.
fn verify(o: &Options) -> Result<ExitCode, String> {
    let (algorithm, _) = o.subscriber()?;
    let rand = o.hex("rand")?;
    let autn = Autn::from_bytes(&o.hex_vec("autn")?).map_err(|e| format!("--autn: {e}"))?;
    let policy = FreshnessPolicy {
        layout: o.layout()?,
        ..FreshnessPolicy::default()
    };
    let mut state = SqnArray::new(policy);
    for text in o.all("sqn-ms") {
        // Each --sqn-ms is an SQN the USIM accepted before.
        let accepted = sqn("sqn-ms", text)?;
        let mut entries = state.entries().to_vec();
        if let Some(slot) = entries.get_mut(policy.layout.ind(accepted)) {
            *slot = (*slot).max(policy.layout.seq(accepted));
        }
        state = SqnArray::from_entries(policy, &entries).ok_or("--sqn-ms out of range")?;
    }
    let mut usim = Usim::new(&*algorithm, state);
    match usim.authenticate(&rand, &autn) {
        Ok(ok) => {
            println!("RESULT=success");
            line("SQN", ok.sqn.to_bytes());
            line("RES", ok.res.expose_secret());
            line("CK", ok.ck.expose_secret());
            line("IK", ok.ik.expose_secret());
            Ok(ExitCode::SUCCESS)
        }
        Err(Failure::Sync { reason, auts }) => {
            println!("RESULT=sync-failure ({reason:?})");
            line("SQN_MS", usim.sqn_state().sqn_ms().to_bytes());
            line("AUTS", auts.to_bytes());
            Ok(ExitCode::FAILURE)
        }
        Err(other) => {
            println!("RESULT=failure ({other})");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn resync(o: &Options) -> Result<ExitCode, String> {
    let (algorithm, _) = o.subscriber()?;
    let rand = o.hex("rand")?;
    let auts = Auts::from_bytes(&o.hex_vec("auts")?).map_err(|e| format!("--auts: {e}"))?;
    let layout = o.layout()?;
    let sqn_he = match o.get("sqn-he") {
        Some(text) => sqn("sqn-he", text)?,
        None => Sqn::default(),
    };
    let mut generator = SqnGenerator::new(layout, FreshnessPolicy::default().delta, sqn_he);
    let resync = generator
        .resynchronise(&*algorithm, &rand, &auts)
        .map_err(|e| e.to_string())?;
    let (sqn_ms, reset) = (resync.sqn_ms, resync.reset);
    line("SQN_MS", sqn_ms.to_bytes());
    println!("SEQ_MS={}", layout.seq(sqn_ms));
    println!("IND_MS={}", layout.ind(sqn_ms));
    println!("SQN_HE_RESET={reset}");
    let next = generator.next_sqn().map_err(|e| e.to_string())?;
    line("SQN_NEXT", next.to_bytes());
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = Options::parse(rest).and_then(|o| match command.as_str() {
        "generate" => generate(&o),
        "verify" => verify(&o),
        "resync" => resync(&o),
        other => Err(format!("unknown command {other:?}")),
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
