//! The rules: household exit (§4), monitoring (§7), 低保 (§8), village and county exit (§6).
//! Each rule is a pure function that returns what failed, by stable code.

use crate::codes::{Check, HouseholdStatus, MonitoringCategory, VillageIndicator};
use crate::model::Household;
use crate::money::Decimal;
use chrono::NaiveDate;

/// Per-capita net income, exact (shown rounded to fen).
pub fn per_capita(net: Decimal, members: usize) -> Decimal {
    if members == 0 {
        return Decimal::ZERO;
    }
    net / Decimal::from(members)
}

/// True when per-capita `net` over `members` is strictly above `line` (compared without rounding).
pub fn above_line(net: Decimal, members: usize, line: Decimal) -> bool {
    net > line * Decimal::from(members)
}

/// True when per-capita `net` over `members` is strictly below `line`.
pub fn below_line(net: Decimal, members: usize, line: Decimal) -> bool {
    net < line * Decimal::from(members)
}

/// The six non-income checks of the exit standard (两不愁三保障 and drinking water), failed ones in order.
pub fn guarantee_failures(h: &Household, school_age: (u32, u32), as_of: NaiveDate) -> Vec<Check> {
    let mut failed = Vec::new();
    if !h.food {
        failed.push(Check::Food);
    }
    if !h.clothing {
        failed.push(Check::Clothing);
    }
    if h.members
        .iter()
        .any(|m| out_of_compulsory_school(m, school_age, as_of))
    {
        failed.push(Check::CompulsoryEducation);
    }
    if h.members.iter().any(|m| !m.medical_insured) {
        failed.push(Check::BasicMedical);
    }
    if !h.housing_grade.is_safe() {
        failed.push(Check::HousingSafety);
    }
    if !h.water {
        failed.push(Check::DrinkingWater);
    }
    failed
}

/// A member of compulsory school age (inclusive, completed years at `as_of`) who is not in school
/// (`none` or `dropped_out`). Education at home (`exempt`) and any enrolment count as in school.
pub fn out_of_compulsory_school(
    m: &crate::model::Member,
    (lo, hi): (u32, u32),
    as_of: NaiveDate,
) -> bool {
    use crate::codes::SchoolStatus::{DroppedOut, NotInSchool};
    let in_age = m
        .id_number
        .age_at(as_of)
        .is_some_and(|a| (lo..=hi).contains(&a));
    in_age && matches!(m.school_status, NotInSchool | DroppedOut)
}

/// The outcome of the household exit check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitOutcome {
    pub per_capita_income: Decimal,
    pub failed: Vec<Check>,
}

impl ExitOutcome {
    pub fn meets_standard(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Household exit (户脱贫): per-capita net income strictly above the poverty line, and the six guarantees.
pub fn household_exit(
    h: &Household,
    poverty_line: Decimal,
    school_age: (u32, u32),
    as_of: NaiveDate,
) -> ExitOutcome {
    let net = h.income.net();
    let n = h.members.len();
    let mut failed = Vec::new();
    if !above_line(net, n, poverty_line) {
        failed.push(Check::IncomeBelowLine);
    }
    failed.extend(guarantee_failures(h, school_age, as_of));
    ExitOutcome {
        per_capita_income: per_capita(net, n),
        failed,
    }
}

/// The outcome of monitoring classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitoring {
    pub category: MonitoringCategory,
    pub reasons: Vec<Check>,
}

/// Monitoring classification (§7) under a monitoring line:
/// poor and returned households are not applicable (under assistance); an exited (`unstable`) or
/// never-poor (`marginal`) household is monitored when its per-capita income is strictly below the
/// line or a guarantee fails; otherwise `sudden_hardship` when income after rigid expenses is strictly
/// below the line; otherwise `none`. Removed households are not monitoring objects either.
pub fn monitoring(
    h: &Household,
    line: Decimal,
    school_age: (u32, u32),
    as_of: NaiveDate,
) -> Monitoring {
    let category = match h.status {
        HouseholdStatus::Exited => MonitoringCategory::Unstable,
        HouseholdStatus::NonPoor => MonitoringCategory::Marginal,
        HouseholdStatus::Poor | HouseholdStatus::Returned | HouseholdStatus::Removed => {
            return Monitoring {
                category: MonitoringCategory::NotApplicable,
                reasons: vec![],
            }
        }
    };
    let net = h.income.net();
    let n = h.members.len();
    let mut reasons = Vec::new();
    if below_line(net, n, line) {
        reasons.push(Check::IncomeBelowMonitoringLine);
    }
    reasons.extend(guarantee_failures(h, school_age, as_of));
    if !reasons.is_empty() {
        return Monitoring { category, reasons };
    }
    if below_line(net - h.rigid_expense.total(), n, line) {
        return Monitoring {
            category: MonitoringCategory::SuddenHardship,
            reasons: vec![Check::RigidExpense],
        };
    }
    Monitoring {
        category: MonitoringCategory::NoRisk,
        reasons,
    }
}

/// The 低保 top-up of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dibao {
    pub eligible: bool,
    /// max(0, monthly standard − monthly per-capita income) × members, exact (shown rounded to fen).
    pub monthly_top_up: Decimal,
}

