//! The integration tests: one binary (faster to link), one module per concern.

mod atomic;
mod properties;
mod reference;
mod robustness;
mod sample;
mod ui;
