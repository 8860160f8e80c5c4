//! Helpers shared by the test targets (`main` and `ui`); each uses a part.
#![allow(dead_code)]

pub mod cases;
