//! The profiles: which areas, how many households and people in which histories. The `county` and
//! `city` profiles carry the figures of the Zezhou 2017 and Jincheng mid-2020 reports exactly; the
//! larger ones (and `--people N`) keep the same shape at scale.

use crate::rng::split;
use chrono::NaiveDate;
use fupin_core::codes::HouseholdStatus;

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// The state a household ends in (its income and guarantees at the end of the profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Still poor (or returned) at the end: income below the line.
    Poor,
    /// Still registered poor at the end but meeting the exit standard, awaiting the exit procedure
    /// (Jincheng, seed 003: "截至6月底,25户65人全部达到脱贫标准").
    Ready,
    /// Exited, income above the monitoring line, every guarantee holding.
    Stable,
    /// Exited but a monitoring object (`unstable`): income below the monitoring line or a guarantee failing.
    Unstable,
    /// Never registered poor, a monitoring object (`marginal`).
    Marginal,
    /// Removed (wrongly identified).
    Removed,
}

/// One status change of a household's path (the first step creates it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub date: NaiveDate,
    pub to: HouseholdStatus,
}

pub(crate) fn step(date: NaiveDate, to: HouseholdStatus) -> Step {
    Step { date, to }
}

/// Households sharing a history: exactly `households` households with exactly `people` members at
/// the end of the profile (members at the date of the last step when `quiet_after_last`).
#[derive(Debug, Clone)]
pub struct Cohort {
    pub households: u64,
    pub people: u64,
    pub kind: Kind,
    /// Weighted alternative paths; each household takes one.
    pub paths: Vec<(u32, Vec<Step>)>,
    /// No births or deaths after the household's last step (its people are counted at that step).
    pub quiet_after_last: bool,
}

/// Births and deaths between two dates (inclusive), exactly.
#[derive(Debug, Clone, Copy)]
pub struct Demog {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub births: u64,
    pub deaths: u64,
}

/// One county to generate.
#[derive(Debug, Clone)]
pub struct CountySpec {
    pub code: String,
    pub name: String,
    pub townships: u32,
    pub villages_per_township: (u32, u32),
    /// Registered rural population of the county (split over its villages).
    pub rural_population: u64,
    pub cohorts: Vec<Cohort>,
    pub demography: Vec<Demog>,
    /// Villages whose poor population falls under 2% during `exit_villages.1` (poor villages exiting).
    pub exit_villages: Option<(u32, i32)>,
}

/// A whole profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// (code, name) of the provinces and cities above the counties.
    pub upper: Vec<(String, String)>,
    pub counties: Vec<CountySpec>,
    /// The date of the income survey that sets the final incomes and monitoring categories.
    pub survey: Option<NaiveDate>,
    /// The last date of the history.
    pub end: NaiveDate,
}

impl Profile {
    pub fn households(&self) -> u64 {
        self.counties
            .iter()
            .flat_map(|c| c.cohorts.iter())
            .map(|c| c.households)
            .sum()
    }
    pub fn people(&self) -> u64 {
        self.counties
            .iter()
            .flat_map(|c| c.cohorts.iter())
            .map(|c| c.people)
            .sum()
    }
}

use HouseholdStatus::{Exited, NonPoor, Poor, Removed, Returned};

/// The identification of 2014 (建档立卡).
pub(crate) const IDENTIFIED: (i32, u32, u32) = (2014, 10, 15);

fn identified() -> NaiveDate {
    d(IDENTIFIED.0, IDENTIFIED.1, IDENTIFIED.2)
}

/// The yearly exit date (after the year's verification).
pub(crate) fn exit_date(year: i32) -> NaiveDate {
    d(year, 11, 30)
}

/// Identified in 2014, removed on a date.
fn removed_on(date: NaiveDate) -> Vec<Step> {
    vec![step(identified(), Poor), step(date, Removed)]
}

/// The share of exits by year of the city and the scaled profiles.
const EXIT_YEARS: &[(i32, u32)] = &[
    (2014, 10),
    (2015, 22),
    (2016, 26),
    (2017, 22),
    (2018, 13),
    (2019, 7),
];

fn exits(years: &[(i32, u32)]) -> Vec<(u32, Vec<Step>)> {
    years
        .iter()
        .map(|(y, w)| {
            (
                *w,
                vec![step(identified(), Poor), step(exit_date(*y), Exited)],
            )
        })
        .collect()
}

