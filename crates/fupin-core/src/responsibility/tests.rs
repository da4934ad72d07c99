use super::*;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const V1: &str = "140525100201";
const V2: &str = "140525100202";

fn household(n: u32, village: &str, status: HouseholdStatus) -> HouseholdFacts {
    HouseholdFacts {
        number: format!("{village}{n:03}"),
        area_code: village.to_string(),
        status,
        monitoring: None,
    }
}

fn unit(code: &str) -> Unit {
    Unit {
        code: code.into(),
        name: format!("单位{code}"),
        kind: UnitKind::PartyGovernment,
    }
}

fn cadre(id: &str, unit: &str, rank: Rank) -> Cadre {
    Cadre {
        id: id.into(),
        name: format!("干部{id}"),
        unit: unit.into(),
        rank,
        phone: None,
    }
}

fn pairing(cadre: &str, household: &str, start: &str) -> Pairing {
    Pairing {
        cadre: cadre.into(),
        household: household.into(),
        start: d(start),
        end: None,
        end_reason: None,
    }
}

fn team(id: &str, village: &str, start: &str, members: Vec<TeamMember>) -> WorkTeam {
    WorkTeam {
        id: id.into(),
        village: village.into(),
        unit: "U01".into(),
        start: d(start),
        end: None,
        members,
    }
}

fn member(cadre: &str, role: TeamRole, first_secretary: bool) -> TeamMember {
    TeamMember {
        cadre: cadre.into(),
        role,
        first_secretary,
    }
}

/// A village of `poor` poor households, each paired with a staff cadre of unit U01, so that only
/// the village rules can fire.
fn village_of_poor(poor: u32, teams: Vec<WorkTeam>) -> Network {
    let households: Vec<_> = (1..=poor)
        .map(|n| household(n, V1, HouseholdStatus::Poor))
        .collect();
    let pairings = households
        .iter()
        .map(|h| pairing("C01", &h.number, "2020-01-01"))
        .collect();
    Network {
        households,
        units: vec![unit("U01")],
        cadres: vec![cadre("C01", "U01", Rank::Staff)],
        pairings,
        teams,
        ..Network::default()
    }
}

fn gaps(net: &Network, as_of: &str) -> Vec<Gap> {
    check(net, &PolicySet::builtin(), d(as_of)).unwrap().1
}

#[test]
fn first_secretary_needed_from_exactly_twenty_poor_households() {
    let t = || {
        vec![team(
            "T01",
            V1,
            "2020-01-01",
            vec![member("C01", TeamRole::Member, false)],
        )]
    };
    assert_eq!(
        gaps(&village_of_poor(20, t()), "2020-06-30"),
        vec![Gap::VillageNeedsFirstSecretary {
            village: V1.into(),
            poor_households: 20
        }]
    );
    assert_eq!(gaps(&village_of_poor(19, t()), "2020-06-30"), vec![]);
}

#[test]
fn a_leader_marked_first_secretary_or_a_first_secretary_covers_the_village() {
    let leader = vec![team(
        "T01",
        V1,
        "2020-01-01",
        vec![member("C01", TeamRole::Leader, true)],
    )];
    assert_eq!(gaps(&village_of_poor(25, leader), "2020-06-30"), vec![]);
    let secretary = vec![team(
        "T01",
        V1,
        "2020-01-01",
        vec![member("C01", TeamRole::FirstSecretary, false)],
    )];
    assert_eq!(gaps(&village_of_poor(25, secretary), "2020-06-30"), vec![]);
    // An ended team does not count: both village gaps.
    let mut ended = team(
        "T01",
        V1,
        "2019-01-01",
        vec![member("C01", TeamRole::Leader, true)],
    );
    ended.end = Some(d("2020-06-30"));
    let codes: Vec<_> = gaps(&village_of_poor(20, vec![ended]), "2020-06-30")
        .iter()
        .map(Gap::code)
        .collect();
    assert_eq!(
        codes,
        ["village_needs_first_secretary", "village_needs_team"]
    );
}

#[test]
fn team_needed_from_exactly_ten_poor_households_or_in_a_poor_village() {
    assert_eq!(
        gaps(&village_of_poor(10, vec![]), "2020-06-30"),
        vec![Gap::VillageNeedsTeam {
            village: V1.into(),
            poor_households: 10
        }]
    );
    assert_eq!(gaps(&village_of_poor(9, vec![]), "2020-06-30"), vec![]);
    let mut poor_village = village_of_poor(9, vec![]);
    poor_village.villages.push(VillageFacts {
        area_code: V1.into(),
        poor_village: true,
    });
    assert_eq!(
        gaps(&poor_village, "2020-06-30"),
        vec![Gap::VillageNeedsTeam {
            village: V1.into(),
            poor_households: 9
        }]
    );
    // Exited households are not poor households of the village.
    let mut net = village_of_poor(9, vec![]);
    net.households
        .push(household(99, V1, HouseholdStatus::Exited));
    assert_eq!(gaps(&net, "2020-06-30"), vec![]);
    // Returned households are.
    net.households
        .push(household(98, V1, HouseholdStatus::Returned));
    net.pairings
        .push(pairing("C01", &format!("{V1}098"), "2020-01-01"));
    assert_eq!(gaps(&net, "2020-06-30").len(), 1);
}

