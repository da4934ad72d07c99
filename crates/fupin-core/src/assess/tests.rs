use super::*;
use crate::id::check_char;
use serde_json::json;

fn id(first17: &str) -> String {
    format!("{first17}{}", check_char(first17.as_bytes()))
}

fn member(first17: &str, school: &str) -> Value {
    json!({"id_number": id(first17), "name": "王五", "relation": "child", "school_status": school,
           "medical_insured": true, "labor": "none", "health": "healthy"})
}

fn household(hid: &str, area: &str, status: &str, wage: Value, members: Vec<Value>) -> Value {
    json!({"id": hid, "area_code": area, "status": status, "income": {"wage": wage},
           "food": true, "clothing": true, "water": true, "housing_grade": "A", "members": members})
}

fn run(input: Value) -> Report {
    assess(&input, &PolicySet::builtin(), None).unwrap()
}

#[test]
fn households_are_assessed_under_their_region_policy() {
    let input = json!({
        "as_of": "2020-06-30",
        "households": [
            // Jincheng (1405): monitoring line 5000 in 2020, dibao 4600.
            household("J1", "140525100201", "exited", json!("13500"), vec![
                member("14052519800101001", "none"), member("14052519820202002", "none"), member("14052520100101003", "primary")]),
            // Elsewhere: national has no monitoring line in 2020 and no dibao standard.
            household("N1", "320115100201", "exited", json!(13500), vec![
                member("32011519800101001", "none"), member("32011519820202002", "none"), member("32011520100101003", "primary")]),
        ],
    });
    let r = run(input);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let j = &r.households[0];
    assert_eq!(
        (
            j.policy.as_str(),
            j.per_capita_income.as_str(),
            j.poverty_line.as_str()
        ),
        ("jincheng", "4500.00", "4000")
    );
    assert!(j.exit.meets_standard);
    let m = j.monitoring.as_ref().unwrap();
    assert_eq!(
        (m.category, m.reasons.clone(), m.monitoring_line.as_str()),
        ("unstable", vec!["income_below_monitoring_line"], "5000")
    );
    let d = j.dibao.as_ref().unwrap();
    assert!(d.eligible);
    assert_eq!(d.monthly_top_up, "25.00"); // (4600 × 3 − 13500) / 12
    let n = &r.households[1];
    assert_eq!(n.policy, "national");
    assert!(n.monitoring.is_none() && n.dibao.is_none());
    let out = serde_json::to_value(&r).unwrap();
    assert_eq!(out["households"][1]["monitoring"], Value::Null);
    assert!(out["households"][1].get("dibao").is_none());
}

#[test]
fn an_invalid_household_is_reported_and_the_rest_assessed() {
    let input = json!({
        "as_of": "2019-12-31",
        "households": [
            household("H1", "140525100201", "poor", json!("8000.50"), vec![member("14052519800101001", "none")]),
            household("H2", "140525100201", "poor", json!(1), vec![
                member("14052519800101001", "none"),
                json!({"id_number": "140525198001010011", "name": "李四", "medical_insured": true})]),
            household("H3", "1405251002", "poor", json!(-5), vec![member("14052519900101001", "none")]),
            {"id": "H4", "area_code": "140525100201", "status": "rich", "income": {"wages": 1},
             "food": "yes", "clothing": true, "water": true, "housing_grade": "E", "members": []},
        ],
    });
    let r = run(input);
    assert_eq!(r.households.len(), 1);
    assert_eq!(r.households[0].id, "H1");
    let got: Vec<(Option<&str>, Option<usize>, &str, &str)> = r
        .errors
        .iter()
        .map(|e| {
            (
                e.household.as_deref(),
                e.member,
                e.field.as_str(),
                e.code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("H2"), Some(2), "id_number", "id_checksum"),
            (Some("H3"), None, "area_code", "area_code"),
            (Some("H3"), None, "income.wage", "money_negative"),
            (Some("H4"), None, "status", "unknown_code"),
            (Some("H4"), None, "income.wages", "unknown_field"),
            (Some("H4"), None, "food", "invalid_type"),
            (Some("H4"), None, "housing_grade", "unknown_code"),
            (Some("H4"), None, "members", "no_members"),
        ]
    );
}

#[test]
fn one_person_in_two_households_invalidates_both() {
    let input = json!({
        "as_of": "2019-12-31",
        "households": [
            household("A", "140525100201", "poor", json!(0), vec![member("14052519800101001", "none")]),
            household("B", "140525100202", "poor", json!(0), vec![member("14052519800101001", "none")]),
            household("C", "140525100202", "poor", json!(0), vec![member("14052519700101001", "none")]),
        ],
    });
    let r = run(input);
    assert_eq!(
        r.households
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        ["C"]
    );
    let dup: Vec<_> = r
        .errors
        .iter()
        .map(|e| (e.household.as_deref().unwrap(), e.code.as_str()))
        .collect();
    assert_eq!(dup, [("A", "duplicate_person"), ("B", "duplicate_person")]);
}

