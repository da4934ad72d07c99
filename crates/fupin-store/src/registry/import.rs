//! One write of many households (an import, or a single save) in one transaction: skip what is
//! stored unchanged, check the batch, plan each household by the lifecycle rules under the caller's
//! policy, write the plans, mark and refresh the roll-ups, and commit.

use super::read::{load_existing, lookup};
use super::write::{audit_entries, ensure_areas, rollup_rows, write_audit, write_rows};
use crate::audit::Chain;
use crate::error::{RowError, StoreError};
use crate::model::{Area, HouseholdRecord};
use crate::plan::{plan, CategoryFrom, Incoming, Plan};
use crate::repo::{Chunk, ChunkSource, ImportOptions, ImportOutcome, Interrupt};
use crate::sql::{Backend, Conn, Tx};
use crate::store::SqlStore;
use chrono::{SubsecRound, Utc};
use fupin_core::codes::{CodeList, MonitoringCategory};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// SQLite's page cache for the import of a file, and for the reads of whole tables at a large
/// import's end: 16 MiB.
const SMALL_CACHE: &str = "PRAGMA cache_size = -16384";
/// After writing this many households, an import refreshes the planner's statistics.
const ANALYZE_AFTER: u64 = 10_000;
/// The most villages whose roll-ups a first import sums in memory (55 rows each, about 0.7 KB:
/// `rollup::Computed`): a county's file has a few hundred, a province's tens of thousands (19,548
/// in the demo profile: about 14 MB). A file of more (a province of over 40,000 villages, or the
/// nation's) reads its villages back at the end instead, so memory stays bounded (under 30 MB).
const SUMMED_VILLAGES: usize = 40_000;
/// A household of the registry, if it holds any.
const ANY_HOUSEHOLD: &str = "SELECT number FROM household LIMIT 1";
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
        let mut run = Run::begin(self, area_infos, opts, false).await?;
        let chunk = Chunk {
            households: batch,
            ..Chunk::default()
        };
        run.chunk(chunk, expected_version, false).await?;
        run.finish(self, area_infos, opts).await
    }

    /// Imports the chunks of a file as they come (one transaction, all or nothing unless
    /// `partial`): the streaming import of [`crate::repo::Repository::import_stream`].
    pub(super) async fn import_chunks(
        &self,
        mut chunks: ChunkSource,
        area_infos: &[Area],
        opts: &ImportOptions,
    ) -> Result<ImportOutcome, StoreError> {
        let mut run = Run::begin(self, area_infos, opts, true).await?;
        while let Some(chunk) = chunks.recv().await {
            // A file that cannot be read on (an error of the file itself, not of a row) stops
            // the import: the transaction is dropped, nothing is written.
            run.chunk(chunk?, None, false).await?;
        }
        Ok(run.finish(self, area_infos, opts).await?.0)
    }
}

/// One import in its transaction: the chunks written so far, what they did, and what waits for
/// the end.
struct Run<'o> {
    tx: Tx,
    opts: &'o ImportOptions,
    out: ImportOutcome,
    /// The household numbers of the first chunk with their first row, until a second chunk
    /// comes: then they go into the transaction's temporary table `import_seen` (every number of
    /// the import with its first row, in the database: memory does not grow with the file), where
    /// a number of an earlier chunk is found again as a duplicate.
    seen: Seen,
    /// Households with a member who is a current member of a household outside their chunk that
    /// no earlier chunk had: judged at the end, when every chunk is written (that household may be
    /// a later chunk's, which takes the member out). A member of a household an earlier chunk had
    /// (and wrote, or left as it was) is a duplicate at once: that household does not change
    /// again in the import, and a file repeating its people is not held in memory to its end.
    pending: Vec<Incoming>,
    /// A file's import that is all or nothing (not `partial`) does not hold such households: it
    /// writes them at once and notes the people moved in ([`Moves`]), checked at the end (a
    /// household that has to be undone refuses the whole import, so nothing is to be undone).
    moves: Option<Moves>,
    /// The chunks of a file (not one batch held whole).
    file: bool,
    /// The villages (and their ancestors) already created.
    areas: BTreeSet<String>,
    /// The villages written (and a moved household's old village): their roll-ups are refreshed.
    touched: BTreeSet<String>,
    /// Households written (or left alone as unchanged after planning).
    done: u64,
    last: Option<HouseholdRecord>,
    /// SQLite's memory-mapped size of the connection before the import (put back at the end).
    mmap: Option<i64>,
    /// SQLite, a first import: the search index's triggers taken off ([`search_deferred`]).
    search_triggers: Vec<String>,
    /// A first import into an empty registry: the secondary indexes taken off
    /// ([`indexes_deferred`]), built at its end.
    indexes: Vec<String>,
    /// The households' audit entries, chained as they are written (from the first write on).
    chain: Option<Chain>,
    /// Into a registry without current members: the people of the import so far (a Bloom
    /// filter: bounded memory; a false "may hold" costs one lookup, never a missed duplicate).
    people: Option<Bloom>,
    /// Into a registry without households, refreshing its roll-ups at the end: the roll-up rows
    /// of the villages written, summed as the chunks are written ([`rollup_rows`]), which the
    /// refresh stores instead of reading every village back. None once a chunk changes a
    /// stored household.
    computed: Option<crate::rollup::Computed>,
    /// The events written so far (their order, for `computed`).
    events_written: i64,
}

