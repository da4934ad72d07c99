//! The registry capability on the web: households (read, write, lifecycle, members), the household
//! list, dashboards, village figures, areas and the change report.
//!
//! - [`service`]: the operations (scoped and authorised) that both the API and the pages call;
//! - [`api`]: the JSON API handlers; [`pages`] (+ [`export`], [`form`]): the server-rendered pages;
//! - this file: the request shapes of the API and the answers it composes (they generate its OpenAPI
//!   schemas); answers that are store or core types (the household list's rows, areas, history,
//!   audit entries, the change report) carry their own schemas under those crates' `openapi` feature.

pub mod api;
pub mod export;
pub mod form;
pub mod import;
pub mod pages;
pub mod service;

use fupin_core::codes::{
    Attribute, Cause, CodeList, Health, HouseholdStatus, HousingGrade, Labor, MonitoringCategory,
    Relation, SchoolStatus, WorkPlace,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::ToSchema;

/// The schema of an optional code of one of fupin-core's code lists: its codes, or null.
fn codes<T: CodeList + 'static>(description: &str) -> Object {
    let mut values: Vec<serde_json::Value> = T::all().iter().map(|c| c.code().into()).collect();
    values.push(serde_json::Value::Null);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

fn attribute_codes() -> Object {
    codes::<Attribute>("户属性 / household attribute")
}
fn cause_codes() -> Object {
    codes::<Cause>("主要致贫原因 / main cause of poverty")
}
fn status_codes() -> Object {
    codes::<HouseholdStatus>(
        "状态 / status; change it with exit, return, remove (required on POST)",
    )
}
fn monitoring_codes() -> Object {
    codes::<MonitoringCategory>("监测分类 / monitoring category (read only)")
}
fn housing_codes() -> Object {
    codes::<HousingGrade>("住房安全等级 / housing safety grade")
}
fn relation_codes() -> Object {
    codes::<Relation>("与户主关系 / relation to the head")
}
fn labor_codes() -> Object {
    codes::<Labor>("劳动能力 / labour capacity")
}
fn health_codes() -> Object {
    codes::<Health>("健康状况 / health")
}
fn school_codes() -> Object {
    codes::<SchoolStatus>("在校生状况 / school status")
}
fn work_place_codes() -> Object {
    codes::<WorkPlace>("务工地点 / place of work (read only)")
}

/// A number given as a JSON number or as text (money: `"8000.50"` or `8000.5`); kept as its text
/// for fupin-core's validator, which reports a bad value by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, example = "8000.50")]
pub struct Numeric(pub String);

impl<'de> Deserialize<'de> for Numeric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Numeric, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Number(serde_json::Number),
            Text(String),
        }
        Ok(Numeric(match Given::deserialize(d)? {
            Given::Number(n) => n.to_string(),
            Given::Text(t) => t,
        }))
    }
}

/// Net income by source for the year (yuan).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Income {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wage: Option<Numeric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<Numeric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<Numeric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Numeric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_cost: Option<Numeric>,
}

/// Rigid expenses for the year (yuan).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RigidExpense {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medical: Option<Numeric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education: Option<Numeric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disaster: Option<Numeric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Numeric>,
}

/// A member of a household, as read and as written. Codes are those of fupin-core's code lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Member {
    /// 18-character resident ID number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = relation_codes)]
    pub relation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = labor_codes)]
    pub labor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = health_codes)]
    pub health: Option<String>,
    /// 残疾等级 1-4 (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability_grade: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = school_codes)]
    pub school_status: Option<String>,
    /// Required when writing; `medical_insured` is accepted as its alias.
    #[serde(
        default,
        alias = "medical_insured",
        skip_serializing_if = "Option::is_none"
    )]
    pub medical_insurance: Option<bool>,
    /// Read only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pension_insurance: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = work_place_codes)]
    pub work_place: Option<String>,
    /// Read only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_months: Option<i64>,
}

/// A household: the one shape the API answers with (GET, and every write) and takes (POST, PUT), so
/// a client can read a household, change a field and write it back. On writes, `number` (or `id`,
/// the `fupin assess` format's name) names the household, `version` is the one read (PUT), `date`
/// the date of the change (default today), `income_year` the year of the income given;
/// `monitoring` (judged by the registry) and the read-only member fields are ignored, and what a PUT leaves out of `village_group`, `phone`, `bank_account` is kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Household {
    /// 户编号: the village's 12-digit code and 3 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Input only: the `fupin assess` format's name of `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The 12-digit village code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = attribute_codes)]
    pub attribute: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = cause_codes)]
    pub main_cause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_causes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = status_codes)]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = monitoring_codes)]
    pub monitoring: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = housing_codes)]
    pub housing_grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub food: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clothing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub water: Option<bool>,
    /// The year the income and rigid expenses are of (each year is kept). On writes: default the
    /// year stored, for a new household the year before `date`; never after `date`'s year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<Income>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rigid_expense: Option<RigidExpense>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
    /// The version read; a write carrying an older one is refused (409).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Input only: the date of the change, YYYY-MM-DD (default today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,
}

