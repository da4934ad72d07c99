//! The repository trait the rest of fupin depends on (`Arc<dyn Repository>`), and opening one by URL.

use crate::error::{RowError, StoreError};
use crate::model::{Area, AuditEntry, ChangeReport, History, HouseholdRecord};
use crate::plan::Incoming;
use crate::store::SqlStore;
use chrono::NaiveDate;
use fupin_core::codes::HouseholdStatus;
use fupin_core::policy::PolicySet;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future, so that [`Repository`] is object-safe.
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Called with the number of households written so far.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// Called once per exported household, in household-number order within each county.
pub type Sink<'a> = dyn FnMut(&HouseholdRecord) -> Result<(), StoreError> + Send + 'a;

pub use crate::sql::Backend;

/// How an import runs.
#[derive(Clone)]
pub struct ImportOptions {
    /// The effective date of every event the import records.
    pub date: NaiveDate,
    pub actor: String,
    /// The policy the lifecycle rules judge with (the exit check of a household that exits): the
    /// caller's, never one the store picks.
    pub policy: Arc<PolicySet>,
    /// Import the valid households and report the rest (default: all or nothing).
    pub partial: bool,
    /// Validate and count, change nothing.
    pub dry_run: bool,
    pub progress: Option<Progress>,
    /// Leave the dashboards' roll-ups of the written villages marked for a later
    /// [`Repository::refresh_rollups`] (bulk loads of many imports); by default an import refreshes
    /// them right after it commits (after fresh planner statistics for a large one), in a
    /// transaction of its own: the marks are committed with the data, so nothing is lost if it
    /// does not happen.
    pub defer_rollups: bool,
    /// A test hook: where the import stops inside its transaction, after writing every row and
    /// before committing (see [`Interrupt`]). `None` unless [`INTERRUPT_ENV`] is set.
    pub interrupt: Option<Interrupt>,
    /// The process is the database's only user while the import runs (the CLI, not the server):
    /// a first import of a file into an empty SQLite registry then writes through a rollback
    /// journal when no other connection has the file open ([`crate::sql::Db::begin_alone`]).
    pub alone: bool,
    /// How many errors the outcome keeps (the rest are counted: [`ImportOutcome::errors_left_off`]);
    /// [`ImportOutcome::ERRORS_KEPT`] unless set.
    pub errors_kept: usize,
    /// With `partial`, a file's households that take a person from a household later in the file
    /// wait in memory for the end: more than this many refuse the import
    /// ([`ImportOptions::WAITING_KEPT`] unless set).
    pub waiting_kept: usize,
}

impl ImportOptions {
    /// How many households a `partial` import of a file holds in memory to the end by default
    /// (about 3 KB each: 150 MB at most).
    pub const WAITING_KEPT: usize = 50_000;

    pub fn new(date: NaiveDate, actor: &str, policy: Arc<PolicySet>) -> ImportOptions {
        ImportOptions {
            date,
            actor: actor.to_string(),
            policy,
            partial: false,
            dry_run: false,
            progress: None,
            defer_rollups: false,
            interrupt: Interrupt::from_env(),
            alone: false,
            errors_kept: ImportOutcome::ERRORS_KEPT,
            waiting_kept: ImportOptions::WAITING_KEPT,
        }
    }
}

/// The environment variable that makes every import of the process stop before it commits, for
/// the test that kills an import inside its transaction: its value is a file (see
/// [`Interrupt::AwaitKill`]).
pub const INTERRUPT_ENV: &str = "FUPIN_TEST_INTERRUPT_IMPORT";

/// How an import stops inside its transaction, after it has written all its rows and before it
/// commits, so that a test can prove that an interrupted import changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interrupt {
    /// Fail with an error: the transaction is rolled back.
    Fail,
    /// Write to this file the number of households written and the number of households the
    /// transaction holds ("3000 3005"), then wait to be killed (a test kills the process when the
    /// file appears; the wait blocks its thread); fail as [`Interrupt::Fail`] if still alive after
    /// a minute.
    AwaitKill(std::path::PathBuf),
}

impl Interrupt {
    /// [`Interrupt::AwaitKill`] with the file named by [`INTERRUPT_ENV`], when it is set.
    pub fn from_env() -> Option<Interrupt> {
        std::env::var_os(INTERRUPT_ENV)
            .filter(|v| !v.is_empty())
            .map(|v| Interrupt::AwaitKill(v.into()))
    }
}

