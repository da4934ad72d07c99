//! Household assistance (DOMAIN.md §12): the plan of a household and year (一户一策, its paths of
//! 五个一批), the measures delivered to it and its members (七个到户), the six gaps of a household at a
//! date, and the calculators of what a household is entitled to (低保, 特困供养, 雨露计划, 优待金, the
//! medical reimbursement floor), each a policy value by area and year.
//!
//! `check` reads the JSON of `fupin assistance check` (docs/assistance.md): the households of
//! `fupin assess` plus `plans` and `measures`; the same rules run over the registry (`--db`) through
//! [`gaps`] and [`Summary`].

use crate::assess::{as_of_date, list, InputError};
use crate::codes::{
    Attribute, CodeList, HouseholdStatus, HousingGrade, Labor, MonitoringCategory, SchoolStatus,
};
use crate::input::{self, FieldError};
use crate::money::{self, fmt2, Decimal};
use crate::policy::{Policy, PolicySet, Sourced};
use crate::registry::HouseholdRecord;
use crate::validate;
use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

crate::codes::code_list!(
    /// 五个一批: the paths of a household's plan.
    PlanPath, "plan_path", {
    Industry => ("industry", "发展生产脱贫一批", "industry"),
    Relocation => ("relocation", "易地搬迁脱贫一批", "relocation"),
    Ecological => ("ecological", "生态补偿脱贫一批", "ecological compensation"),
    Education => ("education", "发展教育脱贫一批", "education"),
    SocialSecurity => ("social_security", "社会保障兜底一批", "social security"),
});

crate::codes::code_list!(
    /// 帮扶措施: the kinds of measure delivered to a household or member (stable codes).
    MeasureKind, "measure_kind", {
    IndustrySupport => ("industry_support", "产业扶持", "industry support"),
    Employment => ("employment", "稳定就业", "stable employment"),
    PublicWelfarePost => ("public_welfare_post", "公益岗位", "public-welfare post"),
    SkillsTraining => ("skills_training", "技能培训", "skills training"),
    SmallLoan => ("small_loan", "扶贫小额信贷", "small loan"),
    EducationAid => ("education_aid", "教育资助(含雨露计划)", "education aid (incl. Yulu plan)"),
    MedicalInsuranceSubsidy => ("medical_insurance_subsidy", "医保参保资助", "medical insurance subsidy"),
    MedicalAid => ("medical_aid", "医疗救助", "medical aid"),
    HousingRenovation => ("housing_renovation", "危房改造", "housing renovation"),
    Relocation => ("relocation", "易地扶贫搬迁", "relocation"),
    Dibao => ("dibao", "低保", "minimum living guarantee"),
    DestituteSupport => ("destitute_support", "特困供养", "destitute support"),
    DisabilitySubsidy => ("disability_subsidy", "残疾人补贴", "disability subsidy"),
    EcologicalPost => ("ecological_post", "生态护林员", "ecological ranger post"),
    MilitaryFamilyAllowance => ("military_family_allowance", "优待金", "military-family allowance"),
    TemporaryRelief => ("temporary_relief", "临时救助", "temporary relief"),
    Other => ("other", "其他", "other"),
});

crate::codes::code_list!(
    /// The gaps of a household at a date (DOMAIN.md §12), in code order.
    Gap, "gap", {
    NoEmployment => ("no_employment", "有劳动力但无人就业", "labour in the household and no one employed"),
    NoMeasure => ("no_measure", "监测户本年无帮扶措施", "monitored household without a measure this year"),
    NoPlan => ("no_plan", "本年无帮扶计划", "no plan for the year"),
    NoSocialSecurity => ("no_social_security", "无劳动力且无兜底保障", "no labour and no social-security measure"),
    UnsafeHousing => ("unsafe_housing", "C/D级危房未改造或搬迁", "C or D grade house neither renovated nor relocated"),
    UntrainedLabour => ("untrained_labour", "劳动力未接受技能培训", "labourer never trained"),
});

/// The plan (一户一策) of one household and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub household: String,
    pub year: i32,
    /// 五个一批: `industry`, `relocation`, `ecological`, `education`, `social_security`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub paths: Vec<PlanPath>,
    pub target: String,
}

