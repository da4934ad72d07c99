//! One SQL API over both backends, so that every statement of the store is written once, in plain
//! Rust, and still runs with each backend's native types (PostgreSQL `DATE`, `TIMESTAMPTZ`, `JSONB`;
//! SQLite text and integers) — which sqlx's `Any` driver cannot do.
//!
//! [`Db`] is a pool of either backend; [`Tx`] a transaction; [`Conn`] a borrowed connection (of a
//! transaction or a pooled connection). A [`Query`] is made for one backend ([`Conn::query`],
//! [`Db::query`]), takes values that both backends can encode ([`Bind`]), and runs on anything that
//! converts into an [`Exec`]. Rows come back as [`Row`], read with values both can decode ([`Get`]).
//! Placeholders are `$1`, `$2`, ..., which both backends accept.
//!
//! **Writes.** [`Db::begin`] starts a write transaction. On SQLite it first takes the pool's
//! writer lock (one write transaction at a time in this process, first come first served) and then
//! runs `BEGIN IMMEDIATE`, so the transaction holds the database's write lock from its first
//! statement: a deferred `BEGIN` that read first and wrote later would fail with "database is
//! locked" (`SQLITE_BUSY_SNAPSHOT`, which no busy timeout retries) when another connection wrote
//! in between. Another process (a `fupin import` while the server writes) waits its turn through the
//! busy timeout of every connection, tried again up to [`WRITE_WAIT`] in all. Reads take no lock:
//! they run on the pool or on [`Db::acquire`]d connections and never write. Committing a write transaction seals its audit
//! entries into the chain first ([`crate::audit::seal`]). [`Db::begin_alone`] (a first import from
//! the command line) writes through a rollback journal instead of the WAL when the file has no
//! other connection.

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Arguments, ColumnIndex, Decode, Encode, Type};

/// The database behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A value both backends can bind.
pub trait Bind<'q>:
    Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send + 'q
{
}
impl<'q, T> Bind<'q> for T where
    T: Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send + 'q
{
}

/// A value both backends can decode from a column.
pub trait Get<'r>:
    Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres>
{
}
impl<'r, T> Get<'r> for T where
    T: Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres>
{
}

/// A column index (name or position) for both backends' rows.
pub trait Col: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> {}
impl<I: ColumnIndex<SqliteRow> + ColumnIndex<PgRow>> Col for I {}

/// A row type both backends can build from a row (tuples of [`Get`] values).
pub trait FromRow:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> FromRow for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

/// A connection pool of either backend; SQLite's with its writer lock (shared by the pool's clones).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, WriterLock),
    Pg(PgPool),
}

/// How long a SQLite write waits, in all, for another process's write transaction before it fails.
pub const WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// SQLite's "database is locked" (`SQLITE_BUSY` and its extended codes).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == 5),
        _ => false,
    }
}

/// One SQLite write transaction at a time per pool (see the module documentation).
pub type WriterLock = std::sync::Arc<tokio::sync::Mutex<()>>;

/// A transaction of either backend. A SQLite one holds the pool's writer lock until it ends.
pub enum Tx {
    Sqlite(
        sqlx::Transaction<'static, Sqlite>,
        Option<tokio::sync::OwnedMutexGuard<()>>,
    ),
    /// A SQLite transaction through a rollback journal ([`Db::begin_alone`]).
    SqliteAlone(Alone),
    Pg(sqlx::Transaction<'static, Postgres>),
}

/// A SQLite write transaction on a connection that has the database file alone, written through a
/// rollback journal; the WAL is put back when it ends ([`Db::begin_alone`]). Begun, committed and
/// rolled back by sqlx's own transaction manager, as [`sqlx::Transaction`] does, but keeping the
/// connection for the settings after it. Dropped open (an error on the way), it is rolled back and
/// the connection closed, not handed back to the pool with the settings of the transaction: the
/// pool's next connection puts the WAL back as it connects.
pub struct Alone {
    conn: sqlx::pool::PoolConnection<Sqlite>,
    open: bool,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

type SqliteTransactions = <Sqlite as sqlx::Database>::TransactionManager;

impl Drop for Alone {
    fn drop(&mut self) {
        if self.open {
            <SqliteTransactions as sqlx::TransactionManager>::start_rollback(&mut self.conn);
            self.conn.close_on_drop();
        }
    }
}

impl Alone {
    /// Ends the transaction (committed or rolled back), then puts back the connection's WAL and
    /// its synchronous setting (best effort: see below).
    async fn end(mut self, commit: bool) -> Result<(), sqlx::Error> {
        use sqlx::TransactionManager;
        if commit {
            SqliteTransactions::commit(&mut self.conn).await?;
        } else {
            SqliteTransactions::rollback(&mut self.conn).await?;
        }
        self.open = false;
        if journal_put_back(&mut self.conn).await.is_err() {
            // The transaction has ended either way (a committed import must not be reported as
            // failed): the connection is closed rather than reused with its settings, and the
            // pool's next connection puts the WAL back as it connects.
            self.conn.close_on_drop();
        }
        Ok(())
    }
}

/// Puts back the settings of [`crate::store`]'s SQLite connections that [`Db::begin_alone`]
/// changes.
async fn journal_put_back(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    for sql in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"] {
        Query::new(Backend::Sqlite, sql)
            .execute(Exec::Sqlite(&mut *conn))
            .await?;
    }
    Ok(())
}

/// A connection held from the pool.
pub enum PoolConn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Pg(sqlx::pool::PoolConnection<Postgres>),
}