/// What an import did (or, on a dry run or refusal, would have done).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Households left out because of errors (with `partial`).
    pub skipped: u64,
    pub events: u64,
    /// The errors found, the first [`ImportOptions::errors_kept`] of them (in the order found;
    /// sorted by row at the end).
    pub errors: Vec<RowError>,
    /// Errors found past the first [`ImportOptions::errors_kept`]: counted, not kept (a file with
    /// millions of bad rows is refused in bounded memory).
    pub errors_left_off: u64,
    /// True when the changes are in the database.
    pub committed: bool,
}

impl ImportOutcome {
    /// How many errors an import keeps to report by default (about 40 MB of them at most).
    pub const ERRORS_KEPT: usize = 100_000;

    /// Keeps `e` while fewer than `kept` are kept, else counts it.
    pub fn push_error(&mut self, e: RowError, kept: usize) {
        if self.errors.len() < kept {
            self.errors.push(e);
        } else {
            self.errors_left_off += 1;
        }
    }

    /// [`ImportOutcome::push_error`] for each of `errors`.
    pub fn extend_errors(&mut self, errors: impl IntoIterator<Item = RowError>, kept: usize) {
        for e in errors {
            self.push_error(e, kept);
        }
    }

    /// Every error found, kept or not.
    pub fn error_count(&self) -> u64 {
        self.errors.len() as u64 + self.errors_left_off
    }

    /// No error was found.
    pub fn is_clean(&self) -> bool {
        self.error_count() == 0
    }
}

/// A part of a file being imported ([`Repository::import_stream`]): its households, in file
/// order, and the errors the reader found in its rows.
#[derive(Debug, Default)]
pub struct Chunk {
    pub households: Vec<Incoming>,
    /// The file's errors in these rows (the households they name are not in `households`).
    pub errors: Vec<RowError>,
    /// Rows read.
    pub rows: u64,
}

/// The chunks of a file, as a reader (on another thread) sends them; an `Err` stops the import
/// (nothing is written).
pub type ChunkSource = tokio::sync::mpsc::Receiver<Result<Chunk, StoreError>>;

/// Which households an export writes.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// An area-code prefix (2, 4, 6, 9 or 12 digits); empty for all.
    pub area: String,
    /// Only these statuses; empty for all.
    pub statuses: Vec<HouseholdStatus>,
}

/// The registry. Every write is one transaction, recorded in the audit log; reads are by household
/// number (unique across the registry) or by area-code prefix.
pub trait Repository: Send + Sync {
    fn backend(&self) -> Backend;

