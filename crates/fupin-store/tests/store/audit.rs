//! The tamper-evident audit log (issue 15.4) on both backends: an intact registry verifies; a row
//! edited behind fupin's back is reported, and a re-import of the original file sees it as changed;
//! an audit entry edited or deleted breaks the chain at that entry.

use crate::common::*;
use fupin_store::{Backend, Repository, SqlStore};
use std::path::Path;

/// A second store on the database `on_both` gave the test, for SQL behind fupin's back.
pub(crate) async fn store_of(repo: &dyn Repository, dir: &Path, name: &str) -> SqlStore {
    match repo.backend() {
        Backend::Sqlite => {
            let url = format!("sqlite:{}", dir.join("registry.db").display());
            SqlStore::open(&url).await.unwrap()
        }
        Backend::Postgres => {
            let url = std::env::var("DATABASE_URL").unwrap();
            let schema = format!("t_{name}_{}", std::process::id());
            SqlStore::open_existing_schema(&url, &schema).await.unwrap()
        }
    }
}

/// Runs a statement behind fupin's back.
async fn tamper(store: &SqlStore, sql: &str) {
    let db = store.db();
    let n = db.query(sql).execute(db).await.unwrap();
    assert_eq!(n, 1, "{sql}");
}

/// Verifies the chain and that it holds every entry of the log; returns the households compared.
pub(crate) async fn verify_whole_chain(store: &SqlStore) -> u64 {
    let check = store.verify_audit().await.unwrap();
    assert!(check.ok(), "{check:?}");
    let db = store.db();
    let all: Option<i64> = db
        .query("SELECT COUNT(*) FROM audit_log")
        .scalar(db)
        .await
        .unwrap();
    assert_eq!(Some(check.entries as i64), all);
    check.households
}

/// The households without a stored fingerprint.
async fn unprinted(store: &SqlStore) -> Vec<String> {
    let db = store.db();
    db.query("SELECT number FROM household WHERE fingerprint IS NULL ORDER BY number")
        .fetch_all_scalar(db)
        .await
        .unwrap()
}

async fn entry_ids(store: &SqlStore) -> Vec<i64> {
    let db = store.db();
    db.query("SELECT id FROM audit_log ORDER BY seq")
        .fetch_all_scalar(db)
        .await
        .unwrap()
}

#[test]
fn a_row_edited_in_the_database_is_reported_and_a_reimport_sees_it_changed() {
    on_both("audit_rows", |repo, dir| async move {
        let rows = county(6);
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &rows, "2019-12-31").await;
        assert_eq!(out.created, 6);
        let store = store_of(repo.as_ref(), &dir, "audit_rows").await;
        let check = store.verify_audit().await.unwrap();
        assert!(check.ok(), "{check:?}");
        assert_eq!((check.entries, check.households), (6, 6));
        // Every household written by the import carries its fingerprint (a re-import compares it
        // without loading the household), and the import's mark is not left behind.
        assert_eq!(unprinted(&store).await, Vec::<String>::new());
        if repo.backend() == Backend::Sqlite {
            let db = store.db();
            let marks: Option<i64> = db
                .query("SELECT COUNT(*) FROM fupin_write")
                .scalar(db)
                .await
                .unwrap();
            assert_eq!(marks, Some(0));
        }

        // A household row, a member and an income edited with SQL.
        tamper(
            &store,
            "UPDATE household SET housing_grade = 'D' WHERE number = 'H00002'",
        )
        .await;
        tamper(
            &store,
            "UPDATE member SET name = '王五' WHERE household_number = 'H00003' AND seq = 1",
        )
        .await;
        tamper(
            &store,
            "UPDATE household_income SET wage = wage + 100000 WHERE household_number = 'H00004'",
        )
        .await;
        let check = store.verify_audit().await.unwrap();
        assert!(check.broken.is_none(), "the log itself is intact");
        let changed: Vec<(&str, &str)> = check
            .households_changed
            .iter()
            .map(|b| (b.household.as_deref().unwrap(), b.code))
            .collect();
        assert_eq!(
            changed,
            [
                ("H00002", "household_changed"),
                ("H00003", "household_changed"),
                ("H00004", "household_changed")
            ]
        );
        assert!(check.households_changed[0].en.contains("no longer matches"));

        // The edits cleared the three households' fingerprints (migration 18's triggers), so a
        // re-import of the original file compares them in full, finds them changed and puts them
        // back; the others it skips by their fingerprints.
        assert_eq!(unprinted(&store).await, ["H00002", "H00003", "H00004"]);
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &rows, "2020-01-31").await;
        assert_eq!((out.updated, out.unchanged), (3, 3), "{out:?}");
        assert_eq!(unprinted(&store).await, Vec::<String>::new());
        // A fingerprint cleared with no change to the household: the re-import finds it unchanged
        // in full and stores it again.
        tamper(
            &store,
            "UPDATE household SET fingerprint = NULL WHERE number = 'H00005'",
        )
        .await;
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &rows, "2020-02-29").await;
        assert_eq!((out.updated, out.unchanged), (0, 6), "{out:?}");
        assert_eq!(unprinted(&store).await, Vec::<String>::new());
        let h = repo.household("H00002").await.unwrap().unwrap();
        assert_eq!(h.housing_grade.to_string(), "B");
        let check = store.verify_audit().await.unwrap();
        assert!(check.ok(), "{check:?}");

        // A household deleted behind fupin's back (with its members, income and events).
        let db = store.db();
        db.query("DELETE FROM member WHERE household_number = 'H00006'")
            .execute(db)
            .await
            .unwrap();
        db.query("DELETE FROM household_income WHERE household_number = 'H00006'")
            .execute(db)
            .await
            .unwrap();
        db.query("DELETE FROM event WHERE household_number = 'H00006'")
            .execute(db)
            .await
            .unwrap();
        tamper(&store, "DELETE FROM household WHERE number = 'H00006'").await;
        let check = store.verify_audit().await.unwrap();
        let found: Vec<_> = check
            .households_changed
            .iter()
            .map(|b| (b.household.as_deref().unwrap(), b.code))
            .collect();
        assert_eq!(found, [("H00006", "household_deleted")]);
    });
}