/// A borrowed connection (of a transaction or a pooled connection).
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Pg(&'c mut PgConnection),
}

/// Where a query runs: a pool or a connection.
pub enum Exec<'e> {
    SqlitePool(&'e SqlitePool),
    PgPool(&'e PgPool),
    Sqlite(&'e mut SqliteConnection),
    Pg(&'e mut PgConnection),
}

impl Db {
    /// A SQLite pool with a writer lock of its own.
    pub fn sqlite(pool: SqlitePool) -> Db {
        Db::Sqlite(pool, WriterLock::default())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// A query for this database's backend.
    pub fn query<'q>(&self, sql: &'q str) -> Query<'q> {
        Query::new(self.backend(), sql)
    }

    /// Starts a write transaction: on SQLite, after taking the writer lock, with
    /// `BEGIN IMMEDIATE` (see the module documentation).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p, lock) => {
                let guard = lock.clone().lock_owned().await;
                Tx::Sqlite(begin_sqlite(p).await?, Some(guard))
            }
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    /// Starts a write transaction as [`Db::begin`] does; on SQLite, when the database file has no
    /// other connection open (this pool's idle ones are closed first), through a rollback journal
    /// instead of the WAL, until the transaction ends (then the file is in WAL mode again). A first
    /// import into an empty registry then writes each page once, into the file, where the WAL
    /// takes every page and copies it into the file again at the checkpoint (docs/PERFORMANCE.md,
    /// "Import"). The switch is not waited for: with another connection open (a server's, another
    /// process's) the transaction is an ordinary one, in the WAL. While it runs, no other
    /// connection can open the file (the pool's connections switch it to WAL when they connect):
    /// they wait for it through their busy timeout, and fail after it.
    pub async fn begin_alone(&self) -> Result<Tx, sqlx::Error> {
        let Db::Sqlite(p, lock) = self else {
            return self.begin().await;
        };
        let guard = lock.clone().lock_owned().await;
        let mut conn = p.acquire().await?;
        // In WAL mode a connection holds the file open with a shared lock even when idle: the
        // pool's others are closed, those still being handed back (asynchronously) when they come.
        for _ in 0..50 {
            while let Some(idle) = p.try_acquire() {
                idle.close().await?;
            }
            if p.size() <= 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let sql = |sql| Query::new(Backend::Sqlite, sql);
        sql("PRAGMA busy_timeout = 0")
            .execute(Exec::Sqlite(&mut conn))
            .await?;
        let mode = sql("PRAGMA journal_mode = DELETE")
            .scalar::<String>(Exec::Sqlite(&mut conn))
            .await;
        let busy = format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis());
        sql(&busy).execute(Exec::Sqlite(&mut conn)).await?;
        let switched = match mode {
            Ok(mode) => mode.is_some_and(|m| m.eq_ignore_ascii_case("delete")),
            Err(e) if is_busy(&e) => false,
            Err(e) => return Err(e),
        };
        if !switched {
            // An ordinary transaction, in the WAL, on whichever connection the pool gives.
            drop(conn);
            return Ok(Tx::Sqlite(begin_sqlite(p).await?, Some(guard)));
        }
        // With a rollback journal, a power failure during a commit with `NORMAL` can corrupt
        // the file on some file systems (SQLite's documentation): the full syncs while it lasts.
        sql("PRAGMA synchronous = FULL")
            .execute(Exec::Sqlite(&mut conn))
            .await?;
        use sqlx::TransactionManager;
        if let Err(e) = SqliteTransactions::begin(&mut conn, Some("BEGIN IMMEDIATE".into())).await {
            journal_put_back(&mut conn).await?;
            return Err(e);
        }
        Ok(Tx::SqliteAlone(Alone {
            conn,
            open: true,
            _guard: guard,
        }))
    }

    /// A pooled connection, for reads.
    pub async fn acquire(&self) -> Result<PoolConn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p, _) => PoolConn::Sqlite(p.acquire().await?),
            Db::Pg(p) => PoolConn::Pg(p.acquire().await?),
        })
    }

    /// Runs a script of several statements without parameters (migrations).
    pub async fn raw(&self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite(p, _) => sqlx::raw_sql(sql).execute(p).await.map(drop),
            Db::Pg(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
        }
    }
}