    /// Upserts households by number, all or nothing unless `partial`; every difference becomes a
    /// dated event. Households not in the batch are untouched.
    fn import<'a>(
        &'a self,
        batch: Vec<Incoming>,
        opts: &'a ImportOptions,
    ) -> BoxFut<'a, ImportOutcome> {
        self.import_with_areas(batch, Vec::new(), opts)
    }

    /// Like [`Repository::import`]; the areas in `areas` (with their ancestors) are created or
    /// updated in the same transaction: a non-empty name, a region or a rural population replaces the
    /// stored one.
    fn import_with_areas<'a>(
        &'a self,
        batch: Vec<Incoming>,
        areas: Vec<Area>,
        opts: &'a ImportOptions,
    ) -> BoxFut<'a, ImportOutcome>;

    /// Like [`Repository::import_with_areas`] for a file read as it is imported: the chunks are
    /// checked and written as they come, in one transaction, committed at the end when neither
    /// the file nor the import found an error (or with `partial`): all or nothing, in memory
    /// bounded by a chunk. A household number may stand in one chunk only.
    fn import_stream<'a>(
        &'a self,
        chunks: ChunkSource,
        areas: Vec<Area>,
        opts: &'a ImportOptions,
    ) -> BoxFut<'a, ImportOutcome>;

    /// Writes one household, refused as a conflict when the stored version is not `expected_version`
    /// (0 for a new household); the lifecycle rules judge with `policy`.
    fn save<'a>(
        &'a self,
        incoming: Incoming,
        expected_version: i64,
        date: NaiveDate,
        actor: &'a str,
        policy: &'a PolicySet,
    ) -> BoxFut<'a, HouseholdRecord>;

    /// The current household with its current members.
    fn household<'a>(&'a self, number: &'a str) -> BoxFut<'a, Option<HouseholdRecord>>;

    /// Status, members and events as of a date (or now).
    fn history<'a>(&'a self, number: &'a str, as_of: Option<NaiveDate>) -> BoxFut<'a, History>;

    /// Every year of income a household recorded, the latest first (empty for an unknown one).
    fn incomes<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<crate::model::YearIncome>>;

    /// The dynamic-management report of a period for an area prefix.
    fn change_report<'a>(
        &'a self,
        from: NaiveDate,
        to: NaiveDate,
        area: &'a str,
    ) -> BoxFut<'a, ChangeReport>;

    /// The change report of one calendar year, from the roll-ups when the area has them (a prefix of
    /// 0, 2, 4, 6, 9 or 12 digits and a year they cover), else as [`Repository::change_report`].
    fn year_report<'a>(&'a self, year: i32, area: &'a str) -> BoxFut<'a, ChangeReport>;

    /// Recomputes the roll-ups of the villages written since the last refresh (and their
    /// ancestors); returns how many villages.
    fn refresh_rollups(&self) -> BoxFut<'_, usize>;

    /// Streams the current households to `sink` in constant memory; returns how many.
    fn export<'a>(&'a self, filter: &'a ExportFilter, sink: &'a mut Sink<'a>) -> BoxFut<'a, u64>;

    /// The areas under a code prefix (all when empty), by code.
    fn areas<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<Area>>;

    /// The audit log of one household, oldest first.
    fn audit<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<AuditEntry>>;

    /// Tables and their columns (to check that both backends have the same schema).
    fn schema(&self) -> BoxFut<'_, BTreeMap<String, BTreeSet<String>>>;

    /// The indexes (and on PostgreSQL the foreign keys) of each table, by name (to check that an
    /// import that builds them at its end leaves them as they were).
    fn indexes(&self) -> BoxFut<'_, BTreeMap<String, BTreeSet<String>>>;
}

impl dyn Repository {
    /// Changes a household's status by the lifecycle rules: exit (from poor or returned, when the
    /// exit check under `policy` passes or with an override `reason`), return (from exited), removal
    /// (with a reason).
    #[allow(clippy::too_many_arguments)]
    pub async fn transition(
        &self,
        number: &str,
        expected_version: i64,
        to: HouseholdStatus,
        date: NaiveDate,
        reason: Option<&str>,
        actor: &str,
        policy: &PolicySet,
    ) -> Result<HouseholdRecord, StoreError> {
        let mut record = self
            .household(number)
            .await?
            .ok_or_else(|| StoreError::NotFound(number.to_string()))?;
        record.status = to;
        let mut incoming = Incoming::new(record);
        incoming.status_reason = reason.map(str::to_string);
        self.save(incoming, expected_version, date, actor, policy)
            .await
    }
}

/// The database URL: `--db`, else `FUPIN_DB`, else `sqlite:fupin.db`.
pub fn db_url(flag: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(|| std::env::var("FUPIN_DB").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "sqlite:fupin.db".to_string())
}

/// The change report of a period: from the roll-ups when the period is one calendar year (as
/// [`Repository::year_report`]), else computed from the events.
pub async fn period_report(
    repo: &dyn Repository,
    from: NaiveDate,
    to: NaiveDate,
    area: &str,
) -> Result<ChangeReport, StoreError> {
    use chrono::Datelike;
    let whole_year = (from.month(), from.day(), to.month(), to.day()) == (1, 1, 12, 31)
        && from.year() == to.year();
    if whole_year {
        repo.year_report(from.year(), area).await
    } else {
        repo.change_report(from, to, area).await
    }
}

/// Opens (creating and migrating) the database at `url`: `sqlite:PATH` or `postgres://...`.
pub async fn open(url: &str) -> Result<Arc<dyn Repository>, StoreError> {
    Ok(Arc::new(SqlStore::open(url).await?))
}

/// Opens a PostgreSQL database in a schema of its own, dropped and created anew (for tests that run
/// side by side on one server).
pub async fn open_postgres_fresh_schema(
    url: &str,
    schema: &str,
) -> Result<Arc<dyn Repository>, StoreError> {
    Ok(Arc::new(SqlStore::open_in(url, Some(schema)).await?))
}
