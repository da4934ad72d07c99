//! Household assistance on the web (issue 12): a household's plans (一户一策) and measures, what it
//! is entitled to against what it received, the gaps of an area, the dashboard's measures and gap
//! counts, and the household card (明白卡). [`service`] holds the operations (scoped and authorised
//! through [`crate::authz`]); [`api`] and [`pages`] are thin. The rules are
//! `fupin_core::assistance`; the store `fupin_store::assistance`.

pub mod api;
pub mod pages;
pub mod service;

use fupin_core::assistance::{Entitlement, GapItem, Plan};
use fupin_store::assistance::{CheckOutcome, StoredMeasure};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A household's plan of a year.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewPlan {
    /// 五个一批 path codes (`industry`, `relocation`, `ecological`, `education`, `social_security`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// The target, at most 200 characters.
    pub target: Option<String>,
}

/// A measure delivered to a household or one of its members.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewMeasure {
    /// A current member's ID number; none for a household-wide measure.
    pub person: Option<String>,
    /// A measure kind code (`public_welfare_post`, `education_aid`, ...).
    pub kind: Option<String>,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// Yuan, at most two places (default 0).
    #[schema(value_type = Option<String>)]
    pub amount: Option<serde_json::Value>,
    /// The unit or department that delivered it.
    pub provider: Option<String>,
    /// The fund or project that paid for it.
    pub fund: Option<String>,
}

/// What a household is entitled to in a year and what it received of that kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntitledReceived {
    #[serde(flatten)]
    pub entitlement: Entitlement,
    /// Yuan received in the year (measures of the kind).
    pub received: String,
}

/// A household's assistance: plans, measures, entitlements of the year, gaps today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdAssistance {
    pub number: String,
    /// The monitoring code (监测码) of the household.
    pub monitoring_code: Option<String>,
    pub year: i32,
    pub plans: Vec<Plan>,
    pub measures: Vec<StoredMeasure>,
    pub entitlements: Vec<EntitledReceived>,
    /// The gaps today (none when the household is not poor or monitored).
    pub gaps: Vec<GapItem>,
}

/// The gaps of an area at a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapReport {
    pub area: String,
    #[schema(value_type = String, format = Date)]
    pub as_of: chrono::NaiveDate,
    #[serde(flatten)]
    pub outcome: CheckOutcome,
}

/// `?area=` (default: the user's area), `?as_of=` (default today), `?code=` (one gap code).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GapQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    /// YYYY-MM-DD (default today).
    pub as_of: Option<String>,
    /// Only households with this gap code.
    pub code: Option<String>,
}

/// `?area=`, `?from=`, `?to=` (default: this year).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    /// YYYY-MM-DD (default 1 January of this year).
    pub from: Option<String>,
    /// YYYY-MM-DD (default today).
    pub to: Option<String>,
}

/// Measures by kind in a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasureReport {
    pub area: String,
    #[schema(value_type = String, format = Date)]
    pub from: chrono::NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: chrono::NaiveDate,
    /// By kind code: households, people, count, amount.
    #[schema(value_type = std::collections::BTreeMap<String, fupin_core::assistance::KindSummary>)]
    pub measures: std::collections::BTreeMap<
        fupin_core::assistance::MeasureKind,
        fupin_core::assistance::KindSummary,
    >,
}
