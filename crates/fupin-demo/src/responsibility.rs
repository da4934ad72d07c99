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
    dir.save(&batch, "demo").await
}
