//! The commands beside `build`. Each runs the same stages as the build
//! (through [`crate::pipeline`]) and presents what they computed another
//! way; none computes a figure differently.
//!
//! - [`trial_balance`](crate::commands::trial_balance): the balance per account and period, from the cube;
//! - [`explain`](crate::commands::explain): one figure traced to its formula, codes and ledger lines;
//! - [`diff`](crate::commands::diff): two dates of the crosswalk rules, figure by figure.

pub mod diff;
pub mod explain;
pub mod trial_balance;
