//! Generation of one county: its areas, households, members and their dated history, as batches of
//! [`Incoming`] households, one batch per effective date. A county is the unit of memory: the
//! national profile is generated county after county.

use crate::profile::{d, CountySpec, Kind, Profile, Step};
use crate::rng::{split, Rng};
use chrono::{Datelike, NaiveDate};
use fupin_core::area::full_code;
use fupin_core::codes::{
    Attribute, Cause, Health, HouseholdStatus, HousingGrade, Labor, Relation, SchoolStatus,
    WorkPlace,
};
use fupin_core::model::{Income, RigidExpense};
use fupin_core::AreaLevel;
use fupin_core::{Decimal, PolicySet};
use fupin_store::directory::Area;
use fupin_store::model::{JoinReason, LeaveReason};
use fupin_store::{HouseholdRecord, Incoming, MemberRecord};
use std::collections::{BTreeMap, HashSet};

/// The village indicators every generated village records (those of the builtin policy).
pub const VILLAGE_INDICATORS: [&str; 6] = [
    "road",
    "electricity",
    "water",
    "broadband",
    "clinic",
    "collective_income",
];

/// One household's write on a date, with the members leaving it (for the CSV rows).
#[derive(Debug, Clone)]
pub struct Change {
    pub incoming: Incoming,
    pub left: Vec<MemberRecord>,
}

/// The writes of one effective date.
#[derive(Debug, Clone)]
pub struct Batch {
    pub date: NaiveDate,
    pub changes: Vec<Change>,
}

/// A generated county.
#[derive(Debug, Clone)]
pub struct CountyData {
    pub code: String,
    /// The county, its townships and villages (with rural population).
    pub areas: Vec<Area>,
    /// The village indicators of each village.
    pub indicators: Vec<(String, Vec<(String, bool)>)>,
    pub batches: Vec<Batch>,
    pub households: u64,
    pub people: u64,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁",
    "邓", "许", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎",
    "段", "雷", "侯", "秦", "史", "崔", "牛", "常", "武", "乔", "贺", "申", "靳", "原", "焦", "卫",
];
const GIVEN: &[&str] = &[
    "建", "国", "华", "明", "军", "平", "志", "文", "丽", "英", "秀", "芳", "红", "霞", "玉", "兰",
    "桂", "金", "春", "海", "小", "伟", "强", "磊", "洋", "勇", "艳", "娟", "敏", "静", "杰", "涛",
    "鹏", "斌", "宇", "浩", "欣", "雨", "婷", "佳", "子", "梓", "轩", "涵", "晨", "博", "福", "保",
];
const PLACE: &[&str] = &[
    "东", "西", "南", "北", "上", "下", "大", "小", "石", "沟", "河", "山", "泉", "峪", "坡", "庄",
    "柳", "杨", "槐", "松", "龙", "凤", "马", "牛", "水", "金", "银", "铁", "高", "阳", "青", "白",
    "安", "平", "新", "古", "寨", "岭", "川", "湾",
];

fn name(rng: &mut Rng, surname: &str) -> String {
    let mut s = surname.to_string();
    let first: &&str = rng.pick(GIVEN);
    s.push_str(first);
    if rng.percent(70) {
        let second: &&str = rng.pick(GIVEN);
        s.push_str(second);
    }
    s
}

fn place(rng: &mut Rng, suffix: &str) -> String {
    format!("{}{}{suffix}", rng.pick(PLACE), rng.pick(PLACE))
}

/// A unique, valid resident ID number of the county for a birth date and sex.
fn resident_id(
    rng: &mut Rng,
    county: &str,
    born: NaiveDate,
    male: bool,
    used: &mut HashSet<(i32, u32, u32)>,
) -> String {
    let day = born.format("%Y%m%d").to_string();
    loop {
        let mut seq = rng.below(1000) as u32;
        if (seq % 2 == 1) != male {
            seq = (seq + 1) % 1000;
        }
        if !used.insert((born.num_days_from_ce(), seq, 0)) {
            continue;
        }
        let first = format!("{county}{day}{seq:03}");
        let check = fupin_core::id::check_char(first.as_bytes());
        return format!("{first}{check}");
    }
}

