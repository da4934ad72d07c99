//! The return-to-poverty monitoring workflow (防返贫监测, DOMAIN.md §7 and §13): signals from three
//! sources, the comparison of a department's data with the registry ([`compare`]), the steps of a
//! case from signal to county decision and their timing ([`case_timing`]), and risk elimination of
//! an enrolled household ([`risk_elimination`]). The monitoring *category* of a household stays
//! [`crate::registry::monitoring`]'s; a decided case is what changes the one stored.

use crate::access::Role;
use crate::codes::{Attribute, Check, CodeList, HouseholdStatus, Labor, MonitoringCategory};
use crate::error::RowError;
use crate::id::ResidentId;
use crate::model::Household;
use crate::money::{fmt2, parse_money, Decimal};
use crate::rules;
use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;

crate::codes::code_list!(
    /// An item of a department's data (部门筛查预警, DOMAIN.md §13).
    Item, "department_item", {
    Vehicle => ("vehicle", "车辆", "vehicle"),
    Company => ("company", "工商注册", "registered company"),
    PublicPayroll => ("public_payroll", "财政供养", "public payroll"),
    CommercialHousing => ("commercial_housing", "商品房", "commercial housing"),
    MedicalExpense => ("medical_expense", "医疗自付", "medical out-of-pocket costs"),
    SeriousIllness => ("serious_illness", "新发大病", "new serious illness"),
    Disability => ("disability", "新增残疾", "new disability"),
    Death => ("death", "死亡", "death"),
    Disaster => ("disaster", "受灾", "disaster loss"),
    Unemployment => ("unemployment", "失业", "unemployment"),
});

impl Item {
    /// An asset item: its holder may not be eligible ("穷人帽子富人戴").
    pub fn is_asset(self) -> bool {
        matches!(
            self,
            Item::Vehicle | Item::Company | Item::PublicPayroll | Item::CommercialHousing
        )
    }

    /// A risk item: every item that is neither an asset nor `death`.
    pub fn is_risk(self) -> bool {
        !self.is_asset() && self != Item::Death
    }

    /// A risk item that counts only from the policy's amount (`department_alert_min_amount`).
    pub fn needs_amount(self) -> bool {
        matches!(self, Item::MedicalExpense | Item::Disaster)
    }
}

crate::codes::code_list!(
    /// Where a monitoring signal comes from.
    Source, "signal_source", {
    SelfReport => ("self_report", "农户自主申报", "self-report"),
    Visit => ("visit", "干部排查", "cadre visit"),
    Department => ("department", "部门筛查预警", "department data"),
    Registry => ("registry", "登记数据研判", "registry data"),
});

crate::codes::code_list!(
    /// The steps of a monitoring case, in order (DOMAIN.md §13).
    Step, "case_step", {
    Signal => ("signal", "风险信号", "signal"),
    HomeVerification => ("home_verification", "入户核实", "home verification"),
    VillageAppraisal => ("village_appraisal", "民主评议", "village appraisal"),
    PublicNotice => ("public_notice", "公示", "public notice"),
    TownshipReview => ("township_review", "乡镇审核", "township review"),
    CountyDecision => ("county_decision", "县级确定", "county decision"),
});

impl Step {
    /// The position of the step in the procedure (0 for the signal).
    pub fn order(self) -> usize {
        Step::all().iter().position(|s| *s == self).expect("listed")
    }

    /// The step after this one, `None` after the county decision.
    pub fn next(self) -> Option<Step> {
        Step::all().get(self.order() + 1).copied()
    }
}

/// The level a case step belongs to, as [`crate::access::step_level`] assigns the steps of
/// 两公示一公告: the village's steps (signal, home verification, appraisal, public notice), the
/// township review, the county decision.
pub fn step_level(step: Step) -> Role {
    match step {
        Step::TownshipReview => Role::Township,
        Step::CountyDecision => Role::County,
        _ => Role::Village,
    }
}

/// Whether a role may record a case step (separation of duties): the village's steps by village
/// accounts and above (township, county), the township review by township accounts only, the
/// county decision by county accounts only; the administrator everything; cadres and viewers none.
pub fn may_record(role: Role, step: Step) -> bool {
    match (role, step_level(step)) {
        (Role::Admin, _) => true,
        (role, Role::Village) => matches!(role, Role::County | Role::Township | Role::Village),
        (role, level) => role == level,
    }
}

