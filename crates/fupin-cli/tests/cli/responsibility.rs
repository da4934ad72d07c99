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

/// `fupin report visits` and `fupin report teams` on the city profile (called by the demo test,
/// which generated it): Jincheng's figures of 2020 (seed 003).
pub fn city_network_gives_jincheng_figures(db: &str) {
    let o = fupin(&[
        "report",
        "visits",
        "--from",
        "2020-01-01",
        "--to",
        "2020-06-30",
        "--area",
        "1405",
        "--db",
        db,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json_out(&o);
    assert_eq!(
        v["visits"],
        json!({"visits": 25_481, "households_visited": 25_481, "issues": 436, "issues_closed": 436,
               "measures": 114, "completion_pct": "100.00"})
    );
    // By county: the six counties add up.
    let areas = v["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 6);
    let sum: u64 = areas
        .iter()
        .map(|a| a["households_visited"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 25_481);
    let o = fupin(&[
        "report",
        "teams",
        "--as-of",
        "2020-06-30",
        "--area",
        "1405",
        "--db",
        db,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let t = json_out(&o);
    assert_eq!(
        (t["teams"].as_u64(), t["members"].as_u64()),
        (Some(416), Some(1_350))
    );
    assert_eq!(t["first_secretaries"], 416);
    assert_eq!(t["gaps"]["household_unpaired"], 0, "{t}");
    // The same check over the registry: no gap at all.
    let o = fupin(&[
        "responsibility",
        "check",
        "--db",
        db,
        "--area",
        "1405",
        "--as-of",
        "2020-06-30",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json_out(&o)["gaps"], json!([]));
    // The workbook of the visit report.
    let xlsx = std::env::temp_dir().join(format!("fupin-visits-{}.xlsx", std::process::id()));
    let o = fupin(&[
        "report",
        "visits",
        "--from",
        "2020-01-01",
        "--to",
        "2020-06-30",
        "--area",
        "1405",
        "--db",
        db,
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    std::fs::remove_file(&xlsx).unwrap();
}

/// The county profile (called by the demo test): every household that needs a cadre at the
/// profile's end is paired, and 50 enterprises are paired with 50 villages (Zezhou).
pub fn county_network_pairs_every_poor_household(db: &str) {
    let o = fupin(&[
        "report",
        "teams",
        "--as-of",
        "2017-12-31",
        "--area",
        "140525",
        "--db",
        db,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let t = json_out(&o);
    assert_eq!(t["gaps"]["household_unpaired"], 0, "{t}");
    assert_eq!(t["gaps"]["village_needs_team"], 0, "{t}");
    assert_eq!(t["enterprise_pairings"], 50);
    let o = fupin(&[
        "responsibility",
        "check",
        "--db",
        db,
        "--area",
        "140525",
        "--as-of",
        "2017-12-31",
    ]);
    assert_eq!(json_out(&o)["gaps"], json!([]));
}
