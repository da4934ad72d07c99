//! Lifecycle rules, optimistic concurrency, the audit log and the schema of both backends.

use crate::common::*;
use fupin_core::codes::{CodeList, HouseholdStatus};
use fupin_store::{Incoming, StoreError};

async fn load(
    repo: &std::sync::Arc<dyn fupin_store::Repository>,
    dir: &std::path::Path,
    rows: &[Row],
) {
    let out = import_rows(repo.as_ref(), dir, "a.csv", rows, "2019-12-31").await;
    assert!(out.committed, "{:?}", out.errors);
}

#[test]
fn only_legal_transitions() {
    on_both("transitions", |repo, dir| async move {
        let mut rows = county(3);
        set(&mut rows, 2, "housing_grade", "D");
        load(&repo, &dir, &rows).await;
        let policy = fupin_core::PolicySet::builtin();
        let date = d("2020-06-30");
        let to = |number, version, status, reason| {
            repo.transition(number, version, status, date, reason, "t", &policy)
        };
        // H00002 lives in a dangerous house: the exit check fails and names the check...
        let e = to("H00002", 1, HouseholdStatus::Exited, None)
            .await
            .unwrap_err();
        let StoreError::Rejected(e) = e else {
            panic!("{e}")
        };
        assert_eq!(e.code, "exit_check_failed");
        assert!(e.en.contains("housing_safety") && e.zh.contains("危房"));
        // ...unless an override reason is given.
        let h = to(
            "H00002",
            1,
            HouseholdStatus::Exited,
            Some("已纳入危房改造,7月竣工"),
        )
        .await
        .unwrap();
        assert_eq!((h.status, h.version), (HouseholdStatus::Exited, 2));
        // exited → poor is not a transition; exited → returned is.
        let e = to("H00002", 2, HouseholdStatus::Poor, None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "illegal_transition");
        let h = to("H00002", 2, HouseholdStatus::Returned, None)
            .await
            .unwrap();
        assert_eq!(h.version, 3);
        // Removal needs a reason.
        let e = to("H00001", 1, HouseholdStatus::Removed, None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "reason_required");
        to("H00001", 1, HouseholdStatus::Removed, Some("有商品房"))
            .await
            .unwrap();
        let e = to("H00001", 2, HouseholdStatus::Poor, None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "illegal_transition");
        // A passing household exits without a reason.
        to("H00003", 1, HouseholdStatus::Exited, None)
            .await
            .unwrap();
    });
}

#[test]
fn a_stale_write_is_refused_as_a_conflict() {
    on_both("conflict", |repo, dir| async move {
        load(&repo, &dir, &county(1)).await;
        let h = repo.household("H00001").await.unwrap().unwrap();
        assert_eq!(h.version, 1);
        let policy = fupin_core::PolicySet::builtin();
        // Two clerks load version 1; the first saves, the second's write is refused.
        let mut first = h.clone();
        first.phone = Some("13812345678".into());
        let saved = repo
            .save(Incoming::new(first), 1, d("2020-02-01"), "甲", &policy)
            .await
            .unwrap();
        assert_eq!(saved.version, 2);
        let mut second = h.clone();
        second.housing_grade = fupin_core::codes::HousingGrade::A;
        let e = repo
            .save(Incoming::new(second), 1, d("2020-02-02"), "乙", &policy)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::Conflict {
                    expected: 1,
                    found: 2,
                    ..
                }
            ),
            "{e}"
        );
        let now = repo.household("H00001").await.unwrap().unwrap();
        assert_eq!(
            (now.phone.as_deref(), now.housing_grade.code()),
            (Some("13812345678"), "B")
        );

        // The audit log has both writes with before and after.
        let log = repo.audit("H00001").await.unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(
            (log[0].action.as_str(), log[0].before.is_none()),
            ("create", true)
        );
        assert_eq!(
            (log[1].action.as_str(), log[1].actor.as_str()),
            ("update", "甲")
        );
        assert_eq!(log[1].before.as_ref().unwrap()["phone"], "13900000001");
        assert_eq!(log[1].after.as_ref().unwrap()["phone"], "13812345678");
        // An update records the changed fields only.
        assert!(log[1].after.as_ref().unwrap().get("members").is_none());
        assert!(log[0].after.as_ref().unwrap()["members"].is_array());
        assert_eq!(log[1].effective_date, Some(d("2020-02-01")));
    });
}

#[test]
fn both_backends_have_the_same_tables_and_columns() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = fupin_store::open(&format!("sqlite:{}", dir.path().join("s.db").display()))
            .await
            .unwrap();
        let s = sqlite.schema().await.unwrap();
        assert!(s["household"].contains("county") && s["member"].contains("left_on"));
        for (table, cols) in &s {
            // Areas are reference data; the roll-ups sum many counties (and are rebuilt from the
            // county-keyed tables); accounts and their sessions belong to no household; the
            // migrations are bookkeeping; the audit chain's head is one row over every county's
            // entries.
            let not_household_owned = [
                "area",
                "schema_migrations",
                "rollup",
                "rollup_dirty",
                "app_user",
                "app_session",
                "audit_head",
            ];
            if !not_household_owned.contains(&table.as_str()) {
                assert!(cols.contains("county"), "{table} is keyed by county");
            }
        }
        if let Some(pg) = postgres("schema").await {
            assert_eq!(s, pg.schema().await.unwrap());
        }
    });
}
