//! Funds, projects, loans and dividends on both backends: amounts round-trip to the fen, dividends
//! add up to the income, a county's year gathers into the input of the funds checks, every write is
//! audited.

use crate::common::on_both;
use crate::directory::directory_of;
use fupin_core::money::Decimal;
use fupin_store::funds::*;
use std::str::FromStr;

fn y(s: &str) -> Yuan {
    Yuan(Decimal::from_str(s).unwrap())
}

fn source(id: &str, year: i32, level: &str, amount: &str) -> FundSource {
    FundSource {
        id: id.into(),
        county: "140525".into(),
        year,
        level: level.into(),
        name: format!("{level} {year}"),
        amount: y(amount),
        received_on: Some(format!("{year}-03-01")),
        note: None,
    }
}

fn loan(id: &str, household: &str, amount: &str, term: i64, start: &str) -> Loan {
    Loan {
        id: id.into(),
        county: "140525".into(),
        household: household.into(),
        village: "140525100201".into(),
        amount: y(amount),
        term_months: term,
        guarantee: false,
        collateral: false,
        start: start.into(),
        bank: Some("泽州农商行".into()),
        repayments: vec![],
        subsidies: vec![],
    }
}

#[test]
fn a_countys_funds_round_trip_and_check() {
    on_both("funds", |repo, dir| async move {
        let d = directory_of(repo.as_ref(), &dir, "funds").await;
        let actor = "县扶贫办";
        for s in [
            source("S1", 2016, "county", "10000000.00"),
            source("S2", 2017, "county", "12000000.00"),
            source("S3", 2017, "central", "30000000.00"),
        ] {
            d.put_fund_source(&s, actor).await.unwrap();
        }
        let year = FundYear {
            county: "140525".into(),
            year: 2017,
            local_revenue: Some(y("500000000.00")),
            loan_task: Some(y("100000.00")),
        };
        d.put_fund_year(&year, actor).await.unwrap();
        assert_eq!(d.fund_year("140525", 2017).await.unwrap(), Some(year));
        let sources = d.fund_sources("140525", 2017).await.unwrap();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0].level, "central");
        assert_eq!(
            serde_json::to_value(sources[1].amount).unwrap(),
            "12000000.00"
        );

        let project = Project {
            id: "P1".into(),
            county: "140525".into(),
            year: 2017,
            name: "南村光伏电站".into(),
            kind: "industry".into(),
            village: "140525100201".into(),
            budget: y("240000.00"),
            start: Some("2017-03-01".into()),
            end: None,
            progress_pct: 60,
            status: "underway".into(),
            households: 30,
            people: 85,
            benefit: "收益分红到户".into(),
        };
        d.put_project(&project, actor).await.unwrap();
        let mut done = project.clone();
        done.id = "P2".into();
        done.kind = "infrastructure".into();
        done.status = "done".into();
        done.village = "140525101201".into();
        d.put_project(&done, actor).await.unwrap();
        assert_eq!(
            d.project("140525", "P1").await.unwrap(),
            Some(project.clone())
        );
        let f = ProjectFilter {
            status: Some("underway".into()),
            ..ProjectFilter::default()
        };
        assert_eq!(
            d.projects("140525", &f).await.unwrap(),
            vec![project.clone()]
        );
        let f = ProjectFilter {
            area: Some("140525101".into()),
            ..ProjectFilter::default()
        };
        assert_eq!(d.projects("140525", &f).await.unwrap()[0].id, "P2");
        assert_eq!(
            d.projects("140525", &ProjectFilter::default())
                .await
                .unwrap()
                .len(),
            2
        );

        for (id, project, category, amount) in [
            ("A1", "P1", "industry", "7000.00"),
            ("A2", "P2", "infrastructure", "3000.01"),
        ] {
            let a = Allocation {
                id: id.into(),
                county: "140525".into(),
                year: 2017,
                project: project.into(),
                category: category.into(),
                amount: y(amount),
                date: "2017-04-01".into(),
                source: Some("S2".into()),
            };
            d.put_allocation(&a, actor).await.unwrap();
        }
        d.put_disbursement(
            &Disbursement {
                id: "D1".into(),
                county: "140525".into(),
                project: "P1".into(),
                amount: y("100000.00"),
                date: "2017-05-01".into(),
            },
            actor,
        )
        .await
        .unwrap();
        assert_eq!(
            d.disbursements("140525", Some("P1")).await.unwrap().len(),
            1
        );
        assert!(d
            .disbursements("140525", Some("P2"))
            .await
            .unwrap()
            .is_empty());

        let mut l1 = loan("L1", "140525100201001", "50000.00", 36, "2017-03-01");
        l1.repayments = vec![Repayment {
            due: "2017-09-01".into(),
            amount: y("5000.00"),
            paid: y("2000.00"),
            paid_on: Some("2017-09-03".into()),
        }];
        l1.subsidies = vec![Subsidy {
            year: 2017,
            amount: y("1087.50"),
        }];
        let mut l2 = loan("L2", "140525100201002", "50000.01", 37, "2017-06-01");
        l2.guarantee = true;
        let old = loan("L0", "140525100201002", "30000.00", 24, "2016-06-01");
        for l in [&l1, &l2, &old] {
            d.put_loan(l, actor).await.unwrap();
        }
        assert_eq!(d.loan("140525", "L1").await.unwrap(), Some(l1.clone()));
        assert_eq!(d.loans("140525", Some(2017)).await.unwrap().len(), 2);
        assert_eq!(d.loans("1405251002", None).await.unwrap().len(), 3);
        assert!(d.loans("140525101", None).await.unwrap().is_empty());
        let of = d.household_loans("140525100201002").await.unwrap();
        assert_eq!(
            of.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["L0", "L2"]
        );

        let asset = Asset {
            id: "PV1".into(),
            county: "140525".into(),
            kind: "photovoltaic".into(),
            name: "南村 30 kW 光伏电站".into(),
            village: "140525100201".into(),
            capacity_kw: Some("30".into()),
            split: "weights".into(),
            beneficiaries: ["003", "001", "002"]
                .iter()
                .enumerate()
                .map(|(i, n)| Beneficiary {
                    household: format!("140525100201{n}"),
                    weight: if i == 0 { "2".into() } else { "1".into() },
                })
                .collect(),
        };
        d.put_asset(&asset, actor).await.unwrap();
        let income = AssetIncome {
            asset: "PV1".into(),
            year: 2017,
            income: y("30000.01"),
            collective: y("10000.00"),
        };
        let div = d
            .record_asset_income("140525", &income, actor)
            .await
            .unwrap();
        // 20000.01 yuan by 1 : 1 : 2 → 5000.00(25), 5000.00(25), 10000.00(5); one fen left to 001.
        let got: Vec<(String, String)> = div
            .iter()
            .map(|x| (x.household.clone(), x.amount.0.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("140525100201001".to_string(), "5000.01".to_string()),
                ("140525100201002".to_string(), "5000.00".to_string()),
                ("140525100201003".to_string(), "10000.00".to_string()),
            ]
        );
        // Recording the year again replaces its dividends.
        let div = d
            .record_asset_income("140525", &income, actor)
            .await
            .unwrap();
        assert_eq!(div.len(), 3);
        assert_eq!(d.asset_dividends("140525", "PV1", 2017).await.unwrap(), div);
        let mine = d.household_dividends("140525100201003").await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].asset_name, "南村 30 kW 光伏电站");
        let mut too_much = income.clone();
        too_much.collective = y("30000.02");
        let e = d
            .record_asset_income("140525", &too_much, actor)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "collective_above_income");

        d.put_cooperative(
            &Cooperative {
                id: "C1".into(),
                county: "140525".into(),
                name: "红星合作社".into(),
                village: "140525100201".into(),
                members: 50,
                poor_members: 14,
                supported: true,
            },
            actor,
        )
        .await
        .unwrap();

        assert_eq!(d.funds_counties("14").await.unwrap(), ["140525"]);
        assert!(d.funds_counties("15").await.unwrap().is_empty());

        // The county's year, checked by fupin-core's rules.
        let input = d.funds_input(2017, "140525").await.unwrap();
        let set = fupin_core::PolicySet::builtin();
        let rules = fupin_core::funds::Rules::from_policy(&set.for_area("140525")).unwrap();
        let r = fupin_core::funds::check(&input, &rules);
        let checks: Vec<(&str, bool, &str)> = r
            .checks
            .iter()
            .map(|c| (c.code.as_str(), c.ok, c.value_pct.as_str()))
            .collect();
        // 7000.00 of 10000.01 is 69.9993%: shown 70.00, below the threshold.
        assert_eq!(
            checks,
            vec![
                ("industry_relief_share", false, "70.00"),
                ("special_fund_revenue_share", true, "2.40"),
                ("special_fund_growth", true, "20.00"),
            ]
        );
        assert_eq!(r.cooperatives[0].poor_share_pct, "28.00");
        let l = r.loans.unwrap();
        assert_eq!((l.count, l.amount.as_str()), (2, "100000.01"));
        assert_eq!(l.task_pct.as_deref(), Some("100.00"));
        let v: Vec<(&str, &str)> = l
            .violations
            .iter()
            .map(|v| (v.loan.as_str(), v.code.as_str()))
            .collect();
        assert_eq!(
            v,
            [
                ("L2", "loan_amount"),
                ("L2", "loan_guarantee"),
                ("L2", "loan_term")
            ]
        );
        assert_eq!(l.overdue.len(), 1);
        assert_eq!(l.overdue[0].outstanding, "3000.00");
        assert_eq!(r.dividends[0].shares[0].amount, "5000.01");

        // Every write is in the audit log, with its actor, and the chain holds.
        let store = crate::audit::store_of(repo.as_ref(), &dir, "funds").await;
        let db = store.db();
        let entities: Vec<String> = db
            .query("SELECT DISTINCT entity FROM audit_log WHERE actor = $1 ORDER BY entity")
            .bind(actor)
            .fetch_all_scalar(db)
            .await
            .unwrap();
        assert_eq!(
            entities,
            [
                "asset_income",
                "cooperative",
                "fund_allocation",
                "fund_disbursement",
                "fund_project",
                "fund_source",
                "fund_year",
                "income_asset",
                "small_loan"
            ]
        );
        assert!(store.verify_audit().await.unwrap().ok());

        // Every table as sheet rows: the export of each imports into an empty registry and exports
        // the same rows there; the dividends of the imported income are computed again.
        let b = fresh(repo.as_ref(), &dir, "funds_b").await;
        for t in TABLES {
            let rows = export_rows(d.as_ref(), *t, "140525").await.unwrap();
            assert!(!rows.is_empty(), "{} has rows", t.code());
            let sheet = as_rows(*t, &rows);
            let r = import_rows(b.as_ref(), *t, &sheet, &|_| true, "导入 import")
                .await
                .unwrap();
            assert!(r.is_ok(), "{}: {r:?}", t.code());
            let again = export_rows(b.as_ref(), *t, "140525").await.unwrap();
            assert_eq!(again, rows, "{} reads back", t.code());
        }
        assert_eq!(b.asset_dividends("140525", "PV1", 2017).await.unwrap(), div);
        assert_eq!(b.loan("140525", "L1").await.unwrap(), Some(l1.clone()));

        // A broken file of each table names its row and column, and writes nothing.
        let c = fresh(repo.as_ref(), &dir, "funds_c").await;
        for t in TABLES {
            let rows = export_rows(d.as_ref(), *t, "140525").await.unwrap();
            let mut sheet = as_rows(*t, &rows);
            // The last column with a checked value is broken on the second row.
            let (key, bad) = broken(*t);
            let at = sheet.len().min(2) - 1;
            sheet[at].cells.insert(key, bad.to_string());
            let r = import_rows(c.as_ref(), *t, &sheet, &|_| true, "导入 import")
                .await
                .unwrap();
            let errors = r.expect_err(t.code());
            assert!(
                errors
                    .iter()
                    .any(|e| e.row == sheet[at].row && e.column == t.header(key)),
                "{}: {errors:?}",
                t.code()
            );
            assert!(
                export_rows(c.as_ref(), *t, "140525")
                    .await
                    .unwrap()
                    .is_empty(),
                "{} wrote nothing",
                t.code()
            );
        }
        // Another county's rows are refused where the writer may not write them.
        let rows = export_rows(d.as_ref(), Table::Sources, "140525")
            .await
            .unwrap();
        let r = import_rows(
            c.as_ref(),
            Table::Sources,
            &as_rows(Table::Sources, &rows),
            &|c| c == "140526",
            "x",
        )
        .await
        .unwrap();
        assert!(r.unwrap_err().iter().all(|e| e.code == "out_of_scope"));
    });
}

