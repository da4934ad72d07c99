//! The integration tests of fupin-sheet: ONE test binary. Files only, no database (the tests that
//! import into or export from a database are fupin-store's).

#[path = "sheet/assistance.rs"]
mod assistance;
#[path = "sheet/county.rs"]
mod county;
#[path = "sheet/crafted.rs"]
mod crafted;
#[path = "sheet/files.rs"]
mod files;
#[path = "sheet/funds.rs"]
mod funds;
#[path = "sheet/fuzz.rs"]
mod fuzz;
#[path = "sheet/monitoring.rs"]
mod monitoring;
#[path = "sheet/responsibility.rs"]
mod responsibility;
