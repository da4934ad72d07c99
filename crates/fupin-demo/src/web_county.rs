//! The small demo county of the web application (Zezhou, 140525: 3 townships, 9 villages, 270
//! households) with a dated history 2016-2020 and one account of each role, for `fupin serve --demo`
//! and the web tests. Deterministic. The caller hashes the accounts' password (the web application
//! owns password hashing), so this crate does not depend on fupin-web.

use chrono::NaiveDate;
use fupin_core::codes::{
    Attribute, Cause, Health, HouseholdStatus, HousingGrade, Labor, Region, Relation, SchoolStatus,
};
use fupin_core::id::check_char;
use fupin_core::model::{Income, RigidExpense};
use fupin_core::AreaLevel;
use fupin_core::{Decimal, PolicySet};
use fupin_store::directory::{Area, Directory, User};
use fupin_store::{HouseholdRecord, ImportOptions, Incoming, MemberRecord, Repository, StoreError};
use std::collections::HashSet;

/// The demo accounts: (name, role, area). All share [`DEMO_PASSWORD`].
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("admin", "admin", ""),
    ("zezhou", "county", "140525"),
    ("nancun", "township", "140525100"),
    ("dongou", "village", "140525100201"),
    ("xiling", "village", "140525100202"),
    ("cadre", "cadre", "140525"),
    ("leader", "viewer", "140525"),
];
pub const DEMO_PASSWORD: &str = "fupin-demo-2020";

/// (code, name) of a village within its township.
type Village = (&'static str, &'static str);

const TOWNSHIPS: &[(&str, &str, &[Village])] = &[
    (
        "100",
        "南村镇",
        &[("201", "东沟村"), ("202", "西岭村"), ("203", "南庄村")],
    ),
    (
        "101",
        "下村镇",
        &[("201", "河底村"), ("202", "石门村"), ("203", "柳树村")],
    ),
    (
        "102",
        "大东沟镇",
        &[("201", "上庄村"), ("202", "北岭村"), ("203", "后沟村")],
    ),
];
const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "郭", "马", "牛", "秦", "常", "申", "焦", "靳",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "桂兰", "海龙", "玉梅", "卫东", "春花", "小军", "丽", "伟", "芳", "磊",
    "静", "晨", "浩", "雪", "宇",
];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

struct Ids(HashSet<String>);
impl Ids {
    fn make(&mut self, rng: &mut Rng, birth: NaiveDate, male: bool) -> String {
        loop {
            let mut seq = rng.below(1000) as u32;
            if (seq % 2 == 1) != male {
                seq = (seq + 1) % 1000;
            }
            let first17 = format!("140525{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{first17}{}", check_char(first17.as_bytes()));
            if self.0.insert(id.clone()) {
                return id;
            }
        }
    }
}

fn member(
    ids: &mut Ids,
    rng: &mut Rng,
    surname: &str,
    relation: Relation,
    birth: NaiveDate,
    male: bool,
    as_of: NaiveDate,
) -> MemberRecord {
    let age = fupin_core::id::age_in_years(birth, as_of).unwrap_or(0);
    let school = match age {
        0..=5 => SchoolStatus::NotInSchool,
        6..=11 => SchoolStatus::Primary,
        12..=14 => SchoolStatus::Junior,
        15..=17 => SchoolStatus::Senior,
        18..=21 if rng.below(3) == 0 => SchoolStatus::College,
        _ => SchoolStatus::NotInSchool,
    };
    let health = match rng.below(10) {
        0 => Health::Serious,
        1 | 2 => Health::Chronic,
        3 => Health::Disabled,
        _ => Health::Healthy,
    };
    let labor = match (age, health) {
        (0..=15, _) | (70.., _) => Labor::NoLabor,
        (_, Health::Serious | Health::Disabled) => Labor::Lost,
        (_, Health::Chronic) => Labor::Weak,
        _ if rng.below(4) == 0 => Labor::Skilled,
        _ => Labor::Ordinary,
    };
    MemberRecord {
        id_number: ids.make(rng, birth, male),
        name: format!("{surname}{}", rng.pick(GIVEN)),
        relation,
        labor: Some(labor),
        health: Some(health),
        disability_grade: (health == Health::Disabled).then_some(3),
        school_status: school,
        medical_insurance: true,
        pension_insurance: age >= 16,
        work_place: None,
        work_months: None,
    }
}

fn money(yuan: u64) -> Decimal {
    Decimal::from(yuan)
}