crate::codes::code_list!(
    /// The county's decision on a case.
    Outcome, "case_outcome", {
    Enrolled => ("enrolled", "纳入监测", "enrolled"),
    Rejected => ("rejected", "不予纳入", "rejected"),
});

crate::codes::code_list!(
    /// The alerts of a department comparison (DOMAIN.md §13).
    AlertCode, "department_alert", {
    IneligibleAsset => ("ineligible_asset", "疑似不符合条件(有资产)", "possibly ineligible (asset)"),
    MemberDeceased => ("member_deceased", "成员死亡(应自然减少)", "member deceased (record the decrease)"),
    RiskSignal => ("risk_signal", "返贫致贫风险", "risk signal"),
    UnregisteredRisk => ("unregistered_risk", "未在库人员有风险(疑似漏评)", "person not in the registry at risk (possibly missed)"),
});

/// The columns of a department file, by Chinese or English header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    IdNumber,
    Name,
    Item,
    Amount,
    Date,
    Department,
}

impl Column {
    pub const ALL: [Column; 6] = [
        Column::IdNumber,
        Column::Name,
        Column::Item,
        Column::Amount,
        Column::Date,
        Column::Department,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Column::IdNumber => "证件号码",
            Column::Name => "姓名",
            Column::Item => "事项",
            Column::Amount => "金额",
            Column::Date => "日期",
            Column::Department => "部门",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Column::IdNumber => "id_number",
            Column::Name => "name",
            Column::Item => "item",
            Column::Amount => "amount",
            Column::Date => "date",
            Column::Department => "department",
        }
    }

    /// The column a header names (Chinese or English, blanks and case ignored).
    pub fn from_header(h: &str) -> Option<Column> {
        let h = h.trim().trim_start_matches('\u{feff}').trim();
        Column::ALL
            .into_iter()
            .find(|c| c.zh() == h || c.en().eq_ignore_ascii_case(h))
    }

    /// Whether a row must fill it.
    pub fn required(self) -> bool {
        matches!(self, Column::IdNumber | Column::Item)
    }
}

/// One row of a department file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRow {
    /// The 1-based row in the file (the header is row 1).
    pub row: usize,
    pub id_number: ResidentId,
    pub name: String,
    pub item: Item,
    pub amount: Option<Decimal>,
    pub date: Option<NaiveDate>,
    pub department: String,
}

/// Reads one row of a department file: `cell(column)` gives the header as the file writes it and
/// the cell's text (`None` when the file has no such column). Every bad cell is a [`RowError`] at
/// the row and column; a row with a bad ID number is never matched.
pub fn department_row<'a>(
    row: usize,
    cell: impl Fn(Column) -> Option<(&'a str, &'a str)>,
) -> Result<DepartmentRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let text = |c: Column| cell(c).map(|(_, v)| v.trim()).unwrap_or("");
    let header = |c: Column| cell(c).map_or(c.zh(), |(h, _)| h);
    for c in Column::ALL {
        if c.required() && text(c).is_empty() {
            errors.push(RowError::new(
                row,
                header(c),
                "",
                "missing_field",
                &format!("缺少{}", c.zh()),
                &format!("{} is missing", c.en()),
            ));
        }
    }
    let id_text = text(Column::IdNumber);
    let id = if id_text.is_empty() {
        None
    } else {
        match ResidentId::parse(id_text) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(RowError::new(
                    row,
                    header(Column::IdNumber),
                    id_text,
                    e.code(),
                    e.zh(),
                    e.en(),
                ));
                None
            }
        }
    };
    let item_text = text(Column::Item);
    let item = if item_text.is_empty() {
        None
    } else {
        let item = Item::parse(item_text);
        if item.is_none() {
            errors.push(RowError::new(
                row,
                header(Column::Item),
                item_text,
                "unknown_code",
                "事项不在代码表中(车辆、工商注册、财政供养、商品房、医疗自付、新发大病、新增残疾、死亡、受灾、失业)",
                "unknown item (vehicle, company, public_payroll, commercial_housing, medical_expense, serious_illness, disability, death, disaster, unemployment)",
            ));
        }
        item
    };
    let amount_text = text(Column::Amount);
    let amount = if amount_text.is_empty() {
        None
    } else {
        match parse_money(amount_text) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(RowError::new(
                    row,
                    header(Column::Amount),
                    amount_text,
                    e.code(),
                    e.zh(),
                    e.en(),
                ));
                None
            }
        }
    };
    let date_text = text(Column::Date);
    let date = if date_text.is_empty() {
        None
    } else {
        match parse_date(date_text) {
            Some(d) => Some(d),
            None => {
                errors.push(RowError::new(
                    row,
                    header(Column::Date),
                    date_text,
                    "date",
                    "日期应为 YYYY-MM-DD",
                    "a date is written YYYY-MM-DD",
                ));
                None
            }
        }
    };
    for c in [Column::Name, Column::Department] {
        let v = text(c);
        if v.chars().count() > 50 || v.chars().any(char::is_control) {
            errors.push(RowError::new(
                row,
                header(c),
                v,
                "text",
                "文字过长(最多50字)或含控制字符",
                "text too long (at most 50 characters) or holds control characters",
            ));
        }
    }
    match (id, item) {
        (Some(id_number), Some(item)) if errors.is_empty() => Ok(DepartmentRow {
            row,
            id_number,
            name: text(Column::Name).to_string(),
            item,
            amount,
            date,
            department: text(Column::Department).to_string(),
        }),
        _ => Err(errors),
    }
}

