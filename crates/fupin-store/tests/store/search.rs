//! Search by name or part of an ID number (issue 10, migration 10's indexes), on both backends:
//! found by part of a name and of an ID number, not found outside the searcher's area, and current
//! after a write.

use crate::audit::store_of;
use crate::common::{county, d, hh, id, import_rows, on_both, rows_of};
use crate::directory::directory_of;
use fupin_store::directory::{Directory, ListFilter};
use fupin_store::Backend;

/// The household numbers a search of `q` in `area` lists, and its total.
async fn found(d: &dyn Directory, area: &str, q: &str) -> (u64, Vec<String>) {
    let page = d
        .list_households(&ListFilter {
            area: area.into(),
            q: Some(q.into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!page.more, "{q}");
    (
        page.total,
        page.rows.into_iter().map(|r| r.number).collect(),
    )
}

#[test]
fn search_finds_names_and_id_numbers_in_the_area_and_follows_writes() {
    on_both("search", |repo, dir| async move {
        // 30 households of three (张i, 李i, 张小i) in villages 140525100201..210 (i % 10 + 1).
        let mut rows = county(30);
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &rows, "2019-12-31").await;
        assert!(out.committed, "{:?}", out.errors);
        if repo.backend() == Backend::Sqlite {
            // The first import filled the search index in large segments without merging them
            // (issue 16); later writes merge it as FTS5 does by default again.
            let store = store_of(repo.as_ref(), &dir, "search").await;
            let db = store.db();
            let settings: Vec<(String, i64)> = db
                .query("SELECT k, v FROM member_search_config WHERE k <> 'version' ORDER BY k")
                .fetch_all_as(db)
                .await
                .unwrap();
            let defaults = [("automerge", 4), ("crisismerge", 16), ("hashsize", 1 << 20)];
            let defaults: Vec<(String, i64)> =
                defaults.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            assert_eq!(settings, defaults);
        }
        let dir_ = directory_of(repo.as_ref(), &dir, "search").await;
        let s = dir_.as_ref();

        // Part of a name (three characters or more: trigrams), at its start or inside it.
        assert_eq!(found(s, "140525", "张小7").await, (1, vec![hh(7)]));
        assert_eq!(found(s, "140525", "小12").await, (1, vec![hh(12)]));
        assert_eq!(found(s, "14", "李29").await, (1, vec![hh(29)]));
        // One or two characters: names equal to them or starting with them.
        assert_eq!(found(s, "140525", "李").await.0, 30);
        assert_eq!(found(s, "140525", "张小").await.0, 30);
        assert_eq!(found(s, "", "李3").await, (2, vec![hh(30), hh(3)]));
        assert_eq!(found(s, "140525", "小1").await.0, 0);
        // Part of an ID number (the spouse of household 12: born 1972-03-01, sequence 012), with a
        // lower-case x taken as the check character X; the whole household number.
        assert_eq!(found(s, "140525", "19720301012").await, (1, vec![hh(12)]));
        assert_eq!(found(s, "", "19720301012").await, (1, vec![hh(12)]));
        let spouse = id(d("1972-03-01"), 12);
        assert_eq!(
            found(s, "14", &spouse.to_lowercase()).await,
            (1, vec![hh(12)])
        );
        assert_eq!(found(s, "140525", &hh(12)).await, (1, vec![hh(12)]));
        // Everyone born in 1972 (every spouse): 30 households, in the list's order.
        let (total, numbers) = found(s, "1405", "1972030").await;
        assert_eq!(total, 30);
        let mut sorted = numbers.clone();
        sorted.sort_by_key(|n| {
            let i: usize = n[1..].parse().unwrap();
            (i % 10, i)
        });
        assert_eq!(numbers, sorted);
        // A whole birth date (8 digits, a date): the people born that day, by their own index
        // (migration 17), within the area: the spouses of households 2, 12 and 22 in village 203.
        let (total, numbers) = found(s, "140525100203", "19720301").await;
        assert_eq!(total, 3);
        assert!(numbers.contains(&hh(12)) && numbers.contains(&hh(22)));
        assert_eq!(found(s, "", "19720301").await.0, 30);
        assert_eq!(found(s, "15", "19720301").await.0, 0);

        // Scoped: household 12 lives in village 140525100203; from another village or county it is
        // not there, by name or by ID number.
        assert_eq!(found(s, "140525100203", "张小12").await, (1, vec![hh(12)]));
        assert_eq!(found(s, "140525100204", "张小12").await, (0, vec![]));
        assert_eq!(found(s, "140525100204", "19720301012").await, (0, vec![]));
        assert_eq!(found(s, "140526", "李12").await, (0, vec![]));
        assert_eq!(found(s, "140526", "李").await, (0, vec![]));
        assert_eq!(found(s, "15", "19720301012").await, (0, vec![]));

        // After a write: household 5's child is renamed, household 6's head dies (leaves).
        for r in rows_of(&mut rows, 5) {
            if r["name"] == "张小5" {
                r.insert("name", "王小明".into());
            }
        }
        rows_of(&mut rows, 6)
            .next()
            .unwrap()
            .insert("leave_reason", "死亡".into());
        let out = import_rows(repo.as_ref(), &dir, "b.csv", &rows, "2020-06-30").await;
        assert!(out.committed, "{:?}", out.errors);
        assert_eq!(found(s, "140525", "王小明").await, (1, vec![hh(5)]));
        assert_eq!(found(s, "", "王").await, (1, vec![hh(5)]));
        assert_eq!(found(s, "140525", "张小5").await, (0, vec![]));
        assert_eq!(found(s, "140525", "张6").await, (0, vec![]));
        let head6 = id(d("1970-01-01"), 6);
        assert_eq!(found(s, "", &head6[6..14]).await.0, 29);
        assert_eq!(found(s, "", &head6).await, (0, vec![]));
        assert_eq!(found(s, "", "李6").await, (1, vec![hh(6)]));
    });
}

#[test]
fn a_search_stops_at_its_limit_and_says_so() {
    on_both("search_limit", |repo, dir| async move {
        // 501 households: 张i and 张小i in each (1,002 names starting with 张), one 李i.
        let out = import_rows(repo.as_ref(), &dir, "a.csv", &county(501), "2019-12-31").await;
        assert!(out.committed, "{:?}", out.errors);
        let dir_ = directory_of(repo.as_ref(), &dir, "search_limit").await;
        let filter = |q: &str, page| ListFilter {
            area: "14".into(),
            q: Some(q.into()),
            page,
            per_page: 50,
            ..Default::default()
        };
        let li = dir_.list_households(&filter("李", 11)).await.unwrap();
        assert_eq!((li.total, li.rows.len(), li.more), (501, 1, false));
        let zhang = dir_.list_households(&filter("张", 1)).await.unwrap();
        assert!(zhang.more, "1,002 matching names: stopped at 1,000");
        assert!((500..=501).contains(&zhang.total), "{}", zhang.total);
        assert_eq!(zhang.rows.len(), 50);
    });
}
