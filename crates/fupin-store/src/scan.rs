//! Whole-registry reads for the whole-registry commands (`fupin assess --all`, `fupin simulate`,
//! `fupin report villages`), reached through the opened store ([`SqlStore`]): every area with its
//! name and rural population in one query ([`all_areas`]), and every household as the rules see it,
//! streamed in constant memory on several threads ([`households`]).
//!
//! The one place of the store with `unsafe` code: on SQLite the household scan reads through
//! SQLite's own C API (module `raw`, a safe wrapper of a read-only connection), which is measurably
//! faster than sqlx for this read (docs/PERFORMANCE.md). Everything else in the crate denies
//! `unsafe_code`.

use crate::error::StoreError;
use crate::model::Area;
use crate::sql::Db;
use crate::SqlStore;

const AREAS: &str =
    "SELECT code, name, level, parent, region, rural_population FROM area ORDER BY code";

/// Every area of the registry, by code.
pub async fn all_areas(store: &SqlStore) -> Result<Vec<Area>, StoreError> {
    let rows: Vec<crate::areas::AreaColumns> =
        store.db().query(AREAS).fetch_all_as(store.db()).await?;
    rows.into_iter().map(crate::areas::area_of).collect()
}

/// The rule facts a household row carries (migration 4): the number of current members, the members
/// as `ID:SCHOOL:INSURED` joined by `;`, and the latest year's income as `YEAR,WAGE,...` in fen.
/// `before` is the stored household (its income is the latest stored year): an import that brings an
/// older year's income leaves the latest one in force.
pub fn facts(
    before: Option<&crate::HouseholdRecord>,
    after: &crate::HouseholdRecord,
) -> (i64, String, Option<String>) {
    use crate::model::to_fen;
    let members = after
        .members
        .iter()
        .map(|m| {
            format!(
                "{}:{}:{}",
                m.id_number,
                fupin_core::CodeList::code(m.school_status),
                u8::from(m.medical_insurance)
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    let latest = match before {
        Some(b) if b.income_year > after.income_year => b,
        _ => after,
    };
    let income = latest.income_year.map(|y| {
        let (i, r) = (&latest.income, &latest.rigid_expense);
        format!(
            "{y},{},{},{},{},{},{},{},{},{}",
            to_fen(i.wage),
            to_fen(i.business),
            to_fen(i.property),
            to_fen(i.transfer),
            to_fen(i.business_cost),
            to_fen(r.medical),
            to_fen(r.education),
            to_fen(r.disaster),
            to_fen(r.other)
        )
    });
    (people(after), members, income)
}

/// The number of current members a household row carries (its `people`).
pub fn people(after: &crate::HouseholdRecord) -> i64 {
    after.members.len() as i64
}

/// One household row as the scan reads it (text columns; `food`, `clothing`, `water` as booleans).
pub struct ScanRow<'a> {
    pub number: &'a str,
    pub area_code: &'a str,
    pub status: &'a str,
    pub housing_grade: &'a str,
    pub food: bool,
    pub clothing: bool,
    pub water: bool,
    pub income: Option<&'a str>,
    pub members: &'a str,
}

fn bad(what: &str, v: &str) -> StoreError {
    StoreError::File(format!(
        "数据库中的值无效 / bad stored value for {what}: {v:?}"
    ))
}

fn code<T: fupin_core::CodeList>(v: &str) -> Result<T, StoreError> {
    T::parse(v).ok_or_else(|| bad(T::LIST, v))
}

impl ScanRow<'_> {
    /// The household as the rules see it. Members whose ID number does not parse are left out, as in
    /// [`crate::HouseholdRecord::to_core`]; `None` for a household whose area code does not parse.
    pub fn decode(&self) -> Result<Option<fupin_core::model::Household>, StoreError> {
        use fupin_core::model::{Household, Income, Member, RigidExpense};
        let Ok(area) = fupin_core::AreaCode::parse(self.area_code) else {
            return Ok(None);
        };
        let mut fen = [0i64; 9];
        if let Some(text) = self.income {
            let mut parts = text.split(',');
            parts.next();
            for f in fen.iter_mut() {
                *f = parts
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| bad("rule_income", text))?;
            }
        }
        let d = |i: usize| crate::model::from_fen(fen[i]);
        let mut members = Vec::new();
        for m in self.members.split(';').filter(|m| !m.is_empty()) {
            let mut parts = m.splitn(3, ':');
            let (Some(id), Some(school), Some(insured)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad("rule_members", m));
            };
            if let Ok(id) = fupin_core::ResidentId::parse(id) {
                members.push(Member {
                    id_number: id,
                    name: String::new(),
                    relation: fupin_core::codes::Relation::Other,
                    school_status: code(school)?,
                    medical_insured: insured == "1",
                    labor: None,
                    health: None,
                });
            }
        }
        Ok(Some(Household {
            id: self.number.to_string(),
            area,
            status: code(self.status)?,
            attribute: None,
            main_cause: None,
            income: Income {
                wage: d(0),
                business: d(1),
                property: d(2),
                transfer: d(3),
                business_cost: d(4),
            },
            rigid_expense: RigidExpense {
                medical: d(5),
                education: d(6),
                disaster: d(7),
                other: d(8),
            },
            food: self.food,
            clothing: self.clothing,
            water: self.water,
            housing_grade: code(self.housing_grade)?,
            members,
        }))
    }
}