impl<'o> Run<'o> {
    async fn begin(
        store: &SqlStore,
        area_infos: &[Area],
        opts: &'o ImportOptions,
        file: bool,
    ) -> Result<Run<'o>, StoreError> {
        // Read before the transaction, which it chooses; read again inside it, which decides.
        let alone = file
            && opts.alone
            && !opts.dry_run
            && store.backend() == Backend::Sqlite
            && store
                .db
                .query(ANY_HOUSEHOLD)
                .scalar::<String>(&store.db)
                .await?
                .is_none();
        let mut tx = if alone {
            // A first import into an empty registry: through a rollback journal, its pages are
            // written once (1,000,000 members: 43 s in the WAL, 36 s; docs/PERFORMANCE.md).
            store.db.begin_alone().await?
        } else {
            store.db.begin().await?
        };
        let mmap = unmapped(&mut tx.conn()).await?;
        let search_triggers = search_deferred(&mut tx.conn()).await?;
        let empty = tx
            .query(ANY_HOUSEHOLD)
            .scalar::<String>(&mut tx)
            .await?
            .is_none();
        let indexes = indexes_deferred(&mut tx.conn(), file && empty).await?;
        // The villages' roll-ups summed as the import writes, when no other writer can add a
        // household to them before it commits: SQLite has one writer; on PostgreSQL the tables
        // are held by the indexes' drop.
        let summed = empty
            && !opts.defer_rollups
            && (tx.backend() == Backend::Sqlite || !indexes.is_empty());
        // The registry's own write: it stores the fingerprints itself, which the triggers of
        // migration 18 would otherwise clear (the mark is taken off before the commit).
        let mark = match tx.backend() {
            Backend::Sqlite => "INSERT INTO fupin_write (one) VALUES (1)",
            Backend::Postgres => "SET LOCAL fupin.write = 'on'",
        };
        tx.query(mark).execute(&mut tx).await?;
        if tx.backend() == Backend::Postgres {
            // The lookups of each chunk read the tables the earlier chunks grew in this
            // transaction, which the planner's statistics (of before it, empty on a first import)
            // know nothing of: by their indexes, never scans of whole tables growing with every
            // chunk (a first import of 1,000,000 members otherwise slows quadratically).
            tx.query("SET LOCAL enable_seqscan = off")
                .execute(&mut tx)
                .await?;
            // And planned for their values each time (`Query::once`, in `read::lookup` and
            // `read::load_existing`): after five runs a prepared statement falls back to a
            // generic plan, which for the owners lookup (`id_number IN ($1, ...) AND left_on IS
            // NULL`) read every current member through the partial index `member_by_name` (its
            // only condition is `left_on IS NULL`) and filtered them: 45 ms a lookup at 200,000
            // members, growing with each chunk (EXPLAIN ANALYZE inside the transaction,
            // docs/PERFORMANCE.md "Import"). Not by `plan_cache_mode = force_custom_plan` for
            // the whole transaction: that also planned the foreign keys' check of every row
            // written again for each row (half of a first import's time).
        }
        let any: Option<String> = tx
            .query("SELECT id_number FROM member WHERE left_on IS NULL LIMIT 1")
            .scalar(&mut tx)
            .await?;
        let people = any.is_none().then(Bloom::default);
        if file && tx.backend() == Backend::Sqlite {
            // A file's import reads and writes the tables in the file's order (its lookups of
            // people read an index the operating system's cache holds anyway): through a small
            // page cache it is as fast or faster and 80-110 MB smaller (1,000,000 members, first
            // import 51.6 s, 272 MB with the 128 MiB cache, 42.2 s, 159 MB with 16 MiB;
            // re-import 7.1 s, 146 MB and 6.7 s, 61 MB: docs/PERFORMANCE.md). Put back before
            // the roll-ups' refresh, and by `remapped`.
            tx.query(SMALL_CACHE).execute(&mut tx).await?;
        }
        if !area_infos.is_empty() {
            ensure_areas(
                &mut tx.conn(),
                &BTreeSet::new(),
                area_infos,
                &opts.actor,
                opts.date,
            )
            .await?;
        }
        Ok(Run {
            tx,
            opts,
            out: ImportOutcome::default(),
            seen: Seen::First(Vec::new()),
            pending: Vec::new(),
            moves: (file && !opts.partial).then(Moves::default),
            file,
            areas: BTreeSet::new(),
            touched: BTreeSet::new(),
            done: 0,
            last: None,
            mmap,
            search_triggers,
            indexes,
            chain: None,
            people,
            computed: summed.then(crate::rollup::Computed::default),
            events_written: 0,
        })
    }

    /// Checks, plans and writes one chunk. `last`: the end of the import, when a member registered
    /// in a household outside the chunk is an error rather than deferred.
    async fn chunk(
        &mut self,
        chunk: Chunk,
        expected_version: Option<i64>,
        last: bool,
    ) -> Result<(), StoreError> {
        let opts = self.opts;
        let Chunk {
            households: batch,
            errors: file_errors,
            rows: _,
        } = chunk;
        // The file's own errors: the households (or rows without one) they leave out.
        let bad_in_file: HashSet<(Option<&str>, usize)> = file_errors
            .iter()
            .map(|e| {
                let h = e.household.as_deref();
                (h, if h.is_some() { 0 } else { e.row })
            })
            .collect();
        self.out.skipped += bad_in_file.len() as u64;
        drop(bad_in_file);
        self.out.extend_errors(file_errors, opts.errors_kept);
        if batch.is_empty() {
            return Ok(());
        }
        let mut conn = self.tx.conn();
        // Households stored exactly as the file has them are left alone. "Exactly": the stored
        // fingerprint is the file's; it is cleared by any change made outside fupin's registry
        // writes (migration 18), and a household without one is loaded and compared in full, so a
        // row edited in the database behind fupin's back is seen as changed by a re-import.
        let numbers: Vec<String> = batch.iter().map(|h| h.record.number.clone()).collect();
        let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
        let sql = "SELECT number, COALESCE(fingerprint, '') || '|' || COALESCE(monitoring, '') \
                   FROM household WHERE number IN";
        let stored: HashMap<String, (String, Option<MonitoringCategory>)> =
            lookup(&mut conn, sql, &numbers)
                .await?
                .into_iter()
                .map(|(n, v)| {
                    let (print, monitoring) = v.split_once('|').unwrap_or((&v, ""));
                    (
                        n,
                        (print.to_string(), MonitoringCategory::parse(monitoring)),
                    )
                })
                .collect();
        // A write that does not carry the category keeps the stored one (issue 13: it changes only
        // through a decided case, an elimination, or the national system's file).
        let mut batch = batch;
        for h in batch
            .iter_mut()
            .filter(|h| h.category == CategoryFrom::Kept)
        {
            h.record.monitoring = stored.get(&h.record.number).and_then(|s| s.1);
        }
        let fingerprints: Vec<String> = batch.iter().map(|h| h.record.fingerprint()).collect();
        let kept: Vec<bool> = batch
            .iter()
            .zip(&fingerprints)
            .map(|(h, f)| {
                expected_version.is_none()
                    && stored
                        .get(&h.record.number)
                        .is_some_and(|s| !s.0.is_empty() && &s.0 == f)
            })
            .collect();
        // The others that are stored: loaded and compared in full.
        let load: Vec<&str> = batch
            .iter()
            .zip(&kept)
            .filter(|(h, k)| !**k && stored.contains_key(&h.record.number))
            .map(|(h, _)| h.record.number.as_str())
            .collect();
        let existing = load_existing(&mut conn, &load).await?;
        let mut bad: HashSet<usize> = HashSet::new();
        if !last {
            // A household number an earlier chunk had.
            let earlier = self.seen.earlier(&mut conn, &numbers).await?;
            let mut here: Vec<(String, usize)> = Vec::new();
            {
                let mut in_chunk: HashSet<String> = HashSet::new();
                for (i, h) in batch.iter().enumerate() {
                    if let Some(first) = earlier.get(&h.record.number) {
                        bad.insert(i);
                        self.out
                            .push_error(repeated_household(h, *first), opts.errors_kept);
                    } else if in_chunk.insert(h.record.number.clone()) {
                        // The same chunk's repeats are `batch_duplicates`'.
                        here.push((h.record.number.clone(), h.row));
                    }
                }
            }
            self.seen.add(&mut conn, here).await?;
        }
        let same: Vec<bool> = batch
            .iter()
            .zip(&fingerprints)
            .zip(&kept)
            .map(|((h, f), k)| {
                *k || (expected_version.is_none()
                    && existing
                        .get(&h.record.number)
                        .is_some_and(|e| &e.record.fingerprint() == f))
            })
            .collect();
        // Households found unchanged in full whose stored fingerprint is not theirs (cleared, or
        // stored before migration 18): it is stored, so that the next import skips them unloaded.
        let reprint: Vec<(&str, &str, &str)> = batch
            .iter()
            .zip(&fingerprints)
            .zip(same.iter().zip(&kept))
            .filter(|(_, (s, k))| **s && !**k)
            .map(|((h, f), _)| (h.record.county(), h.record.number.as_str(), f.as_str()))
            .collect();
        if !reprint.is_empty() && !self.opts.dry_run {
            write_fingerprints(&mut conn, &reprint).await?;
        }
        let ids: Vec<&str> = batch
            .iter()
            .zip(&same)
            .filter(|(_, s)| !**s)
            .flat_map(|(h, _)| h.record.members.iter().map(|m| m.id_number.as_str()))
            .collect();
        // The household each person of the file is a current member of (the earlier chunks'
        // households included: they are written in this transaction). Into a registry that had
        // no current member when the import began, only people the earlier chunks may have
        // written are looked up.
        let asked: Vec<&str> = match &self.people {
            Some(people) => ids
                .iter()
                .copied()
                .filter(|id| people.may_hold(id))
                .collect(),
            None => ids.clone(),
        };
        let sql = "SELECT id_number, household_number FROM member \
                   WHERE left_on IS NULL AND id_number IN";
        let owners = lookup(&mut conn, sql, &asked).await?;
        if let Some(people) = &mut self.people {
            for id in &ids {
                people.insert(id);
            }
        }
        let in_batch: HashMap<&str, &Incoming> = batch
            .iter()
            .map(|h| (h.record.number.as_str(), h))
            .collect();
        // The households outside the chunk that the people belong to and that an earlier chunk
        // had, not waiting in `pending` (which may yet take its member out): they do not change
        // again in this import.
        let settled: HashSet<String> = if last || owners.is_empty() {
            HashSet::new()
        } else {
            let waiting: HashSet<&str> = self
                .pending
                .iter()
                .map(|h| h.record.number.as_str())
                .collect();
            let outside: BTreeSet<&str> = owners
                .values()
                .map(String::as_str)
                .filter(|o| !in_batch.contains_key(o) && !waiting.contains(o))
                .collect();
            let outside: Vec<&str> = outside.into_iter().collect();
            self.seen.had(&mut conn, &outside).await?
        };
        for (i, e) in batch_duplicates(&batch) {
            bad.insert(i);
            self.out.push_error(e, opts.errors_kept);
        }
        let mut plans = Vec::new();
        let mut deferred = Vec::new();
        let mut moved = Vec::new();
        for (i, h) in batch.iter().enumerate() {
            if same[i] {
                if !bad.contains(&i) {
                    self.out.unchanged += 1;
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
            let (errors, elsewhere) = registered_elsewhere(h, &owners, &in_batch, &settled);
            if !errors.is_empty() {
                bad.insert(i);
                self.out.extend_errors(errors, opts.errors_kept);
            }
            if !elsewhere.is_empty() && !bad.contains(&i) {
                if last {
                    bad.insert(i);
                    self.out
                        .extend_errors(elsewhere_errors(h, &owners), opts.errors_kept);
                    continue;
                } else if self.moves.is_none() {
                    deferred.push(i);
                    continue;
                }
            }
            match plan(ex, h, opts.date, &opts.actor, &opts.policy) {
                Ok(mut p) if !bad.contains(&i) => {
                    p.fingerprint = fingerprints[i].clone();
                    for id in elsewhere {
                        let row = h.member_rows.get(id).copied().unwrap_or(h.row);
                        moved.push((id.to_string(), number.to_string(), row, ex.is_none()));
                    }
                    plans.push(p);
                }
                Ok(_) => {}
                Err(e) => {
                    bad.insert(i);
                    self.out.push_error(*e, opts.errors_kept);
                }
            }
        }
        self.out.skipped += bad.len() as u64;
        for p in &plans {
            if p.before.is_none() {
                self.out.created += 1;
            } else if p.is_noop() {
                self.out.unchanged += 1;
            } else {
                self.out.updated += 1;
            }
            self.out.events += p.events.len() as u64;
        }
        drop(in_batch);
        drop(numbers);
        if !deferred.is_empty() {
            let deferred: HashSet<usize> = deferred.into_iter().collect();
            let mut rest = Vec::with_capacity(batch.len());
            for (i, h) in batch.into_iter().enumerate() {
                if deferred.contains(&i) {
                    if self.file && self.pending.len() >= opts.waiting_kept {
                        return Err(StoreError::Rejected(Box::new(too_many_waiting(
                            &h,
                            opts.waiting_kept,
                        ))));
                    }
                    self.pending.push(h);
                } else {
                    rest.push(h);
                }
            }
        }
        if expected_version.is_some() && !self.out.is_clean() {
            // A single save refused: nothing to write.
            return Ok(());
        }
        if let Some(moves) = &mut self.moves {
            moves.add(&mut conn, &moved).await?;
        }
        // The rows are written even when an error will refuse the import (it is rolled back at
        // the end): the later chunks' checks of duplicate people read them.
        let new_areas: BTreeSet<String> = plans
            .iter()
            .map(|p| &p.after.area_code)
            .filter(|a| !self.areas.contains(*a))
            .cloned()
            .collect();
        if !new_areas.is_empty() {
            ensure_areas(&mut conn, &new_areas, &[], &opts.actor, opts.date).await?;
            self.areas.extend(new_areas);
        }
        // New households go in with multi-row inserts; changed ones with multi-row upserts.
        let plans = Arc::new(plans);
        let (new, changed): (Vec<usize>, Vec<usize>) =
            (0..plans.len()).partition(|&i| plans[i].before.is_none());
        let noops = changed.iter().filter(|&&i| plans[i].is_noop()).count() as u64;
        let changed: Vec<usize> = changed
            .into_iter()
            .filter(|&i| !plans[i].is_noop())
            .collect();
        if !new.is_empty() || !changed.is_empty() {
            if self.chain.is_none() {
                self.chain = Some(Chain::start(&mut conn).await?);
            }
            let mut chain = self.chain.take().expect("started");
            let ids = chain.ids(&mut conn, new.len() + changed.len()).await?;
            // In microseconds, as both databases keep it (the audit chain hashes it as written).
            let now = Utc::now().trunc_subsecs(6);
            // The audit entries (their JSON and hashes) and the roll-ups' sums are built on a
            // thread of their own while the rows are written: the database works on one core,
            // this on the other.
            let built = {
                let (plans, order) = (plans.clone(), [&new[..], &changed[..]].concat());
                let (actor, date, mut next_event) =
                    (opts.actor.clone(), opts.date, self.events_written);
                let computed = self.computed.take();
                tokio::task::spawn_blocking(move || {
                    let listed: Vec<&Plan> = order.iter().map(|&i| &plans[i]).collect();
                    let entries = audit_entries(&listed, &actor, now, date, &ids, &mut chain);
                    let computed = computed.and_then(|mut c| {
                        (rollup_rows(&mut c, &plans, date, &mut next_event)
                            && c.villages() <= SUMMED_VILLAGES)
                            .then_some(c)
                    });
                    (chain, entries, computed, next_event)
                })
            };
            let new: Vec<&Plan> = new.iter().map(|&i| &plans[i]).collect();
            let changed: Vec<&Plan> = changed.iter().map(|&i| &plans[i]).collect();
            let parts = new.chunks(NEW_CHUNK).map(|c| (c, false));
            for (part, is_changed) in parts.chain(changed.chunks(NEW_CHUNK).map(|c| (c, true))) {
                write_rows(&mut conn, part, opts.date, is_changed, now).await?;
                self.done += part.len() as u64;
                if let Some(progress) = &opts.progress {
                    progress(self.done);
                }
            }
            let (chain, entries, computed, next_event) = match built.await {
                Ok(built) => built,
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            };
            // By `COPY` on PostgreSQL when every entry is a new household's (as its rows went).
            let copy = changed.is_empty();
            write_audit(&mut conn, &entries, &opts.actor, now, opts.date, copy).await?;
            self.chain = Some(chain);
            self.computed = computed;
            self.events_written = next_event;
        } else if let Some(computed) = &mut self.computed {
            if !rollup_rows(computed, &plans, opts.date, &mut self.events_written) {
                self.computed = None;
            }
        }
        self.done += noops;
        if expected_version.is_some() {
            // An interactive write of a household judged monitored that is not: a signal for its
            // village to verify (unless one is waiting or a case is open).
            for p in plans.iter() {
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
        self.touched.extend(
            plans
                .iter()
                .flat_map(|p| std::iter::once(&p.after).chain(p.before.as_ref()))
                .map(|h| h.area_code.clone()),
        );
        self.last = plans.last().map(|p| p.after.clone());
        Ok(())
    }

    /// Judges the deferred households, then commits (or, with errors and not `partial`, or on a
    /// dry run, rolls back); refreshes the roll-ups in the transaction and the planner's
    /// statistics after it.
    async fn finish(
        mut self,
        store: &SqlStore,
        area_infos: &[Area],
        opts: &ImportOptions,
    ) -> Result<(ImportOutcome, Option<HouseholdRecord>), StoreError> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let chunk = Chunk {
                households: pending,
                ..Chunk::default()
            };
            self.chunk(chunk, None, true).await?;
        }
        if let Some(moves) = self.moves.take() {
            moves
                .check(&mut self.tx.conn(), &mut self.out, opts.errors_kept)
                .await?;
        }
        let Run {
            mut tx,
            mut out,
            mut touched,
            done,
            last,
            mmap,
            search_triggers,
            indexes,
            chain,
            seen,
            computed,
            ..
        } = self;
        if tx.backend() == Backend::Postgres {
            // The roll-ups' refresh aggregates whole villages, and putting back a foreign key
            // checks a whole table (a join): the planner chooses again.
            tx.query("SET LOCAL enable_seqscan = on")
                .execute(&mut tx)
                .await?;
            if done >= ANALYZE_AFTER && !opts.dry_run {
                // With statistics of the rows this transaction wrote (PostgreSQL's ANALYZE counts
                // them): those of before it (an empty database's) made each village's refresh and
                // each page of the audit chain's seal scan the event and audit tables whole.
                tx.query("ANALYZE household, household_income, member, event, audit_log")
                    .execute(&mut tx)
                    .await?;
            }
        }
        if !opts.dry_run && (out.is_clean() || opts.partial) {
            if tx.backend() == Backend::Sqlite
                && !(indexes.is_empty() && search_triggers.is_empty())
            {
                // The builds of a first import read whole tables once and write the indexes in
                // order: through a small page cache (put back before the roll-ups), whose pages the
                // process then no longer holds beside the sorts' memory (a 10,000,000-member
                // import reached 502 MB with the import's 128 MB cache kept).
                tx.query(SMALL_CACHE).execute(&mut tx).await?;
            }
            // Before the roll-ups' refresh, which reads through them.
            indexes_built(&mut tx.conn(), indexes).await?;
        }
        out.errors
            .sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
        seen.forget(&mut tx.conn()).await?;
        if opts.dry_run || (!out.is_clean() && !opts.partial) {
            remapped(&mut tx.conn(), mmap).await?;
            tx.rollback().await?;
            return Ok((out, None));
        }
        let mut conn = tx.conn();
        search_filled(&mut conn, search_triggers).await?;
        if conn.backend() == Backend::Sqlite {
            // The roll-ups' refresh reads villages at random: through the whole cache again.
            let sql = format!("PRAGMA cache_size = {}", crate::store::CACHE_SIZE);
            conn.query(&sql).execute(&mut conn).await?;
        }
        if let Some(chain) = chain {
            chain.settle(&mut conn).await?;
        }
        unmarked(&mut conn).await?;
        // The dashboards' roll-ups: mark the villages written (and a moved household's old
        // village), refresh them now unless the caller refreshes later.
        let with_population = area_infos.iter().filter(|a| a.rural_population.is_some());
        touched.extend(with_population.map(|a| a.code.clone()));
        crate::rollup::mark(&mut conn, &touched).await?;
        if !opts.defer_rollups {
            // Inside the write's transaction: the roll-ups commit with the data or not at all, so
            // an answer of the write is the whole truth and no read has to refresh (reads never
            // write). With `defer_rollups` the marks commit and the caller refreshes later.
            crate::rollup::refresh_with(&mut conn, computed.unwrap_or_default()).await?;
        }
        if let Some(interrupt) = &opts.interrupt {
            interrupted(&mut conn, interrupt, done).await?;
        }
        // Memory-mapped reads back on only now: the search index's fill and the roll-ups'
        // refresh (every village written: for a county's file the whole county) read through the
        // bounded page cache, not the map, whose pages would stay resident.
        remapped(&mut conn, mmap).await?;
        tx.commit().await?;
        out.committed = true;
        if done >= ANALYZE_AFTER {
            // Fresh statistics, or the next import's lookups (and the roll-up refresh) may scan
            // whole tables. After the commit and best effort: it must not fail a stored write.
            if let Err(e) = store.analyze().await {
                eprintln!("fupin: statistics not refreshed after the import (harmless): {e}");
            }
        }
        Ok((out, last))
    }
}

impl SqlStore {
    /// Refreshes the planner's statistics of the registry's tables, and on SQLite merges the search
    /// index's segments (a write: on SQLite it takes its turn like any other).
    async fn analyze(&self) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let mmap = unmapped(&mut tx.conn()).await?;
        let sqlite = self.db.backend() == Backend::Sqlite;
        if sqlite {
            // Both statements read whole tables and indexes once: through a small page cache,
            // so that this connection's cache does not come on top of the import's (the peak of
            // a 1,000,000-member import was 350 MB with it, 214 MB while importing).
            tx.query(SMALL_CACHE).execute(&mut tx).await?;
        }
        let sql = match self.db.backend() {
            Backend::Sqlite => "PRAGMA optimize",
            Backend::Postgres => "ANALYZE household, household_income, member, event",
        };
        tx.query(sql).execute(&mut tx).await?;
        if sqlite {
            // The search index (FTS5, migration 10) written by many small segments answers
            // slowly until they are merged into one (docs/PERFORMANCE.md, "Search").
            tx.query("INSERT INTO member_search(member_search) VALUES ('optimize')")
                .execute(&mut tx)
                .await?;
        }
        // The connection's own sizes back (settings of the connection, not the transaction).
        remapped(&mut tx.conn(), mmap).await?;
        tx.commit_unsealed().await?;
        Ok(())
    }
}

