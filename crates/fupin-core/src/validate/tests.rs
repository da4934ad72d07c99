//! The validator, rule by rule, from a sheet row and from JSON.

use super::*;
use serde_json::json;

/// A sheet row: cells by key.
struct Row(Vec<(&'static str, String)>);

fn row(cells: &[(&'static str, &str)]) -> Row {
    Row(cells.iter().map(|(k, v)| (*k, v.to_string())).collect())
}

impl Fields for Row {
    fn source(&self) -> Source {
        Source::Sheet
    }

    fn get(&self, key: &'static str) -> Option<Value<'_>> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .map(Value::Cell)
    }
}

/// A JSON object, keys as the validator's.
struct Json(serde_json::Value);

impl Fields for Json {
    fn source(&self) -> Source {
        Source::Json
    }

    fn get(&self, key: &'static str) -> Option<Value<'_>> {
        self.0.get(key).filter(|v| !v.is_null()).map(Value::Json)
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An ID number whose check character is wrong.
const BAD_ID: &str = "140525198001010011";

fn good_id() -> String {
    let first17 = "14052519800101001";
    format!("{first17}{}", crate::id::check_char(first17.as_bytes()))
}

fn household_row(extra: &[(&'static str, &'static str)]) -> Row {
    let mut cells = vec![
        ("household_number", "H1"),
        ("area_code", "140525100201"),
        ("status", "未脱贫"),
        ("housing_grade", "B"),
        ("food", "是"),
        ("clothing", "是"),
        ("water", "是"),
    ];
    for (k, v) in extra {
        cells.retain(|(c, _)| c != k);
        cells.push((k, v));
    }
    row(&cells)
}

/// The (field, code) of each error of a household row.
fn household_errors(extra: &[(&'static str, &'static str)]) -> Vec<(String, &'static str)> {
    validate_errors(household(&household_row(extra), d("2020-01-01")))
}

fn validate_errors<T: std::fmt::Debug>(
    r: Result<T, Vec<HouseholdError>>,
) -> Vec<(String, &'static str)> {
    r.unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

fn one(field: &str, code: &'static str) -> Vec<(String, &'static str)> {
    vec![(field.to_string(), code)]
}

#[test]
fn a_valid_household_row_gives_the_record() {
    let r = household(
        &household_row(&[("wage", "1,200.50"), ("secondary_causes", "缺技术、缺资金")]),
        d("2020-06-30"),
    )
    .unwrap();
    assert_eq!(r.number, "H1");
    assert_eq!(r.status, HouseholdStatus::Poor);
    assert_eq!(r.income.wage.to_string(), "1200.50");
    assert_eq!(r.secondary_causes.len(), 2);
    // Income given without a year: the year before the date.
    assert_eq!(r.income_year, Some(2019));
    let none = household(&household_row(&[]), d("2020-06-30")).unwrap();
    assert_eq!(none.income_year, None);
}

#[test]
fn required_fields_are_required() {
    assert_eq!(
        household_errors(&[("status", "")]),
        one("status", "required")
    );
    let e = household(&Json(json!({})), d("2020-01-01")).unwrap_err();
    assert_eq!(e[0].code, "missing_field");
    assert_eq!(
        e[0].message(),
        "缺少必填字段 household_number / required field household_number is missing"
    );
}

#[test]
fn the_area_is_a_valid_village_code() {
    assert_eq!(
        household_errors(&[("area_code", "1405251002")]),
        one("area_code", "area_code")
    );
    assert_eq!(
        household_errors(&[("area_code", "990000000000")]),
        one("area_code", "area_code")
    );
    let e = village_area("140525000000").unwrap_err();
    assert_eq!(e.zh, "户的区划代码应到村级(12位)");
    assert!(village_area("140525100201").is_ok());
}

#[test]
fn codes_are_known_and_the_sheet_is_lenient() {
    assert_eq!(
        household_errors(&[("status", "rich")]),
        one("status", "unknown_code")
    );
    // A trailing 级 and a lower-case code are read from the sheet.
    assert!(household(&household_row(&[("housing_grade", "b级")]), d("2020-01-01")).is_ok());
    assert_eq!(
        household_errors(&[("secondary_causes", "缺技术、不存在")]),
        one("secondary_causes", "unknown_code")
    );
    // The JSON is strict, and names the value.
    let e = Json(json!({"status": "rich"}));
    let err = validate_errors(household(&e, d("2020-01-01")));
    assert!(err.contains(&("status".to_string(), "unknown_code")));
    let all = household(&e, d("2020-01-01")).unwrap_err();
    let status = all.iter().find(|e| e.field == "status").unwrap();
    assert!(status.zh.contains("\"rich\"") && status.en.contains("known: poor"));
}

#[test]
fn money_is_exact_non_negative_and_in_fen() {
    assert_eq!(
        household_errors(&[("wage", "-5")]),
        one("wage", "money_negative")
    );
    assert_eq!(
        household_errors(&[("wage", "abc")]),
        one("wage", "money_format")
    );
    assert_eq!(
        household_errors(&[("transfer", "1.005")]),
        one("transfer", "money_precision")
    );
    // The JSON takes numbers, and shows the value in English.
    let e = household(&Json(json!({"wage": -5})), d("2020-01-01")).unwrap_err();
    let wage = e.iter().find(|e| e.field == "wage").unwrap();
    assert_eq!(
        (wage.code, wage.message().as_str()),
        (
            "money_negative",
            "金额不能为负 / money cannot be negative (-5)"
        )
    );
}

#[test]
fn booleans_are_yes_or_no() {
    assert_eq!(
        household_errors(&[("food", "maybe")]),
        one("food", "invalid_bool")
    );
    assert!(household(&household_row(&[("food", "否")]), d("2020-01-01")).is_ok());
    let e = household(&Json(json!({"food": "yes"})), d("2020-01-01")).unwrap_err();
    assert!(e
        .iter()
        .any(|e| e.field == "food" && e.code == "invalid_type"));
}

#[test]
fn whole_numbers_are_in_range() {
    assert_eq!(
        household_errors(&[("income_year", "1800")]),
        one("income_year", "invalid_number")
    );
}

#[test]
fn a_member_id_number_has_a_correct_check_character() {
    let member_row = |id: &str| row(&[("id_number", id), ("name", "张三"), ("relation", "户主")]);
    assert_eq!(
        validate_errors(member(&member_row(BAD_ID), None)),
        one("id_number", "id_checksum")
    );
    assert_eq!(
        validate_errors(member(&member_row("1405251980"), None)),
        one("id_number", "id_length")
    );
    let good = good_id();
    let m = member(&member_row(&good), None).unwrap();
    assert_eq!(m.member.relation, Relation::Head);
    // Born after the assessment date (the JSON's check).
    assert_eq!(
        validate_errors(member(&member_row(&good), Some(d("1979-12-31")))),
        one("id_number", "id_birth_date")
    );
}

#[test]
fn member_rules_differ_where_the_sources_always_have() {
    let id = good_id();
    // The sheet requires the relation; the JSON requires medical_insured.
    let r = row(&[("id_number", &id), ("name", "张三")]);
    assert_eq!(
        validate_errors(member(&r, None)),
        one("relation", "required")
    );
    let e = member(&Json(json!({"id_number": id, "name": "张三"})), None);
    assert_eq!(
        validate_errors(e),
        one("medical_insurance", "missing_field")
    );
    // A bad field the JSON carries beside the assessment is left out, not refused.
    let m = member(
        &Json(json!({"id_number": id, "name": "张三", "medical_insurance": true, "work_place": "moon"})),
        None,
    )
    .unwrap();
    assert_eq!(
        (m.member.relation, m.member.work_place),
        (Relation::Other, None)
    );
}

#[test]
fn join_and_leave_reasons_are_known() {
    let id = good_id();
    let r = |k: &'static str, v: &str| {
        row(&[
            ("id_number", &id),
            ("name", "张三"),
            ("relation", "户主"),
            (k, v),
        ])
    };
    assert_eq!(
        member(&r("leave_reason", "死亡"), None).unwrap().leave,
        Some(LeaveReason::Death)
    );
    assert_eq!(
        validate_errors(member(&r("join_reason", "天降"), None)),
        one("join_reason", "unknown_code")
    );
}

#[test]
fn the_same_person_twice_is_a_duplicate() {
    let mut people = People::default();
    assert!(people.place(BAD_ID, "H1", 2).is_ok());
    assert!(people.place("X", "H1", 3).is_ok());
    let same = people.place(BAD_ID, "H1", 4).unwrap_err();
    assert_eq!(same.code, "duplicate_person");
    assert!(same.zh.contains("本户") && same.en.contains("row 2"));
    let other = people.place(BAD_ID, "H2", 5).unwrap_err();
    assert!(other.zh.contains("H1") && other.en.contains("household H1"));
}

#[test]
fn household_numbers_names_and_texts_are_bounded() {
    let long: &'static str = "1".repeat(33).leak();
    for bad in ["../../etc", "１２３", "H 1", "-H1", long] {
        assert_eq!(
            household_errors(&[("household_number", bad)]),
            one("household_number", "household_number"),
            "{bad:?}"
        );
    }
    for good in ["140525100201001", "H00001", "a-b_c", &"1".repeat(32)] {
        assert!(household_number(good).is_ok(), "{good:?}");
    }
    assert_eq!(
        household_errors(&[("housing_grade", "B\u{0}")]),
        one("housing_grade", "control_character")
    );
    assert_eq!(
        household_errors(&[("village_group", "组".repeat(101).leak())]),
        one("village_group", "text_too_long")
    );
    let m = |name: &str| {
        let id = good_id();
        let r = row(&[("id_number", &id), ("name", name), ("relation", "户主")]);
        validate_errors(member(&r, None))
    };
    assert_eq!(m("张\u{0}三"), one("name", "control_character"));
    assert_eq!(m("张\r\n三"), one("name", "control_character"));
    assert_eq!(m(&"张".repeat(51)), one("name", "name_too_long"));
    // Fifty characters, a long transliterated name with its middle dot, is a name.
    let long = format!("{}·{}", "阿".repeat(25), "买".repeat(24));
    let r = row(&[
        ("id_number", &good_id()),
        ("name", &long),
        ("relation", "户主"),
    ]);
    assert_eq!(member(&r, None).unwrap().member.name, long);
    // From JSON: the household number and the name are refused the same way, the value named.
    let e = household(
        &Json(json!({"household_number": "../../etc"})),
        d("2020-01-01"),
    )
    .unwrap_err();
    let hn = e.iter().find(|e| e.field == "household_number").unwrap();
    assert!(hn.en.ends_with(": ../../etc"), "{}", hn.en);
}

#[test]
fn money_beyond_any_real_amount_is_refused_from_json_too() {
    for v in [
        json!(1e30),
        json!(100000000.01),
        json!("92233720368547758.08"),
    ] {
        let e = household(&Json(json!({"wage": v})), d("2020-01-01")).unwrap_err();
        let wage = e.iter().find(|e| e.field == "wage").unwrap();
        assert_eq!(wage.code, "money_too_large", "{v}");
    }
    let e = household(&Json(json!({"wage": 100000000})), d("2020-01-01")).unwrap_err();
    assert!(e.iter().all(|e| e.field != "wage"), "{e:?}");
}

#[test]
fn a_member_change_one_at_a_time_needs_a_known_reason_and_a_date() {
    use crate::registry::{JoinReason, LeaveReason};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    assert_eq!(join_reason("出生"), Ok(JoinReason::Birth));
    assert_eq!(join_reason("marriage"), Ok(JoinReason::Marriage));
    assert_eq!(join_reason(" ").unwrap_err().code, "required");
    assert_eq!(join_reason("death").unwrap_err().code, "unknown_code");
    assert_eq!(leave_reason("婚出"), Ok(LeaveReason::Marriage));
    assert_eq!(leave_reason("moved"), Ok(LeaveReason::Moved));
    assert_eq!(leave_reason("").unwrap_err().code, "required");
    assert_eq!(leave_reason("birth").unwrap_err().code, "unknown_code");
    assert_eq!(
        change_date("2026-02-28", today),
        Ok(chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap())
    );
    assert_eq!(change_date("", today).unwrap_err().code, "required");
    assert_eq!(
        change_date("2026-03-02", today).unwrap_err().code,
        "date_in_future"
    );
    assert_eq!(change_date("28/02/2026", today).unwrap_err().code, "date");
}