/// One measure delivered: to the household (`person` none) or to one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    pub household: String,
    /// The member's ID number; none for a household-wide measure.
    pub person: Option<String>,
    /// A measure kind code (`public_welfare_post`, ...).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: MeasureKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    /// Yuan, two places (may be zero).
    #[serde(serialize_with = "ser_money")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    pub provider: String,
    /// The fund or project that paid for it, when known (the funds capability links it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund: Option<String>,
}

fn ser_money<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&fmt2(*d))
}

/// Longest plan target and provider text.
pub const MAX_TEXT: usize = 200;

/// A household as the gap rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject<'a> {
    pub number: &'a str,
    pub status: HouseholdStatus,
    pub monitoring: Option<MonitoringCategory>,
    pub housing_grade: HousingGrade,
    /// Current members: ID number and labour capacity.
    pub members: Vec<(&'a str, Option<Labor>)>,
}

impl<'a> Subject<'a> {
    pub fn of(r: &'a HouseholdRecord) -> Subject<'a> {
        Subject {
            number: &r.number,
            status: r.status,
            monitoring: r.monitoring,
            housing_grade: r.housing_grade,
            members: r
                .members
                .iter()
                .map(|m| (m.id_number.as_str(), m.labor))
                .collect(),
        }
    }
}

/// Monitored (两类户/三类户 without the poor): unstable, marginal or sudden hardship.
pub fn is_monitored(m: Option<MonitoringCategory>) -> bool {
    matches!(
        m,
        Some(
            MonitoringCategory::Unstable
                | MonitoringCategory::Marginal
                | MonitoringCategory::SuddenHardship
        )
    )
}

/// The households the gaps are about: poor or returned, or monitored (a risk-eliminated household
/// is not monitored any more).
pub fn in_scope(status: HouseholdStatus, monitoring: Option<MonitoringCategory>) -> bool {
    status.is_poor() || (status != HouseholdStatus::Removed && is_monitored(monitoring))
}

/// A member with labour capacity: skilled, ordinary, weak or half labour.
pub fn has_labour(l: Option<Labor>) -> bool {
    matches!(l, Some(Labor::Skilled | Labor::Ordinary | Labor::Weak))
}

/// One gap of a household; `person` for `untrained_labour`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapItem {
    /// A gap code (`no_employment`, ...).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: Gap,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// The gaps of a household at `as_of` from its plans and measures (any year, any date: those after
/// the date do not count). Sorted by code, then person; each code once (`untrained_labour` once per
/// member). A household out of scope has none.
pub fn gaps(
    s: &Subject<'_>,
    plans: &[&Plan],
    measures: &[&Measure],
    as_of: NaiveDate,
) -> Vec<GapItem> {
    if !in_scope(s.status, s.monitoring) {
        return Vec::new();
    }
    let year = as_of.year();
    let done: Vec<&&Measure> = measures.iter().filter(|m| m.date <= as_of).collect();
    let this_year = |kinds: &[MeasureKind]| {
        done.iter()
            .any(|m| m.date.year() == year && (kinds.is_empty() || kinds.contains(&m.kind)))
    };
    let ever = |kinds: &[MeasureKind]| done.iter().any(|m| kinds.contains(&m.kind));
    let labourers: Vec<&str> = s
        .members
        .iter()
        .filter(|(_, l)| has_labour(*l))
        .map(|(id, _)| *id)
        .collect();
    let mut out = Vec::new();
    let gap = |code| GapItem { code, person: None };
    if !plans.iter().any(|p| p.year == year) {
        out.push(gap(Gap::NoPlan));
    }
    if !labourers.is_empty()
        && !this_year(&[MeasureKind::Employment, MeasureKind::PublicWelfarePost])
    {
        out.push(gap(Gap::NoEmployment));
    }
    if labourers.is_empty() && !this_year(&[MeasureKind::Dibao, MeasureKind::DestituteSupport]) {
        out.push(gap(Gap::NoSocialSecurity));
    }
    let trained: BTreeSet<&str> = done
        .iter()
        .filter(|m| m.kind == MeasureKind::SkillsTraining)
        .filter_map(|m| m.person.as_deref())
        .collect();
    let mut untrained: Vec<&str> = labourers
        .iter()
        .copied()
        .filter(|id| !trained.contains(id))
        .collect();
    untrained.sort_unstable();
    untrained.dedup();
    for id in untrained {
        out.push(GapItem {
            code: Gap::UntrainedLabour,
            person: Some(id.to_string()),
        });
    }
    if !s.housing_grade.is_safe()
        && !ever(&[MeasureKind::HousingRenovation, MeasureKind::Relocation])
    {
        out.push(gap(Gap::UnsafeHousing));
    }
    if is_monitored(s.monitoring) && !this_year(&[]) {
        out.push(gap(Gap::NoMeasure));
    }
    out.sort();
    out
}

/// Measures of one kind for one household: how many and how much.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindTotal {
    pub count: u64,
    #[serde(serialize_with = "ser_money")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
}

