//! The registry commands as a county office runs them: template, import (refused, then accepted),
//! a second half-year, the change report, history as of a date, export.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fupin"))
        .current_dir(dir)
        .env_remove("FUPIN_DB")
        .args(args)
        .output()
        .expect("run fupin")
}

pub fn id(birth: &str, seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first17 = format!("140525{birth}{seq:03}");
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!(
        "{first17}{}",
        "10X98765432".as_bytes()[(sum % 11) as usize] as char
    )
}

pub const HEADER: &str = "户编号,行政区划代码,户状态,状态变动原因,住房安全等级,不愁吃,不愁穿,饮水安全,收入年度,工资性收入,\
证件号码,姓名,与户主关系,在校生状况,参加城乡居民基本医疗保险,减少原因";

/// Household `i` with a head and a spouse; `status` and the head's leave reason as given.
pub fn household(i: u32, status: &str, reason: &str, head_leaves: &str) -> String {
    let hh = format!("H{i:03},140525100201,{status},{reason},B,是,是,是,2019,15000.00");
    format!(
        "{hh},{},户主{i},户主,非在校生,是,{head_leaves}\n{hh},{},配偶{i},配偶,非在校生,是,\n",
        id("19700101", i),
        id("19720101", i)
    )
}

#[test]
fn errors_past_the_most_listed_are_counted_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Households 4 to 6 have the heads of households 1 to 3: three people registered twice.
    let mut file = format!("{HEADER}\n");
    for i in 1..=6 {
        let h = household(i, "未脱贫", "", "");
        file.push_str(&if i > 3 {
            h.replace(&id("19700101", i), &id("19700101", i - 3))
        } else {
            h
        });
    }
    std::fs::write(d.join("twice.csv"), &file).unwrap();
    let args = [
        "import",
        "twice.csv",
        "--date",
        "2019-12-31",
        "--db",
        "sqlite:registry.db",
        "--max-errors",
        "2",
    ];
    let out = run(d, &args);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the report lists the first 2 errors of 3"),
        "{stderr}"
    );
    let report = std::fs::read_to_string(d.join("twice.csv.errors.csv")).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 4, "{report}");
    assert!(
        lines[1..3].iter().all(|l| l.contains("duplicate_person")),
        "{report}"
    );
    assert!(
        lines[3].contains("errors_left_off") && lines[3].contains("1 more errors not listed"),
        "{report}"
    );
    // None listed: still refused, all three counted.
    let mut args = args.to_vec();
    *args.last_mut().unwrap() = "0";
    let out = run(d, &args);
    assert_eq!(out.status.code(), Some(3));
    let report = std::fs::read_to_string(d.join("twice.csv.errors.csv")).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert!(lines[1].contains("3 more errors not listed"), "{report}");
    // Nothing was written.
    let out = run(d, &["history", "H001", "--db", "sqlite:registry.db"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn a_county_office_half_year() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = "sqlite:registry.db";

    let out = run(d, &["template", "--out", "template.xlsx"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(d.join("template.xlsx").exists());

    // Last half-year, with one broken ID: nothing is imported, exit 3, the report names the row.
    let mut first = format!("{HEADER}\n");
    for i in 1..=5 {
        first.push_str(&household(i, "未脱贫", "", ""));
    }
    let broken = first.replace(
        &id("19720101", 4),
        &format!("{}0", &id("19720101", 4)[..17]),
    );
    let broken = if broken == first {
        first.replace(
            &id("19720101", 4),
            &format!("{}1", &id("19720101", 4)[..17]),
        )
    } else {
        broken
    };
    std::fs::write(d.join("broken.csv"), &broken).unwrap();
    let out = run(
        d,
        &[
            "import",
            "broken.csv",
            "--date",
            "2019-12-31",
            "--db",
            db,
            "--report",
            "errors.csv",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(d.join("errors.csv")).unwrap();
    assert!(
        report.contains("9,证件号码,") && report.contains("id_checksum"),
        "{report}"
    );
    let out = run(d, &["history", "H001", "--db", db]);
    assert_eq!(out.status.code(), Some(3));

    std::fs::write(d.join("2019H2.csv"), &first).unwrap();
    let out = run(
        d,
        &["import", "2019H2.csv", "--date", "2019-12-31", "--db", db],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // This half-year: H001 exits, H002 is removed, the head of H003 dies.
    let mut second = format!("{HEADER}\n");
    second.push_str(&household(1, "已脱贫", "", ""));
    second.push_str(&household(2, "清退", "有财政供养人员", ""));
    second.push_str(&household(3, "未脱贫", "", "死亡"));
    std::fs::write(d.join("2020H1.csv"), &second).unwrap();
    let out = run(
        d,
        &[
            "import",
            "2020H1.csv",
            "--date",
            "2020-06-30",
            "--dry-run",
            "--db",
            db,
        ],
    );
    assert!(out.status.success());
    let out = run(
        d,
        &["import", "2020H1.csv", "--date", "2020-06-30", "--db", db],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let changes = "report changes --from 2020-01-01 --to 2020-06-30 --area 1405 --db";
    let out = run(d, &[changes.split(' ').collect(), vec![db]].concat());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["households"],
        serde_json::json!({"identified": 0, "exited": 1, "returned": 0, "removed": 1})
    );
    assert_eq!(r["people"]["natural_decrease"], 1);
    assert_eq!(
        r["end"]["poor"],
        serde_json::json!({"households": 3, "people": 5})
    );

    let out = run(d, &["history", "H003", "--as-of", "2020-01-01", "--db", db]);
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (h["status"].as_str(), h["members"].as_array().unwrap().len()),
        (Some("poor"), 2)
    );
    let out = run(d, &["history", "H003", "--db", db, "--format", "table"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("member_left") && text.contains("death"),
        "{text}"
    );

    let out = run(
        d,
        &[
            "export",
            "--out",
            "exited.xlsx",
            "--status",
            "exited",
            "--db",
            db,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        d,
        &["export", "--out", "all.csv", "--area", "140525", "--db", db],
    );
    assert!(out.status.success());
    let all = std::fs::read_to_string(d.join("all.csv")).unwrap();
    assert_eq!(all.lines().count(), 1 + 9);
}

/// Killing an import inside its transaction leaves the registry as it was. Every run stops the import
/// at the same point, after it has written all its rows and before it commits
/// (`FUPIN_TEST_INTERRUPT_IMPORT`, `fupin_store::Interrupt::AwaitKill`), and kills it there: on
/// SQLite, and on PostgreSQL when `DATABASE_URL` is set.
#[test]
fn a_killed_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    killed_import(dir.path(), "sqlite:registry.db");
    if let Some(db) = postgres_db("killed_import") {
        let dir = tempfile::tempdir().unwrap();
        killed_import(dir.path(), &db);
    }
}

/// A fresh PostgreSQL schema, migrated, when `DATABASE_URL` is set (required when
/// `FUPIN_REQUIRE_PG` is): the database URL that selects it.
pub(crate) fn postgres_db(name: &str) -> Option<String> {
    let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        assert!(
            std::env::var("FUPIN_REQUIRE_PG").is_err(),
            "DATABASE_URL is required"
        );
        eprintln!("{name}: PostgreSQL skipped (DATABASE_URL unset)");
        return None;
    };
    let schema = format!("cli_{name}_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(fupin_store::open_postgres_fresh_schema(&url, &schema))
        .expect("open postgres");
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-csearch_path%3D{schema}"))
}

fn killed_import(d: &Path, db: &str) {
    let mut first = format!("{HEADER}\n");
    for i in 1..=5 {
        first.push_str(&household(i, "未脱贫", "", ""));
    }
    std::fs::write(d.join("first.csv"), &first).unwrap();
    imported(d, "first.csv", "2019-12-31", db);
    write_big(d);

    // The import writes its 3000 households and stops before committing, holding its transaction.
    let mut child = stopped_import(d, db, "3000 3005");
    // Other connections see none of it while the transaction is open...
    assert_eq!(poor(d, db), 5);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed: {status}");
    // ...and after the kill, nothing of it is left: the 5 households with their 10 members.
    assert_eq!(poor(d, db), 5);
    assert_eq!(exported_rows(d, db), 1 + 10);

    // The same import, not interrupted, commits every household.
    imported(d, "big.csv", "2020-06-30", db);
    assert_eq!(poor(d, db), 5 + 3000);
    assert_eq!(exported_rows(d, db), 1 + 10 + 6000);
}

/// A first import into an empty SQLite registry, from the command line with the file to itself,
/// writes through a rollback journal instead of the WAL (every page once); killed inside its
/// transaction it too leaves nothing, and the file is in WAL mode again for what follows.
#[test]
fn a_killed_first_import_leaves_an_empty_registry_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = "sqlite:registry.db";
    write_big(d);
    let mut child = stopped_import(d, db, "3000 3000");
    // The fast path was taken: a rollback journal beside the file, which is out of WAL mode.
    assert!(d.join("registry.db-journal").exists());
    assert_eq!(journal_versions(d), [1, 1], "rollback journal mode");
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed: {status}");
    // The next connection rolls the journal back: no household, and the file in WAL mode.
    assert_eq!(poor(d, db), 0);
    assert_eq!(exported_rows(d, db), 1);
    assert_eq!(journal_versions(d), [2, 2], "WAL mode");
    // Imported again, uninterrupted: every household, and the file in WAL mode after it.
    imported(d, "big.csv", "2020-06-30", db);
    assert_eq!(poor(d, db), 3000);
    assert_eq!(exported_rows(d, db), 1 + 6000);
    assert_eq!(journal_versions(d), [2, 2], "WAL mode");
    assert!(!d.join("registry.db-journal").exists());
}

/// Imports `file` with effective date `date`, which must succeed.
fn imported(d: &Path, file: &str, date: &str, db: &str) {
    let out = run(d, &["import", file, "--date", date, "--db", db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The SQLite file's format versions (header bytes 18 and 19): 2 in WAL mode, 1 otherwise.
fn journal_versions(d: &Path) -> [u8; 2] {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(d.join("registry.db"))
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    [head[18], head[19]]
}

/// `big.csv`: 3000 new households of two members each.
fn write_big(d: &Path) {
    let mut big = format!("{HEADER}\n");
    for i in 1000..4000 {
        let hh = format!("K{i:05},140525100202,未脱贫,,B,是,是,是,2019,15000.00");
        let (head, spouse) = (
            format!("19{}0101", 60 + i / 1000),
            format!("19{}0202", 60 + i / 1000),
        );
        big.push_str(&format!(
            "{hh},{},户主{i},户主,非在校生,是,\n{hh},{},配偶{i},配偶,非在校生,是,\n",
            id(&head, i % 1000),
            id(&spouse, i % 1000)
        ));
    }
    std::fs::write(d.join("big.csv"), &big).unwrap();
}

/// Starts the import of `big.csv` stopped before its commit (`FUPIN_TEST_INTERRUPT_IMPORT`) and
/// waits for the stop; `held`: the households written and those in the transaction then.
fn stopped_import(d: &Path, db: &str, held: &str) -> std::process::Child {
    let stopped = d.join("stopped");
    let _ = std::fs::remove_file(&stopped);
    let mut child = Command::new(env!("CARGO_BIN_EXE_fupin"))
        .current_dir(d)
        .env_remove("FUPIN_DB")
        .env("FUPIN_TEST_INTERRUPT_IMPORT", &stopped)
        .args(["import", "big.csv", "--date", "2020-06-30", "--db", db])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let waited = std::time::Instant::now();
    while !stopped.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended ({status}) before it reached its commit");
        }
        if waited.elapsed() > std::time::Duration::from_secs(300) {
            let _ = child.kill();
            panic!("the import did not reach its commit in 5 minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Written, within the transaction.
    let written = std::fs::read_to_string(&stopped).unwrap();
    assert_eq!(
        written.trim(),
        held,
        "households written, households in the transaction"
    );
    child
}

/// The poor households at the end of the change report over all time.
fn poor(d: &Path, db: &str) -> u64 {
    let out = run(
        d,
        &[
            "report",
            "changes",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
            "--db",
            db,
        ],
    );
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    r["end"]["poor"]["households"].as_u64().unwrap()
}

/// The lines of the registry's export (a header and a line per member).
fn exported_rows(d: &Path, db: &str) -> usize {
    let out = run(d, &["export", "--out", "all.csv", "--db", db]);
    assert!(out.status.success());
    std::fs::read_to_string(d.join("all.csv"))
        .unwrap()
        .lines()
        .count()
}
