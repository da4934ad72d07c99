use super::*;
use crate::codes::{HousingGrade, SchoolStatus};
use crate::registry::fixtures::id;
use crate::rules::tests::{dec, household, member};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A department row read from its cells, as a file writes them.
fn row(
    n: usize,
    id_number: &str,
    item: &str,
    amount: &str,
) -> Result<DepartmentRow, Vec<RowError>> {
    let cells: [(&str, &str); 6] = [
        ("证件号码", id_number),
        ("姓名", "王五"),
        ("事项", item),
        ("金额", amount),
        ("日期", "2021-06-01"),
        ("部门", "医保局"),
    ];
    department_row(n, |c| {
        Some(cells[Column::ALL.iter().position(|x| *x == c).unwrap()])
    })
}

fn ok(n: usize, id_number: &str, item: &str, amount: &str) -> DepartmentRow {
    row(n, id_number, item, amount).unwrap()
}

fn person(
    household: &str,
    status: HouseholdStatus,
    monitoring: Option<MonitoringCategory>,
) -> Registered {
    Registered {
        household: household.into(),
        status,
        monitoring,
    }
}

/// H1 poor, H2 exited and unstable, H3 exited, H4 non-poor, H5 returned, H6 removed.
fn registry() -> HashMap<String, Registered> {
    use HouseholdStatus::*;
    [
        (id("19700101", 1), person("H1", Poor, None)),
        (
            id("19700101", 2),
            person("H2", Exited, Some(MonitoringCategory::Unstable)),
        ),
        (id("19700101", 3), person("H3", Exited, None)),
        (
            id("19700101", 4),
            person("H4", NonPoor, Some(MonitoringCategory::NoRisk)),
        ),
        (id("19700101", 5), person("H5", Returned, None)),
        (id("19700101", 6), person("H6", Removed, None)),
        (
            id("19700101", 7),
            person("H7", NonPoor, Some(MonitoringCategory::Marginal)),
        ),
        (
            id("19700101", 8),
            person("H8", Exited, Some(MonitoringCategory::RiskEliminated)),
        ),
    ]
    .into_iter()
    .collect()
}

fn codes(rows: &[DepartmentRow]) -> Vec<(&'static str, Option<String>)> {
    compare(rows, &registry(), dec("10000"))
        .into_iter()
        .map(|a| (a.code.code(), a.household))
        .collect()
}

fn one(id_seq: u32, item: &str, amount: &str) -> Option<(&'static str, Option<String>)> {
    codes(&[ok(2, &id("19700101", id_seq), item, amount)]).pop()
}

const STRANGER: u32 = 99;

#[test]
fn assets_alert_for_poor_returned_and_monitored_members_only() {
    for item in ["vehicle", "工商注册", "public_payroll", "商品房"] {
        assert_eq!(
            one(1, item, ""),
            Some(("ineligible_asset", Some("H1".into()))),
            "{item}"
        );
        assert_eq!(
            one(5, item, ""),
            Some(("ineligible_asset", Some("H5".into())))
        );
        assert_eq!(
            one(2, item, ""),
            Some(("ineligible_asset", Some("H2".into())))
        );
        assert_eq!(
            one(7, item, ""),
            Some(("ineligible_asset", Some("H7".into())))
        );
        // Exited without monitoring, non-poor without risk, risk eliminated, removed, unknown: nothing.
        for seq in [3, 4, 8, 6, STRANGER] {
            assert_eq!(one(seq, item, ""), None, "{item} {seq}");
        }
    }
}

#[test]
fn risk_items_alert_from_exactly_the_minimum_amount() {
    for item in ["medical_expense", "disaster"] {
        assert_eq!(
            one(3, item, "10000"),
            Some(("risk_signal", Some("H3".into())))
        );
        assert_eq!(
            one(3, item, "10000.00"),
            Some(("risk_signal", Some("H3".into())))
        );
        assert_eq!(one(3, item, "9999.99"), None, "{item}");
        assert_eq!(one(3, item, ""), None, "{item} without an amount");
        assert_eq!(
            one(STRANGER, item, "10000"),
            Some(("unregistered_risk", None))
        );
        assert_eq!(one(STRANGER, item, "9999.99"), None);
    }
    for item in ["serious_illness", "新增残疾", "unemployment"] {
        assert_eq!(
            one(3, item, ""),
            Some(("risk_signal", Some("H3".into()))),
            "{item}"
        );
        assert_eq!(one(4, item, ""), Some(("risk_signal", Some("H4".into()))));
        assert_eq!(one(2, item, ""), Some(("risk_signal", Some("H2".into()))));
        assert_eq!(one(STRANGER, item, ""), Some(("unregistered_risk", None)));
        // Poor and returned households are under assistance already.
        assert_eq!(one(1, item, ""), None);
        assert_eq!(one(5, item, ""), None);
    }
}

