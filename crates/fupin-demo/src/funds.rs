//! Funds, projects, small loans and dividends of the demo data (issue 14): the web county's
//! (`fupin serve --demo`: some projects, loans and a photovoltaic station in 2020, so the pages show
//! something) and the county profile's (Zezhou 2017: the figures of the seed, see [`zezhou_2017`]).

use fupin_core::money::Decimal;
use fupin_store::funds::*;
use fupin_store::StoreError;
use std::str::FromStr;

const ACTOR: &str = "demo";

fn y(s: &str) -> Yuan {
    Yuan(Decimal::from_str(s).expect("demo amounts are decimals"))
}

fn fen(f: i64) -> Yuan {
    Yuan::from_fen(f)
}

/// A county's fund sources, (id, year, level, name, amount), received in March, and its year's
/// (year, local revenue, loan task).
async fn county_year(
    dir: &dyn Funds,
    county: &str,
    sources: &[(&str, i32, &str, &str, &str)],
    (year, revenue, task): (i32, &str, &str),
) -> Result<(), StoreError> {
    for (id, year, level, name, amount) in sources {
        let s = FundSource {
            id: id.to_string(),
            county: county.into(),
            year: *year,
            level: level.to_string(),
            name: name.to_string(),
            amount: y(amount),
            received_on: Some(format!("{year}-03-31")),
            note: None,
        };
        dir.put_fund_source(&s, ACTOR).await?;
    }
    let fy = FundYear {
        county: county.into(),
        year,
        local_revenue: Some(y(revenue)),
        loan_task: Some(y(task)),
    };
    dir.put_fund_year(&fy, ACTOR).await
}