fn years_before(date: NaiveDate, years: i64, rng: &mut Rng) -> NaiveDate {
    let base = date - chrono::Duration::days(years * 365 + years / 4);
    base - chrono::Duration::days(rng.range(0, 360))
}

fn money(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// Sets a household's income so that its per-capita net income is `per_capita_yuan` over `n` members.
fn set_income(h: &mut HouseholdRecord, per_capita_yuan: i64, n: usize, year: i32, rng: &mut Rng) {
    let net = per_capita_yuan * 100 * n as i64 + rng.range(0, 99);
    let wage = net * rng.range(45, 70) / 100;
    let business = net * rng.range(5, 20) / 100;
    let property = net * rng.range(0, 3) / 100;
    let cost = business / 4;
    let transfer = net - wage - business - property + cost;
    h.income = Income {
        wage: money(wage),
        business: money(business),
        property: money(property),
        transfer: money(transfer),
        business_cost: money(cost),
    };
    h.income_year = Some(year);
}

fn set_rigid(h: &mut HouseholdRecord, max_total_fen: i64, rng: &mut Rng) {
    let total = if max_total_fen > 0 {
        rng.range(0, max_total_fen)
    } else {
        0
    };
    let medical = total * rng.range(40, 100) / 100;
    let education = (total - medical) / 2;
    h.rigid_expense = RigidExpense {
        medical: money(medical),
        education: money(education),
        disaster: money(0),
        other: money(total - medical - education),
    };
}

fn guarantees_hold(h: &mut HouseholdRecord) {
    if !h.housing_grade.is_safe() {
        h.housing_grade = HousingGrade::B;
    }
    h.water = true;
    h.food = true;
    h.clothing = true;
    for m in &mut h.members {
        m.medical_insurance = true;
    }
}

/// Breaks one guarantee (a monitoring reason other than income).
fn break_guarantee(h: &mut HouseholdRecord, rng: &mut Rng) {
    match rng.below(10) {
        0..=3 => h.housing_grade = HousingGrade::C,
        4..=7 => {
            let i = rng.below(h.members.len() as u64) as usize;
            h.members[i].medical_insurance = false;
        }
        _ => h.water = false,
    }
}

/// What happens to a household on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Create,
    Death(usize),
    Birth(usize),
    Status(HouseholdStatus),
    Survey,
}

struct Plan {
    number: String,
    village: usize,
    path: Vec<Step>,
    kind: Kind,
    quiet: bool,
    size: usize,
    /// Final members (babies included).
    members: Vec<MemberRecord>,
    /// (member index, birth date) of members born during the history.
    babies: Vec<(usize, NaiveDate)>,
    /// Members who die during the history, with the date.
    dead: Vec<(MemberRecord, NaiveDate)>,
    attribute: Attribute,
    cause: Cause,
    secondary: Vec<Cause>,
    group: String,
    phone: String,
}

impl Plan {
    fn status_at(&self, date: NaiveDate) -> Option<HouseholdStatus> {
        self.path
            .iter()
            .take_while(|s| s.date <= date)
            .last()
            .map(|s| s.to)
    }

    fn open_at(&self, date: NaiveDate) -> bool {
        let created = self.path[0].date < date;
        let removed = self.status_at(date) == Some(HouseholdStatus::Removed);
        let quiet = self.quiet && self.path.last().is_some_and(|s| date >= s.date);
        created && !removed && !quiet
    }
}

/// Household sizes of a cohort: `n` sizes summing to exactly `people`.
fn sizes(rng: &mut Rng, n: u64, people: u64, max: usize) -> Vec<usize> {
    let dist = [(1usize, 15u32), (2, 30), (3, 25), (4, 18), (5, 9), (6, 3)];
    let mut s: Vec<usize> = (0..n).map(|_| rng.weighted(&dist).min(max)).collect();
    let mut sum: u64 = s.iter().map(|&x| x as u64).sum();
    let n = n as usize;
    let mut guard = 0u64;
    while sum != people && n > 0 && guard < 100 * people + 1000 {
        guard += 1;
        let i = rng.below(n as u64) as usize;
        if sum > people && s[i] > 1 {
            s[i] -= 1;
            sum -= 1;
        } else if sum < people && s[i] < max {
            s[i] += 1;
            sum += 1;
        }
    }
    assert_eq!(
        sum, people,
        "cohort of {n} households cannot hold {people} people"
    );
    s
}

