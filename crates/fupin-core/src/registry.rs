//! The registry's records: a household as stored (with its members), events, history and reports.

use crate::codes::{
    Attribute, Cause, CodeList, Health, HouseholdStatus, HousingGrade, Labor, MonitoringCategory,
    Relation, SchoolStatus, WorkPlace,
};
use crate::model::{Income, RigidExpense};
use crate::Decimal;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

#[cfg(test)]
pub(crate) mod fixtures;
pub mod monitoring;
pub mod plan;

/// The county code (first 6 digits of the area code): every household-owned row is keyed by it.
pub use crate::area::county_of;

/// Money as stored: integer fen (exact).
pub fn to_fen(d: Decimal) -> i64 {
    (d * Decimal::from(100))
        .round()
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// Money from stored fen.
pub fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// A household as registered: every field of the national system's household sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdRecord {
    pub number: String,
    /// The 12-digit area code of the village.
    pub area_code: String,
    pub village_group: Option<String>,
    pub attribute: Option<Attribute>,
    pub main_cause: Option<Cause>,
    pub secondary_causes: Vec<Cause>,
    pub status: HouseholdStatus,
    pub monitoring: Option<MonitoringCategory>,
    pub housing_grade: HousingGrade,
    pub food: bool,
    pub clothing: bool,
    pub water: bool,
    /// The year the income and rigid expenses are of.
    pub income_year: Option<i32>,
    #[serde(serialize_with = "ser_income")]
    pub income: Income,
    #[serde(serialize_with = "ser_rigid")]
    pub rigid_expense: RigidExpense,
    /// Sensitive: never shown in public notices.
    pub phone: Option<String>,
    /// Sensitive: never shown in public notices.
    pub bank_account: Option<String>,
    /// Optimistic-concurrency version: an update carrying an older version is refused.
    pub version: i64,
    pub members: Vec<MemberRecord>,
}

fn ser_income<S: serde::Serializer>(i: &Income, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(5))?;
    m.serialize_entry("wage", &i.wage)?;
    m.serialize_entry("business", &i.business)?;
    m.serialize_entry("property", &i.property)?;
    m.serialize_entry("transfer", &i.transfer)?;
    m.serialize_entry("business_cost", &i.business_cost)?;
    m.end()
}

fn ser_rigid<S: serde::Serializer>(r: &RigidExpense, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(4))?;
    m.serialize_entry("medical", &r.medical)?;
    m.serialize_entry("education", &r.education)?;
    m.serialize_entry("disaster", &r.disaster)?;
    m.serialize_entry("other", &r.other)?;
    m.end()
}

impl HouseholdRecord {
    pub fn county(&self) -> &str {
        county_of(&self.area_code)
    }

    /// The household as the core's rules see it (members whose ID does not parse are left out;
    /// the registry only holds valid IDs).
    pub fn to_core(&self) -> Option<crate::model::Household> {
        Some(crate::model::Household {
            id: self.number.clone(),
            area: crate::AreaCode::parse(&self.area_code).ok()?,
            status: self.status,
            attribute: self.attribute,
            main_cause: self.main_cause,
            income: self.income.clone(),
            rigid_expense: self.rigid_expense.clone(),
            food: self.food,
            clothing: self.clothing,
            water: self.water,
            housing_grade: self.housing_grade,
            members: self
                .members
                .iter()
                .filter_map(|m| {
                    Some(crate::model::Member {
                        id_number: crate::ResidentId::parse(&m.id_number).ok()?,
                        name: m.name.clone(),
                        relation: m.relation,
                        school_status: m.school_status,
                        medical_insured: m.medical_insurance,
                        labor: m.labor,
                        health: m.health,
                    })
                })
                .collect(),
        })
    }

    /// The income parts and rigid expenses in fen, in the order of the `household_income` columns:
    /// wage, business, property, transfer, business cost, medical, education, disaster, other.
    pub fn money_fen(&self) -> [i64; 9] {
        let (i, r) = (&self.income, &self.rigid_expense);
        [
            i.wage,
            i.business,
            i.property,
            i.transfer,
            i.business_cost,
            r.medical,
            r.education,
            r.disaster,
            r.other,
        ]
        .map(to_fen)
    }

    /// A digest of everything but the version (money compared in fen): two records with the same
    /// fingerprint are the same household, so an import can skip a stored household without loading it.
    pub fn fingerprint(&self) -> String {
        /// Two FNV-1a states with different offset bases: 128 bits, stable across builds and machines.
        struct Fnv(u64, u64);
        impl std::io::Write for Fnv {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                for &b in buf {
                    self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
                    self.1 = (self.1 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
                }
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let fen = self.money_fen();
        let canon = (
            (
                &self.number,
                &self.area_code,
                &self.village_group,
                self.attribute,
                self.main_cause,
            ),
            (
                &self.secondary_causes,
                self.status,
                self.monitoring,
                self.housing_grade,
            ),
            (self.food, self.clothing, self.water, self.income_year, fen),
            (&self.phone, &self.bank_account, &self.members),
        );
        let mut h = Fnv(0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142);
        serde_json::to_writer(&mut h, &canon).expect("a record serializes");
        format!("{:016x}{:016x}", h.0, h.1)
    }

    /// The names of the fields that differ from `other` (members compared by ID number).
    pub fn changed_fields(&self, other: &HouseholdRecord) -> Vec<String> {
        let mut out = Vec::new();
        macro_rules! cmp {
            ($($f:ident),*) => { $( if self.$f != other.$f { out.push(stringify!($f).to_string()); } )* };
        }
        cmp!(
            area_code,
            village_group,
            attribute,
            main_cause,
            secondary_causes,
            housing_grade,
            food,
            clothing,
            water,
            income_year,
            income,
            rigid_expense,
            phone,
            bank_account
        );
        for m in &self.members {
            if let Some(o) = other.members.iter().find(|o| o.id_number == m.id_number) {
                if m != o {
                    out.push(format!("member:{}", m.id_number));
                }
            }
        }
        out
    }
}

/// The income and rigid expenses a household recorded for one year (every year is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearIncome {
    pub year: i32,
    #[serde(serialize_with = "ser_income")]
    pub income: Income,
    #[serde(serialize_with = "ser_rigid")]
    pub rigid_expense: RigidExpense,
}

impl YearIncome {
    /// Net income (wage + business + property + transfer − business cost).
    pub fn net(&self) -> Decimal {
        self.income.net()
    }
}

/// A member as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRecord {
    pub id_number: String,
    pub name: String,
    pub relation: Relation,
    pub labor: Option<Labor>,
    pub health: Option<Health>,
    /// 残疾等级 1-4.
    pub disability_grade: Option<i64>,
    pub school_status: SchoolStatus,
    pub medical_insurance: bool,
    pub pension_insurance: bool,
    pub work_place: Option<WorkPlace>,
    pub work_months: Option<i64>,
}

