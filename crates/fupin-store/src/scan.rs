//! Whole-registry reads for the whole-registry commands (`fupin assess --all`, `fupin simulate`):
//! every area with its name and rural population in one query. The households themselves stream
//! through [`crate::Repository::export`] in constant memory.

use crate::error::StoreError;
use crate::model::Area;
use sqlx::Row;
use std::str::FromStr;

const AREAS: &str =
    "SELECT code, name, level, parent, region, rural_population FROM area ORDER BY code";

/// Every area of the registry at `url` (`sqlite:PATH` or `postgres://...`), by code.
pub async fn all_areas(url: &str) -> Result<Vec<Area>, StoreError> {
    macro_rules! read {
        ($pool:expr) => {{
            let pool = $pool;
            let rows = sqlx::query(AREAS).fetch_all(&pool).await?;
            pool.close().await;
            rows.iter()
                .map(|r| {
                    crate::areas::area_of((
                        r.try_get("code")?,
                        r.try_get("name")?,
                        r.try_get("level")?,
                        r.try_get("parent")?,
                        r.try_get("region")?,
                        r.try_get("rural_population")?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()
        }};
    }
    if url.starts_with("sqlite:") {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .map_err(|_| StoreError::Url(url.to_string()))?
            .read_only(true);
        read!(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(opts)
                .await?
        )
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        read!(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await?
        )
    } else {
        Err(StoreError::Url(url.to_string()))
    }
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
    (after.members.len() as i64, members, income)
}

/// Runs a scan query, handing each row to the callback.
type Query<'q> = dyn FnMut(&str, &mut dyn FnMut(ScanRow<'_>) -> Result<(), StoreError>) -> Result<(), StoreError>
    + 'q;

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

/// Counties under an area prefix, from the registered areas (every household's area has its
/// ancestors registered).
fn counties(areas: &[Area], area: &str) -> Vec<String> {
    let mut out: Vec<String> = areas
        .iter()
        .filter(|a| a.code.len() >= 6 && a.code.starts_with(&area[..area.len().min(6)]))
        .map(|a| a.code[..6].to_string())
        .collect();
    out.sort();
    out.dedup();
    out
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

/// Streams every household under the area prefix `area` ("" for all) as the rules see it to
/// `visit`, county by county on `workers` threads, each with its own connection and its own state
/// from `init`; returns the states (to be merged by the caller) and the number of households.
/// Reads one row per household (the rule facts of migration 4): on SQLite through SQLite's own
/// API, on PostgreSQL as `COPY ... TO STDOUT`. Only the columns the exit check and monitoring use
/// are read (no names, phones or accounts).
pub fn households<S: Send>(
    url: &str,
    area: &str,
    workers: usize,
    init: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, &fupin_core::model::Household) -> Result<(), String> + Sync,
) -> Result<(Vec<S>, u64), StoreError> {
    let area = digits(area)?;
    let (lo, hi) = (format!("{area:0<12}"), format!("{area:9<12}"));
    // On a thread of its own: the caller may be inside an async runtime.
    let areas = std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::File(e.to_string()))?
                .block_on(all_areas(url))
        })
        .join()
        .expect("areas")
    })?;
    let counties = counties(&areas, area);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failure: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let total = std::sync::atomic::AtomicU64::new(0);
    let work = |conn: &mut Query<'_>| -> Result<S, StoreError> {
        let mut state = init();
        let mut n = 0u64;
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(county) = counties.get(i) else { break };
            if failure.lock().expect("failure").is_some() {
                break;
            }
            let sql = format!(
                "SELECT {SCAN_COLUMNS} FROM household WHERE county = '{county}' AND area_code BETWEEN '{lo}' AND '{hi}'"
            );
            conn(&sql, &mut |row| {
                if let Some(h) = row.decode()? {
                    visit(&mut state, &h).map_err(|e| {
                        *failure.lock().expect("failure") = Some(e.clone());
                        StoreError::File(e)
                    })?;
                    n += 1;
                }
                Ok(())
            })?;
        }
        total.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        Ok(state)
    };
    let workers = workers.clamp(1, counties.len().max(1));
    let states: Vec<Result<S, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<S, StoreError> {
                    if let Some(path) = url.strip_prefix("sqlite:") {
                        let path = path.trim_start_matches("//");
                        let path = path.split('?').next().unwrap_or(path);
                        let db = raw::Db::open(path)?;
                        work(&mut |sql, f| db.each(sql, f))
                    } else {
                        let mut w = pg::Worker::connect(url)?;
                        work(&mut |sql, f| w.copy(sql, f))
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("scan worker"))
            .collect()
    });
    if let Some(e) = failure.lock().expect("failure").take() {
        return Err(StoreError::File(e));
    }
    let states = states.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok((states, total.load(std::sync::atomic::Ordering::Relaxed)))
}

