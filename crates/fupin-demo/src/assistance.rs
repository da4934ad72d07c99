//! Household assistance in the demo registries (issue 12): plans (一户一策) and measures of the
//! households under assistance, deterministic, with a few gaps left on purpose so that the pages
//! have something to show.

use chrono::NaiveDate;
use fupin_core::assistance::{has_labour, Measure, MeasureKind, Plan, PlanPath};
use fupin_core::codes::{Attribute, HousingGrade, SchoolStatus};
use fupin_core::Decimal;
use fupin_store::assistance::Owner;
use fupin_store::directory::Directory;
use fupin_store::{HouseholdRecord, Repository, StoreError};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// The plan and measures of one household under assistance in 2020; `n` (its place in the
/// county) leaves every seventh household without a plan and every fifth labourer untrained.
pub fn of_household(h: &HouseholdRecord, n: usize) -> (Option<Plan>, Vec<Measure>) {
    let measure = |person: Option<&str>, kind, date, yuan: i64, provider: &str| Measure {
        household: h.number.clone(),
        person: person.map(str::to_string),
        kind,
        date,
        amount: Decimal::from(yuan),
        provider: provider.to_string(),
        fund: None,
    };
    let labourers: Vec<&str> = h
        .members
        .iter()
        .filter(|m| has_labour(m.labor))
        .map(|m| m.id_number.as_str())
        .collect();
    let mut paths = Vec::new();
    let mut out = Vec::new();
    if let Some(first) = labourers.first() {
        paths.push(PlanPath::Industry);
        if n % 2 == 0 {
            out.push(measure(
                Some(first),
                MeasureKind::PublicWelfarePost,
                d(2020, 3, 1),
                6000,
                "县人社局",
            ));
        } else if n % 3 != 0 {
            out.push(measure(
                Some(first),
                MeasureKind::Employment,
                d(2020, 2, 15),
                0,
                "县人社局",
            ));
        }
        for (i, id) in labourers.iter().enumerate() {
            if (n + i) % 5 != 0 {
                out.push(measure(
                    Some(id),
                    MeasureKind::SkillsTraining,
                    d(2019, 5, 10),
                    0,
                    "县人社局",
                ));
            }
        }
        out.push(measure(
            None,
            MeasureKind::IndustrySupport,
            d(2020, 4, 1),
            2000,
            "县农业农村局",
        ));
    } else {
        paths.push(PlanPath::SocialSecurity);
        if n % 4 != 0 {
            let kind = if h.attribute == Some(Attribute::Destitute) {
                MeasureKind::DestituteSupport
            } else {
                MeasureKind::Dibao
            };
            out.push(measure(None, kind, d(2020, 1, 15), 4600, "县民政局"));
        }
    }
    for m in &h.members {
        if matches!(
            m.school_status,
            SchoolStatus::SecondaryVocational | SchoolStatus::HigherVocational
        ) {
            paths.push(PlanPath::Education);
            out.push(measure(
                Some(&m.id_number),
                MeasureKind::EducationAid,
                d(2020, 3, 15),
                3000,
                "县扶贫办(雨露计划)",
            ));
        }
    }
    if matches!(h.housing_grade, HousingGrade::C | HousingGrade::D) && n % 3 != 0 {
        out.push(measure(
            None,
            MeasureKind::HousingRenovation,
            d(2019, 9, 1),
            20000,
            "县住建局",
        ));
    }
    paths.dedup();
    let plan = (n % 7 != 6).then(|| Plan {
        household: h.number.clone(),
        year: 2020,
        paths,
        target: "2020 年稳定达到“两不愁三保障”,人均纯收入超过贫困线".to_string(),
    });
    (plan, out)
}