/// Measures of one kind over many households.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindSummary {
    pub households: u64,
    /// Distinct members with a measure of the kind (household-wide measures name no one).
    pub people: u64,
    pub count: u64,
    #[serde(serialize_with = "ser_money")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
}

/// The measures of one household in the year of `as_of`, up to `as_of`, by kind.
pub fn measures_of_year(
    measures: &[&Measure],
    as_of: NaiveDate,
) -> BTreeMap<MeasureKind, KindTotal> {
    let mut out: BTreeMap<MeasureKind, KindTotal> = BTreeMap::new();
    for m in measures
        .iter()
        .filter(|m| m.date <= as_of && m.date.year() == as_of.year())
    {
        let t = out.entry(m.kind).or_default();
        t.count += 1;
        t.amount += m.amount;
    }
    out
}

/// Measures by kind over a set of measures (a period's report, the year of a check): households,
/// distinct people, count and amount.
#[derive(Debug, Clone, Default)]
pub struct KindTally {
    kinds: BTreeMap<MeasureKind, (KindSummary, BTreeSet<String>, BTreeSet<String>)>,
}

impl KindTally {
    pub fn add(&mut self, m: &Measure) {
        let (s, households, people) = self.kinds.entry(m.kind).or_default();
        s.count += 1;
        s.amount += m.amount;
        if households.insert(m.household.clone()) {
            s.households += 1;
        }
        if let Some(p) = &m.person {
            if people.insert(p.clone()) {
                s.people += 1;
            }
        }
    }

    /// Adds another tally's measures (of other households: a county checked on another thread).
    pub fn merge(&mut self, other: KindTally) {
        for (kind, (o, o_households, o_people)) in other.kinds {
            let (s, households, people) = self.kinds.entry(kind).or_default();
            s.count += o.count;
            s.amount += o.amount;
            households.extend(o_households);
            people.extend(o_people);
            s.households = households.len() as u64;
            s.people = people.len() as u64;
        }
    }

    pub fn finish(self) -> BTreeMap<MeasureKind, KindSummary> {
        self.kinds
            .into_iter()
            .map(|(k, (s, _, _))| (k, s))
            .collect()
    }
}

/// One household of the check's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdGaps {
    pub id: String,
    pub gaps: Vec<GapItem>,
    /// The measures of the year up to the date, by kind code.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, KindTotal>))]
    pub measures: BTreeMap<MeasureKind, KindTotal>,
}

/// The whole check's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub households: u64,
    pub with_gaps: u64,
    /// Households (for `untrained_labour`: members) by gap code.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub gaps: BTreeMap<Gap, u64>,
    /// The measures of the year up to the date, by kind code.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, KindSummary>))]
    pub measures: BTreeMap<MeasureKind, KindSummary>,
}

/// Adds up households one at a time (the JSON check and the registry's `--db` check alike).
#[derive(Debug, Default)]
pub struct Checker {
    households: u64,
    with_gaps: u64,
    gaps: BTreeMap<Gap, u64>,
    measures: KindTally,
}

impl Checker {
    /// Checks one household in scope with its plans and measures; `None` when out of scope.
    pub fn household(
        &mut self,
        s: &Subject<'_>,
        plans: &[&Plan],
        measures: &[&Measure],
        as_of: NaiveDate,
    ) -> Option<HouseholdGaps> {
        if !in_scope(s.status, s.monitoring) {
            return None;
        }
        let gaps = gaps(s, plans, measures, as_of);
        self.households += 1;
        if !gaps.is_empty() {
            self.with_gaps += 1;
        }
        for g in &gaps {
            *self.gaps.entry(g.code).or_default() += 1;
        }
        for m in measures
            .iter()
            .filter(|m| m.date <= as_of && m.date.year() == as_of.year())
        {
            self.measures.add(m);
        }
        Some(HouseholdGaps {
            id: s.number.to_string(),
            gaps,
            measures: measures_of_year(measures, as_of),
        })
    }

