//! One module per capability: `fupin X ...` lives in `cmd/X.rs` (ARCHITECTURE.md).

pub mod assess;
pub mod assistance;
pub mod audit;
pub mod backup;
pub mod demo;
pub mod funds;
pub mod funds_sheet;
pub mod monitoring;
pub mod policy;
pub mod registry;
pub mod report;
pub mod responsibility;
pub mod serve;
pub mod whole;
