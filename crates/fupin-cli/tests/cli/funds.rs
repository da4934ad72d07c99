//! `fupin funds check` and `fupin report funds`.

use super::*;

#[test]
fn funds_check_of_the_example_file() {
    let input = root().join("examples/funds.json");
    let o = fupin(&["funds", "check", "--input", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = json_out(&o);
    assert_eq!(
        out["checks"],
        json!([
            {"code": "industry_relief_share", "ok": true, "value_pct": "70.00", "threshold_pct": "70.00"},
            {"code": "special_fund_revenue_share", "ok": true, "value_pct": "2.40", "threshold_pct": "2.00"},
            {"code": "special_fund_growth", "ok": true, "value_pct": "20.00", "threshold_pct": "20.00"}
        ])
    );
    assert_eq!(
        out["cooperatives"],
        json!([{"name": "红星合作社", "poor_share_pct": "28.00", "ok": false},
               {"name": "青山种植合作社", "poor_share_pct": "30.00", "ok": true}])
    );
    assert_eq!(out["loans"]["task_pct"], "0.50");
    assert_eq!(
        out["loans"]["violations"],
        json!([{"loan": "L9", "code": "loan_amount"}, {"loan": "L9", "code": "loan_guarantee"},
               {"loan": "L9", "code": "loan_term"}])
    );
    assert_eq!(
        out["loans"]["overdue"],
        json!([{"loan": "L1", "household": "H1", "due": "2020-12-01", "outstanding": "4000.00"}])
    );
    assert_eq!(
        out["dividends"][1]["shares"],
        json!([{"household": "H1", "amount": "250.00"}, {"household": "H2", "amount": "250.00"},
               {"household": "H3", "amount": "500.00"}])
    );
    let table = fupin(&[
        "funds",
        "check",
        "--input",
        input.to_str().unwrap(),
        "--format",
        "table",
    ]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("红星合作社") && text.contains("28.00") && text.contains("逾期"),
        "{text}"
    );
}

#[test]
fn funds_check_exit_statuses_and_policy() {
    let bad = tmp(
        "funds-bad.json",
        r#"{"year": 2020, "county": "140525", "loans": [{"id": "L1", "household": "H1", "amount": "5万", "term_months": 12}]}"#,
    );
    let o = fupin(&["funds", "check", "--input", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let out = json_out(&o);
    assert_eq!(out["errors"][0]["field"], "loans[0].amount");
    assert_eq!(out["errors"][0]["item"], "L1");
    assert_eq!(out["errors"][0]["code"], "money_format");
    let not_json = tmp("funds-not.json", "{year: 2020");
    let o = fupin(&["funds", "check", "--input", not_json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let no_year = tmp("funds-noyear.json", r#"{"county": "140525"}"#);
    assert_eq!(
        fupin(&["funds", "check", "--input", no_year.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    // A what-if policy raises the industry threshold: the example's 70% no longer passes.
    let policy = tmp(
        "funds-80.toml",
        "name = \"w\"\nindustry_relief_min_pct = 80\n",
    );
    let input = root().join("examples/funds.json");
    let o = fupin(&[
        "funds",
        "check",
        "--input",
        input.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    let out = json_out(&o);
    assert_eq!(out["checks"][0]["ok"], false);
    assert_eq!(out["checks"][0]["threshold_pct"], "80.00");
}

/// `fupin report funds --year 2017` on the county profile (called by the demo test, which has
/// generated it): the Zezhou 2017 figures of the seed.
pub fn zezhou_2017_report(db: &str) {
    let o = fupin(&["report", "funds", "--year", "2017", "--db", db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json_out(&o);
    let c = &r["counties"][0];
    assert_eq!(c["county"], "140525");
    // County special funds of 19,250,400 yuan, amount and growth both above 2016's ("双增长").
    let sf = &c["special_fund"];
    assert_eq!(sf["this_year"], "19250400.00");
    assert_eq!(sf["previous_year"], "14300000.00");
    assert_eq!(
        (
            sf["growth_pct"].as_str(),
            sf["previous_growth_pct"].as_str()
        ),
        (Some("34.62"), Some("30.00"))
    );
    assert_eq!(
        (sf["amount_up"].as_bool(), sf["growth_up"].as_bool()),
        (Some(true), Some(true))
    );
    // Small loans of 27,918,600 yuan, 126% of the year's task.
    assert_eq!(c["loans"]["amount"], "27918600.00");
    assert_eq!(c["loans"]["task_pct"], "126.00");
    assert_eq!(c["loans"]["violations"], 0);
    // Village photovoltaic stations: 24 poor villages' first collective income.
    assert_eq!(c["dividends"]["first_collective_income_villages"], 24);
    assert_eq!(c["dividends"]["collective"], "288000.00");
    let checks: Vec<(&str, bool)> = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["code"].as_str().unwrap(), x["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        checks,
        [
            ("industry_relief_share", true),
            ("special_fund_revenue_share", true),
            ("special_fund_growth", true)
        ]
    );
    // The table and the workbook carry the same figures.
    let t = fupin(&[
        "report", "funds", "--year", "2017", "--db", db, "--format", "table",
    ]);
    let text = String::from_utf8_lossy(&t.stdout);
    assert!(
        text.contains("19250400.00") && text.contains("27918600.00") && text.contains("126.00"),
        "{text}"
    );
    let xlsx = std::env::temp_dir().join(format!("fupin-funds-{}.xlsx", std::process::id()));
    let x = fupin(&[
        "report",
        "funds",
        "--year",
        "2017",
        "--db",
        db,
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert!(x.status.success(), "{}", String::from_utf8_lossy(&x.stderr));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let _ = std::fs::remove_file(&xlsx);
    // And the check over the registry gives the same checks.
    let o = fupin(&[
        "funds", "check", "--year", "2017", "--area", "140525", "--db", db,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json_out(&o)["loans"]["task_pct"], "126.00");
}

#[test]
fn projects_and_loans_as_sheets_with_row_and_column_errors() {
    let dir = std::env::temp_dir().join(format!("fupin-funds-sheets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite:{}", dir.join("f.db").display());
    let path = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let template = path("projects-template.xlsx");
    let o = fupin(&[
        "funds", "template", "--table", "projects", "--out", &template,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(&std::fs::read(&template).unwrap()[..2], b"PK");

    let header = "项目编号,年度,项目名称,项目类别,村区划代码,预算(元),开工日期,完工日期,进度(%),状态,受益户数,受益人数,带贫机制";
    let good = "P1,2020,东沟村光伏电站,industry,140525100201,240000.00,2020-03-01,,60,underway,30,86,收益分红到户";
    let bad = "P2,2020,西岭村道路,roads,140525100202,1.001,2020-13-01,,101,underway,5,9,务工";
    std::fs::write(path("p.csv"), format!("{header}\n{good}\n{bad}\n")).unwrap();
    let report = path("p.errors.csv");
    let o = fupin(&[
        "funds",
        "import",
        &path("p.csv"),
        "--table",
        "projects",
        "--report",
        &report,
        "--db",
        &db,
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let errors = std::fs::read_to_string(&report).unwrap();
    for (column, code) in [
        ("项目类别 kind", "unknown_category"),
        ("预算(元) budget", "money_precision"),
        ("开工日期 start", "date_format"),
        ("进度(%) progress_pct", "number_range"),
    ] {
        assert!(
            errors
                .lines()
                .any(|l| l.starts_with("3,") && l.contains(column) && l.contains(code)),
            "row 3, {column}, {code} in {errors}"
        );
    }
    assert!(
        !errors.lines().any(|l| l.starts_with("2,")),
        "row 2 is valid: {errors}"
    );
    // Nothing was written: the export is empty.
    let out = path("out.xlsx");
    let o = fupin(&[
        "funds", "export", "--table", "projects", "--area", "140525", "--out", &out, "--db", &db,
    ]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("0 行"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // Corrected, it imports; the export reads back as an import of the same rows.
    let fixed = "P2,2020,西岭村道路,relief,140525100202,1.00,2020-12-01,,100,done,5,9,务工";
    std::fs::write(
        path("p.csv"),
        format!("\u{feff}{header}\n{good}\n{fixed}\n"),
    )
    .unwrap();
    let o = fupin(&[
        "funds",
        "import",
        &path("p.csv"),
        "--table",
        "projects",
        "--db",
        &db,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = fupin(&[
        "funds", "export", "--table", "projects", "--area", "140525", "--out", &out, "--db", &db,
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 行"));
    let o = fupin(&["funds", "import", &out, "--table", "projects", "--db", &db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Loans: a loan above the rules imports (it is a fact) and the check names it.
    let loans = "贷款编号,户编号,村区划代码,金额(元),期限(月),担保,抵押,发放日期,放贷银行\n\
                 L1,140525100201001,140525100201,50000.00,36,否,否,2020-03-01,农商行\n\
                 L2,140525100201002,140525100201,60000.00,48,是,否,2020-04-01,\n";
    std::fs::write(path("l.csv"), loans).unwrap();
    let o = fupin(&[
        "funds",
        "import",
        &path("l.csv"),
        "--table",
        "loans",
        "--db",
        &db,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = fupin(&[
        "funds", "check", "--year", "2020", "--area", "140525", "--db", &db,
    ]);
    let v = json_out(&o)["loans"]["violations"].clone();
    assert_eq!(
        v,
        json!([{"loan": "L2", "code": "loan_amount"}, {"loan": "L2", "code": "loan_guarantee"}, {"loan": "L2", "code": "loan_term"}])
    );
    let bad_loan = "贷款编号,户编号,村区划代码,金额(元),期限(月),担保,抵押,发放日期,放贷银行\nL3,140525100299001,140525100201,5万,36,也许,否,2020-03-01,\n";
    std::fs::write(path("l2.csv"), bad_loan).unwrap();
    let o = fupin(&[
        "funds",
        "import",
        &path("l2.csv"),
        "--table",
        "loans",
        "--db",
        &db,
    ]);
    assert_eq!(o.status.code(), Some(3));
    let errors = std::fs::read_to_string(path("l2.csv.errors.csv")).unwrap();
    for code in ["household_village", "money_format", "yes_no"] {
        assert!(errors.contains(code), "{code} in {errors}");
    }
    let o = fupin(&[
        "funds",
        "import",
        &path("p.csv"),
        "--table",
        "grants",
        "--db",
        &db,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