/// The web demo county (泽州县, 140525) in 2019 and 2020.
pub async fn load_web_county(dir: &dyn Funds) -> Result<(), StoreError> {
    let c = "140525";
    let sources = [
        (
            "S2019-county",
            2019,
            "county",
            "县级专项扶贫资金",
            "10000000.00",
        ),
        (
            "S2020-county",
            2020,
            "county",
            "县级专项扶贫资金",
            "12500000.00",
        ),
        (
            "S2020-central",
            2020,
            "central",
            "中央财政专项扶贫资金",
            "21000000.00",
        ),
        (
            "S2020-province",
            2020,
            "province",
            "省级财政专项扶贫资金",
            "8000000.00",
        ),
        (
            "S2020-city",
            2020,
            "city",
            "市级财政专项扶贫资金",
            "3000000.00",
        ),
        (
            "S2020-help",
            2020,
            "helping_unit",
            "帮扶单位资金",
            "1200000.00",
        ),
        ("S2020-donation", 2020, "donation", "社会捐赠", "300000.00"),
    ];
    county_year(dir, c, &sources, (2020, "560000000.00", "2000000.00")).await?;
    // (id, name, kind, village, budget, progress, status, households, people, benefit)
    let projects = [
        (
            "P2020-01",
            "东沟村光伏电站",
            "industry",
            "140525100201",
            "240000.00",
            100,
            "done",
            30,
            86,
            "电站收益分红到户,村集体留存部分用于公益岗位",
        ),
        (
            "P2020-02",
            "西岭村连翘种植基地",
            "industry",
            "140525100202",
            "800000.00",
            70,
            "underway",
            42,
            120,
            "合作社带动贫困户种植,土地流转加务工",
        ),
        (
            "P2020-03",
            "南庄村以工代赈道路",
            "relief",
            "140525100203",
            "600000.00",
            100,
            "done",
            25,
            70,
            "贫困户参与施工领取劳务报酬",
        ),
        (
            "P2020-04",
            "河底村饮水安全巩固",
            "infrastructure",
            "140525101201",
            "350000.00",
            40,
            "underway",
            30,
            90,
            "解决贫困户饮水安全",
        ),
        (
            "P2020-05",
            "石门村危房改造",
            "housing",
            "140525101202",
            "200000.00",
            0,
            "planned",
            8,
            21,
            "贫困户危房改造补助",
        ),
        (
            "P2020-06",
            "上庄村就业培训",
            "employment",
            "140525102201",
            "50000.00",
            100,
            "done",
            40,
            40,
            "技能培训后转移就业",
        ),
    ];
    for (i, (id, name, kind, village, budget, progress, status, h, p, benefit)) in
        projects.iter().enumerate()
    {
        let project = Project {
            id: id.to_string(),
            county: c.into(),
            year: 2020,
            name: name.to_string(),
            kind: kind.to_string(),
            village: village.to_string(),
            budget: y(budget),
            start: Some(format!("2020-{:02}-01", 3 + i)),
            end: (*status == "done").then(|| format!("2020-{:02}-28", 6 + i)),
            progress_pct: *progress,
            status: status.to_string(),
            households: *h,
            people: *p,
            benefit: benefit.to_string(),
        };
        dir.put_project(&project, ACTOR).await?;
        let a = Allocation {
            id: format!("A-{id}"),
            county: c.into(),
            year: 2020,
            project: id.to_string(),
            category: kind.to_string(),
            amount: y(budget),
            date: format!("2020-{:02}-10", 3 + i),
            source: Some("S2020-central".into()),
        };
        dir.put_allocation(&a, ACTOR).await?;
        let paid = y(budget).fen() * progress / 100;
        if paid > 0 {
            // Paid in two parts, a month apart.
            for (k, part) in [(1, paid / 2), (2, paid - paid / 2)] {
                dir.put_disbursement(
                    &Disbursement {
                        id: format!("D-{id}-{k}"),
                        county: c.into(),
                        project: id.to_string(),
                        amount: fen(part),
                        date: format!("2020-{:02}-20", 3 + i + k),
                    },
                    ACTOR,
                )
                .await?;
            }
        }
    }
    // Loans to households of 东沟村 and 西岭村: one repaid on time, one overdue, one above the rules.
    for (n, (household, amount, term, guarantee, paid)) in [
        ("140525100201001", "50000.00", 36, false, "5000.00"),
        ("140525100201002", "30000.00", 24, false, "0.00"),
        ("140525100201003", "60000.00", 48, true, "6000.00"),
        ("140525100202001", "20000.00", 12, false, "20000.00"),
    ]
    .into_iter()
    .enumerate()
    {
        let loan = Loan {
            id: format!("L2020-{:02}", n + 1),
            county: c.into(),
            household: household.into(),
            village: household[..12].into(),
            amount: y(amount),
            term_months: term,
            guarantee,
            collateral: false,
            start: format!("2020-0{}-15", 3 + n),
            bank: Some("泽州农商银行".into()),
            repayments: vec![Repayment {
                due: "2020-12-20".into(),
                amount: y(if n == 3 { "20000.00" } else { "5000.00" }),
                paid: y(paid),
                paid_on: (paid != "0.00").then(|| "2020-12-18".into()),
            }],
            subsidies: vec![Subsidy {
                year: 2020,
                amount: fen(y(amount).fen() * 435 / 10000),
            }],
        };
        dir.put_loan(&loan, ACTOR).await?;
    }
    let asset = Asset {
        id: "PV-140525100201".into(),
        county: c.into(),
        kind: "photovoltaic".into(),
        name: "东沟村 30 kW 光伏电站".into(),
        village: "140525100201".into(),
        capacity_kw: Some("30".into()),
        split: "equal".into(),
        beneficiaries: (1..=10)
            .map(|n| Beneficiary {
                household: format!("140525100201{n:03}"),
                weight: "1".into(),
            })
            .collect(),
    };
    dir.put_asset(&asset, ACTOR).await?;
    dir.record_asset_income(
        c,
        &AssetIncome {
            asset: asset.id.clone(),
            year: 2020,
            income: y("30000.05"),
            collective: y("10000.00"),
        },
        ACTOR,
    )
    .await?;
    dir.put_cooperative(
        &Cooperative {
            id: "C-140525100202".into(),
            county: c.into(),
            name: "西岭村连翘种植专业合作社".into(),
            village: "140525100202".into(),
            members: 40,
            poor_members: 12,
            supported: true,
        },
        ACTOR,
    )
    .await?;
    Ok(())
}