use fupin_core::funds::table::{Row, Table, TABLES};
use fupin_store::funds_sheet::{export_rows, import_rows};

/// Another empty registry of the test's backend.
async fn fresh(
    repo: &dyn fupin_store::Repository,
    dir: &std::path::Path,
    name: &str,
) -> std::sync::Arc<dyn fupin_store::directory::Directory> {
    if repo.backend() == fupin_store::Backend::Postgres {
        crate::common::postgres(name).await;
    }
    std::fs::create_dir_all(dir.join(name)).unwrap();
    directory_of(repo, &dir.join(name), name).await
}

/// Text rows as a sheet's rows (row 2 the first under the header).
fn as_rows(t: Table, rows: &[Vec<String>]) -> Vec<Row> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| Row {
            row: i + 2,
            cells: t
                .columns()
                .iter()
                .map(|(_, k)| *k)
                .zip(r.iter().cloned())
                .collect(),
        })
        .collect()
}

/// A bad value of a column of each table.
fn broken(t: Table) -> (&'static str, &'static str) {
    match t {
        Table::Projects => ("progress_pct", "101"),
        Table::Loans => ("amount", "5万"),
        Table::Sources => ("level", "town"),
        Table::Years => ("loan_task", "-1.00"),
        Table::Allocations => ("project", "P-none"),
        Table::Disbursements => ("date", "2017-02-30"),
        Table::Repayments => ("loan", "L-none"),
        Table::Subsidies => ("amount", "1.005"),
        Table::Assets => ("weight", "0"),
        Table::AssetIncome => ("collective", "99999999.00"),
        Table::Cooperatives => ("poor_members", "51"),
    }
}