/// `BEGIN IMMEDIATE` on a connection of the pool. Each attempt waits the busy timeout for another
/// process's write (an import); nothing is done before BEGIN succeeds, so trying again is safe.
async fn begin_sqlite(p: &SqlitePool) -> Result<sqlx::Transaction<'static, Sqlite>, sqlx::Error> {
    let started = std::time::Instant::now();
    loop {
        match p.begin_with("BEGIN IMMEDIATE").await {
            Err(e) if is_busy(&e) && started.elapsed() < WRITE_WAIT => continue,
            other => return other,
        }
    }
}

/// The busy timeout of the store's SQLite connections ([`crate::store`]).
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t, _) => Conn::Sqlite(t),
            Tx::SqliteAlone(a) => Conn::Sqlite(&mut a.conn),
            Tx::Pg(t) => Conn::Pg(t),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) | Tx::SqliteAlone(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }

    pub fn query<'q>(&self, sql: &'q str) -> Query<'q> {
        Query::new(self.backend(), sql)
    }

    /// Seals the transaction's audit entries into the chain ([`crate::audit::seal`]), then commits.
    pub async fn commit(mut self) -> Result<(), crate::error::StoreError> {
        crate::audit::seal(&mut self.conn()).await?;
        Ok(self.commit_unsealed().await?)
    }

    /// Commits without sealing the audit entries (the migrations, which run before the chain's
    /// columns exist; [`crate::audit::seal`] chains what they leave at the next write).
    pub async fn commit_unsealed(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t, _) => t.commit().await,
            Tx::SqliteAlone(a) => a.end(true).await,
            Tx::Pg(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t, _) => t.rollback().await,
            Tx::SqliteAlone(a) => a.end(false).await,
            Tx::Pg(t) => t.rollback().await,
        }
    }
}

impl PoolConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PoolConn::Sqlite(c) => Conn::Sqlite(c),
            PoolConn::Pg(c) => Conn::Pg(c),
        }
    }
}

impl Conn<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        }
    }

    pub fn query<'q>(&self, sql: &'q str) -> Query<'q> {
        Query::new(self.backend(), sql)
    }

    /// Runs a script of several statements without parameters.
    pub async fn raw(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            Conn::Sqlite(c) => sqlx::raw_sql(sql).execute(&mut **c).await.map(drop),
            Conn::Pg(c) => sqlx::raw_sql(sql).execute(&mut **c).await.map(drop),
        }
    }
}

impl<'c> From<&'c mut SqliteConnection> for Conn<'c> {
    fn from(c: &'c mut SqliteConnection) -> Conn<'c> {
        Conn::Sqlite(c)
    }
}

impl<'c> From<&'c mut PgConnection> for Conn<'c> {
    fn from(c: &'c mut PgConnection) -> Conn<'c> {
        Conn::Pg(c)
    }
}

impl<'e> From<&'e Db> for Exec<'e> {
    fn from(db: &'e Db) -> Exec<'e> {
        match db {
            Db::Sqlite(p, _) => Exec::SqlitePool(p),
            Db::Pg(p) => Exec::PgPool(p),
        }
    }
}

impl<'e> From<&'e mut Tx> for Exec<'e> {
    fn from(tx: &'e mut Tx) -> Exec<'e> {
        match tx {
            Tx::Sqlite(t, _) => Exec::Sqlite(t),
            Tx::SqliteAlone(a) => Exec::Sqlite(&mut a.conn),
            Tx::Pg(t) => Exec::Pg(t),
        }
    }
}