/// `county`: Zezhou county (泽州县, 140525), 2014-2017. During 2017 2,078 households with 5,222
/// people exit; 6 poor villages exit; at the end of 2017 3,560 poor people in a rural population of
/// 400,000: incidence 0.89%.
pub fn county() -> Profile {
    let cohorts = vec![
        Cohort {
            households: 2_078,
            people: 5_222,
            kind: Kind::Stable,
            paths: exits(&[(2017, 1)]),
            quiet_after_last: true,
        },
        Cohort {
            households: 9_620,
            people: 24_460,
            kind: Kind::Stable,
            paths: exits(&[(2014, 28), (2015, 37), (2016, 35)]),
            quiet_after_last: false,
        },
        // Exited, then poor again (返贫) in 2017.
        Cohort {
            households: 41,
            people: 112,
            kind: Kind::Poor,
            paths: vec![(
                1,
                vec![
                    step(identified(), Poor),
                    step(exit_date(2015), Exited),
                    step(d(2017, 6, 30), Returned),
                ],
            )],
            quiet_after_last: false,
        },
        // Returned in 2016 and exited again in 2016.
        Cohort {
            households: 18,
            people: 47,
            kind: Kind::Stable,
            paths: vec![(
                1,
                vec![
                    step(identified(), Poor),
                    step(exit_date(2014), Exited),
                    step(d(2015, 6, 30), Returned),
                    step(exit_date(2016), Exited),
                ],
            )],
            quiet_after_last: false,
        },
        Cohort {
            households: 1_316,
            people: 3_448,
            kind: Kind::Poor,
            paths: vec![
                (9, vec![step(identified(), Poor)]),
                (1, vec![step(d(2016, 6, 30), Poor)]),
            ],
            quiet_after_last: false,
        },
        Cohort {
            households: 87,
            people: 214,
            kind: Kind::Removed,
            paths: vec![
                (3, removed_on(d(2015, 8, 31))),
                (2, removed_on(d(2016, 8, 31))),
            ],
            quiet_after_last: false,
        },
    ];
    let demography = vec![
        Demog {
            from: d(2015, 1, 1),
            to: d(2015, 12, 31),
            births: 260,
            deaths: 410,
        },
        Demog {
            from: d(2016, 1, 1),
            to: d(2016, 12, 31),
            births: 240,
            deaths: 430,
        },
        Demog {
            from: d(2017, 1, 1),
            to: d(2017, 11, 20),
            births: 210,
            deaths: 390,
        },
    ];
    Profile {
        name: "county".into(),
        upper: vec![
            ("14".into(), "山西省".into()),
            ("1405".into(), "晋城市".into()),
        ],
        counties: vec![CountySpec {
            code: "140525".into(),
            name: "泽州县".into(),
            townships: 17,
            villages_per_township: (30, 42),
            rural_population: 400_000,
            cohorts,
            demography,
            exit_villages: Some((6, 2017)),
        }],
        survey: None,
        end: d(2017, 12, 31),
    }
}

/// The counties of Jincheng (晋城市) with their weights in the city's registry.
const JINCHENG: &[(&str, &str, u64, u32)] = &[
    ("140502", "城区", 2, 4),
    ("140521", "沁水县", 16, 13),
    ("140522", "阳城县", 17, 17),
    ("140524", "陵川县", 27, 15),
    ("140525", "泽州县", 26, 17),
    ("140581", "高平市", 12, 16),
];

