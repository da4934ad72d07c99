//! The lifecycle (`status_transition`) and the plan of a write, on real values: the built-in
//! policy's 2019 poverty line of 3,747 yuan, a three-person household in 泽州县.

use super::*;
use crate::codes::{HousingGrade, Relation, SchoolStatus};
use crate::registry::fixtures::{id, member, three_people};
use HouseholdStatus::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Three adults with a yearly wage of `wage` yuan, every guarantee holding: at 12,000 yuan
/// (4,000 a person) they pass the exit check at the 2019 line of 3,747.
fn record(status: HouseholdStatus, wage: i64) -> HouseholdRecord {
    three_people(status, wage, 2019)
}

const DAY: &str = "2019-12-31";

fn transition(
    from: Option<HouseholdStatus>,
    to: HouseholdStatus,
    wage: i64,
    reason: Option<&str>,
) -> Result<Option<&'static str>, Refusal> {
    status_transition(
        from,
        &record(to, wage),
        reason,
        date(DAY),
        &PolicySet::builtin(),
    )
}

fn refusal_code(r: Result<Option<&'static str>, Refusal>) -> &'static str {
    match r {
        Err(r) => r.code,
        Ok(k) => panic!("expected a refusal, got {k:?}"),
    }
}

#[test]
fn a_new_household_is_identified_when_poor_and_recorded_otherwise() {
    assert_eq!(
        transition(None, Poor, 1000, None),
        Ok(Some(kind::IDENTIFIED))
    );
    for s in [Exited, Returned, NonPoor, Removed] {
        assert_eq!(transition(None, s, 1000, None), Ok(Some(kind::RECORDED)));
    }
}

#[test]
fn the_same_status_makes_no_event() {
    for s in [Poor, Exited, Returned, Removed, NonPoor] {
        assert_eq!(transition(Some(s), s, 1000, None), Ok(None));
    }
}

#[test]
fn the_legal_moves_make_their_events() {
    assert_eq!(
        transition(Some(Poor), Exited, 12000, None),
        Ok(Some(kind::EXITED))
    );
    assert_eq!(
        transition(Some(Returned), Exited, 12000, None),
        Ok(Some(kind::EXITED))
    );
    assert_eq!(
        transition(Some(Exited), Returned, 1000, None),
        Ok(Some(kind::RETURNED))
    );
    assert_eq!(
        transition(Some(NonPoor), Poor, 1000, None),
        Ok(Some(kind::IDENTIFIED))
    );
    for from in [Poor, Exited, Returned, NonPoor] {
        assert_eq!(
            transition(Some(from), Removed, 1000, Some("重复录入")),
            Ok(Some(kind::REMOVED)),
            "{from:?} → removed"
        );
    }
}

#[test]
fn the_illegal_moves_are_refused_by_code_and_name_both_statuses() {
    for (from, to) in [
        (Exited, Poor),
        (Returned, Poor),
        (Poor, Returned),
        (Poor, NonPoor),
        (Exited, NonPoor),
        (Removed, Poor),
        (Removed, Exited),
        (Removed, Returned),
        (Removed, NonPoor),
        (NonPoor, Exited),
        (NonPoor, Returned),
    ] {
        let r = transition(Some(from), to, 12000, Some("原因")).unwrap_err();
        assert_eq!(r.code, "illegal_transition", "{from:?} → {to:?}");
        assert_eq!(
            r.en,
            format!(
                "a household cannot go from {} to {}",
                from.code(),
                to.code()
            )
        );
        assert!(
            r.zh.contains(from.zh()) && r.zh.contains(to.zh()),
            "{}",
            r.zh
        );
    }
}

#[test]
fn a_removal_needs_a_reason_that_is_not_blank() {
    for reason in [None, Some(""), Some("   ")] {
        assert_eq!(
            refusal_code(transition(Some(Poor), Removed, 1000, reason)),
            "reason_required",
            "{reason:?}"
        );
    }
}

#[test]
fn an_exit_below_the_line_is_refused_unless_a_reason_overrides_it() {
    // 11,241 / 3 = 3,747: exactly at the line is not above it.
    let r = transition(Some(Poor), Exited, 11241, None).unwrap_err();
    assert_eq!(r.code, "exit_check_failed");
    assert!(r.en.contains("income_below_line"), "{}", r.en);
    assert!(r.zh.contains("人均纯收入未超过贫困线"), "{}", r.zh);
    // One yuan more passes.
    assert_eq!(
        transition(Some(Poor), Exited, 11242, None),
        Ok(Some(kind::EXITED))
    );
    // An override reason lets the failing household exit; a blank one does not.
    assert_eq!(
        transition(Some(Returned), Exited, 11241, Some("县级核验通过")),
        Ok(Some(kind::EXITED))
    );
    assert_eq!(
        refusal_code(transition(Some(Returned), Exited, 11241, Some(" "))),
        "exit_check_failed"
    );
}

#[test]
fn an_exit_names_every_failed_guarantee() {
    let mut h = record(Exited, 12000);
    h.water = false;
    h.housing_grade = HousingGrade::D;
    let r = status_transition(Some(Poor), &h, None, date(DAY), &PolicySet::builtin()).unwrap_err();
    assert_eq!(r.code, "exit_check_failed");
    assert!(
        r.en.contains("drinking_water") && r.en.contains("housing_safety"),
        "{}",
        r.en
    );
    assert!(!r.en.contains("income_below_line"), "{}", r.en);
}

#[test]
fn an_exit_without_a_policy_value_or_with_a_bad_area_is_refused() {
    // No poverty line before 2010 in the built-in policy.
    let h = record(Exited, 12000);
    let r = status_transition(
        Some(Poor),
        &h,
        None,
        date("2005-12-31"),
        &PolicySet::builtin(),
    )
    .unwrap_err();
    assert_eq!(r.code, "policy_missing");
    let mut bad = record(Exited, 12000);
    bad.area_code = "140500000201".into();
    let r = status_transition(Some(Poor), &bad, None, date(DAY), &PolicySet::builtin());
    assert_eq!(refusal_code(r), "area_code");
}

fn incoming(r: HouseholdRecord) -> Incoming {
    let mut i = Incoming::new(r);
    i.row = 7;
    i.status_column = "户状态".into();
    i
}

fn existing(r: HouseholdRecord, last_event: Option<&str>) -> Existing {
    Existing {
        record: r,
        last_event: last_event.map(date),
    }
}

fn plan_of(before: Option<&Existing>, after: &Incoming) -> Result<Plan, Box<RowError>> {
    plan(before, after, date(DAY), "tester", &PolicySet::builtin())
}

/// The events of a plan as (kind, detail, member) triples.
fn events(p: &Plan) -> Vec<(&str, Option<&str>, Option<&str>)> {
    p.events
        .iter()
        .map(|e| (e.kind.as_str(), e.detail.as_deref(), e.id_number.as_deref()))
        .collect()
}

#[test]
fn a_new_household_is_identified_with_all_its_members() {
    let p = plan_of(None, &incoming(record(Poor, 1000))).unwrap();
    assert_eq!(events(&p), [(kind::IDENTIFIED, Some("poor"), None)]);
    assert!(p.before.is_none() && p.household_changed && !p.is_noop());
    assert_eq!(p.after.version, 1);
    let joined: Vec<_> = p.joins.iter().map(|(m, i)| (m.name.as_str(), *i)).collect();
    assert_eq!(joined, [("成员1", 0), ("成员2", 1), ("成员3", 2)]);
    assert!(p.leaves.is_empty() && p.member_updates.is_empty());
    let e = &p.events[0];
    assert_eq!((e.date, e.actor.as_str()), (date(DAY), "tester"));
}

#[test]
fn an_unchanged_household_plans_nothing_but_its_next_version() {
    let stored = record(Poor, 1000);
    let p = plan_of(
        Some(&existing(stored.clone(), Some("2019-06-30"))),
        &incoming(stored),
    )
    .unwrap();
    assert!(p.is_noop(), "{:?}", p.events);
    assert_eq!(p.after.version, 2);
}

#[test]
fn a_status_change_is_one_dated_event_with_its_reason() {
    let before = existing(record(Poor, 1000), Some("2019-06-30"));
    let mut after = incoming(record(Exited, 1000));
    after.status_reason = Some("县级核验通过".into());
    let p = plan_of(Some(&before), &after).unwrap();
    assert_eq!(events(&p), [(kind::EXITED, Some("exited"), None)]);
    assert_eq!(p.events[0].reason.as_deref(), Some("县级核验通过"));
    assert!(p.household_changed);
}

#[test]
fn a_refused_transition_is_a_row_error_at_the_status_column() {
    let before = existing(record(Poor, 1000), None);
    let e = plan_of(Some(&before), &incoming(record(Exited, 1000))).unwrap_err();
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str(), e.code.as_str()),
        (7, "户状态", "exited", "exit_check_failed")
    );
    assert_eq!(e.household.as_deref(), Some("140525100201001"));
    let before = existing(record(Removed, 1000), None);
    let e = plan_of(Some(&before), &incoming(record(Poor, 1000))).unwrap_err();
    assert_eq!(e.code, "illegal_transition");
}