/// The county profile's funds (Zezhou 2017, the seed's figures): 19,250,400 yuan of county special
/// funds, above 2016's amount (14,300,000) and growth (34.62% against 30.00% on 2015's 11,000,000:
/// "双增长"); 27,918,600 yuan of small loans to 600 poor households (46,531 yuan each), 126.00% of
/// the year's task of 22,157,600; 24 village photovoltaic stations of 30 kW whose 2017 income gives
/// their 24 poor villages their first collective income (12,000 yuan each) and the rest (24,000
/// yuan) to the village's poor households as dividends. Written for the profile's county 140525
/// when its history ends in 2017 (the `county` profile); nothing for other counties or profiles.
pub async fn zezhou_2017(
    profile: &crate::Profile,
    county: &crate::gen::CountyData,
    dir: &dyn Funds,
) -> Result<(), StoreError> {
    use chrono::Datelike;
    use fupin_core::codes::HouseholdStatus;
    use fupin_core::AreaLevel;
    if county.code != "140525" || profile.end.year() != 2017 {
        return Ok(());
    }
    let c = county.code.as_str();
    // Poor households of 2017 (identified, not removed), by number, with their village.
    let mut poor: std::collections::BTreeMap<String, String> = Default::default();
    for b in &county.batches {
        for ch in &b.changes {
            let r = &ch.incoming.record;
            match r.status {
                HouseholdStatus::Poor | HouseholdStatus::Returned => {
                    poor.insert(r.number.clone(), r.area_code.clone());
                }
                HouseholdStatus::Removed => {
                    poor.remove(&r.number);
                }
                _ => {}
            }
        }
    }
    let mut villages: Vec<(&str, &str)> = county
        .areas
        .iter()
        .filter(|a| a.level == AreaLevel::Village)
        .map(|a| (a.code.as_str(), a.name.as_str()))
        .collect();
    villages.sort();
    let first_village = villages.first().map(|v| v.0).unwrap_or("140525100201");

    let sources = [
        (
            "S2015-county",
            2015,
            "county",
            "县级专项扶贫资金",
            "11000000.00",
        ),
        (
            "S2016-county",
            2016,
            "county",
            "县级专项扶贫资金",
            "14300000.00",
        ),
        (
            "S2017-county",
            2017,
            "county",
            "县级专项扶贫资金",
            "19250400.00",
        ),
        (
            "S2017-central",
            2017,
            "central",
            "中央财政专项扶贫资金",
            "45000000.00",
        ),
        (
            "S2017-province",
            2017,
            "province",
            "省级财政专项扶贫资金",
            "12000000.00",
        ),
        (
            "S2017-city",
            2017,
            "city",
            "市级财政专项扶贫资金",
            "6000000.00",
        ),
    ];
    county_year(dir, c, &sources, (2017, "860000000.00", "22157600.00")).await?;

    // The stations: 30 kW in each of the first 24 villages, for up to 15 of its poor households.
    const STATION_BUDGET: i64 = 24_000_000; // fen: 240,000 yuan
    let mut stations = 0i64;
    for (code, vname) in villages.iter().take(24) {
        let households: Vec<String> = poor
            .iter()
            .filter(|(_, v)| v.as_str() == *code)
            .map(|(n, _)| n.clone())
            .take(15)
            .collect();
        let pid = format!("P2017-PV-{code}");
        dir.put_project(
            &Project {
                id: pid.clone(),
                county: c.into(),
                year: 2017,
                name: format!("{vname}30千瓦村级光伏电站"),
                kind: "industry".into(),
                village: code.to_string(),
                budget: fen(STATION_BUDGET),
                start: Some("2017-03-01".into()),
                end: Some("2017-06-30".into()),
                progress_pct: 100,
                status: "done".into(),
                households: households.len() as i64,
                people: households.len() as i64 * 5 / 2,
                benefit: "发电收益三分之一为村集体收入,其余分红到贫困户".into(),
            },
            ACTOR,
        )
        .await?;
        dir.put_allocation(
            &Allocation {
                id: format!("A-{pid}"),
                county: c.into(),
                year: 2017,
                project: pid.clone(),
                category: "industry".into(),
                amount: fen(STATION_BUDGET),
                date: "2017-03-10".into(),
                source: Some("S2017-county".into()),
            },
            ACTOR,
        )
        .await?;
        dir.put_disbursement(
            &Disbursement {
                id: format!("D-{pid}"),
                county: c.into(),
                project: pid.clone(),
                amount: fen(STATION_BUDGET),
                date: "2017-07-15".into(),
            },
            ACTOR,
        )
        .await?;
        let asset = Asset {
            id: format!("PV-{code}"),
            county: c.into(),
            kind: "photovoltaic".into(),
            name: format!("{vname}30千瓦光伏电站"),
            village: code.to_string(),
            capacity_kw: Some("30".into()),
            split: "equal".into(),
            beneficiaries: households
                .iter()
                .map(|h| Beneficiary {
                    household: h.clone(),
                    weight: "1".into(),
                })
                .collect(),
        };
        dir.put_asset(&asset, ACTOR).await?;
        let income = AssetIncome {
            asset: asset.id.clone(),
            year: 2017,
            income: y("36000.00"),
            collective: y(if households.is_empty() {
                "36000.00"
            } else {
                "12000.00"
            }),
        };
        dir.record_asset_income(c, &income, ACTOR).await?;
        stations += 1;
    }
    // The rest of the county special fund, by category (industry and relief 72.21% in all).
    let station_total = stations * STATION_BUDGET;
    let rest = [
        (
            "P2017-IND",
            "特色产业扶贫项目",
            "industry",
            1_210_000_000 - station_total,
        ),
        ("P2017-REL", "以工代赈道路工程", "relief", 180_000_000),
        ("P2017-INF", "贫困村基础设施", "infrastructure", 360_000_000),
        ("P2017-EDU", "雨露计划教育资助", "education", 90_000_000),
        ("P2017-HOU", "农村危房改造", "housing", 70_000_000),
        ("P2017-ADM", "项目管理费", "admin", 15_040_000),
    ];
    for (i, (id, name, kind, amount)) in rest.into_iter().enumerate() {
        dir.put_project(
            &Project {
                id: id.into(),
                county: c.into(),
                year: 2017,
                name: name.into(),
                kind: kind.into(),
                village: first_village.into(),
                budget: fen(amount),
                start: Some("2017-04-01".into()),
                end: None,
                progress_pct: [80, 100, 60, 100, 90, 100][i],
                status: if [80, 100, 60, 100, 90, 100][i] == 100 {
                    "done"
                } else {
                    "underway"
                }
                .into(),
                households: 500,
                people: 1300,
                benefit: "贫困户优先受益".into(),
            },
            ACTOR,
        )
        .await?;
        dir.put_allocation(
            &Allocation {
                id: format!("A-{id}"),
                county: c.into(),
                year: 2017,
                project: id.into(),
                category: kind.into(),
                amount: fen(amount),
                date: format!("2017-{:02}-15", 4 + i),
                source: Some("S2017-county".into()),
            },
            ACTOR,
        )
        .await?;
    }
    // 600 loans of 46,531 yuan (27,918,600 in all) to poor households, three years, no guarantee
    // or collateral, interest subsidised.
    for (k, (household, village)) in poor.iter().take(600).enumerate() {
        let loan = Loan {
            id: format!("L2017-{:04}", k + 1),
            county: c.into(),
            household: household.clone(),
            village: village.clone(),
            amount: y("46531.00"),
            term_months: 36,
            guarantee: false,
            collateral: false,
            start: format!("2017-{:02}-{:02}", 1 + k % 12, 1 + k % 28),
            bank: Some("泽州农商银行".into()),
            repayments: vec![],
            subsidies: vec![Subsidy {
                year: 2017,
                amount: y("2024.10"),
            }],
        };
        dir.put_loan(&loan, ACTOR).await?;
    }
    dir.put_cooperative(
        &Cooperative {
            id: "C2017-1".into(),
            county: c.into(),
            name: "泽州县惠民种养专业合作社".into(),
            village: first_village.into(),
            members: 60,
            poor_members: 21,
            supported: true,
        },
        ACTOR,
    )
    .await?;
    Ok(())
}
