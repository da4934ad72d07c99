//! fupin-store: the registry (精准扶贫对象信息库). A [`Repository`] trait with SQLite and PostgreSQL
//! implementations, dated history, import and the streaming export (the files themselves are
//! fupin-sheet's).
//! See `docs/ARCHITECTURE-store.md`.

// No unsafe code, except SQLite's C API behind the safe interface of `scan` (documented there).
#![deny(unsafe_code)]

pub mod accounts;
pub mod applications;
pub mod areas;
pub mod assistance;
mod audit;
pub mod backup;
pub mod directory;
pub mod error;
pub mod funds;
pub mod funds_sheet;
pub mod listing;
pub mod migrate;
pub mod model;
pub mod monitoring;
pub mod pairing;
pub mod plan;
pub mod proposals;
pub mod registry;
pub mod repo;
pub mod responsibility;
pub mod rollup;
pub mod scan;
pub mod sessions;
pub mod sql;
pub mod store;

pub use error::{RowError, StoreError};
pub use model::{ChangeReport, History, HouseholdRecord, MemberRecord};
pub use plan::Incoming;
pub use repo::{
    db_url, open, open_postgres_fresh_schema, period_report, Backend, Chunk, ChunkSource,
    ExportFilter, ImportOptions, ImportOutcome, Interrupt, Repository, INTERRUPT_ENV,
};
pub use store::SqlStore;