/// Why a member joined a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinReason {
    Birth,
    Marriage,
    Other,
}

/// Why a member left a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaveReason {
    Death,
    Marriage,
    Moved,
    Other,
}

macro_rules! reason_codes {
    ($t:ident { $($v:ident => ($code:literal, $zh:literal, $en:literal)),+ }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$($t::$v),+];
            pub fn code(self) -> &'static str { match self { $($t::$v => $code),+ } }
            pub fn zh(self) -> &'static str { match self { $($t::$v => $zh),+ } }
            pub fn en(self) -> &'static str { match self { $($t::$v => $en),+ } }
            /// Parses the code or the Chinese label.
            pub fn parse(s: &str) -> Option<$t> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.code() == s || v.zh() == s)
            }
        }
    };
}

reason_codes!(JoinReason { Birth => ("birth", "出生", "birth"), Marriage => ("marriage", "婚入", "marriage in"), Other => ("other", "其他", "other") });
reason_codes!(LeaveReason { Death => ("death", "死亡", "death"), Marriage => ("marriage", "婚出", "marriage out"), Moved => ("moved", "迁出", "moved out"), Other => ("other", "其他", "other") });

/// The kinds of dated events.
pub mod kind {
    /// Registered poor (识别).
    pub const IDENTIFIED: &str = "identified";
    /// First recorded with a status other than poor (an initial load of an existing register).
    pub const RECORDED: &str = "recorded";
    pub const EXITED: &str = "exited";
    pub const RETURNED: &str = "returned";
    pub const REMOVED: &str = "removed";
    pub const ENTERED_MONITORING: &str = "entered_monitoring";
    pub const RISK_ELIMINATED: &str = "risk_eliminated";
    /// The monitoring category changed otherwise (detail: the new category, none when cleared).
    pub const MONITORING_CHANGED: &str = "monitoring_changed";
    /// The event kinds that set the monitoring category.
    pub const MONITORING: &[&str] = &[ENTERED_MONITORING, RISK_ELIMINATED, MONITORING_CHANGED];
    /// Fields changed (detail: the field names).
    pub const UPDATED: &str = "updated";
    /// A member joined (detail: birth, marriage, other).
    pub const MEMBER_JOINED: &str = "member_joined";
    /// A member left (detail: death, marriage, moved, other).
    pub const MEMBER_LEFT: &str = "member_left";
    /// The event kinds that set the household's status.
    pub const STATUS: &[&str] = &[IDENTIFIED, RECORDED, EXITED, RETURNED, REMOVED];
}

/// One dated event of a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    pub kind: String,
    /// The new status (status events), the category (monitoring), the reason code (members), or the
    /// changed fields (`updated`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub actor: String,
}

/// A member in a history: who, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryMember {
    pub id_number: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub relation: Relation,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub joined_on: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub left_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_reason: Option<String>,
}

/// A household as it was on a date (or now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    pub household: String,
    pub area_code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub as_of: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: HouseholdStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub monitoring: Option<MonitoringCategory>,
    pub members: Vec<HistoryMember>,
    pub events: Vec<Event>,
}

/// Counts of households by flow in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdFlows {
    pub identified: u64,
    pub exited: u64,
    pub returned: u64,
    pub removed: u64,
}

/// Counts of people by flow in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleFlows {
    pub identified: u64,
    pub exited: u64,
    pub returned: u64,
    pub removed: u64,
    pub natural_increase: u64,
    pub natural_decrease: u64,
}

/// Households and people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stock {
    pub households: u64,
    pub people: u64,
}

/// The stock by status at the end of the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndStock {
    pub poor: Stock,
    pub exited: Stock,
    pub returned: Stock,
    pub removed: Stock,
}

/// The half-yearly dynamic-management report (动态管理) of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: NaiveDate,
    pub area: String,
    pub households: HouseholdFlows,
    pub people: PeopleFlows,
    pub end: EndStock,
}

/// An area of the registry: a province, city, county, township or village (12-digit code, zero-padded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Area {
    pub code: String,
    pub name: String,
    /// `province`, `city`, `county`, `township` or `village`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub level: crate::area::AreaLevel,
    pub parent: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub region: Option<crate::codes::Region>,
    /// Registered rural population (the denominator of the incidence).
    pub rural_population: Option<i64>,
}

/// One audit-log entry: who wrote what, when, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub entity: String,
    pub entity_key: String,
    pub action: String,
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub effective_date: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}

/// Parses a code list value for storage round trips.
pub fn code<T: CodeList>(s: &str) -> Option<T> {
    T::parse(s)
}
