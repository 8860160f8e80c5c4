//! `cargo fuzz run -s none amount`: see `reddition_fuzz::amount`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| reddition_fuzz::amount(data));