    /// Adds another checker's households (other households: a county checked on another thread);
    /// the summary is that of checking all of them with one.
    pub fn merge(&mut self, other: Checker) {
        self.households += other.households;
        self.with_gaps += other.with_gaps;
        for (code, n) in other.gaps {
            *self.gaps.entry(code).or_default() += n;
        }
        self.measures.merge(other.measures);
    }

    pub fn summary(self) -> Summary {
        Summary {
            households: self.households,
            with_gaps: self.with_gaps,
            gaps: self.gaps,
            measures: self.measures.finish(),
        }
    }
}

/// The output of `fupin assistance check`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: NaiveDate,
    pub policy: String,
    pub households: Vec<HouseholdGaps>,
    pub summary: Summary,
    pub errors: Vec<FieldError>,
}

/// Why a plan or measure field is bad: a stable code and the text in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl Invalid {
    fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Invalid {
        Invalid {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn message(&self) -> String {
        format!("{} / {}", self.zh, self.en)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// A measure kind by code or Chinese label (`unknown_kind`).
pub fn measure_kind(s: &str) -> Result<MeasureKind, Invalid> {
    MeasureKind::parse(s).ok_or_else(|| {
        Invalid::new(
            "unknown_kind",
            format!("未知的措施类型 {s:?}"),
            format!(
                "unknown measure kind {s:?}; known: {}",
                MeasureKind::all()
                    .iter()
                    .map(|k| k.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// A plan path by code or Chinese label (`unknown_path`).
pub fn plan_path(s: &str) -> Result<PlanPath, Invalid> {
    PlanPath::parse(s).ok_or_else(|| {
        Invalid::new(
            "unknown_path",
            format!("未知的帮扶路径 {s:?}"),
            format!(
                "unknown plan path {s:?}; known: industry, relocation, ecological, education, social_security"
            ),
        )
    })
}

/// A measure's date (`invalid_date`): YYYY-MM-DD.
pub fn measure_date(s: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Invalid::new(
            "invalid_date",
            format!("日期应为 YYYY-MM-DD,而非 {s:?}"),
            format!("a date is YYYY-MM-DD, not {s:?}"),
        )
    })
}

/// A plan's year (`invalid_year`): 2000 to 2100.
pub fn plan_year(n: i64) -> Result<i32, Invalid> {
    if (2000..=2100).contains(&n) {
        Ok(n as i32)
    } else {
        Err(Invalid::new(
            "invalid_year",
            format!("年度应在 2000 至 2100 之间,而非 {n}"),
            format!("a year is from 2000 to 2100, not {n}"),
        ))
    }
}

/// An amount in yuan (`money_*` codes).
pub fn amount(s: &str) -> Result<Decimal, Invalid> {
    money::parse_money(s).map_err(|e| Invalid::new(e.code(), e.zh(), e.en()))
}

/// A plan target or provider: at most [`MAX_TEXT`] characters, no control characters.
pub fn text(s: &str) -> Result<String, Invalid> {
    validate::plain_text(s, MAX_TEXT).map_err(|e| Invalid::new(e.code, e.zh, e.en))?;
    Ok(s.trim().to_string())
}

/// A measure's person: a valid ID number (`id_*`) of a current member of the household
/// (`person_not_member`).
pub fn person<'a>(s: &str, members: impl IntoIterator<Item = &'a str>) -> Result<String, Invalid> {
    let id = crate::ResidentId::parse(s).map_err(|e| Invalid::new(e.code(), e.zh(), e.en()))?;
    if members.into_iter().any(|m| m == id.as_str()) {
        Ok(id.as_str().to_string())
    } else {
        Err(Invalid::new(
            "person_not_member",
            format!("身份证号 {} 不是该户成员", id.masked()),
            format!("ID number {} is not a member of the household", id.masked()),
        ))
    }
}

/// An unknown household (`unknown_household`).
pub fn unknown_household(number: &str) -> Invalid {
    Invalid::new(
        "unknown_household",
        format!("户编号 {number:?} 不存在"),
        format!("no household {number:?}"),
    )
}

/// A second plan for the same household and year (`duplicate_plan`).
pub fn duplicate_plan(number: &str, year: i32) -> Invalid {
    Invalid::new(
        "duplicate_plan",
        format!("户 {number} 的 {year} 年帮扶计划重复"),
        format!("a second plan of household {number} for {year}"),
    )
}

fn missing(field: &str) -> Invalid {
    Invalid::new(
        "missing_field",
        format!("缺少必填字段 {field}"),
        format!("required field {field} is missing"),
    )
}

fn wrong_type(field: &str, what: &str) -> Invalid {
    Invalid::new(
        "invalid_type",
        format!("{field} 应为{what}"),
        format!("{field} must be {what}"),
    )
}

/// A JSON value as the text of a field: a string, or a number for money and years.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads one plan of the JSON; `members` maps each known household to its members' ID numbers.
fn read_plan(
    v: &Value,
    known: &HashMap<String, Vec<String>>,
) -> Result<Plan, Vec<(String, Invalid)>> {
    let mut errors = Vec::new();
    let Some(o) = v.as_object() else {
        return Err(vec![(String::new(), wrong_type("plan", "an object"))]);
    };
    let household = match o.get("household").and_then(text_of) {
        Some(h) if known.contains_key(h.trim()) => h.trim().to_string(),
        Some(h) => {
            errors.push(("household".into(), unknown_household(&h)));
            h
        }
        None => {
            errors.push(("household".into(), missing("household")));
            String::new()
        }
    };
    let year = match o.get("year") {
        Some(Value::Number(n)) => match n.as_i64().map(plan_year) {
            Some(Ok(y)) => y,
            Some(Err(e)) => {
                errors.push(("year".into(), e));
                0
            }
            None => {
                errors.push(("year".into(), wrong_type("year", "a whole number")));
                0
            }
        },
        Some(Value::String(s)) => match s.trim().parse::<i64>().map(plan_year) {
            Ok(Ok(y)) => y,
            Ok(Err(e)) => {
                errors.push(("year".into(), e));
                0
            }
            Err(_) => {
                errors.push(("year".into(), wrong_type("year", "a whole number")));
                0
            }
        },
        None | Some(Value::Null) => {
            errors.push(("year".into(), missing("year")));
            0
        }
        Some(_) => {
            errors.push(("year".into(), wrong_type("year", "a whole number")));
            0
        }
    };
    let mut paths = Vec::new();
    match o.get("paths") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for (i, p) in a.iter().enumerate() {
                match p.as_str().map(plan_path) {
                    Some(Ok(p)) if !paths.contains(&p) => paths.push(p),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => errors.push((format!("paths[{i}]"), e)),
                    None => errors.push((format!("paths[{i}]"), wrong_type("paths", "a code"))),
                }
            }
        }
        Some(_) => errors.push(("paths".into(), wrong_type("paths", "a list of codes"))),
    }
    let target = match o.get("target") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => text(s).unwrap_or_else(|e| {
            errors.push(("target".into(), e));
            String::new()
        }),
        Some(_) => {
            errors.push(("target".into(), wrong_type("target", "a text")));
            String::new()
        }
    };
    if errors.is_empty() {
        Ok(Plan {
            household,
            year,
            paths,
            target,
        })
    } else {
        Err(errors)
    }
}

/// Reads one measure of the JSON.
fn read_measure(
    v: &Value,
    known: &HashMap<String, Vec<String>>,
) -> Result<Measure, Vec<(String, Invalid)>> {
    let mut errors = Vec::new();
    let Some(o) = v.as_object() else {
        return Err(vec![(String::new(), wrong_type("measure", "an object"))]);
    };
    let household = o
        .get("household")
        .and_then(text_of)
        .map(|h| h.trim().to_string());
    let members = household.as_ref().and_then(|h| known.get(h));
    match (&household, members) {
        (None, _) => errors.push(("household".into(), missing("household"))),
        (Some(h), None) => errors.push(("household".into(), unknown_household(h))),
        _ => {}
    }
    let person = match o.get("person") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => {
            let list: Vec<&str> =
                members.map_or(Vec::new(), |m| m.iter().map(String::as_str).collect());
            match person(s, list) {
                // An unknown household already says it; the person is checked against a known one.
                Err(e) if members.is_none() && e.code == "person_not_member" => None,
                Err(e) => {
                    errors.push(("person".into(), e));
                    None
                }
                Ok(p) => Some(p),
            }
        }
        Some(_) => {
            errors.push((
                "person".into(),
                wrong_type("person", "an ID number or null"),
            ));
            None
        }
    };
    let kind = match o.get("kind").and_then(Value::as_str) {
        Some(k) => match measure_kind(k) {
            Ok(k) => Some(k),
            Err(e) => {
                errors.push(("kind".into(), e));
                None
            }
        },
        None => {
            errors.push(("kind".into(), missing("kind")));
            None
        }
    };
    let date = match o.get("date").and_then(Value::as_str) {
        Some(d) => match measure_date(d) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(("date".into(), e));
                None
            }
        },
        None => {
            errors.push(("date".into(), missing("date")));
            None
        }
    };
    let amount = match o.get("amount") {
        None | Some(Value::Null) => Decimal::ZERO,
        Some(v) => match text_of(v).map(|s| amount(&s)) {
            Some(Ok(a)) => a,
            Some(Err(e)) => {
                errors.push(("amount".into(), e));
                Decimal::ZERO
            }
            None => {
                errors.push(("amount".into(), wrong_type("amount", "a number of yuan")));
                Decimal::ZERO
            }
        },
    };
    let mut opt_text = |key: &str| match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match text(s) {
            Ok(t) if t.is_empty() => None,
            Ok(t) => Some(t),
            Err(e) => {
                errors.push((key.to_string(), e));
                None
            }
        },
        Some(_) => {
            errors.push((key.to_string(), wrong_type(key, "a text")));
            None
        }
    };
    let provider = opt_text("provider").unwrap_or_default();
    let fund = opt_text("fund");
    match (household, kind, date) {
        (Some(household), Some(kind), Some(date)) if errors.is_empty() => Ok(Measure {
            household,
            person,
            kind,
            date,
            amount,
            provider,
            fund,
        }),
        _ => Err(errors),
    }
}