#[test]
fn an_audit_entry_edited_or_deleted_breaks_the_chain_there() {
    on_both("audit_chain", |repo, dir| async move {
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &county(5), "2019-12-31").await;
        assert!(out.committed);
        let policy = fupin_core::PolicySet::builtin();
        let mut h = repo.household("H00001").await.unwrap().unwrap();
        h.phone = Some("13500000000".into());
        repo.save(
            fupin_store::Incoming::new(h),
            1,
            d("2020-02-01"),
            "甲",
            &policy,
        )
        .await
        .unwrap();
        let store = store_of(repo.as_ref(), &dir, "audit_chain").await;
        let ids = entry_ids(&store).await;
        assert_eq!(ids.len(), 6);
        assert!(store.verify_audit().await.unwrap().ok());

        // An entry edited: the chain breaks at that entry, and mends when it is put back.
        let third = ids[2];
        tamper(
            &store,
            &format!("UPDATE audit_log SET actor = '乙' WHERE id = {third}"),
        )
        .await;
        let check = store.verify_audit().await.unwrap();
        let b = check.broken.expect("broken");
        assert_eq!((b.entry, b.code), (Some(third), "audit_entry_changed"));
        assert!(b.en.contains(&format!("audit entry {third}")), "{b}");
        tamper(
            &store,
            &format!("UPDATE audit_log SET actor = '县扶贫办' WHERE id = {third}"),
        )
        .await;
        assert!(store.verify_audit().await.unwrap().ok());

        // The newest entry deleted: the head is ahead of the entries.
        let last = ids[5];
        let db = store.db();
        let saved: Vec<(String, i64)> = db
            .query("SELECT entity_key, seq FROM audit_log WHERE id = $1")
            .bind(last)
            .fetch_all_as(db)
            .await
            .unwrap();
        assert_eq!(saved[0].0, "H00001");
        tamper(&store, &format!("DELETE FROM audit_log WHERE id = {last}")).await;
        let b = store.verify_audit().await.unwrap().broken.expect("broken");
        assert_eq!((b.entry, b.code), (None, "audit_entries_deleted"));

        // An entry in the middle deleted: the link after it names the gap.
        tamper(
            &store,
            &format!("DELETE FROM audit_log WHERE id = {}", ids[1]),
        )
        .await;
        let check = store.verify_audit().await.unwrap();
        let b = check.broken.expect("broken");
        assert_eq!((b.entry, b.code), (Some(ids[2]), "audit_entries_deleted"));
        assert!(b.en.contains("chain places 2 to 2"), "{b}");
    });
}

#[test]
fn entries_from_before_the_chain_are_sealed_when_the_database_is_next_opened() {
    on_both("audit_backfill", |repo, dir| async move {
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &county(3), "2019-12-31").await;
        assert!(out.committed);
        let store = store_of(repo.as_ref(), &dir, "audit_backfill").await;
        // As a database migrated to version 7 finds them: no entry chained, an empty head.
        let db = store.db();
        let n = db
            .query("UPDATE audit_log SET seq = NULL, hash = NULL")
            .execute(db)
            .await
            .unwrap();
        assert_eq!(n, 3);
        tamper(&store, "UPDATE audit_head SET seq = 0, hash = ''").await;
        let b = store
            .verify_audit()
            .await
            .unwrap()
            .broken
            .expect("unchained");
        assert_eq!(b.code, "audit_entry_not_chained");
        // The next open seals them in id order.
        let reopened = store_of(repo.as_ref(), &dir, "audit_backfill").await;
        let check = reopened.verify_audit().await.unwrap();
        assert!(check.ok(), "{check:?}");
        assert_eq!((check.entries, check.head.0), (3, 3));
    });
}