fn demog_dates(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    // The 15th of a month within the period (one import a month).
    let months: Vec<NaiveDate> = (from.year()..=to.year())
        .flat_map(|y| (1..=12).map(move |m| d(y, m, 15)))
        .filter(|x| *x >= from && *x <= to)
        .collect();
    *rng.pick(&months)
}

fn labor_for(rng: &mut Rng, age: i64) -> Labor {
    match age {
        0..=15 => Labor::NoLabor,
        16..=59 => rng.weighted(&[
            (Labor::Skilled, 10),
            (Labor::Ordinary, 70),
            (Labor::Weak, 15),
            (Labor::Lost, 5),
        ]),
        60..=69 => rng.weighted(&[(Labor::Ordinary, 20), (Labor::Weak, 60), (Labor::Lost, 20)]),
        _ => rng.weighted(&[(Labor::Lost, 60), (Labor::NoLabor, 40)]),
    }
}

fn school_for(rng: &mut Rng, age: i64, born: NaiveDate) -> SchoolStatus {
    match age {
        0..=2 => SchoolStatus::NotInSchool,
        3..=5 => SchoolStatus::Preschool,
        6..=11 => SchoolStatus::Primary,
        12..=14 => SchoolStatus::Junior,
        15..=17 => rng.weighted(&[
            (SchoolStatus::Senior, 70),
            (SchoolStatus::SecondaryVocational, 30),
        ]),
        // Out of school only when already past compulsory age at identification (2014).
        _ if born >= d(1998, 10, 1) => rng.weighted(&[
            (SchoolStatus::College, 50),
            (SchoolStatus::HigherVocational, 50),
        ]),
        _ => SchoolStatus::NotInSchool,
    }
}

struct People<'a> {
    rng: &'a mut Rng,
    county: &'a str,
    used: &'a mut HashSet<(i32, u32, u32)>,
    end: NaiveDate,
}

impl People<'_> {
    fn member(
        &mut self,
        born: NaiveDate,
        male: bool,
        relation: Relation,
        surname: &str,
    ) -> MemberRecord {
        let age = i64::from(fupin_core::id::age_in_years(born, self.end).unwrap_or(0));
        let id = resident_id(self.rng, self.county, born, male, self.used);
        let labor = labor_for(self.rng, age);
        let working = matches!(labor, Labor::Ordinary | Labor::Skilled) && (18..=55).contains(&age);
        let work_place = (working && self.rng.percent(60)).then(|| {
            self.rng.weighted(&[
                (WorkPlace::Township, 25),
                (WorkPlace::County, 30),
                (WorkPlace::Province, 30),
                (WorkPlace::OutsideProvince, 15),
            ])
        });
        let health = if age >= 70 && self.rng.percent(30) {
            Health::Chronic
        } else {
            Health::Healthy
        };
        let name = name(self.rng, surname);
        MemberRecord {
            id_number: id,
            name,
            relation,
            labor: Some(labor),
            health: Some(health),
            disability_grade: None,
            school_status: school_for(self.rng, age, born),
            medical_insurance: true,
            pension_insurance: age >= 16 && self.rng.percent(90),
            work_place,
            work_months: work_place.map(|_| self.rng.range(3, 12)),
        }
    }

    /// The final members of a household of `n` (the last one a baby born on `baby`, when given).
    fn household(
        &mut self,
        n: usize,
        baby: Option<NaiveDate>,
        attribute: Attribute,
    ) -> Vec<MemberRecord> {
        let surname = *self.rng.pick(SURNAMES);
        let head_age = match attribute {
            Attribute::Destitute => self.rng.range(62, 86),
            _ if baby.is_some() => self.rng.range(26, 62),
            _ if n >= 4 => self.rng.range(30, 70),
            _ => self.rng.range(28, 82),
        };
        let end = self.end;
        let head_male = self.rng.percent(85);
        let mut out = Vec::with_capacity(n);
        let hb = years_before(end, head_age, self.rng);
        out.push(self.member(hb, head_male, Relation::Head, surname));
        let regular = if baby.is_some() { n - 1 } else { n };
        for k in 1..regular {
            let (age, rel) = if k == 1 && self.rng.percent(85) {
                (head_age + self.rng.range(-5, 4), Relation::Spouse)
            } else if head_age < 50 {
                (
                    self.rng.range(0, (head_age - 20).clamp(0, 24)),
                    Relation::Child,
                )
            } else if k <= 2 {
                (head_age - self.rng.range(22, 32), Relation::Child)
            } else if k == 3 {
                (head_age - self.rng.range(22, 32), Relation::ChildInLaw)
            } else {
                (
                    self.rng.range(0, (head_age - 45).clamp(0, 16)),
                    Relation::Grandchild,
                )
            };
            let age = age.max(0);
            let born = years_before(end, age, self.rng);
            let male = if rel == Relation::Spouse {
                !head_male
            } else {
                self.rng.percent(50)
            };
            let sn = if matches!(rel, Relation::Spouse | Relation::ChildInLaw) {
                *self.rng.pick(SURNAMES)
            } else {
                surname
            };
            out.push(self.member(born, male, rel, sn));
        }
        if let Some(b) = baby {
            let rel = if head_age < 48 {
                Relation::Child
            } else {
                Relation::Grandchild
            };
            let male = self.rng.percent(52);
            out.push(self.member(b, male, rel, surname));
        }
        out
    }
}