fn field_error(
    list: &str,
    index: usize,
    field: &str,
    household: Option<&str>,
    e: Invalid,
) -> FieldError {
    let path = if field.is_empty() {
        format!("{list}[{index}]")
    } else {
        format!("{list}[{index}].{field}")
    };
    let f = FieldError::new(&path, e.code, e.message());
    match household {
        Some(h) if !h.is_empty() => f.in_household(h),
        _ => f,
    }
}

/// The whole check of a JSON document (`fupin assistance check`).
pub fn check(
    input: &Value,
    policies: &PolicySet,
    as_of_override: Option<NaiveDate>,
) -> Result<Report, InputError> {
    input::check_document(input).map_err(InputError)?;
    let as_of = as_of_date(input, as_of_override)?;
    let raw_households = list(input, "households")?;
    let raw_plans = list(input, "plans")?;
    let raw_measures = list(input, "measures")?;
    let mut errors = Vec::new();
    let mut records: Vec<HouseholdRecord> = Vec::with_capacity(raw_households.len());
    let mut known: HashMap<String, Vec<String>> = HashMap::new();
    for (i, v) in raw_households.iter().enumerate() {
        let label = input::household_label(v, i);
        match input::household_record(v, as_of) {
            Ok(r) => {
                if known.contains_key(&r.number) {
                    errors.push(
                        FieldError::new(
                            "id",
                            "duplicate_household",
                            format!(
                                "户编号重复(第{}户)/ household id used twice (#{})",
                                i + 1,
                                i + 1
                            ),
                        )
                        .in_household(&r.number),
                    );
                    continue;
                }
                known.insert(
                    r.number.clone(),
                    r.members.iter().map(|m| m.id_number.clone()).collect(),
                );
                records.push(r);
            }
            Err(e) => errors.extend(
                e.into_iter()
                    .map(|e| FieldError::from_household(e).in_household(&label)),
            ),
        }
    }
    // A household known by an invalid record still names plans and measures: they are not
    // "unknown", only unchecked; the household's own errors say why.
    let invalid_households: BTreeSet<String> = raw_households
        .iter()
        .enumerate()
        .map(|(i, v)| input::household_label(v, i))
        .filter(|l| !known.contains_key(l))
        .collect();
    let quiet = |h: &Option<String>| h.as_ref().is_some_and(|h| invalid_households.contains(h));

    let mut plans: HashMap<&str, Vec<Plan>> = HashMap::new();
    let mut plan_list = Vec::new();
    for (i, v) in raw_plans.iter().enumerate() {
        let h = v
            .get("household")
            .and_then(text_of)
            .map(|h| h.trim().to_string());
        if quiet(&h) {
            continue;
        }
        match read_plan(v, &known) {
            Ok(p) => plan_list.push((i, p)),
            Err(e) => errors.extend(
                e.into_iter()
                    .map(|(f, e)| field_error("plans", i, &f, h.as_deref(), e)),
            ),
        }
    }
    for (i, p) in plan_list {
        let number = known.get_key_value(&p.household).expect("known").0.as_str();
        let entry = plans.entry(number).or_default();
        if entry.iter().any(|q| q.year == p.year) {
            errors.push(field_error(
                "plans",
                i,
                "year",
                Some(&p.household),
                duplicate_plan(&p.household, p.year),
            ));
        } else {
            entry.push(p);
        }
    }
    let mut measures: HashMap<String, Vec<Measure>> = HashMap::new();
    for (i, v) in raw_measures.iter().enumerate() {
        let h = v
            .get("household")
            .and_then(text_of)
            .map(|h| h.trim().to_string());
        if quiet(&h) {
            continue;
        }
        match read_measure(v, &known) {
            Ok(m) => measures.entry(m.household.clone()).or_default().push(m),
            Err(e) => errors.extend(
                e.into_iter()
                    .map(|(f, e)| field_error("measures", i, &f, h.as_deref(), e)),
            ),
        }
    }

    let mut checker = Checker::default();
    let mut households = Vec::new();
    for r in &records {
        let s = Subject::of(r);
        let p: Vec<&Plan> = plans
            .get(r.number.as_str())
            .map_or(Vec::new(), |v| v.iter().collect());
        let m: Vec<&Measure> = measures
            .get(&r.number)
            .map_or(Vec::new(), |v| v.iter().collect());
        if let Some(g) = checker.household(&s, &p, &m, as_of) {
            households.push(g);
        }
    }
    Ok(Report {
        as_of,
        policy: policies.name().to_string(),
        households,
        summary: checker.summary(),
        errors,
    })
}

