//! The integration tests: one binary (faster to link), one module per concern.

// A test may unwrap: a panic here is a failing test, not a user's crash.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The outside suites' runners (corpora, oracle) walk long tables of cases in
// one function each; the length bound is for the product's code.
#![allow(clippy::too_many_lines)]

mod atomic;
mod corpora;
mod fast_path;
mod fuzz_regressions;
mod generators;
mod interrupt;
mod oracle;
mod properties;
mod provenance;
mod reference;
mod resources;
mod robustness;
mod sample;
mod support;
mod ties;
mod versioning;
mod xml_schemas;