#[test]
fn pairing_over_term_from_its_second_anniversary() {
    let mut net = village_of_poor(1, vec![]);
    net.pairings[0].start = d("2018-06-30");
    let over = vec![Gap::PairingOverTerm {
        cadre: "C01".into(),
        household: format!("{V1}001"),
    }];
    assert_eq!(gaps(&net, "2020-06-30"), over);
    assert_eq!(gaps(&net, "2020-06-29"), vec![]);
    // A pairing starting on 29 February reaches its term on 28 February two years on.
    net.pairings[0].start = d("2016-02-29");
    assert_eq!(gaps(&net, "2018-02-27"), vec![]);
    assert_eq!(gaps(&net, "2018-02-28"), over);
}

#[test]
fn team_over_term_from_its_third_anniversary() {
    let t = |start| {
        village_of_poor(
            1,
            vec![team(
                "T01",
                V1,
                start,
                vec![member("C01", TeamRole::Leader, true)],
            )],
        )
    };
    assert_eq!(
        gaps(&t("2017-06-30"), "2020-06-30"),
        vec![Gap::TeamOverTerm { team: "T01".into() }]
    );
    assert_eq!(gaps(&t("2017-07-01"), "2020-06-30"), vec![]);
}

#[test]
fn cadre_quotas_by_rank_met_and_missed() {
    let mut net = village_of_poor(7, vec![]);
    net.cadres = vec![
        cadre("C01", "U01", Rank::CountyLeader),
        cadre("C02", "U01", Rank::SectionChief),
        cadre("C03", "U01", Rank::LeadershipMember),
        cadre("C04", "U01", Rank::SectionLevel),
        cadre("C05", "U01", Rank::Staff),
    ];
    // C01 four households (met), C02 two of three (missed), C03 one of two (missed), C04 none.
    let who = ["C01", "C01", "C01", "C01", "C02", "C02", "C03"];
    for (p, c) in net.pairings.iter_mut().zip(who) {
        p.cadre = c.into();
    }
    // A second pairing of the same household does not add to the load.
    net.pairings
        .push(pairing("C03", &format!("{V1}007"), "2020-02-01"));
    // An ended pairing does not count.
    let mut ended = pairing("C04", &format!("{V1}001"), "2019-01-01");
    ended.end = Some(d("2020-01-01"));
    net.pairings.push(ended);
    assert_eq!(
        gaps(&net, "2020-06-30"),
        vec![
            Gap::CadreBelowQuota {
                cadre: "C02".into(),
                pairings: 2,
                quota: 3
            },
            Gap::CadreBelowQuota {
                cadre: "C03".into(),
                pairings: 1,
                quota: 2
            },
            Gap::CadreBelowQuota {
                cadre: "C04".into(),
                pairings: 0,
                quota: 1
            },
        ]
    );
}

#[test]
fn a_units_pairings_in_two_villages_spread_it() {
    let mut net = village_of_poor(2, vec![]);
    net.households[1] = household(2, V2, HouseholdStatus::Poor);
    net.pairings[1].household = format!("{V2}002");
    net.cadres.push(cadre("C02", "U01", Rank::Staff));
    net.pairings[1].cadre = "C02".into();
    assert_eq!(
        gaps(&net, "2020-06-30"),
        vec![Gap::UnitSpread {
            unit: "U01".into(),
            villages: vec![V1.into(), V2.into()]
        }]
    );
    // In another unit, no spread.
    net.units.push(unit("U02"));
    net.cadres[1].unit = "U02".into();
    assert_eq!(gaps(&net, "2020-06-30"), vec![]);
}

#[test]
fn pairing_after_exit_only_under_a_policy_that_ends_it() {
    let mut net = village_of_poor(1, vec![]);
    net.households[0].status = HouseholdStatus::Exited;
    assert_eq!(
        gaps(&net, "2020-06-30"),
        vec![],
        "national: kept after exit"
    );
    let suining =
        PolicySet::layered("name = \"suining\"\npairing_ends_at_exit = true\n", "test").unwrap();
    let (policy, g, _) = check(&net, &suining, d("2020-06-30")).unwrap();
    assert_eq!(policy, "suining");
    assert_eq!(
        g,
        vec![Gap::PairingAfterExit {
            cadre: "C01".into(),
            household: format!("{V1}001")
        }]
    );
    // Once the pairing ended at exit, no gap (and the exited household needs none).
    net.pairings[0].end = Some(d("2020-06-30"));
    assert_eq!(check(&net, &suining, d("2020-06-30")).unwrap().1, vec![]);
}