#[test]
fn members_of_removed_households_are_not_in_the_registry() {
    assert_eq!(
        one(6, "serious_illness", ""),
        Some(("unregistered_risk", None))
    );
    assert_eq!(
        one(6, "medical_expense", "10000"),
        Some(("unregistered_risk", None))
    );
    assert_eq!(one(6, "death", ""), None);
    assert_eq!(one(6, "vehicle", ""), None);
}

#[test]
fn a_death_alerts_for_current_members_only() {
    for seq in [1, 2, 3, 4, 5] {
        assert_eq!(one(seq, "死亡", "").unwrap().0, "member_deceased");
    }
    assert_eq!(one(STRANGER, "death", ""), None);
}

#[test]
fn alerts_are_sorted_by_code_then_id_number_then_item() {
    let rows = vec![
        ok(2, &id("19700101", STRANGER), "disability", ""),
        ok(3, &id("19700101", 3), "unemployment", ""),
        ok(4, &id("19700101", 3), "disability", ""),
        ok(5, &id("19700101", 2), "death", ""),
        ok(6, &id("19700101", 1), "vehicle", ""),
        ok(7, &id("19700101", 2), "serious_illness", ""),
    ];
    let alerts = compare(&rows, &registry(), dec("10000"));
    let order: Vec<usize> = alerts.iter().map(|a| a.row).collect();
    assert_eq!(order, vec![6, 5, 7, 4, 3, 2]);
    assert_eq!(alerts[2].case, Some(None));
    assert_eq!(alerts[0].case, None);
    let json = serde_json::to_value(&alerts[0]).unwrap();
    assert_eq!(json["code"], "ineligible_asset");
    assert_eq!(json["department"], "医保局");
    assert!(json.get("case").is_none());
    let json = serde_json::to_value(&alerts[2]).unwrap();
    assert!(json["case"].is_null() && json.get("case").is_some());
}

#[test]
fn amounts_show_to_the_fen() {
    let a = compare(
        &[ok(2, &id("19700101", 3), "medical_expense", "23000")],
        &registry(),
        dec("10000"),
    );
    assert_eq!(serde_json::to_value(&a[0]).unwrap()["amount"], "23000.00");
}

#[test]
fn a_bad_row_names_its_row_and_columns_and_is_never_matched() {
    let mut bad = id("19700101", 3);
    bad.pop();
    bad.push(if id("19700101", 3).ends_with('0') {
        '1'
    } else {
        '0'
    });
    let e = row(6, &bad, "vehicle", "").unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].row, e[0].column.as_str(), e[0].code.as_str()),
        (6, "证件号码", "id_checksum")
    );
    let e = row(7, "", "飞机", "abc").unwrap_err();
    let got: Vec<(&str, &str)> = e
        .iter()
        .map(|e| (e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("证件号码", "missing_field"),
            ("事项", "unknown_code"),
            ("金额", "money_format")
        ]
    );
    let e = row(8, &id("19700101", 3), "disaster", "-5").unwrap_err();
    assert_eq!(e[0].code, "money_negative");
}

#[test]
fn english_headers_and_codes_are_read_too() {
    assert_eq!(Column::from_header("ID_Number"), Some(Column::IdNumber));
    assert_eq!(
        Column::from_header("\u{feff}证件号码"),
        Some(Column::IdNumber)
    );
    assert_eq!(Column::from_header("金额 "), Some(Column::Amount));
    assert_eq!(Column::from_header("amount2"), None);
    assert_eq!(Item::parse("医疗自付"), Some(Item::MedicalExpense));
    assert_eq!(parse_date("2021/6/3"), Some(d(2021, 6, 3)));
    assert_eq!(parse_date("20210603"), Some(d(2021, 6, 3)));
    assert_eq!(parse_date("2021-02-30"), None);
}

fn step(s: Step, date: NaiveDate) -> StepRecord {
    StepRecord {
        step: s,
        date,
        outcome: None,
        category: None,
    }
}

fn decision(date: NaiveDate, category: Option<MonitoringCategory>) -> StepRecord {
    StepRecord {
        step: Step::CountyDecision,
        date,
        outcome: Some(if category.is_some() {
            Outcome::Enrolled
        } else {
            Outcome::Rejected
        }),
        category,
    }
}

