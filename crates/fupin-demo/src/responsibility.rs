//! The responsibility network of the demo data (issue 11): the `serve --demo` county's units,
//! cadres (the demo `cadre` account linked to its cadre), pairings, a work team and visits; and the
//! profiles' network (see [`crate::profile`]).

use chrono::NaiveDate;
use fupin_core::responsibility::{
    Cadre, EnterprisePairing, Pairing, Rank, TeamMember, TeamRole, Unit, UnitKind, Visit,
    VisitIssue, WorkTeam,
};
use fupin_store::directory::Directory;
use fupin_store::responsibility::{Batch, StoredCadre, StoredPairing, StoredUnit, StoredVisit};
use fupin_store::StoreError;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a date")
}

/// The demo county's network: two units, three cadres (C0001 李明 is the `cadre` account, paired
/// with the first five households of 东沟村 since 2019), a work team in 东沟村 whose leader is its
/// first secretary, an enterprise paired with 西岭村, and visits of 2020 with their issues.
pub async fn web_county(dir: &dyn Directory) -> Result<(), StoreError> {
    let county = "140525";
    let dongou = "140525100201";
    let unit = |code: &str, name: &str, kind| StoredUnit {
        area: county.into(),
        unit: Unit {
            code: code.into(),
            name: name.into(),
            kind,
        },
    };
    let cadre = |id: &str, name: &str, rank, account: Option<&str>| StoredCadre {
        area: county.into(),
        cadre: Cadre {
            id: id.into(),
            name: name.into(),
            unit: "U001".into(),
            rank,
            phone: Some(format!("1380356{}", &id[1..])),
        },
        account: account.map(Into::into),
    };
    let household = |n: u32| format!("{dongou}{n:03}");
    let pairings = (1..=5)
        .map(|n| StoredPairing {
            area_code: dongou.into(),
            pairing: Pairing {
                cadre: "C0001".into(),
                household: household(n),
                start: d(2019, 1, 1),
                end: None,
                end_reason: None,
            },
        })
        .collect();
    let issue =
        |id: &str, text: &str, measure: Option<&str>, closed: Option<NaiveDate>| VisitIssue {
            id: id.into(),
            text: text.into(),
            measure: measure.map(Into::into),
            closed_on: closed,
        };
    let visit = |id: &str, n: u32, date, findings: &str, issues| StoredVisit {
        id: id.into(),
        area_code: dongou.into(),
        visit: Visit {
            date,
            cadre: "C0001".into(),
            household: household(n),
            findings: Some(findings.into()),
            issues,
        },
    };
    let batch = Batch {
        units: vec![
            unit("U001", "泽州县财政局", UnitKind::PartyGovernment),
            unit("E001", "泽州县金鼎煤业有限公司", UnitKind::Enterprise),
        ],
        cadres: vec![
            cadre("C0001", "李明", Rank::SectionLevel, Some("cadre")),
            cadre("C0002", "王芳", Rank::Staff, None),
            cadre("C0003", "张建国", Rank::SectionChief, None),
        ],
        pairings,
        teams: vec![WorkTeam {
            id: "T001".into(),
            village: dongou.into(),
            unit: "U001".into(),
            start: d(2018, 3, 1),
            end: None,
            members: vec![
                TeamMember {
                    cadre: "C0002".into(),
                    role: TeamRole::Leader,
                    first_secretary: true,
                },
                TeamMember {
                    cadre: "C0001".into(),
                    role: TeamRole::Member,
                    first_secretary: false,
                },
            ],
        }],
        enterprise_pairings: vec![EnterprisePairing {
            unit: "E001".into(),
            village: "140525100202".into(),
            start: d(2019, 1, 1),
            end: None,
        }],
        letters: Vec::new(),
        visits: vec![
            visit(
                "V20200310-1",
                1,
                d(2020, 3, 10),
                "春耕备耕,家中无劳力",
                vec![issue(
                    "I20200310-1",
                    "缺春耕种子",
                    Some("协调种子站赠送玉米种"),
                    Some(d(2020, 3, 20)),
                )],
            ),
            visit("V20200512-1", 2, d(2020, 5, 12), "身体恢复良好", Vec::new()),
            visit(
                "V20200615-1",
                3,
                d(2020, 6, 15),
                "屋顶漏雨",
                vec![issue("I20200615-1", "住房漏雨", None, None)],
            ),
        ],
    };
    dir.save_network(&batch, "demo").await
}