/// A date as `2021-06-30`, `2021/6/30` or `20210630` (spreadsheets write all three).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
        .ok()
}

/// A current member of the registry, as the comparison sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub household: String,
    pub status: HouseholdStatus,
    pub monitoring: Option<MonitoringCategory>,
}

impl Registered {
    /// Monitored: category `unstable`, `marginal` or `sudden_hardship`.
    pub fn monitored(&self) -> bool {
        self.monitoring
            .is_some_and(|c| crate::tally::MONITORED.contains(&c))
    }
}

/// One alert of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: AlertCode,
    /// The row of the department file.
    pub row: usize,
    pub id_number: String,
    pub name: String,
    /// The household number; `null` for a person not in the registry.
    pub household: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub item: Item,
    #[serde(serialize_with = "ser_amount", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub department: String,
    /// For a `risk_signal`: the case it opened (or the household's open case), `null` when none was
    /// opened (a dry run, a file of households); absent for other alerts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub case: Option<Option<String>>,
}

fn ser_amount<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&fmt2(*d)),
        None => s.serialize_none(),
    }
}

/// Compares checked department rows with the registry (`registry`: current members by ID number,
/// as [`Registered`]) under the policy's `min_amount`. One alert per matching row, sorted by code,
/// then ID number, then item (then row). Members of `removed` households count as not in the
/// registry.
pub fn compare(
    rows: &[DepartmentRow],
    registry: &HashMap<String, Registered>,
    min_amount: Decimal,
) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = rows
        .iter()
        .filter_map(|r| {
            let person = registry
                .get(r.id_number.as_str())
                .filter(|p| p.status != HouseholdStatus::Removed);
            let code = alert_code(r, person, min_amount)?;
            Some(Alert {
                code,
                row: r.row,
                id_number: r.id_number.as_str().to_string(),
                name: r.name.clone(),
                household: person.map(|p| p.household.clone()),
                item: r.item,
                amount: r.amount,
                date: r.date,
                department: r.department.clone(),
                case: (code == AlertCode::RiskSignal).then_some(None),
            })
        })
        .collect();
    alerts.sort_by(|a, b| {
        (a.code.code(), &a.id_number, a.item.code(), a.row).cmp(&(
            b.code.code(),
            &b.id_number,
            b.item.code(),
            b.row,
        ))
    });
    alerts
}