#[test]
fn a_household_cannot_move_to_another_county() {
    let before = existing(record(Poor, 1000), None);
    let mut moved = record(Poor, 1000);
    moved.area_code = "140581100201".into();
    let e = plan_of(Some(&before), &incoming(moved)).unwrap_err();
    assert_eq!(
        (e.column.as_str(), e.code.as_str()),
        ("area_code", "county_changed")
    );
    assert!(e.en.contains("140525100201"), "{}", e.en);
    // Within the county, a move is an update.
    let mut within = record(Poor, 1000);
    within.area_code = "140525100202".into();
    let p = plan_of(Some(&before), &incoming(within)).unwrap();
    assert_eq!(events(&p), [(kind::UPDATED, Some("area_code"), None)]);
}

#[test]
fn members_join_by_birth_marriage_or_other() {
    let before = existing(record(Poor, 1000), Some("2019-06-30"));
    let mut after = record(Poor, 1000);
    // Born after the household's last event: a birth.
    after
        .members
        .push(member("20190901", 4, Relation::Grandchild));
    // Born before it: other, unless the file says why.
    after.members.push(member("19960404", 5, Relation::Other));
    after
        .members
        .push(member("19970505", 6, Relation::ChildInLaw));
    let mut inc = incoming(after);
    inc.joins
        .insert(id("19970505", 6), crate::registry::JoinReason::Marriage);
    let p = plan_of(Some(&before), &inc).unwrap();
    assert_eq!(
        events(&p),
        [
            (
                kind::MEMBER_JOINED,
                Some("birth"),
                Some(id("20190901", 4).as_str())
            ),
            (
                kind::MEMBER_JOINED,
                Some("other"),
                Some(id("19960404", 5).as_str())
            ),
            (
                kind::MEMBER_JOINED,
                Some("marriage"),
                Some(id("19970505", 6).as_str())
            ),
        ]
    );
    let positions: Vec<i64> = p.joins.iter().map(|(_, i)| *i).collect();
    assert_eq!(positions, [3, 4, 5]);
    // Members only: the household row itself is unchanged.
    assert!(!p.household_changed);
    // With no earlier event, a newborn is not known to be a birth.
    let before = existing(record(Poor, 1000), None);
    let mut after = record(Poor, 1000);
    after
        .members
        .push(member("20190901", 4, Relation::Grandchild));
    let p = plan_of(Some(&before), &incoming(after)).unwrap();
    assert_eq!(p.events[0].detail.as_deref(), Some("other"));
}