#[test]
fn villages_count_poor_and_returned_members_and_check_indicators() {
    let all = json!({"road": true, "electricity": true, "water": true, "broadband": true, "clinic": true, "collective_income": true});
    let mut some = all.clone();
    some["broadband"] = json!(false);
    let input = json!({
        "as_of": "2019-12-31",
        "households": [
            household("P", "140525100201", "poor", json!(0), vec![member("14052519800101001", "none")]),
            household("R", "140525100201", "returned", json!(0), vec![member("14052519700101001", "none")]),
            household("E", "140525100201", "exited", json!(9000), vec![member("14052519600101001", "none")]),
            household("W", "520102100201", "poor", json!(0), vec![member("52010219600101001", "none"), member("52010219610101001", "none")]),
        ],
        "villages": [
            {"area_code": "140525100201", "region": "central", "rural_population": 100, "indicators": all},
            {"area_code": "520102100201", "region": "west", "rural_population": 100, "indicators": some},
            {"area_code": "140525100202", "rural_population": 0, "indicators": all},
            {"area_code": "140525100203", "rural_population": 10, "indicators": {"road": true}},
        ],
    });
    let r = run(input);
    let v = &r.villages[0];
    assert_eq!((v.poor_population, v.incidence_pct.as_str()), (2, "2.00"));
    assert_eq!(v.exit.failed, vec!["incidence"]);
    let w = &r.villages[1];
    assert_eq!(
        (w.incidence_pct.as_str(), w.max_incidence_pct.as_str()),
        ("2.00", "3")
    );
    assert_eq!(w.exit.failed, vec!["broadband"]);
    let errs: Vec<_> = r
        .errors
        .iter()
        .map(|e| {
            (
                e.village.as_deref().unwrap(),
                e.field.as_str(),
                e.code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        errs[0],
        ("140525100202", "rural_population", "rural_population")
    );
    assert_eq!(
        errs[1],
        ("140525100203", "indicators.electricity", "missing_field")
    );
}

#[test]
fn counties_are_judged_on_incidence_and_rates() {
    let input = json!({
        "as_of": "2019-12-31",
        "households": [household("P", "140525100201", "poor", json!(0), vec![member("14052519800101001", "none")])],
        "counties": [{"area_code": "140525", "rural_population": 1000, "wrong_exit_pct": 1.5, "missed_pct": "2.5", "satisfaction_pct": 95}],
    });
    let r = run(input);
    let c = &r.counties[0];
    assert_eq!((c.poor_population, c.incidence_pct.as_str()), (1, "0.10"));
    assert_eq!(c.exit.failed, vec!["missed_rate"]);
}

#[test]
fn a_policy_without_a_value_for_the_date_names_key_and_date() {
    let input = json!({"as_of": "2009-06-30",
        "households": [household("P", "140525100201", "poor", json!(0), vec![member("14052519800101001", "none")])]});
    let r = run(input);
    assert!(r.households.is_empty());
    assert_eq!(r.errors[0].code, "policy_missing");
    assert!(
        r.errors[0].message.contains("poverty_line") && r.errors[0].message.contains("2009-06-30")
    );
}

#[test]
fn a_member_born_after_the_assessment_date_is_refused() {
    let input = json!({"as_of": "2019-12-31",
        "households": [household("P", "140525100201", "poor", json!(0), vec![member("14052520200101001", "none")])]});
    let r = run(input);
    assert_eq!(
        (r.errors[0].member, r.errors[0].code.as_str()),
        (Some(1), "id_birth_date")
    );
}

#[test]
fn as_of_comes_from_the_override_or_the_file() {
    let input = json!({"as_of": "2019-12-31", "households": []});
    let d = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    assert_eq!(
        assess(&input, &PolicySet::builtin(), Some(d))
            .unwrap()
            .as_of,
        d
    );
    assert!(assess(&json!({"households": []}), &PolicySet::builtin(), None).is_err());
    assert!(assess(&json!({"as_of": "2019-13-01"}), &PolicySet::builtin(), None).is_err());
    assert!(assess(
        &json!({"as_of": "2019-12-01", "households": {}}),
        &PolicySet::builtin(),
        None
    )
    .is_err());
}

#[test]
fn the_village_exit_decision_reads_threshold_and_indicators_from_the_policy() {
    use crate::codes::{Region, VillageIndicator};
    let policies = PolicySet::builtin();
    let policy = policies.for_area("140525100201");
    let recorded = vec![
        ("road".to_string(), true),
        ("electricity".to_string(), false),
        ("unknown".to_string(), true),
    ];
    let rule = VillageExit::under(&policy, Some(Region::Central), &recorded).unwrap();
    assert_eq!(rule.max_incidence_pct, Decimal::from(2));
    // Every required indicator in policy order; one not recorded does not hold.
    assert_eq!(rule.indicators.len(), 6);
    assert_eq!(rule.indicators[0], (VillageIndicator::Road, true));
    assert_eq!(rule.indicators[1], (VillageIndicator::Electricity, false));
    assert!(rule.indicators[2..].iter().all(|(_, ok)| !ok));
    // 19 of 1000 is 1.9%: below the threshold, yet the indicators fail.
    let codes = |f: Vec<rules::VillageCheck>| f.iter().map(|c| c.code()).collect::<Vec<_>>();
    assert!(!rule.is_poor(19, 1000));
    assert_eq!(
        codes(rule.failed(19, 1000)),
        [
            "electricity",
            "water",
            "broadband",
            "clinic",
            "collective_income"
        ]
    );
    // 20 of 1000 is exactly 2%: not below, a poor village.
    assert!(rule.is_poor(20, 1000));
    assert_eq!(codes(rule.failed(20, 1000))[0], "incidence");
    // With every indicator holding, only the incidence decides.
    let all: Vec<_> = rule
        .indicators
        .iter()
        .map(|(i, _)| (i.code().to_string(), true))
        .collect();
    let rule = VillageExit::under(&policy, Some(Region::Central), &all).unwrap();
    assert!(rule.failed(19, 1000).is_empty());
    // The western threshold is 3%.
    let west = VillageExit::under(&policy, Some(Region::West), &all).unwrap();
    assert!(west.failed(29, 1000).is_empty());
}
