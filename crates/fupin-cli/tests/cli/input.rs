//! Input and output at the edges: a closed pipe, a what-if policy layered over the built-in one,
//! CSV cells that a spreadsheet would take for formulas.

use super::{fupin, id, json_out, tmp};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Asserts the exit status, showing standard error otherwise.
fn exits(o: &std::process::Output, code: i32) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{stderr}");
}

/// `n` valid poor households of two members in village 140525100201, as assess JSON.
fn households(n: u32) -> Value {
    let list: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("H{i:05}"), "area_code": "140525100201", "status": "poor",
                   "income": {"wage": 9000}, "food": true, "clothing": true, "water": true,
                   "housing_grade": "B",
                   "members": [
                       {"id_number": id(&format!("140525197001{:02}{:03}", 1 + i / 1000, i % 1000)),
                        "name": "户主", "relation": "head", "medical_insured": true}]})
        })
        .collect();
    json!({"as_of": "2020-06-30", "households": list})
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_zero() {
    // Well over a pipe's buffer (64 KiB) of output, read one line of it and close the pipe, as
    // `fupin assess ... | head -1` does.
    let input = tmp("pipe.json", &households(1500).to_string());
    for format in ["json", "table"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fupin"))
            .args([
                "assess",
                "--input",
                input.to_str().unwrap(),
                "--format",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run fupin");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reading end is closed here (dropped with the reader).
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.is_empty(), "{format}: {stderr}");
    }
    // Read whole, the same file is assessed without error (the households are valid).
    let o = fupin(&["assess", "--input", input.to_str().unwrap()]);
    exits(&o, 0);
    assert_eq!(json_out(&o)["households"].as_array().unwrap().len(), 1500);
}

/// A what-if file that states only a lower 2020 poverty line: no village indicators, no school
/// ages, no monitoring line of its own.
const WHAT_IF: &str = "name = \"what-if-3900\"\n[poverty_line]\n2020 = 3900\n";

#[test]
fn a_what_if_policy_states_only_what_changes() {
    let policy = tmp("what-if.toml", WHAT_IF);
    let input = super::root().join("examples/households.json");
    let o = super::assess_with(&input, &policy, &[]);
    // The example's one broken ID number, nothing else.
    exits(&o, 3);
    let out = json_out(&o);
    assert_eq!(out["policy"], "what-if-3900");
    assert_eq!(out["errors"].as_array().unwrap().len(), 1, "{out}");
    // 8,000 yuan for two: 4,000 each, not above the built-in 4,000 but above the what-if 3,900.
    let h = super::household(&out, "140525100201003");
    assert_eq!(h["poverty_line"], "3900");
    assert_eq!(h["exit"], json!({"meets_standard": true, "failed": []}));
    // 3,800 each stays below.
    let h = super::household(&out, "140525100201002");
    assert_eq!(h["exit"]["failed"], json!(["income_below_line"]));
    // Villages are judged with the built-in indicators, Jincheng's monitoring line still applies.
    assert_eq!(
        out["villages"][1]["exit"],
        json!({"meets_standard": false, "failed": ["broadband"]})
    );
    let h = super::household(&out, "140525100202005");
    assert_eq!(h["monitoring"]["category"], "marginal");
    assert_eq!(h["monitoring"]["monitoring_line"], "5000");

    // `fupin policy show` names where each value comes from.
    let o = fupin(&[
        "policy",
        "show",
        "--region",
        "140525",
        "--year",
        "2020",
        "--format",
        "json",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    exits(&o, 0);
    let doc = json_out(&o);
    let value = |key: &str| {
        doc["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["key"] == key)
            .unwrap_or_else(|| panic!("{key} missing: {doc}"))
            .clone()
    };
    assert_eq!(
        (
            value("poverty_line")["value"].clone(),
            value("poverty_line")["file"].clone()
        ),
        (json!("3900"), json!("what-if-3900"))
    );
    assert_eq!(value("monitoring_line")["file"], "jincheng");
    assert_eq!(value("village_indicators")["file"], "national");
}

#[test]
fn simulate_compares_a_what_if_file_with_the_built_in_policy() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("r.db").display());
    let policy = tmp("what-if-sim.toml", WHAT_IF);
    let input = dir.path().join("households.json");
    std::fs::copy(super::root().join("examples/households.json"), &input).unwrap();
    let db_arg = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--db", &db]);
        fupin(&all)
    };
    // The broken household is left out (status 3); the rest is imported.
    let o = db_arg(&["import", input.to_str().unwrap(), "--partial"]);
    exits(&o, 3);
    let run = |args: &[&str]| {
        let o = db_arg(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    };
    let o = run(&[
        "simulate",
        "--policy",
        policy.to_str().unwrap(),
        "--as-of",
        "2020-06-30",
        "--format",
        "json",
        "--list",
    ]);
    let s = json_out(&o);
    let listed = s["households_changed"].as_array().unwrap();
    let numbers: Vec<&str> = listed
        .iter()
        .filter_map(|h| h["household"].as_str())
        .collect();
    assert_eq!(numbers, ["140525100201003"], "{s}");
    // Only the poverty line changed: Jincheng's monitoring line is the same on both sides.
    assert_eq!(s["proposed"], "what-if-3900");
    assert_eq!(s["areas"][0]["monitoring"]["entered"]["households"], 0);
    assert_eq!(s["areas"][0]["exit"]["newly_meets"]["households"], 1);
}

#[test]
fn json_input_that_holds_nothing_is_refused_and_a_byte_order_mark_is_read() {
    for (name, text) in [
        ("null", "null"),
        ("list", "[]"),
        ("empty", "{\"as_of\": \"2020-06-30\"}"),
    ] {
        let input = tmp(&format!("{name}-doc.json"), text);
        let o = fupin(&["assess", "--input", input.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("must be a JSON object") || err.contains("no households"),
            "{name}: {err}"
        );
        assert!(o.stdout.is_empty());
    }
    let example = std::fs::read_to_string(super::root().join("examples/households.json")).unwrap();
    let input = tmp("bom.json", &format!("\u{feff}{example}"));
    let o = fupin(&["assess", "--input", input.to_str().unwrap()]);
    // The example's one broken ID number: the file itself was read.
    exits(&o, 3);
    assert_eq!(json_out(&o)["as_of"], "2020-06-30");
}

#[test]
fn a_household_of_8000_repeated_members_is_refused_at_once() {
    let mut doc = households(1);
    let member = doc["households"][0]["members"][0].clone();
    doc["households"][0]["members"] = Value::Array(vec![member; 8_000]);
    let input = tmp("repeated.json", &doc.to_string());
    let o = fupin(&["assess", "--input", input.to_str().unwrap()]);
    exits(&o, 3);
    let out = json_out(&o);
    let errors = out["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{out}");
    assert_eq!(errors[0]["code"], "too_many_members");
    assert_eq!(errors[0]["field"], "members");
}