/// Fills an empty database with the demo county; `hash_password` hashes [`DEMO_PASSWORD`] for the
/// accounts. Returns the number of households.
pub async fn load(
    repo: &dyn Repository,
    dir: &dyn Directory,
    policies: &PolicySet,
    hash_password: &(dyn Fn(&str) -> String + Sync),
) -> Result<usize, StoreError> {
    let mut rng = Rng(2020);
    let mut ids = Ids(HashSet::new());
    dir.upsert_area(&Area {
        code: "140000000000".into(),
        name: "山西省".into(),
        level: AreaLevel::Province,
        parent: None,
        region: Some(Region::Central),
        rural_population: None,
    })
    .await?;
    dir.upsert_area(&Area {
        code: "140500000000".into(),
        name: "晋城市".into(),
        level: AreaLevel::City,
        parent: Some("140000000000".into()),
        region: Some(Region::Central),
        rural_population: None,
    })
    .await?;
    dir.upsert_area(&Area {
        code: "140525000000".into(),
        name: "泽州县".into(),
        level: AreaLevel::County,
        parent: Some("140500000000".into()),
        region: Some(Region::Central),
        rural_population: None,
    })
    .await?;
    let as_of = d(2020, 6, 30);
    let mut stages: [Vec<Incoming>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut count = 0;
    for (t, tname, villages) in TOWNSHIPS {
        let tcode = format!("140525{t}000");
        dir.upsert_area(&Area {
            code: tcode.clone(),
            name: tname.to_string(),
            level: AreaLevel::Township,
            parent: Some("140525000000".into()),
            region: Some(Region::Central),
            rural_population: None,
        })
        .await?;
        for (v, vname) in *villages {
            let vcode = format!("140525{t}{v}");
            let rural = 700 + rng.below(900) as i64;
            dir.upsert_area(&Area {
                code: vcode.clone(),
                name: vname.to_string(),
                level: AreaLevel::Village,
                parent: Some(tcode.clone()),
                region: Some(Region::Central),
                rural_population: Some(rural),
            })
            .await?;
            let indicators: Vec<(String, bool)> = crate::gen::VILLAGE_INDICATORS
                .iter()
                .map(|k| {
                    (
                        k.to_string(),
                        !(vcode.ends_with("102203") && *k == "broadband"),
                    )
                })
                .collect();
            dir.set_indicators(&vcode, &indicators).await?;
            for n in 1..=30u32 {
                count += 1;
                let number = format!("{vcode}{n:03}");
                let surname = rng.pick(SURNAMES).to_string();
                let head_birth = d(
                    1950 + rng.below(40) as i32,
                    1 + rng.below(12) as u32,
                    1 + rng.below(28) as u32,
                );
                let mut members = vec![member(
                    &mut ids,
                    &mut rng,
                    &surname,
                    Relation::Head,
                    head_birth,
                    true,
                    as_of,
                )];
                if rng.below(5) != 0 {
                    let b = head_birth + chrono::Duration::days(rng.below(2000) as i64);
                    let spouse_surname = rng_surname(&mut rng);
                    members.push(member(
                        &mut ids,
                        &mut rng,
                        spouse_surname,
                        Relation::Spouse,
                        b,
                        false,
                        as_of,
                    ));
                }
                for _ in 0..rng.below(3) {
                    let b = d(
                        1990 + rng.below(25) as i32,
                        1 + rng.below(12) as u32,
                        1 + rng.below(28) as u32,
                    )
                    .max(head_birth + chrono::Duration::days(7000));
                    let male = rng.below(2) == 0;
                    members.push(member(
                        &mut ids,
                        &mut rng,
                        &surname,
                        Relation::Child,
                        b.min(d(2016, 1, 1)),
                        male,
                        as_of,
                    ));
                }
                let people = members.len() as u64;
                let cause = *rng.pick(&[
                    Cause::Illness,
                    Cause::Illness,
                    Cause::Illness,
                    Cause::Disability,
                    Cause::Schooling,
                    Cause::Skills,
                    Cause::Labour,
                    Cause::Capital,
                    Cause::Disaster,
                    Cause::Land,
                ]);
                // The fate of the household: 0-2 stay poor, 3-72 exit, 73-75 return, 76-78 removed, 79-99 never poor.
                let fate = rng.below(100);
                let per_head_2016 = 1500 + rng.below(1200);
                let per_head_2019 = if fate < 3 {
                    3000 + rng.below(700)
                } else {
                    3800 + rng.below(5000)
                };
                let per_head_2020 = if (73..76).contains(&fate) {
                    3000 + rng.below(900)
                } else {
                    per_head_2019 + rng.below(600)
                };
                let record = |status: HouseholdStatus, per_head: u64, year: i32| HouseholdRecord {
                    number: number.clone(),
                    area_code: vcode.clone(),
                    village_group: Some(format!("{}组", 1 + n % 5)),
                    attribute: Some(if cause == Cause::Disability {
                        Attribute::Dibao
                    } else {
                        Attribute::Ordinary
                    }),
                    main_cause: Some(cause),
                    secondary_causes: Vec::new(),
                    status,
                    monitoring: None,
                    housing_grade: if year < 2019 && rng_is(n, 4) {
                        HousingGrade::C
                    } else {
                        HousingGrade::B
                    },
                    food: true,
                    clothing: true,
                    water: !(year < 2019 && rng_is(n, 6)),
                    income_year: Some(year),
                    income: Income {
                        wage: money(per_head * people * 7 / 10),
                        business: money(per_head * people * 2 / 10),
                        property: Decimal::ZERO,
                        transfer: money(per_head * people / 10),
                        business_cost: Decimal::ZERO,
                    },
                    rigid_expense: RigidExpense::default(),
                    phone: Some(format!("13{:09}", rng_phone(n, &vcode))),
                    bank_account: Some(format!("6228{:012}", rng_phone(n + 7, &vcode))),
                    version: 0,
                    members: members.clone(),
                };
                if fate < 79 {
                    stages[0].push(Incoming::new(record(
                        HouseholdStatus::Poor,
                        per_head_2016,
                        2016,
                    )));
                    let s2019 = match fate {
                        0..=2 => HouseholdStatus::Poor,
                        76..=78 => HouseholdStatus::Removed,
                        _ => HouseholdStatus::Exited,
                    };
                    let mut inc = Incoming::new(record(s2019, per_head_2019, 2019));
                    if s2019 == HouseholdStatus::Removed {
                        inc.status_reason = Some(
                            "县级复审比对发现家庭成员有商品房 / commercial housing found".into(),
                        );
                    }
                    stages[1].push(inc);
                    let s2020 = if (73..76).contains(&fate) {
                        HouseholdStatus::Returned
                    } else {
                        s2019
                    };
                    // The monitoring category is judged on the 2020 income (below).
                    let mut inc = Incoming::new(record(s2020, per_head_2020, 2020));
                    if s2020 == HouseholdStatus::Returned {
                        inc.status_reason = Some("因病返贫 / returned through illness".into());
                    }
                    if s2020 == HouseholdStatus::Removed {
                        inc.status_reason = Some(
                            "县级复审比对发现家庭成员有商品房 / commercial housing found".into(),
                        );
                    }
                    stages[2].push(inc);
                } else {
                    let r = record(HouseholdStatus::NonPoor, 3800 + rng.below(3000), 2020);
                    stages[2].push(Incoming::new(r));
                }
            }
        }
    }
    for (mut batch, date) in stages
        .into_iter()
        .zip([d(2016, 12, 31), d(2019, 12, 31), as_of])
    {
        // The category the national system decided, judged on the stage's income as the registry
        // judged every write before issue 13 (the data stays as it was).
        for inc in &mut batch {
            inc.record.monitoring =
                fupin_core::registry::monitoring::stored(&inc.record, None, policies);
            inc.category = fupin_core::registry::plan::CategoryFrom::File;
        }
        let mut opts = ImportOptions::new(date, "demo", std::sync::Arc::new(policies.clone()));
        opts.partial = false;
        let out = repo.import(batch, &opts).await?;
        if let Some(e) = out.errors.first() {
            return Err(StoreError::Rejected(Box::new(e.clone())));
        }
    }
    for (name, role, area) in ACCOUNTS {
        if dir.user(name).await?.is_none() {
            let u = User {
                name: name.to_string(),
                role: fupin_core::access::Role::parse(role)
                    .expect("the demo accounts' roles are codes"),
                area: area.to_string(),
                password_hash: hash_password(DEMO_PASSWORD),
                disabled: false,
            };
            dir.add_user(&u, "demo").await?;
        }
    }
    // The responsibility network: the `cadre` account is linked to its cadre, paired with the
    // first five households of 东沟村.
    crate::responsibility::web_county(dir).await?;
    crate::funds::load_web_county(dir).await?;
    crate::assistance::web_county(repo, dir).await?;
    Ok(count)
}

fn rng_surname(rng: &mut Rng) -> &'static str {
    SURNAMES[rng.below(SURNAMES.len() as u64) as usize]
}

fn rng_is(n: u32, every: u32) -> bool {
    n % every == 0
}

fn rng_phone(n: u32, v: &str) -> u64 {
    let mut h: u64 = 1469598103934665603;
    for b in v.bytes().chain(n.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
    }
    h % 1_000_000_000
}

/// The login help printed by `fupin serve --demo`.
pub fn login_help(listen: &str) -> String {
    let mut s = format!("演示数据已载入 / demo data loaded. 打开 / open http://{listen}/ 并登录 / and log in with:\n");
    for (name, role, area) in ACCOUNTS {
        s.push_str(&format!(
            "  {name:<8} {role:<9} {area:<13} 密码 password: {DEMO_PASSWORD}\n"
        ));
    }
    s
}