impl<'e> From<&'e mut PoolConn> for Exec<'e> {
    fn from(c: &'e mut PoolConn) -> Exec<'e> {
        match c {
            PoolConn::Sqlite(c) => Exec::Sqlite(c),
            PoolConn::Pg(c) => Exec::Pg(c),
        }
    }
}

impl<'e, 'c: 'e> From<&'e mut Conn<'c>> for Exec<'e> {
    fn from(c: &'e mut Conn<'c>) -> Exec<'e> {
        match c {
            Conn::Sqlite(c) => Exec::Sqlite(c),
            Conn::Pg(c) => Exec::Pg(c),
        }
    }
}

enum Args<'q> {
    Sqlite(SqliteArguments<'q>),
    Pg(PgArguments),
}

/// A statement with its bound values, for one backend.
pub struct Query<'q> {
    sql: &'q str,
    args: Args<'q>,
    /// The first value that could not be encoded; reported when the query runs.
    bad: Option<sqlx::error::BoxDynError>,
    /// PostgreSQL: kept as a prepared statement of the connection (false: [`Query::once`]).
    persistent: bool,
}

/// A row of either backend.
pub enum Row {
    Sqlite(SqliteRow),
    Pg(PgRow),
}

impl Row {
    pub fn try_get<'r, T: Get<'r>, I: Col>(&'r self, index: I) -> Result<T, sqlx::Error> {
        use sqlx::Row as _;
        match self {
            Row::Sqlite(r) => r.try_get(index),
            Row::Pg(r) => r.try_get(index),
        }
    }
}

fn mismatch() -> sqlx::Error {
    sqlx::Error::Protocol("query made for one backend run on the other".into())
}

impl<'q> Query<'q> {
    pub fn new(backend: Backend, sql: &'q str) -> Query<'q> {
        let args = match backend {
            Backend::Sqlite => Args::Sqlite(SqliteArguments::default()),
            Backend::Postgres => Args::Pg(PgArguments::default()),
        };
        Query {
            sql,
            args,
            bad: None,
            persistent: true,
        }
    }

    /// On PostgreSQL, planned for its values each time it runs (an unnamed statement, not kept
    /// prepared): a kept one falls back after five runs to a generic plan, chosen by the
    /// statistics of before a transaction that may have grown its tables since (an import's
    /// lookups; docs/PERFORMANCE.md "Import"). SQLite keeps its statements either way.
    pub fn once(mut self) -> Query<'q> {
        self.persistent = false;
        self
    }

    /// Binds the next `$n`.
    pub fn bind<T: Bind<'q>>(mut self, value: T) -> Query<'q> {
        self.push(value);
        self
    }

