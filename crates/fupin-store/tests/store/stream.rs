//! The streaming import (issue 16): a file read in parts on another thread while the store writes
//! the parts before it, in one transaction. All or nothing still holds when the error is in the
//! last part, whether the reader or the store finds it; checks that span parts (a person in two
//! households, a household number twice, a person moving between households) see the whole file.

use crate::common::*;
use crate::directory::directory_of;
use fupin_sheet::COLUMNS;
use fupin_store::{Chunk, ImportOptions, ImportOutcome, Repository, StoreError};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Imports a file as `fupin import` does: read in parts of `part` households on a thread of its
/// own, the parts imported as they come.
pub async fn stream(
    repo: &dyn Repository,
    path: &Path,
    part: usize,
    opts: &ImportOptions,
) -> Result<ImportOutcome, StoreError> {
    let mut parts = fupin_sheet::stream_file(path, opts.date, part).expect("readable");
    let areas = std::mem::take(&mut parts.areas);
    let (send, chunks) = tokio::sync::mpsc::channel(2);
    let reader = std::thread::spawn(move || {
        for p in parts {
            let chunk = p
                .map(|p| Chunk {
                    households: p.households,
                    errors: p.errors,
                    rows: p.rows,
                })
                .map_err(|e| StoreError::File(e.to_string()));
            if send.blocking_send(chunk).is_err() {
                break;
            }
        }
    });
    let out = repo.import_stream(chunks, areas, opts).await;
    reader.join().unwrap();
    out
}

async fn households(repo: &dyn Repository) -> usize {
    let mut n = 0;
    let filter = fupin_store::ExportFilter::default();
    repo.export(&filter, &mut |_| {
        n += 1;
        Ok(())
    })
    .await
    .unwrap();
    n
}

#[test]
fn a_file_streamed_in_parts_is_stored_as_a_whole_read_stores_it() {
    on_both("stream_whole", |repo, dir| async move {
        let path = dir.join("a.csv");
        write_csv(&path, &county(50), true);
        let opts = options(d("2019-12-31"), "t");
        let out = stream(repo.as_ref(), &path, 7, &opts).await.unwrap();
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!((out.created, out.events), (50, 50));
        assert_eq!(households(repo.as_ref()).await, 50);
        let h = repo.household("H00050").await.unwrap().expect("stored");
        assert_eq!(
            (h.members.len(), h.phone.as_deref()),
            (3, Some("13900000050"))
        );
        // The same file again: every household unchanged, nothing written.
        let again = options(d("2020-06-30"), "t");
        let out = stream(repo.as_ref(), &path, 7, &again).await.unwrap();
        assert_eq!((out.unchanged, out.created, out.updated), (50, 0, 0));
        assert_eq!(repo.audit("H00050").await.unwrap().len(), 1);
        // The roll-ups (the dashboards' figures) count the county's households.
        let r = repo.year_report(2019, "140525").await.unwrap();
        assert_eq!(r.end.poor.households, 50);
    });
}

