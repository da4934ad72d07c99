//! `fupin assistance check` as a county office runs it: the example file's gaps, bad records with
//! status 3, the same check over the registry (`--db`), and `fupin report assistance`.

use super::{fupin, json_out, root, tmp};
use serde_json::{json, Value};

#[test]
fn the_example_file_shows_each_gap_and_the_measures_of_the_year() {
    let input = root().join("examples/assistance.json");
    let o = fupin(&["assistance", "check", "--input", input.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = json_out(&o);
    let gaps = |id: &str| {
        out["households"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))["gaps"]
            .clone()
    };
    assert_eq!(
        gaps("H1"),
        json!([{"code": "no_employment"}, {"code": "untrained_labour", "person": "140525198001011230"}])
    );
    assert_eq!(gaps("H2"), json!([]));
    assert_eq!(gaps("H3"), json!([]));
    assert_eq!(
        gaps("H4"),
        json!([{"code": "no_measure"}, {"code": "no_plan"}, {"code": "no_social_security"},
               {"code": "unsafe_housing"}])
    );
    assert_eq!(gaps("H6"), json!([{"code": "no_employment"}]));
    let ids: Vec<&str> = out["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"H5"), "risk eliminated: not checked");
    assert_eq!(out["summary"]["households"], 5);
    assert_eq!(out["summary"]["with_gaps"], 3);
    assert_eq!(out["summary"]["gaps"]["no_employment"], 2);
    assert_eq!(
        out["summary"]["measures"]["public_welfare_post"],
        json!({"households": 1, "people": 1, "count": 1, "amount": "6000.00"})
    );
    // The table names each gap in Chinese and masks the member's ID number.
    let o = fupin(&[
        "assistance",
        "check",
        "--input",
        input.to_str().unwrap(),
        "--format",
        "table",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("untrained_labour(140525********1230)"),
        "{text}"
    );
    assert!(text.contains("无劳动力且无兜底保障"), "{text}");
}

#[test]
fn bad_records_are_listed_by_field_and_the_status_is_3() {
    let input = tmp(
        "assistance-bad.json",
        &json!({"as_of": "2020-06-30",
            "households": [{"id": "H1", "area_code": "140525100201", "status": "poor",
                "food": true, "clothing": true, "water": true, "housing_grade": "B",
                "members": [{"id_number": "140525198001011230", "name": "张", "medical_insured": true,
                             "labor": "none"}]}],
            "measures": [{"household": "H1", "kind": "lottery", "date": "2020-01-01"},
                         {"household": "H7", "kind": "dibao", "date": "2020-01-01"}]})
        .to_string(),
    );
    let o = fupin(&["assistance", "check", "--input", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let out = json_out(&o);
    let errors: Vec<(String, String)> = out["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().into(),
                e["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("measures[0].kind".to_string(), "unknown_kind".to_string()),
            (
                "measures[1].household".to_string(),
                "unknown_household".to_string()
            )
        ]
    );
    assert_eq!(
        out["households"][0]["gaps"],
        json!([{"code": "no_plan"}, {"code": "no_social_security"}])
    );
    // Unreadable input: status 2.
    let bad = tmp("assistance-broken.json", "{\"households\": [");
    let o = fupin(&["assistance", "check", "--input", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

/// The city profile's assistance (issue 12 item 7, Jincheng mid-2020, seed 003), read back through
/// `fupin report assistance` and `fupin assistance check --db`: 1,492 students with 雨露计划 aid of
/// 3,000 yuan in 2020 (4,476,000 yuan), 174 housing renovations, 3,284 public-welfare posts held at
/// 30 June; of the 25 poor households 19 with labour, 11 with a post and 8 employed otherwise, the
/// rest under 兜底; every poor and monitored household with a plan, and every household below the
/// 4,000-yuan ledger line. Called by the demo's city test (one generated registry for both).
pub fn city_figures(db: &str) {
    let run = |args: &[&str]| {
        let o = fupin(args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "fupin {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        json_out(&o)
    };
    let r = run(&[
        "report",
        "assistance",
        "--from",
        "2020-01-01",
        "--to",
        "2020-06-30",
        "--area",
        "1405",
        "--db",
        db,
    ]);
    let m = &r["measures"];
    assert_eq!(
        m["education_aid"],
        json!({"households": m["education_aid"]["households"], "people": 1492, "count": 1492, "amount": "4476000.00"})
    );
    assert_eq!(m["housing_renovation"]["households"], 174);
    assert_eq!(m["housing_renovation"]["count"], 174);
    assert_eq!(m["public_welfare_post"]["people"], 3284);
    assert_eq!(m["public_welfare_post"]["count"], 3284);
    let plans = &r["plans"];
    assert_eq!(plans["ledger_line"], "4000");
    assert_eq!(plans["in_scope"], 25 + 967 + 310);
    assert_eq!(plans["in_scope_with_plan"], plans["in_scope"]);
    assert_eq!(
        plans["below_ledger_line_with_plan"],
        plans["below_ledger_line"]
    );

    let c = run(&[
        "assistance",
        "check",
        "--db",
        db,
        "--area",
        "1405",
        "--as-of",
        "2020-06-30",
    ]);
    let s = &c["summary"];
    assert_eq!(s["households"], 1302);
    assert_eq!(
        s["gaps"].get("no_plan"),
        None,
        "every household under assistance has a plan"
    );
    assert_eq!(
        s["gaps"].get("no_measure"),
        None,
        "两类户预防性措施覆盖率100%"
    );
    // Posts and jobs among the households under assistance are the poor's: 11 and 8 (of 19 with
    // labour); the 6 without labour under 低保 or 特困供养.
    assert_eq!(
        (
            &s["measures"]["public_welfare_post"]["households"],
            &s["measures"]["employment"]["households"]
        ),
        (&json!(11), &json!(8))
    );
    // The 19 with labour: each a post or a job (never both), none lacking employment.
    let working: Vec<&Value> = c["households"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| {
            h["measures"].get("public_welfare_post").is_some()
                || h["measures"].get("employment").is_some()
        })
        .collect();
    assert_eq!(working.len(), 19);
    assert!(working.iter().all(|h| !h["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["code"] == "no_employment")));
}

/// The registry's plans and measures through XLSX: a template with the two sheets, an import that
/// is refused whole with row-and-column errors (an unknown household, a person of another
/// household), then accepted; the check over the registry (`--db`); the export reads back the
/// same rows; `fupin report assistance` by kind.
#[test]
fn plans_and_measures_import_from_xlsx_and_the_registry_is_checked() {
    use super::registry::{household, id as member_id, run, HEADER};
    use fupin_core::assistance::{Measure, MeasureKind, Plan, PlanPath};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = "sqlite:registry.db";
    let mut csv = format!("{HEADER}\n");
    for i in 1..=3 {
        csv.push_str(&household(i, "未脱贫", "", ""));
    }
    std::fs::write(d.join("h.csv"), csv).unwrap();
    let o = run(d, &["import", "h.csv", "--date", "2019-12-31", "--db", db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(d, &["assistance", "template", "--out", "t.xlsx"]);
    assert!(o.status.success());
    let t = fupin_sheet::assistance::read_workbook(&d.join("t.xlsx")).unwrap();
    assert!(t.plans.is_empty() && t.measures.is_empty() && t.errors.is_empty());

    let head = |i: u32| member_id("19700101", i);
    let measure = |h: &str, person: Option<String>, kind, yuan: i64| Measure {
        household: h.into(),
        person,
        kind,
        date: chrono::NaiveDate::from_ymd_opt(2020, 3, 1).unwrap(),
        amount: fupin_core::Decimal::from(yuan),
        provider: "县人社局".into(),
        fund: None,
    };
    let plan = |h: &str| Plan {
        household: h.into(),
        year: 2020,
        paths: vec![PlanPath::Industry],
        target: "增收".into(),
    };
    let bad = [
        measure("H001", Some(head(1)), MeasureKind::PublicWelfarePost, 6000),
        measure("H009", None, MeasureKind::Dibao, 100),
        measure("H002", Some(head(3)), MeasureKind::Employment, 0),
    ];
    fupin_sheet::assistance::write_workbook(&d.join("bad.xlsx"), &[plan("H001")], &bad).unwrap();
    let o = run(
        d,
        &[
            "assistance",
            "import",
            "bad.xlsx",
            "--db",
            db,
            "--errors",
            "e.xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("第3行 row 3, 户编号 = \"H009\": [unknown_household]"),
        "{text}"
    );
    assert!(text.contains("第4行 row 4, 证件号码"), "{text}");
    assert!(text.contains("[person_not_member]"), "{text}");
    assert!(d.join("e.xlsx").exists());

    let good = [
        measure("H001", Some(head(1)), MeasureKind::PublicWelfarePost, 6000),
        measure("H002", Some(head(2)), MeasureKind::Employment, 0),
        measure("H002", None, MeasureKind::IndustrySupport, 2000),
    ];
    let plans = [plan("H001"), plan("H002")];
    fupin_sheet::assistance::write_workbook(&d.join("good.xlsx"), &plans, &good).unwrap();
    let o = run(d, &["assistance", "import", "good.xlsx", "--db", db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));

    let o = run(
        d,
        &[
            "assistance",
            "check",
            "--db",
            db,
            "--area",
            "1405",
            "--as-of",
            "2020-06-30",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c: Value = serde_json::from_slice(&o.stdout).unwrap();
    let gaps = |h: &str| {
        c["households"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == h)
            .unwrap()["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // The members' labour is not recorded: no labour, so 低保 is what they lack.
    assert_eq!(gaps("H001"), ["no_social_security"]);
    assert_eq!(gaps("H003"), ["no_plan", "no_social_security"]);
    assert_eq!(c["summary"]["households"], 3);

    let o = run(d, &["assistance", "export", "--out", "x.xlsx", "--db", db]);
    assert!(o.status.success());
    let x = fupin_sheet::assistance::read_workbook(&d.join("x.xlsx")).unwrap();
    assert!(x.errors.is_empty(), "{:?}", x.errors);
    assert_eq!(
        x.plans.iter().map(|p| p.1.clone()).collect::<Vec<_>>(),
        plans
    );
    assert_eq!(
        x.measures.iter().map(|m| m.1.clone()).collect::<Vec<_>>(),
        good
    );

    let o = run(
        d,
        &[
            "report",
            "assistance",
            "--from",
            "2020-01-01",
            "--to",
            "2020-12-31",
            "--db",
            db,
        ],
    );
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        r["measures"]["industry_support"],
        json!({"households": 1, "people": 0, "count": 1, "amount": "2000.00"})
    );
    assert_eq!(r["total"], json!({"count": 3, "amount": "8000.00"}));
    let o = run(
        d,
        &[
            "report",
            "assistance",
            "--from",
            "2020-01-01",
            "--to",
            "2020-12-31",
            "--db",
            db,
            "--format",
            "xlsx",
            "--out",
            "r.xlsx",
        ],
    );
    assert!(o.status.success() && d.join("r.xlsx").exists());
}

/// The check over the registry (`--db`, read county by county on every core) gives byte for byte
/// the output of the check over a JSON file of the same households, plans and measures
/// (`--input`), at two dates, in JSON and as a table: on SQLite, and on PostgreSQL when
/// `DATABASE_URL` is set.
#[test]
fn the_registry_check_equals_the_file_check_of_the_same_households() {
    let dir = tempfile::tempdir().unwrap();
    registry_equals_file(dir.path(), "sqlite:registry.db");
    if let Some(db) = super::registry::postgres_db("assist_equal") {
        let dir = tempfile::tempdir().unwrap();
        registry_equals_file(dir.path(), &db);
    }
}

fn registry_equals_file(d: &std::path::Path, db: &str) {
    use super::registry::{household, id as member_id, run, HEADER};
    use fupin_core::assistance::{Measure, MeasureKind, Plan, PlanPath};
    // H001-H003 poor (H003 in a D-grade house), H004 exited: out of scope.
    let mut csv = format!("{HEADER}\n");
    let mut households = Vec::new();
    for i in 1..=4u32 {
        let status = if i == 4 { "已脱贫" } else { "未脱贫" };
        let grade = if i == 3 { "D" } else { "B" };
        csv.push_str(&household(i, status, "", "").replace(",B,", &format!(",{grade},")));
        let member = |birth: &str, relation: &str| {
            json!({"id_number": member_id(birth, i), "name": format!("{relation}{i}"),
                   "relation": relation, "school_status": "none", "medical_insured": true})
        };
        households.push(json!({
            "id": format!("H{i:03}"), "area_code": "140525100201",
            "status": if i == 4 { "exited" } else { "poor" }, "monitoring": null,
            "income": {"wage": 15000}, "food": true, "clothing": true, "water": true,
            "housing_grade": grade,
            "members": [member("19700101", "head"), member("19720101", "spouse")]
        }));
    }
    std::fs::write(d.join("h.csv"), csv).unwrap();
    let o = run(d, &["import", "h.csv", "--date", "2019-12-31", "--db", db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let measure = |i: u32, person: bool, kind, date: &str, yuan: i64| Measure {
        household: format!("H{i:03}"),
        person: person.then(|| member_id("19700101", i)),
        kind,
        date: day(date),
        amount: fupin_core::Decimal::from(yuan),
        provider: "县人社局".into(),
        fund: None,
    };
    let plan = |i: u32, year: i32| Plan {
        household: format!("H{i:03}"),
        year,
        paths: vec![PlanPath::Industry],
        target: "增收".into(),
    };
    let plans = [plan(1, 2020), plan(2, 2020), plan(3, 2019)];
    let measures = [
        measure(1, true, MeasureKind::PublicWelfarePost, "2020-03-01", 6000),
        measure(1, true, MeasureKind::SkillsTraining, "2019-05-01", 0),
        measure(2, true, MeasureKind::Employment, "2020-04-01", 0),
        measure(2, false, MeasureKind::IndustrySupport, "2020-02-01", 2000),
        measure(2, false, MeasureKind::Dibao, "2019-08-01", 4600),
        measure(3, false, MeasureKind::Relocation, "2018-10-01", 60000),
        measure(3, true, MeasureKind::Employment, "2020-07-01", 0),
        measure(4, false, MeasureKind::Dibao, "2020-01-15", 4600),
    ];
    fupin_sheet::assistance::write_workbook(&d.join("a.xlsx"), &plans, &measures).unwrap();
    let o = run(d, &["assistance", "import", "a.xlsx", "--db", db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let input = json!({
        "households": households,
        "plans": plans.iter().map(|p| json!({"household": p.household, "year": p.year,
            "paths": ["industry"], "target": p.target})).collect::<Vec<_>>(),
        "measures": measures.iter().map(|m| json!({"household": m.household, "person": m.person,
            "kind": fupin_core::CodeList::code(m.kind), "date": m.date.to_string(),
            "amount": fupin_core::money::fmt2(m.amount), "provider": m.provider})).collect::<Vec<_>>(),
    });
    std::fs::write(d.join("a.json"), input.to_string()).unwrap();
    for date in ["2019-12-31", "2020-06-30"] {
        for format in ["json", "table"] {
            let from_db = run(
                d,
                &[
                    "assistance",
                    "check",
                    "--db",
                    db,
                    "--area",
                    "1405",
                    "--as-of",
                    date,
                    "--format",
                    format,
                ],
            );
            let from_file = run(
                d,
                &[
                    "assistance",
                    "check",
                    "--input",
                    "a.json",
                    "--as-of",
                    date,
                    "--format",
                    format,
                ],
            );
            assert_eq!(
                from_file.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&from_file.stdout)
            );
            assert_eq!(
                String::from_utf8_lossy(&from_db.stdout),
                String::from_utf8_lossy(&from_file.stdout),
                "{date} {format}"
            );
        }
    }
    let o = run(
        d,
        &[
            "assistance",
            "check",
            "--input",
            "a.json",
            "--as-of",
            "2020-06-30",
        ],
    );
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["summary"]["households"], 3);
    assert_eq!(
        out["summary"]["measures"]["public_welfare_post"]["people"],
        1
    );
}
