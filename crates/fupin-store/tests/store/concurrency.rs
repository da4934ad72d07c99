//! Concurrent writes (issue 15.1) on both backends: writes wait their turn instead of failing
//! ("database is locked"), a stale version is a conflict and nothing else, every acknowledged
//! write is stored and every refused one is not, and reads never fail while a write runs.

use crate::common::*;
use crate::directory::directory_of;
use fupin_core::codes::HouseholdStatus;
use fupin_store::directory::{Directory, ListFilter};
use fupin_store::{Incoming, Repository, StoreError};
use futures_util::future::{join, join3, join_all};
use std::sync::Arc;

async fn load(repo: &Arc<dyn Repository>, dir: &std::path::Path, n: usize) {
    let out = import_rows(repo.as_ref(), dir, "a.csv", &county(n), "2019-12-31").await;
    assert!(out.committed, "{:?}", out.errors);
}

/// Saves `number` with a new phone, carrying `version`.
async fn save_phone(
    repo: &dyn Repository,
    number: &str,
    version: i64,
    phone: &str,
) -> Result<i64, StoreError> {
    let mut h = repo.household(number).await?.expect("stored");
    h.phone = Some(phone.to_string());
    let policy = fupin_core::PolicySet::builtin();
    let saved = repo
        .save(Incoming::new(h), version, d("2020-03-01"), "clerk", &policy)
        .await?;
    Ok(saved.version)
}

#[test]
fn concurrent_saves_of_distinct_households_all_succeed_and_are_stored() {
    on_both("conc_distinct", |repo, dir| async move {
        load(&repo, &dir, 20).await;
        // Another store on the same database (another process, its own pool) writes too.
        let other = directory_of(repo.as_ref(), &dir, "conc_distinct").await;
        let writers = (1..=20).map(|i| {
            let repo = repo.clone();
            async move {
                let mut version = 1;
                for round in 0..5 {
                    let phone = format!("1380000{i:02}{round:02}");
                    version = save_phone(repo.as_ref(), &hh(i), version, &phone)
                        .await
                        .unwrap_or_else(|e| panic!("{} round {round}: {e}", hh(i)));
                }
                version
            }
        });
        let readers = (0..10).map(|_| {
            let other = other.clone();
            async move {
                for _ in 0..5 {
                    let f = other.figures("140525").await.expect("figures");
                    assert_eq!(f.sub_areas.iter().map(|s| s.households).sum::<i64>(), 20);
                    let filter = ListFilter {
                        area: "140525".into(),
                        page: 1,
                        per_page: 50,
                        ..ListFilter::default()
                    };
                    let page = other.list_households(&filter).await.expect("list");
                    assert_eq!(page.rows.len(), 20);
                }
            }
        });
        let (versions, _) = join(join_all(writers), join_all(readers)).await;
        assert_eq!(versions, vec![6; 20]);
        for i in 1..=20 {
            let h = repo.household(&hh(i)).await.unwrap().unwrap();
            assert_eq!(h.version, 6);
            assert_eq!(
                h.phone.as_deref(),
                Some(format!("1380000{i:02}04").as_str())
            );
            // One audit entry per write: the import's and the five saves'.
            assert_eq!(repo.audit(&hh(i)).await.unwrap().len(), 6, "{}", hh(i));
        }
        // The saves, each chained from the head it found (another's commit moved it: the entries
        // were chained again at the commit), leave one unbroken chain of every entry.
        let store = crate::audit::store_of(repo.as_ref(), &dir, "conc_distinct").await;
        crate::audit::verify_whole_chain(&store).await;
    });
}

#[test]
fn two_saves_of_the_same_version_give_one_write_and_one_conflict() {
    on_both("conc_same", |repo, dir| async move {
        load(&repo, &dir, 1).await;
        let mut version = 1;
        for round in 0..10 {
            let (a, b) = join(
                save_phone(
                    repo.as_ref(),
                    "H00001",
                    version,
                    &format!("1391111{round:04}"),
                ),
                save_phone(
                    repo.as_ref(),
                    "H00001",
                    version,
                    &format!("1392222{round:04}"),
                ),
            )
            .await;
            let (won, lost, phone) = match (a, b) {
                (Ok(v), Err(e)) => (v, e, format!("1391111{round:04}")),
                (Err(e), Ok(v)) => (v, e, format!("1392222{round:04}")),
                other => panic!("round {round}: not one write and one conflict: {other:?}"),
            };
            assert!(
                matches!(lost, StoreError::Conflict { .. }),
                "round {round}: {lost}"
            );
            assert_eq!(won, version + 1);
            version = won;
            // The write that answered is the one stored; the refused one is not.
            let h = repo.household("H00001").await.unwrap().unwrap();
            assert_eq!((h.version, h.phone), (version, Some(phone)));
        }
        assert_eq!(repo.audit("H00001").await.unwrap().len(), 11);
    });
}

#[test]
fn reads_do_not_fail_while_a_long_write_runs_and_an_import_waits_its_turn() {
    on_both("conc_long", |repo, dir| async move {
        load(&repo, &dir, 5).await;
        let other = directory_of(repo.as_ref(), &dir, "conc_long").await;
        // A long write: an import of 3,000 new households (one transaction).
        let mut rows = county(3005);
        rows.retain(|r| r["household_number"].as_str() > "H00005");
        let path = dir.join("big.csv");
        write_csv(&path, &rows, true);
        let done = std::sync::atomic::AtomicBool::new(false);
        let import = async {
            let out = import_file(repo.as_ref(), &path, "2020-01-31").await;
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            out
        };
        // Meanwhile: reads through the other store, and saves that must wait for the import.
        let reads = async {
            let mut during = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let h = dashboard_households(other.as_ref()).await;
                assert!(h == 5 || h == 3005, "a read saw part of a write: {h}");
                during += 1;
                tokio::task::yield_now().await;
            }
            during
        };
        let saves = async {
            let mut version = 1;
            for round in 0..3 {
                version = save_phone(repo.as_ref(), "H00001", version, &format!("137{round:08}"))
                    .await
                    .expect("a save waits for the import");
            }
            version
        };
        let (out, during, version) = join3(import, reads, saves).await;
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!(out.created, 3000);
        assert!(during > 0, "no read ran during the import");
        assert_eq!(version, 4);
        let f = other.figures("140525").await.unwrap();
        assert_eq!(f.sub_areas.iter().map(|s| s.households).sum::<i64>(), 3005);
        let status = repo.household("H03005").await.unwrap().unwrap().status;
        assert_eq!(status, HouseholdStatus::Poor);
    });
}

/// What a dashboard reads, in one number: the households of the test county in the roll-ups.
async fn dashboard_households(d: &dyn Directory) -> i64 {
    let f = d.figures("140525").await.expect("figures during a write");
    f.sub_areas.iter().map(|s| s.households).sum()
}
