//! `scan::households` and `scan::all_areas`: the whole-registry read on both backends.

use crate::common::{county, d, import_read, import_rows, on_both, options, write_csv};
use crate::registry::{first_half, second_half};
use fupin_sheet::read_file;
use fupin_store::Backend;

#[test]
fn scan_streams_every_household_with_its_current_members() {
    on_both("scan", |repo, dir| async move {
        let url = url_of(repo.as_ref(), &dir, "scan");
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &county(30), "2019-12-31").await;
        assert!(out.committed);
        // The scan reads through the opened store (its own connections, no URL).
        let store = fupin_store::SqlStore::open(&url).await.unwrap();
        // Two workers, each with its own list.
        let (lists, n) = fupin_store::scan::households(&store, "", 2, Vec::new, |seen, h| {
            seen.push(h.clone());
            Ok(())
        })
        .unwrap();
        let seen: Vec<_> = lists.into_iter().flatten().collect();
        let people: usize = seen.iter().map(|h| h.members.len()).sum();
        assert_eq!((n, people, seen.len()), (30, 90, 30));
        // The same household as the repository's own read gives to the rules (names aside).
        for h in &seen {
            let stored = repo
                .household(&h.id)
                .await
                .unwrap()
                .unwrap()
                .to_core()
                .unwrap();
            assert_eq!(h.income, stored.income);
            assert_eq!(h.rigid_expense, stored.rigid_expense);
            assert_eq!(
                (h.status, h.housing_grade, h.water),
                (stored.status, stored.housing_grade, stored.water)
            );
            let ids = |x: &fupin_core::model::Household| {
                x.members
                    .iter()
                    .map(|m| (m.id_number.clone(), m.school_status, m.medical_insured))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ids(h), ids(&stored));
        }
        // One village of the ten.
        let (m, n) = fupin_store::scan::households(
            &store,
            "140525100201",
            1,
            || 0,
            |m, h| {
                *m += h.members.len();
                assert_eq!(h.area.as_str(), "140525100201");
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((n, m), (3, vec![9]));
        // A rule error stops the scan and is reported as such.
        let err =
            fupin_store::scan::households(&store, "", 2, || (), |_, _| Err("no policy".into()))
                .unwrap_err();
        assert!(err.to_string().contains("no policy"), "{err}");
        // An area prefix is digits only (it goes into the scan's SQL).
        assert!(
            fupin_store::scan::households(&store, "14' OR 1=1", 1, || (), |_, _| Ok(())).is_err()
        );
        let areas = fupin_store::scan::all_areas(&store).await.unwrap();
        assert!(areas
            .iter()
            .any(|a| a.code == "140525100201" && a.level == fupin_core::AreaLevel::Village));
    });
}

/// The URL of the database `on_both` gave the test (PostgreSQL: its schema).
pub(crate) fn url_of(
    repo: &dyn fupin_store::Repository,
    dir: &std::path::Path,
    name: &str,
) -> String {
    match repo.backend() {
        Backend::Sqlite => format!("sqlite:{}", dir.join("registry.db").display()),
        Backend::Postgres => {
            let base = std::env::var("DATABASE_URL").unwrap();
            let sep = if base.contains('?') { '&' } else { '?' };
            format!(
                "{base}{sep}options=-csearch_path%3Dt_{name}_{}",
                std::process::id()
            )
        }
    }
}

#[test]
fn dashboard_rollups_equal_the_figures_computed_from_the_rows() {
    on_both("rollups", |repo, dir| async move {
        let url = url_of(repo.as_ref(), &dir, "rollups");
        let (_, directory) = fupin_store::directory::open_both(&url).await.unwrap();
        let areas = [
            "",
            "14",
            "1405",
            "140525",
            "140525100",
            "140525100201",
            "140525100205",
        ];
        let check = |label: &'static str| {
            let (repo, directory) = (repo.clone(), directory.clone());
            async move {
                for area in areas {
                    // The household list's totals (from the roll-ups) count its rows.
                    for (status, monitoring) in
                        [("", ""), ("poor", ""), ("exited", ""), ("", "unstable")]
                    {
                        let filter = fupin_store::directory::ListFilter {
                            area: area.to_string(),
                            status: fupin_core::CodeList::parse(status),
                            monitoring: fupin_core::CodeList::parse(monitoring),
                            page: 1,
                            per_page: 500,
                            ..Default::default()
                        };
                        let page = directory.list_households(&filter).await.unwrap();
                        assert_eq!(
                            page.total as usize,
                            page.rows.len(),
                            "{label}: list {area:?} {status} {monitoring}"
                        );
                        assert!(page
                            .rows
                            .iter()
                            .all(|r| status.is_empty() || r.status == status));
                    }
                    let rolled = directory.figures(area).await.unwrap();
                    let scanned = directory.figures_scan(area).await.unwrap();
                    assert_eq!(rolled, scanned, "{label}: figures of {area:?}");
                    // Before any event, the years of the events, and years later (the stock carried on).
                    for year in [2018, 2019, 2020, 2027] {
                        let rolled = repo.year_report(year, area).await.unwrap();
                        let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
                        let to = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
                        let scanned = repo.change_report(from, to, area).await.unwrap();
                        assert_eq!(rolled, scanned, "{label}: {year} report of {area:?}");
                    }
                }
            }
        };
        // A village's rural population recorded before its households come: a first import
        // into a registry without households sums its villages' roll-ups as it writes them
        // (`rollup::Computed`) and must keep it.
        directory
            .upsert_area(&fupin_store::directory::Area {
                code: "140525100205".into(),
                name: "五村".into(),
                level: fupin_core::AreaLevel::Village,
                parent: Some("140525100000".into()),
                region: None,
                rural_population: Some(1000),
            })
            .await
            .unwrap();
        assert_eq!(
            directory.figures("14").await.unwrap().rural_population,
            Some(1000)
        );
        // Streamed in parts of 7 households as `fupin import` does: each village's households
        // come in several parts.
        let a = dir.join("2019H2.csv");
        write_csv(&a, &first_half(), true);
        let opts = options(d("2019-12-31"), "test");
        let out = crate::stream::stream(repo.as_ref(), &a, 7, &opts)
            .await
            .unwrap();
        assert!(out.committed, "{:?}", out.errors);
        check("after the first import").await;
        let figures = directory.figures("140525").await.unwrap();
        assert_eq!(figures.sub_areas.len(), 1);
        assert_eq!(figures.sub_areas[0].households, 200);
        // A deferred import leaves the roll-ups marked (reads never write); the caller's refresh
        // brings them up to date.
        let b = dir.join("2020H1.csv");
        write_csv(&b, &second_half(), true);
        let read = read_file(&b, d("2020-06-30")).unwrap();
        let mut opts = options(d("2020-06-30"), "test");
        opts.defer_rollups = true;
        assert!(
            import_read(repo.as_ref(), read, &opts)
                .await
                .unwrap()
                .committed
        );
        assert_eq!(repo.refresh_rollups().await.unwrap(), 10);
        check("after a deferred import").await;
        let r = repo.year_report(2020, "1405").await.unwrap();
        assert_eq!((r.households.exited, r.people.exited), (10, 30));
        assert_eq!(directory.last_event_year("1405").await.unwrap(), Some(2020));
        // A village's rural population reaches every level above it.
        let mut v = directory.area("140525100201").await.unwrap().unwrap();
        v.rural_population = Some(1234);
        directory.upsert_area(&v).await.unwrap();
        check("after a rural population").await;
        assert_eq!(
            directory.figures("14").await.unwrap().rural_population,
            Some(1000 + 1234)
        );
        assert_eq!(repo.refresh_rollups().await.unwrap(), 0);
    });
}