    /// Binds the next `$n` in place.
    pub fn push<T: Bind<'q>>(&mut self, value: T) {
        let r = match &mut self.args {
            Args::Sqlite(a) => a.add(value),
            Args::Pg(a) => a.add(value),
        };
        if let (Err(e), None) = (r, &self.bad) {
            self.bad = Some(e);
        }
    }

    fn check(&mut self) -> Result<(), sqlx::Error> {
        match self.bad.take() {
            Some(e) => Err(sqlx::Error::Encode(e)),
            None => Ok(()),
        }
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute<'e>(mut self, e: impl Into<Exec<'e>>) -> Result<u64, sqlx::Error> {
        self.check()?;
        let sql = self.sql;
        let persistent = self.persistent;
        Ok(match (e.into(), self.args) {
            (Exec::SqlitePool(p), Args::Sqlite(a)) => {
                sqlx::query_with(sql, a).execute(p).await?.rows_affected()
            }
            (Exec::Sqlite(c), Args::Sqlite(a)) => {
                sqlx::query_with(sql, a).execute(c).await?.rows_affected()
            }
            (Exec::PgPool(p), Args::Pg(a)) => sqlx::query_with(sql, a)
                .persistent(persistent)
                .execute(p)
                .await?
                .rows_affected(),
            (Exec::Pg(c), Args::Pg(a)) => sqlx::query_with(sql, a)
                .persistent(persistent)
                .execute(c)
                .await?
                .rows_affected(),
            _ => return Err(mismatch()),
        })
    }

    pub async fn fetch_all<'e>(mut self, e: impl Into<Exec<'e>>) -> Result<Vec<Row>, sqlx::Error> {
        self.check()?;
        let sql = self.sql;
        let persistent = self.persistent;
        Ok(match (e.into(), self.args) {
            (Exec::SqlitePool(p), Args::Sqlite(a)) => {
                rows(sqlx::query_with(sql, a).fetch_all(p).await?, Row::Sqlite)
            }
            (Exec::Sqlite(c), Args::Sqlite(a)) => {
                rows(sqlx::query_with(sql, a).fetch_all(c).await?, Row::Sqlite)
            }
            (Exec::PgPool(p), Args::Pg(a)) => rows(
                sqlx::query_with(sql, a)
                    .persistent(persistent)
                    .fetch_all(p)
                    .await?,
                Row::Pg,
            ),
            (Exec::Pg(c), Args::Pg(a)) => rows(
                sqlx::query_with(sql, a)
                    .persistent(persistent)
                    .fetch_all(c)
                    .await?,
                Row::Pg,
            ),
            _ => return Err(mismatch()),
        })
    }

    pub async fn fetch_optional<'e>(
        mut self,
        e: impl Into<Exec<'e>>,
    ) -> Result<Option<Row>, sqlx::Error> {
        self.check()?;
        let sql = self.sql;
        let persistent = self.persistent;
        Ok(match (e.into(), self.args) {
            (Exec::SqlitePool(p), Args::Sqlite(a)) => sqlx::query_with(sql, a)
                .fetch_optional(p)
                .await?
                .map(Row::Sqlite),
            (Exec::Sqlite(c), Args::Sqlite(a)) => sqlx::query_with(sql, a)
                .fetch_optional(c)
                .await?
                .map(Row::Sqlite),
            (Exec::PgPool(p), Args::Pg(a)) => sqlx::query_with(sql, a)
                .persistent(persistent)
                .fetch_optional(p)
                .await?
                .map(Row::Pg),
            (Exec::Pg(c), Args::Pg(a)) => sqlx::query_with(sql, a)
                .persistent(persistent)
                .fetch_optional(c)
                .await?
                .map(Row::Pg),
            _ => return Err(mismatch()),
        })
    }

    pub async fn fetch_one<'e>(self, e: impl Into<Exec<'e>>) -> Result<Row, sqlx::Error> {
        self.fetch_optional(e)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of the first row, if any.
    pub async fn scalar<'e, T>(self, e: impl Into<Exec<'e>>) -> Result<Option<T>, sqlx::Error>
    where
        T: for<'r> Get<'r>,
    {
        match self.fetch_optional(e).await? {
            Some(r) => Ok(Some(r.try_get(0)?)),
            None => Ok(None),
        }
    }

    /// Every row as a tuple (or another [`FromRow`] type).
    pub async fn fetch_all_as<'e, T: FromRow>(
        self,
        e: impl Into<Exec<'e>>,
    ) -> Result<Vec<T>, sqlx::Error> {
        let mut out = Vec::new();
        for r in self.fetch_all(e).await? {
            out.push(match &r {
                Row::Sqlite(r) => T::from_row(r)?,
                Row::Pg(r) => T::from_row(r)?,
            });
        }
        Ok(out)
    }

    /// The first column of every row.
    pub async fn fetch_all_scalar<'e, T>(
        self,
        e: impl Into<Exec<'e>>,
    ) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> Get<'r>,
    {
        self.fetch_all(e)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect()
    }

    /// The rows as a stream, in constant memory.
    pub fn fetch<'e>(self, e: impl Into<Exec<'e>>) -> BoxStream<'e, Result<Row, sqlx::Error>>
    where
        'q: 'e,
    {
        let Query {
            sql,
            args,
            bad,
            persistent,
        } = self;
        if let Some(b) = bad {
            return futures_util::stream::once(async move { Err(sqlx::Error::Encode(b)) }).boxed();
        }
        match (e.into(), args) {
            (Exec::SqlitePool(p), Args::Sqlite(a)) => sqlx::query_with(sql, a)
                .fetch(p)
                .map_ok(Row::Sqlite)
                .boxed(),
            (Exec::Sqlite(c), Args::Sqlite(a)) => sqlx::query_with(sql, a)
                .fetch(c)
                .map_ok(Row::Sqlite)
                .boxed(),
            (Exec::PgPool(p), Args::Pg(a)) => sqlx::query_with(sql, a)
                .persistent(persistent)
                .fetch(p)
                .map_ok(Row::Pg)
                .boxed(),
            (Exec::Pg(c), Args::Pg(a)) => sqlx::query_with(sql, a)
                .persistent(persistent)
                .fetch(c)
                .map_ok(Row::Pg)
                .boxed(),
            _ => futures_util::stream::once(async { Err(mismatch()) }).boxed(),
        }
    }
}

