//! The integration tests: one binary (faster to link), one module per concern.

mod atomic;
mod corpora;
mod fast_path;
mod fuzz_regressions;
mod oracle;
mod properties;
mod reference;
mod robustness;
mod sample;
mod support;
mod versioning;
mod xml_schemas;
