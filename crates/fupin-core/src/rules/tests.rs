use super::*;
use crate::area::AreaCode;
use crate::codes::{HousingGrade, Relation, SchoolStatus};
use crate::id::{check_char, ResidentId};
use crate::model::{Household, Income, Member, RigidExpense};
use proptest::prelude::*;
use std::str::FromStr;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(crate) fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(crate) fn member(birth: &str, school: SchoolStatus, insured: bool) -> Member {
    let first17 = format!("140525{birth}001");
    let id = ResidentId::parse(&format!("{first17}{}", check_char(first17.as_bytes()))).unwrap();
    Member {
        id_number: id,
        name: "张三".into(),
        relation: Relation::Head,
        school_status: school,
        medical_insured: insured,
        labor: None,
        health: None,
    }
}

/// A three-person household that passes everything at the 2019 line of 3747 (net 12000).
pub(crate) fn household() -> Household {
    Household {
        id: "H1".into(),
        area: AreaCode::parse("140525100201").unwrap(),
        status: HouseholdStatus::Poor,
        attribute: None,
        main_cause: None,
        income: Income {
            wage: dec("12000"),
            ..Income::default()
        },
        rigid_expense: RigidExpense::default(),
        food: true,
        clothing: true,
        water: true,
        housing_grade: HousingGrade::B,
        members: vec![
            member("19700101", SchoolStatus::NotInSchool, true),
            member("19720202", SchoolStatus::NotInSchool, true),
            member("20080901", SchoolStatus::Junior, true),
        ],
    }
}

const AGES: (u32, u32) = (6, 15);
const AS_OF: (i32, u32, u32) = (2019, 12, 31);

fn exit(h: &Household, line: &str) -> ExitOutcome {
    household_exit(h, dec(line), AGES, d(AS_OF.0, AS_OF.1, AS_OF.2))
}

#[test]
fn a_household_above_the_line_with_every_guarantee_exits() {
    let out = exit(&household(), "3747");
    assert!(out.meets_standard(), "{:?}", out.failed);
    assert_eq!(out.per_capita_income, dec("4000"));
}

#[test]
fn income_exactly_at_the_line_is_not_above_it() {
    let mut h = household();
    h.income = Income {
        wage: dec("11241"),
        ..Income::default()
    }; // 3 × 3747
    assert_eq!(exit(&h, "3747").failed, vec![Check::IncomeBelowLine]);
    h.income.transfer = dec("0.01");
    assert!(exit(&h, "3747").meets_standard());
}

#[test]
fn net_income_subtracts_business_cost_and_counts_transfers() {
    let mut h = household();
    h.income = Income {
        wage: dec("8000"),
        business: dec("1200.50"),
        property: dec("0"),
        transfer: dec("600"),
        business_cost: dec("300"),
    };
    let out = exit(&h, "3747");
    assert_eq!(crate::money::fmt2(out.per_capita_income), "3166.83");
    assert_eq!(out.failed, vec![Check::IncomeBelowLine]);
}

#[test]
fn each_guarantee_fails_by_its_own_code_in_order() {
    let mut h = household();
    h.food = false;
    h.clothing = false;
    h.water = false;
    h.housing_grade = HousingGrade::C;
    h.members[1].medical_insured = false;
    h.members[2].school_status = SchoolStatus::DroppedOut;
    let codes: Vec<_> = exit(&h, "3747")
        .failed
        .iter()
        .map(|c| crate::codes::CodeList::code(*c))
        .collect();
    assert_eq!(
        codes,
        [
            "food",
            "clothing",
            "compulsory_education",
            "basic_medical",
            "housing_safety",
            "drinking_water"
        ]
    );
    h.housing_grade = HousingGrade::D;
    assert!(exit(&h, "3747").failed.contains(&Check::HousingSafety));
    h.housing_grade = HousingGrade::A;
    assert!(!exit(&h, "3747").failed.contains(&Check::HousingSafety));
}

