//! `cargo fuzz run -s none stream`: see `reddition_fuzz::stream`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| reddition_fuzz::stream(data));
