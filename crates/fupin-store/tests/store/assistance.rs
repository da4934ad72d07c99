//! Plans and measures of household assistance on both backends: recorded, audited in the
//! household's trail, read back exactly; the gaps check over the registry and the measures of a
//! period, each within an area prefix.

use crate::common::{county, hh, id, import_rows, on_both, set};
use crate::directory::directory_of;
use chrono::NaiveDate;
use fupin_core::assistance::{Gap, Measure, MeasureKind, Plan, PlanPath};
use fupin_core::money::fmt2;
use fupin_core::CodeList;
use fupin_core::Decimal;
use fupin_store::assistance::Owner;
use fupin_store::directory::Pairing;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The head (seq 0) and spouse (seq 1) of test household `i` of `county`: ordinary labourers.
fn head(i: usize) -> String {
    id(d("1970-01-01"), i)
}
fn spouse(i: usize) -> String {
    id(d("1972-03-01"), i)
}

fn owner(i: usize) -> (String, String) {
    (format!("1405251002{:02}", 1 + i % 10), hh(i))
}

fn measure(i: usize, person: Option<String>, kind: MeasureKind, date: &str, yuan: i64) -> Measure {
    Measure {
        household: hh(i),
        person,
        kind,
        date: d(date),
        amount: Decimal::from(yuan),
        provider: "县人社局".into(),
        fund: None,
    }
}

