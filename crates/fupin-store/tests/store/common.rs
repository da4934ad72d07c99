//! Test helpers: a repository on each backend, and a synthetic county file.

use chrono::NaiveDate;
use fupin_store::file::{import_read, read_file, COLUMNS};
use fupin_store::{open, open_postgres_fresh_schema, ImportOptions, ImportOutcome, Repository};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

/// The built-in policy, which every write of these tests is judged with.
pub fn policy() -> Arc<fupin_core::PolicySet> {
    Arc::new(fupin_core::PolicySet::builtin())
}

/// How a test imports: on `date`, by `actor`, under the built-in policy.
pub fn options(date: NaiveDate, actor: &str) -> ImportOptions {
    ImportOptions::new(date, actor, policy())
}

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
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

/// An 18-character ID number with a correct check character.
pub fn id(birth: NaiveDate, seq: usize) -> String {
    let first17 = format!("140525{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let c = fupin_core::id::check_char(first17.as_bytes());
    format!("{first17}{c}")
}

pub type Row = BTreeMap<&'static str, String>;

/// The household number of the i-th household (1-based).
pub fn hh(i: usize) -> String {
    format!("H{i:05}")
}

/// A county file of `n` poor households with three members each (head, spouse, a child at primary
/// school), every exit check passing: wage 15000 for three people.
pub fn county(n: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for i in 1..=n {
        let day = chrono::Duration::days((i / 1000) as i64);
        let people = [
            (
                "户主",
                "张",
                d("1970-01-01") + day,
                "普通劳动力",
                "非在校生",
            ),
            (
                "配偶",
                "李",
                d("1972-03-01") + day,
                "普通劳动力",
                "非在校生",
            ),
            ("子女", "张小", d("2009-09-01") + day, "无劳动力", "小学"),
        ];
        for (rel, surname, birth, labor, school) in people {
            let mut r = Row::new();
            for (k, v) in [
                ("household_number", hh(i)),
                ("area_code", format!("1405251002{:02}", 1 + i % 10)),
                ("village_group", format!("{}组", 1 + i % 5)),
                ("status", "未脱贫".into()),
                ("attribute", "一般贫困户".into()),
                ("main_cause", "因病".into()),
                ("secondary_causes", "缺技术、缺资金".into()),
                ("housing_grade", "B".into()),
                ("food", "是".into()),
                ("clothing", "是".into()),
                ("water", "是".into()),
                ("income_year", "2019".into()),
                ("wage", "15000.00".into()),
                ("business", "1200.50".into()),
                ("property", "0.00".into()),
                ("transfer", "600.00".into()),
                ("business_cost", "300.00".into()),
                ("medical_expense", "0.00".into()),
                ("education_expense", "0.00".into()),
                ("disaster_loss", "0.00".into()),
                ("other_expense", "0.00".into()),
                ("phone", format!("139{i:08}")),
                ("id_number", id(birth, i)),
                ("name", format!("{surname}{i}")),
                ("relation", rel.into()),
                ("labor", labor.into()),
                ("health", "健康".into()),
                ("school_status", school.into()),
                ("medical_insurance", "是".into()),
                ("pension_insurance", "是".into()),
            ] {
                r.insert(k, v);
            }
            rows.push(r);
        }
    }
    rows
}

/// The rows of household `i`.
pub fn rows_of(rows: &mut [Row], i: usize) -> impl Iterator<Item = &mut Row> {
    let n = hh(i);
    rows.iter_mut().filter(move |r| r["household_number"] == n)
}

/// Sets a field on every row of household `i`.
pub fn set(rows: &mut [Row], i: usize, key: &'static str, value: &str) {
    for r in rows_of(rows, i) {
        r.insert(key, value.to_string());
    }
}

/// Writes rows as CSV with Chinese (or English) headers.
pub fn write_csv(path: &std::path::Path, rows: &[Row], chinese: bool) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(COLUMNS.iter().map(|c| if chinese { c.zh } else { c.key }))
        .unwrap();
    for r in rows {
        w.write_record(
            COLUMNS
                .iter()
                .map(|c| r.get(c.key).map_or("", |s| s.as_str())),
        )
        .unwrap();
    }
    w.flush().unwrap();
}
