//! The monitoring category on real values: a three-person household of 泽州县 under the built-in
//! policies (Jincheng's 2020 warning line of 5,000 yuan, the national 6,000 of 2021 and 7,100 of 2024).

use super::*;
use crate::registry::fixtures::three_people;
use MonitoringCategory::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Three people with `per_head` yuan of wage each in `year`, every guarantee holding.
fn record(status: HouseholdStatus, per_head: i64, year: i32) -> HouseholdRecord {
    three_people(status, per_head * 3, year)
}

fn policy() -> PolicySet {
    PolicySet::builtin()
}

#[test]
fn an_exited_household_below_the_line_of_its_income_year_is_unstable() {
    let j = category(&record(HouseholdStatus::Exited, 4_800, 2020), &policy());
    assert_eq!(j.category, Unstable);
    assert_eq!(j.income_year, Some(2020));
    assert_eq!(j.line, Some(Decimal::from(5_000)));
    assert_eq!(j.per_capita, Decimal::from(4_800));
    assert_eq!(j.reasons, vec![Check::IncomeBelowMonitoringLine]);
    // Exactly on the line is not below it.
    let on = category(&record(HouseholdStatus::Exited, 5_000, 2020), &policy());
    assert_eq!(on.category, NoRisk);
}

#[test]
fn the_line_is_that_of_the_income_year_not_of_the_day_looked_at() {
    // 6,500 a head: above 2021's 6,000, below 2023's 6,900 and 2024's 7,100.
    let cat = |year| category(&record(HouseholdStatus::Exited, 6_500, year), &policy());
    assert_eq!(
        (cat(2021).category, cat(2021).line),
        (NoRisk, Some(6_000.into()))
    );
    assert_eq!(
        (cat(2023).category, cat(2023).line),
        (Unstable, Some(6_900.into()))
    );
    // 2026 has no line of its own: 2024's applies.
    assert_eq!(
        (cat(2026).category, cat(2026).line),
        (Unstable, Some(7_100.into()))
    );
    // The same 2021 income looked at in 2026 is still judged on 2021's line, and says 2026's income
    // is missing under 2026's line.
    let h = record(HouseholdStatus::Exited, 6_500, 2021);
    let j = judge(&h, &policy(), d("2026-11-29"));
    assert_eq!(j.category, NoRisk);
    assert_eq!(
        j.income_missing,
        Some(MissingIncome {
            year: 2026,
            line: Decimal::from(7_100)
        })
    );
    // Looked at within the income year: nothing missing.
    assert_eq!(judge(&h, &policy(), d("2021-06-30")).income_missing, None);
}

#[test]
fn a_never_poor_household_is_marginal_and_a_poor_one_not_a_monitoring_object() {
    let marginal = category(&record(HouseholdStatus::NonPoor, 4_500, 2020), &policy());
    assert_eq!(marginal.category, Marginal);
    for status in [
        HouseholdStatus::Poor,
        HouseholdStatus::Returned,
        HouseholdStatus::Removed,
    ] {
        let j = category(&record(status, 1_000, 2020), &policy());
        assert_eq!(j.category, NotApplicable, "{status:?}");
        assert_eq!(j.line, Some(Decimal::from(5_000)));
    }
}

#[test]
fn no_line_in_the_income_year_or_no_income_is_not_applicable() {
    // 2019: neither Jincheng (from 2020) nor the nation (from 2021) has a monitoring line.
    let j = category(&record(HouseholdStatus::Exited, 1_000, 2019), &policy());
    assert_eq!((j.category, j.line), (NotApplicable, None));
    let mut h = record(HouseholdStatus::Exited, 1_000, 2020);
    h.income_year = None;
    let j = judge(&h, &policy(), d("2026-01-15"));
    assert_eq!((j.category, j.income_year), (NotApplicable, None));
    assert_eq!(j.income_missing.map(|m| m.year), Some(2026));
}

#[test]
fn a_failed_guarantee_or_rigid_expenses_make_a_household_monitored() {
    let mut h = record(HouseholdStatus::Exited, 9_000, 2020);
    h.water = false;
    let j = category(&h, &policy());
    assert_eq!(
        (j.category, j.reasons),
        (Unstable, vec![Check::DrinkingWater])
    );
    let mut h = record(HouseholdStatus::Exited, 9_000, 2020);
    // 27,000 − 13,000 = 14,000 for three: 4,666.67 a head, below 5,000.
    h.rigid_expense.medical = Decimal::from(13_000);
    let j = category(&h, &policy());
    assert_eq!(
        (j.category, j.reasons),
        (SuddenHardship, vec![Check::RigidExpense])
    );
}

#[test]
fn the_stored_category_is_the_monitored_one_or_a_kept_risk_elimination() {
    let p = policy();
    let below = record(HouseholdStatus::Exited, 4_800, 2020);
    let above = record(HouseholdStatus::Exited, 8_000, 2020);
    assert_eq!(stored(&below, None, &p), Some(Unstable));
    assert_eq!(stored(&below, Some(RiskEliminated), &p), Some(Unstable));
    assert_eq!(stored(&above, Some(Unstable), &p), None);
    assert_eq!(
        stored(&above, Some(RiskEliminated), &p),
        Some(RiskEliminated)
    );
    let poor = record(HouseholdStatus::Poor, 8_000, 2020);
    assert_eq!(stored(&poor, Some(RiskEliminated), &p), None);
}
