use super::*;
use crate::area::AreaCode;
use crate::codes::SchoolStatus;
use crate::rules::tests::{dec, member};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A household of `people` adults in village `area` with a yearly wage of `wage` yuan (the rules'
/// test household otherwise: every guarantee holds).
fn household(area: &str, status: HouseholdStatus, people: usize, wage: &str) -> Household {
    let mut h = crate::rules::tests::household();
    h.area = AreaCode::parse(area).unwrap();
    h.status = status;
    h.income.wage = dec(wage);
    h.members = (0..people)
        .map(|_| member("19700101", SchoolStatus::NotInSchool, true))
        .collect();
    h
}

const P2019: Params = Params {
    poverty_line: Decimal::from_parts(3747, 0, 0, false, 0),
    school_age: (6, 15),
    monitoring_line: None,
};

fn outcome(exit: Option<bool>, monitoring: MonitoringCategory) -> Outcome {
    Outcome { exit, monitoring }
}

#[test]
fn the_outcome_judges_exit_only_for_poor_and_returned_households() {
    let as_of = date("2019-12-31");
    // 12000 / 3 = 4000 a person, above the 2019 line of 3747.
    let above = household("140525100201", HouseholdStatus::Poor, 3, "12000");
    assert_eq!(Outcome::of(&above, P2019, as_of).exit, Some(true));
    // 9000 / 3 = 3000, below it.
    let below = household("140525100201", HouseholdStatus::Returned, 3, "9000");
    assert_eq!(Outcome::of(&below, P2019, as_of).exit, Some(false));
    let exited = household("140525100201", HouseholdStatus::Exited, 3, "9000");
    assert_eq!(Outcome::of(&exited, P2019, as_of).exit, None);
    // No monitoring line yet: monitoring does not apply.
    assert_eq!(
        Outcome::of(&exited, P2019, as_of).monitoring,
        MonitoringCategory::NotApplicable
    );
}

#[test]
fn the_judge_uses_the_values_in_force_for_the_area_and_date() {
    let policies = PolicySet::builtin();
    let mut judge = Judge::new(&policies, date("2019-12-31"));
    let p = judge.params("140525100201").unwrap();
    assert_eq!((p.poverty_line, p.school_age), (dec("3747"), (6, 15)));
    assert_eq!(p.monitoring_line, None);
    // From the cache, the same values.
    assert_eq!(judge.params("140525100201").unwrap(), p);
    let h = household("140525100201", HouseholdStatus::Poor, 3, "12000");
    assert_eq!(judge.outcome(&h).unwrap().exit, Some(true));
    // In 2021 a monitoring line exists.
    let mut later = Judge::new(&policies, date("2021-12-31"));
    assert!(later
        .params("140525100201")
        .unwrap()
        .monitoring_line
        .is_some());
}

#[test]
fn a_tally_counts_households_and_people_by_status_exit_and_monitoring() {
    let mut t = Tally::default();
    let poor = household("140525100201", HouseholdStatus::Poor, 3, "12000");
    let returned = household("140525100201", HouseholdStatus::Returned, 2, "1000");
    let exited = household("140525100201", HouseholdStatus::Exited, 4, "1000");
    t.add(&poor, outcome(Some(true), MonitoringCategory::NoRisk));
    t.add(
        &returned,
        outcome(Some(false), MonitoringCategory::Unstable),
    );
    t.add(&exited, outcome(None, MonitoringCategory::SuddenHardship));
    let c = |households, people| Count { households, people };
    assert_eq!(t.status, [c(1, 3), c(1, 4), c(1, 2), c(0, 0), c(0, 0)]);
    assert_eq!(t.exit_meets, c(1, 3));
    assert_eq!(t.monitoring, [c(1, 2), c(0, 0), c(1, 4)]);
    assert_eq!(t.poor_people(), 5);
    let mut sum = t.clone();
    sum.merge(&t);
    assert_eq!(sum.status[0], c(2, 6));
    assert_eq!(sum.exit_meets, c(2, 6));
    assert_eq!(sum.poor_people(), 10);
}

#[test]
fn changes_count_only_households_whose_outcome_differs() {
    use MonitoringCategory as M;
    let mut c = Changes::default();
    assert!(!c.add(
        outcome(Some(true), M::NoRisk),
        outcome(Some(true), M::NoRisk),
        3
    ));
    assert_eq!(c, Changes::default());
    assert!(c.add(
        outcome(Some(false), M::NoRisk),
        outcome(Some(true), M::NoRisk),
        3
    ));
    assert!(c.add(
        outcome(Some(true), M::NoRisk),
        outcome(Some(false), M::Marginal),
        2
    ));
    assert!(c.add(outcome(None, M::Unstable), outcome(None, M::NoRisk), 4));
    assert!(c.add(outcome(None, M::Unstable), outcome(None, M::Marginal), 5));
    // Between two categories outside monitoring: changed, but neither entered nor left.
    assert!(c.add(outcome(None, M::NoRisk), outcome(None, M::NotApplicable), 1));
    let n = |households, people| Count { households, people };
    assert_eq!(c.changed, n(5, 15));
    assert_eq!((c.exit_gained, c.exit_lost), (n(1, 3), n(1, 2)));
    assert_eq!(c.monitoring_entered, n(1, 2));
    assert_eq!(c.monitoring_left, n(1, 4));
    assert_eq!(c.monitoring_changed, n(1, 5));
    let mut twice = c.clone();
    twice.merge(&c);
    assert_eq!(twice.changed, n(10, 30));
    assert_eq!(twice.monitoring_changed, n(2, 10));
}

#[test]
fn village_figures_roll_up_to_every_level_down_to_the_depth() {
    let mut a: HashMap<String, Count> = HashMap::new();
    village(&mut a, "140525100201").add(3);
    village(&mut a, "140525100201").add(2);
    village(&mut a, "140525200301").add(4);
    let mut b: HashMap<String, Count> = HashMap::new();
    village(&mut b, "140581100101").add(1);
    let up = roll_up([a, b], 6, Count::merge);
    let n = |households, people| Count { households, people };
    assert_eq!(
        up.keys().map(String::as_str).collect::<Vec<_>>(),
        ["", "14", "1405", "140525", "140581"]
    );
    assert_eq!(up[""], n(4, 10));
    assert_eq!(up["1405"], n(4, 10));
    assert_eq!(up["140525"], n(3, 9));
    assert_eq!(up["140581"], n(1, 1));
    let deep = roll_up(
        [HashMap::from([("140525100201".to_string(), n(1, 3))])],
        12,
        Count::merge,
    );
    assert_eq!(deep.len(), 6, "the registry and five levels");
    assert_eq!(deep["140525100"], n(1, 3));
}

#[test]
fn rural_population_sums_over_villages() {
    let rural = rural_by_prefix(
        [
            ("140525100201", 500),
            ("140525100202", 300),
            ("140581100101", 200),
        ],
        9,
    );
    assert_eq!(rural[""], 1000);
    assert_eq!(rural["14"], 1000);
    assert_eq!(rural["140525"], 800);
    assert_eq!(rural["140525100"], 800);
    assert_eq!(rural["140581"], 200);
    assert!(!rural.contains_key("140525100201"), "below the depth");
}