/// The web demo county's plans and measures: every household under assistance at 2020-06-30.
pub async fn web_county(repo: &dyn Repository, dir: &dyn Directory) -> Result<(), StoreError> {
    let listed = dir.assistance_check("140525", d(2020, 6, 30)).await?;
    for (n, g) in listed.households.iter().enumerate() {
        let Some(h) = repo.household(&g.id).await? else {
            continue;
        };
        let at = Owner {
            area_code: &h.area_code,
            number: &h.number,
        };
        let (plan, measures) = of_household(&h, n);
        if let Some(p) = plan {
            dir.save_plan(at, &p, "demo").await?;
        }
        for m in &measures {
            dir.add_measure(at, m, "demo").await?;
        }
    }
    Ok(())
}

/// The figures a profile's assistance reproduces (the city: Jincheng mid-2020, seed 003).
#[derive(Debug, Clone, Copy)]
struct Targets {
    /// Households still poor with a member with labour ("有劳动能力的19户").
    labour_poor: usize,
    /// Of those, with a public-welfare post ("11户落实一户一公岗政策"); the others employed
    /// otherwise ("其他方式就业8户").
    posts_poor: usize,
    /// Public-welfare posts held at the end ("全市共开发扶贫公益岗位3284个").
    posts_total: usize,
    /// Students with 雨露计划 aid in the year ("共资助符合条件贫困学生1492人,每生资助标准3000元").
    students: usize,
    /// Households with a housing renovation in the year ("完成省定174户农村危房改造任务").
    renovations: usize,
}

fn targets(profile: &crate::Profile) -> Option<Targets> {
    (profile.name == "city").then_some(Targets {
        labour_poor: 19,
        posts_poor: 11,
        posts_total: 3284,
        students: 1492,
        renovations: 174,
    })
}

/// Jincheng's 雨露计划 aid per student (policy `education_aid_per_student`, 2020).
const YULU_FALLBACK: i64 = 3000;

/// Makes exactly `want` of the poor households have a member with labour (the city's figure): the
/// households with the fewest labourers lose theirs (lost labour capacity), or a working-age member
/// of a household without labour gains it; each a dated write of the registry ("demo").
async fn fix_labour(
    repo: &dyn Repository,
    dir: &dyn Directory,
    policies: &fupin_core::PolicySet,
    end: NaiveDate,
    want: usize,
) -> Result<(), StoreError> {
    use fupin_core::codes::{HouseholdStatus, Labor};
    let people = dir.registered_people("").await?;
    let mut poor: Vec<(String, usize)> = Vec::new();
    for p in people.iter().filter(|p| p.status == HouseholdStatus::Poor) {
        if poor.last().map(|x| &x.0) != Some(&p.number) {
            poor.push((p.number.clone(), 0));
        }
        if has_labour(p.labor) {
            poor.last_mut().expect("pushed").1 += 1;
        }
    }
    let with: Vec<&(String, usize)> = poor.iter().filter(|p| p.1 > 0).collect();
    let mut change: Vec<(String, bool)> = Vec::new();
    if with.len() > want {
        let mut by_few = with.clone();
        by_few.sort_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        change.extend(
            by_few[..with.len() - want]
                .iter()
                .map(|p| (p.0.clone(), false)),
        );
    } else {
        let without = poor.iter().filter(|p| p.1 == 0);
        change.extend(without.take(want - with.len()).map(|p| (p.0.clone(), true)));
    }
    for (number, gain) in change {
        let Some(mut h) = repo.household(&number).await? else {
            continue;
        };
        for m in &mut h.members {
            let age = fupin_core::ResidentId::parse(&m.id_number)
                .ok()
                .and_then(|id| id.age_at(end));
            if gain && age.is_some_and(|a| (16..60).contains(&a)) {
                m.labor = Some(Labor::Ordinary);
                break;
            }
            if !gain && has_labour(m.labor) {
                m.labor = Some(Labor::Lost);
            }
        }
        let version = h.version;
        repo.save(
            fupin_store::Incoming::new(h),
            version,
            end,
            "demo",
            policies,
        )
        .await?;
    }
    Ok(())
}

