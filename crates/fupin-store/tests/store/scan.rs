//! `scan::households` and `scan::all_areas`: the whole-registry read on both backends.

use crate::common::{county, d, on_both, write_csv};
use fupin_store::file::{import_read, read_file};
use fupin_store::{Backend, ImportOptions};

#[test]
fn scan_streams_every_household_with_its_current_members() {
    on_both("scan", |repo, dir| async move {
        let url = match repo.backend() {
            Backend::Sqlite => format!("sqlite:{}", dir.join("registry.db").display()),
            Backend::Postgres => {
                let base = std::env::var("DATABASE_URL").unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                format!(
                    "{base}{sep}options=-csearch_path%3Dt_scan_{}",
                    std::process::id()
                )
            }
        };
        let rows = county(30);
        let path = dir.join("c.csv");
        write_csv(&path, &rows, true);
        let read = read_file(&path, d("2019-12-31")).unwrap();
        let opts = ImportOptions::new(d("2019-12-31"), "test");
        assert!(
            import_read(repo.as_ref(), read, &opts)
                .await
                .unwrap()
                .committed
        );
        let mut people = 0;
        let mut seen = Vec::new();
        let n = fupin_store::scan::households(&url, "", &mut |h| {
            people += h.members.len();
            seen.push(h);
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!((n, people), (30, 90));
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
        let mut m = 0;
        let n = fupin_store::scan::households(&url, "140525100201", &mut |h| {
            m += h.members.len();
            assert_eq!(h.area.as_str(), "140525100201");
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!((n, m), (3, 9));
        let areas = fupin_store::scan::all_areas(&url).await.unwrap();
        assert!(areas
            .iter()
            .any(|a| a.code == "140525100201" && a.level == "village"));
    });
}