#[test]
fn members_leave_with_the_given_reason_or_other() {
    let before = existing(record(Poor, 1000), Some("2019-06-30"));
    let mut after = record(Poor, 1000);
    after.members.truncate(1);
    let mut inc = incoming(after);
    inc.leaves
        .push((id("19720202", 2), crate::registry::LeaveReason::Death));
    let p = plan_of(Some(&before), &inc).unwrap();
    assert_eq!(
        events(&p),
        [
            (
                kind::MEMBER_LEFT,
                Some("death"),
                Some(id("19720202", 2).as_str())
            ),
            (
                kind::MEMBER_LEFT,
                Some("other"),
                Some(id("19950303", 3).as_str())
            ),
        ]
    );
    assert_eq!(
        p.leaves,
        [
            (id("19720202", 2), crate::registry::LeaveReason::Death),
            (id("19950303", 3), crate::registry::LeaveReason::Other),
        ]
    );
}

#[test]
fn changed_fields_are_one_update_event() {
    let before = existing(record(Poor, 1000), Some("2019-06-30"));
    let mut after = record(Poor, 2000);
    after.phone = Some("13800000000".into());
    after.members[2].school_status = SchoolStatus::College;
    let p = plan_of(Some(&before), &incoming(after)).unwrap();
    let detail = format!("income,phone,member:{}", id("19950303", 3));
    assert_eq!(events(&p), [(kind::UPDATED, Some(detail.as_str()), None)]);
    assert!(p.household_changed);
    let updated: Vec<_> = p
        .member_updates
        .iter()
        .map(|(m, i)| (m.id_number.clone(), *i))
        .collect();
    assert_eq!(updated, [(id("19950303", 3), 2)]);
    // A member's change alone leaves the household row as it is.
    let mut after = record(Poor, 1000);
    after.members[0].name = "改名".into();
    let p = plan_of(Some(&before), &incoming(after)).unwrap();
    assert!(!p.household_changed && !p.is_noop());
    // Reordered members are updates of their positions, with no event.
    let mut after = record(Poor, 1000);
    after.members.swap(0, 1);
    let p = plan_of(Some(&before), &incoming(after)).unwrap();
    assert!(p.events.is_empty());
    assert_eq!(p.member_updates.len(), 2);
}

