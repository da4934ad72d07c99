//! The responsibility network on the web (issue 11, DOMAIN.md §11): the county manages units,
//! cadres, work teams and pairings; the coverage page lists the gaps of the user's area; a cadre's
//! phone page "我的帮扶户" lists its households with a visit form. [`service`] holds the operations
//! (scoped and authorised through [`crate::authz`]); [`api`] and [`pages`] are thin. The rules are
//! fupin-core's `responsibility`; the records fupin-store's.

pub mod api;
pub mod pages;
pub mod service;
pub mod workbook;

use fupin_core::codes::CodeList;
use fupin_core::responsibility::{Gap, Rank, TeamRole, UnitKind};
use serde::{Deserialize, Serialize};

/// The label of a code of the network's lists (`rank`, `team_role`, `unit_kind`, `gap`) in `lang`.
pub fn label(lang: &str, list: &str, code: &str) -> Option<String> {
    fn of<T: CodeList>(lang: &str, code: &str) -> Option<String> {
        T::parse(code).map(|v| if lang == "en" { v.en() } else { v.zh() }.to_string())
    }
    match list {
        "rank" => of::<Rank>(lang, code),
        "team_role" => of::<TeamRole>(lang, code),
        "unit_kind" => of::<UnitKind>(lang, code),
        "gap" => {
            let (zh, en) = Gap::label(code);
            Some(if lang == "en" { en } else { zh }.to_string()).filter(|s| !s.is_empty())
        }
        _ => None,
    }
}
use utoipa::ToSchema;

/// A unit to create or replace (by code).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UnitIn {
    pub code: Option<String>,
    pub name: Option<String>,
    /// `party_government`, `enterprise`, `institution` or `social`.
    pub kind: Option<String>,
    /// The area the unit belongs to (default: the user's area).
    pub area: Option<String>,
}

/// A cadre to create or replace (by id).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CadreIn {
    pub id: Option<String>,
    pub name: Option<String>,
    pub unit: Option<String>,
    /// `county_leader`, `section_chief`, `leadership_member`, `section_level` or `staff`.
    pub rank: Option<String>,
    pub phone: Option<String>,
    /// The web account (role `cadre`) the cadre logs in with.
    pub account: Option<String>,
    /// Default: the user's area.
    pub area: Option<String>,
}

/// A pairing of a cadre with a household from a date (default today).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PairingIn {
    pub cadre: Option<String>,
    pub household: Option<String>,
    pub start: Option<String>,
}

/// The end of an active pairing.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PairingEnd {
    pub cadre: Option<String>,
    pub household: Option<String>,
    /// Default today.
    pub end: Option<String>,
    pub reason: Option<String>,
}

/// A team member.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MemberIn {
    pub cadre: Option<String>,
    /// `leader`, `first_secretary` or `member`.
    pub role: Option<String>,
    #[serde(default)]
    pub first_secretary: bool,
}

/// A work team to create or replace (by id), with its members.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TeamIn {
    pub id: Option<String>,
    pub village: Option<String>,
    pub unit: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberIn>,
}

/// An enterprise–village pairing (企业结对帮村) to create or replace (by unit, village and start).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EnterprisePairingIn {
    /// A unit of kind `enterprise`.
    pub unit: Option<String>,
    pub village: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// A responsibility letter (责任书) to create or replace (by id).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LetterIn {
    pub id: Option<String>,
    pub signer: Option<String>,
    /// The level that signs (`county`, `township`, `village`, ...).
    pub level: Option<String>,
    pub signed_on: Option<String>,
    /// Default: the user's area.
    pub area: Option<String>,
}

/// An issue a visit found.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct IssueIn {
    pub text: Option<String>,
    /// The measure taken (整改措施).
    pub measure: Option<String>,
    /// Closed on the visit's date (the measure done).
    #[serde(default)]
    pub closed: bool,
}

/// A visit to a household. A cadre account records as its own cadre; other roles name the cadre.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VisitIn {
    /// Default today.
    pub date: Option<String>,
    pub cadre: Option<String>,
    pub findings: Option<String>,
    #[serde(default)]
    pub issues: Vec<IssueIn>,
}

/// Closing an issue with its measure.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct IssueClose {
    pub measure: Option<String>,
    /// Default today.
    pub closed_on: Option<String>,
}

/// `?area=` (default: the user's area), `?as_of=`, `?from=`, `?to=` (dates YYYY-MM-DD).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NetworkQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    /// The coverage date (default today).
    pub as_of: Option<String>,
    /// Visits from (default 1 January of `to`'s year).
    pub from: Option<String>,
    /// Visits to (default today).
    pub to: Option<String>,
}

/// A list of records of the network (units, cadres, pairings, teams, visits): each a JSON object
/// as docs/responsibility.md describes.
#[derive(Serialize, ToSchema)]
pub struct Records {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

/// One record saved.
#[derive(Serialize, ToSchema)]
pub struct Saved {
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

/// The coverage check of an area (`fupin responsibility check` over the registry).
#[derive(Serialize, ToSchema)]
pub struct Coverage {
    pub area: String,
    pub as_of: String,
    pub policy: String,
    /// Each gap: `code` and its record keys.
    #[schema(value_type = Vec<Object>)]
    pub gaps: Vec<serde_json::Value>,
    /// Visits, households visited, issues, closed, measures, completion_pct.
    #[schema(value_type = Object)]
    pub visits: serde_json::Value,
}

/// One cadre paired with several households from one date (default today), all or nothing.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BulkPairingIn {
    pub cadre: Option<String>,
    /// Household numbers: each needs no open pairing and must be in the user's area.
    #[serde(default)]
    pub households: Vec<String>,
    pub start: Option<String>,
}

/// An open pairing to end.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PairingKey {
    pub cadre: Option<String>,
    pub household: Option<String>,
}

/// Several open pairings ended on one date (default today) with one reason, all or nothing.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BulkPairingEnd {
    #[serde(default)]
    pub pairings: Vec<PairingKey>,
    pub end: Option<String>,
    pub reason: Option<String>,
}
