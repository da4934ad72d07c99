use super::*;
use serde_json::json;

const HEAD: &str = "140525198001011230";
const SPOUSE: &str = "140525198202022227";
const CHILD: &str = "140525201003033331";
const OLD1: &str = "140525194004044443";
const OLD2: &str = "140525194205055552";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn member(id: &str, labor: &str) -> Value {
    json!({"id_number": id, "name": "成员", "medical_insured": true, "labor": labor})
}

fn household(id: &str, status: &str, monitoring: Value, grade: &str, members: Vec<Value>) -> Value {
    json!({"id": id, "area_code": "140525100201", "status": status, "monitoring": monitoring,
           "income": {"wage": 3000}, "food": true, "clothing": true, "water": true,
           "housing_grade": grade, "members": members})
}

fn run(doc: Value) -> Report {
    check(&doc, &PolicySet::builtin(), None).unwrap()
}

fn codes(r: &Report, id: &str) -> Vec<(String, Option<String>)> {
    r.households
        .iter()
        .find(|h| h.id == id)
        .unwrap_or_else(|| panic!("household {id} not in the output"))
        .gaps
        .iter()
        .map(|g| (g.code.code().to_string(), g.person.clone()))
        .collect()
}

fn g(code: &str) -> (String, Option<String>) {
    (code.to_string(), None)
}

#[test]
fn one_weak_labourer_and_no_job_lacks_employment_and_training() {
    let r = run(json!({"as_of": "2020-06-30",
        "households": [household("H1", "poor", Value::Null, "B",
            vec![member(HEAD, "weak"), member(OLD1, "none")])],
        "plans": [{"household": "H1", "year": 2020, "paths": ["industry"], "target": "增收"}],
        "measures": [{"household": "H1", "person": null, "kind": "industry_support",
                      "date": "2020-03-01", "amount": 2000}]}));
    assert_eq!(
        codes(&r, "H1"),
        vec![
            g("no_employment"),
            ("untrained_labour".into(), Some(HEAD.into()))
        ]
    );
    assert_eq!(r.summary.households, 1);
    assert_eq!(r.summary.with_gaps, 1);
    assert_eq!(r.summary.gaps[&Gap::NoEmployment], 1);
    assert!(r.errors.is_empty());
}

#[test]
fn a_job_and_training_close_both_gaps_and_count_in_the_measures() {
    let r = run(json!({"as_of": "2020-06-30",
        "households": [household("H1", "poor", Value::Null, "B",
            vec![member(HEAD, "ordinary"), member(SPOUSE, "skilled")])],
        "plans": [{"household": "H1", "year": 2020, "paths": ["industry"]}],
        "measures": [
            {"household": "H1", "person": HEAD, "kind": "public_welfare_post", "date": "2020-03-01",
             "amount": "6000.00", "provider": "县人社局"},
            {"household": "H1", "person": HEAD, "kind": "skills_training", "date": "2018-05-01", "amount": 0},
            {"household": "H1", "person": SPOUSE, "kind": "技能培训", "date": "2019-05-01", "amount": "0"}]}));
    assert_eq!(codes(&r, "H1"), vec![]);
    let h = &r.households[0];
    assert_eq!(h.measures[&MeasureKind::PublicWelfarePost].count, 1);
    assert_eq!(
        fmt2(h.measures[&MeasureKind::PublicWelfarePost].amount),
        "6000.00"
    );
    // Training of earlier years is not a measure of this year.
    assert!(!h.measures.contains_key(&MeasureKind::SkillsTraining));
    let s = &r.summary.measures[&MeasureKind::PublicWelfarePost];
    assert_eq!((s.households, s.people, s.count), (1, 1, 1));
    let out = serde_json::to_value(&r).unwrap();
    assert_eq!(
        out["summary"]["measures"]["public_welfare_post"]["amount"],
        "6000.00"
    );
    assert_eq!(out["households"][0]["gaps"], json!([]));
}

#[test]
fn no_labour_with_dibao_has_no_gap_and_without_it_lacks_social_security() {
    let doc = |measures: Value| {
        json!({"as_of": "2020-06-30",
            "households": [household("H2", "poor", Value::Null, "A",
                vec![member(OLD1, "none"), member(OLD2, "lost")])],
            "plans": [{"household": "H2", "year": 2020, "paths": ["social_security"]}],
            "measures": measures})
    };
    let with = run(doc(
        json!([{"household": "H2", "person": null, "kind": "dibao",
                               "date": "2020-01-15", "amount": "2300.00"}]),
    ));
    assert_eq!(codes(&with, "H2"), vec![]);
    // 低保 of the year before does not cover this year.
    let without = run(doc(
        json!([{"household": "H2", "person": null, "kind": "dibao",
                                  "date": "2019-12-15", "amount": "2300.00"}]),
    ));
    assert_eq!(codes(&without, "H2"), vec![g("no_social_security")]);
}

