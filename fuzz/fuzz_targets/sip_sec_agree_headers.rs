#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ims_sec_fuzz::sip_sec_agree_headers(data));
