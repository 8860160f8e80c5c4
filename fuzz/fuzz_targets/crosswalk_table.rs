//! `cargo fuzz run -s none crosswalk_table`: see `reddition_fuzz::crosswalk_table`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| reddition_fuzz::crosswalk_table(data));
