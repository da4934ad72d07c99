//! `fupin compare` and `fupin monitoring cases` (docs/monitoring.md) on the files of `examples/`.

use super::{fupin, json_out, root};
use serde_json::Value;

fn example(name: &str) -> String {
    root()
        .join("examples")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn alerts(out: &Value) -> Vec<(String, Value, String, usize)> {
    out["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap().to_string(),
                a["household"].clone(),
                a["item"].as_str().unwrap().to_string(),
                a["row"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn compare_lists_every_alert_sorted_and_the_bad_row_with_status_3() {
    let dept = example("department.csv");
    let households = example("monitoring-households.json");
    let o = fupin(&["compare", "--department", &dept, "--input", &households]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = json_out(&o);
    assert_eq!(out["as_of"], "2021-06-30");
    assert_eq!(out["rows"], 7);
    let s = |x: &str| x.to_string();
    assert_eq!(
        alerts(&out),
        vec![
            (s("ineligible_asset"), Value::from("H2"), s("vehicle"), 2),
            (s("member_deceased"), Value::from("H4"), s("death"), 4),
            (s("risk_signal"), Value::from("H3"), s("medical_expense"), 3),
            // A member of a removed household is not in the registry.
            (s("unregistered_risk"), Value::Null, s("disability"), 7),
            // Exactly 10,000 alerts; H4's 9,999.99 disaster loss (row 5) does not.
            (s("unregistered_risk"), Value::Null, s("medical_expense"), 8),
        ]
    );
    assert_eq!(out["alerts"][2]["amount"], "23000.00");
    assert!(out["alerts"][2]["case"].is_null());
    let errors = out["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (&errors[0]["row"], &errors[0]["column"], &errors[0]["code"]),
        (
            &Value::from(6),
            &Value::from("证件号码"),
            &Value::from("id_checksum")
        )
    );
}

#[test]
fn an_unreadable_department_file_is_status_2() {
    let households = example("monitoring-households.json");
    let o = fupin(&[
        "compare",
        "--department",
        "/nonexistent/d.csv",
        "--input",
        &households,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let bad = super::tmp("no-id.csv", "姓名,事项\n张三,死亡\n");
    let o = fupin(&[
        "compare",
        "--department",
        bad.to_str().unwrap(),
        "--input",
        &households,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("证件号码"));
}

#[test]
fn compare_with_the_registry_opens_one_case_per_household_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("m.db").display());
    let o = fupin(&[
        "import",
        &example("monitoring-households.json"),
        "--db",
        &db,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dept = example("department.csv");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "compare",
            "--department",
            &dept,
            "--db",
            &db,
            "--as-of",
            "2021-06-30",
        ];
        args.extend(extra);
        json_out(&fupin(&args))
    };
    let dry = run(&["--dry-run"]);
    let risk = |v: &Value| {
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == "risk_signal")
            .unwrap()["case"]
            .clone()
    };
    assert!(risk(&dry).is_null());
    assert_eq!(risk(&run(&[])), "K2021000001");
    // The household's case is still open: no second case.
    assert!(risk(&run(&[])).is_null());
    let o = fupin(&["monitoring", "cases", "--db", &db, "--as-of", "2021-07-16"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cases = json_out(&o);
    assert_eq!(cases["cases"].as_array().unwrap().len(), 1);
    let c = &cases["cases"][0];
    assert_eq!(
        (&c["id"], &c["household"], &c["source"]),
        (
            &Value::from("K2021000001"),
            &Value::from("H3"),
            &Value::from("department")
        )
    );
    assert_eq!(
        (&c["days_open"], &c["overdue"]),
        (&Value::from(16), &Value::from(true))
    );
}

#[test]
fn cases_give_days_open_overdue_late_and_risk_elimination() {
    let o = fupin(&[
        "monitoring",
        "cases",
        "--input",
        &example("monitoring-cases.json"),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let out = json_out(&o);
    let by_id = |id: &str| {
        out["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let k1 = by_id("K1");
    assert_eq!(
        (&k1["days_open"], &k1["decided_late"], &k1["step"]),
        (
            &Value::from(15),
            &Value::from(false),
            &Value::from("county_decision")
        )
    );
    let k2 = by_id("K2");
    assert_eq!(
        (&k2["days_open"], &k2["decided_late"], &k2["overdue"]),
        (&Value::from(16), &Value::from(true), &Value::from(false))
    );
    let k3 = by_id("K3");
    assert_eq!(
        (&k3["days_open"], &k3["overdue"]),
        (&Value::from(20), &Value::from(true))
    );
    assert_eq!(by_id("K4")["errors"][0]["code"], "step_order");
    // Overdue first.
    assert_eq!(out["cases"][0]["id"], "K3");
    let e = out["enrolments"].as_array().unwrap();
    assert_eq!(e[0]["risk_elimination"]["eligible"], true);
    assert_eq!(
        e[1]["risk_elimination"]["failed"],
        serde_json::json!(["social_security_dependent"])
    );
    assert_eq!(
        e[2]["risk_elimination"]["failed"],
        serde_json::json!([
            "income_not_stable",
            "rigid_expense_unresolved",
            "housing_safety"
        ])
    );
}