fn case(steps: Vec<StepRecord>) -> CaseInput {
    CaseInput {
        id: "K1".into(),
        household: "H1".into(),
        source: Source::Visit,
        signal_date: d(2021, 6, 1),
        steps,
    }
}

#[test]
fn a_decision_on_the_fifteenth_day_is_on_time_and_the_sixteenth_late() {
    let on_time = case(vec![
        step(Step::HomeVerification, d(2021, 6, 3)),
        decision(d(2021, 6, 16), Some(MonitoringCategory::Unstable)),
    ]);
    let t = case_timing(&on_time, d(2021, 6, 30), 15);
    assert_eq!((t.days_open, t.overdue, t.decided_late), (15, false, false));
    assert_eq!(t.step, Step::CountyDecision);
    assert_eq!(t.deadline, d(2021, 6, 16));
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    let late = case(vec![decision(d(2021, 6, 17), None)]);
    let t = case_timing(&late, d(2021, 6, 30), 15);
    assert_eq!((t.days_open, t.overdue, t.decided_late), (16, false, true));
}

#[test]
fn an_undecided_case_is_overdue_from_the_sixteenth_day() {
    let open = case(vec![step(Step::HomeVerification, d(2021, 6, 3))]);
    let t = case_timing(&open, d(2021, 6, 16), 15);
    assert_eq!((t.days_open, t.overdue, t.decided_late), (15, false, false));
    assert_eq!(t.step, Step::HomeVerification);
    let t = case_timing(&open, d(2021, 6, 17), 15);
    assert_eq!((t.days_open, t.overdue, t.decided_late), (16, true, false));
    let t = case_timing(&case(vec![]), d(2021, 6, 2), 15);
    assert_eq!((t.step, t.days_open), (Step::Signal, 1));
    // The policy decides: with 10 days, day 11 is overdue.
    assert!(case_timing(&open, d(2021, 6, 12), 10).overdue);
    assert!(!case_timing(&open, d(2021, 6, 11), 10).overdue);
}

#[test]
fn steps_out_of_order_or_before_the_signal_are_errors_on_the_case() {
    let c = case(vec![
        step(Step::TownshipReview, d(2021, 6, 5)),
        step(Step::HomeVerification, d(2021, 6, 6)),
    ]);
    let e = case_timing(&c, d(2021, 6, 30), 15).errors;
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].code, e[0].step_index, e[0].step),
        ("step_order", 2, Step::HomeVerification)
    );
    let c = case(vec![step(Step::HomeVerification, d(2021, 5, 31))]);
    assert_eq!(
        case_timing(&c, d(2021, 6, 30), 15).errors[0].code,
        "step_order"
    );
    let c = case(vec![
        step(Step::HomeVerification, d(2021, 6, 5)),
        step(Step::VillageAppraisal, d(2021, 6, 4)),
    ]);
    assert_eq!(
        case_timing(&c, d(2021, 6, 30), 15).errors[0].code,
        "step_order"
    );
    let c = case(vec![
        step(Step::HomeVerification, d(2021, 6, 5)),
        step(Step::HomeVerification, d(2021, 6, 5)),
    ]);
    assert_eq!(
        case_timing(&c, d(2021, 6, 30), 15).errors[0].code,
        "step_order"
    );
    // Skipping steps and same-day steps are in order.
    let c = case(vec![
        step(Step::Signal, d(2021, 6, 1)),
        step(Step::HomeVerification, d(2021, 6, 1)),
        step(Step::PublicNotice, d(2021, 6, 1)),
    ]);
    assert!(case_timing(&c, d(2021, 6, 30), 15).errors.is_empty());
}

#[test]
fn a_decision_states_its_outcome_and_an_enrolment_its_category() {
    let mut no_outcome = decision(d(2021, 6, 5), None);
    no_outcome.outcome = None;
    let e = step_errors(d(2021, 6, 1), &[no_outcome]);
    assert_eq!(e[0].code, "decision_outcome");
    let mut enrolled_without = decision(d(2021, 6, 5), None);
    enrolled_without.outcome = Some(Outcome::Enrolled);
    assert_eq!(
        step_errors(d(2021, 6, 1), &[enrolled_without])[0].code,
        "decision_category"
    );
    let mut enrolled_none = decision(d(2021, 6, 5), Some(MonitoringCategory::NoRisk));
    enrolled_none.outcome = Some(Outcome::Enrolled);
    assert_eq!(
        step_errors(d(2021, 6, 1), &[enrolled_none])[0].code,
        "decision_category"
    );
    let mut rejected_with = decision(d(2021, 6, 5), Some(MonitoringCategory::Marginal));
    rejected_with.outcome = Some(Outcome::Rejected);
    assert_eq!(
        step_errors(d(2021, 6, 1), &[rejected_with])[0].code,
        "decision_category"
    );
    let mut verified = step(Step::HomeVerification, d(2021, 6, 2));
    verified.category = Some(MonitoringCategory::Marginal);
    assert_eq!(
        step_errors(d(2021, 6, 1), &[verified])[0].code,
        "decision_outcome"
    );
}