const SCAN_COLUMNS: &str =
    "number, area_code, status, housing_grade, food, clothing, water, rule_income, rule_members";

/// The counties under an area prefix, from the registered areas (every household's area has its
/// ancestors registered). `county` is at most six digits (checked by [`digits`]).
fn counties_sql(county: &str) -> String {
    format!(
        "SELECT DISTINCT substr(code, 1, 6) FROM area WHERE length(code) >= 6 AND code LIKE '{county}%' ORDER BY 1"
    )
}

fn digits(s: &str) -> Result<&str, StoreError> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(StoreError::File(format!(
            "区划代码只能是数字 / an area code has digits only: {s:?}"
        )))
    }
}

/// Where the scan's own connections go: the opened store's SQLite file or PostgreSQL options.
enum Source {
    Sqlite(std::path::PathBuf),
    Pg(Box<sqlx::postgres::PgConnectOptions>),
}

impl Source {
    fn of(store: &SqlStore) -> Source {
        match store.db() {
            Db::Sqlite(p, _) => Source::Sqlite(p.connect_options().get_filename().to_path_buf()),
            Db::Pg(p) => Source::Pg(Box::new((*p.connect_options()).clone())),
        }
    }
}

/// One connection of a scan worker, of either backend.
enum Conn {
    Sqlite(raw::Db),
    Pg(pg::Worker),
}

impl Conn {
    fn open(source: &Source) -> Result<Conn, StoreError> {
        Ok(match source {
            Source::Sqlite(path) => Conn::Sqlite(raw::Db::open(path)?),
            Source::Pg(opts) => Conn::Pg(pg::Worker::connect(opts)?),
        })
    }

    /// Runs a query of the scan's columns, handing each row to `f`.
    fn rows(
        &mut self,
        sql: &str,
        f: &mut dyn FnMut(ScanRow<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(db) => db.each(sql, f),
            Conn::Pg(w) => w.copy(sql, f),
        }
    }

    /// The first column of every row of a query.
    fn column(&mut self, sql: &str) -> Result<Vec<String>, StoreError> {
        match self {
            Conn::Sqlite(db) => db.column(sql),
            Conn::Pg(w) => w.column(sql),
        }
    }
}

/// Streams every household under the area prefix `area` ("" for all) of the opened store as the
/// rules see it to `visit`, county by county on `workers` threads, each with its own connection and
/// its own state from `init`; returns the states (to be merged by the caller) and the number of
/// households. Reads one row per household (the rule facts of migration 4): on SQLite through
/// SQLite's own API, on PostgreSQL as `COPY ... TO STDOUT`. Only the columns the exit check and
/// monitoring use are read (no names, phones or accounts). Blocking: every connection of the scan is
/// made from the store's pool options on a thread of its own (with a runtime of its own on
/// PostgreSQL), so it may be called from within an async runtime, whose thread it blocks.
pub fn households<S: Send>(
    store: &SqlStore,
    area: &str,
    workers: usize,
    init: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, &fupin_core::model::Household) -> Result<(), String> + Sync,
) -> Result<(Vec<S>, u64), StoreError> {
    let (lo, hi) = fupin_core::area::code_range(digits(area)?);
    let failure: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let states = per_county(
        store,
        area,
        workers,
        || (init(), 0u64),
        |(state, n), county, conn| {
            let sql = format!(
                "SELECT {SCAN_COLUMNS} FROM household WHERE county = '{county}' AND area_code BETWEEN '{lo}' AND '{hi}'"
            );
            conn.rows(&sql, &mut |row| {
                if let Some(h) = row.decode()? {
                    visit(state, &h).map_err(|e| {
                        *failure.lock().expect("failure") = Some(e.clone());
                        StoreError::File(e)
                    })?;
                    *n += 1;
                }
                Ok(())
            })
        },
    );
    if let Some(e) = failure.lock().expect("failure").take() {
        return Err(StoreError::File(e));
    }
    let states = states?;
    let total = states.iter().map(|(_, n)| n).sum();
    Ok((states.into_iter().map(|(s, _)| s).collect(), total))
}