/// On SQLite, turns the connection's memory-mapped reads off for a large write and returns the
/// size to put back ([`remapped`]): every page of the database file an import or the index merge
/// reads through the map stays in the process's resident memory (1 GB for a 1,000,000-member
/// import), where the page cache (`cache_size`) bounds it.
async fn unmapped(conn: &mut Conn<'_>) -> Result<Option<i64>, StoreError> {
    if conn.backend() != Backend::Sqlite {
        return Ok(None);
    }
    let size: Option<i64> = conn.query("PRAGMA mmap_size").scalar(&mut *conn).await?;
    conn.query("PRAGMA mmap_size = 0")
        .execute(&mut *conn)
        .await?;
    Ok(size)
}

/// SQLite, an import into a registry without members: the search index's triggers (migration 10:
/// one FTS5 insert per member written) are dropped for the import's transaction, and the index is
/// filled once at its end ([`search_filled`]), which is faster. Their definitions are returned;
/// a rolled-back import puts them back with everything else (SQLite's DDL is transactional).
async fn search_deferred(conn: &mut Conn<'_>) -> Result<Vec<String>, StoreError> {
    if conn.backend() != Backend::Sqlite {
        return Ok(Vec::new());
    }
    let any: Option<i64> = conn
        .query("SELECT 1 FROM member LIMIT 1")
        .scalar(&mut *conn)
        .await?;
    if any.is_some() {
        return Ok(Vec::new());
    }
    let triggers: Vec<(String, String)> = conn
        .query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'member' \
             AND name IN ('member_search_insert', 'member_search_update', 'member_search_delete')",
        )
        .fetch_all_as(&mut *conn)
        .await?;
    for (name, _) in &triggers {
        conn.query(&format!("DROP TRIGGER {name}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// The secondary indexes of the registry's tables that a first import builds at its end: neither
/// the import's own lookups (a household by its number, a person by ID number, the audit chain by
/// its place) nor the keys need them while it writes.
const DEFERRED_INDEXES: [&str; 10] = [
    "household_by_area",
    "household_by_status",
    "household_by_monitoring",
    "member_by_name",
    "member_by_county_name",
    "member_by_birth",
    "member_name_trgm",
    "member_id_number_trgm",
    "event_by_household",
    "event_by_date",
];

/// A first import (`defer`: of a file, not a single save, into a registry without households): the
/// secondary indexes of its tables ([`DEFERRED_INDEXES`]) are dropped in the import's transaction
/// and built once at its end ([`indexes_built`]): one sort per index instead of a B-tree (or GIN)
/// insert per row (at 333,334 members, `member`'s indexes made its `COPY` 11 s slower; building
/// the ten afterwards took 5 s: docs/PERFORMANCE.md "Import").
/// Their definitions are returned; a rolled-back import puts them back with everything else (the
/// DDL of both databases is transactional). On PostgreSQL the import then holds `household`,
/// `member` and `event` exclusively until it ends: a reader of the (empty) registry waits for it.
async fn indexes_deferred(conn: &mut Conn<'_>, defer: bool) -> Result<Vec<String>, StoreError> {
    if !defer {
        return Ok(Vec::new());
    }
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND name IN"
        }
        Backend::Postgres => {
            "SELECT indexname, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND indexname IN"
        }
    };
    let mut found: Vec<(String, String)> = lookup(conn, sql, &DEFERRED_INDEXES)
        .await?
        .into_iter()
        .collect();
    found.sort();
    let mut deferred = Vec::new();
    for (name, sql) in found {
        conn.query(&format!("DROP INDEX {name}"))
            .execute(&mut *conn)
            .await?;
        deferred.push(sql);
    }
    if conn.backend() == Backend::Postgres {
        // And the foreign keys of the rows written to their household: checked once for the
        // whole table when put back, not by a query per row. (SQLite's check of a row is a
        // lookup in the household's key, and its foreign keys cannot be switched off inside a
        // transaction.)
        let keys: Vec<(String, String, String)> = conn
            .query(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) \
                 FROM pg_constraint c WHERE c.contype = 'f' \
                 AND c.confrelid = 'household'::regclass \
                 AND c.conrelid IN ('member'::regclass, 'household_income'::regclass, \
                 'event'::regclass) ORDER BY 1, 2",
            )
            .fetch_all_as(&mut *conn)
            .await?;
        for (table, name, def) in keys {
            conn.query(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .execute(&mut *conn)
                .await?;
            deferred.push(format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}"));
        }
    }
    Ok(deferred)
}

/// Builds the indexes (and on PostgreSQL puts back the foreign keys) [`indexes_deferred`] took off
/// (none: nothing to do).
async fn indexes_built(conn: &mut Conn<'_>, indexes: Vec<String>) -> Result<(), StoreError> {
    if indexes.is_empty() {
        return Ok(());
    }
    if conn.backend() == Backend::Postgres {
        // The sorts of a build in memory rather than in temporary files (the default is 64 MB).
        conn.query("SET LOCAL maintenance_work_mem = '256MB'")
            .execute(&mut *conn)
            .await?;
    }
    // Not with SQLite's sorter on more threads (`PRAGMA threads`): 1,000,000 members' builds took
    // 2.8 s instead of 3.4 s, but each thread sorts in a buffer of its own the size of the page
    // cache, and the province's peak went from about 260 MB to 311 MB (docs/PERFORMANCE.md).
    for sql in &indexes {
        conn.query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Fills the search index with the current members and puts back the triggers
/// [`search_deferred`] took off (none: nothing to do).
async fn search_filled(conn: &mut Conn<'_>, triggers: Vec<String>) -> Result<(), StoreError> {
    if triggers.is_empty() {
        return Ok(());
    }
    // Written in larger segments and not merged as it goes (FTS5's settings, kept in the index:
    // put back after): `SqlStore::analyze` merges them all once after the commit. 1,000,000
    // members: 7.3 s -> 4.8 s with that merge (docs/PERFORMANCE.md).
    let settings = |hash: i64, auto: i64, crisis: i64| {
        [
            ("hashsize", hash),
            ("automerge", auto),
            ("crisismerge", crisis),
        ]
    };
    for (name, value) in settings(16 << 20, 0, 64) {
        fts_setting(conn, name, value).await?;
    }
    conn.query(
        "INSERT INTO member_search (rowid, name, id_number) \
         SELECT rowid, name, id_number FROM member WHERE left_on IS NULL",
    )
    .execute(&mut *conn)
    .await?;
    // FTS5's defaults.
    for (name, value) in settings(1 << 20, 4, 16) {
        fts_setting(conn, name, value).await?;
    }
    for sql in &triggers {
        conn.query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Sets a setting of the search index (FTS5's `INSERT INTO t(t, rank) VALUES (name, value)`).
async fn fts_setting(conn: &mut Conn<'_>, name: &str, value: i64) -> Result<(), StoreError> {
    conn.query("INSERT INTO member_search (member_search, rank) VALUES ($1, $2)")
        .bind(name)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes off the mark of the registry's own write ([`Run::begin`]) before the commit: on SQLite a
/// row no other connection saw (it must never be committed, or the triggers of migration 18 would
/// skip every later write); PostgreSQL's setting ends with the transaction.
async fn unmarked(conn: &mut Conn<'_>) -> Result<(), StoreError> {
    if conn.backend() == Backend::Sqlite {
        conn.query("DELETE FROM fupin_write")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Puts back the memory-mapped size [`unmapped`] took off.
/// And the connection's page cache back to its size (a first import lowers it for its index
/// builds).
async fn remapped(conn: &mut Conn<'_>, size: Option<i64>) -> Result<(), StoreError> {
    if let Some(size) = size {
        let sql = format!("PRAGMA mmap_size = {size}");
        conn.query(&sql).execute(&mut *conn).await?;
        let sql = format!("PRAGMA cache_size = {}", crate::store::CACHE_SIZE);
        conn.query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
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

/// The members of `h` who are current members of another household of the batch that does not
/// also take them out of it, or of a `settled` household outside the batch (errors), and those who
/// are current members of another household outside the batch (judged at the end of the import:
/// [`elsewhere_errors`], [`Moves`]).
fn registered_elsewhere<'h>(
    h: &'h Incoming,
    owners: &HashMap<String, String>,
    in_batch: &HashMap<&str, &Incoming>,
    settled: &HashSet<String>,
) -> (Vec<RowError>, Vec<&'h str>) {
    let number = h.record.number.as_str();
    let mut errors = Vec::new();
    let mut elsewhere = Vec::new();
    for m in &h.record.members {
        let Some(owner) = owners.get(&m.id_number) else {
            continue;
        };
        if owner == number {
            continue;
        }
        // Someone else's member may move here when the file also takes them out there.
        match in_batch.get(owner.as_str()) {
            Some(o) if !o.record.members.iter().any(|x| x.id_number == m.id_number) => {}
            Some(_) => errors.push(already_registered(h, &m.id_number, owner)),
            None if settled.contains(owner) => {
                errors.push(already_registered(h, &m.id_number, owner))
            }
            None => elsewhere.push(m.id_number.as_str()),
        }
    }
    (errors, elsewhere)
}

/// The members of `h` who are current members of another household (at the end of an import).
fn elsewhere_errors(h: &Incoming, owners: &HashMap<String, String>) -> Vec<RowError> {
    h.record
        .members
        .iter()
        .filter_map(|m| {
            let owner = owners.get(&m.id_number)?;
            (owner != &h.record.number).then(|| already_registered(h, &m.id_number, owner))
        })
        .collect()
}

fn already_registered(h: &Incoming, id: &str, owner: &str) -> RowError {
    let row = h.member_rows.get(id).copied().unwrap_or(h.row);
    registered_in(row, &h.record.number, id, owner)
}

/// The person `id` of household `number` (at `row` of the file) is a current member of `owner`.
fn registered_in(row: usize, number: &str, id: &str, owner: &str) -> RowError {
    RowError::new(
        row,
        "id_number",
        id,
        "duplicate_person",
        &format!("此人已登记在户 {owner} 中"),
        &format!("this person is already registered in household {owner}"),
    )
    .in_household(number)
}

/// A `partial` import of a file with more households waiting for the end than `kept` (memory is
/// bounded: the import is refused as a whole, nothing written).
fn too_many_waiting(h: &Incoming, kept: usize) -> RowError {
    RowError::new(
        h.row,
        "household_number",
        &h.record.number,
        "too_many_waiting",
        &format!(
            "使用 --partial 时,从文件中后面的户迁入成员的户超过 {kept} 个:请不用 --partial 导入(在文件末尾检查迁入),或把这些户排在迁出户之后"
        ),
        &format!(
            "with --partial, more than {kept} households take a person from a household later in the file: import without --partial (the moves are checked at the end), or put these households after the ones the people leave"
        ),
    )
    .in_household(&h.record.number)
}

/// A household number seen earlier in the import (in its chunk or an earlier one).
fn repeated_household(h: &Incoming, first: usize) -> RowError {
    RowError::new(
        h.row,
        "household_number",
        &h.record.number,
        "duplicate_household",
        &format!("户编号重复(第{first}行已出现)"),
        &format!("the household number repeats (first at row {first})"),
    )
    .in_household(&h.record.number)
}

/// Stores the fingerprints of households found unchanged: (county, number, fingerprint).
async fn write_fingerprints(
    conn: &mut Conn<'_>,
    rows: &[(&str, &str, &str)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(NEW_CHUNK) {
        let sql = format!(
            "UPDATE household SET fingerprint = v.column3 FROM ({}) AS v \
             WHERE household.county = v.column1 AND household.number = v.column2",
            crate::sql::values(conn.backend(), chunk.len(), 3)
        );
        let mut q = conn.query(&sql);
        for (county, number, print) in chunk {
            q.push(*county);
            q.push(*number);
            q.push(*print);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The household numbers an import has had, with their first row ([`Run::seen`]).
enum Seen {
    /// The first chunk's, in memory (a single save never needs the table).
    First(Vec<(String, usize)>),
    /// In the transaction's temporary table `import_seen`.
    Table,
}

impl Seen {
    /// The first rows of those of `numbers` an earlier chunk had.
    async fn earlier(
        &mut self,
        conn: &mut Conn<'_>,
        numbers: &[&str],
    ) -> Result<HashMap<String, usize>, StoreError> {
        let first = match self {
            Seen::First(first) if first.is_empty() => return Ok(HashMap::new()),
            Seen::First(first) => Some(std::mem::take(first)),
            Seen::Table => None,
        };
        if let Some(first) = first {
            // A second chunk: the numbers go into the database from now on.
            temp_table(
                conn,
                "import_seen",
                "number TEXT NOT NULL PRIMARY KEY, first_row BIGINT NOT NULL",
            )
            .await?;
            *self = Seen::Table;
            insert_seen(conn, &first).await?;
        }
        let sql = "SELECT number, CAST(first_row AS TEXT) FROM import_seen WHERE number IN";
        Ok(lookup(conn, sql, numbers)
            .await?
            .into_iter()
            .filter_map(|(n, r)| Some((n, r.parse().ok()?)))
            .collect())
    }

    /// Those of `numbers` the import has had (a chunk's before the current one: the first chunk's
    /// are all in the chunk).
    async fn had(
        &self,
        conn: &mut Conn<'_>,
        numbers: &[&str],
    ) -> Result<HashSet<String>, StoreError> {
        if numbers.is_empty() || matches!(self, Seen::First(_)) {
            return Ok(HashSet::new());
        }
        let sql = "SELECT number, number FROM import_seen WHERE number IN";
        Ok(lookup(conn, sql, numbers).await?.into_keys().collect())
    }

    /// Adds a chunk's numbers (none of them had before).
    async fn add(
        &mut self,
        conn: &mut Conn<'_>,
        numbers: Vec<(String, usize)>,
    ) -> Result<(), StoreError> {
        match self {
            Seen::First(first) => {
                first.extend(numbers);
                Ok(())
            }
            Seen::Table => insert_seen(conn, &numbers).await,
        }
    }

    /// Drops the table before the end of the transaction (SQLite keeps a temporary table for the
    /// connection's life; PostgreSQL drops it at the commit).
    async fn forget(self, conn: &mut Conn<'_>) -> Result<(), StoreError> {
        if matches!(self, Seen::Table) {
            temp_table_dropped(conn, "import_seen").await?;
        }
        Ok(())
    }
}

/// The people a file's import wrote into a household while they were current members of a
/// household outside their chunk that no earlier chunk had ([`Run::moves`]): (ID number, household,
/// row, whether the household is new), in the transaction's temporary table `import_moves`. At
/// the end, a person still a current member of another household is a duplicate, as a household
/// held to the end would have found (that other household was not in the file, or kept them).
#[derive(Default)]
struct Moves {
    table: bool,
}

impl Moves {
    async fn add(
        &mut self,
        conn: &mut Conn<'_>,
        rows: &[(String, String, usize, bool)],
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        if !self.table {
            temp_table(
                conn,
                "import_moves",
                "id_number TEXT NOT NULL, household_number TEXT NOT NULL, \
                 member_row BIGINT NOT NULL, created BIGINT NOT NULL",
            )
            .await?;
            self.table = true;
        }
        for chunk in rows.chunks(NEW_CHUNK) {
            let sql = format!(
                "INSERT INTO import_moves (id_number, household_number, member_row, created) {}",
                crate::sql::values(conn.backend(), chunk.len(), 4)
            );
            let mut q = conn.query(&sql);
            for (id, number, row, created) in chunk {
                q.push(id.as_str());
                q.push(number.as_str());
                q.push(*row as i64);
                q.push(i64::from(*created));
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// The people moved in who are still current members of another household, as errors (the
    /// first of them, up to `kept` in all): their households are counted as skipped, not as
    /// created or updated. Drops the table.
    async fn check(
        self,
        conn: &mut Conn<'_>,
        out: &mut ImportOutcome,
        kept: usize,
    ) -> Result<(), StoreError> {
        if !self.table {
            return Ok(());
        }
        let from = "FROM import_moves v JOIN member m ON m.id_number = v.id_number \
                    AND m.left_on IS NULL AND m.household_number <> v.household_number";
        let sql = format!(
            "SELECT COUNT(*), COUNT(DISTINCT v.household_number), \
             COUNT(DISTINCT CASE WHEN v.created = 1 THEN v.household_number END) {from}"
        );
        let counts: Vec<(i64, i64, i64)> = conn.query(&sql).fetch_all_as(&mut *conn).await?;
        let (found, households, created) = counts.first().copied().unwrap_or_default();
        if found > 0 {
            out.skipped += households as u64;
            out.created = out.created.saturating_sub(created as u64);
            out.updated = out.updated.saturating_sub((households - created) as u64);
            let room = kept.saturating_sub(out.errors.len());
            let sql = format!(
                "SELECT v.household_number, v.id_number, v.member_row, m.household_number {from} \
                 ORDER BY v.member_row, m.household_number LIMIT {room}"
            );
            let rows: Vec<(String, String, i64, String)> = if room > 0 {
                conn.query(&sql).fetch_all_as(&mut *conn).await?
            } else {
                Vec::new()
            };
            out.errors_left_off += found as u64 - rows.len() as u64;
            for (number, id, row, owner) in rows {
                out.push_error(registered_in(row as usize, &number, &id, &owner), kept);
            }
        }
        temp_table_dropped(conn, "import_moves").await
    }
}

/// Creates the import's temporary table `name` (`columns`: their definitions), empty. SQLite's
/// temporary tables belong to the connection (its DDL is transactional, and the table is dropped
/// before the commit: [`temp_table_dropped`]); PostgreSQL drops it at the commit.
async fn temp_table(conn: &mut Conn<'_>, name: &str, columns: &str) -> Result<(), StoreError> {
    let create = match conn.backend() {
        Backend::Sqlite => format!("CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})"),
        Backend::Postgres => format!("CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP"),
    };
    conn.query(&create).execute(&mut *conn).await?;
    if conn.backend() == Backend::Sqlite {
        // Left by an import that failed before its end on this connection.
        conn.query(&format!("DELETE FROM {name}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Drops a table of [`temp_table`] before the commit (SQLite keeps a temporary table for the
/// connection's life; PostgreSQL drops it at the commit).
async fn temp_table_dropped(conn: &mut Conn<'_>, name: &str) -> Result<(), StoreError> {
    if conn.backend() == Backend::Sqlite {
        conn.query(&format!("DROP TABLE temp.{name}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn insert_seen(conn: &mut Conn<'_>, numbers: &[(String, usize)]) -> Result<(), StoreError> {
    for chunk in numbers.chunks(NEW_CHUNK) {
        let sql = format!(
            "INSERT INTO import_seen (number, first_row) {}",
            crate::sql::values(conn.backend(), chunk.len(), 2)
        );
        let mut q = conn.query(&sql);
        for (number, row) in chunk {
            q.push(number.as_str());
            q.push(*row as i64);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A set of ID numbers that answers "maybe" or "no" (a Bloom filter, about 1% false "maybe"):
/// 10 bits a person, in filters that double in size as they fill, up to a largest one
/// ([`Bloom::LARGEST`] people, 10 MiB) that takes everyone after it: memory stays under 21 MiB
/// whatever the file (past 16,777,216 people the false "maybe"s grow; each costs one lookup,
/// never a missed duplicate).
struct Bloom {
    /// (bits, capacity, people inserted).
    filters: Vec<(Vec<u64>, usize, usize)>,
    /// The capacity of the largest filter.
    largest: usize,
}

impl Default for Bloom {
    fn default() -> Bloom {
        Bloom {
            filters: Vec::new(),
            largest: Bloom::LARGEST,
        }
    }
}

impl Bloom {
    const HASHES: u64 = 7;
    const FIRST: usize = 1 << 16;
    const LARGEST: usize = 1 << 23;

    fn probes(id: &str, bits: usize) -> impl Iterator<Item = usize> {
        let h1 = number_hash(id);
        let h2 = id.bytes().fold(0x6c62_272e_07bb_0142_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }) | 1;
        (0..Self::HASHES).map(move |i| (h1.wrapping_add(i.wrapping_mul(h2)) % bits as u64) as usize)
    }

    fn may_hold(&self, id: &str) -> bool {
        self.filters.iter().any(|(words, _, _)| {
            Self::probes(id, words.len() * 64).all(|b| words[b / 64] & (1 << (b % 64)) != 0)
        })
    }

    fn insert(&mut self, id: &str) {
        let largest = self.largest;
        if self
            .filters
            .last()
            .is_none_or(|(_, cap, n)| n >= cap && *cap < largest)
        {
            let cap = self
                .filters
                .last()
                .map_or(Self::FIRST.min(largest), |(_, cap, _)| {
                    (cap * 2).min(largest)
                });
            self.filters.push((vec![0; cap * 10 / 64 + 1], cap, 0));
        }
        let (words, _, n) = self.filters.last_mut().expect("one filter");
        let bits = words.len() * 64;
        for b in Self::probes(id, bits) {
            words[b / 64] |= 1 << (b % 64);
        }
        *n += 1;
    }
}

/// A 64-bit hash of a household number, the same in every run.
fn number_hash(number: &str) -> u64 {
    // FNV-1a.
    number.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Duplicate household numbers and people within one batch.
fn batch_duplicates(batch: &[Incoming]) -> Vec<(usize, RowError)> {
    let mut errors = Vec::new();
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut people: HashMap<&str, &str> = HashMap::new();
    for (i, h) in batch.iter().enumerate() {
        if let Some(first) = numbers.insert(&h.record.number, h.row) {
            errors.push((i, repeated_household(h, first)));
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

#[cfg(test)]
mod tests {
    use super::Bloom;

    #[test]
    fn the_people_filter_never_misses_a_person_and_seldom_says_maybe_wrongly() {
        let id = |i: u64| format!("140525{:08}{:04}", 19_700_101 + i % 300_000, i);
        let mut people = Bloom::default();
        // Past its first filter (65,536 people) into two more.
        for i in 0..200_000 {
            people.insert(&id(i));
        }
        assert_eq!(people.filters.len(), 3);
        assert!((0..200_000).all(|i| people.may_hold(&id(i))));
        let wrong = (1_000_000..1_100_000)
            .filter(|&i| people.may_hold(&id(i)))
            .count();
        // About 1% per filter, three filters.
        assert!(wrong < 5_000, "{wrong} of 100,000 said maybe");
        assert!(!Bloom::default().may_hold(&id(1)));
    }

    #[test]
    fn the_people_filter_stops_growing_at_its_largest_filter_and_still_never_misses() {
        let id = |i: u64| format!("140525{:08}{:04}", 19_700_101 + i % 300_000, i);
        let mut people = Bloom {
            largest: 1 << 17,
            ..Bloom::default()
        };
        // Filters of 65,536 and 131,072 people, then everyone into the second.
        for i in 0..400_000 {
            people.insert(&id(i));
        }
        let sizes: Vec<usize> = people.filters.iter().map(|f| f.0.len()).collect();
        assert_eq!(
            sizes,
            vec![(1 << 16) * 10 / 64 + 1, (1 << 17) * 10 / 64 + 1]
        );
        assert!((0..400_000).all(|i| people.may_hold(&id(i))));
        // Overfull (2.6 times its capacity): about 30% false "maybe"s, most still "no".
        let wrong = (1_000_000..1_010_000)
            .filter(|&i| people.may_hold(&id(i)))
            .count();
        assert!(
            wrong > 1_000 && wrong < 5_000,
            "{wrong} of 10,000 said maybe"
        );
    }
}
