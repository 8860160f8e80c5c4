//! `cargo fuzz run -s none parse`: see `reddition_fuzz::parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| reddition_fuzz::parse(data));