/// The plans and measures of a generated profile, written after its history: every household under
/// assistance at the end (poor, returned, monitored) has a plan of the year; the poor with labour a
/// public-welfare post or a job and their labourers training, the poor without labour 低保 or
/// 特困供养 (the calculators' yearly amount); monitored households a preventive measure; households
/// below the plan-ledger line (policy `monitoring_ledger_line`) a plan. The city profile also
/// reproduces Jincheng's figures exactly (see [`Targets`]).
pub async fn after_profile(
    profile: &crate::Profile,
    repo: &dyn Repository,
    dir: &dyn Directory,
) -> Result<(), StoreError> {
    use chrono::Datelike;
    use fupin_core::codes::HouseholdStatus;
    use fupin_store::assistance::{AssistanceImport, PersonRow};
    use std::collections::{BTreeMap, HashSet};
    let end = profile.end;
    let year = end.year();
    let policies = fupin_core::PolicySet::builtin();
    let t = targets(profile);
    if let Some(t) = t {
        fix_labour(repo, dir, &policies, end, t.labour_poor).await?;
    }
    let people = dir.registered_people("").await?;
    let mut households: BTreeMap<&str, Vec<&PersonRow>> = BTreeMap::new();
    for p in &people {
        households.entry(p.number.as_str()).or_default().push(p);
    }
    let in_scope: Vec<String> = dir
        .assistance_check("", end)
        .await?
        .households
        .into_iter()
        .map(|h| h.id)
        .collect();
    let on = |m: u32, day: u32| d(year, m, day);
    let mut plans: Vec<Plan> = Vec::new();
    let mut measures: Vec<Measure> = Vec::new();
    let mut measure =
        |number: &str, person: Option<&str>, kind, date, yuan: Decimal, provider: &str| {
            measures.push(Measure {
                household: number.to_string(),
                person: person.map(str::to_string),
                kind,
                date,
                amount: yuan,
                provider: provider.to_string(),
                fund: None,
            })
        };
    let mut planned: HashSet<String> = HashSet::new();
    let mut posts_held: HashSet<String> = HashSet::new();
    let mut with_post: HashSet<&str> = HashSet::new();
    let mut poor_labour = 0usize;
    for number in &in_scope {
        let Some(members) = households.get(number.as_str()) else {
            continue;
        };
        let first = members[0];
        let labourers: Vec<&str> = members
            .iter()
            .filter(|m| has_labour(m.labor))
            .map(|m| m.id_number.as_str())
            .collect();
        let poor = first.status.is_poor();
        let mut paths = Vec::new();
        if let Some(l) = labourers.first() {
            paths.push(PlanPath::Industry);
            if poor {
                let posts = t.map_or(usize::MAX, |t| t.posts_poor);
                let post = t.map_or(poor_labour % 2 == 0, |_| poor_labour < posts);
                if post {
                    measure(
                        number,
                        Some(l),
                        MeasureKind::PublicWelfarePost,
                        on(3, 1),
                        Decimal::from(6000),
                        "县人社局",
                    );
                    posts_held.insert(l.to_string());
                    with_post.insert(first.number.as_str());
                } else {
                    measure(
                        number,
                        Some(l),
                        MeasureKind::Employment,
                        on(2, 15),
                        Decimal::ZERO,
                        "县人社局",
                    );
                }
                poor_labour += 1;
                for id in &labourers {
                    measure(
                        number,
                        Some(id),
                        MeasureKind::SkillsTraining,
                        d(year - 1, 5, 10),
                        Decimal::ZERO,
                        "县人社局",
                    );
                }
            } else {
                measure(
                    number,
                    None,
                    MeasureKind::IndustrySupport,
                    on(4, 1),
                    Decimal::from(2000),
                    "县农业农村局",
                );
                measure(
                    number,
                    Some(l),
                    MeasureKind::SkillsTraining,
                    on(4, 20),
                    Decimal::ZERO,
                    "县人社局",
                );
            }
        } else {
            paths.push(PlanPath::SocialSecurity);
            let policy = policies.for_area(&first.area_code);
            let n = members.len();
            let (kind, amount) = if first.attribute == Some(fupin_core::codes::Attribute::Destitute)
            {
                let a = fupin_core::assistance::destitute_yearly(&policy, end, n).map(|x| x.0);
                (MeasureKind::DestituteSupport, a)
            } else {
                (MeasureKind::Dibao, Some(Decimal::from(2400 * n as i64)))
            };
            measure(
                number,
                None,
                kind,
                on(1, 15),
                amount.unwrap_or(Decimal::ZERO),
                "县民政局",
            );
        }
        plans.push(Plan {
            household: number.clone(),
            year,
            paths,
            target: if poor {
                format!("{year} 年稳定达到“两不愁三保障”,人均纯收入超过贫困线")
            } else {
                format!("{year} 年消除返贫致贫风险")
            },
        });
        planned.insert(number.clone());
    }
    // The plan ledger: every household below the ledger line of its area has a plan.
    for spec in &profile.counties {
        let policy = policies.for_area(&spec.code);
        if let Some(line) = policy.yearly_opt("monitoring_ledger_line", end) {
            for (number, _) in dir.below_line(&spec.code, year, line.value).await? {
                if planned.insert(number.clone()) {
                    plans.push(Plan {
                        household: number,
                        year,
                        paths: vec![PlanPath::Industry],
                        target: format!("{year} 年人均纯收入超过台账线"),
                    });
                }
            }
        }
    }
    if let Some(t) = t {
        // Public-welfare posts for labourers of exited households not under monitoring, one a
        // household, until the posts held add up.
        let scope: HashSet<&str> = in_scope.iter().map(String::as_str).collect();
        for (number, members) in &households {
            if posts_held.len() >= t.posts_total {
                break;
            }
            if members[0].status != HouseholdStatus::Exited || scope.contains(number) {
                continue;
            }
            if let Some(l) = members.iter().find(|m| has_labour(m.labor)) {
                measure(
                    number,
                    Some(&l.id_number),
                    MeasureKind::PublicWelfarePost,
                    on(3, 1),
                    Decimal::from(6000),
                    "县人社局",
                );
                posts_held.insert(l.id_number.clone());
            }
        }
        // 雨露计划: vocational students first, then college, then senior secondary.
        let aid = policies
            .for_area(&profile.counties[0].code)
            .yearly_opt("education_aid_per_student", end)
            .map_or(Decimal::from(YULU_FALLBACK), |s| s.value);
        let mut students = 0usize;
        for wanted in [
            [
                SchoolStatus::SecondaryVocational,
                SchoolStatus::HigherVocational,
            ],
            [SchoolStatus::College, SchoolStatus::College],
            [SchoolStatus::Senior, SchoolStatus::Senior],
        ] {
            for p in &people {
                if students >= t.students {
                    break;
                }
                if p.status != HouseholdStatus::NonPoor && wanted.contains(&p.school_status) {
                    measure(
                        &p.number,
                        Some(&p.id_number),
                        MeasureKind::EducationAid,
                        on(3, 15),
                        aid,
                        "市扶贫办(雨露计划)",
                    );
                    students += 1;
                }
            }
        }
        // Housing renovation: C and D grade houses first, then exited households' by number.
        let mut renovated: Vec<&str> = households
            .iter()
            .filter(|(_, m)| matches!(m[0].housing_grade, HousingGrade::C | HousingGrade::D))
            .map(|(n, _)| *n)
            .collect();
        for (number, m) in &households {
            if renovated.len() >= t.renovations {
                break;
            }
            if m[0].status == HouseholdStatus::Exited && !renovated.contains(number) {
                renovated.push(number);
            }
        }
        for number in renovated.into_iter().take(t.renovations) {
            measure(
                number,
                None,
                MeasureKind::HousingRenovation,
                on(5, 20),
                Decimal::from(14000),
                "县住建局",
            );
        }
    }
    let batch = AssistanceImport {
        plans: plans.into_iter().enumerate().collect(),
        measures: measures.into_iter().enumerate().collect(),
    };
    let out = dir.import_assistance(&batch, "demo").await?;
    if let Some(p) = out.problems.first() {
        return Err(StoreError::File(format!(
            "demo assistance refused: {} {} {} {}",
            p.sheet, p.household, p.field, p.code
        )));
    }
    Ok(())
}
