//! The monitoring category of a registered household (防返贫监测, DOMAIN.md §7), in one place: the
//! category is judged on the household's income of a stated year against the monitoring line of
//! that same year (the non-income checks at the end of that year), so it depends on the record and
//! the policy only, never on the day it is looked at. The judgement is a risk indication: the
//! stored category changes only through a decided case, a recorded risk elimination, or a file of
//! the national system that carries it ([`super::plan::CategoryFrom`]); a write whose household is
//! judged monitored but is not raises a signal to verify ([`super::plan::Plan::risk`]). The
//! household page shows the judgement with its year and line ([`judge`]) beside the stored
//! category, and says when a newer year's line is in force without that year's income
//! ([`Judgement::income_missing`]) rather than guess.

use crate::codes::{Check, HouseholdStatus, MonitoringCategory};
use crate::money::Decimal;
use crate::policy::PolicySet;
use crate::registry::HouseholdRecord;
use crate::rules;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A newer year's monitoring line in force without that year's income.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingIncome {
    /// The year whose income is not entered (the year of the date looked at).
    pub year: i32,
    /// The monitoring line in force that year.
    pub line: Decimal,
}

/// The monitoring judgement of one household: on what basis, and with what result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The year of the income judged; `None` when no income is recorded.
    pub income_year: Option<i32>,
    /// The monitoring line of the income year; `None` when that year has no monitoring line.
    pub line: Option<Decimal>,
    /// Per-capita net income of the income year (exact).
    pub per_capita: Decimal,
    /// `not_applicable` for households still poor, returned or removed, and when there is no income
    /// or no line for its year; else `none` or a monitored category.
    pub category: MonitoringCategory,
    /// The failed checks that make it monitored.
    pub reasons: Vec<Check>,
    /// Set by [`judge`] when the date looked at is in a later year than the income and a monitoring
    /// line is in force then: that year's income should be entered.
    pub income_missing: Option<MissingIncome>,
}

impl Judgement {
    /// Under monitoring (unstable, marginal or sudden hardship).
    pub fn monitored(&self) -> bool {
        crate::tally::MONITORED.contains(&self.category)
    }
}

/// The day the non-income checks of an income year are judged on (ages in completed years then).
pub fn judged_on(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year")
}

/// The category of `h` from its income of `h.income_year` and the monitoring line of that year
/// under the policy of its area. Independent of any date.
pub fn category(h: &HouseholdRecord, policy: &PolicySet) -> Judgement {
    let members = h.members.len();
    let net = h.income.net();
    let mut j = Judgement {
        income_year: h.income_year,
        line: None,
        per_capita: rules::per_capita(net, members),
        category: MonitoringCategory::NotApplicable,
        reasons: Vec::new(),
        income_missing: None,
    };
    let Some(year) = h.income_year else {
        return j;
    };
    let p = policy.for_area(&h.area_code);
    let on = judged_on(year);
    j.line = p.monitoring_line(on).map(|s| s.value);
    let (Some(line), Ok(ages), Some(core)) = (j.line, p.compulsory_school_age(), h.to_core())
    else {
        return j;
    };
    if matches!(
        h.status,
        HouseholdStatus::Poor | HouseholdStatus::Returned | HouseholdStatus::Removed
    ) {
        return j;
    }
    let m = rules::monitoring(&core, line, ages.value, on);
    j.category = m.category;
    j.reasons = m.reasons;
    j
}

/// [`category`], and whether a newer year's line is in force on `as_of` without that year's income.
pub fn judge(h: &HouseholdRecord, policy: &PolicySet, as_of: NaiveDate) -> Judgement {
    let mut j = category(h, policy);
    let newer = h.income_year.is_none_or(|y| as_of.year() > y);
    if newer {
        let p = policy.for_area(&h.area_code);
        j.income_missing = p.monitoring_line(as_of).map(|s| MissingIncome {
            year: as_of.year(),
            line: s.value,
        });
    }
    j
}

/// The category the registry stored before issue 13 (a write re-judged it): the monitored category
/// when [`category`] finds one; otherwise a `risk_eliminated` decision already recorded
/// (`previous`) stays while the household is not monitored; otherwise none. The demo generator
/// writes it into the files it imports, so its data stays as it was.
pub fn stored(
    h: &HouseholdRecord,
    previous: Option<MonitoringCategory>,
    policy: &PolicySet,
) -> Option<MonitoringCategory> {
    let j = category(h, policy);
    if j.monitored() {
        Some(j.category)
    } else if previous == Some(MonitoringCategory::RiskEliminated)
        && j.category == MonitoringCategory::NoRisk
    {
        previous
    } else {
        None
    }
}

/// A [`Judgement`] as the household page and the API show it: the per-capita income to the fen,
/// the lines as the policy writes them, codes for the category and reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shown {
    /// The year of the income judged (absent: no income recorded).
    pub income_year: Option<i32>,
    pub per_capita_income: String,
    /// The monitoring line of the income year (absent: no monitoring that year).
    pub monitoring_line: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub category: MonitoringCategory,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub reasons: Vec<Check>,
    /// A later year's line in force without that year's income.
    pub income_missing: Option<ShownMissing>,
}

/// The year whose income is not entered and the line in force then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShownMissing {
    pub year: i32,
    pub monitoring_line: String,
}

impl Judgement {
    pub fn shown(&self) -> Shown {
        use crate::money::{fmt2, fmt_plain};
        Shown {
            income_year: self.income_year,
            per_capita_income: fmt2(self.per_capita),
            monitoring_line: self.line.map(fmt_plain),
            category: self.category,
            reasons: self.reasons.clone(),
            income_missing: self.income_missing.map(|m| ShownMissing {
                year: m.year,
                monitoring_line: fmt_plain(m.line),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