// ---------------------------------------------------------------------------------------------
// Calculators: what a household is entitled to, each a policy value by area and year.

/// What a household is entitled to in a year, by measure kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entitlement {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: MeasureKind,
    /// Yuan for the year.
    #[serde(serialize_with = "ser_money")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub yearly: Decimal,
    /// How it is computed, zh / en.
    pub basis: String,
    /// The policy file and year of the value.
    pub source: String,
}

fn source(s: &Sourced<Decimal>, key: &str) -> String {
    match &s.entry {
        Some(e) => format!("{}: {key} {e}", s.file),
        None => format!("{}: {key}", s.file),
    }
}

/// 低保: the yearly top-up of a 低保 household, max(0, standard × members − net income)
/// (DOMAIN.md §8); none when the region has no standard.
pub fn dibao_yearly(
    policy: &Policy<'_>,
    date: NaiveDate,
    net: Decimal,
    members: usize,
) -> Option<(Decimal, Sourced<Decimal>)> {
    let s = policy.dibao_standard(date)?;
    let out = crate::rules::dibao(net, members, s.value);
    Some((
        crate::money::round2(out.monthly_top_up * Decimal::from(12)),
        s,
    ))
}

/// 特困供养: the destitute-support standard per person per year × members.
pub fn destitute_yearly(
    policy: &Policy<'_>,
    date: NaiveDate,
    members: usize,
) -> Option<(Decimal, Sourced<Decimal>)> {
    let s = policy.yearly_opt("destitute_standard", date)?;
    Some((s.value * Decimal::from(members), s))
}

