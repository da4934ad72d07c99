//! The `fupin` command as a user runs it. One integration-test binary for the crate.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fupin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fupin"))
        .args(args)
        .output()
        .expect("run fupin")
}

/// `fupin assess --input INPUT --policy POLICY`, then the extra arguments.
fn assess_with(input: &Path, policy: &Path, extra: &[&str]) -> Output {
    let (input, policy) = (input.to_str().unwrap(), policy.to_str().unwrap());
    let mut args = vec!["assess", "--input", input, "--policy", policy];
    args.extend(extra);
    fupin(&args)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fupin-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn check_char(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

fn id(first17: &str) -> String {
    format!("{first17}{}", check_char(first17))
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn household<'a>(out: &'a Value, hid: &str) -> &'a Value {
    out["households"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == hid)
        .unwrap_or_else(|| panic!("{hid} missing"))
}

#[test]
fn the_example_file_explains_every_check() {
    let input = root().join("examples/households.json");
    let o = fupin(&["assess", "--input", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "one household has a broken ID");
    let out = json_out(&o);
    assert_eq!(out["as_of"], "2020-06-30");
    let h = household(&out, "140525100201002");
    assert_eq!(h["per_capita_income"], "3800.00");
    assert_eq!(h["poverty_line"], "4000");
    assert_eq!(
        h["exit"],
        json!({"meets_standard": false, "failed": ["income_below_line"]})
    );
    assert_eq!(h["dibao"]["monthly_top_up"], "133.33");
    assert_eq!(
        household(&out, "140525100201003")["exit"]["failed"],
        json!(["income_below_line"])
    );
    assert_eq!(
        household(&out, "140525100201004")["exit"]["failed"],
        json!(["food", "clothing"])
    );
    assert_eq!(
        household(&out, "140525100201005")["exit"]["failed"],
        json!(["compulsory_education"])
    );
    assert_eq!(
        household(&out, "140525100202001")["exit"]["failed"],
        json!(["basic_medical"])
    );
    let h = household(&out, "140525100202002");
    assert_eq!(h["exit"]["failed"], json!(["housing_safety"]));
    assert_eq!(
        h["monitoring"],
        json!({"category": "unstable", "reasons": ["housing_safety"], "monitoring_line": "5000"})
    );
    assert_eq!(
        household(&out, "140525100202003")["exit"]["failed"],
        json!(["drinking_water"])
    );
    assert_eq!(
        household(&out, "140525100202005")["monitoring"]["category"],
        "marginal"
    );
    assert_eq!(
        household(&out, "140525100202006")["monitoring"]["category"],
        "sudden_hardship"
    );
    assert_eq!(
        household(&out, "140525100202007")["monitoring"]["category"],
        "none"
    );
    assert_eq!(
        household(&out, "140525100201001")["monitoring"]["category"],
        "not_applicable"
    );
    // Outside Jincheng in 2020: no national monitoring line, no 低保 standard.
    let s = household(&out, "611002100201001");
    assert_eq!(s["monitoring"], Value::Null);
    assert!(s.get("dibao").is_none());
    assert_eq!(s["per_capita_income"], "3413.57");
    let err = &out["errors"][0];
    assert_eq!(
        (err["household"].as_str(), err["member"].as_u64()),
        (Some("140525100202008"), Some(2))
    );
    assert_eq!(
        (err["field"].as_str(), err["code"].as_str()),
        (Some("id_number"), Some("id_checksum"))
    );
    let v = &out["villages"][1];
    assert_eq!(
        v["exit"],
        json!({"meets_standard": false, "failed": ["broadband"]})
    );
    assert_eq!(out["villages"][0]["incidence_pct"], "1.27");
}

const POLICY: &str = r#"
name = "test-county"
compulsory_school_age = [6, 15]
village_indicators = ["road", "water"]
[poverty_line]
2019 = 3747
[monitoring_line]
2019 = 5000
[village_exit_max_incidence_pct]
default = 2.0
west = 3.0
[dibao_standard]
2019 = "4600.00"
"#;

fn member(first17: &str, school: &str) -> Value {
    json!({"id_number": id(first17), "name": "赵六", "relation": "child", "school_status": school, "medical_insured": true})
}

#[test]
fn an_explicit_policy_decides_at_the_exact_lines() {
    let policy = tmp("policy.toml", POLICY);
    let input = json!({
        "as_of": "2019-12-31",
        "households": [
            // 2 × 3747 exactly: at the line is not above it.
            {"id": "AT", "area_code": "140525100201", "status": "poor", "income": {"wage": "7494.00"},
             "food": true, "clothing": true, "water": true, "housing_grade": "A",
             "members": [member("14052519800101001", "none"), member("14052519800101002", "none")]},
            // One fen above.
            {"id": "ABOVE", "area_code": "140525100201", "status": "poor", "income": {"wage": 7494, "transfer": "0.01"},
             "food": true, "clothing": true, "water": true, "housing_grade": "B",
             "members": [member("14052519810101001", "none"), member("14052519810101002", "none")]},
            // Exited exactly at the monitoring line: not below it.
            {"id": "MON", "area_code": "140525100202", "status": "exited", "income": {"business": 10000.00},
             "food": true, "clothing": true, "water": true, "housing_grade": "B",
             "members": [member("14052519820101001", "none"), member("14052519820101002", "none")]},
            // A child who is still 15 on the assessment date (16 the next day) and one who turned 6 on it.
            {"id": "AGE16", "area_code": "140525100202", "status": "poor", "income": {"wage": 20000},
             "food": true, "clothing": true, "water": true, "housing_grade": "B",
             "members": [member("14052519700101001", "none"), member("14052520040101001", "none")]},
            {"id": "AGE6", "area_code": "140525100202", "status": "poor", "income": {"wage": 20000},
             "food": true, "clothing": true, "water": true, "housing_grade": "B",
             "members": [member("14052519710101001", "none"), member("14052520131231001", "none")]},
        ],
        "villages": [{"area_code": "140525100201", "rural_population": 200, "indicators": {"road": true, "water": true}}],
    });
    let input = tmp("lines.json", &input.to_string());
    let o = assess_with(&input, &policy, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = json_out(&o);
    assert_eq!(out["policy"], "test-county");
    let at = household(&out, "AT");
    assert_eq!(
        (
            at["per_capita_income"].as_str(),
            at["poverty_line"].as_str()
        ),
        (Some("3747.00"), Some("3747"))
    );
    assert_eq!(at["exit"]["failed"], json!(["income_below_line"]));
    assert_eq!(
        at["dibao"],
        json!({"eligible": true, "monthly_top_up": "142.17", "standard": "4600"})
    );
    assert_eq!(
        household(&out, "ABOVE")["exit"],
        json!({"meets_standard": true, "failed": []})
    );
    assert_eq!(household(&out, "MON")["monitoring"]["category"], "none");
    assert_eq!(
        household(&out, "AGE16")["exit"]["failed"],
        json!(["compulsory_education"])
    );
    assert_eq!(
        household(&out, "AGE6")["exit"]["failed"],
        json!(["compulsory_education"])
    );
    // The village: 4 poor people of 200 (AT and ABOVE) = 2.00%, not below 2%.
    assert_eq!(out["villages"][0]["incidence_pct"], "2.00");
    assert_eq!(out["villages"][0]["exit"]["failed"], json!(["incidence"]));

    // --as-of moves the date: a day later the child born 2004-01-01 is 16, past compulsory age.
    let o = assess_with(&input, &policy, &["--as-of", "2020-01-01"]);
    let out = json_out(&o);
    assert_eq!(out["as_of"], "2020-01-01");
    assert_eq!(household(&out, "AGE16")["exit"]["failed"], json!([]));
}

#[test]
fn unreadable_input_names_line_and_column() {
    let input = tmp(
        "broken.json",
        "{\"as_of\": \"2019-12-31\",\n \"households\": [\n  {\"id\": \"H1\",, }]}",
    );
    let o = fupin(&["assess", "--input", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 3 column 15"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn a_bad_policy_file_names_its_key() {
    let policy = tmp(
        "bad-policy.toml",
        "name = \"x\"\n[povrty_line]\n2019 = 3747\n",
    );
    let input = root().join("examples/households.json");
    let o = assess_with(&input, &policy, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("povrty_line"));
}

#[test]
fn a_missing_line_for_the_date_is_reported_with_key_and_date() {
    let policy = tmp("old-policy.toml", POLICY);
    let input = root().join("examples/households.json");
    // The file lies over the built-in policy (national lines from 2010): before 2010, no line.
    let o = assess_with(&input, &policy, &["--as-of", "2009-06-30"]);
    assert_eq!(o.status.code(), Some(3));
    let out = json_out(&o);
    assert!(out["households"].as_array().unwrap().is_empty());
    let errors = out["errors"].as_array().unwrap();
    let e = errors
        .iter()
        .find(|e| e["code"] == "policy_missing")
        .expect("policy_missing reported");
    assert_eq!(e["field"], "poverty_line");
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("poverty_line") && msg.contains("2009-06-30"),
        "{msg}"
    );
}

#[test]
fn the_table_is_readable_in_chinese_and_english() {
    let input = root().join("examples/households.json");
    let o = fupin(&[
        "assess",
        "--input",
        input.to_str().unwrap(),
        "--format",
        "table",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("达到脱贫标准 Exit"));
    assert!(text.contains("drinking_water: 饮水不安全 / drinking water is not safe"));
    assert!(text.contains("id_checksum"));
    assert!(text.contains("13 户已评估 assessed"));
}

#[test]
fn policy_show_tells_where_each_value_comes_from() {
    let o = fupin(&[
        "policy", "show", "--region", "140525", "--year", "2020", "--format", "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = json_out(&o);
    assert_eq!(out["policy"], "jincheng");
    let find = |k: &str| {
        out["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["key"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(
        find("monitoring_line"),
        json!({"key": "monitoring_line", "value": "5000", "file": "jincheng", "entry": "2020"})
    );
    assert_eq!(find("poverty_line")["file"], "national");
    assert_eq!(find("dibao_standard")["entry"], "2019");
    let o = fupin(&["policy", "show", "--year", "2019"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("poverty_line") && text.contains("3747") && text.contains("national [2019]"),
        "{text}"
    );
    assert!(
        text.contains("未设定 not set"),
        "national has no dibao standard: {text}"
    );
}

#[path = "cli/registry.rs"]
mod registry;

#[path = "cli/accounts.rs"]
mod accounts;
#[path = "cli/assistance.rs"]
mod assistance;

#[path = "cli/demo.rs"]
mod demo;

#[path = "cli/input.rs"]
mod input;
#[path = "cli/monitoring.rs"]
mod monitoring;
#[path = "cli/responsibility.rs"]
mod responsibility;
#[path = "cli/safety.rs"]
mod safety;

#[path = "cli/funds.rs"]
mod funds;