/// Generates one county of a profile.
pub fn county(profile: &Profile, spec: &CountySpec, seed: u64, policy: &PolicySet) -> CountyData {
    let mut rng = Rng::derive(seed, &spec.code);
    let end = profile.end;
    // Areas: townships and villages.
    let mut areas = vec![Area {
        code: full_code(&spec.code),
        name: spec.name.clone(),
        level: AreaLevel::County,
        parent: Some(full_code(&spec.code[..4])),
        region: None,
        rural_population: None,
    }];
    let mut villages: Vec<String> = Vec::new();
    for t in 0..spec.townships {
        let tcode = format!("{}{:03}", spec.code, 100 + t);
        areas.push(Area {
            code: full_code(&tcode),
            name: place(&mut rng, if t % 3 == 0 { "乡" } else { "镇" }),
            level: AreaLevel::Township,
            parent: Some(full_code(&spec.code)),
            region: None,
            rural_population: None,
        });
        let nv = rng.range(
            i64::from(spec.villages_per_township.0),
            i64::from(spec.villages_per_township.1),
        );
        for v in 0..nv {
            villages.push(format!("{tcode}{:03}", 200 + v));
        }
    }
    // Poor villages hold four times the registered households of the others.
    let poor_village: Vec<bool> = villages.iter().map(|_| rng.percent(20)).collect();
    let vweights: Vec<(usize, u32)> = poor_village
        .iter()
        .enumerate()
        .map(|(i, p)| (i, if *p { 4 } else { 1 }))
        .collect();
    // Households.
    let mut plans: Vec<Plan> = Vec::new();
    for cohort in &spec.cohorts {
        let max = if cohort.people >= cohort.households * 6 {
            8
        } else {
            7
        };
        for size in sizes(&mut rng, cohort.households, cohort.people, max) {
            let path = rng.weighted(
                &cohort
                    .paths
                    .iter()
                    .enumerate()
                    .map(|(i, (w, _))| (i, *w))
                    .collect::<Vec<_>>(),
            );
            let cause = rng.weighted(&[
                (Cause::Illness, 40),
                (Cause::Disability, 14),
                (Cause::Skills, 12),
                (Cause::Labour, 10),
                (Cause::Capital, 8),
                (Cause::Schooling, 5),
                (Cause::Disaster, 3),
                (Cause::Motivation, 2),
                (Cause::Land, 2),
                (Cause::Water, 1),
                (Cause::Transport, 1),
                (Cause::Marriage, 1),
                (Cause::Other, 1),
            ]);
            let attribute = if size <= 2 && rng.percent(25) {
                Attribute::Destitute
            } else if rng.percent(25) {
                Attribute::Dibao
            } else {
                Attribute::Ordinary
            };
            let mut secondary = Vec::new();
            if rng.percent(50) {
                let c = rng.weighted(&[
                    (Cause::Skills, 3),
                    (Cause::Capital, 3),
                    (Cause::Labour, 2),
                    (Cause::Transport, 1),
                ]);
                if c != cause {
                    secondary.push(c);
                }
            }
            let seq = plans.len() + 1;
            plans.push(Plan {
                number: format!("{}{seq:07}", spec.code),
                village: rng.weighted(&vweights),
                path: cohort.paths[path].1.clone(),
                kind: cohort.kind,
                quiet: cohort.quiet_after_last,
                size,
                members: Vec::new(),
                babies: Vec::new(),
                dead: Vec::new(),
                attribute,
                cause,
                secondary,
                group: format!("{}组", rng.range(1, 8)),
                phone: format!("1{}{:08}", rng.range(30, 89), rng.below(100_000_000)),
            });
        }
    }
    // Births (the baby is one of the final members) and deaths (an extra member who leaves).
    let mut baby_dates: Vec<Option<NaiveDate>> = vec![None; plans.len()];
    let mut deaths: Vec<Vec<NaiveDate>> = vec![Vec::new(); plans.len()];
    for dm in &spec.demography {
        for _ in 0..dm.births {
            let mut placed = false;
            for _ in 0..10_000 {
                let date = demog_dates(&mut rng, dm.from, dm.to);
                let i = rng.below(plans.len() as u64) as usize;
                let p = &plans[i];
                if baby_dates[i].is_none()
                    && p.size >= 2
                    && p.open_at(date)
                    && p.attribute != Attribute::Destitute
                {
                    baby_dates[i] = Some(date);
                    placed = true;
                    break;
                }
            }
            assert!(placed, "no household can take a birth in {}", spec.code);
        }
        for _ in 0..dm.deaths {
            let mut placed = false;
            for _ in 0..10_000 {
                let date = demog_dates(&mut rng, dm.from, dm.to);
                let i = rng.below(plans.len() as u64) as usize;
                if deaths[i].len() < 2 && plans[i].open_at(date) {
                    deaths[i].push(date);
                    placed = true;
                    break;
                }
            }
            assert!(placed, "no household can take a death in {}", spec.code);
        }
    }
    let mut used = HashSet::new();
    {
        let mut people = People {
            rng: &mut rng,
            county: &spec.code,
            used: &mut used,
            end,
        };
        for (i, p) in plans.iter_mut().enumerate() {
            p.members = people.household(p.size, baby_dates[i], p.attribute);
            if let Some(b) = baby_dates[i] {
                p.babies.push((p.size - 1, b));
            }
            let ill = people.rng.below(p.members.len() as u64) as usize;
            match p.cause {
                Cause::Illness => {
                    let m = &mut p.members[ill];
                    m.health = Some(if people.rng.percent(40) {
                        Health::Serious
                    } else {
                        Health::Chronic
                    });
                    if m.labor == Some(Labor::Ordinary) {
                        m.labor = Some(Labor::Weak);
                    }
                }
                Cause::Disability => {
                    let m = &mut p.members[ill];
                    m.health = Some(Health::Disabled);
                    m.disability_grade = Some(people.rng.range(1, 4));
                    m.labor = Some(Labor::Lost);
                }
                _ => {}
            }
            let surname = p.members[0]
                .name
                .chars()
                .next()
                .map(String::from)
                .unwrap_or_default();
            for date in deaths[i].clone() {
                let age = people.rng.range(68, 93);
                let born = years_before(date, age, people.rng);
                let male = people.rng.percent(45);
                let mut m = people.member(born, male, Relation::Parent, &surname);
                m.labor = Some(Labor::Lost);
                m.health = Some(Health::Chronic);
                m.work_place = None;
                m.work_months = None;
                m.school_status = SchoolStatus::NotInSchool;
                p.dead.push((m, date));
            }
        }
    }
    // Rural population by village: registered people plus a share of the rest.
    let mut registered = vec![0u64; villages.len()];
    for p in &plans {
        registered[p.village] += p.size as u64 + p.dead.len() as u64;
    }
    let (rural, exiting) = match spec.exit_villages {
        Some((k, year)) => shape_exits(
            &plans,
            &registered,
            spec.rural_population,
            k as usize,
            year,
            &mut rng,
        ),
        None => {
            let total_registered: u64 = registered.iter().sum();
            let rest = spec.rural_population.saturating_sub(total_registered);
            let rweights: Vec<u64> = villages.iter().map(|_| rng.range(3, 12) as u64).collect();
            let extra = split(rest, &rweights);
            let rural = registered.iter().zip(extra).map(|(r, e)| r + e).collect();
            (rural, vec![false; villages.len()])
        }
    };
    for (i, v) in villages.iter().enumerate() {
        areas.push(Area {
            code: v.clone(),
            name: place(&mut rng, "村"),
            level: AreaLevel::Village,
            parent: Some(full_code(&v[..9])),
            region: None,
            rural_population: Some(rural[i] as i64),
        });
    }
    let indicators = villages
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let broken = rng.percent(8).then(|| rng.below(6)).filter(|_| !exiting[i]);
            let values = VILLAGE_INDICATORS
                .iter()
                .enumerate()
                .map(|(i, k)| (k.to_string(), broken != Some(i as u64)))
                .collect();
            (v.clone(), values)
        })
        .collect();
    let batches = timeline(profile, &plans, &villages, &mut rng, policy);
    CountyData {
        code: spec.code.clone(),
        areas,
        indicators,
        batches,
        households: plans.len() as u64,
        people: plans.iter().map(|p| p.size as u64).sum(),
    }
}