#[test]
fn a_d_grade_house_relocated_is_safe_and_one_not_relocated_is_a_gap() {
    let doc = |kind: &str| {
        json!({"as_of": "2020-06-30",
            "households": [household("H3", "returned", Value::Null, "D",
                vec![member(OLD1, "none")])],
            "plans": [{"household": "H3", "year": 2020, "paths": ["relocation"]}],
            "measures": [{"household": "H3", "kind": kind, "date": "2017-09-01", "amount": 60000},
                         {"household": "H3", "kind": "destitute_support", "date": "2020-02-01", "amount": 5869}]})
    };
    assert_eq!(codes(&run(doc("relocation")), "H3"), vec![]);
    assert_eq!(codes(&run(doc("housing_renovation")), "H3"), vec![]);
    assert_eq!(
        codes(&run(doc("medical_aid")), "H3"),
        vec![g("unsafe_housing")]
    );
}

#[test]
fn a_monitored_household_with_no_measure_and_no_plan() {
    let r = run(json!({"as_of": "2021-06-30",
        "households": [household("H4", "exited", json!("marginal"), "B",
            vec![member(OLD1, "none")])],
        "measures": [{"household": "H4", "kind": "dibao", "date": "2020-06-01", "amount": 100}]}));
    assert_eq!(
        codes(&r, "H4"),
        vec![g("no_measure"), g("no_plan"), g("no_social_security")]
    );
    assert_eq!(r.summary.gaps[&Gap::NoMeasure], 1);
    assert_eq!(r.summary.gaps[&Gap::NoPlan], 1);
}

#[test]
fn risk_eliminated_exited_and_removed_households_are_skipped() {
    let r = run(json!({"as_of": "2020-06-30",
        "households": [
            household("E1", "exited", json!("risk_eliminated"), "D", vec![member(HEAD, "ordinary")]),
            household("E2", "exited", Value::Null, "D", vec![member(SPOUSE, "ordinary")]),
            household("E3", "non_poor", json!("none"), "D", vec![member(CHILD, "none")]),
            household("P1", "poor", Value::Null, "A", vec![member(OLD1, "none")])]}));
    let ids: Vec<&str> = r.households.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, vec!["P1"]);
    assert_eq!(r.summary.households, 1);
}

#[test]
fn measures_after_the_date_do_not_count() {
    let r = run(json!({"as_of": "2020-06-30",
        "households": [household("H5", "poor", Value::Null, "C", vec![member(HEAD, "ordinary")])],
        "plans": [{"household": "H5", "year": 2020}],
        "measures": [
            {"household": "H5", "person": HEAD, "kind": "employment", "date": "2020-07-01", "amount": 0},
            {"household": "H5", "person": HEAD, "kind": "skills_training", "date": "2020-07-01", "amount": 0},
            {"household": "H5", "kind": "housing_renovation", "date": "2020-12-01", "amount": 20000}]}));
    assert_eq!(
        codes(&r, "H5"),
        vec![
            g("no_employment"),
            g("unsafe_housing"),
            ("untrained_labour".into(), Some(HEAD.into()))
        ]
    );
    assert!(r.households[0].measures.is_empty());
    assert!(r.summary.measures.is_empty());
}

#[test]
fn untrained_labour_is_reported_per_member_in_order() {
    let r = run(json!({"as_of": "2020-06-30",
        "households": [household("H6", "poor", Value::Null, "A",
            vec![member(SPOUSE, "ordinary"), member(HEAD, "skilled"), member(CHILD, "none")])],
        "plans": [{"household": "H6", "year": 2020}],
        "measures": [{"household": "H6", "person": SPOUSE, "kind": "employment", "date": "2020-01-01"},
                     // A household-wide training trains no one in particular.
                     {"household": "H6", "kind": "skills_training", "date": "2020-01-01"}]}));
    assert_eq!(
        codes(&r, "H6"),
        vec![
            ("untrained_labour".into(), Some(HEAD.into())),
            ("untrained_labour".into(), Some(SPOUSE.into()))
        ]
    );
    assert_eq!(r.summary.gaps[&Gap::UntrainedLabour], 2);
}