/// SQLite's own API on a read-only connection: no per-row hand-off between threads.
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
        pub fn open(path: &str) -> Result<Db, StoreError> {
            let c = CString::new(path).map_err(|_| StoreError::Url(path.to_string()))?;
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
                return Err(error(db.0, path));
            }
            // Wait for a writer (or the last connection of another pool checkpointing as it closes)
            // as the store's own connections do.
            // SAFETY: a valid handle.
            unsafe { ffi::sqlite3_busy_timeout(db.0, 30_000) };
            db.each("PRAGMA cache_size = -65536", &mut |_| Ok(()))?;
            Ok(db)
        }

        fn text(stmt: *mut ffi::sqlite3_stmt, i: i32) -> Option<&'static str> {
            // SAFETY: the pointer is valid until the next step; callers use it only within the row.
            unsafe {
                let p = ffi::sqlite3_column_text(stmt, i);
                if p.is_null() {
                    return None;
                }
                let n = ffi::sqlite3_column_bytes(stmt, i) as usize;
                std::str::from_utf8(std::slice::from_raw_parts(p, n)).ok()
            }
        }

        /// Runs `sql` and hands each row (read as [`ScanRow`] when it has the scan's columns) to `f`.
        pub fn each(
            &self,
            sql: &str,
            f: &mut dyn FnMut(ScanRow<'_>) -> Result<(), StoreError>,
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
            let columns = unsafe { ffi::sqlite3_column_count(stmt) };
            let result = loop {
                // SAFETY: stmt is a prepared statement of this connection.
                match unsafe { ffi::sqlite3_step(stmt) } {
                    ffi::SQLITE_ROW if columns == 9 => {
                        let t = |i| Self::text(stmt, i);
                        let b = |i| unsafe { ffi::sqlite3_column_int64(stmt, i) } != 0;
                        let row = ScanRow {
                            number: t(0).unwrap_or(""),
                            area_code: t(1).unwrap_or(""),
                            status: t(2).unwrap_or(""),
                            housing_grade: t(3).unwrap_or(""),
                            food: b(4),
                            clothing: b(5),
                            water: b(6),
                            income: t(7),
                            members: t(8).unwrap_or(""),
                        };
                        if let Err(e) = f(row) {
                            break Err(e);
                        }
                    }
                    ffi::SQLITE_ROW => {}
                    ffi::SQLITE_DONE => break Ok(()),
                    _ => break Err(error(self.0, sql)),
                }
            };
            // SAFETY: finalized once.
            unsafe { ffi::sqlite3_finalize(stmt) };
            result
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

    impl Worker {
        pub fn connect(url: &str) -> Result<Worker, StoreError> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::File(e.to_string()))?;
            let conn = rt.block_on(sqlx::PgConnection::connect(url))?;
            Ok(Worker { rt, conn })
        }

        /// Streams `COPY (sql) TO STDOUT`, one line at a time, to `f`.
        pub fn copy(&mut self, sql: &str, f: &mut RowFn<'_>) -> Result<(), StoreError> {
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
                        line(text, f)?;
                        start += end + 1;
                    }
                    rest.drain(..start);
                }
                Ok(())
            })
        }
    }
}