/// Poor people (members of poor and returned households) of a household at the end of `date`.
fn poor_people_at(p: &Plan, date: NaiveDate) -> u64 {
    match p.status_at(date) {
        Some(HouseholdStatus::Poor | HouseholdStatus::Returned) => {
            let unborn = p.babies.iter().filter(|b| b.1 > date).count();
            let alive = p.dead.iter().filter(|x| x.1 > date).count();
            (p.size - unborn + alive) as u64
        }
        _ => 0,
    }
}

/// Rural population by village such that exactly `k` villages exit during `year`: their incidence
/// is not below 2% at the end of the year before (poor villages) and below it at the end of the year,
/// while every other village is either below 2% at both dates or not below it at both. The total is
/// exactly `total`. Returns the populations and the exiting villages.
fn shape_exits(
    plans: &[Plan],
    registered: &[u64],
    total: u64,
    k: usize,
    year: i32,
    rng: &mut Rng,
) -> (Vec<u64>, Vec<bool>) {
    let n = registered.len();
    let (d0, d1) = (d(year - 1, 12, 31), d(year, 12, 31));
    let (mut p0, mut p1) = (vec![0u64; n], vec![0u64; n]);
    for p in plans {
        p0[p.village] += poor_people_at(p, d0);
        p1[p.village] += poor_people_at(p, d1);
    }
    // 50 × poor people is the population at which the incidence is exactly 2%.
    let mut candidates: Vec<usize> = (0..n)
        .filter(|&v| p0[v] > p1[v] && 50 * p0[v] >= registered[v])
        .collect();
    candidates.sort_by_key(|&v| (std::cmp::Reverse(p0[v] - p1[v]), v));
    assert!(candidates.len() >= k, "too few villages can exit");
    let mut exiting = vec![false; n];
    let mut rural = vec![0u64; n];
    for &v in &candidates[..k] {
        exiting[v] = true;
        rural[v] = 50 * p0[v];
    }
    // Others: not poor at either date, or poor at both (only when that population is plausible).
    let mut stay_poor = vec![false; n];
    for v in (0..n).filter(|&v| !exiting[v]) {
        rural[v] = (50 * p0[v].max(p1[v]) + 1).max(registered[v]);
    }
    let mut sum: u64 = rural.iter().sum();
    if sum > total {
        let mut savers: Vec<usize> = (0..n)
            .filter(|&v| {
                !exiting[v] && p1[v] > 0 && p0[v] > 0 && 50 * p1[v].min(p0[v]) >= registered[v]
            })
            .collect();
        savers.sort_by_key(|&v| (std::cmp::Reverse(rural[v] - 50 * p1[v].min(p0[v])), v));
        for v in savers {
            if sum <= total {
                break;
            }
            let r = 50 * p1[v].min(p0[v]);
            sum -= rural[v] - r;
            rural[v] = r;
            stay_poor[v] = true;
        }
    }
    assert!(
        sum <= total,
        "the rural population is too small for the registry"
    );
    let free: Vec<usize> = (0..n).filter(|&v| !exiting[v] && !stay_poor[v]).collect();
    let weights: Vec<u64> = free.iter().map(|_| rng.range(3, 12) as u64).collect();
    for (v, extra) in free.iter().zip(split(total - sum, &weights)) {
        rural[*v] += extra;
    }
    (rural, exiting)
}