#[test]
fn plans_and_measures_are_kept_audited_and_checked_for_gaps() {
    on_both("assistance", |repo, dir| async move {
        let mut rows = county(4);
        set(&mut rows, 3, "housing_grade", "D");
        set(&mut rows, 4, "status", "已脱贫");
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2019-12-31").await;
        assert!(out.committed);
        let db = directory_of(repo.as_ref(), &dir, "assistance").await;
        let (a1, n1) = owner(1);
        let o1 = Owner {
            area_code: &a1,
            number: &n1,
        };
        let plan = Plan {
            household: hh(1),
            year: 2020,
            paths: vec![PlanPath::Industry, PlanPath::Education],
            target: "年人均纯收入超过 5000 元".into(),
        };
        db.save_plan(o1, &plan, "dongou").await.unwrap();
        // Saving again replaces the plan of the year.
        let plan = Plan {
            target: "年人均纯收入超过 6000 元".into(),
            ..plan
        };
        db.save_plan(o1, &plan, "dongou").await.unwrap();
        assert_eq!(db.plans(o1).await.unwrap(), vec![plan]);

        let post = measure(
            1,
            Some(head(1)),
            MeasureKind::PublicWelfarePost,
            "2020-03-01",
            6000,
        );
        let id1 = db.add_measure(o1, &post, "dongou").await.unwrap();
        for p in [head(1), spouse(1)] {
            let t = measure(1, Some(p), MeasureKind::SkillsTraining, "2019-05-01", 0);
            db.add_measure(o1, &t, "dongou").await.unwrap();
        }
        // Recorded in error, then removed.
        let wrong = measure(1, None, MeasureKind::Dibao, "2020-04-01", 999);
        let wrong_id = db.add_measure(o1, &wrong, "dongou").await.unwrap();
        assert!(db.remove_measure(o1, wrong_id, "dongou").await.unwrap());
        assert!(!db.remove_measure(o1, wrong_id, "dongou").await.unwrap());
        let stored = db.measures(o1).await.unwrap();
        assert_eq!(stored.len(), 3);
        assert_eq!(stored[2].id, id1);
        assert_eq!(stored[2].measure, post);
        assert_eq!(fmt2(stored[2].measure.amount), "6000.00");
        assert_eq!(stored[2].recorded_by, "dongou");

        // Household 3: a D-grade house relocated in 2018, a measure after the date (not counted).
        let (a3, n3) = owner(3);
        let o3 = Owner {
            area_code: &a3,
            number: &n3,
        };
        let moved = measure(3, None, MeasureKind::Relocation, "2018-10-01", 60000);
        db.add_measure(o3, &moved, "dongou").await.unwrap();
        let late = measure(3, Some(head(3)), MeasureKind::Employment, "2020-07-01", 0);
        db.add_measure(o3, &late, "dongou").await.unwrap();

        let trail = db.audit_trail(&a1, &n1).await.unwrap();
        let mine: Vec<(&str, &str)> = trail
            .iter()
            .filter(|t| t.entity.starts_with("assistance"))
            .map(|t| (t.entity.as_str(), t.action.as_str()))
            .collect();
        assert_eq!(
            mine,
            [
                ("assistance_plan", "save"),
                ("assistance_plan", "save"),
                ("assistance_measure", "create"),
                ("assistance_measure", "create"),
                ("assistance_measure", "create"),
                ("assistance_measure", "create"),
                ("assistance_measure", "delete"),
            ]
        );

        let out = db.assistance_check("1405", d("2020-06-30")).await.unwrap();
        let ids: Vec<&str> = out.households.iter().map(|h| h.id.as_str()).collect();
        // Household 4 has exited and is not monitored: not in scope.
        assert_eq!(ids, [hh(1), hh(2), hh(3)]);
        let gaps = |i: usize| -> Vec<(String, Option<String>)> {
            out.households
                .iter()
                .find(|h| h.id == hh(i))
                .unwrap()
                .gaps
                .iter()
                .map(|g| (g.code.to_string(), g.person.clone()))
                .collect()
        };
        assert_eq!(gaps(1), vec![]);
        let mut untrained = [head(2), spouse(2)];
        untrained.sort();
        assert_eq!(
            gaps(2),
            vec![
                ("no_employment".to_string(), None),
                ("no_plan".to_string(), None),
                ("untrained_labour".to_string(), Some(untrained[0].clone())),
                ("untrained_labour".to_string(), Some(untrained[1].clone())),
            ]
        );
        let g3: Vec<String> = gaps(3).into_iter().map(|g| g.0).collect();
        assert_eq!(
            g3,
            [
                "no_employment",
                "no_plan",
                "untrained_labour",
                "untrained_labour"
            ]
        );
        assert_eq!(out.summary.households, 3);
        assert_eq!(out.summary.with_gaps, 2);
        assert_eq!(out.summary.gaps[&Gap::NoPlan], 2);
        assert_eq!(out.summary.gaps[&Gap::UntrainedLabour], 4);
        assert!(!out.summary.gaps.contains_key(&Gap::UnsafeHousing));
        let posts = &out.summary.measures[&MeasureKind::PublicWelfarePost];
        assert_eq!((posts.households, posts.people, posts.count), (1, 1, 1));
        assert!(!out.summary.measures.contains_key(&MeasureKind::Employment));

        // The province-scale read (`check_counties`: county by county on two threads, through the
        // scan's own connections) gives the very same outcome, at each date and area.
        let url = crate::scan::url_of(repo.as_ref(), &dir, "assistance");
        let store = fupin_store::SqlStore::open(&url).await.unwrap();
        for (area, date, households) in [
            ("1405", "2020-06-30", 3),
            ("", "2020-06-30", 3),
            (a1.as_str(), "2020-06-30", 1),
            ("1405", "2019-06-30", 3),
            ("1499", "2020-06-30", 0),
        ] {
            let by_counties =
                fupin_store::assistance::check_counties(&store, area, d(date), 2).unwrap();
            assert_eq!(by_counties.households.len(), households, "{area} {date}");
            let one = db.assistance_check(area, d(date)).await.unwrap();
            assert_eq!(
                serde_json::to_string(&by_counties).unwrap(),
                serde_json::to_string(&one).unwrap(),
                "{area} {date}"
            );
        }

        // The area scope: household 1's village only.
        let only = db.assistance_check(&a1, d("2020-06-30")).await.unwrap();
        assert_eq!(only.households.len(), 1);
        assert_eq!(only.households[0].id, hh(1));

        // Measures of a period, by kind.
        let by_kind = db
            .measures_by_kind("1405", d("2018-01-01"), d("2019-12-31"))
            .await
            .unwrap();
        let kinds: Vec<(&str, u64, u64, u64, String)> = by_kind
            .iter()
            .map(|(k, s)| (k.code(), s.households, s.people, s.count, fmt2(s.amount)))
            .collect();
        assert_eq!(
            kinds,
            [
                ("skills_training", 1, 2, 2, "0.00".to_string()),
                ("relocation", 1, 0, 1, "60000.00".to_string()),
            ]
        );
        assert!(db
            .measures_by_kind(&a3, d("2020-01-01"), d("2020-12-31"))
            .await
            .unwrap()
            .contains_key(&MeasureKind::Employment));

        // The card's cadre: the pairing of migration 6.
        assert!(db.paired_cadres(o1).await.unwrap().is_empty());
        let p = Pairing {
            cadre: "wang".into(),
            area_code: a1.clone(),
            number: n1.clone(),
            from: "2019-01-01".into(),
        };
        db.pair(&p, "admin").await.unwrap();
        assert_eq!(db.paired_cadres(o1).await.unwrap(), ["wang"]);
    });
}

