//! The integration tests of fupin-store: ONE test binary. Every storage test runs on SQLite and on
//! PostgreSQL (`DATABASE_URL`, set by `scripts/with-postgres.sh`).

#[path = "store/assistance.rs"]
mod assistance;
#[path = "store/audit.rs"]
mod audit;
#[path = "store/backup.rs"]
mod backup;
#[path = "store/common.rs"]
mod common;
#[path = "store/concurrency.rs"]
mod concurrency;
#[path = "../../fupin-sheet/tests/sheet/county.rs"]
mod county;
#[path = "store/directory.rs"]
mod directory;
#[path = "store/files.rs"]
mod files;
#[path = "store/funds.rs"]
mod funds;
#[path = "store/lifecycle.rs"]
mod lifecycle;
#[path = "store/monitoring.rs"]
mod monitoring;
#[path = "store/proposals.rs"]
mod proposals;
#[path = "store/registry.rs"]
mod registry;
#[path = "store/responsibility.rs"]
mod responsibility;
#[path = "store/scan.rs"]
mod scan;
#[path = "store/search.rs"]
mod search;
#[path = "store/sessions.rs"]
mod sessions;
#[path = "store/stream.rs"]
mod stream;