/// 低保 (§8): eligible when per-capita income is strictly below the annual standard.
pub fn dibao(net: Decimal, members: usize, annual_standard: Decimal) -> Dibao {
    let gap = annual_standard * Decimal::from(members) - net;
    if gap > Decimal::ZERO && members > 0 {
        Dibao {
            eligible: true,
            monthly_top_up: gap / Decimal::from(12),
        }
    } else {
        Dibao {
            eligible: false,
            monthly_top_up: Decimal::ZERO,
        }
    }
}

/// Why an incidence cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidenceError {
    /// The registered rural population is zero.
    NoPopulation,
    /// More poor people than registered rural people.
    PoorExceedsPopulation,
}

impl IncidenceError {
    pub fn message(self) -> &'static str {
        match self {
            IncidenceError::NoPopulation => "农村户籍人口应大于0 / the registered rural population must be above 0",
            IncidenceError::PoorExceedsPopulation => {
                "贫困人口超过农村户籍人口 / the poor population exceeds the registered rural population"
            }
        }
    }
}

/// 贫困发生率: poor population ÷ registered rural population × 100, exact, within 0..=100.
pub fn incidence_pct(poor: u64, rural: u64) -> Result<Decimal, IncidenceError> {
    if rural == 0 {
        return Err(IncidenceError::NoPopulation);
    }
    if poor > rural {
        return Err(IncidenceError::PoorExceedsPopulation);
    }
    Ok(Decimal::from(poor) * Decimal::from(100) / Decimal::from(rural))
}

/// True when `poor / rural × 100` is strictly below `max_pct` (compared without rounding).
fn incidence_below(poor: u64, rural: u64, max_pct: Decimal) -> bool {
    Decimal::from(poor) * Decimal::from(100) < max_pct * Decimal::from(rural)
}

/// A failed check of a village: `incidence` or an indicator that does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VillageCheck {
    Incidence,
    Indicator(VillageIndicator),
}

impl VillageCheck {
    pub fn code(self) -> &'static str {
        use crate::codes::CodeList;
        match self {
            VillageCheck::Incidence => Check::Incidence.code(),
            VillageCheck::Indicator(i) => i.code(),
        }
    }
}

/// Village exit (§6): incidence strictly below the threshold and every required indicator holding.
/// `indicators` gives the value of each required indicator, in policy order.
pub fn village_exit(
    poor: u64,
    rural: u64,
    max_pct: Decimal,
    indicators: &[(VillageIndicator, bool)],
) -> Vec<VillageCheck> {
    let mut failed = Vec::new();
    if !incidence_below(poor, rural, max_pct) {
        failed.push(VillageCheck::Incidence);
    }
    failed.extend(
        indicators
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(i, _)| VillageCheck::Indicator(*i)),
    );
    failed
}

/// The figures a county exit is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyFigures {
    pub poor_population: u64,
    pub rural_population: u64,
    pub wrong_exit_pct: Decimal,
    pub missed_pct: Decimal,
    pub satisfaction_pct: Decimal,
}

/// The thresholds of county exit (from policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyThresholds {
    pub max_incidence_pct: Decimal,
    pub max_wrong_exit_pct: Decimal,
    pub max_missed_pct: Decimal,
    pub min_satisfaction_pct: Decimal,
}

/// County exit (摘帽, §6): incidence below the threshold, wrong-exit and missed rates at most their
/// limits, satisfaction at least its minimum.
pub fn county_exit(f: &CountyFigures, t: &CountyThresholds) -> Vec<Check> {
    let mut failed = Vec::new();
    if !incidence_below(f.poor_population, f.rural_population, t.max_incidence_pct) {
        failed.push(Check::Incidence);
    }
    if f.wrong_exit_pct > t.max_wrong_exit_pct {
        failed.push(Check::WrongExitRate);
    }
    if f.missed_pct > t.max_missed_pct {
        failed.push(Check::MissedRate);
    }
    if f.satisfaction_pct < t.min_satisfaction_pct {
        failed.push(Check::Satisfaction);
    }
    failed
}

/// What risk elimination (风险消除, §7) is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskEliminationFacts {
    /// Consecutive months the per-capita income has been above the monitoring line.
    pub months_above_line: u32,
    /// Rigid expenses (medical, education, disaster) are resolved.
    pub rigid_expense_resolved: bool,
    /// The non-income guarantees that fail today (see [`guarantee_failures`]).
    pub guarantees_failed: Vec<Check>,
    /// The household has no labour capacity and lives on social-security measures (兜底).
    pub social_security_dependent: bool,
}

/// Risk elimination: income stably above the line for at least `min_months`, rigid expenses resolved,
/// the guarantees holding; a household with no labour capacity living on social security is never
/// marked eliminated. Returns the failed checks (empty: the risk may be marked eliminated).
pub fn risk_elimination(f: &RiskEliminationFacts, min_months: u32) -> Vec<Check> {
    let mut failed = Vec::new();
    if f.social_security_dependent {
        failed.push(Check::SocialSecurityDependent);
    }
    if f.months_above_line < min_months {
        failed.push(Check::IncomeNotStable);
    }
    if !f.rigid_expense_resolved {
        failed.push(Check::RigidExpenseUnresolved);
    }
    failed.extend(f.guarantees_failed.iter().copied());
    failed
}

/// Also the household builders of other modules' tests (`tally`).
#[cfg(test)]
pub(crate) mod tests;