/// The dated writes of every household of the county.
fn timeline(
    profile: &Profile,
    plans: &[Plan],
    villages: &[String],
    rng: &mut Rng,
    policy: &PolicySet,
) -> Vec<Batch> {
    let mut events: Vec<(NaiveDate, usize, Ev)> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        events.push((p.path[0].date, i, Ev::Create));
        for s in &p.path[1..] {
            events.push((s.date, i, Ev::Status(s.to)));
        }
        for (k, (_, date)) in p.babies.iter().enumerate() {
            events.push((*date, i, Ev::Birth(k)));
        }
        for (k, (_, date)) in p.dead.iter().enumerate() {
            events.push((*date, i, Ev::Death(k)));
        }
        if let Some(s) = profile.survey {
            if p.path[0].date <= s && p.status_at(s) != Some(HouseholdStatus::Removed) {
                events.push((s, i, Ev::Survey));
            }
        }
    }
    events.sort();
    let mut current: Vec<Option<HouseholdRecord>> = vec![None; plans.len()];
    let mut by_date: BTreeMap<NaiveDate, Vec<Change>> = BTreeMap::new();
    let mut k = 0;
    while k < events.len() {
        let (date, i, _) = events[k];
        let mut j = k;
        while j < events.len() && events[j].0 == date && events[j].1 == i {
            j += 1;
        }
        let p = &plans[i];
        let area = &villages[p.village];
        let pol = policy.for_area(area);
        let line = pol
            .poverty_line(date)
            .map(|s| s.value)
            .unwrap_or(Decimal::from(4000));
        let line_yuan = rust_decimal::prelude::ToPrimitive::to_i64(&line).unwrap_or(4000);
        let mut incoming_joins = Vec::new();
        let mut leaves = Vec::new();
        let mut left = Vec::new();
        let mut reason = None;
        for (_, _, ev) in &events[k..j] {
            match ev {
                Ev::Create => {
                    let born_later: Vec<usize> = p.babies.iter().map(|b| b.0).collect();
                    let mut members: Vec<MemberRecord> = p
                        .members
                        .iter()
                        .enumerate()
                        .filter(|(m, _)| !born_later.contains(m))
                        .map(|(_, m)| m.clone())
                        .collect();
                    members.extend(p.dead.iter().map(|(m, _)| m.clone()));
                    let status = p.path[0].to;
                    let mut h = HouseholdRecord {
                        number: p.number.clone(),
                        area_code: area.clone(),
                        village_group: Some(p.group.clone()),
                        attribute: (status != HouseholdStatus::NonPoor).then_some(p.attribute),
                        main_cause: (status != HouseholdStatus::NonPoor).then_some(p.cause),
                        secondary_causes: if status != HouseholdStatus::NonPoor {
                            p.secondary.clone()
                        } else {
                            Vec::new()
                        },
                        status,
                        monitoring: None,
                        housing_grade: if rng.percent(25) {
                            HousingGrade::C
                        } else if rng.percent(5) {
                            HousingGrade::D
                        } else {
                            HousingGrade::B
                        },
                        food: true,
                        clothing: true,
                        water: !rng.percent(8),
                        income_year: None,
                        income: Income::default(),
                        rigid_expense: RigidExpense::default(),
                        phone: Some(p.phone.clone()),
                        bank_account: None,
                        version: 0,
                        members,
                    };
                    let n = h.members.len();
                    set_income(
                        &mut h,
                        line_yuan - rng.range(300, 1500),
                        n,
                        date.year() - 1,
                        rng,
                    );
                    set_rigid(&mut h, 0, rng);
                    current[i] = Some(h);
                }
                Ev::Birth(b) => {
                    let h = current[i].as_mut().expect("created");
                    let m = p.members[p.babies[*b].0].clone();
                    incoming_joins.push(m.id_number.clone());
                    h.members.push(m);
                }
                Ev::Death(x) => {
                    let h = current[i].as_mut().expect("created");
                    let id = &p.dead[*x].0.id_number;
                    if let Some(pos) = h.members.iter().position(|m| &m.id_number == id) {
                        left.push(h.members.remove(pos));
                        leaves.push((id.clone(), LeaveReason::Death));
                    }
                }
                Ev::Status(to) => {
                    let h = current[i].as_mut().expect("created");
                    h.status = *to;
                    let n = h.members.len();
                    match to {
                        HouseholdStatus::Exited => {
                            guarantees_hold(h);
                            set_income(h, line_yuan + rng.range(300, 4000), n, date.year(), rng);
                        }
                        HouseholdStatus::Returned => {
                            set_income(h, line_yuan - rng.range(200, 1200), n, date.year(), rng);
                            reason =
                                Some("因病返贫 / returned to poverty after illness".to_string());
                        }
                        HouseholdStatus::Removed => {
                            reason = Some(
                                rng.pick(&[
                                    "家庭成员有财政供养人员 / a member on the government payroll",
                                    "家庭拥有小汽车 / the family owns a car",
                                    "家庭在城镇购买商品房 / the family bought commercial housing",
                                    "家庭成员注册公司 / a member registered a company",
                                ])
                                .to_string(),
                            );
                        }
                        _ => {}
                    }
                }
                Ev::Survey => {
                    let h = current[i].as_mut().expect("created");
                    let mline = pol
                        .monitoring_line(date)
                        .and_then(|s| rust_decimal::prelude::ToPrimitive::to_i64(&s.value))
                        .unwrap_or(5000);
                    // Incomes over the final members: the assessment at the end sees exactly these.
                    // The survey records the year's income, judged against the year's monitoring line.
                    let n = p.size;
                    let year = date.year();
                    match p.kind {
                        Kind::Stable => {
                            guarantees_hold(h);
                            let pc = mline + 100 + rng.range(0, 3000) + rng.range(0, 8000);
                            set_income(h, pc, n, year, rng);
                            set_rigid(h, (pc - mline) * 100 * n as i64 / 2, rng);
                        }
                        Kind::Unstable | Kind::Marginal => {
                            guarantees_hold(h);
                            if rng.percent(80) {
                                set_income(h, rng.range(line_yuan + 50, mline - 50), n, year, rng);
                            } else {
                                set_income(h, mline + rng.range(100, 4000), n, year, rng);
                                break_guarantee(h, rng);
                            }
                            set_rigid(h, 300_000, rng);
                            // The category is judged on this income (unstable or marginal by the status).
                        }
                        Kind::Poor => {
                            set_income(h, rng.range(1500, line_yuan - 100), n, year, rng);
                        }
                        Kind::Ready => {
                            guarantees_hold(h);
                            set_income(h, line_yuan + rng.range(200, 1500), n, year, rng);
                        }
                        Kind::Removed => {}
                    }
                }
            }
        }
        let mut record = current[i].clone().expect("created");
        // The category the national system decided: judged on the year's income as the registry
        // judged every write before issue 13, so the generated data stays as it was.
        record.monitoring = fupin_core::registry::monitoring::stored(&record, None, policy);
        let mut incoming = Incoming::new(record);
        incoming.category = fupin_core::registry::plan::CategoryFrom::File;
        incoming.status_reason = reason;
        for id in incoming_joins {
            incoming.joins.insert(id, JoinReason::Birth);
        }
        incoming.leaves = leaves;
        by_date
            .entry(date)
            .or_default()
            .push(Change { incoming, left });
        k = j;
    }
    by_date
        .into_iter()
        .map(|(date, changes)| Batch { date, changes })
        .collect()
}