#[test]
fn an_invalid_row_in_the_last_part_leaves_nothing() {
    on_both("stream_last_row", |repo, dir| async move {
        let mut rows = county(30);
        // The last row of the file: a wrong check character.
        let last = rows.last_mut().unwrap();
        let id = last["id_number"].clone();
        let wrong = if id.ends_with('0') { "1" } else { "0" };
        last.insert("id_number", format!("{}{wrong}", &id[..17]));
        let path = dir.join("a.csv");
        write_csv(&path, &rows, true);
        // A first import into an empty registry builds the tables' secondary indexes (and on
        // PostgreSQL puts back their foreign keys) at its end: refused, it leaves them as they
        // were, and so does a committed one.
        // As `fupin import` runs it, with the database to itself: on SQLite through a rollback
        // journal, the file back in WAL mode after it, refused or committed.
        let indexes = repo.indexes().await.unwrap();
        assert!(indexes["member"].contains("member_by_name"));
        assert!(indexes["household"].contains("household_by_area"));
        let mut alone = options(d("2019-12-31"), "t");
        alone.alone = true;
        let out = stream(repo.as_ref(), &path, 7, &alone).await.unwrap();
        assert!(!out.committed);
        assert_eq!(
            in_wal(&dir),
            (repo.backend() == fupin_store::Backend::Sqlite).then_some(true)
        );
        assert_eq!(repo.indexes().await.unwrap(), indexes);
        assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
        let e = &out.errors[0];
        assert_eq!(
            (e.row, e.column.as_str(), e.code.as_str()),
            (91, "证件号码", "id_checksum")
        );
        assert_eq!((out.created, out.skipped), (29, 1));
        assert_eq!(households(repo.as_ref()).await, 0);
        assert!(repo.audit("H00001").await.unwrap().is_empty());
        // With --partial the 29 valid households are stored.
        let mut partial = alone.clone();
        partial.partial = true;
        let out = stream(repo.as_ref(), &path, 7, &partial).await.unwrap();
        assert!(out.committed);
        assert_eq!(
            in_wal(&dir),
            (repo.backend() == fupin_store::Backend::Sqlite).then_some(true)
        );
        assert_eq!(households(repo.as_ref()).await, 29);
        assert_eq!(repo.indexes().await.unwrap(), indexes);
        // The search index of a first import (on SQLite filled at its end, its triggers off
        // meanwhile and back after the refused import and after this one): the members are
        // found, and a later write is followed.
        let directory = directory_of(repo.as_ref(), &dir, "stream_last_row").await;
        assert_eq!(searched(directory.as_ref(), "李29").await, vec![hh(29)]);
        assert_eq!(
            searched(directory.as_ref(), "李30").await,
            Vec::<String>::new()
        );
        let mut rows = county(29);
        for r in rows_of(&mut rows, 5) {
            if r["name"] == "张小5" {
                r.insert("name", "王小明".into());
            }
        }
        let out = import_rows(repo.as_ref(), &dir, "b.csv", &rows, "2020-06-30").await;
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!(searched(directory.as_ref(), "王小明").await, vec![hh(5)]);
        assert_eq!(
            searched(directory.as_ref(), "张小5").await,
            Vec::<String>::new()
        );
    });
}

/// On SQLite (a `registry.db` in `dir`), whether the file is in WAL mode (its header's format
/// versions 2) with no rollback journal left beside it.
fn in_wal(dir: &Path) -> Option<bool> {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(dir.join("registry.db"))
        .ok()?
        .read_exact(&mut head)
        .ok()?;
    Some(head[18..20] == [2, 2] && !dir.join("registry.db-journal").exists())
}

