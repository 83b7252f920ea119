//! RFC 3329 header codec (sip-sec-agree) against a plain scan of the same bytes.
//!
//! The input is the six-tuple `Security-Client` a Xiaomi Mi9 Pro 5G sends
//! (open5gs/open5gs#337): {hmac-md5-96, hmac-sha-1-96} × {des-ede3-cbc,
//! aes-cbc, null}, 726 bytes. One group per operation, each with its floor:
//! - `sec_agree/parse`: `floor_split` walks the value with
//!   `split(',')` then `split(';')` then `split_once('=')`, touching every
//!   name and value (the least any reader of the list must do, with no
//!   checks, no quoted strings, no numbers); `parse` is
//!   `MechanismList::parse` (typed alg/ealg/SPIs/ports, exact names,
//!   duplicate and range checks).
//! - `sec_agree/from_headers`: the same over a whole initial REGISTER read
//!   by `Message::parse` once (13 header lines); the floor finds the
//!   Security-Client lines by name and scans them as above.
//! - `sec_agree/same_meaning`: the parsed header against a parse of itself
//!   rewritten with other case, white space and parameter order, and
//!   against a parse of its own emission (the usual SM7, Security-Verify
//!   mirroring Security-Server); the floor compares the header text with an
//!   equal copy byte for byte (what a naive check would do, and wrongly for
//!   a recased list).
//! - `sec_agree/emit`: `MechanismList::to_string` of the parsed list; the
//!   floor copies the original text into a reused `String`.
//!
//! Throughput is in headers (elements): criterion's "elem/s" is headers per
//! second. CI only compiles this file (`cargo bench --workspace --no-run`);
//! run it with `cargo bench --bench sec_agree`.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sip_sec_agree::{MechanismList, Message, SecurityHeader};

/// open5gs/open5gs#337 (miaoski, 2020-04-16), verbatim.
const XIAOMI: &str = "ipsec-3gpp; alg=hmac-md5-96; ealg=des-ede3-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-md5-96; ealg=aes-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-md5-96; ealg=null; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=des-ede3-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=aes-cbc; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306,ipsec-3gpp; alg=hmac-sha-1-96; ealg=null; spi-c=3209021766; spi-s=1275621893; port-c=44596; port-s=42306";

/// The same six tuples with other case, white space and parameter order.
fn rewritten() -> String {
    MechanismList::parse(XIAOMI)
        .unwrap()
        .mechanisms()
        .iter()
        .map(|m| {
            let mut params: Vec<String> = m.params().iter().map(|p| p.to_string()).collect();
            params.reverse();
            format!("IPSEC-3GPP ;  {}", params.join(" ;\t").to_uppercase())
        })
        .collect::<Vec<_>>()
        .join(" ,\r\n ")
}

fn register() -> Vec<u8> {
    format!(
        "REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.45.0.2:5060;branch=z9hG4bK1234;rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>;tag=1\r\n\
         To: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>\r\n\
         Call-ID: 3d5e1f@10.45.0.2\r\n\
         CSeq: 1 REGISTER\r\n\
         Contact: <sip:001010000000001@10.45.0.2:5060>;expires=600000\r\n\
         Authorization: Digest username=\"001010000000001@ims.mnc001.mcc001.3gppnetwork.org\", realm=\"ims.mnc001.mcc001.3gppnetwork.org\", uri=\"sip:ims.mnc001.mcc001.3gppnetwork.org\", nonce=\"\", response=\"\"\r\n\
         Require: sec-agree\r\n\
         Proxy-Require: sec-agree\r\n\
         Supported: path, sec-agree\r\n\
         User-Agent: Xiaomi_Mi9 Pro 5G_Android9_11\r\n\
         Security-Client: {XIAOMI}\r\n\
         Expires: 600000\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// The floor: every name and value of the list visited, nothing checked.
fn floor_scan(value: &str) -> usize {
    let mut n = 0;
    for mechanism in value.split(',') {
        for param in mechanism.split(';') {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            n += name.trim().len() + value.trim().len();
        }
    }
    n
}

fn sec_agree(c: &mut Criterion) {
    let list = MechanismList::parse(XIAOMI).unwrap();
    assert_eq!(list.len(), 6);

    let mut group = c.benchmark_group("sec_agree/parse");
    group.throughput(Throughput::Elements(1));
    group.bench_function("floor_split", |b| b.iter(|| floor_scan(black_box(XIAOMI))));
    group.bench_function("parse", |b| {
        b.iter(|| MechanismList::parse(black_box(XIAOMI)).unwrap())
    });
    group.finish();

    let message = Message::parse(&register()).unwrap();
    let headers = &message.headers;
    assert_eq!(
        MechanismList::from_headers(headers, SecurityHeader::Client)
            .unwrap()
            .unwrap(),
        list
    );
    let mut group = c.benchmark_group("sec_agree/from_headers");
    group.throughput(Throughput::Elements(1));
    group.bench_function("floor_split", |b| {
        b.iter(|| {
            black_box(headers)
                .values("Security-Client")
                .map(floor_scan)
                .sum::<usize>()
        })
    });
    group.bench_function("from_headers", |b| {
        b.iter(|| {
            MechanismList::from_headers(black_box(headers), SecurityHeader::Client)
                .unwrap()
                .unwrap()
        })
    });
    group.finish();

    let other_text = rewritten();
    let other = MechanismList::parse(&other_text).unwrap();
    assert!(list.same_meaning(&other));
    assert_ne!(list, other);
    let mut group = c.benchmark_group("sec_agree/same_meaning");
    group.throughput(Throughput::Elements(1));
    let copy = XIAOMI.to_owned();
    group.bench_function("floor_bytes_eq", |b| {
        b.iter(|| black_box(XIAOMI) == black_box(copy.as_str()))
    });
    group.bench_function("same_meaning_rewritten", |b| {
        b.iter(|| black_box(&list).same_meaning(black_box(&other)))
    });
    let mirror = MechanismList::parse(&list.to_string()).unwrap();
    group.bench_function("same_meaning_mirrored", |b| {
        b.iter(|| black_box(&list).same_meaning(black_box(&mirror)))
    });
    group.finish();

    let mut group = c.benchmark_group("sec_agree/emit");
    group.throughput(Throughput::Elements(1));
    let mut out = String::with_capacity(1024);
    group.bench_function("floor_copy", |b| {
        b.iter(|| {
            out.clear();
            out.push_str(black_box(XIAOMI));
            out.len()
        })
    });
    group.bench_function("emit", |b| b.iter(|| black_box(&list).to_string()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = sec_agree
}
criterion_main!(benches);