/// The alert one row raises (DOMAIN.md §13), if any. `person` is `None` for someone not in the
/// registry (or in a removed household).
pub fn alert_code(
    r: &DepartmentRow,
    person: Option<&Registered>,
    min_amount: Decimal,
) -> Option<AlertCode> {
    match (r.item, person) {
        (Item::Death, Some(_)) => Some(AlertCode::MemberDeceased),
        (Item::Death, None) => None,
        (item, Some(p)) if item.is_asset() => {
            (p.status.is_poor() || p.monitored()).then_some(AlertCode::IneligibleAsset)
        }
        (_, None) if r.item.is_asset() => None,
        (item, person) => {
            if item.needs_amount() && r.amount.is_none_or(|a| a < min_amount) {
                return None;
            }
            match person {
                None => Some(AlertCode::UnregisteredRisk),
                Some(p)
                    if matches!(p.status, HouseholdStatus::Exited | HouseholdStatus::NonPoor) =>
                {
                    Some(AlertCode::RiskSignal)
                }
                Some(_) => None,
            }
        }
    }
}

/// A case's id: `K`, the year of its signal and a six-digit sequence of that year (`K2021000001`).
pub fn case_id(year: i32, seq: u32) -> String {
    format!("K{year}{seq:06}")
}

/// One recorded step of a case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseStepRecord))]
pub struct StepRecord {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub step: Step,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    /// The county decision's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub outcome: Option<Outcome>,
    /// The category an enrolment gives (`unstable`, `marginal`, `sudden_hardship`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub category: Option<MonitoringCategory>,
}

/// A case as the timing rules see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    pub id: String,
    pub household: String,
    pub source: Source,
    pub signal_date: NaiveDate,
    #[serde(default)]
    pub steps: Vec<StepRecord>,
}

/// A problem with a case's steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseError {
    /// `step_order` (a step out of order, or dated before the signal or the step before it),
    /// `decision_outcome` (a county decision without its outcome, or an outcome on another step),
    /// `decision_category` (an enrolment without a monitored category, or a rejection with one).
    pub code: &'static str,
    /// The 1-based position of the step in the case.
    pub step_index: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub step: Step,
    pub zh: String,
    pub en: String,
}

/// The timing of a case at a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseTiming {
    pub id: String,
    pub household: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub source: Source,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub signal_date: NaiveDate,
    /// The last recorded step (`signal` when none is).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub step: Step,
    /// Days from the signal to the county decision, or to the date looked at when undecided.
    pub days_open: i64,
    /// The last day a decision is on time: the signal date plus the policy maximum.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: NaiveDate,
    /// Undecided and open longer than the policy maximum.
    pub overdue: bool,
    /// Decided after more than the policy maximum.
    pub decided_late: bool,
    /// The county decision, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<StepRecord>,
    pub errors: Vec<CaseError>,
}

impl CaseTiming {
    pub fn decided(&self) -> bool {
        self.decision.is_some()
    }
}

/// The timing of one case at `as_of` with at most `max_days` from signal to decision
/// (`monitoring_decision_max_days`): exactly `max_days` is on time, one more is overdue.
pub fn case_timing(case: &CaseInput, as_of: NaiveDate, max_days: u32) -> CaseTiming {
    let errors = step_errors(case.signal_date, &case.steps);
    let decision = case
        .steps
        .iter()
        .find(|s| s.step == Step::CountyDecision)
        .cloned();
    let end = decision.as_ref().map_or(as_of, |d| d.date);
    let days_open = (end - case.signal_date).num_days().max(0);
    let late = days_open > i64::from(max_days);
    CaseTiming {
        id: case.id.clone(),
        household: case.household.clone(),
        source: case.source,
        signal_date: case.signal_date,
        step: case.steps.last().map_or(Step::Signal, |s| s.step),
        days_open,
        deadline: case.signal_date + chrono::Days::new(u64::from(max_days)),
        overdue: decision.is_none() && late,
        decided_late: decision.is_some() && late,
        decision,
        errors,
    }
}