#[test]
fn unpaired_poor_returned_and_monitored_households() {
    let mut net = village_of_poor(1, vec![]);
    net.households
        .push(household(2, V1, HouseholdStatus::Returned));
    let mut marginal = household(3, V1, HouseholdStatus::NonPoor);
    marginal.monitoring = Some(MonitoringCategory::Marginal);
    net.households.push(marginal);
    let mut eliminated = household(4, V1, HouseholdStatus::Exited);
    eliminated.monitoring = Some(MonitoringCategory::RiskEliminated);
    net.households.push(eliminated);
    net.households
        .push(household(5, V1, HouseholdStatus::Removed));
    // Paired only from tomorrow: not yet.
    net.pairings
        .push(pairing("C01", &format!("{V1}002"), "2020-07-01"));
    assert_eq!(
        gaps(&net, "2020-06-30"),
        vec![
            Gap::HouseholdUnpaired {
                household: format!("{V1}002")
            },
            Gap::HouseholdUnpaired {
                household: format!("{V1}003")
            },
        ]
    );
    assert_eq!(gaps(&net, "2020-07-01").len(), 1);
}

fn visit(date: &str, household: &str, issues: Vec<VisitIssue>) -> Visit {
    Visit {
        date: d(date),
        cadre: "C01".into(),
        household: household.into(),
        findings: None,
        issues,
    }
}

fn issue(id: &str, measure: Option<&str>, closed_on: Option<&str>) -> VisitIssue {
    VisitIssue {
        id: id.into(),
        text: "住房漏雨".into(),
        measure: measure.map(Into::into),
        closed_on: closed_on.map(d),
    }
}

#[test]
fn visit_figures_count_up_to_the_date() {
    let visits = vec![
        // An issue-less visit counts as a visit and a household visited.
        visit("2020-05-01", "H1", vec![]),
        visit(
            "2020-05-10",
            "H1",
            vec![
                issue("I1", Some("M1"), Some("2020-05-20")),
                issue("I2", Some("M1"), Some("2020-07-02")),
            ],
        ),
        visit("2020-06-30", "H2", vec![issue("I3", None, None)]),
        // After the date: not counted at all.
        visit(
            "2020-07-01",
            "H3",
            vec![issue("I4", Some("M2"), Some("2020-07-01"))],
        ),
    ];
    let f = VisitFigures::of(&visits, None, d("2020-06-30"));
    assert_eq!(
        f,
        VisitFigures {
            visits: 3,
            households_visited: 2,
            issues: 3,
            issues_closed: 1,
            measures: 1,
            completion_pct: Some("33.33".into()),
        }
    );
    let later = VisitFigures::of(&visits, Some(d("2020-06-01")), d("2020-12-31"));
    assert_eq!(
        (later.visits, later.households_visited, later.issues),
        (2, 2, 2)
    );
    assert_eq!(later.completion_pct.as_deref(), Some("50.00"));
    let none = VisitFigures::of(&visits[..1], None, d("2020-06-30"));
    assert_eq!(
        (none.visits, none.issues, none.completion_pct),
        (1, 0, None)
    );
    assert_eq!(completion_pct(436, 436).as_deref(), Some("100.00"));
    assert_eq!(completion_pct(2, 3).as_deref(), Some("66.67"));
}

fn example() -> Value {
    json!({"as_of": "2020-06-30",
     "villages": [{"area_code": "140525100201", "poor_village": true}],
     "households": [
        {"number": "140525100201001", "area_code": "140525100201", "status": "poor", "monitoring": null},
        {"number": "140525100201002", "area_code": "140525100201", "status": "poor", "monitoring": null}],
     "units": [{"code": "U01", "name": "县财政局", "kind": "party_government"}],
     "cadres": [{"id": "C01", "name": "王强", "unit": "U01", "rank": "county_leader"},
                {"id": "C02", "name": "李娜", "unit": "U01", "rank": "staff"}],
     "pairings": [{"cadre": "C01", "household": "140525100201001", "start": "2019-03-01", "end": null}],
     "teams": [{"id": "T01", "village": "140525100201", "unit": "U01", "start": "2018-03-01", "end": null,
                "members": [{"cadre": "C02", "role": "leader", "first_secretary": true}]}],
     "visits": [{"date": "2020-05-10", "cadre": "C01", "household": "140525100201001",
                 "issues": [{"id": "I1", "text": "住房漏雨", "measure": "M1", "closed_on": "2020-05-20"}]}]})
}