/// The household numbers a search of the whole registry for `q` lists.
async fn searched(d: &dyn fupin_store::directory::Directory, q: &str) -> Vec<String> {
    let filter = fupin_store::directory::ListFilter {
        q: Some(q.into()),
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let page = d.list_households(&filter).await.unwrap();
    page.rows.into_iter().map(|r| r.number).collect()
}

#[test]
fn a_person_of_the_first_part_again_in_the_last_leaves_nothing() {
    on_both("stream_last_person", |repo, dir| async move {
        let mut rows = county(30);
        // The last household's child is the first household's head.
        let head = rows[0]["id_number"].clone();
        rows.last_mut().unwrap().insert("id_number", head);
        let path = dir.join("a.csv");
        write_csv(&path, &rows, true);
        let out = stream(repo.as_ref(), &path, 7, &options(d("2019-12-31"), "t"))
            .await
            .unwrap();
        assert!(!out.committed);
        assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
        let e = &out.errors[0];
        assert_eq!((e.row, e.code.as_str()), (91, "duplicate_person"));
        assert_eq!(e.household.as_deref(), Some("H00030"));
        assert!(e.en.contains("H00001"), "{}", e.en);
        assert_eq!(households(repo.as_ref()).await, 0);
    });
}

#[test]
fn an_unreadable_last_row_leaves_nothing() {
    on_both("stream_unreadable", |repo, dir| async move {
        // A last row that is no UTF-8 text, past the first MiB (which decides the encoding): the
        // file is read as it comes, and the import stops at that row.
        let opts = options(d("2019-12-31"), "t");
        let big = dir.join("big.csv");
        write_csv(&big, &county(3200), true);
        let mut bytes = std::fs::read(&big).unwrap();
        assert!(
            bytes.len() > 1 << 20,
            "the file must be past the sniffed MiB"
        );
        bytes.extend_from_slice(b"H09999,140525100201,\xff\xfe\n");
        std::fs::write(&big, bytes).unwrap();
        let e = stream(repo.as_ref(), &big, 500, &opts).await.unwrap_err();
        assert!(e.to_string().contains("row 9602"), "{e}");
        assert_eq!(households(repo.as_ref()).await, 0);
        assert!(repo.household("H00001").await.unwrap().is_none());
    });
}

#[test]
fn a_household_number_again_in_a_later_part_is_refused() {
    on_both("stream_repeat", |repo, dir| async move {
        let mut rows = county(20);
        // H00002's rows again at the end of the file (rows 62 to 64).
        let again: Vec<Row> = rows[3..6].to_vec();
        rows.extend(again);
        let path = dir.join("a.csv");
        write_csv(&path, &rows, true);
        let out = stream(repo.as_ref(), &path, 5, &options(d("2019-12-31"), "t"))
            .await
            .unwrap();
        assert!(!out.committed);
        let codes: Vec<_> = out
            .errors
            .iter()
            .map(|e| (e.row, e.code.as_str()))
            .collect();
        assert!(codes.contains(&(62, "duplicate_household")), "{codes:?}");
        assert_eq!(households(repo.as_ref()).await, 0);
    });
}

#[test]
fn a_person_moves_to_a_household_before_the_one_the_file_takes_them_out_of() {
    on_both("stream_move", |repo, dir| async move {
        first_import(repo.as_ref(), &dir, &county(12)).await;
        // H00001's child moves to H00012: H00012 comes first in the file, H00001 (without the
        // child) in a later part.
        let rows = county(12);
        let child = rows[2].clone();
        let mut file: Vec<Row> = rows[33..].to_vec();
        file.push(moved(&child, &rows[33]));
        file.extend(rows[..2].iter().cloned());
        file.extend(rows[3..33].iter().cloned());
        let path = dir.join("b.csv");
        write_csv(&path, &file, true);
        // One household a part: H00012 is judged at the end, after H00001 took the child out.
        let out = stream(repo.as_ref(), &path, 1, &options(d("2020-06-30"), "t"))
            .await
            .unwrap();
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!((out.updated, out.unchanged), (2, 10));
        let h12 = repo.household("H00012").await.unwrap().unwrap();
        assert!(h12
            .members
            .iter()
            .any(|m| m.id_number == child["id_number"]));
        assert_eq!(
            repo.household("H00001")
                .await
                .unwrap()
                .unwrap()
                .members
                .len(),
            2
        );
    });
}

/// Imports `rows` into the empty registry, in parts of 4 households.
async fn first_import(repo: &dyn Repository, dir: &Path, rows: &[Row]) {
    let path = dir.join("a.csv");
    write_csv(&path, rows, true);
    let opts = options(d("2019-12-31"), "t");
    let out = stream(repo, &path, 4, &opts).await.unwrap();
    assert!(out.committed, "{:?}", out.errors);
}

/// The ID numbers of the current members of household `number`.
async fn member_ids(repo: &dyn Repository, number: &str) -> Vec<String> {
    let h = repo.household(number).await.unwrap().unwrap();
    h.members.iter().map(|m| m.id_number.clone()).collect()
}

/// `row` (a member's) with the household columns of `into` (a row of another household).
fn moved(row: &Row, into: &Row) -> Row {
    let mut moved = row.clone();
    for (k, v) in into.iter() {
        if COLUMNS.iter().any(|c| c.household && c.key == *k) {
            moved.insert(k, v.clone());
        }
    }
    moved
}

#[test]
fn a_person_moves_out_of_a_household_still_waiting_for_its_own_move() {
    on_both("stream_move_pending", |repo, dir| async move {
        let rows = county(12);
        first_import(repo.as_ref(), &dir, &rows).await;
        // H00001 takes H00002's child (H00002, without the child, is the file's last household)
        // and gives its own child to H00011, which comes after H00001 in the file: when H00011 is
        // read, its new child's household (H00001) was had by an earlier part but waits for its
        // own move, so H00011 waits too.
        let (child1, child2) = (rows[2].clone(), rows[5].clone());
        let mut file: Vec<Row> = rows[0..2].to_vec();
        file.push(moved(&child2, &rows[0]));
        file.extend(rows[6..33].iter().cloned());
        file.push(moved(&child1, &rows[30]));
        file.extend(rows[33..36].iter().cloned());
        file.extend(rows[3..5].iter().cloned());
        let path = dir.join("b.csv");
        write_csv(&path, &file, true);
        // With --partial the households wait in memory (one that turns out wrong is left out, not
        // written); without, they are written at once and their people checked at the end.
        let mut opts = options(d("2020-06-30"), "t");
        opts.partial = true;
        opts.dry_run = true;
        let out = stream(repo.as_ref(), &path, 1, &opts).await.unwrap();
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!((out.updated, out.unchanged), (3, 9));
        let out = stream(repo.as_ref(), &path, 1, &options(d("2020-06-30"), "t"))
            .await
            .unwrap();
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!((out.updated, out.unchanged), (3, 9));
        assert!(member_ids(repo.as_ref(), "H00011")
            .await
            .contains(&child1["id_number"]));
        assert!(member_ids(repo.as_ref(), "H00001")
            .await
            .contains(&child2["id_number"]));
        assert!(!member_ids(repo.as_ref(), "H00001")
            .await
            .contains(&child1["id_number"]));
        assert_eq!(member_ids(repo.as_ref(), "H00002").await.len(), 2);
    });
}

#[test]
fn a_person_moved_in_but_still_in_their_household_at_the_end_leaves_nothing() {
    on_both("stream_move_refused", |repo, dir| async move {
        let rows = county(12);
        first_import(repo.as_ref(), &dir, &rows).await;
        let child = rows[2].clone();
        // H00001's child joins H00012 (the file's first household), and H00001 is not in the
        // file: the child is still H00001's at the end.
        let mut file: Vec<Row> = rows[33..36].to_vec();
        file.push(moved(&child, &rows[33]));
        file.extend(rows[3..33].iter().cloned());
        let path = dir.join("b.csv");
        write_csv(&path, &file, true);
        let out = stream(repo.as_ref(), &path, 2, &options(d("2020-06-30"), "t"))
            .await
            .unwrap();
        assert!(!out.committed);
        let errors: Vec<_> = out
            .errors
            .iter()
            .map(|e| (e.row, e.code.as_str(), e.household.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(errors, [(5, "duplicate_person", "H00012")]);
        assert_eq!(out.errors[0].value, child["id_number"]);
        assert!(out.errors[0].en.contains("H00001"), "{}", out.errors[0].en);
        assert_eq!((out.updated, out.skipped, out.unchanged), (0, 1, 10));
        assert_eq!(member_ids(repo.as_ref(), "H00012").await.len(), 3);
        assert!(member_ids(repo.as_ref(), "H00001")
            .await
            .contains(&child["id_number"]));
        // H00001 is in the file, later, and keeps the child: refused as well.
        file.extend(rows[0..3].iter().cloned());
        write_csv(&path, &file, true);
        let out = stream(repo.as_ref(), &path, 2, &options(d("2020-06-30"), "t"))
            .await
            .unwrap();
        assert!(!out.committed);
        assert!(
            out.errors
                .iter()
                .all(|e| e.code == "duplicate_person" && e.value == child["id_number"]),
            "{:?}",
            out.errors
        );
        assert!(!out.errors.is_empty());
        assert_eq!(member_ids(repo.as_ref(), "H00012").await.len(), 3);
        assert!(member_ids(repo.as_ref(), "H00001")
            .await
            .contains(&child["id_number"]));
    });
}

#[test]
fn a_partial_import_with_more_households_waiting_than_kept_is_refused() {
    on_both("stream_waiting", |repo, dir| async move {
        let rows = county(12);
        first_import(repo.as_ref(), &dir, &rows).await;
        // H00012 takes H00001's child and H00011 H00002's, both before the households the
        // children leave: with --partial both wait in memory for the end.
        let mut file: Vec<Row> = rows[33..36].to_vec();
        file.push(moved(&rows[2], &rows[33]));
        file.extend(rows[30..33].iter().cloned());
        file.push(moved(&rows[5], &rows[30]));
        file.extend(rows[0..2].iter().cloned());
        file.extend(rows[3..5].iter().cloned());
        file.extend(rows[6..30].iter().cloned());
        let path = dir.join("b.csv");
        write_csv(&path, &file, true);
        let mut opts = options(d("2020-06-30"), "t");
        opts.partial = true;
        opts.waiting_kept = 1;
        let e = stream(repo.as_ref(), &path, 1, &opts).await.unwrap_err();
        assert_eq!(e.code(), "too_many_waiting", "{e}");
        let StoreError::Rejected(row) = &e else {
            panic!("{e}")
        };
        // H00011's first row (the file's fifth line, after the header and H00012's four).
        assert_eq!((row.row, row.household.as_deref()), (6, Some("H00011")));
        assert!(!member_ids(repo.as_ref(), "H00012")
            .await
            .contains(&rows[2]["id_number"]));
        // Two may wait: imported.
        opts.waiting_kept = 2;
        let out = stream(repo.as_ref(), &path, 1, &opts).await.unwrap();
        assert!(out.committed && out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!((out.updated, out.unchanged), (4, 8));
        assert!(member_ids(repo.as_ref(), "H00012")
            .await
            .contains(&rows[2]["id_number"]));
    });
}

#[test]
fn a_file_with_more_errors_than_kept_counts_the_rest_and_leaves_nothing() {
    on_both("stream_errors_kept", |repo, dir| async move {
        // The heads of H00011 to H00020 are the heads of H00001 to H00010 again: ten people
        // registered twice, each found in a later part than the first.
        let mut rows = county(20);
        for k in 0..10 {
            let head = rows[3 * k]["id_number"].clone();
            rows[3 * (k + 10)].insert("id_number", head);
        }
        let path = dir.join("a.csv");
        write_csv(&path, &rows, true);
        let mut opts = options(d("2019-12-31"), "t");
        opts.errors_kept = 3;
        let out = stream(repo.as_ref(), &path, 5, &opts).await.unwrap();
        assert!(!out.committed);
        assert_eq!((out.errors.len(), out.errors_left_off), (3, 7));
        assert_eq!(out.error_count(), 10);
        // The first three found, in the file's order: H00011's head (row 32) and the next two.
        let kept: Vec<_> = out
            .errors
            .iter()
            .map(|e| (e.row, e.code.as_str(), e.household.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            kept,
            [
                (32, "duplicate_person", "H00011"),
                (35, "duplicate_person", "H00012"),
                (38, "duplicate_person", "H00013")
            ]
        );
        assert!(out.errors[0].en.contains("H00001"), "{}", out.errors[0].en);
        assert_eq!(households(repo.as_ref()).await, 0);
    });
}

/// A save of a household the running import has written waits for the import to commit, then is
/// refused as a conflict (it carries the version before the import): no lost update.
#[test]
fn a_second_writer_waits_for_a_streamed_import() {
    on_both("stream_writer", |repo, dir| async move {
        let path = dir.join("a.csv");
        write_csv(&path, &county(3), true);
        assert!(
            import_file(repo.as_ref(), &path, "2019-12-31")
                .await
                .committed
        );
        let mut first = county(3);
        set(&mut first, 1, "phone", "13700000001");
        let first = fupin_sheet::read_rows(rows_iter(&first), d("2020-01-31")).unwrap();
        let second = fupin_sheet::read_rows(rows_iter(&county(4)[9..]), d("2020-01-31")).unwrap();
        let (send, chunks) = tokio::sync::mpsc::channel(4);
        let part = |households| {
            Ok::<_, StoreError>(Chunk {
                households,
                ..Chunk::default()
            })
        };
        send.send(part(first.households)).await.unwrap();
        let written = Arc::new(AtomicBool::new(false));
        let mut opts = options(d("2020-01-31"), "t");
        let w = written.clone();
        opts.progress = Some(Arc::new(move |_| w.store(true, Ordering::SeqCst)));
        let sent = AtomicBool::new(false);
        let import = repo.import_stream(chunks, Vec::new(), &opts);
        let started = AtomicBool::new(false);
        let save = async {
            while !written.load(Ordering::SeqCst) {
                tokio::task::yield_now().await;
            }
            let mut h = repo.household("H00001").await.unwrap().unwrap();
            h.phone = Some("13600000001".into());
            let policy = fupin_core::PolicySet::builtin();
            started.store(true, Ordering::SeqCst);
            let saved = repo
                .save(
                    fupin_store::Incoming::new(h),
                    1,
                    d("2020-02-01"),
                    "clerk",
                    &policy,
                )
                .await;
            // The import cannot commit before its last part is sent: a save that finishes with
            // the last part not yet sent did not wait for it.
            (saved, sent.load(Ordering::SeqCst))
        };
        let rest = async {
            while !started.load(Ordering::SeqCst) {
                tokio::task::yield_now().await;
            }
            for _ in 0..50 {
                tokio::task::yield_now().await;
            }
            sent.store(true, Ordering::SeqCst);
            send.send(part(second.households)).await.unwrap();
            drop(send);
        };
        let (out, (saved, waited), ()) = futures_util::future::join3(import, save, rest).await;
        let out = out.unwrap();
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!((out.updated, out.created), (1, 1));
        assert!(
            waited,
            "the save finished before the import's last part: {saved:?}"
        );
        assert!(
            matches!(saved, Err(StoreError::Conflict { .. })),
            "{saved:?}"
        );
        let h = repo.household("H00001").await.unwrap().unwrap();
        assert_eq!(h.phone.as_deref(), Some("13700000001"));
        assert!(repo.household("H00004").await.unwrap().is_some());
    });
}

/// Rows as `read_rows` takes them: the Chinese header, then the cells.
fn rows_iter(rows: &[Row]) -> impl Iterator<Item = Result<Vec<String>, fupin_sheet::SheetError>> {
    let header: Vec<String> = COLUMNS.iter().map(|c| c.zh.to_string()).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            COLUMNS
                .iter()
                .map(|c| r.get(c.key).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    std::iter::once(header).chain(body).map(Ok)
}

#[test]
fn a_write_committed_while_an_import_runs_leaves_one_unbroken_audit_chain() {
    on_both("stream_chain", |repo, dir| async move {
        let first = dir.join("first.csv");
        write_csv(&first, &county(4), true);
        let out = stream(repo.as_ref(), &first, 10, &options(d("2019-12-31"), "t")).await;
        assert!(out.unwrap().committed);
        // A second import of eight more households in two parts; between them (the first part
        // written and its entries chained from the head), another writer commits a save.
        let mut rows = county(12);
        rows.retain(|r| r["household_number"].as_str() > "H00004");
        let second = dir.join("second.csv");
        write_csv(&second, &rows, true);
        let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut opts = options(d("2020-01-31"), "t");
        let seen = written.clone();
        opts.progress = Some(Arc::new(move |n| seen.store(n, Ordering::SeqCst)));
        let mut parts = fupin_sheet::stream_file(&second, opts.date, 4).expect("readable");
        let areas = std::mem::take(&mut parts.areas);
        let mut parts: Vec<Chunk> = parts
            .map(|p| {
                let p = p.unwrap();
                Chunk {
                    households: p.households,
                    errors: p.errors,
                    rows: p.rows,
                }
            })
            .collect();
        assert_eq!(parts.len(), 2);
        let (send, chunks) = tokio::sync::mpsc::channel(1);
        let other = crate::audit::store_of(repo.as_ref(), &dir, "stream_chain").await;
        let import = repo.import_stream(chunks, areas, &opts);
        let driver = async {
            send.send(Ok(parts.remove(0))).await.unwrap();
            while written.load(Ordering::SeqCst) < 4 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            if repo.backend() == fupin_store::Backend::Postgres {
                // SQLite has one writer: there the save would wait for the import.
                let mut h = other.household("H00001").await.unwrap().unwrap();
                h.phone = Some("13812345678".into());
                let policy = fupin_core::PolicySet::builtin();
                other
                    .save(
                        fupin_store::Incoming::new(h),
                        1,
                        d("2020-01-15"),
                        "clerk",
                        &policy,
                    )
                    .await
                    .unwrap();
            }
            send.send(Ok(parts.remove(0))).await.unwrap();
            drop(send);
        };
        let (out, ()) = futures_util::future::join(import, driver).await;
        let out = out.unwrap();
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!(out.created, 8);
        assert_eq!(crate::audit::verify_whole_chain(&other).await, 12);
        let db = other.db();
        // The import's entries follow the save's in the chain (the save committed first).
        let order: Vec<String> = db
            .query("SELECT entity_key FROM audit_log WHERE entity = 'household' ORDER BY seq")
            .fetch_all_scalar(db)
            .await
            .unwrap();
        let expected: Vec<String> = if repo.backend() == fupin_store::Backend::Postgres {
            ["H00001", "H00002", "H00003", "H00004", "H00001"]
                .iter()
                .map(|s| s.to_string())
                .chain((5..=12).map(hh))
                .collect()
        } else {
            (1..=12).map(hh).collect()
        };
        assert_eq!(order, expected);
    });
}
