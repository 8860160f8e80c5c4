//! reddition: a compiler for regulatory and financial reports.
pub mod check;
pub mod cube;
pub mod diagnostic;
pub mod eval;
pub mod explain;
pub mod ingest;
pub mod limits;
pub mod mapping;
pub mod model;
pub mod money;
pub mod output;
pub mod pipeline;
pub mod project;
pub mod reconcile;
pub mod render;
pub mod source;
pub mod syntax;
