//! The generator without a database: exact cohort sizes, valid and unique ID numbers, well-formed
//! area codes, plausible distributions, and the same data for the same seed.

use fupin_core::codes::{Cause, HouseholdStatus};
use fupin_core::{AreaCode, PolicySet, ResidentId};
use fupin_demo::gen::{self, CountyData};
use fupin_demo::profile;
use std::collections::{HashMap, HashSet};

fn generate(p: &fupin_demo::Profile, seed: u64) -> Vec<CountyData> {
    let policy = PolicySet::builtin();
    p.counties
        .iter()
        .map(|c| gen::county(p, c, seed, &policy))
        .collect()
}

#[test]
fn profiles_carry_the_report_figures() {
    let city = profile::city();
    assert_eq!(city.counties.len(), 6);
    // Registered (stable + unstable + poor, those meeting the exit standard included) 25,345
    // households with 63,425 people.
    let registered: (u64, u64) = city
        .counties
        .iter()
        .flat_map(|c| &c.cohorts)
        .filter(|c| {
            matches!(
                c.kind,
                profile::Kind::Stable
                    | profile::Kind::Unstable
                    | profile::Kind::Poor
                    | profile::Kind::Ready
            )
        })
        .fold((0, 0), |a, c| (a.0 + c.households, a.1 + c.people));
    assert_eq!(registered, (25_345, 63_425));
    let h1: (u64, u64) = city
        .counties
        .iter()
        .flat_map(|c| &c.demography)
        .filter(|d| d.from.to_string() == "2020-01-01")
        .fold((0, 0), |a, d| (a.0 + d.births, a.1 + d.deaths));
    assert_eq!(h1, (369, 1_175));
    let county = profile::county();
    assert_eq!(county.counties[0].rural_population, 400_000);
}

#[test]
fn the_same_seed_gives_the_same_county() {
    let p = profile::county();
    let policy = PolicySet::builtin();
    let a = gen::county(&p, &p.counties[0], 5, &policy);
    let b = gen::county(&p, &p.counties[0], 5, &policy);
    let c = gen::county(&p, &p.counties[0], 6, &policy);
    let key = |d: &CountyData| {
        d.batches
            .iter()
            .flat_map(|b| {
                b.changes
                    .iter()
                    .map(move |c| (b.date, format!("{:?}", c.incoming.record)))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&a), key(&b));
    assert_ne!(key(&a), key(&c));
}

#[test]
fn people_and_places_are_valid_and_plausible() {
    let data = generate(&profile::scaled("test", 60_000), 11);
    let mut ids = HashSet::new();
    let mut final_state: HashMap<String, fupin_store::HouseholdRecord> = HashMap::new();
    for county in &data {
        for a in &county.areas {
            AreaCode::parse(&a.code).unwrap_or_else(|e| panic!("{}: {e:?}", a.code));
        }
        for b in &county.batches {
            for c in &b.changes {
                let h = &c.incoming.record;
                assert_eq!(AreaCode::parse(&h.area_code).unwrap().as_str().len(), 12);
                assert!(h.village_group.as_deref().unwrap().ends_with('组'));
                for m in &h.members {
                    let id = ResidentId::parse(&m.id_number)
                        .unwrap_or_else(|e| panic!("{}: {e:?}", m.id_number));
                    assert_eq!(&id.as_str()[..6], county.code.as_str());
                    ids.insert(m.id_number.clone());
                }
                final_state.insert(h.number.clone(), h.clone());
            }
        }
    }
    // One person, one household.
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for h in final_state.values() {
        for m in &h.members {
            assert!(
                owner.insert(&m.id_number, &h.number).is_none(),
                "{}",
                m.id_number
            );
        }
    }
    let n = final_state.len() as f64;
    let registered: Vec<_> = final_state
        .values()
        .filter(|h| h.status != HouseholdStatus::NonPoor)
        .collect();
    let illness = registered
        .iter()
        .filter(|h| h.main_cause == Some(Cause::Illness))
        .count();
    let most = [
        Cause::Disability,
        Cause::Skills,
        Cause::Labour,
        Cause::Capital,
    ]
    .iter()
    .map(|c| {
        registered
            .iter()
            .filter(|h| h.main_cause == Some(*c))
            .count()
    })
    .max()
    .unwrap();
    assert!(illness > most, "illness is the most common cause");
    let mean = final_state.values().map(|h| h.members.len()).sum::<usize>() as f64 / n;
    assert!((2.0..3.5).contains(&mean), "mean household size {mean}");
    let exited = final_state
        .values()
        .filter(|h| h.status == HouseholdStatus::Exited)
        .count() as f64;
    assert!(exited / n > 0.8);
    let failing = final_state
        .values()
        .filter(|h| {
            !h.water || !h.housing_grade.is_safe() || h.members.iter().any(|m| !m.medical_insurance)
        })
        .count() as f64;
    assert!(
        failing > 0.0 && failing / n < 0.1,
        "a few failing guarantees: {failing}"
    );
}
