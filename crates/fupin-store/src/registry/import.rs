//! One write of many households (an import, or a single save) in one transaction: skip what is
//! stored unchanged, check the batch, plan each household by the lifecycle rules under the caller's
//! policy, write the plans, mark and refresh the roll-ups, and commit.

use super::read::{load_existing, lookup};
use super::write::{ensure_areas, write_rows};
use crate::error::{RowError, StoreError};
use crate::model::{Area, HouseholdRecord};
use crate::plan::{plan, CategoryFrom, Incoming, Plan};
use crate::repo::{ImportOptions, ImportOutcome, Interrupt};
use crate::sql::{Backend, Conn};
use crate::store::SqlStore;
use std::collections::{BTreeSet, HashMap, HashSet};

/// After writing this many households, an import refreshes the planner's statistics.
const ANALYZE_AFTER: u64 = 10_000;
/// How many households one multi-row statement writes.
const NEW_CHUNK: usize = 1000;

impl SqlStore {
    /// Imports `batch` (with `area_infos`); with `expected_version`, a single save that is refused
    /// as a conflict unless the stored version is that one. Returns the outcome and, when written,
    /// the last household as stored.
    pub(super) async fn import_in(
        &self,
        batch: Vec<Incoming>,
        area_infos: &[Area],
        opts: &ImportOptions,
        expected_version: Option<i64>,
    ) -> Result<(ImportOutcome, Option<HouseholdRecord>), StoreError> {
        let mut out = ImportOutcome::default();
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        // Households stored exactly as the file has them are left alone. "Exactly" is the
        // fingerprint of the stored rows, recomputed: the `fingerprint` column is not trusted, so a
        // row edited in the database behind fupin's back is seen as changed by a re-import.
        let numbers: Vec<String> = batch.iter().map(|h| h.record.number.clone()).collect();
        let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
        let existing = load_existing(&mut conn, &numbers).await?;
        // A write that does not carry the category keeps the stored one (issue 13: it changes only
        // through a decided case, an elimination, or the national system's file).
        let mut batch = batch;
        for h in batch
            .iter_mut()
            .filter(|h| h.category == CategoryFrom::Kept)
        {
            h.record.monitoring = existing
                .get(&h.record.number)
                .and_then(|e| e.record.monitoring);
        }
        let fingerprints: Vec<String> = batch.iter().map(|h| h.record.fingerprint()).collect();
        let same: Vec<bool> = batch
            .iter()
            .zip(&fingerprints)
            .map(|(h, f)| {
                expected_version.is_none()
                    && existing
                        .get(&h.record.number)
                        .is_some_and(|e| &e.record.fingerprint() == f)
            })
            .collect();
        let ids: Vec<&str> = batch
            .iter()
            .zip(&same)
            .filter(|(_, s)| !**s)
            .flat_map(|(h, _)| h.record.members.iter().map(|m| m.id_number.as_str()))
            .collect();
        // The household each person of the file is a current member of.
        let sql = "SELECT id_number, household_number FROM member \
                   WHERE left_on IS NULL AND id_number IN";
        let owners = lookup(&mut conn, sql, &ids).await?;
        let in_batch: HashMap<&str, &Incoming> = batch
            .iter()
            .map(|h| (h.record.number.as_str(), h))
            .collect();
        let mut bad: HashSet<usize> = HashSet::new();
        for (i, e) in batch_duplicates(&batch) {
            bad.insert(i);
            out.errors.push(e);
        }
        let mut plans = Vec::new();
        for (i, h) in batch.iter().enumerate() {
            if same[i] {
                if !bad.contains(&i) {
                    out.unchanged += 1;
                }
                continue;
            }
            let number = h.record.number.as_str();
            let ex = existing.get(number);
            if let Some(expected) = expected_version {
                let found = ex.map_or(0, |e| e.record.version);
                if found != expected {
                    return Err(StoreError::Conflict {
                        number: number.to_string(),
                        expected,
                        found,
                    });
                }
            }
            for e in registered_elsewhere(h, &owners, &in_batch) {
                bad.insert(i);
                out.errors.push(e);
            }
            match plan(ex, h, opts.date, &opts.actor, &opts.policy) {
                Ok(mut p) if !bad.contains(&i) => {
                    p.fingerprint = fingerprints[i].clone();
                    plans.push(p);
                }
                Ok(_) => {}
                Err(e) => {
                    bad.insert(i);
                    out.errors.push(*e);
                }
            }
        }
        out.skipped = bad.len() as u64;
        for p in &plans {
            if p.before.is_none() {
                out.created += 1;
            } else if p.is_noop() {
                out.unchanged += 1;
            } else {
                out.updated += 1;
            }
            out.events += p.events.len() as u64;
        }
        out.errors
            .sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
        if opts.dry_run || (!out.errors.is_empty() && !opts.partial) {
            tx.rollback().await?;
            return Ok((out, None));
        }
        let areas: BTreeSet<String> = plans.iter().map(|p| p.after.area_code.clone()).collect();
        ensure_areas(&mut conn, &areas, area_infos, &opts.actor, opts.date).await?;
        // New households go in with multi-row inserts; changed ones with multi-row upserts.
        let (new, changed): (Vec<&Plan>, Vec<&Plan>) =
            plans.iter().partition(|p| p.before.is_none());
        let mut done = 0u64;
        let noops = changed.iter().filter(|p| p.is_noop()).count() as u64;
        let changed: Vec<&Plan> = changed.into_iter().filter(|p| !p.is_noop()).collect();
        let chunks = new.chunks(NEW_CHUNK).map(|c| (c, false));
        for (chunk, is_changed) in chunks.chain(changed.chunks(NEW_CHUNK).map(|c| (c, true))) {
            write_rows(&mut conn, chunk, opts.date, &opts.actor, is_changed).await?;
            done += chunk.len() as u64;
            if let Some(progress) = &opts.progress {
                progress(done);
            }
        }
        done += noops;
        if expected_version.is_some() {
            // An interactive write of a household judged monitored that is not: a signal for its
            // village to verify (unless one is waiting or a case is open).
            for p in &plans {
                if let Some(j) = &p.risk {
                    crate::monitoring::raise_registry_signal(
                        &mut conn,
                        &p.after,
                        j,
                        opts.date,
                        &opts.actor,
                    )
                    .await?;
                }
            }
        }
        // The dashboards' roll-ups: mark the villages written (and a moved household's old
        // village), refresh them now unless the caller refreshes later.
        let mut touched: BTreeSet<String> = plans
            .iter()
            .flat_map(|p| std::iter::once(&p.after).chain(p.before.as_ref()))
            .map(|h| h.area_code.clone())
            .collect();
        let with_population = area_infos.iter().filter(|a| a.rural_population.is_some());
        touched.extend(with_population.map(|a| a.code.clone()));
        crate::rollup::mark(&mut conn, &touched).await?;
        if !opts.defer_rollups {
            // Inside the write's transaction: the roll-ups commit with the data or not at all, so
            // an answer of the write is the whole truth and no read has to refresh (reads never
            // write). With `defer_rollups` the marks commit and the caller refreshes later.
            crate::rollup::refresh(&mut conn).await?;
        }
        if let Some(interrupt) = &opts.interrupt {
            interrupted(&mut conn, interrupt, done).await?;
        }
        tx.commit().await?;
        out.committed = true;
        if done >= ANALYZE_AFTER {
            // Fresh statistics, or the next import's lookups (and the roll-up refresh) may scan
            // whole tables. After the commit and best effort: it must not fail a stored write.
            if let Err(e) = self.analyze().await {
                eprintln!("fupin: statistics not refreshed after the import (harmless): {e}");
            }
        }
        Ok((out, plans.pop().map(|p| p.after)))
    }
}