#[test]
fn bad_plans_and_measures_are_errors_by_field_and_code() {
    let r = run(json!({"as_of": "2020-06-30",
        "households": [household("H1", "poor", Value::Null, "A", vec![member(HEAD, "none")])],
        "plans": [{"household": "H1", "year": 2020, "paths": ["wealth"]},
                  {"household": "H9", "year": 2020},
                  {"household": "H1", "year": 2020},
                  {"household": "H1", "year": 2020}],
        "measures": [
            {"household": "H9", "kind": "dibao", "date": "2020-01-01"},
            {"household": "H1", "kind": "lottery", "date": "2020-01-01"},
            {"household": "H1", "person": "140525198001011231", "kind": "dibao", "date": "2020-01-01"},
            {"household": "H1", "person": SPOUSE, "kind": "dibao", "date": "2020-01-01"},
            {"household": "H1", "kind": "dibao", "date": "2020-13-01", "amount": "1.234"}]}));
    let got: Vec<(String, String)> = r
        .errors
        .iter()
        .map(|e| (e.field.clone(), e.code.clone()))
        .collect();
    let want = [
        ("plans[0].paths[0]", "unknown_path"),
        ("plans[1].household", "unknown_household"),
        ("plans[3].year", "duplicate_plan"),
        ("measures[0].household", "unknown_household"),
        ("measures[1].kind", "unknown_kind"),
        ("measures[2].person", "id_checksum"),
        ("measures[3].person", "person_not_member"),
        ("measures[4].date", "invalid_date"),
        ("measures[4].amount", "money_precision"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(r.errors[1].household.as_deref(), Some("H9"));
    // The valid records are still checked: the household has its plan and no 低保.
    assert_eq!(codes(&r, "H1"), vec![g("no_social_security")]);
}

#[test]
fn calculators_read_the_policy_of_the_area_and_year() {
    let set = PolicySet::builtin();
    let jincheng = set.for_area("140525100201");
    let (aid, s) = education_aid(&jincheng, d("2020-06-30"), 1492).unwrap();
    assert_eq!(aid, Decimal::from(4_476_000));
    assert_eq!(
        (s.file.as_str(), s.entry.as_deref()),
        ("jincheng", Some("2020"))
    );
    assert!(education_aid(&jincheng, d("2019-06-30"), 1).is_none());
    assert_eq!(
        destitute_yearly(&jincheng, d("2020-01-01"), 2).unwrap().0,
        Decimal::from(11_738)
    );
    let suining = set.for_area("430527100001");
    assert_eq!(
        military_family_allowance(&suining, d("2017-01-01"), true),
        Some((Decimal::from(6000), Decimal::from(10_000)))
    );
    assert_eq!(
        military_family_allowance(&suining, d("2017-01-01"), false),
        Some((Decimal::from(6000), Decimal::ZERO))
    );
    assert_eq!(
        military_family_allowance(&jincheng, d("2020-01-01"), true),
        None
    );
    let shangzhou = set.for_area("611002100001");
    let claim = medical_reimbursement(
        &shangzhou,
        d("2018-06-01"),
        Decimal::from(10_000),
        Decimal::from(8_950),
    )
    .unwrap();
    assert_eq!(claim.ratio_pct, "89.50");
    assert!(!claim.meets_floor);
    assert_eq!(fmt2(claim.shortfall), "50.00");
    let claim = medical_reimbursement(
        &jincheng,
        d("2020-06-01"),
        Decimal::from(10_000),
        Decimal::from(9_400),
    )
    .unwrap();
    assert_eq!((claim.floor_pct.as_str(), claim.meets_floor), ("94", true));
}

#[test]
fn a_dibao_household_is_entitled_to_its_top_up_and_a_student_to_yulu_aid() {
    use crate::codes::{HouseholdStatus, SchoolStatus};
    let mut r = crate::registry::fixtures::three_people(HouseholdStatus::Poor, 6000, 2020);
    r.attribute = Some(Attribute::Dibao);
    r.members[2].school_status = SchoolStatus::SecondaryVocational;
    let set = PolicySet::builtin();
    let e = entitlements(&r, &set.for_area(&r.area_code), d("2020-06-30"));
    let got: Vec<(&str, String)> = e.iter().map(|e| (e.kind.code(), fmt2(e.yearly))).collect();
    // 低保: 4,600 × 3 − 6,000 = 7,800 a year; 雨露计划: 3,000 for the one vocational student.
    assert_eq!(
        got,
        vec![
            ("dibao", "7800.00".to_string()),
            ("education_aid", "3000.00".to_string())
        ]
    );
}