/// Jincheng's figures (seed 003) that the city profile reproduces: work teams and their members
/// at 2020-06-30; households visited, issues and distinct measures from 2020-01-01 to 2020-06-30,
/// every issue closed.
pub const JINCHENG_TEAMS: usize = 416;
pub const JINCHENG_TEAM_MEMBERS: usize = 1_350;
pub const JINCHENG_HOUSEHOLDS_VISITED: usize = 25_481;
pub const JINCHENG_ISSUES: usize = 436;
pub const JINCHENG_MEASURES: usize = 114;
/// Zezhou's enterprise–village pairings (seed 005): 50 enterprises with 50 villages.
pub const ZEZHOU_ENTERPRISE_PAIRINGS: usize = 50;

/// The longest area prefix the profile's counties share (its area).
fn profile_area(profile: &crate::Profile) -> String {
    let codes: Vec<&str> = profile.counties.iter().map(|c| c.code.as_str()).collect();
    let Some(first) = codes.first() else {
        return String::new();
    };
    let mut len = first.len();
    for c in &codes {
        len = first
            .bytes()
            .zip(c.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    first[..len].to_string()
}

/// The responsibility network of a profile, written after its households. Every household that
/// needs a cadre at the profile's end (poor, returned, monitored) is paired with a staff cadre of
/// its village's unit (one unit per village, a cadre for at most five households, paired within the
/// pairing term); every village with at least the policy's number of poor households has a work
/// team whose leader is its first secretary. The county profile pairs 50 enterprises with 50
/// villages (Zezhou); the city profile has Jincheng's 416 teams with 1,350 members and its visits
/// of the first half of 2020. The larger profiles (province, nation, `--people`) have units and
/// cadres only in the villages with a household to pair (read through the coverage check's own
/// read, not every household), no enterprises and no visits: a network the size of the province's
/// for the coverage check to be measured on (docs/PERFORMANCE.md).
pub async fn profile_network(
    profile: &crate::Profile,
    dir: &dyn Directory,
) -> Result<(), StoreError> {
    let (city, large) = match profile.name.as_str() {
        "county" => (false, false),
        "city" => (true, false),
        _ => (false, true),
    };
    let area = profile_area(profile);
    let net = if large {
        // Before any pairing: the poor and every monitored household needing a cadre.
        dir.check_network(&area, profile.end).await?
    } else {
        dir.network(&area).await?
    };
    // Villages in code order, each with its households in number order.
    let mut villages: std::collections::BTreeMap<
        &str,
        Vec<&fupin_core::responsibility::HouseholdFacts>,
    > = Default::default();
    for h in &net.households {
        villages.entry(h.area_code.as_str()).or_default().push(h);
    }
    // The larger profiles: paired a year and teams stationed two years before their end, within
    // the national terms (two and three years).
    let before_end = |months| profile.end - chrono::Months::new(months);
    let pairing_start = match (city, large) {
        (true, _) => d(2019, 9, 1),
        (false, false) => d(2017, 1, 1),
        (false, true) => before_end(12),
    };
    let team_start = match (city, large) {
        (true, _) => d(2018, 7, 1),
        (false, false) => d(2016, 3, 1),
        (false, true) => before_end(24),
    };
    let mut b = Batch::default();
    let county_of = |v: &str| v[..6].to_string();
    for (i, (village, households)) in villages.iter().enumerate() {
        let unit = format!("U{village}");
        b.units.push(StoredUnit {
            area: county_of(village),
            unit: Unit {
                code: unit.clone(),
                name: format!("帮扶单位{}", i + 1),
                kind: UnitKind::PartyGovernment,
            },
        });
        let needing: Vec<_> = households.iter().filter(|h| h.needs_pairing()).collect();
        // At least one cadre per village (who also visits); five households each.
        let cadres = needing.len().div_ceil(5).max(1);
        for k in 0..cadres {
            b.cadres.push(StoredCadre {
                area: county_of(village),
                cadre: Cadre {
                    id: format!("C{village}{:02}", k + 1),
                    name: format!("帮扶干部{}-{}", i + 1, k + 1),
                    unit: unit.clone(),
                    rank: Rank::Staff,
                    phone: None,
                },
                account: None,
            });
        }
        for (n, h) in needing.iter().enumerate() {
            b.pairings.push(StoredPairing {
                area_code: village.to_string(),
                pairing: Pairing {
                    cadre: format!("C{village}{:02}", n / 5 + 1),
                    household: h.number.clone(),
                    start: pairing_start,
                    end: None,
                    end_reason: None,
                },
            });
        }
        let poor = households.iter().filter(|h| h.is_poor()).count();
        // Jincheng: the first 416 villages, 102 teams of four and 314 of three (1,350 members);
        // elsewhere a team where the policy's threshold (10 poor households) calls for one.
        let size = if city {
            if i < 102 {
                4
            } else if i < JINCHENG_TEAMS {
                3
            } else {
                0
            }
        } else if poor >= 10 {
            3
        } else {
            0
        };
        if size > 0 {
            let members: Vec<TeamMember> = (0..size)
                .map(|k| TeamMember {
                    cadre: format!("T{village}{:02}", k + 1),
                    role: if k == 0 {
                        TeamRole::Leader
                    } else {
                        TeamRole::Member
                    },
                    first_secretary: k == 0,
                })
                .collect();
            for m in &members {
                b.cadres.push(StoredCadre {
                    area: county_of(village),
                    cadre: Cadre {
                        id: m.cadre.clone(),
                        name: format!("驻村干部{}-{}", i + 1, &m.cadre[13..]),
                        unit: unit.clone(),
                        rank: Rank::Staff,
                        phone: None,
                    },
                    account: None,
                });
            }
            b.teams.push(WorkTeam {
                id: format!("T{village}"),
                village: village.to_string(),
                unit: unit.clone(),
                start: team_start,
                end: None,
                members,
            });
        }
    }
    if !city && !large {
        // Zezhou: 50 enterprises, each paired with one village.
        for (i, village) in villages.keys().take(ZEZHOU_ENTERPRISE_PAIRINGS).enumerate() {
            let code = format!("E{:03}", i + 1);
            b.units.push(StoredUnit {
                area: area.clone(),
                unit: Unit {
                    code: code.clone(),
                    name: format!("泽州民营企业{}", i + 1),
                    kind: UnitKind::Enterprise,
                },
            });
            b.enterprise_pairings.push(EnterprisePairing {
                unit: code,
                village: village.to_string(),
                start: d(2016, 6, 1),
                end: None,
            });
        }
    } else if city {
        // Jincheng H1 2020: 25,481 households visited once each (in number order), by their
        // village's first cadre, between 2 January and 20 June; 436 issues spread over the visits,
        // sharing 114 measures, each closed five days after its visit.
        let mut n = 0usize;
        'v: for (village, households) in &villages {
            for h in households {
                if n == JINCHENG_HOUSEHOLDS_VISITED {
                    break 'v;
                }
                let date = d(2020, 1, 2) + chrono::Days::new((n % 170) as u64);
                // One visit in 58 raises an issue (436 × 58 = 25,288 visits), across the city.
                let k = n / 58;
                let issues = if n % 58 == 0 && k < JINCHENG_ISSUES {
                    vec![VisitIssue {
                        id: format!("I2020{:05}", k + 1),
                        text: "住房、饮水或就业问题".into(),
                        measure: Some(format!("M2020{:03}", k % JINCHENG_MEASURES + 1)),
                        closed_on: Some(date + chrono::Days::new(5)),
                    }]
                } else {
                    Vec::new()
                };
                b.visits.push(StoredVisit {
                    id: format!("V2020{:05}", n + 1),
                    area_code: village.to_string(),
                    visit: Visit {
                        date,
                        cadre: format!("C{village}01"),
                        household: h.number.clone(),
                        findings: None,
                        issues,
                    },
                });
                n += 1;
            }
        }
    }
    dir.save_network(&b, "demo").await
}
