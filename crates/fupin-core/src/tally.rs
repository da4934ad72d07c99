//! Whole-registry tallies (`fupin assess --all`, `fupin simulate`): the outcome of each household
//! under a policy, counted per village, then summed into every area level above it. Pure: the
//! households come from the caller (the store's scan), and the caller prints the counts.

use crate::codes::{HouseholdStatus, MonitoringCategory};
use crate::model::Household;
use crate::money::Decimal;
use crate::policy::{Policy, PolicyError, PolicySet};
use crate::rules;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Households and their people.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub households: u64,
    pub people: u64,
}

impl Count {
    /// Counts one household of `people` people.
    pub fn add(&mut self, people: u64) {
        self.households += 1;
        self.people += people;
    }

    pub fn merge(&mut self, o: &Count) {
        self.households += o.households;
        self.people += o.people;
    }
}

/// The statuses counted, in the order of [`Tally::status`].
pub const STATUSES: [HouseholdStatus; 5] = [
    HouseholdStatus::Poor,
    HouseholdStatus::Exited,
    HouseholdStatus::Returned,
    HouseholdStatus::Removed,
    HouseholdStatus::NonPoor,
];

/// The categories of households under monitoring, in the order of [`Tally::monitoring`].
pub const MONITORED: [MonitoringCategory; 3] = [
    MonitoringCategory::Unstable,
    MonitoringCategory::Marginal,
    MonitoringCategory::SuddenHardship,
];

/// The policy values one household is judged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub poverty_line: Decimal,
    pub school_age: (u32, u32),
    /// `None` before the monitoring line exists (monitoring is then not applicable).
    pub monitoring_line: Option<Decimal>,
}

impl Params {
    /// The values of `policy` in force on `as_of`.
    pub fn of(policy: &Policy<'_>, as_of: NaiveDate) -> Result<Params, PolicyError> {
        Ok(Params {
            poverty_line: policy.poverty_line(as_of)?.value,
            school_age: policy.compulsory_school_age()?.value,
            monitoring_line: policy.monitoring_line(as_of).map(|m| m.value),
        })
    }
}

/// The outcome of one household under one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Meets the exit standard (poor and returned households only; `None` for the others).
    pub exit: Option<bool>,
    pub monitoring: MonitoringCategory,
}

impl Outcome {
    /// The household's exit check and monitoring category under `p` on `as_of`.
    pub fn of(h: &Household, p: Params, as_of: NaiveDate) -> Outcome {
        let exit =
            matches!(h.status, HouseholdStatus::Poor | HouseholdStatus::Returned).then(|| {
                rules::household_exit(h, p.poverty_line, p.school_age, as_of).meets_standard()
            });
        let monitoring = match p.monitoring_line {
            Some(line) => rules::monitoring(h, line, p.school_age, as_of).category,
            None => MonitoringCategory::NotApplicable,
        };
        Outcome { exit, monitoring }
    }

    /// Under monitoring (one of [`MONITORED`]).
    pub fn monitored(&self) -> bool {
        MONITORED.contains(&self.monitoring)
    }
}

/// Judges households under one policy set on one date, looking the values up once per area.
pub struct Judge<'a> {
    policies: &'a PolicySet,
    as_of: NaiveDate,
    cache: HashMap<String, Params>,
}

impl<'a> Judge<'a> {
    pub fn new(policies: &'a PolicySet, as_of: NaiveDate) -> Judge<'a> {
        Judge {
            policies,
            as_of,
            cache: HashMap::new(),
        }
    }

    /// The values in force for the area code `area`.
    pub fn params(&mut self, area: &str) -> Result<Params, PolicyError> {
        if let Some(p) = self.cache.get(area) {
            return Ok(*p);
        }
        let p = Params::of(&self.policies.for_area(area), self.as_of)?;
        self.cache.insert(area.to_string(), p);
        Ok(p)
    }

    /// The outcome of a household under the values in force for its area.
    pub fn outcome(&mut self, h: &Household) -> Result<Outcome, PolicyError> {
        let p = self.params(h.area.as_str())?;
        Ok(Outcome::of(h, p, self.as_of))
    }
}

/// The counts of `fupin assess --all`: households by status, those meeting the exit standard,
/// and those under monitoring by category.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// By [`STATUSES`].
    pub status: [Count; 5],
    pub exit_meets: Count,
    /// By [`MONITORED`].
    pub monitoring: [Count; 3],
}