#[test]
fn monitoring_changes_are_events() {
    use MonitoringCategory::*;
    let cases = [
        (None, Some(Unstable), Some(kind::ENTERED_MONITORING)),
        (Some(NoRisk), Some(Marginal), Some(kind::ENTERED_MONITORING)),
        (
            Some(Unstable),
            Some(Marginal),
            Some(kind::MONITORING_CHANGED),
        ),
        (
            Some(Unstable),
            Some(RiskEliminated),
            Some(kind::RISK_ELIMINATED),
        ),
        (Some(SuddenHardship), None, Some(kind::MONITORING_CHANGED)),
        (Some(Marginal), Some(Marginal), None),
    ];
    for (from, to, event) in cases {
        assert_eq!(monitoring_event(from, to), event, "{from:?} → {to:?}");
    }
}

/// An exited household of 泽州县 with 2020 income of `per_head` a head (Jincheng's 2020 line: 5,000).
fn exited_2020(per_head: i64, monitoring: Option<MonitoringCategory>) -> HouseholdRecord {
    let mut r = record(Exited, per_head * 3);
    r.income_year = Some(2020);
    r.monitoring = monitoring;
    r
}

#[test]
fn an_interactive_write_keeps_the_stored_category_and_carries_the_risk() {
    use MonitoringCategory::*;
    // A new household below the line of its year: stored with no category, whatever the caller
    // says; the judgement (unstable) is the plan's risk indication, and no monitoring event.
    for given in [None, Some(NoRisk), Some(Marginal)] {
        let p = plan_of(None, &incoming(exited_2020(4_800, given))).unwrap();
        assert_eq!(p.after.monitoring, None, "{given:?}");
        assert_eq!(p.risk.as_ref().map(|j| j.category), Some(Unstable));
        let kinds: Vec<_> = p.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, [kind::RECORDED]);
    }
    // Above the line: no category, no risk.
    let p = plan_of(None, &incoming(exited_2020(8_000, Some(Unstable)))).unwrap();
    assert_eq!(p.after.monitoring, None);
    assert!(p.risk.is_none());
    // Income rising above the line does not take a monitored household out of monitoring (only a
    // risk elimination does): no monitoring event, no risk.
    let stored = existing(exited_2020(4_800, Some(Unstable)), Some("2020-12-31"));
    let p = plan_of(Some(&stored), &incoming(exited_2020(8_000, None))).unwrap();
    assert_eq!(p.after.monitoring, Some(Unstable));
    assert!(p.risk.is_none());
    assert!(!p
        .events
        .iter()
        .any(|e| kind::MONITORING.contains(&e.kind.as_str())));
    // An edit dropping a stored non-monitored household's income below the line keeps its
    // category (none, or a risk elimination) and carries the risk.
    for kept in [None, Some(RiskEliminated)] {
        let stored = existing(exited_2020(8_000, kept), Some("2020-12-31"));
        let p = plan_of(Some(&stored), &incoming(exited_2020(4_800, None))).unwrap();
        assert_eq!(p.after.monitoring, kept);
        assert_eq!(p.risk.as_ref().map(|j| j.category), Some(Unstable));
        assert_eq!(p.risk.as_ref().and_then(|j| j.income_year), Some(2020));
    }
    // A poor household is never a risk indication (it is under assistance).
    let mut poor = exited_2020(1_000, None);
    poor.status = Poor;
    assert!(plan_of(None, &incoming(poor)).unwrap().risk.is_none());
    // An older year's income written later is judged with the later year's stored income.
    let stored = existing(exited_2020(8_000, None), Some("2020-12-31"));
    let mut older = exited_2020(3_000, None);
    older.income_year = Some(2019);
    assert!(plan_of(Some(&stored), &incoming(older))
        .unwrap()
        .risk
        .is_none());
}

