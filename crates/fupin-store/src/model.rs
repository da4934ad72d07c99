//! The registry's records live in the core ([`fupin_core::registry`]); re-exported here.

pub use fupin_core::registry::*;
