#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ims_sec_fuzz::p2p_integrity_proof(data));
