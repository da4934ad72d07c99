//! A county office's half-year: last half-year's file, then this half-year's with exits, a return, a
//! removal, a birth and a death. The change report and the history tell exactly what happened.

use crate::common::*;
use fupin_sheet::read_file;
use fupin_store::model::ChangeReport;
use fupin_store::Repository;
use std::path::Path;
use std::sync::Arc;

async fn import(repo: &Arc<dyn Repository>, path: &Path, date: &str) -> fupin_store::ImportOutcome {
    import_file(repo.as_ref(), path, date).await
}

/// Last half-year: 200 households, 190 poor and 10 (H00191..H00200) already exited.
pub fn first_half() -> Vec<Row> {
    let mut rows = county(200);
    for i in 191..=200 {
        set(&mut rows, i, "status", "已脱贫");
    }
    rows
}

/// This half-year: H00001..H00010 exit, H00191 returns, H00050 is removed, a child is born in
/// H00020, the head of H00030 dies.
pub fn second_half() -> Vec<Row> {
    let mut rows = first_half();
    for i in 1..=10 {
        set(&mut rows, i, "status", "已脱贫");
    }
    set(&mut rows, 191, "status", "返贫");
    set(&mut rows, 50, "status", "清退");
    set(&mut rows, 50, "status_reason", "家庭成员为财政供养人员");
    let mut baby = rows_of(&mut rows, 20).next().unwrap().clone();
    baby.insert("id_number", id(d("2020-03-08"), 1));
    baby.insert("name", "张宝宝".into());
    baby.insert("relation", "子女".into());
    baby.insert("school_status", "非在校生".into());
    baby.insert("labor", "无劳动力".into());
    let at = rows
        .iter()
        .position(|r| r["household_number"] == hh(21))
        .unwrap();
    rows.insert(at, baby);
    let head = rows_of(&mut rows, 30).next().unwrap();
    head.insert("leave_reason", "死亡".into());
    rows
}

#[test]
fn a_half_year_of_dynamic_management() {
    on_both("half_year", |repo, dir| async move {
        let a = dir.join("2019H2.csv");
        write_csv(&a, &first_half(), true);
        let out = import(&repo, &a, "2019-12-31").await;
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!((out.created, out.committed), (200, true));

        let b = dir.join("2020H1.csv");
        write_csv(&b, &second_half(), true);
        let out = import(&repo, &b, "2020-06-30").await;
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        // 10 exits, 1 return, 1 removal, 1 birth, 1 death.
        assert_eq!((out.created, out.updated, out.unchanged), (0, 14, 186));

        let report = repo
            .change_report(d("2020-01-01"), d("2020-06-30"), "1405")
            .await
            .unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "from": "2020-01-01", "to": "2020-06-30", "area": "1405",
                "households": {"identified": 0, "exited": 10, "returned": 1, "removed": 1},
                "people": {"identified": 0, "exited": 30, "returned": 3, "removed": 3,
                           "natural_increase": 1, "natural_decrease": 1},
                "end": {"poor": {"households": 179, "people": 537},
                        "exited": {"households": 19, "people": 57},
                        "returned": {"households": 1, "people": 3},
                        "removed": {"households": 1, "people": 3}}
            })
        );
        // Last half-year: the 190 poor households were identified; the 10 exited ones only recorded.
        let ChangeReport {
            households,
            people,
            end,
            ..
        } = repo
            .change_report(d("2019-07-01"), d("2019-12-31"), "140525")
            .await
            .unwrap();
        assert_eq!((households.identified, people.identified), (190, 570));
        assert_eq!((end.poor.households, end.exited.households), (190, 10));
        // One village only: households 1 + i % 10 == 1, i.e. H00010, H00020, ... (20 of them).
        let v = repo
            .change_report(d("2020-01-01"), d("2020-06-30"), "140525100201")
            .await
            .unwrap();
        assert_eq!((v.households.exited, v.people.natural_increase), (1, 1));

        // History: the death on 2020-06-30, the household before and after.
        let before = repo.history("H00030", Some(d("2020-01-15"))).await.unwrap();
        assert_eq!(before.status.to_string(), "poor");
        assert_eq!(before.members.len(), 3);
        let after = repo.history("H00030", Some(d("2020-06-30"))).await.unwrap();
        assert_eq!(after.members.len(), 2);
        let death = after
            .events
            .iter()
            .find(|e| e.kind == "member_left")
            .unwrap();
        assert_eq!(
            (death.detail.as_deref(), death.date),
            (Some("death"), d("2020-06-30"))
        );
        let born = repo.history("H00020", None).await.unwrap();
        let birth = born
            .events
            .iter()
            .find(|e| e.kind == "member_joined")
            .unwrap();
        assert_eq!(birth.detail.as_deref(), Some("birth"));
        assert_eq!(born.members.len(), 4);
        let exited = repo.history("H00001", Some(d("2020-03-01"))).await.unwrap();
        assert_eq!(exited.status.to_string(), "poor");
        let exited = repo.history("H00001", None).await.unwrap();
        assert_eq!(exited.status.to_string(), "exited");
        let kinds: Vec<_> = exited
            .events
            .iter()
            .map(|e| (e.kind.as_str(), e.date))
            .collect();
        assert_eq!(
            kinds,
            vec![("identified", d("2019-12-31")), ("exited", d("2020-06-30"))]
        );
        let removed = repo.history("H00050", None).await.unwrap();
        assert_eq!(
            removed.events[1].reason.as_deref(),
            Some("家庭成员为财政供养人员")
        );
        // Before it was registered there is no history.
        assert!(repo.history("H00001", Some(d("2019-01-01"))).await.is_err());

        // Importing the same file again changes nothing.
        let out = import(&repo, &b, "2020-07-01").await;
        assert_eq!((out.updated, out.unchanged, out.events), (0, 200, 0));
    });
}

