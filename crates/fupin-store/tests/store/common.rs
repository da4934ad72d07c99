//! Test helpers: a repository on each backend, and a synthetic county file.

pub use crate::county::*;
use fupin_sheet::read_file;
use fupin_store::{
    open, open_postgres_fresh_schema, ImportOptions, ImportOutcome, Repository, StoreError,
};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

/// The built-in policy, which every write of these tests is judged with.
pub fn policy() -> Arc<fupin_core::PolicySet> {
    Arc::new(fupin_core::PolicySet::builtin())
}

/// How a test imports: on `date`, by `actor`, under the built-in policy.
pub fn options(date: chrono::NaiveDate, actor: &str) -> ImportOptions {
    ImportOptions::new(date, actor, policy())
}

/// Runs `f` on a fresh SQLite database, then on a fresh PostgreSQL schema named after the test.
pub fn on_both<F, Fut>(name: &str, f: F)
where
    F: Fn(Arc<dyn Repository>, std::path::PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("registry.db").display());
        let repo = open(&url).await.expect("open sqlite");
        eprintln!("{name}: SQLite");
        f(repo, dir.path().to_path_buf()).await;
        if let Some(repo) = postgres(name).await {
            let dir = tempfile::tempdir().unwrap();
            eprintln!("{name}: PostgreSQL");
            f(repo, dir.path().to_path_buf()).await;
        }
    });
}

/// Runs a future to completion on a fresh single-threaded runtime.
pub fn block_on<T>(f: impl Future<Output = T>) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(f)
}

/// The current status code of a stored household.
pub async fn status_of(repo: &Arc<dyn Repository>, number: &str) -> String {
    repo.household(number)
        .await
        .unwrap()
        .expect("stored")
        .status
        .to_string()
}

/// A fresh PostgreSQL schema named after the test, when `DATABASE_URL` is set (required when
/// `FUPIN_REQUIRE_PG` is, as `scripts/with-postgres.sh` sets it).
pub async fn postgres(name: &str) -> Option<Arc<dyn Repository>> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("t_{name}_{}", std::process::id());
            Some(
                open_postgres_fresh_schema(&url, &schema)
                    .await
                    .expect("open postgres"),
            )
        }
        _ if std::env::var("FUPIN_REQUIRE_PG").is_ok() => panic!("DATABASE_URL is required"),
        _ => {
            eprintln!("{name}: PostgreSQL skipped (DATABASE_URL unset; run under scripts/with-postgres.sh)");
            None
        }
    }
}

/// Reads and imports a file with the effective date `date`, as the import command does.
pub async fn import_file(repo: &dyn Repository, path: &Path, date: &str) -> ImportOutcome {
    let read = read_file(path, d(date)).unwrap();
    import_read(repo, read, &options(d(date), "县扶贫办"))
        .await
        .unwrap()
}

/// Imports what was read, all or nothing unless partial, as the import command does.
pub async fn import_read(
    repo: &dyn Repository,
    read: fupin_sheet::ReadOutcome,
    opts: &ImportOptions,
) -> Result<ImportOutcome, StoreError> {
    let (households, areas, file_errors) = read.into_import(opts.partial);
    let mut run = opts.clone();
    run.dry_run |= file_errors.blocks();
    let mut out = repo.import_with_areas(households, areas, &run).await?;
    file_errors.merge_into(&mut out.errors, &mut out.skipped, &mut out.committed);
    Ok(out)
}

/// Writes rows as a CSV file named `name` in `dir` (Chinese headers) and imports it.
pub async fn import_rows(
    repo: &dyn Repository,
    dir: &Path,
    name: &str,
    rows: &[Row],
    date: &str,
) -> ImportOutcome {
    let path = dir.join(name);
    write_csv(&path, rows, true);
    import_file(repo, &path, date).await
}