/// 雨露计划: the aid per student and year (Jincheng 2020: 3,000 yuan) × students.
pub fn education_aid(
    policy: &Policy<'_>,
    date: NaiveDate,
    students: usize,
) -> Option<(Decimal, Sourced<Decimal>)> {
    let s = policy.yearly_opt("education_aid_per_student", date)?;
    Some((s.value * Decimal::from(students), s))
}

/// A student 雨露计划 covers: secondary or higher vocational school.
pub fn education_aid_student(s: SchoolStatus) -> bool {
    matches!(
        s,
        SchoolStatus::SecondaryVocational | SchoolStatus::HigherVocational
    )
}

/// The military-family allowance (优待金) of a poor conscript's family: the yearly amount, and the
/// one-off reward for service in Tibet or Xinjiang (Suining: 6,000 a year; 10,000 once).
pub fn military_family_allowance(
    policy: &Policy<'_>,
    date: NaiveDate,
    remote_service: bool,
) -> Option<(Decimal, Decimal)> {
    let yearly = policy.yearly_opt("military_family_allowance", date)?.value;
    let once = if remote_service {
        policy
            .yearly_opt("military_family_remote_reward", date)
            .map_or(Decimal::ZERO, |s| s.value)
    } else {
        Decimal::ZERO
    };
    Some((yearly, once))
}

