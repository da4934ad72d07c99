//! Backups (issue 15.10): a backup taken while writes run holds every write acknowledged before it
//! began, restores into a new database, and is refused where it would overwrite or is no backup.

use crate::common::*;
use fupin_store::{Incoming, Repository, SqlStore, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[test]
fn a_backup_under_write_load_restores_every_write_acknowledged_before_it() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("live.db").display());
        let store = Arc::new(SqlStore::open(&url).await.unwrap());
        let repo: Arc<dyn Repository> = store.clone();
        let out = import_rows(
            repo.as_ref(),
            dir.path(),
            "a.csv",
            &county(10),
            "2019-12-31",
        )
        .await;
        assert!(out.committed);
        // Ten writers save their household over and over; each acknowledged write is noted.
        let acks: Arc<Mutex<Vec<(String, i64, String)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let policy = fupin_core::PolicySet::builtin();
        let writers = (1..=10).map(|i| {
            let (repo, acks, stop, policy) = (repo.clone(), acks.clone(), stop.clone(), &policy);
            async move {
                let mut version = 1;
                let mut k = 0;
                while !stop.load(Ordering::SeqCst) {
                    k += 1;
                    let mut h = repo.household(&hh(i)).await.unwrap().unwrap();
                    let phone = format!("136{i:04}{k:04}");
                    h.phone = Some(phone.clone());
                    let saved = repo
                        .save(Incoming::new(h), version, d("2020-03-01"), "t", policy)
                        .await
                        .expect("a save during the backup");
                    version = saved.version;
                    acks.lock().unwrap().push((hh(i), version, phone));
                    tokio::task::yield_now().await;
                }
            }
        });
        let file = dir.path().join("backup.db");
        let backup = async {
            // Let the writers run, then note what was acknowledged and back up while they go on.
            while acks.lock().unwrap().len() < 30 {
                tokio::task::yield_now().await;
            }
            let before = acks.lock().unwrap().clone();
            let households = store.backup_to(&file).await.expect("backup");
            while acks.lock().unwrap().len() < before.len() + 20 {
                tokio::task::yield_now().await;
            }
            stop.store(true, Ordering::SeqCst);
            (before, households)
        };
        let (_, (before, households)) =
            futures_util::future::join(futures_util::future::join_all(writers), backup).await;
        assert_eq!(households, 10);
        let all = acks.lock().unwrap().clone();

        // Restored into a new database: every write acknowledged before the backup is there, and
        // each household is exactly one of its acknowledged states.
        let restored_url = format!("sqlite:{}", dir.path().join("restored.db").display());
        let info = fupin_store::backup::restore(&file, &restored_url, false)
            .await
            .unwrap();
        assert_eq!(info.households, 10);
        let restored = fupin_store::open(&restored_url).await.unwrap();
        for i in 1..=10 {
            let h = restored.household(&hh(i)).await.unwrap().unwrap();
            let last_before = before.iter().filter(|a| a.0 == hh(i)).map(|a| a.1).max();
            assert!(
                h.version >= last_before.unwrap_or(1),
                "{}: version {} in the backup, {last_before:?} acknowledged before it",
                hh(i),
                h.version
            );
            if h.version > 1 {
                let ack = all.iter().find(|a| a.0 == hh(i) && a.1 == h.version);
                assert_eq!(
                    ack.map(|a| a.2.as_str()),
                    h.phone.as_deref(),
                    "{}: the backup holds an acknowledged state",
                    hh(i)
                );
            }
        }
        assert!(
            before.len() >= 30 && all.len() >= before.len() + 20,
            "writes ran on both sides of the backup"
        );

        // Never over an existing backup file, nor over a database that holds data (unless forced),
        // nor from a file that is no fupin database.
        let e = store.backup_to(&file).await.unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        let e = fupin_store::backup::restore(&file, &url, false)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, "not a database").unwrap();
        let e = fupin_store::backup::restore(&junk, &restored_url, true)
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("is not a backup of a fupin database"),
            "{e}"
        );
        // Forced over a database that holds data: it is the backup again.
        drop(restored);
        let info = fupin_store::backup::restore(&file, &restored_url, true)
            .await
            .unwrap();
        assert_eq!(info.households, 10);
        // PostgreSQL: refused, with the pg_dump / pg_restore line.
        let e = fupin_store::backup::restore(&file, "postgres://localhost/x", false)
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::File(ref m) if m.contains("pg_restore")),
            "{e}"
        );
    });
}