/// `city`: Jincheng (晋城市, 1405) to 30 June 2020. At the end 25,345 registered households with
/// 63,425 people (25 with 65 people not yet exited); in the first half of 2020 51 households with
/// 104 people removed, 369 births and 1,175 deaths; the 25 poor households all meet the exit
/// standard at the end; 967 unstable households with 2,259 people and 310
/// marginal households with 752 people under monitoring (Jincheng policy, 5,000-yuan line).
pub fn city() -> Profile {
    let survey = d(2020, 3, 31);
    let removal = d(2020, 4, 20);
    let all_exits = exits(EXIT_YEARS);
    let mut stable_paths = all_exits.clone();
    stable_paths.push((
        2,
        vec![
            step(identified(), Poor),
            step(exit_date(2016), Exited),
            step(d(2017, 6, 30), Returned),
            step(exit_date(2018), Exited),
        ],
    ));
    stable_paths.push((
        3,
        vec![step(d(2016, 6, 30), Poor), step(exit_date(2018), Exited)],
    ));
    let city_cohorts: Vec<Cohort> = vec![
        Cohort {
            households: 25_320 - 967,
            people: 63_360 - 2_259,
            kind: Kind::Stable,
            paths: stable_paths,
            quiet_after_last: false,
        },
        Cohort {
            households: 967,
            people: 2_259,
            kind: Kind::Unstable,
            paths: exits(&[(2016, 20), (2017, 30), (2018, 30), (2019, 20)]),
            quiet_after_last: false,
        },
        Cohort {
            households: 25,
            people: 65,
            kind: Kind::Ready,
            paths: vec![(1, vec![step(identified(), Poor)])],
            quiet_after_last: false,
        },
        Cohort {
            households: 310,
            people: 752,
            kind: Kind::Marginal,
            paths: vec![(1, vec![step(survey, NonPoor)])],
            quiet_after_last: false,
        },
        Cohort {
            households: 51,
            people: 104,
            kind: Kind::Removed,
            paths: vec![
                (
                    4,
                    vec![
                        step(identified(), Poor),
                        step(exit_date(2017), Exited),
                        step(removal, Removed),
                    ],
                ),
                (1, removed_on(removal)),
            ],
            quiet_after_last: true,
        },
        Cohort {
            households: 212,
            people: 530,
            kind: Kind::Removed,
            paths: vec![
                (2, removed_on(d(2015, 8, 31))),
                (2, removed_on(d(2016, 8, 31))),
                (
                    1,
                    vec![
                        step(identified(), Poor),
                        step(exit_date(2016), Exited),
                        step(d(2018, 8, 31), Removed),
                    ],
                ),
            ],
            quiet_after_last: false,
        },
    ];
    let demography = vec![
        Demog {
            from: d(2015, 1, 1),
            to: d(2015, 12, 31),
            births: 640,
            deaths: 980,
        },
        Demog {
            from: d(2016, 1, 1),
            to: d(2016, 12, 31),
            births: 610,
            deaths: 1_020,
        },
        Demog {
            from: d(2017, 1, 1),
            to: d(2017, 12, 31),
            births: 590,
            deaths: 1_090,
        },
        Demog {
            from: d(2018, 1, 1),
            to: d(2018, 12, 31),
            births: 540,
            deaths: 1_130,
        },
        Demog {
            from: d(2019, 1, 1),
            to: d(2019, 12, 31),
            births: 500,
            deaths: 1_160,
        },
        Demog {
            from: d(2020, 1, 1),
            to: d(2020, 6, 30),
            births: 369,
            deaths: 1_175,
        },
    ];
    let weights: Vec<u64> = JINCHENG.iter().map(|c| c.2).collect();
    let mut counties: Vec<CountySpec> = JINCHENG
        .iter()
        .map(|(code, name, _, townships)| CountySpec {
            code: code.to_string(),
            name: name.to_string(),
            townships: *townships,
            villages_per_township: (12, 22),
            rural_population: 0,
            cohorts: Vec::new(),
            demography: Vec::new(),
            exit_villages: None,
        })
        .collect();
    for c in &city_cohorts {
        for (i, part) in split_cohort(c, &weights).into_iter().enumerate() {
            counties[i].cohorts.push(part);
        }
    }
    distribute_demography(&mut counties, &demography, &weights);
    let rural = split(1_150_000, &weights);
    for (c, r) in counties.iter_mut().zip(rural) {
        c.rural_population = r;
    }
    Profile {
        name: "city".into(),
        upper: vec![
            ("14".into(), "山西省".into()),
            ("1405".into(), "晋城市".into()),
        ],
        counties,
        survey: Some(survey),
        end: d(2020, 6, 30),
    }
}

/// Splits a cohort over counties by weight, households and people each exactly.
fn split_cohort(c: &Cohort, weights: &[u64]) -> Vec<Cohort> {
    let hh = split(c.households, weights);
    let people = split(c.people, &hh);
    hh.into_iter()
        .zip(people)
        .map(|(h, p)| Cohort {
            households: h,
            people: p,
            ..c.clone()
        })
        .collect()
}

fn distribute_demography(counties: &mut [CountySpec], demography: &[Demog], weights: &[u64]) {
    for dm in demography {
        let b = split(dm.births, weights);
        let dd = split(dm.deaths, weights);
        for (i, c) in counties.iter_mut().enumerate() {
            c.demography.push(Demog {
                births: b[i],
                deaths: dd[i],
                ..*dm
            });
        }
    }
}

