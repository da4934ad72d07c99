//! The household as the rules see it: validated values, no storage concerns.

use crate::area::AreaCode;
use crate::codes::{
    Attribute, Cause, Health, HouseholdStatus, HousingGrade, Labor, Relation, SchoolStatus,
};
use crate::id::ResidentId;
use crate::money::Decimal;

/// Income parts of one year, yuan (DOMAIN.md §3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Income {
    pub wage: Decimal,
    pub business: Decimal,
    pub property: Decimal,
    pub transfer: Decimal,
    pub business_cost: Decimal,
}

impl Income {
    /// Net income: wage + business + property + transfer − business cost.
    pub fn net(&self) -> Decimal {
        self.wage + self.business + self.property + self.transfer - self.business_cost
    }
}

/// Rigid expenses of one year, yuan (DOMAIN.md §7).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RigidExpense {
    pub medical: Decimal,
    pub education: Decimal,
    pub disaster: Decimal,
    pub other: Decimal,
}

impl RigidExpense {
    pub fn total(&self) -> Decimal {
        self.medical + self.education + self.disaster + self.other
    }
}

/// A registered member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id_number: ResidentId,
    pub name: String,
    pub relation: Relation,
    pub school_status: SchoolStatus,
    pub medical_insured: bool,
    pub labor: Option<Labor>,
    pub health: Option<Health>,
}

/// A household with everything the exit check and monitoring need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: String,
    pub area: AreaCode,
    pub status: HouseholdStatus,
    pub attribute: Option<Attribute>,
    pub main_cause: Option<Cause>,
    pub income: Income,
    pub rigid_expense: RigidExpense,
    pub food: bool,
    pub clothing: bool,
    pub water: bool,
    pub housing_grade: HousingGrade,
    pub members: Vec<Member>,
}