#[test]
fn compulsory_school_age_is_inclusive_in_completed_years() {
    let as_of = d(2019, 12, 31);
    let check = |birth: &str, school| {
        let mut h = household();
        h.members[2] = member(birth, school, true);
        household_exit(&h, dec("3747"), AGES, as_of)
            .failed
            .contains(&Check::CompulsoryEducation)
    };
    // Six on the day: 2013-12-31 → age 6 at 2019-12-31.
    assert!(check("20131231", SchoolStatus::NotInSchool));
    // One day short of six.
    assert!(!check("20140101", SchoolStatus::NotInSchool));
    // Fifteen until the sixteenth birthday.
    assert!(check("20040101", SchoolStatus::DroppedOut));
    assert!(!check("20031231", SchoolStatus::DroppedOut));
    // At school or taught at home.
    assert!(!check("20100101", SchoolStatus::Primary));
    assert!(!check("20100101", SchoolStatus::Exempt));
    assert!(!check("20100101", SchoolStatus::Preschool));
}

#[test]
fn monitoring_follows_status_and_line() {
    let as_of = d(2020, 6, 30);
    let line = dec("5000");
    let mut h = household();
    h.status = HouseholdStatus::Poor;
    assert_eq!(
        monitoring(&h, line, AGES, as_of).category,
        MonitoringCategory::NotApplicable
    );
    h.status = HouseholdStatus::Returned;
    assert_eq!(
        monitoring(&h, line, AGES, as_of).category,
        MonitoringCategory::NotApplicable
    );

    // Exited at 4000 per head: below 5000.
    h.status = HouseholdStatus::Exited;
    let m = monitoring(&h, line, AGES, as_of);
    assert_eq!(
        (m.category, m.reasons.clone()),
        (
            MonitoringCategory::Unstable,
            vec![Check::IncomeBelowMonitoringLine]
        )
    );
    // Never poor: marginal.
    h.status = HouseholdStatus::NonPoor;
    assert_eq!(
        monitoring(&h, line, AGES, as_of).category,
        MonitoringCategory::Marginal
    );

    // Exactly at the monitoring line is not below it.
    h.income.wage = dec("15000");
    assert_eq!(
        monitoring(&h, line, AGES, as_of).category,
        MonitoringCategory::NoRisk
    );
    // A failed guarantee makes it a monitoring object whatever the income.
    h.water = false;
    let m = monitoring(&h, line, AGES, as_of);
    assert_eq!(
        (m.category, m.reasons),
        (MonitoringCategory::Marginal, vec![Check::DrinkingWater])
    );
    h.water = true;

    // Above the line but rigid expenses bring it below: sudden hardship.
    h.income.wage = dec("30000");
    h.rigid_expense.medical = dec("12000");
    h.rigid_expense.other = dec("3000.01");
    let m = monitoring(&h, line, AGES, as_of);
    assert_eq!(
        (m.category, m.reasons),
        (
            MonitoringCategory::SuddenHardship,
            vec![Check::RigidExpense]
        )
    );
    h.rigid_expense.other = dec("3000");
    assert_eq!(
        monitoring(&h, line, AGES, as_of).category,
        MonitoringCategory::NoRisk
    );
}

#[test]
fn dibao_tops_up_to_the_monthly_standard() {
    // Jincheng 2019: 4600 a year; 3 people with 9000 net: (13800 − 9000) / 12 = 400.
    let out = dibao(dec("9000"), 3, dec("4600"));
    assert_eq!(
        out,
        Dibao {
            eligible: true,
            monthly_top_up: dec("400")
        }
    );
    let out = dibao(dec("9000.50"), 3, dec("4600"));
    assert_eq!(crate::money::fmt2(out.monthly_top_up), "399.96");
    assert!(!dibao(dec("13800"), 3, dec("4600")).eligible);
    assert_eq!(
        dibao(dec("20000"), 3, dec("4600")).monthly_top_up,
        Decimal::ZERO
    );
}

