//! `fupin responsibility check` (pure, over a JSON file) as a user runs it.

use super::{fupin, json_out, root, tmp};
use serde_json::json;

fn example() -> String {
    root()
        .join("examples/responsibility.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_example_gives_every_gap_but_after_exit_under_the_national_policy() {
    let o = fupin(&["responsibility", "check", "--input", &example()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = json_out(&o);
    let codes: Vec<&str> = out["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "cadre_below_quota",
            "household_unpaired",
            "pairing_over_term",
            "team_over_term",
            "unit_spread",
            "village_needs_first_secretary",
            "village_needs_team"
        ]
    );
    assert_eq!(
        out["gaps"][0],
        json!({"code": "cadre_below_quota", "cadre": "C01", "pairings": 1, "quota": 4})
    );
    assert_eq!(
        out["visits"],
        json!({"visits": 2, "households_visited": 2, "issues": 2, "issues_closed": 1,
               "measures": 2, "completion_pct": "50.00"})
    );
}

#[test]
fn a_what_if_policy_ends_pairings_at_exit_and_as_of_moves_the_date() {
    let policy = root().join("examples/suining-policy.toml");
    let o = fupin(&[
        "responsibility",
        "check",
        "--input",
        &example(),
        "--policy",
        policy.to_str().unwrap(),
        "--as-of",
        "2020-07-31",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = json_out(&o);
    assert_eq!(out["policy"], "suining");
    assert!(out["gaps"]
        .as_array()
        .unwrap()
        .contains(&json!({"code": "pairing_after_exit", "cadre": "C03",
                          "household": "140525100201009"})));
    // The July visit now counts, and its issue closed on 6 July.
    assert_eq!(out["visits"]["visits"], 3);
    assert_eq!(out["visits"]["completion_pct"], "66.67");
}

#[test]
fn invalid_records_exit_3_unreadable_input_2_and_the_table_format() {
    let bad = tmp(
        "resp-bad.json",
        &json!({"as_of": "2020-06-30",
                "households": [{"number": "H1", "area_code": "140525100201", "status": "poor"}],
                "units": [{"code": "U1", "name": "局", "kind": "ministry"}],
                "pairings": [{"cadre": "C9", "household": "H1", "start": "2020-01-01"}]})
        .to_string(),
    );
    let o = fupin(&["responsibility", "check", "--input", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let out = json_out(&o);
    let errors: Vec<(&str, &str)> = out["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            ("units[0].kind", "unit_kind_unknown"),
            ("pairings[0].cadre", "unknown_cadre")
        ]
    );
    assert_eq!(out["gaps"][0]["code"], "household_unpaired");
    let o = fupin(&[
        "responsibility",
        "check",
        "--input",
        bad.to_str().unwrap(),
        "--format",
        "table",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("household_unpaired") && text.contains("units[0].kind"),
        "{text}"
    );
    let not_json = tmp("resp-not.json", "{\"as_of\": ");
    let o = fupin(&[
        "responsibility",
        "check",
        "--input",
        not_json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = fupin(&["responsibility", "check", "--input", "/nonexistent/x.json"]);
    assert_eq!(o.status.code(), Some(2));
}
