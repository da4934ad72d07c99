//! Records the registry's unit tests share: a valid ID number, a member, a household of three.

use super::{HouseholdRecord, MemberRecord};
use crate::codes::{HouseholdStatus, HousingGrade, Relation, SchoolStatus};
use crate::id::check_char;
use crate::model::{Income, RigidExpense};
use crate::Decimal;

/// A valid ID number of someone born on `birth` (YYYYMMDD), with sequence `seq`.
pub(crate) fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("140525{birth}{seq:03}");
    format!("{first17}{}", check_char(first17.as_bytes()))
}

pub(crate) fn member(birth: &str, seq: u32, relation: Relation) -> MemberRecord {
    MemberRecord {
        id_number: id(birth, seq),
        name: format!("成员{seq}"),
        relation,
        labor: None,
        health: None,
        disability_grade: None,
        school_status: SchoolStatus::NotInSchool,
        medical_insurance: true,
        pension_insurance: false,
        work_place: None,
        work_months: None,
    }
}

/// A household of 泽州县 of three (head, spouse, child) with a yearly wage of `wage` yuan in
/// `year`, every guarantee holding.
pub(crate) fn three_people(status: HouseholdStatus, wage: i64, year: i32) -> HouseholdRecord {
    HouseholdRecord {
        number: "140525100201001".into(),
        area_code: "140525100201".into(),
        village_group: None,
        attribute: None,
        main_cause: None,
        secondary_causes: Vec::new(),
        status,
        monitoring: None,
        housing_grade: HousingGrade::B,
        food: true,
        clothing: true,
        water: true,
        income_year: Some(year),
        income: Income {
            wage: Decimal::from(wage),
            ..Income::default()
        },
        rigid_expense: RigidExpense::default(),
        phone: None,
        bank_account: None,
        version: 1,
        members: vec![
            member("19700101", 1, Relation::Head),
            member("19720202", 2, Relation::Spouse),
            member("19950303", 3, Relation::Child),
        ],
    }
}
