//! `fupin audit verify`, `fupin backup` and `fupin restore` as an administrator runs them.

use crate::registry::{household, run, HEADER};
use std::path::Path;

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs SQL on the SQLite registry behind fupin's back.
fn tamper(db: &Path, sql: &str) {
    let url = format!("sqlite:{}", db.display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = fupin_store::SqlStore::open(&url).await.unwrap();
        let db = store.db();
        assert_eq!(db.query(sql).execute(db).await.unwrap(), 1, "{sql}");
    });
}

#[test]
fn audit_verify_backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = "sqlite:registry.db";
    let mut file = format!("{HEADER}\n");
    for i in 1..=3 {
        file.push_str(&household(i, "未脱贫", "", ""));
    }
    std::fs::write(d.join("a.csv"), &file).unwrap();
    let o = run(d, &["import", "a.csv", "--db", db, "--date", "2019-12-31"]);
    assert!(o.status.success(), "{}", text(&o));

    // Intact: exit 0.
    let o = run(d, &["audit", "verify", "--db", db]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("3 audit entries, 3 households"),
        "{}",
        text(&o)
    );

    // A backup, then a restore into a new file; not over it again without --force.
    let o = run(d, &["backup", "--db", db, "--out", "backup.db"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("backed up 3 households"), "{}", text(&o));
    let o = run(
        d,
        &["restore", "--from", "backup.db", "--db", "sqlite:copy.db"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(
        d,
        &["restore", "--from", "backup.db", "--db", "sqlite:copy.db"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--force"), "{}", text(&o));
    let o = run(d, &["audit", "verify", "--db", "sqlite:copy.db"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the restored copy verifies: {}",
        text(&o)
    );
    // PostgreSQL: the pg_dump line.
    let o = run(
        d,
        &[
            "backup",
            "--db",
            "postgres://localhost/x",
            "--out",
            "x.dump",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("pg_dump --format=custom"), "{}", text(&o));

    // A household edited with SQL: reported by number, exit 3.
    tamper(
        &d.join("registry.db"),
        "UPDATE household SET housing_grade = 'D' WHERE number = 'H002'",
    );
    let o = run(d, &["audit", "verify", "--db", db]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("household H002 (its row, members or income) no longer matches"),
        "{}",
        text(&o)
    );
    // An audit entry deleted: the broken link is named.
    tamper(
        &d.join("registry.db"),
        "DELETE FROM audit_log WHERE seq = 1",
    );
    let o = run(d, &["audit", "verify", "--db", db]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("broken link: audit_entries_deleted"),
        "{}",
        text(&o)
    );
}
