//! fupin-core: the domain of targeted poverty alleviation (精准扶贫) and return-to-poverty
//! monitoring (防返贫监测). Pure: no IO, no async, no storage. Every rule returns its failed checks
//! by stable code; every threshold comes from [`policy`].

#![forbid(unsafe_code)]
// Field errors carry their context (household, member, field, message); they are rare and readable
// beats small here.
#![allow(clippy::result_large_err)]

pub mod access;
pub mod area;
pub mod assess;
pub mod assistance;
pub mod codes;
pub mod error;
pub mod funds;
pub mod household_code;
pub mod id;
pub mod identification;
pub mod input;
pub mod model;
pub mod money;
pub mod monitoring;
pub mod policy;
pub mod proposal;
pub mod registry;
pub mod responsibility;
pub mod rules;
pub mod tally;
pub mod validate;

pub use area::{AreaCode, AreaLevel};
pub use codes::CodeList;
pub use id::ResidentId;
pub use money::Decimal;
pub use policy::{Policy, PolicyError, PolicySet};
