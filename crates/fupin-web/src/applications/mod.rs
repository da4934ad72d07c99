//! The identification capability on the web (两公示一公告): applications, their steps, and the
//! village's public notice. [`service`] holds the operations; [`api`] and [`pages`] are thin.

pub mod api;
pub mod pages;
pub mod service;

use crate::registry::Numeric;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new identification application.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewApplication {
    /// The 12-digit village code.
    pub area_code: Option<String>,
    pub applicant_name: Option<String>,
    /// 18-character resident ID number.
    pub applicant_id_number: Option<String>,
    /// Household size (a number, or its text).
    pub members: Option<Numeric>,
    pub reason: Option<String>,
}

/// The next step of an application.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StepInput {
    /// The step's code (`household_survey`, `village_check`, `first_notice`, …).
    pub step: Option<String>,
    /// `passed` (default) or `rejected`.
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// Exclusions found at the county review (codes); any rejects the application.
    #[serde(default)]
    pub exclusions: Vec<String>,
    /// The registration step (`registered`, 建档立卡): the household of the survey it registers
    /// (members, income of a year, guarantees; the applicant is its head, the village and the status
    /// `poor` are the application's; the number, unless given, the village's next free one).
    #[serde(default)]
    pub household: Option<crate::registry::Household>,
}

/// The applications of an area.
#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub applications: Vec<fupin_store::directory::Application>,
}