impl Tally {
    /// Counts one household with its outcome.
    pub fn add(&mut self, h: &Household, o: Outcome) {
        let people = h.members.len() as u64;
        if let Some(i) = STATUSES.iter().position(|s| *s == h.status) {
            self.status[i].add(people);
        }
        if o.exit == Some(true) {
            self.exit_meets.add(people);
        }
        if let Some(i) = MONITORED.iter().position(|m| *m == o.monitoring) {
            self.monitoring[i].add(people);
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        for (a, b) in self.status.iter_mut().zip(&o.status) {
            a.merge(b);
        }
        self.exit_meets.merge(&o.exit_meets);
        for (a, b) in self.monitoring.iter_mut().zip(&o.monitoring) {
            a.merge(b);
        }
    }

    /// The people of poor and returned households (the numerator of the incidence).
    pub fn poor_people(&self) -> u64 {
        self.status[0].people + self.status[2].people
    }
}

/// The counts of `fupin simulate`: households whose outcome differs between two policies.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Poor or returned households that would newly meet the exit standard.
    pub exit_gained: Count,
    /// Poor or returned households that would no longer meet it.
    pub exit_lost: Count,
    /// Households entering monitoring, leaving it, or changing category within it.
    pub monitoring_entered: Count,
    pub monitoring_left: Count,
    pub monitoring_changed: Count,
    /// Any change.
    pub changed: Count,
}

impl Changes {
    /// Counts a household of `people` people whose outcome is `a` under the current policy and
    /// `b` under the proposed one; returns whether it changed (an unchanged one is not counted).
    pub fn add(&mut self, a: Outcome, b: Outcome, people: u64) -> bool {
        if a == b {
            return false;
        }
        self.changed.add(people);
        match (a.exit, b.exit) {
            (Some(false), Some(true)) => self.exit_gained.add(people),
            (Some(true), Some(false)) => self.exit_lost.add(people),
            _ => {}
        }
        if a.monitoring != b.monitoring {
            match (a.monitored(), b.monitored()) {
                (false, true) => self.monitoring_entered.add(people),
                (true, false) => self.monitoring_left.add(people),
                (true, true) => self.monitoring_changed.add(people),
                (false, false) => {}
            }
        }
        true
    }

    pub fn merge(&mut self, o: &Changes) {
        self.exit_gained.merge(&o.exit_gained);
        self.exit_lost.merge(&o.exit_lost);
        self.monitoring_entered.merge(&o.monitoring_entered);
        self.monitoring_left.merge(&o.monitoring_left);
        self.monitoring_changed.merge(&o.monitoring_changed);
        self.changed.merge(&o.changed);
    }
}

/// The figures of the village `area` in a per-village map (made on first use; the lookup does not
/// allocate for a village already seen).
pub fn village<'m, T: Default>(map: &'m mut HashMap<String, T>, area: &str) -> &'m mut T {
    if !map.contains_key(area) {
        map.insert(area.to_string(), T::default());
    }
    map.get_mut(area).expect("inserted")
}

/// Per-village figures (of several workers) summed into the whole registry (key "") and every
/// area level down to `depth` digits, by area prefix.
pub fn roll_up<T: Default>(
    villages: impl IntoIterator<Item = HashMap<String, T>>,
    depth: usize,
    merge: impl Fn(&mut T, &T),
) -> BTreeMap<String, T> {
    let mut out: HashMap<String, T> = HashMap::new();
    for map in villages {
        for (code, t) in map {
            merge(village(&mut out, ""), &t);
            for prefix in crate::area::prefixes(&code, depth) {
                merge(village(&mut out, prefix), &t);
            }
        }
    }
    out.into_iter().collect()
}

/// The rural population of every area prefix down to `depth` digits (and "" for the whole
/// registry): the sum over its villages, given as `(village code, rural population)`.
pub fn rural_by_prefix<'a>(
    villages: impl IntoIterator<Item = (&'a str, i64)>,
    depth: usize,
) -> HashMap<String, i64> {
    let mut rural: HashMap<String, i64> = HashMap::new();
    for (code, n) in villages {
        *rural.entry(String::new()).or_default() += n;
        for prefix in crate::area::prefixes(code, depth) {
            *rural.entry(prefix.to_string()).or_default() += n;
        }
    }
    rural
}

#[cfg(test)]
mod tests;