/// A hospital claim against the policy's floor of reimbursement (Shangzhou 90%, Jincheng 94%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reimbursement {
    /// Reimbursed ÷ claim × 100, two places.
    pub ratio_pct: String,
    pub floor_pct: String,
    pub meets_floor: bool,
    /// What a claim still needs to reach the floor (zero when it does).
    #[serde(serialize_with = "ser_money")]
    pub shortfall: Decimal,
}

/// The reimbursement of a claim of `total` yuan with `reimbursed` paid, against the floor; none when
/// the policy has no floor or the claim is zero.
pub fn medical_reimbursement(
    policy: &Policy<'_>,
    date: NaiveDate,
    total: Decimal,
    reimbursed: Decimal,
) -> Option<Reimbursement> {
    let floor = policy
        .yearly_opt("medical_reimbursement_floor_pct", date)?
        .value;
    if total <= Decimal::ZERO {
        return None;
    }
    let hundred = Decimal::from(100);
    // Compared without rounding: reimbursed × 100 ≥ floor × total.
    let meets = reimbursed * hundred >= floor * total;
    let needed = floor * total / hundred - reimbursed;
    Some(Reimbursement {
        ratio_pct: fmt2(reimbursed * hundred / total),
        floor_pct: crate::money::fmt_plain(floor),
        meets_floor: meets,
        shortfall: if meets {
            Decimal::ZERO
        } else {
            crate::money::round2(needed)
        },
    })
}

/// What a registered household is entitled to in the year of `date` under its area's policy:
/// 低保 for a 低保 household, 特困供养 for a destitute-support household, 雨露计划 per vocational
/// student; each only when the policy of the area has the value.
pub fn entitlements(r: &HouseholdRecord, policy: &Policy<'_>, date: NaiveDate) -> Vec<Entitlement> {
    let mut out = Vec::new();
    let n = r.members.len();
    match r.attribute {
        Some(Attribute::Dibao) => {
            if let Some((y, s)) = dibao_yearly(policy, date, r.income.net(), n) {
                out.push(Entitlement {
                    kind: MeasureKind::Dibao,
                    yearly: y,
                    basis: format!(
                        "(标准 {} × {n} 人 − 纯收入 {}) / (standard {} × {n} − net income {})",
                        fmt2(s.value),
                        fmt2(r.income.net()),
                        fmt2(s.value),
                        fmt2(r.income.net())
                    ),
                    source: source(&s, "dibao_standard"),
                });
            }
        }
        Some(Attribute::Destitute) => {
            if let Some((y, s)) = destitute_yearly(policy, date, n) {
                out.push(Entitlement {
                    kind: MeasureKind::DestituteSupport,
                    yearly: y,
                    basis: format!(
                        "标准 {} × {n} 人 / standard {} × {n}",
                        fmt2(s.value),
                        fmt2(s.value)
                    ),
                    source: source(&s, "destitute_standard"),
                });
            }
        }
        _ => {}
    }
    let students = r
        .members
        .iter()
        .filter(|m| education_aid_student(m.school_status))
        .count();
    if students > 0 {
        if let Some((y, s)) = education_aid(policy, date, students) {
            out.push(Entitlement {
                kind: MeasureKind::EducationAid,
                yearly: y,
                basis: format!(
                    "雨露计划 {} × {students} 名职业学校学生 / Yulu plan {} × {students} vocational students",
                    fmt2(s.value),
                    fmt2(s.value)
                ),
                source: source(&s, "education_aid_per_student"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
