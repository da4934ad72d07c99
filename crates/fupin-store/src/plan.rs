//! The lifecycle rules and the plan of a write live in the core ([`fupin_core::registry::plan`]).

pub use fupin_core::registry::plan::*;