#[test]
fn village_exit_needs_incidence_below_threshold_and_indicators() {
    assert_eq!(incidence_pct(2, 100).unwrap(), dec("2"));
    assert_eq!(crate::money::fmt2(incidence_pct(1, 3).unwrap()), "33.33");
    assert_eq!(incidence_pct(1, 0), Err(IncidenceError::NoPopulation));
    assert_eq!(
        incidence_pct(5, 4),
        Err(IncidenceError::PoorExceedsPopulation)
    );
    let all_ok = [
        (VillageIndicator::Road, true),
        (VillageIndicator::Clinic, true),
    ];
    // Exactly 2% is not below 2%.
    assert_eq!(
        village_exit(2, 100, dec("2"), &all_ok),
        vec![VillageCheck::Incidence]
    );
    assert!(village_exit(199, 10000, dec("2"), &all_ok).is_empty());
    // West: 3%.
    assert!(village_exit(2, 100, dec("3"), &all_ok).is_empty());
    let failed = village_exit(
        0,
        100,
        dec("2"),
        &[
            (VillageIndicator::Road, false),
            (VillageIndicator::Broadband, false),
        ],
    );
    let codes: Vec<_> = failed.iter().map(|c| c.code()).collect();
    assert_eq!(codes, ["road", "broadband"]);
}

#[test]
fn county_exit_checks_all_four_figures() {
    let t = CountyThresholds {
        max_incidence_pct: dec("2"),
        max_wrong_exit_pct: dec("2"),
        max_missed_pct: dec("2"),
        min_satisfaction_pct: dec("90"),
    };
    let mut f = CountyFigures {
        poor_population: 89,
        rural_population: 10000,
        wrong_exit_pct: dec("2"),
        missed_pct: dec("2"),
        satisfaction_pct: dec("90"),
    };
    assert!(county_exit(&f, &t).is_empty());
    f.poor_population = 200;
    f.wrong_exit_pct = dec("2.01");
    f.missed_pct = dec("3");
    f.satisfaction_pct = dec("89.99");
    assert_eq!(
        county_exit(&f, &t),
        vec![
            Check::Incidence,
            Check::WrongExitRate,
            Check::MissedRate,
            Check::Satisfaction
        ]
    );
}

#[test]
fn risk_is_eliminated_only_after_six_stable_months_and_never_for_dependents() {
    let mut f = RiskEliminationFacts {
        months_above_line: 6,
        rigid_expense_resolved: true,
        guarantees_failed: vec![],
        social_security_dependent: false,
    };
    assert!(risk_elimination(&f, 6).is_empty());
    f.months_above_line = 5;
    f.rigid_expense_resolved = false;
    f.guarantees_failed = vec![Check::HousingSafety];
    assert_eq!(
        risk_elimination(&f, 6),
        vec![
            Check::IncomeNotStable,
            Check::RigidExpenseUnresolved,
            Check::HousingSafety
        ]
    );
    let dependent = RiskEliminationFacts {
        months_above_line: 24,
        rigid_expense_resolved: true,
        guarantees_failed: vec![],
        social_security_dependent: true,
    };
    assert_eq!(
        risk_elimination(&dependent, 6),
        vec![Check::SocialSecurityDependent]
    );
}

fn money() -> impl Strategy<Value = Decimal> {
    (0i64..5_000_000).prop_map(|fen| Decimal::new(fen, 2))
}

proptest! {
    #[test]
    fn raising_income_never_fails_a_passing_household(
        wage in money(), business in money(), property in money(), transfer in money(),
        cost in money(), raise in money(), part in 0usize..5, line in money(), n in 1usize..4,
    ) {
        let mut h = household();
        h.members.truncate(n);
        h.income = Income { wage, business, property, transfer, business_cost: cost };
        let before = exit(&h, &line.to_string()).failed.contains(&Check::IncomeBelowLine);
        match part {
            0 => h.income.wage += raise,
            1 => h.income.business += raise,
            2 => h.income.property += raise,
            3 => h.income.transfer += raise,
            // Lowering the business cost raises net income.
            _ => h.income.business_cost = (h.income.business_cost - raise).max(Decimal::ZERO),
        }
        let after = exit(&h, &line.to_string()).failed.contains(&Check::IncomeBelowLine);
        prop_assert!(before || !after, "passing household failed after a raise");
    }

    #[test]
    fn incidence_stays_within_0_and_100(poor in 0u64..10_000_000, rural in 0u64..10_000_000) {
        match incidence_pct(poor, rural) {
            Ok(pct) => {
                prop_assert!(pct >= Decimal::ZERO && pct <= Decimal::from(100));
                prop_assert!(poor <= rural && rural > 0);
            }
            Err(_) => prop_assert!(poor > rural || rural == 0),
        }
    }
}