#[test]
fn an_import_is_all_or_nothing_and_the_plan_ledger_lists_households_below_the_line() {
    use fupin_store::assistance::AssistanceImport;
    on_both("assistance_import", |repo, dir| async move {
        let mut rows = county(3);
        // Household 2: 3,000 yuan of wage for three people in 2019 (1,000 a person), under 4,000.
        for key in ["business", "transfer", "business_cost"] {
            set(&mut rows, 2, key, "0.00");
        }
        set(&mut rows, 2, "wage", "3000.00");
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2019-12-31").await;
        assert!(out.committed);
        let db = directory_of(repo.as_ref(), &dir, "assistance_import").await;
        let plan = |i: usize| Plan {
            household: hh(i),
            year: 2019,
            paths: vec![PlanPath::SocialSecurity],
            target: "兜底".into(),
        };
        let bad = AssistanceImport {
            plans: vec![(2, plan(1)), (3, plan(1)), (4, plan(9))],
            measures: vec![
                (
                    2,
                    measure(1, Some(head(1)), MeasureKind::Employment, "2019-03-01", 0),
                ),
                (
                    3,
                    measure(1, Some(head(2)), MeasureKind::Employment, "2019-03-01", 0),
                ),
            ],
        };
        let r = db.import_assistance(&bad, "importer").await.unwrap();
        let got: Vec<(&str, usize, &str, &str)> = r
            .problems
            .iter()
            .map(|p| (p.sheet, p.row, p.field, p.code))
            .collect();
        assert_eq!(
            got,
            [
                ("plans", 3, "year", "duplicate_plan"),
                ("plans", 4, "household", "unknown_household"),
                ("measures", 3, "person", "person_not_member"),
            ]
        );
        assert_eq!((r.plans, r.measures), (0, 0));
        let (a1, n1) = owner(1);
        let o1 = Owner {
            area_code: &a1,
            number: &n1,
        };
        assert!(db.plans(o1).await.unwrap().is_empty(), "nothing written");
        assert!(db.measures(o1).await.unwrap().is_empty());

        let ledger = db
            .below_line("1405", 2019, Decimal::from(4000))
            .await
            .unwrap();
        assert_eq!(ledger, [(hh(2), false)]);
        let good = AssistanceImport {
            plans: vec![(2, plan(1)), (3, plan(2))],
            measures: vec![(
                2,
                measure(1, Some(head(1)), MeasureKind::Employment, "2019-03-01", 0),
            )],
        };
        let r = db.import_assistance(&good, "importer").await.unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!((r.plans, r.measures), (2, 1));
        assert_eq!(db.plans(o1).await.unwrap(), [plan(1)]);
        assert_eq!(db.measures(o1).await.unwrap()[0].recorded_by, "importer");
        assert_eq!(
            db.below_line("1405", 2019, Decimal::from(4000))
                .await
                .unwrap(),
            [(hh(2), true)]
        );
        // Exactly at the line is not below it: 1,000 yuan a person (3,000 < 1,000 × 3 is false).
        assert!(db
            .below_line("1405", 2019, Decimal::from(1000))
            .await
            .unwrap()
            .is_empty());
        let trail = db.audit_trail(&a1, &n1).await.unwrap();
        assert_eq!(
            trail
                .iter()
                .filter(|t| t.entity.starts_with("assistance"))
                .count(),
            2
        );
    });
}