#[test]
fn one_broken_id_among_thousands_changes_nothing_and_names_the_row() {
    on_both("broken_id", |repo, dir| async move {
        let mut rows = county(1000);
        let good = dir.join("good.csv");
        write_csv(&good, &rows[..300], true);
        assert!(import(&repo, &good, "2019-12-31").await.committed);
        // Row 1235 of the file (the header is row 1): a wrong check character.
        let bad = rows[1233].get_mut("id_number").unwrap();
        let last = if bad.ends_with('0') { '1' } else { '0' };
        bad.pop();
        bad.push(last);
        let broken_id = bad.clone();
        set(&mut rows, 7, "status", "已脱贫");
        let path = dir.join("broken.csv");
        write_csv(&path, &rows, true);
        let out = import(&repo, &path, "2020-06-30").await;
        assert!(!out.committed);
        assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
        let e = &out.errors[0];
        assert_eq!(
            (e.row, e.column.as_str(), e.code.as_str()),
            (1235, "证件号码", "id_checksum")
        );
        assert_eq!(e.value, broken_id);
        assert_eq!(e.household.as_deref(), Some("H00412"));
        assert!(e.zh.contains("校验位") && e.en.contains("check character"));
        // Nothing changed: still 100 households, H00007 still poor.
        assert!(repo.household("H00500").await.unwrap().is_none());
        assert_eq!(status_of(&repo, "H00007").await, "poor");
        let r = repo
            .change_report(d("2019-01-01"), d("2020-12-31"), "")
            .await
            .unwrap();
        assert_eq!((r.end.poor.households, r.households.exited), (100, 0));

        // The error report names the row, in XLSX and CSV.
        for ext in ["xlsx", "csv"] {
            let report = dir.join(format!("errors.{ext}"));
            fupin_sheet::write_error_report(&report, &out.errors).unwrap();
            let back = read_sheet(&report);
            assert_eq!(
                back[1][..4],
                [
                    "1235".to_string(),
                    "证件号码".into(),
                    broken_id.clone(),
                    "id_checksum".into()
                ]
            );
        }

        // --partial imports the other 999 households and skips the broken one.
        let read = read_file(&path, d("2020-06-30")).unwrap();
        let mut opts = options(d("2020-06-30"), "县扶贫办");
        opts.partial = true;
        let out = import_read(repo.as_ref(), read, &opts).await.unwrap();
        assert!(out.committed);
        assert_eq!((out.created, out.updated, out.skipped), (899, 1, 1));
        assert!(repo.household("H00412").await.unwrap().is_none());
        assert_eq!(status_of(&repo, "H00007").await, "exited");
    });
}

/// Reads the first sheet of an XLSX or CSV file as strings.
pub fn read_sheet(path: &Path) -> Vec<Vec<String>> {
    if path.extension().unwrap() == "csv" {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap();
        return r
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
    }
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn an_unchanged_household_is_left_alone_however_its_money_is_written() {
    on_both("unchanged", |repo, dir| async move {
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &county(5), "2019-12-31").await;
        assert_eq!(out.created, 5);
        let mut rows = county(5);
        set(&mut rows, 2, "wage", "15000");
        set(&mut rows, 3, "wage", "15001");
        let out = import_rows(repo.as_ref(), &dir, "b.csv", &rows, "2020-06-30").await;
        assert_eq!(
            (out.created, out.updated, out.unchanged, out.events),
            (0, 1, 4, 1)
        );
        let h = repo.history("H00003", None).await.unwrap();
        assert_eq!(h.events.last().unwrap().detail.as_deref(), Some("income"));
        assert_eq!(repo.household("H00003").await.unwrap().unwrap().version, 2);
        assert_eq!(repo.household("H00002").await.unwrap().unwrap().version, 1);
    });
}