#[test]
fn the_documented_example_as_json() {
    let r = run(&example(), &PolicySet::builtin(), None).unwrap();
    let out = serde_json::to_value(&r).unwrap();
    assert_eq!(
        out,
        json!({"as_of": "2020-06-30", "policy": "jincheng",
            "gaps": [{"code": "cadre_below_quota", "cadre": "C01", "pairings": 1, "quota": 4},
                     {"code": "household_unpaired", "household": "140525100201002"}],
            "visits": {"visits": 1, "households_visited": 1, "issues": 1, "issues_closed": 1,
                       "measures": 1, "completion_pct": "100.00"},
            "errors": []})
    );
    // --as-of overrides the file: by 2021-03-01 the team is over its term, the pairing over its.
    let r = run(&example(), &PolicySet::builtin(), Some(d("2021-03-01"))).unwrap();
    let codes: Vec<_> = r.gaps.iter().map(Gap::code).collect();
    assert_eq!(
        codes,
        [
            "cadre_below_quota",
            "household_unpaired",
            "pairing_over_term",
            "team_over_term"
        ]
    );
}

#[test]
fn bad_records_are_reported_by_field_and_left_out() {
    let mut v = example();
    v["cadres"][1]["rank"] = json!("mayor");
    v["pairings"]
        .as_array_mut()
        .unwrap()
        .push(json!({"cadre": "C09", "household": "140525100201002", "start": "2020-02-30"}));
    v["visits"][0]["issues"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "I2", "text": "x", "closed_on": "2020-05-21"}));
    v["teams"][0]["members"][0]["role"] = json!("captain");
    v["households"]
        .as_array_mut()
        .unwrap()
        .push(json!({"number": "140525100201001", "area_code": "140525100201", "status": "poor"}));
    let r = run(&v, &PolicySet::builtin(), None).unwrap();
    let errors: Vec<(&str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            ("households[2].number", "duplicate"),
            ("cadres[1].rank", "rank_unknown"),
            ("pairings[1].cadre", "unknown_cadre"),
            ("pairings[1].start", "date_invalid"),
            ("teams[0].members[0].role", "team_role_unknown"),
            ("visits[0].issues[1].measure", "closed_without_measure"),
        ]
    );
    // The rest is checked: the visit with a bad issue is left out, the team too.
    assert_eq!(r.visits.visits, 0);
    let codes: Vec<_> = r.gaps.iter().map(Gap::code).collect();
    assert_eq!(
        codes,
        [
            "cadre_below_quota",
            "household_unpaired",
            "village_needs_team"
        ]
    );
    // Not an object, or a list that is not a list: the input cannot be read.
    assert!(run(&json!([]), &PolicySet::builtin(), None).is_err());
    assert!(run(
        &json!({"as_of": "2020-06-30", "cadres": {}}),
        &PolicySet::builtin(),
        None
    )
    .is_err());
    assert!(run(&json!({"cadres": []}), &PolicySet::builtin(), None).is_err());
}

#[test]
fn policy_keys_with_their_sources() {
    let set = PolicySet::builtin();
    let p = set.for_area("140525100201");
    assert_eq!(p.count("pairing_term_years").unwrap().value, 2);
    assert_eq!(p.count("work_team_term_years").unwrap().value, 3);
    assert_eq!(
        p.count("first_secretary_min_poor_households")
            .unwrap()
            .value,
        20
    );
    assert_eq!(p.count("work_team_min_poor_households").unwrap().value, 10);
    assert!(!p.flag("pairing_ends_at_exit").unwrap().value);
    let quotas: Vec<_> = [
        "county_leader",
        "section_chief",
        "leadership_member",
        "section_level",
        "staff",
    ]
    .iter()
    .map(|r| p.pairing_quota(r).map(|s| s.value))
    .collect();
    assert_eq!(quotas, [Some(4), Some(3), Some(2), Some(1), None]);
    assert_eq!(p.pairing_quota("county_leader").unwrap().file, "national");
    assert!(PolicySet::layered("name = \"x\"\n[pairing_quota]\nmayor = 3\n", "t").is_err());
    assert!(PolicySet::layered("name = \"x\"\npairing_ends_at_exit = 1\n", "t").is_err());
    // A what-if file changes one quota, the others stay.
    let w = PolicySet::layered("name = \"x\"\n[pairing_quota]\ncounty_leader = 5\n", "t").unwrap();
    let p = w.for_area("14");
    assert_eq!(p.pairing_quota("county_leader").unwrap().value, 5);
    assert_eq!(p.pairing_quota("section_chief").unwrap().value, 3);
}