/// The UPDATE of migration 4 that fills the rule facts of a registry written before it, as the
/// migration runner gives it to `backend`.
fn backfill_sql(backend: Backend) -> String {
    let text = fupin_store::migrate::sql(backend, 4).unwrap();
    let start = text.find("UPDATE household SET").unwrap();
    let end = start + text[start..].find(";\n").unwrap();
    text[start..end].to_string()
}

/// What the rule facts of each household are, by number.
type Facts = Vec<(String, i64, String, Option<String>)>;

#[test]
fn the_migration_fills_the_rule_facts_as_every_write_keeps_them() {
    on_both("backfill", |repo, dir| async move {
        let url = url_of(repo.as_ref(), &dir, "backfill");
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &county(30), "2019-12-31").await;
        assert!(out.committed);
        let store = fupin_store::SqlStore::open(&url).await.unwrap();
        let db = store.db();
        let facts =
            "SELECT number, people, rule_members, rule_income FROM household ORDER BY number";
        let written: Facts = db.query(facts).fetch_all_as(db).await.unwrap();
        assert_eq!(written.len(), 30);
        assert!(written.iter().all(|(_, n, m, i)| *n == 3
            && m.split(';').count() == 3
            && i.as_deref().is_some_and(|i| i.starts_with("2019,"))));
        db.query("UPDATE household SET people = 0, rule_members = '', rule_income = NULL")
            .execute(db)
            .await
            .unwrap();
        let backfill = backfill_sql(db.backend());
        db.query(&backfill).execute(db).await.unwrap();
        let filled: Facts = db.query(facts).fetch_all_as(db).await.unwrap();
        assert_eq!(filled, written);
    });
}