#[test]
fn case_ids_carry_the_year_and_six_digits() {
    assert_eq!(case_id(2021, 1), "K2021000001");
    assert_eq!(case_id(2020, 123456), "K2020123456");
}

fn evidence(months: u32, resolved: bool) -> EliminationEvidence {
    EliminationEvidence {
        months_above_line: months,
        rigid_expense_resolved: resolved,
        social_security: None,
    }
}

fn labouring() -> Household {
    let mut h = household();
    h.status = HouseholdStatus::Exited;
    h.members[0].labor = Some(Labor::Ordinary);
    h
}

#[test]
fn risk_is_eliminated_from_exactly_six_months_above_the_line() {
    let h = labouring();
    let at = d(2021, 12, 31);
    assert!(risk_elimination(&h, &evidence(6, true), (6, 15), at, 6).is_empty());
    assert_eq!(
        risk_elimination(&h, &evidence(5, true), (6, 15), at, 6),
        vec![Check::IncomeNotStable]
    );
    assert_eq!(
        risk_elimination(&h, &evidence(7, false), (6, 15), at, 6),
        vec![Check::RigidExpenseUnresolved]
    );
}

#[test]
fn failed_guarantees_keep_the_risk() {
    let mut h = labouring();
    h.housing_grade = HousingGrade::C;
    h.members
        .push(member("20100101", SchoolStatus::DroppedOut, false));
    assert_eq!(
        risk_elimination(&h, &evidence(12, true), (6, 15), d(2021, 12, 31), 6),
        vec![
            Check::CompulsoryEducation,
            Check::BasicMedical,
            Check::HousingSafety
        ]
    );
}

#[test]
fn a_household_without_labour_on_social_security_is_never_eliminated() {
    let mut h = labouring();
    h.members[0].labor = Some(Labor::Lost);
    h.attribute = Some(Attribute::Dibao);
    assert_eq!(
        risk_elimination(&h, &evidence(24, true), (6, 15), d(2021, 12, 31), 6),
        vec![Check::SocialSecurityDependent]
    );
    // Stated evidence wins over the attribute.
    let stated = EliminationEvidence {
        social_security: Some(false),
        ..evidence(24, true)
    };
    assert!(risk_elimination(&h, &stated, (6, 15), d(2021, 12, 31), 6).is_empty());
    // One weak labourer is labour capacity.
    h.members[1].labor = Some(Labor::Weak);
    assert!(risk_elimination(&h, &evidence(24, true), (6, 15), d(2021, 12, 31), 6).is_empty());
}

#[test]
fn items_are_assets_risks_or_death() {
    let assets: Vec<_> = Item::all()
        .iter()
        .filter(|i| i.is_asset())
        .map(|i| i.code())
        .collect();
    assert_eq!(
        assets,
        ["vehicle", "company", "public_payroll", "commercial_housing"]
    );
    let risks: Vec<_> = Item::all()
        .iter()
        .filter(|i| i.is_risk())
        .map(|i| i.code())
        .collect();
    assert_eq!(
        risks,
        [
            "medical_expense",
            "serious_illness",
            "disability",
            "disaster",
            "unemployment"
        ]
    );
    assert_eq!(Step::HomeVerification.next(), Some(Step::VillageAppraisal));
    assert_eq!(Step::CountyDecision.next(), None);
}

#[test]
fn each_level_records_its_own_steps() {
    use crate::access::Role::*;
    for role in [Village, Township, County, Admin] {
        assert!(may_record(role, Step::HomeVerification), "{role}");
        assert!(may_record(role, Step::PublicNotice), "{role}");
    }
    assert!(may_record(Township, Step::TownshipReview));
    assert!(!may_record(Village, Step::TownshipReview));
    assert!(!may_record(County, Step::TownshipReview));
    assert!(may_record(County, Step::CountyDecision));
    assert!(!may_record(Township, Step::CountyDecision));
    assert!(!may_record(Village, Step::CountyDecision));
    for step in Step::all() {
        assert!(!may_record(Cadre, *step) && !may_record(Viewer, *step));
    }
}