#[test]
fn a_file_of_the_national_system_records_its_category() {
    use MonitoringCategory::*;
    let file = |r: HouseholdRecord| {
        let mut i = incoming(r);
        i.category = CategoryFrom::File;
        i
    };
    // The file's category, whatever the income says, with the national system as its reason.
    let p = plan_of(None, &file(exited_2020(8_000, Some(Marginal)))).unwrap();
    assert_eq!(p.after.monitoring, Some(Marginal));
    let e = &p.events[1];
    assert_eq!(
        (e.kind.as_str(), e.detail.as_deref(), e.reason.as_deref()),
        (
            kind::ENTERED_MONITORING,
            Some("marginal"),
            Some(NATIONAL_SYSTEM)
        )
    );
    // An empty cell is none: a stored unstable household leaves monitoring by the file.
    let stored = existing(exited_2020(4_800, Some(Unstable)), Some("2020-12-31"));
    let p = plan_of(Some(&stored), &file(exited_2020(4_800, None))).unwrap();
    assert_eq!(p.after.monitoring, None);
    assert_eq!(
        events(&p)[0],
        (kind::MONITORING_CHANGED, None, None),
        "{:?}",
        p.events
    );
    // ... and is then judged a risk to verify.
    assert_eq!(p.risk.as_ref().map(|j| j.category), Some(Unstable));
    // A file's risk_eliminated is recorded as such.
    let p = plan_of(
        Some(&stored),
        &file(exited_2020(8_000, Some(RiskEliminated))),
    )
    .unwrap();
    assert_eq!(p.after.monitoring, Some(RiskEliminated));
    assert_eq!(events(&p)[0].0, kind::RISK_ELIMINATED);
}
