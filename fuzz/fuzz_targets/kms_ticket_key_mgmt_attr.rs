#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ims_sec_fuzz::kms_ticket_key_mgmt_attr(data));
