//! The registry's tables (households, their income, members, events, areas and the audit log):
//! [`Repository`] on [`SqlStore`], each statement written once over [`crate::sql`] for both
//! backends. What decides (the lifecycle rules, the differences a write makes) is the core's
//! [`crate::plan`]; this module reads, plans with the caller's policy, and writes.
//!
//! - [`read`]: rows into records; households, history, audit log, areas, the streaming export.
//! - [`report`]: the change report of a period, and of a calendar year from the roll-ups.
//! - [`import`]: one write of many households in one transaction, and its checks.
//! - [`write`]: the multi-row statements that store the plans of a write.
//! - [`copy`]: the rows of a write as bound values or as PostgreSQL `COPY` lines.

mod copy;
mod import;
mod read;
mod report;
mod write;

use crate::error::StoreError;
use crate::model::{Area, AuditEntry, ChangeReport, History, HouseholdRecord};
use crate::plan::Incoming;
use crate::repo::{Backend, BoxFut, ExportFilter, ImportOptions, ImportOutcome, Repository, Sink};
use crate::store::SqlStore;
use chrono::NaiveDate;
use fupin_core::policy::PolicySet;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How many values go into one `IN (...)` list.
const CHUNK: usize = 500;

/// The stored households of `numbers` (current members), by number: what the audit's verify
/// compares with the last audited state.
pub(crate) async fn load_stored(
    conn: &mut crate::sql::Conn<'_>,
    numbers: &[&str],
) -> Result<std::collections::HashMap<String, HouseholdRecord>, StoreError> {
    let existing = read::load_existing(conn, numbers).await?;
    Ok(existing.into_iter().map(|(n, e)| (n, e.record)).collect())
}

impl Repository for SqlStore {
    fn backend(&self) -> Backend {
        self.db.backend()
    }

    fn import_with_areas<'a>(
        &'a self,
        batch: Vec<Incoming>,
        areas: Vec<Area>,
        opts: &'a ImportOptions,
    ) -> BoxFut<'a, ImportOutcome> {
        Box::pin(async move { Ok(self.import_in(batch, &areas, opts, None).await?.0) })
    }

    fn import_stream<'a>(
        &'a self,
        chunks: crate::repo::ChunkSource,
        areas: Vec<Area>,
        opts: &'a ImportOptions,
    ) -> BoxFut<'a, ImportOutcome> {
        Box::pin(async move { self.import_chunks(chunks, &areas, opts).await })
    }

    fn save<'a>(
        &'a self,
        incoming: Incoming,
        expected_version: i64,
        date: NaiveDate,
        actor: &'a str,
        policy: &'a PolicySet,
    ) -> BoxFut<'a, HouseholdRecord> {
        Box::pin(async move {
            let opts = ImportOptions::new(date, actor, Arc::new(policy.clone()));
            let (mut out, after) = self
                .import_in(vec![incoming], &[], &opts, Some(expected_version))
                .await?;
            match after {
                Some(h) => Ok(h),
                None => Err(StoreError::Rejected(Box::new(out.errors.remove(0)))),
            }
        })
    }

    fn household<'a>(&'a self, number: &'a str) -> BoxFut<'a, Option<HouseholdRecord>> {
        Box::pin(self.household_at(number))
    }

    fn history<'a>(&'a self, number: &'a str, as_of: Option<NaiveDate>) -> BoxFut<'a, History> {
        Box::pin(self.history_of(number, as_of))
    }

    fn incomes<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<crate::model::YearIncome>> {
        Box::pin(self.incomes_of(number))
    }

    fn change_report<'a>(
        &'a self,
        from: NaiveDate,
        to: NaiveDate,
        area: &'a str,
    ) -> BoxFut<'a, ChangeReport> {
        Box::pin(self.change_report_of(from, to, area))
    }

    fn year_report<'a>(&'a self, year: i32, area: &'a str) -> BoxFut<'a, ChangeReport> {
        Box::pin(self.year_report_of(year, area))
    }

    fn refresh_rollups(&self) -> BoxFut<'_, usize> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            let n = crate::rollup::refresh(&mut tx.conn()).await?;
            tx.commit().await?;
            Ok(n)
        })
    }

    fn export<'a>(&'a self, filter: &'a ExportFilter, sink: &'a mut Sink<'a>) -> BoxFut<'a, u64> {
        Box::pin(self.export_to(filter, sink))
    }

    fn areas<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<Area>> {
        Box::pin(async move {
            let (lo, hi) = fupin_core::area::code_range(prefix);
            let mut pooled = self.db.acquire().await?;
            read::load_areas(&mut pooled.conn(), &lo, &hi).await
        })
    }

    fn audit<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<AuditEntry>> {
        Box::pin(self.audit_of(number))
    }

    fn schema(&self) -> BoxFut<'_, BTreeMap<String, BTreeSet<String>>> {
        Box::pin(self.schema_columns())
    }

    fn indexes(&self) -> BoxFut<'_, BTreeMap<String, BTreeSet<String>>> {
        Box::pin(self.schema_indexes())
    }
}
