//! `fupin assistance check` as a county office runs it: the example file's gaps, bad records with
//! status 3, the same check over the registry (`--db`), and `fupin report assistance`.

use super::{fupin, json_out, root, tmp};
use serde_json::json;

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
