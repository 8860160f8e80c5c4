#![doc = include_str!("../ARCHITECTURE.md")]

// ---- The pipeline, in the order data flows through it ------------------

/// `ast` → the checked [`model::Program`] ([`check::check`]).
pub mod check;
/// Inter-entity eliminations of the groups that consolidate.
pub mod consolidate;
/// Postings → the [`cube::Cube`] of balances, with every ledger check ([`cube::build`]).
pub mod cube;
/// Cube + program → exact and rounded figures, checks ([`eval::evaluate`]).
pub mod eval;
/// Exports → postings, precise reader and fast path ([`ingest::read_export`]).
pub mod ingest;
/// Local codes → chart codes, by the crosswalk rules.
pub mod mapping;
/// The checked specification: plain data, indices instead of names.
pub mod model;
/// The bundle written atomically ([`output::commit`]).
pub mod output;
/// The stages in order, the output bundle and its manifest ([`pipeline::run`], [`pipeline::bundle`]).
pub mod pipeline;
/// A project on disk: its root, its limits, its specification files.
pub mod project;
/// Figures → where each comes from, down to the ledger lines, adding up ([`provenance::provenance`]).
pub mod provenance;
/// Line accounting and control totals, from the cube.
pub mod reconcile;
/// Figures → statements and ministry files ([`render::statement`]).
pub mod render;
/// Specification text → `ast::File` ([`syntax::parse`]).
pub mod syntax;

// ---- Commands beside `build` --------------------------------------------

/// `trial-balance`, `explain`, `diff`: the same stages, presented another way.
pub mod commands;

// ---- Foundations every stage uses ---------------------------------------

/// The fiscal calendar: years, periods, their bounds and headings.
pub mod calendar;
/// Diagnostics, their stable codes and their rendering.
pub mod diagnostic;
/// SHA-256 digests of inputs and outputs.
pub mod digest;
/// The bounds on every input.
pub mod limits;
/// Money: exact decimal amounts with checked arithmetic.
pub mod money;
/// The file table, spans, line and column.
pub mod source;
