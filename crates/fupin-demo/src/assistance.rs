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