fn rows<R>(v: Vec<R>, f: fn(R) -> Row) -> Vec<Row> {
    v.into_iter().map(f).collect()
}

/// `$from, $from+1, ...` (n placeholders), for `IN (...)` lists.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `n` placeholders for an `IN (...)` list that holds ALL the statement's parameters, bound in
/// order: anonymous `?` on SQLite (as [`values`]: binding thousands of `$n` there is quadratic),
/// `$1 … $n` on PostgreSQL.
pub fn in_list(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => {
            let mut s = "?, ".repeat(n);
            s.truncate(s.len().saturating_sub(2));
            s
        }
        Backend::Postgres => placeholders(1, n),
    }
}

/// `VALUES ($1, ..., $k), ($k+1, ...), ...` for `rows` rows of `cols` values each: a multi-row
/// insert whose values are then bound row by row, in order. The statement must have no other
/// parameters: on SQLite the placeholders are anonymous `?`, because SQLite finds a named one (`$n`)
/// by a linear search of the statement's names, which makes binding a 30,000-value insert
/// quadratic (the store's import was 13 times slower with `$n` here).
pub fn values(backend: Backend, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(8 + rows * cols * 6);
    s.push_str("VALUES ");
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => {
                    s.push('$');
                    s.push_str(&(r * cols + c + 1).to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_numbers_placeholders_row_by_row() {
        assert_eq!(
            values(Backend::Postgres, 2, 3),
            "VALUES ($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(values(Backend::Sqlite, 2, 2), "VALUES (?, ?), (?, ?)");
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
    }

    #[test]
    fn one_statement_runs_on_sqlite_with_native_types() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(sqlite_round_trip());
    }

    /// What a write finds while another process holds the write lock is recognised, so that
    /// `Db::begin` tries again instead of failing.
    #[test]
    fn a_write_lock_held_elsewhere_is_busy() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use sqlx::sqlite::SqliteConnectOptions;
            let file = std::env::temp_dir().join(format!("fupin-busy-{}", std::process::id()));
            let opts = SqliteConnectOptions::new()
                .filename(&file)
                .create_if_missing(true)
                .busy_timeout(std::time::Duration::ZERO);
            let a = SqlitePool::connect_with(opts.clone()).await.unwrap();
            let b = SqlitePool::connect_with(opts).await.unwrap();
            let held = a.begin_with("BEGIN IMMEDIATE").await.unwrap();
            let e = b.begin_with("BEGIN IMMEDIATE").await.unwrap_err();
            assert!(is_busy(&e), "{e}");
            assert!(!is_busy(&sqlx::Error::RowNotFound));
            drop(held);
            let _ = std::fs::remove_file(&file);
        });
    }

    async fn sqlite_round_trip() {
        let db = Db::sqlite(SqlitePool::connect("sqlite::memory:").await.unwrap());
        db.raw("CREATE TABLE t (d TEXT, n BIGINT)").await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2020, 6, 30).unwrap();
        let sql = format!("INSERT INTO t (d, n) {}", values(db.backend(), 2, 2));
        let n = tx
            .query(&sql)
            .bind(d)
            .bind(1_i64)
            .bind(d)
            .bind(Option::<i64>::None)
            .execute(&mut tx)
            .await
            .unwrap();
        assert_eq!(n, 2);
        tx.commit_unsealed().await.unwrap();
        let rows = db
            .query("SELECT d, n FROM t ORDER BY n")
            .fetch_all(&db)
            .await
            .unwrap();
        let first: (chrono::NaiveDate, Option<i64>) =
            (rows[0].try_get("d").unwrap(), rows[0].try_get(1).unwrap());
        assert_eq!(first, (d, None));
        let total: Option<i64> = db
            .query("SELECT SUM(n) FROM t WHERE d = $1")
            .bind(d)
            .scalar(&db)
            .await
            .unwrap();
        assert_eq!(total, Some(1));
    }
}
