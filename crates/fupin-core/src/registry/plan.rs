//! What a write does, decided before touching the database: the lifecycle rules (legal status
//! transitions, the exit check), and the difference between the stored household and the incoming
//! one as dated events. Pure: the backends only execute a [`Plan`].

use crate::codes::{CodeList, HouseholdStatus, MonitoringCategory};
use crate::error::RowError;
use crate::policy::PolicySet;
use crate::registry::{kind, Event, HouseholdRecord, JoinReason, LeaveReason, MemberRecord};
use chrono::NaiveDate;
use std::collections::HashMap;

/// A household as it arrives from a file or a caller.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The first row of the household in its file (for error reports).
    pub row: usize,
    /// The household with the members it has after this write.
    pub record: HouseholdRecord,
    /// Why the status changes (required to remove; overrides a failed exit check).
    pub status_reason: Option<String>,
    /// Why members joined, by ID number (default: birth when born after the household's last event, else other).
    pub joins: HashMap<String, JoinReason>,
    /// Members leaving, with their reason. Stored members absent from the file leave with `other`.
    pub leaves: Vec<(String, LeaveReason)>,
    /// The row of each member, by ID number.
    pub member_rows: HashMap<String, usize>,
    /// The column naming the status (for error reports).
    pub status_column: String,
    /// Where the monitoring category after the write comes from.
    pub category: CategoryFrom,
}

/// Where a write's monitoring category comes from (issue 13 item 3: the category changes only
/// through a decided case, or as the national system decided it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CategoryFrom {
    /// An interactive write (a form, the API, a member change, an income entry; a file without the
    /// 监测对象类别 column): the stored category stays as it was (none for a new household). When
    /// the record is judged monitored and the household is not, the plan carries the judgement
    /// ([`Plan::risk`]) for a signal to verify.
    #[default]
    Kept,
    /// A file of the national system with the 监测对象类别 column: the record's category (an empty
    /// cell is none) is recorded as the national system's decision ([`NATIONAL_SYSTEM`]).
    File,
}

/// The reason of a monitoring event a file records: the national system's decision.
pub const NATIONAL_SYSTEM: &str = "全国防返贫监测信息系统 / national monitoring system";

impl Incoming {
    pub fn new(record: HouseholdRecord) -> Incoming {
        Incoming {
            row: 0,
            record,
            status_reason: None,
            joins: HashMap::new(),
            leaves: Vec::new(),
            member_rows: HashMap::new(),
            status_column: "status".into(),
            category: CategoryFrom::Kept,
        }
    }
}

/// A household as stored, with what the planner needs to know about its past.
#[derive(Debug, Clone)]
pub struct Existing {
    pub record: HouseholdRecord,
    /// The date of its latest event.
    pub last_event: Option<NaiveDate>,
}

/// The writes of one household.
#[derive(Debug, Clone)]
pub struct Plan {
    pub before: Option<HouseholdRecord>,
    pub after: HouseholdRecord,
    pub events: Vec<Event>,
    /// Members to insert (or reopen), with their position.
    pub joins: Vec<(MemberRecord, i64)>,
    /// Members whose fields changed, with their position.
    pub member_updates: Vec<(MemberRecord, i64)>,
    pub leaves: Vec<(String, LeaveReason)>,
    /// The household row or its income changed.
    pub household_changed: bool,
    /// The after-state's [`HouseholdRecord::fingerprint`], stored with the household.
    pub fingerprint: String,
    /// The judgement of a household judged monitored that is not (nor poor, returned or removed):
    /// a risk indication for its village to verify (an interactive write raises a signal).
    pub risk: Option<super::monitoring::Judgement>,
}

impl Plan {
    pub fn is_noop(&self) -> bool {
        self.events.is_empty() && !self.household_changed && self.member_updates.is_empty()
    }
}

/// Why a status transition is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

