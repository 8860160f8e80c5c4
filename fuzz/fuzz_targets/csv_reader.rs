//! `cargo fuzz run -s none csv_reader`: see `reddition_fuzz::csv_reader`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| reddition_fuzz::csv_reader(data));