/// A lifecycle action: exit (a reason overrides a failed check), return, remove (reason required).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Transition {
    /// The household's version (required).
    pub version: Option<i64>,
    /// YYYY-MM-DD, default today.
    pub date: Option<String>,
    pub reason: Option<String>,
}

/// A member joining a household.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Join {
    /// The household's version (required).
    pub version: Option<i64>,
    /// Required: `birth` (出生), `marriage` (婚入) or `other` (其他).
    pub reason: Option<String>,
    /// YYYY-MM-DD, not after today; default today.
    pub date: Option<String>,
    pub member: Option<Member>,
}

/// A member leaving (query of `DELETE …/members/{id_number}`).
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Leave {
    /// The household's version.
    pub version: i64,
    /// Required: `death` (死亡), `marriage` (婚出), `moved` (迁出) or `other` (其他).
    pub reason: String,
    /// Required: YYYY-MM-DD, not after today (a missing one answers 422 naming `date`).
    #[param(value_type = Option<String>)]
    pub date: Option<chrono::NaiveDate>,
}

/// Query parameters of the household list (API and page).
#[derive(Debug, Deserialize, Default, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    /// `poor`, `exited`, `returned`, `removed` or `non_poor`.
    pub status: Option<String>,
    /// A main-cause code.
    pub cause: Option<String>,
    /// An attribute code.
    pub attribute: Option<String>,
    /// A monitoring category.
    pub monitoring: Option<String>,
    /// 姓名、身份证号(可部分)或户编号 / a name, (part of an) ID number or household number.
    pub q: Option<String>,
    /// 1-based.
    pub page: Option<u32>,
    /// 1..500, default 50.
    pub per_page: Option<u32>,
}

/// `?area=` (default: the user's area) and, for the dashboard, `?year=`.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaParam {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    /// The year of the changes shown on the dashboard (default: the latest year with events).
    pub year: Option<i32>,
}

/// `?as_of=YYYY-MM-DD` (default today).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    #[param(value_type = Option<String>)]
    pub as_of: Option<chrono::NaiveDate>,
}

/// `?parent=` (default: the user's area).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    /// 上级区划前缀 / the parent prefix.
    pub parent: Option<String>,
}

/// A period of the change report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    #[param(value_type = String)]
    pub from: chrono::NaiveDate,
    #[param(value_type = String)]
    pub to: chrono::NaiveDate,
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
}

/// The areas below a parent (fields in the order the answer gives them).
#[derive(Serialize, ToSchema)]
pub struct AreaList {
    pub areas: Vec<fupin_core::registry::Area>,
    pub parent: String,
}

/// A failed check of the exit standard, explained.
#[derive(Serialize, ToSchema)]
pub struct FailedCheck {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// The exit check and monitoring of a household at a date.
#[derive(Serialize, ToSchema)]
pub struct Assessment {
    #[schema(value_type = String)]
    pub as_of: chrono::NaiveDate,
    /// fupin-core's household result: income per head, the exit check, monitoring.
    #[schema(value_type = Object)]
    pub assessment: serde_json::Value,
    pub failed_checks: Vec<FailedCheck>,
}

/// A household's audit trail: who changed what when, with the household before and after (fields
/// in the order the answer gives them).
#[derive(Serialize, ToSchema)]
pub struct Audit {
    pub entries: Vec<fupin_core::registry::AuditEntry>,
    pub household: String,
}

/// A village indicator and whether it is met.
#[derive(Serialize, ToSchema)]
pub struct Indicator {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub ok: bool,
}

/// The village exit decision.
#[derive(Serialize, ToSchema)]
pub struct VillageExit {
    pub meets_standard: bool,
    pub failed: Vec<String>,
}

/// A village's incidence and exit check under its policy.
#[derive(Serialize, ToSchema)]
pub struct Village {
    pub area_code: String,
    pub name: Option<String>,
    pub poor_population: i64,
    pub rural_population: i64,
    pub incidence_pct: Option<String>,
    pub max_incidence_pct: String,
    pub indicators: Vec<Indicator>,
    pub exit: VillageExit,
    /// Households and people by status code: `[[code, {households, people}], …]`.
    #[schema(value_type = Vec<Object>)]
    pub status: Vec<serde_json::Value>,
}