/// The rows of any query as text fields (`None` for NULL), handed to a callback one row at a time.
pub type FieldsFn<'f> = dyn FnMut(&[Option<&str>]) -> Result<(), StoreError> + 'f;

/// A connection of a county-by-county read ([`counties`]), lent to the caller's work on one county.
pub struct CountyReader<'c>(&'c mut Conn);

impl CountyReader<'_> {
    /// Runs `sql` (its values written into it, text: no binds) and hands each row's fields, as
    /// text, to `f`. On PostgreSQL dates come as `YYYY-MM-DD` (the connection's ISO date style) and
    /// booleans as `t`/`f`; on SQLite as stored.
    pub fn fields(&mut self, sql: &str, f: &mut FieldsFn<'_>) -> Result<(), StoreError> {
        match self.0 {
            Conn::Sqlite(db) => db.fields(sql, f),
            Conn::Pg(w) => w.copy_fields(sql, f),
        }
    }
}

/// Runs `work` on every county under the area prefix `area` ("" for all), on `workers` threads,
/// each with its own connection (SQLite's own API, or PostgreSQL `COPY`) and its own state from
/// `init`; returns the states, to be merged by the caller. What [`households`] does for one row per
/// household, for any reads of a county (the assistance check's households, members, plans and
/// measures). Blocking, like [`households`].
pub fn counties<S: Send>(
    store: &SqlStore,
    area: &str,
    workers: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &str, &mut CountyReader<'_>) -> Result<(), StoreError> + Sync,
) -> Result<Vec<S>, StoreError> {
    per_county(store, area, workers, init, |state, county, conn| {
        work(state, county, &mut CountyReader(conn))
    })
}

/// The counties under `area`, shared out to `workers` threads as each finishes one.
fn per_county<S: Send>(
    store: &SqlStore,
    area: &str,
    workers: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &str, &mut Conn) -> Result<(), StoreError> + Sync,
) -> Result<Vec<S>, StoreError> {
    let area = digits(area)?;
    let source = Source::of(store);
    // On a thread of its own, as every connection of the scan: the caller may be inside an async
    // runtime, and a PostgreSQL connection of the scan runs one of its own.
    let counties = std::thread::scope(|s| {
        s.spawn(|| Conn::open(&source)?.column(&counties_sql(&area[..area.len().min(6)])))
            .join()
            .expect("counties")
    })?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let run = |conn: &mut Conn| -> Result<S, StoreError> {
        let mut state = init();
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(county) = counties.get(i) else { break };
            if let Err(e) = work(&mut state, county, conn) {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(state)
    };
    let workers = workers.clamp(1, counties.len().max(1));
    let states: Vec<Result<S, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| -> Result<S, StoreError> { run(&mut Conn::open(&source)?) }))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("scan worker"))
            .collect()
    });
    states.into_iter().collect()
}

/// SQLite's own API on a read-only connection: no per-row hand-off between threads. The only
/// `unsafe` code of the store; its interface is safe (a [`raw::Db`] owns its handle, every
/// statement is finalized before the call returns, and borrowed column text does not outlive the
/// row it belongs to).
#[allow(unsafe_code)]
mod raw {
    use super::ScanRow;
    use crate::error::StoreError;
    use libsqlite3_sys as ffi;
    use std::ffi::{CStr, CString};

    pub struct Db(*mut ffi::sqlite3);