/// A registry of about `people` people in counties of about 108,000 registered people (the national
/// average of 2014: 89.6 million in 832 counties), with the city profile's shape.
pub fn scaled(name: &str, people: u64) -> Profile {
    // Provinces with poor counties (codes of the national standard).
    const PROVINCES: &[(&str, &str)] = &[
        ("52", "贵州省"),
        ("53", "云南省"),
        ("51", "四川省"),
        ("62", "甘肃省"),
        ("45", "广西壮族自治区"),
        ("43", "湖南省"),
        ("42", "湖北省"),
        ("41", "河南省"),
        ("14", "山西省"),
        ("13", "河北省"),
        ("61", "陕西省"),
        ("36", "江西省"),
        ("34", "安徽省"),
        ("15", "内蒙古自治区"),
        ("23", "黑龙江省"),
        ("22", "吉林省"),
        ("65", "新疆维吾尔自治区"),
        ("54", "西藏自治区"),
        ("63", "青海省"),
        ("64", "宁夏回族自治区"),
        ("50", "重庆市"),
        ("46", "海南省"),
    ];
    let per_county = 108_000u64;
    let n_counties = people.div_ceil(per_county).max(1);
    let mut upper = Vec::new();
    let mut counties = Vec::new();
    let survey = d(2020, 3, 31);
    // At most 40 counties a province, 10 a city.
    let per_province = 40u64;
    let county_people = split(people, &vec![1; n_counties as usize]);
    for (i, p) in county_people.into_iter().enumerate() {
        let i = i as u64;
        let (pcode, pname) = PROVINCES[((i / per_province) as usize) % PROVINCES.len()];
        let round = i / (per_province * PROVINCES.len() as u64);
        let city = 1 + (i % per_province) / 10 + 4 * round;
        let county = 21 + i % 10;
        let ccode = format!("{pcode}{city:02}");
        if !upper.iter().any(|(c, _): &(String, String)| c == pcode) {
            upper.push((pcode.to_string(), pname.to_string()));
        }
        if !upper.iter().any(|(c, _): &(String, String)| *c == ccode) {
            upper.push((ccode.clone(), format!("{pname}第{city}市")));
        }
        let code = format!("{ccode}{county:02}");
        let households = (p * 10 / 26).max(1);
        let shares = [
            (Kind::Stable, 9_430u64),
            (Kind::Unstable, 380),
            (Kind::Poor, 10),
            (Kind::Marginal, 120),
            (Kind::Removed, 60),
        ];
        let hh = split(households, &shares.iter().map(|s| s.1).collect::<Vec<_>>());
        let pp = split(p, &hh);
        let mut cohorts = Vec::new();
        for ((kind, _), (h, p)) in shares.iter().zip(hh.into_iter().zip(pp)) {
            if h == 0 {
                continue;
            }
            let p = p.max(h);
            let paths = match kind {
                Kind::Stable | Kind::Unstable => exits(EXIT_YEARS),
                Kind::Poor | Kind::Ready => vec![(1, vec![step(identified(), Poor)])],
                Kind::Marginal => vec![(1, vec![step(survey, NonPoor)])],
                Kind::Removed => vec![(1, removed_on(d(2016, 8, 31)))],
            };
            cohorts.push(Cohort {
                households: h,
                people: p,
                kind: *kind,
                paths,
                quiet_after_last: false,
            });
        }
        let demography = (2015..=2020)
            .map(|y| Demog {
                from: d(y, 1, 1),
                to: if y == 2020 {
                    d(2020, 6, 30)
                } else {
                    d(y, 12, 31)
                },
                births: p * 8 / 1000,
                deaths: p * 15 / 1000,
            })
            .collect();
        counties.push(CountySpec {
            code,
            name: format!("示范县{:03}", i + 1),
            townships: 14,
            villages_per_township: (10, 20),
            rural_population: p * 10,
            cohorts,
            demography,
            exit_villages: None,
        });
    }
    upper.sort();
    Profile {
        name: name.to_string(),
        upper,
        counties,
        survey: Some(survey),
        end: d(2020, 6, 30),
    }
}

/// A profile by name: `county`, `city`, `province` (about 10 million people) or `nation` (about 90 million).
pub fn by_name(name: &str) -> Option<Profile> {
    match name {
        "county" => Some(county()),
        "city" => Some(city()),
        "province" => Some(scaled("province", 10_000_000)),
        "nation" => Some(scaled("nation", 89_600_000)),
        _ => None,
    }
}