impl SqlStore {
    /// Refreshes the planner's statistics of the registry's tables, and on SQLite merges the search
    /// index's segments (a write: on SQLite it takes its turn like any other).
    async fn analyze(&self) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let sql = match self.db.backend() {
            Backend::Sqlite => "PRAGMA optimize",
            Backend::Postgres => "ANALYZE household, household_income, member, event",
        };
        tx.query(sql).execute(&mut tx).await?;
        if self.db.backend() == Backend::Sqlite {
            // The search index (FTS5, migration 10) written by many small segments answers
            // slowly until they are merged into one (docs/PERFORMANCE.md, "Search").
            tx.query("INSERT INTO member_search(member_search) VALUES ('optimize')")
                .execute(&mut tx)
                .await?;
        }
        tx.commit_unsealed().await?;
        Ok(())
    }
}

/// Stops an import inside its transaction ([`Interrupt`]): the rows are written, nothing is
/// committed. `done` is the number of households written.
async fn interrupted(
    conn: &mut Conn<'_>,
    interrupt: &Interrupt,
    done: u64,
) -> Result<(), StoreError> {
    let stopped = || StoreError::File("导入被中断 / the import was interrupted".into());
    let Interrupt::AwaitKill(file) = interrupt else {
        return Err(stopped());
    };
    // What the transaction holds, as the killing test reads it.
    let households: Option<i64> = conn
        .query("SELECT COUNT(*) FROM household")
        .scalar(&mut *conn)
        .await?;
    let text = format!("{done} {}\n", households.unwrap_or(0));
    let partial = file.with_extension("partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, file)?;
    std::thread::sleep(std::time::Duration::from_secs(60));
    Err(stopped())
}

/// The members of `h` who are current members of another stored household that the batch does
/// not also take them out of.
fn registered_elsewhere(
    h: &Incoming,
    owners: &HashMap<String, String>,
    in_batch: &HashMap<&str, &Incoming>,
) -> Vec<RowError> {
    let number = h.record.number.as_str();
    let mut errors = Vec::new();
    for m in &h.record.members {
        let Some(owner) = owners.get(&m.id_number) else {
            continue;
        };
        // Someone else's member may move here when the file also takes them out there.
        let moves = in_batch
            .get(owner.as_str())
            .is_some_and(|o| !o.record.members.iter().any(|x| x.id_number == m.id_number));
        if owner != number && !moves {
            let row = h.member_rows.get(&m.id_number).copied().unwrap_or(h.row);
            errors.push(
                RowError::new(
                    row,
                    "id_number",
                    &m.id_number,
                    "duplicate_person",
                    &format!("此人已登记在户 {owner} 中"),
                    &format!("this person is already registered in household {owner}"),
                )
                .in_household(number),
            );
        }
    }
    errors
}

/// Duplicate household numbers and people within one batch.
fn batch_duplicates(batch: &[Incoming]) -> Vec<(usize, RowError)> {
    let mut errors = Vec::new();
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut people: HashMap<&str, &str> = HashMap::new();
    for (i, h) in batch.iter().enumerate() {
        if let Some(first) = numbers.insert(&h.record.number, h.row) {
            errors.push((
                i,
                RowError::new(
                    h.row,
                    "household_number",
                    &h.record.number,
                    "duplicate_household",
                    &format!("户编号重复(第{first}行已出现)"),
                    &format!("the household number repeats (first at row {first})"),
                )
                .in_household(&h.record.number),
            ));
        }
        for m in &h.record.members {
            let Some(other) = people.insert(&m.id_number, &h.record.number) else {
                continue;
            };
            if other != h.record.number {
                let row = h.member_rows.get(&m.id_number).copied().unwrap_or(h.row);
                errors.push((
                    i,
                    RowError::new(
                        row,
                        "id_number",
                        &m.id_number,
                        "duplicate_person",
                        &format!("同一人已在户 {other} 中"),
                        &format!("the same person is already in household {other}"),
                    )
                    .in_household(&h.record.number),
                ));
            }
        }
    }
    errors
}