    fn error(db: *mut ffi::sqlite3, what: &str) -> StoreError {
        // SAFETY: sqlite3_errmsg returns a valid C string for a (possibly failed) handle.
        let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) };
        StoreError::File(format!("{what}: {}", msg.to_string_lossy()))
    }

    impl Db {
        pub fn open(path: &std::path::Path) -> Result<Db, StoreError> {
            let path = path.to_string_lossy();
            let c = CString::new(path.as_bytes()).map_err(|_| StoreError::Url(path.to_string()))?;
            let mut db = std::ptr::null_mut();
            // SAFETY: c is a valid C string; db receives the handle, closed in Drop (or below).
            let rc = unsafe {
                ffi::sqlite3_open_v2(
                    c.as_ptr(),
                    &mut db,
                    ffi::SQLITE_OPEN_READONLY | ffi::SQLITE_OPEN_NOMUTEX,
                    std::ptr::null(),
                )
            };
            let db = Db(db);
            if rc != ffi::SQLITE_OK {
                return Err(error(db.0, &path));
            }
            // Wait for a writer (or the last connection of another pool checkpointing as it closes)
            // as the store's own connections do.
            // SAFETY: a valid handle.
            unsafe { ffi::sqlite3_busy_timeout(db.0, 30_000) };
            db.each("PRAGMA cache_size = -65536", &mut |_| Ok(()))?;
            Ok(db)
        }

        /// Runs `sql`, handing each row to `f`; the statement is finalized before it returns.
        fn rows(
            &self,
            sql: &str,
            f: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
        ) -> Result<(), StoreError> {
            let c = CString::new(sql).map_err(|_| StoreError::File(sql.to_string()))?;
            let mut stmt = std::ptr::null_mut();
            // SAFETY: a valid handle and C string; the statement is finalized below.
            let rc = unsafe {
                ffi::sqlite3_prepare_v2(self.0, c.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
            };
            if rc != ffi::SQLITE_OK {
                return Err(error(self.0, sql));
            }
            let row = Row(stmt);
            let result = loop {
                // SAFETY: stmt is a prepared statement of this connection.
                match unsafe { ffi::sqlite3_step(stmt) } {
                    ffi::SQLITE_ROW => {
                        if let Err(e) = f(&row) {
                            break Err(e);
                        }
                    }
                    ffi::SQLITE_DONE => break Ok(()),
                    _ => break Err(error(self.0, sql)),
                }
            };
            // SAFETY: finalized once; `row` is not used after this.
            unsafe { ffi::sqlite3_finalize(stmt) };
            result
        }

        /// The first column of every row of `sql`, as text.
        pub fn column(&self, sql: &str) -> Result<Vec<String>, StoreError> {
            let mut out = Vec::new();
            self.rows(sql, &mut |r| {
                out.push(r.text(0).unwrap_or("").to_string());
                Ok(())
            })?;
            Ok(out)
        }

        /// Runs `sql` and hands each row's columns, as text, to `f`.
        pub fn fields(&self, sql: &str, f: &mut super::FieldsFn<'_>) -> Result<(), StoreError> {
            self.rows(sql, &mut |r| {
                let row: Vec<Option<&str>> = (0..r.columns()).map(|i| r.text(i)).collect();
                f(&row)
            })
        }

        /// Runs `sql` and hands each row (read as [`ScanRow`] when it has the scan's columns) to `f`.
        pub fn each(
            &self,
            sql: &str,
            f: &mut dyn FnMut(ScanRow<'_>) -> Result<(), StoreError>,
        ) -> Result<(), StoreError> {
            self.rows(sql, &mut |r| {
                if r.columns() != 9 {
                    return Ok(());
                }
                f(ScanRow {
                    number: r.text(0).unwrap_or(""),
                    area_code: r.text(1).unwrap_or(""),
                    status: r.text(2).unwrap_or(""),
                    housing_grade: r.text(3).unwrap_or(""),
                    food: r.int(4) != 0,
                    clothing: r.int(5) != 0,
                    water: r.int(6) != 0,
                    income: r.text(7),
                    members: r.text(8).unwrap_or(""),
                })
            })
        }
    }

    /// The current row of a running statement, lent to a callback of [`Db::rows`] for one step:
    /// the text it returns borrows the row, so it cannot outlive the step.
    struct Row(*mut ffi::sqlite3_stmt);

    impl Row {
        fn columns(&self) -> i32 {
            // SAFETY: a prepared statement (alive while the row is lent).
            unsafe { ffi::sqlite3_column_count(self.0) }
        }

        fn int(&self, i: i32) -> i64 {
            // SAFETY: as above; an out-of-range column reads as 0.
            unsafe { ffi::sqlite3_column_int64(self.0, i) }
        }

        fn text(&self, i: i32) -> Option<&str> {
            // SAFETY: the pointer is valid until the next step, which cannot come while `self` is
            // borrowed; SQLite returns `n` bytes there.
            unsafe {
                let p = ffi::sqlite3_column_text(self.0, i);
                if p.is_null() {
                    return None;
                }
                let n = ffi::sqlite3_column_bytes(self.0, i) as usize;
                std::str::from_utf8(std::slice::from_raw_parts(p, n)).ok()
            }
        }
    }

    impl Drop for Db {
        fn drop(&mut self) {
            // SAFETY: the handle came from sqlite3_open_v2; every statement is finalized.
            unsafe { ffi::sqlite3_close(self.0) };
        }
    }
}

/// PostgreSQL: each worker thread has its own connection and runtime; rows come as `COPY` text.
mod pg {
    use super::ScanRow;
    use crate::error::StoreError;
    use futures_util::TryStreamExt;
    use sqlx::Connection;

    pub struct Worker {
        rt: tokio::runtime::Runtime,
        conn: sqlx::PgConnection,
    }

    type RowFn<'f> = dyn FnMut(ScanRow<'_>) -> Result<(), StoreError> + 'f;

    fn field(s: &str) -> Option<&str> {
        (s != "\\N").then_some(s)
    }

    fn line(text: &str, f: &mut RowFn<'_>) -> Result<(), StoreError> {
        let c: Vec<&str> = text.split('\t').collect();
        if c.len() != 9 {
            return Err(StoreError::File(format!("COPY row: {text:?}")));
        }
        f(ScanRow {
            number: c[0],
            area_code: c[1],
            status: c[2],
            housing_grade: c[3],
            food: c[4] == "t",
            clothing: c[5] == "t",
            water: c[6] == "t",
            income: field(c[7]),
            members: field(c[8]).unwrap_or(""),
        })
    }

    /// A field of `COPY` text format as its value: backslash escapes undone.
    fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
        if !s.contains('\\') {
            return std::borrow::Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len());
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('v') => out.push('\u{b}'),
                Some(other) => out.push(other),
                None => {}
            }
        }
        std::borrow::Cow::Owned(out)
    }

    impl Worker {
        /// Connects with the options of the store's pool, on a runtime of the worker's own.
        pub fn connect(opts: &sqlx::postgres::PgConnectOptions) -> Result<Worker, StoreError> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::File(e.to_string()))?;
            let conn = rt.block_on(sqlx::PgConnection::connect_with(opts))?;
            Ok(Worker { rt, conn })
        }

        /// The first column of every row of `sql`, as text.
        pub fn column(&mut self, sql: &str) -> Result<Vec<String>, StoreError> {
            let conn = &mut self.conn;
            self.rt.block_on(async move {
                let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(conn).await?;
                Ok(rows.into_iter().map(|(c,)| c).collect())
            })
        }

        /// Streams `COPY (sql) TO STDOUT` to `f` as each line's fields, unescaped (`None` for NULL).
        pub fn copy_fields(
            &mut self,
            sql: &str,
            f: &mut super::FieldsFn<'_>,
        ) -> Result<(), StoreError> {
            self.copy_lines(sql, &mut |text| {
                let owned: Vec<Option<std::borrow::Cow<'_, str>>> =
                    text.split('\t').map(|c| field(c).map(unescape)).collect();
                let row: Vec<Option<&str>> = owned.iter().map(|c| c.as_deref()).collect();
                f(&row)
            })
        }

        /// Streams `COPY (sql) TO STDOUT`, one line at a time, to `f`.
        pub fn copy(&mut self, sql: &str, f: &mut RowFn<'_>) -> Result<(), StoreError> {
            self.copy_lines(sql, &mut |text| line(text, f))
        }

        /// Streams `COPY (sql) TO STDOUT`, one line (without its end) at a time, to `f`.
        fn copy_lines(
            &mut self,
            sql: &str,
            f: &mut dyn FnMut(&str) -> Result<(), StoreError>,
        ) -> Result<(), StoreError> {
            let conn = &mut self.conn;
            self.rt.block_on(async move {
                let mut stream = conn
                    .copy_out_raw(&format!("COPY ({sql}) TO STDOUT"))
                    .await?;
                let mut rest: Vec<u8> = Vec::new();
                while let Some(chunk) = stream.try_next().await? {
                    rest.extend_from_slice(&chunk);
                    let mut start = 0;
                    while let Some(end) = rest[start..].iter().position(|b| *b == b'\n') {
                        let text = std::str::from_utf8(&rest[start..start + end])
                            .map_err(|e| StoreError::File(e.to_string()))?;
                        f(text)?;
                        start += end + 1;
                    }
                    rest.drain(..start);
                }
                Ok(())
            })
        }
    }
}
