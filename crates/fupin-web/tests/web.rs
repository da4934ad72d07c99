//! The integration tests of fupin-web: ONE test binary. Storage-backed tests run on SQLite and on
//! PostgreSQL (`DATABASE_URL`, set by `scripts/with-postgres.sh`).

#[path = "web/common.rs"]
mod common;

#[path = "web/api.rs"]
mod api;

#[path = "web/assistance.rs"]
mod assistance;

#[path = "web/browser.rs"]
mod browser;
#[path = "web/browser_funds.rs"]
mod browser_funds;

#[path = "web/pages.rs"]
mod pages;

#[path = "web/accounts.rs"]
mod accounts;

#[path = "web/load.rs"]
mod load;

#[path = "web/openapi.rs"]
mod openapi;

#[path = "web/export.rs"]
mod export;
#[path = "web/funds.rs"]
mod funds;
#[path = "web/headers.rs"]
mod headers;
#[path = "web/household.rs"]
mod household;
#[path = "web/interface.rs"]
mod interface;

#[path = "web/duties.rs"]
mod duties;

#[path = "web/jurisdiction.rs"]
mod jurisdiction;
#[path = "web/monitoring.rs"]
mod monitoring;
#[path = "web/monitoring_browser.rs"]
mod monitoring_browser;
#[path = "web/responsibility.rs"]
mod responsibility;