/// The event a status change makes, if it is legal (DOMAIN.md §2, issue 3 lifecycle rules):
/// exit from poor or returned when the exit check passes (or with an override reason), return from
/// exited, removal from any registered status with a reason, identification of a never-poor household.
pub fn status_transition(
    before: Option<HouseholdStatus>,
    after: &HouseholdRecord,
    reason: Option<&str>,
    date: NaiveDate,
    policy: &PolicySet,
) -> Result<Option<&'static str>, Refusal> {
    use HouseholdStatus::*;
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    let to = after.status;
    let Some(from) = before else {
        return Ok(Some(if to == Poor {
            kind::IDENTIFIED
        } else {
            kind::RECORDED
        }));
    };
    if from == to {
        return Ok(None);
    }
    let illegal = || Refusal {
        code: "illegal_transition",
        zh: format!("不允许从「{}」变为「{}」", from.zh(), to.zh()),
        en: format!(
            "a household cannot go from {} to {}",
            from.code(),
            to.code()
        ),
    };
    match (from, to) {
        (Poor | Returned, Exited) => {
            if !has_reason {
                let failed = exit_check(after, date, policy)?;
                if !failed.is_empty() {
                    return Err(Refusal {
                        code: "exit_check_failed",
                        zh: format!(
                            "未达到脱贫标准:{}(如确需退出,请填写状态变动原因)",
                            failed.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、")
                        ),
                        en: format!(
                            "the exit standard is not met: {} (give a status reason to override)",
                            failed
                                .iter()
                                .map(|c| c.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
            }
            Ok(Some(kind::EXITED))
        }
        (Exited, Returned) => Ok(Some(kind::RETURNED)),
        (Poor | Exited | Returned | NonPoor, Removed) => {
            if has_reason {
                Ok(Some(kind::REMOVED))
            } else {
                Err(Refusal {
                    code: "reason_required",
                    zh: "清退必须填写原因".into(),
                    en: "a removal needs a reason".into(),
                })
            }
        }
        (NonPoor, Poor) => Ok(Some(kind::IDENTIFIED)),
        _ => Err(illegal()),
    }
}

/// The core's household exit check at a date, under the policy of the household's area.
fn exit_check(
    h: &HouseholdRecord,
    date: NaiveDate,
    policy: &PolicySet,
) -> Result<Vec<crate::codes::Check>, Refusal> {
    let p = policy.for_area(&h.area_code);
    let no_policy = |e: crate::PolicyError| Refusal {
        code: e.code(),
        zh: format!("缺少政策参数:{e}"),
        en: format!("policy value missing: {e}"),
    };
    let line = p.poverty_line(date).map_err(no_policy)?.value;
    let ages = p.compulsory_school_age().map_err(no_policy)?.value;
    let core = h.to_core().ok_or_else(|| Refusal {
        code: "area_code",
        zh: "区划代码无效".into(),
        en: "bad area code".into(),
    })?;
    Ok(crate::rules::household_exit(&core, line, ages, date).failed)
}

/// The event a monitoring change makes.
fn monitoring_event(
    before: Option<MonitoringCategory>,
    after: Option<MonitoringCategory>,
) -> Option<&'static str> {
    use MonitoringCategory::*;
    let active =
        |m: Option<MonitoringCategory>| matches!(m, Some(Unstable | Marginal | SuddenHardship));
    if before == after {
        None
    } else if after == Some(RiskEliminated) {
        Some(kind::RISK_ELIMINATED)
    } else if active(after) && !active(before) {
        Some(kind::ENTERED_MONITORING)
    } else {
        Some(kind::MONITORING_CHANGED)
    }
}

/// The judgement of the household after a write on its latest income (an older year written now
/// does not replace a later one already stored).
fn judged_after(
    before: Option<&HouseholdRecord>,
    after: &HouseholdRecord,
    policy: &PolicySet,
) -> super::monitoring::Judgement {
    match before {
        Some(b) if b.income_year > after.income_year => {
            let mut latest = after.clone();
            latest.income_year = b.income_year;
            latest.income = b.income.clone();
            latest.rigid_expense = b.rigid_expense.clone();
            super::monitoring::category(&latest, policy)
        }
        _ => super::monitoring::category(after, policy),
    }
}

/// Plans one household's write: validates the lifecycle and lists every difference as a dated event.
pub fn plan(
    existing: Option<&Existing>,
    incoming: &Incoming,
    date: NaiveDate,
    actor: &str,
    policy: &PolicySet,
) -> Result<Plan, Box<RowError>> {
    let number = incoming.record.number.clone();
    let mut after = incoming.record.clone();
    let before = existing.map(|e| e.record.clone());
    after.version = before.as_ref().map_or(1, |b| b.version + 1);
    after.monitoring = match incoming.category {
        CategoryFrom::Kept => before.as_ref().and_then(|b| b.monitoring),
        CategoryFrom::File => incoming.record.monitoring,
    };
    let judged = judged_after(before.as_ref(), &after, policy);
    let monitored = after
        .monitoring
        .is_some_and(|m| crate::tally::MONITORED.contains(&m));
    let risk = (judged.monitored() && !monitored).then_some(judged);
    let monitoring_reason = match incoming.category {
        CategoryFrom::Kept => None,
        CategoryFrom::File => Some(NATIONAL_SYSTEM.to_string()),
    };
    let ev =
        |kind: &str, detail: Option<String>, id: Option<String>, reason: Option<String>| Event {
            date,
            kind: kind.to_string(),
            detail,
            id_number: id,
            reason,
            actor: actor.to_string(),
        };
    let mut events = Vec::new();
    if let Some(b) = &before {
        if b.county() != after.county() {
            return Err(RowError::new(
                incoming.row,
                "area_code",
                &after.area_code,
                "county_changed",
                &format!("户不能迁到另一个县(原区划 {})", b.area_code),
                &format!(
                    "a household cannot move to another county (was {})",
                    b.area_code
                ),
            )
            .in_household(&number)
            .into());
        }
    }
    let reason = incoming
        .status_reason
        .clone()
        .filter(|r| !r.trim().is_empty());
    match status_transition(
        before.as_ref().map(|b| b.status),
        &after,
        reason.as_deref(),
        date,
        policy,
    ) {
        Ok(Some(k)) => events.push(ev(
            k,
            Some(after.status.code().to_string()),
            None,
            reason.clone(),
        )),
        Ok(None) => {}
        Err(r) => {
            return Err(RowError::new(
                incoming.row,
                &incoming.status_column,
                after.status.code(),
                r.code,
                &r.zh,
                &r.en,
            )
            .in_household(&number)
            .into())
        }
    }
    if let Some(k) = monitoring_event(before.as_ref().and_then(|b| b.monitoring), after.monitoring)
    {
        if before.is_some() || k != kind::MONITORING_CHANGED {
            events.push(ev(
                k,
                after.monitoring.map(|m| m.code().to_string()),
                None,
                monitoring_reason,
            ));
        }
    }
    let mut joins = Vec::new();
    let mut member_updates = Vec::new();
    let mut leaves = Vec::new();
    if let Some(b) = &before {
        for (i, m) in after.members.iter().enumerate() {
            match b.members.iter().position(|o| o.id_number == m.id_number) {
                Some(j) => {
                    if b.members[j] != *m || i != j {
                        member_updates.push((m.clone(), i as i64));
                    }
                }
                None => {
                    let reason = incoming
                        .joins
                        .get(&m.id_number)
                        .copied()
                        .unwrap_or_else(|| {
                            let born = crate::ResidentId::parse(&m.id_number)
                                .ok()
                                .map(|id| id.birth_date());
                            match (born, existing.and_then(|e| e.last_event)) {
                                (Some(born), Some(last)) if born > last => JoinReason::Birth,
                                _ => JoinReason::Other,
                            }
                        });
                    joins.push((m.clone(), i as i64));
                    events.push(ev(
                        kind::MEMBER_JOINED,
                        Some(reason.code().to_string()),
                        Some(m.id_number.clone()),
                        None,
                    ));
                }
            }
        }
        for o in &b.members {
            if !after.members.iter().any(|m| m.id_number == o.id_number) {
                let reason = incoming
                    .leaves
                    .iter()
                    .find(|(id, _)| *id == o.id_number)
                    .map_or(LeaveReason::Other, |(_, r)| *r);
                leaves.push((o.id_number.clone(), reason));
                events.push(ev(
                    kind::MEMBER_LEFT,
                    Some(reason.code().to_string()),
                    Some(o.id_number.clone()),
                    None,
                ));
            }
        }
    } else {
        joins = after
            .members
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, m)| (m, i as i64))
            .collect();
    }
    let changed = match &before {
        Some(b) => b.changed_fields(&after),
        None => Vec::new(),
    };
    let household_changed = before.is_none()
        || !changed.iter().all(|f| f.starts_with("member:"))
        || before
            .as_ref()
            .is_some_and(|b| b.status != after.status || b.monitoring != after.monitoring);
    if !changed.is_empty() {
        events.push(ev(kind::UPDATED, Some(changed.join(",")), None, None));
    }
    Ok(Plan {
        before,
        after,
        events,
        joins,
        member_updates,
        leaves,
        household_changed,
        fingerprint: String::new(),
        risk,
    })
}

#[cfg(test)]
mod tests;