/// The errors of a case's steps: each step after the one before it in the procedure, dated on or
/// after the signal and the step before it; the county decision with its outcome (and an
/// enrolment's category).
pub fn step_errors(signal_date: NaiveDate, steps: &[StepRecord]) -> Vec<CaseError> {
    let mut errors = Vec::new();
    let mut previous: Option<&StepRecord> = None;
    for (i, s) in steps.iter().enumerate() {
        let err = |code: &'static str, zh: String, en: String| CaseError {
            code,
            step_index: i + 1,
            step: s.step,
            zh,
            en,
        };
        if s.date < signal_date {
            errors.push(err(
                "step_order",
                format!("{}({})早于信号日期 {}", s.step.zh(), s.date, signal_date),
                format!(
                    "{} ({}) is before the signal ({})",
                    s.step.en(),
                    s.date,
                    signal_date
                ),
            ));
        }
        if let Some(p) = previous {
            if s.step.order() <= p.step.order() {
                errors.push(err(
                    "step_order",
                    format!("{}不能在{}之后", s.step.zh(), p.step.zh()),
                    format!("{} cannot follow {}", s.step.en(), p.step.en()),
                ));
            } else if s.date < p.date {
                errors.push(err(
                    "step_order",
                    format!(
                        "{}({})早于上一步{}({})",
                        s.step.zh(),
                        s.date,
                        p.step.zh(),
                        p.date
                    ),
                    format!(
                        "{} ({}) is before the step before it, {} ({})",
                        s.step.en(),
                        s.date,
                        p.step.en(),
                        p.date
                    ),
                ));
            }
        }
        match (s.step, s.outcome, s.category) {
            (Step::CountyDecision, None, _) => errors.push(err(
                "decision_outcome",
                "县级确定须写明纳入监测或不予纳入".into(),
                "a county decision states enrolled or rejected".into(),
            )),
            (Step::CountyDecision, Some(Outcome::Enrolled), c)
                if !c.is_some_and(|c| crate::tally::MONITORED.contains(&c)) =>
            {
                errors.push(err(
                    "decision_category",
                    "纳入监测须写明类别(脱贫不稳定户、边缘易致贫户、突发严重困难户)".into(),
                    "an enrolment states its category (unstable, marginal, sudden_hardship)".into(),
                ))
            }
            (Step::CountyDecision, Some(Outcome::Rejected), Some(_)) => errors.push(err(
                "decision_category",
                "不予纳入时不写类别".into(),
                "a rejection states no category".into(),
            )),
            (Step::CountyDecision, _, _) | (_, None, None) => {}
            (_, _, _) => errors.push(err(
                "decision_outcome",
                "只有县级确定写明结果和类别".into(),
                "only the county decision states an outcome and category".into(),
            )),
        }
        previous = Some(s);
    }
    errors
}

/// What risk elimination of an enrolled household is judged on, beside the household itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EliminationEvidence {
    /// Consecutive months the per-capita income has been above the monitoring line.
    pub months_above_line: u32,
    /// Rigid expenses (medical, education, disaster) are resolved.
    pub rigid_expense_resolved: bool,
    /// Lives on social-security measures (兜底); `None`: judged from the household's attribute
    /// (低保 or 特困供养).
    pub social_security: Option<bool>,
}

/// No member with labour capacity (skilled, ordinary or weak labour) and living on social security.
pub fn social_security_dependent(h: &Household, social_security: Option<bool>) -> bool {
    let no_labour = !h.members.iter().any(|m| {
        matches!(
            m.labor,
            Some(Labor::Skilled | Labor::Ordinary | Labor::Weak)
        )
    });
    let on_security = social_security.unwrap_or(matches!(
        h.attribute,
        Some(Attribute::Dibao | Attribute::Destitute)
    ));
    no_labour && on_security
}

/// Risk elimination (风险消除, DOMAIN.md §7) of an enrolled household at `as_of`: the failed checks
/// (`social_security_dependent`, `income_not_stable`, `rigid_expense_unresolved`, then the failed
/// guarantees of the household); empty means the risk may be marked eliminated.
pub fn risk_elimination(
    h: &Household,
    evidence: &EliminationEvidence,
    school_age: (u32, u32),
    as_of: NaiveDate,
    min_months: u32,
) -> Vec<Check> {
    rules::risk_elimination(
        &rules::RiskEliminationFacts {
            months_above_line: evidence.months_above_line,
            rigid_expense_resolved: evidence.rigid_expense_resolved,
            guarantees_failed: rules::guarantee_failures(h, school_age, as_of),
            social_security_dependent: social_security_dependent(h, evidence.social_security),
        },
        min_months,
    )
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.code,
            self.id_number,
            self.household.as_deref().unwrap_or("-"),
            self.item
        )
    }
}

#[cfg(test)]
mod tests;
