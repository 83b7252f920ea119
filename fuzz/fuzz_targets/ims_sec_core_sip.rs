#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ims_sec_fuzz::ims_sec_core_sip(data));