#[test]
fn dry_run_validates_and_changes_nothing() {
    on_both("dry_run", |repo, dir| async move {
        let path = dir.join("a.csv");
        write_csv(&path, &county(20), false);
        let read = read_file(&path, d("2019-12-31")).unwrap();
        let mut opts = options(d("2019-12-31"), "t");
        opts.dry_run = true;
        let out = import_read(repo.as_ref(), read, &opts).await.unwrap();
        assert_eq!((out.created, out.committed), (20, false));
        assert!(repo.household("H00001").await.unwrap().is_none());
    });
}

/// An import stopped inside its transaction, after writing every row and before committing
/// (`Interrupt::Fail`), leaves households, members, events, the audit log and the roll-ups as
/// they were; the same import, not stopped, then commits.
#[test]
fn an_interrupted_import_changes_nothing() {
    on_both("interrupted", |repo, dir| async move {
        let path = dir.join("a.csv");
        write_csv(&path, &county(5), true);
        assert!(import(&repo, &path, "2019-12-31").await.committed);
        let before = repo.history("H00001", None).await.unwrap();
        let report = repo.year_report(2020, "140525").await.unwrap();
        // H00001 exits, H00002's head dies, three households are new.
        let mut rows = county(8);
        set(&mut rows, 1, "status", "已脱贫");
        let head = rows_of(&mut rows, 2).next().unwrap();
        head.insert("leave_reason", "死亡".into());
        let path = dir.join("b.csv");
        write_csv(&path, &rows, true);
        let read = || read_file(&path, d("2020-06-30")).unwrap();
        let mut opts = options(d("2020-06-30"), "t");
        opts.interrupt = Some(fupin_store::Interrupt::Fail);
        let e = import_read(repo.as_ref(), read(), &opts).await.unwrap_err();
        assert!(e.to_string().contains("interrupted"), "{e}");
        assert!(repo.household("H00006").await.unwrap().is_none());
        assert_eq!(repo.history("H00001", None).await.unwrap(), before);
        assert_eq!(repo.history("H00002", None).await.unwrap().members.len(), 3);
        assert_eq!(repo.audit("H00001").await.unwrap().len(), 1);
        assert_eq!(repo.year_report(2020, "140525").await.unwrap(), report);
        opts.interrupt = None;
        let out = import_read(repo.as_ref(), read(), &opts).await.unwrap();
        assert_eq!((out.created, out.updated, out.committed), (3, 2, true));
        assert_eq!(status_of(&repo, "H00001").await, "exited");
        let report = repo.year_report(2020, "140525").await.unwrap();
        assert_eq!(
            (report.households.exited, report.people.natural_decrease),
            (1, 1)
        );
    });
}

#[test]
fn a_person_already_in_another_household_is_refused() {
    on_both("duplicate_person", |repo, dir| async move {
        let path = dir.join("a.csv");
        write_csv(&path, &county(3), true);
        assert!(import(&repo, &path, "2019-12-31").await.committed);
        // H00004 (new) lists H00001's head; H00001 is not in this file.
        let mut rows = county(4).split_off(9);
        let stolen = county(1)[0]["id_number"].clone();
        rows[1].insert("id_number", stolen.clone());
        let path = dir.join("b.csv");
        write_csv(&path, &rows, true);
        let out = import(&repo, &path, "2020-06-30").await;
        assert!(!out.committed);
        assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
        assert_eq!(
            (out.errors[0].row, out.errors[0].code.as_str()),
            (3, "duplicate_person")
        );
        assert!(out.errors[0].zh.contains("H00001"));
        // The same person twice in one file.
        let mut rows = county(2);
        let first = rows[0]["id_number"].clone();
        rows[4].insert("id_number", first);
        let path = dir.join("c.csv");
        write_csv(&path, &rows, true);
        let read = read_file(&path, d("2020-06-30")).unwrap();
        assert_eq!(read.errors.len(), 1);
        assert_eq!(
            (read.errors[0].row, read.errors[0].code.as_str()),
            (6, "duplicate_person")
        );
    });
}
