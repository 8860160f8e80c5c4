//! `cargo fuzz run -s none check`: see `reddition_fuzz::check`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| reddition_fuzz::check(data));
