//! Policy as data: TOML files of dated, per-region values (DESIGN.md: "policy is data").
//!
//! A file is either standalone (the built-in `national`) or a region file that names an area-code
//! prefix (`area_prefix`) and inherits every value it does not set from `national`; a what-if file
//! (`--policy FILE`, [`PolicySet::layered`]) lies over both and states only what changes. Yearly tables
//! (`[poverty_line]`, ...) are merged year by year, the region's entry winning for the same year; a
//! yearly value applies from its year until the next listed year. Regional tables and
//! `[county_exit]` merge entry by entry; other keys are taken whole from the most specific file that
//! has them.

use crate::codes::{CodeList, Region, VillageIndicator};
use crate::money::{fmt_plain, Decimal};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The built-in policy files, embedded in the binary.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("national", include_str!("../../../policies/national.toml")),
    ("jincheng", include_str!("../../../policies/jincheng.toml")),
    ("suining", include_str!("../../../policies/suining.toml")),
    (
        "shangzhou",
        include_str!("../../../policies/shangzhou.toml"),
    ),
];

/// Yearly keys: `[key]` tables of `YEAR = yuan`.
pub const YEARLY_KEYS: &[&str] = &[
    "poverty_line",
    "monitoring_line",
    "monitoring_ledger_line",
    "dibao_standard",
    "destitute_standard",
    // Household assistance (DOMAIN.md §12): the calculators' values.
    "education_aid_per_student",
    "military_family_allowance",
    "military_family_remote_reward",
    "medical_reimbursement_floor_pct",
];
/// Regional keys: `[key]` tables of `default|east|central|west = percent`.
pub const REGIONAL_KEYS: &[&str] = &[
    "village_exit_max_incidence_pct",
    "county_exit_max_incidence_pct",
];
/// Whole-number keys: `key = N` (days, months).
pub const COUNT_KEYS: &[&str] = &[
    "public_notice_min_days",
    "monitoring_decision_max_days",
    "risk_elimination_min_months",
    // Responsibility network (DOMAIN.md §11).
    "pairing_term_years",
    "work_team_term_years",
    "first_secretary_min_poor_households",
    "work_team_min_poor_households",
];
/// Yes/no keys: `key = true|false` (DOMAIN.md §11: `pairing_ends_at_exit`).
pub const FLAG_KEYS: &[&str] = &["pairing_ends_at_exit"];
/// Keys of the `[pairing_quota]` table: households a cadre of each rank pairs with at least (§11).
pub const PAIRING_QUOTA_KEYS: &[&str] = &[
    "county_leader",
    "section_chief",
    "leadership_member",
    "section_level",
];
/// Amount keys: `key = yuan` (an exact, non-negative amount).
pub const AMOUNT_KEYS: &[&str] = &["department_alert_min_amount"];
/// Percentage keys: `key = percent` (funds rules, DOMAIN.md §14).
pub const PERCENT_KEYS: &[&str] = &[
    "industry_relief_min_pct",
    "special_fund_min_revenue_pct",
    "special_fund_min_growth_pct",
    "cooperative_min_poor_pct",
];
/// Keys of the `[small_loan]` table (扶贫小额信贷, DOMAIN.md §14).
pub const SMALL_LOAN_KEYS: &[&str] = &["max_amount", "max_term_months"];
/// Keys of the `[county_exit]` table.
pub const COUNTY_EXIT_KEYS: &[&str] = &[
    "max_wrong_exit_pct",
    "max_missed_pct",
    "min_satisfaction_pct",
];

/// A policy error: a file that cannot be read, or a value missing for a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The file is not valid policy TOML; `key` names the offending key when there is one.
    Invalid {
        file: String,
        key: Option<String>,
        message: String,
    },
    /// No value of `key` applies at `date` (or at all when `date` is `None`).
    Missing {
        key: String,
        date: Option<NaiveDate>,
        policy: String,
    },
}

impl PolicyError {
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Invalid { .. } => "policy_invalid",
            PolicyError::Missing { .. } => "policy_missing",
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Invalid {
                file,
                key: Some(k),
                message,
            } => {
                write!(
                    f,
                    "政策文件无效 / invalid policy file {file}: key `{k}`: {message}"
                )
            }
            PolicyError::Invalid {
                file,
                key: None,
                message,
            } => {
                write!(f, "政策文件无效 / invalid policy file {file}: {message}")
            }
            PolicyError::Missing {
                key,
                date: Some(d),
                policy,
            } => write!(
                f,
                "政策缺少 {key} 在 {d} 的取值 / policy `{policy}` has no value of `{key}` for {d}"
            ),
            PolicyError::Missing {
                key,
                date: None,
                policy,
            } => {
                write!(
                    f,
                    "政策缺少 {key} / policy `{policy}` has no value of `{key}`"
                )
            }
        }
    }
}

impl std::error::Error for PolicyError {}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Yearly(BTreeMap<i32, Decimal>),
    Regional(BTreeMap<String, Decimal>),
    Table(BTreeMap<String, Decimal>),
    AgeRange(u32, u32),
    Count(u32),
    Flag(bool),
    Amount(Decimal),
    Indicators(Vec<VillageIndicator>),
    Percent(Decimal),
}

/// One parsed policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFile {
    pub name: String,
    /// The area-code prefix a region file applies to.
    pub area_prefix: Option<String>,
    /// Where the file came from: `built-in` or a path.
    pub origin: String,
    values: BTreeMap<String, Value>,
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    /// The policy file's name.
    pub file: String,
    /// The entry within the key: the year or region it was listed under.
    pub entry: Option<String>,
}

impl PolicyFile {
    /// Parses a policy file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<PolicyFile, PolicyError> {
        let invalid = |key: Option<&str>, message: String| PolicyError::Invalid {
            file: origin.to_string(),
            key: key.map(str::to_string),
            message,
        };
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| invalid(None, e.to_string()))?;
        let mut name = None;
        let mut area_prefix = None;
        let mut values = BTreeMap::new();
        for (key, v) in &table {
            let k = key.as_str();
            let bad = |m: &str| invalid(Some(k), m.to_string());
            match k {
                "name" => {
                    name = Some(
                        v.as_str()
                            .ok_or_else(|| bad("must be a string"))?
                            .to_string(),
                    )
                }
                "area_prefix" => {
                    let p = v
                        .as_str()
                        .ok_or_else(|| bad("must be a string of digits"))?;
                    if p.is_empty() || !crate::area::is_area_prefix(p) {
                        return Err(bad("must be an area-code prefix of 1 to 12 digits"));
                    }
                    area_prefix = Some(p.to_string());
                }
                "inherits" => {
                    if v.as_str() != Some("national") {
                        return Err(bad("only `national` can be inherited"));
                    }
                }
                "compulsory_school_age" => {
                    let a = v
                        .as_array()
                        .filter(|a| a.len() == 2)
                        .ok_or_else(|| bad("must be [FROM, TO]"))?;
                    let age = |x: &toml::Value| {
                        x.as_integer()
                            .filter(|n| (0..=30).contains(n))
                            .map(|n| n as u32)
                    };
                    match (age(&a[0]), age(&a[1])) {
                        (Some(lo), Some(hi)) if lo <= hi => {
                            values.insert(k.to_string(), Value::AgeRange(lo, hi));
                        }
                        _ => {
                            return Err(bad(
                                "must be two ages from 0 to 30, the first not above the second",
                            ))
                        }
                    }
                }
                "village_indicators" => {
                    let a = v
                        .as_array()
                        .ok_or_else(|| bad("must be a list of indicator codes"))?;
                    let mut list = Vec::new();
                    for x in a {
                        let s = x.as_str().unwrap_or_default();
                        list.push(VillageIndicator::parse(s).ok_or_else(|| {
                            bad(&format!("unknown indicator {x:?}; known: road, electricity, water, broadband, clinic, collective_income"))
                        })?);
                    }
                    values.insert(k.to_string(), Value::Indicators(list));
                }
                "county_exit" => {
                    let t = v.as_table().ok_or_else(|| bad("must be a table"))?;
                    let mut m = BTreeMap::new();
                    for (sub, x) in t {
                        if !COUNTY_EXIT_KEYS.contains(&sub.as_str()) {
                            return Err(bad(&format!(
                                "unknown entry `{sub}`; known: {}",
                                COUNTY_EXIT_KEYS.join(", ")
                            )));
                        }
                        m.insert(
                            sub.clone(),
                            number(x).map_err(|e| bad(&format!("{sub}: {e}")))?,
                        );
                    }
                    values.insert(k.to_string(), Value::Table(m));
                }
                "pairing_quota" => {
                    let t = v.as_table().ok_or_else(|| bad("must be a table"))?;
                    let mut m = BTreeMap::new();
                    for (sub, x) in t {
                        if !PAIRING_QUOTA_KEYS.contains(&sub.as_str()) {
                            return Err(bad(&format!(
                                "unknown rank `{sub}`; known: {}",
                                PAIRING_QUOTA_KEYS.join(", ")
                            )));
                        }
                        let n = x
                            .as_integer()
                            .filter(|n| (0..=1_000).contains(n))
                            .ok_or_else(|| bad(&format!("{sub}: must be a whole number from 0")))?;
                        m.insert(sub.clone(), Decimal::from(n));
                    }
                    values.insert(k.to_string(), Value::Table(m));
                }
                _ if FLAG_KEYS.contains(&k) => {
                    let b = v.as_bool().ok_or_else(|| bad("must be true or false"))?;
                    values.insert(k.to_string(), Value::Flag(b));
                }
                _ if PERCENT_KEYS.contains(&k) => {
                    let pct = number(v).map_err(|e| bad(&e))?;
                    if pct.is_sign_negative() || pct > Decimal::from(100) {
                        return Err(bad("must be a percentage from 0 to 100"));
                    }
                    values.insert(k.to_string(), Value::Percent(pct));
                }
                "small_loan" => {
                    let t = v.as_table().ok_or_else(|| bad("must be a table"))?;
                    let mut m = BTreeMap::new();
                    for (sub, x) in t {
                        if !SMALL_LOAN_KEYS.contains(&sub.as_str()) {
                            return Err(bad(&format!(
                                "unknown entry `{sub}`; known: {}",
                                SMALL_LOAN_KEYS.join(", ")
                            )));
                        }
                        let n = number(x).map_err(|e| bad(&format!("{sub}: {e}")))?;
                        if n.is_sign_negative() {
                            return Err(bad(&format!("{sub}: must not be negative")));
                        }
                        m.insert(sub.clone(), n);
                    }
                    values.insert(k.to_string(), Value::Table(m));
                }
                _ if COUNT_KEYS.contains(&k) => {
                    let n = v
                        .as_integer()
                        .filter(|n| (0..=10_000).contains(n))
                        .ok_or_else(|| bad("must be a whole number from 0"))?;
                    values.insert(k.to_string(), Value::Count(n as u32));
                }
                _ if AMOUNT_KEYS.contains(&k) => {
                    values.insert(
                        k.to_string(),
                        Value::Amount(number(v).map_err(|e| bad(&e))?),
                    );
                }
                _ if YEARLY_KEYS.contains(&k) => {
                    let t = v
                        .as_table()
                        .ok_or_else(|| bad("must be a table of YEAR = value"))?;
                    let mut m = BTreeMap::new();
                    for (year, x) in t {
                        let y: i32 = year
                            .parse()
                            .ok()
                            .filter(|y| (1949..=2200).contains(y))
                            .ok_or_else(|| bad(&format!("`{year}` is not a year")))?;
                        m.insert(y, number(x).map_err(|e| bad(&format!("{year}: {e}")))?);
                    }
                    values.insert(k.to_string(), Value::Yearly(m));
                }
                _ if REGIONAL_KEYS.contains(&k) => {
                    let t = v.as_table().ok_or_else(|| {
                        bad("must be a table of default/east/central/west = percent")
                    })?;
                    let mut m = BTreeMap::new();
                    for (region, x) in t {
                        if region != "default" && Region::parse(region).is_none() {
                            return Err(bad(&format!(
                                "unknown region `{region}`; known: default, east, central, west"
                            )));
                        }
                        let pct = number(x).map_err(|e| bad(&format!("{region}: {e}")))?;
                        if pct > Decimal::from(100) {
                            return Err(bad(&format!("{region}: a percentage is at most 100")));
                        }
                        m.insert(region.clone(), pct);
                    }
                    values.insert(k.to_string(), Value::Regional(m));
                }
                _ => return Err(bad("unknown key")),
            }
        }
        let name = name.ok_or_else(|| invalid(Some("name"), "is required".into()))?;
        Ok(PolicyFile {
            name,
            area_prefix,
            origin: origin.to_string(),
            values,
        })
    }
}

fn number(v: &toml::Value) -> Result<Decimal, String> {
    let d = match v {
        toml::Value::Integer(i) => Decimal::from(*i),
        toml::Value::Float(f) => Decimal::from_str(&f.to_string()).map_err(|e| e.to_string())?,
        toml::Value::String(s) => {
            Decimal::from_str(s.trim()).map_err(|_| format!("{s:?} is not a number"))?
        }
        other => return Err(format!("a {} is not a number", other.type_str())),
    };
    if d.is_sign_negative() && !d.is_zero() {
        return Err("cannot be negative".into());
    }
    Ok(d)
}

/// The policies in force: a base (`national`), region files chosen by area-code prefix, and on top
/// of them a what-if file (`--policy FILE`) that states only what changes.
#[derive(Debug, Clone)]
pub struct PolicySet {
    base: Option<PolicyFile>,
    regions: Vec<PolicyFile>,
    /// The `--policy` file, layered over the built-in policy: every area (or, when it names an
    /// `area_prefix`, the areas under it) takes its values first, and every value it does not set
    /// from the built-in files as before.
    overlay: Option<PolicyFile>,
}

impl PolicySet {
    /// The built-in policies: `national` and the region files under `policies/`.
    pub fn builtin() -> PolicySet {
        let mut base = None;
        let mut regions = Vec::new();
        for (name, text) in BUILTIN_FILES {
            let f = PolicyFile::parse(text, "built-in")
                .unwrap_or_else(|e| panic!("built-in policy {name}: {e}"));
            if f.area_prefix.is_some() {
                regions.push(f);
            } else {
                base = Some(f);
            }
        }
        PolicySet {
            base,
            regions,
            overlay: None,
        }
    }

    /// The built-in policy with a what-if file layered over it, as a region file over `national`:
    /// the file states only what changes. Its yearly tables merge year by year (its entry wins for
    /// the same year; a later built-in year still applies from that year), its regional and
    /// `[county_exit]` tables entry by entry, its other keys replace the built-in ones. Without
    /// `area_prefix` it applies to every area; with one, to the areas under that prefix.
    /// (`inherits = "national"` is accepted and changes nothing: every file inherits.)
    pub fn layered(text: &str, origin: &str) -> Result<PolicySet, PolicyError> {
        let file = PolicyFile::parse(text, origin)?;
        Ok(PolicySet {
            overlay: Some(file),
            ..PolicySet::builtin()
        })
    }

    /// The name reported for this set: the what-if file's, else `national`.
    pub fn name(&self) -> &str {
        match &self.overlay {
            Some(f) => &f.name,
            None => self.base.as_ref().map_or("national", |b| b.name.as_str()),
        }
    }

    /// The region files (built-in: Jincheng and others).
    pub fn regions(&self) -> &[PolicyFile] {
        &self.regions
    }

    /// The policy that applies to an area (a code or a prefix): the what-if file (if it covers the
    /// area), the most specific region file, `national`.
    pub fn for_area(&self, area: &str) -> Policy<'_> {
        let covers = |f: &PolicyFile| area.starts_with(f.area_prefix.as_deref().unwrap_or(""));
        let mut chain = Vec::with_capacity(3);
        chain.extend(self.overlay.as_ref().filter(|f| covers(f)));
        if let Some(r) = self
            .regions
            .iter()
            .filter(|r| covers(r))
            .max_by_key(|r| r.area_prefix.as_ref().map_or(0, String::len))
        {
            chain.push(r);
        }
        chain.extend(self.base.as_ref());
        Policy { chain }
    }
}

/// The policy for one area: its region file (if any) over `national`.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    chain: Vec<&'a PolicyFile>,
}

impl<'a> Policy<'a> {
    /// The name of the most specific file.
    pub fn name(&self) -> &str {
        self.chain.first().map_or("(none)", |f| f.name.as_str())
    }

    fn missing(&self, key: &str, date: Option<NaiveDate>) -> PolicyError {
        PolicyError::Missing {
            key: key.to_string(),
            date,
            policy: self.name().to_string(),
        }
    }

    fn first(&self, key: &str) -> Option<(&'a PolicyFile, &'a Value)> {
        self.chain
            .iter()
            .find_map(|f| f.values.get(key).map(|v| (*f, v)))
    }

    /// The value of a yearly key at `date`: the entry of the latest listed year not after the date's
    /// year, over the merged chain. `Ok(None)` when nothing applies.
    pub fn yearly_opt(&self, key: &str, date: NaiveDate) -> Option<Sourced<Decimal>> {
        let year = date.year();
        let mut best: Option<(i32, Decimal, &PolicyFile)> = None;
        for f in &self.chain {
            if let Some(Value::Yearly(m)) = f.values.get(key) {
                if let Some((&y, &v)) = m.range(..=year).next_back() {
                    // Most specific file first: a later file only wins with a strictly later year.
                    if best.is_none_or(|(by, _, _)| y > by) {
                        best = Some((y, v, f));
                    }
                }
            }
        }
        best.map(|(y, v, f)| Sourced {
            value: v,
            file: f.name.clone(),
            entry: Some(y.to_string()),
        })
    }

    /// Like [`Policy::yearly_opt`], but a missing value is an error naming the key and date.
    pub fn yearly(&self, key: &str, date: NaiveDate) -> Result<Sourced<Decimal>, PolicyError> {
        self.yearly_opt(key, date)
            .ok_or_else(|| self.missing(key, Some(date)))
    }

    /// The poverty line (yuan per person per year) at a date.
    pub fn poverty_line(&self, date: NaiveDate) -> Result<Sourced<Decimal>, PolicyError> {
        self.yearly("poverty_line", date)
    }

    /// The monitoring line at a date; `None` means no monitoring that year.
    pub fn monitoring_line(&self, date: NaiveDate) -> Option<Sourced<Decimal>> {
        self.yearly_opt("monitoring_line", date)
    }

    /// The annual 低保 standard at a date, when the region has one.
    pub fn dibao_standard(&self, date: NaiveDate) -> Option<Sourced<Decimal>> {
        self.yearly_opt("dibao_standard", date)
    }

    /// Compulsory school ages, inclusive.
    pub fn compulsory_school_age(&self) -> Result<Sourced<(u32, u32)>, PolicyError> {
        match self.first("compulsory_school_age") {
            Some((f, Value::AgeRange(lo, hi))) => Ok(Sourced {
                value: (*lo, *hi),
                file: f.name.clone(),
                entry: None,
            }),
            _ => Err(self.missing("compulsory_school_age", None)),
        }
    }

    /// A whole-number key (days, months).
    pub fn count(&self, key: &str) -> Result<Sourced<u32>, PolicyError> {
        match self.first(key) {
            Some((f, Value::Count(n))) => Ok(Sourced {
                value: *n,
                file: f.name.clone(),
                entry: None,
            }),
            _ => Err(self.missing(key, None)),
        }
    }

    /// A yes/no key (`pairing_ends_at_exit`).
    pub fn flag(&self, key: &str) -> Result<Sourced<bool>, PolicyError> {
        match self.first(key) {
            Some((f, Value::Flag(b))) => Ok(Sourced {
                value: *b,
                file: f.name.clone(),
                entry: None,
            }),
            _ => Err(self.missing(key, None)),
        }
    }

    /// An amount key (yuan).
    pub fn amount(&self, key: &str) -> Result<Sourced<Decimal>, PolicyError> {
        match self.first(key) {
            Some((f, Value::Amount(d))) => Ok(Sourced {
                value: *d,
                file: f.name.clone(),
                entry: None,
            }),
            _ => Err(self.missing(key, None)),
        }
    }

    /// The pairing quota of a rank (`[pairing_quota]`, DOMAIN.md §11); a rank not listed has none
    /// (`staff`), `None`.
    pub fn pairing_quota(&self, rank: &str) -> Option<Sourced<u32>> {
        self.entry("pairing_quota", rank).map(|s| Sourced {
            value: rust_decimal::prelude::ToPrimitive::to_u32(&s.value).unwrap_or(0),
            file: s.file,
            entry: s.entry,
        })
    }

    /// The first entry of a table key (regional, `[county_exit]`) along the chain: tables merge
    /// entry by entry, the most specific file first.
    fn entry(&self, key: &str, entry: &str) -> Option<Sourced<Decimal>> {
        self.chain.iter().find_map(|f| match f.values.get(key) {
            Some(Value::Regional(m) | Value::Table(m)) => m.get(entry).map(|v| Sourced {
                value: *v,
                file: f.name.clone(),
                entry: Some(entry.to_string()),
            }),
            _ => None,
        })
    }

    /// A regional percentage for a region: the region's entry, else `default` (each the most
    /// specific file's that lists it).
    pub fn regional(
        &self,
        key: &str,
        region: Option<Region>,
    ) -> Result<Sourced<Decimal>, PolicyError> {
        region
            .and_then(|r| self.entry(key, r.code()))
            .or_else(|| self.entry(key, "default"))
            .ok_or_else(|| self.missing(key, None))
    }

    /// The village indicators of the village exit standard.
    pub fn village_indicators(&self) -> Result<Sourced<Vec<VillageIndicator>>, PolicyError> {
        match self.first("village_indicators") {
            Some((f, Value::Indicators(v))) => Ok(Sourced {
                value: v.clone(),
                file: f.name.clone(),
                entry: None,
            }),
            _ => Err(self.missing("village_indicators", None)),
        }
    }

    /// One entry of the `[county_exit]` table.
    pub fn county_exit(&self, entry: &str) -> Result<Sourced<Decimal>, PolicyError> {
        self.entry("county_exit", entry)
            .ok_or_else(|| self.missing(&format!("county_exit.{entry}"), None))
    }

    /// A percentage key (funds rules, DOMAIN.md §14).
    pub fn percent(&self, key: &str) -> Result<Sourced<Decimal>, PolicyError> {
        match self.first(key) {
            Some((f, Value::Percent(p))) => Ok(Sourced {
                value: *p,
                file: f.name.clone(),
                entry: None,
            }),
            _ => Err(self.missing(key, None)),
        }
    }

    /// One entry of the `[small_loan]` table.
    pub fn small_loan(&self, entry: &str) -> Result<Sourced<Decimal>, PolicyError> {
        self.entry("small_loan", entry)
            .ok_or_else(|| self.missing(&format!("small_loan.{entry}"), None))
    }

    /// Every effective value at `date`, for `fupin policy show`: (key, value, source).
    pub fn effective(&self, date: NaiveDate) -> Vec<(String, Option<Sourced<String>>)> {
        let mut out = Vec::new();
        let show = |s: Sourced<Decimal>| Sourced {
            value: fmt_plain(s.value),
            file: s.file,
            entry: s.entry,
        };
        out.push((
            "compulsory_school_age".to_string(),
            self.compulsory_school_age().ok().map(|s| Sourced {
                value: format!("[{}, {}]", s.value.0, s.value.1),
                file: s.file,
                entry: s.entry,
            }),
        ));
        for key in COUNT_KEYS {
            let count = self.count(key).ok();
            out.push((
                key.to_string(),
                count.map(|s| Sourced {
                    value: s.value.to_string(),
                    file: s.file,
                    entry: s.entry,
                }),
            ));
        }
        for key in AMOUNT_KEYS {
            out.push((key.to_string(), self.amount(key).ok().map(show)));
        }
        for key in YEARLY_KEYS {
            out.push((key.to_string(), self.yearly_opt(key, date).map(show)));
        }
        for key in REGIONAL_KEYS {
            for region in [
                None,
                Some(Region::East),
                Some(Region::Central),
                Some(Region::West),
            ] {
                let label = format!("{key}.{}", region.map_or("default", |r| r.code()));
                out.push((label, self.regional(key, region).ok().map(show)));
            }
        }
        for entry in COUNTY_EXIT_KEYS {
            out.push((
                format!("county_exit.{entry}"),
                self.county_exit(entry).ok().map(show),
            ));
        }
        for key in FLAG_KEYS {
            out.push((
                key.to_string(),
                self.flag(key).ok().map(|s| Sourced {
                    value: s.value.to_string(),
                    file: s.file,
                    entry: s.entry,
                }),
            ));
        }
        for rank in PAIRING_QUOTA_KEYS {
            out.push((
                format!("pairing_quota.{rank}"),
                self.pairing_quota(rank).map(|s| Sourced {
                    value: s.value.to_string(),
                    file: s.file,
                    entry: s.entry,
                }),
            ));
        }
        for key in PERCENT_KEYS {
            out.push((key.to_string(), self.percent(key).ok().map(show)));
        }
        for entry in SMALL_LOAN_KEYS {
            out.push((
                format!("small_loan.{entry}"),
                self.small_loan(entry).ok().map(show),
            ));
        }
        out.push((
            "village_indicators".to_string(),
            self.village_indicators().ok().map(|s| Sourced {
                value: s
                    .value
                    .iter()
                    .map(|i| i.code())
                    .collect::<Vec<_>>()
                    .join(", "),
                file: s.file,
                entry: s.entry,
            }),
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn national_lines_apply_from_their_year() {
        let set = PolicySet::builtin();
        let p = set.for_area("320000000000");
        assert_eq!(p.name(), "national");
        assert_eq!(
            p.poverty_line(d(2019, 12, 31)).unwrap().value,
            Decimal::from(3747)
        );
        assert_eq!(
            p.poverty_line(d(2015, 1, 1)).unwrap().value,
            Decimal::from(2855)
        );
        assert_eq!(
            p.poverty_line(d(2012, 6, 1)).unwrap().entry.as_deref(),
            Some("2010")
        );
        assert_eq!(
            p.poverty_line(d(2030, 1, 1)).unwrap().value,
            Decimal::from(4000)
        );
        let err = p.poverty_line(d(2009, 12, 31)).unwrap_err();
        assert_eq!(err.code(), "policy_missing");
        assert!(err.to_string().contains("poverty_line") && err.to_string().contains("2009-12-31"));
        assert_eq!(p.monitoring_line(d(2020, 6, 30)), None);
        assert_eq!(
            p.monitoring_line(d(2022, 1, 1)).unwrap().value,
            Decimal::from(6300)
        );
        assert_eq!(p.dibao_standard(d(2020, 1, 1)), None);
        assert_eq!(p.compulsory_school_age().unwrap().value, (6, 15));
        assert_eq!(p.count("public_notice_min_days").unwrap().value, 5);
        assert_eq!(p.count("risk_elimination_min_months").unwrap().value, 6);
        assert_eq!(
            p.amount("department_alert_min_amount").unwrap().value,
            Decimal::from(10000)
        );
        let half = PolicyFile::parse("name = \"x\"\ndepartment_alert_min_amount = -1", "x");
        assert_eq!(half.unwrap_err().code(), "policy_invalid");
    }

    #[test]
    fn a_region_file_overrides_by_prefix_and_inherits_the_rest() {
        let set = PolicySet::builtin();
        let p = set.for_area("140525100201");
        assert_eq!(p.name(), "jincheng");
        let m = p.monitoring_line(d(2020, 6, 30)).unwrap();
        assert_eq!(
            (m.value, m.file.as_str()),
            (Decimal::from(5000), "jincheng")
        );
        // National's later year takes over when it comes.
        assert_eq!(p.monitoring_line(d(2021, 1, 1)).unwrap().file, "national");
        assert_eq!(
            p.dibao_standard(d(2019, 12, 31)).unwrap().value,
            Decimal::from(4600)
        );
        assert_eq!(p.poverty_line(d(2019, 12, 31)).unwrap().file, "national");
        assert_eq!(
            p.regional("village_exit_max_incidence_pct", Some(Region::West))
                .unwrap()
                .value,
            Decimal::from(3)
        );
        assert_eq!(
            p.regional("village_exit_max_incidence_pct", Some(Region::Central))
                .unwrap()
                .entry
                .as_deref(),
            Some("default")
        );
    }

    #[test]
    fn a_what_if_file_states_only_what_changes() {
        // No village indicators, no school ages, one poverty line: the rest is the built-in policy.
        let set = PolicySet::layered(
            "name = \"what-if\"\n[poverty_line]\n2019 = 4000\n[village_exit_max_incidence_pct]\nwest = 2.5\n",
            "w.toml",
        )
        .unwrap();
        assert_eq!(set.name(), "what-if");
        let p = set.for_area("140525100201");
        assert_eq!(p.name(), "what-if");
        let line = p.poverty_line(d(2019, 6, 30)).unwrap();
        assert_eq!(
            (line.value, line.file.as_str()),
            (Decimal::from(4000), "what-if")
        );
        // A later built-in year still applies from that year, as for a region file.
        assert_eq!(
            p.poverty_line(d(2020, 6, 30)).unwrap().value,
            Decimal::from(4000)
        );
        assert_eq!(
            p.poverty_line(d(2018, 6, 30)).unwrap().value,
            Decimal::from(3535)
        );
        assert_eq!(p.village_indicators().unwrap().value.len(), 6);
        assert_eq!(p.compulsory_school_age().unwrap().value, (6, 15));
        // Jincheng's own values stay under the what-if file.
        let ledger = p.yearly("monitoring_ledger_line", d(2020, 6, 30)).unwrap();
        assert_eq!(
            (ledger.value, ledger.file.as_str()),
            (Decimal::from(4000), "jincheng")
        );
        // Regional tables merge entry by entry: west changed, default kept.
        let west = p
            .regional("village_exit_max_incidence_pct", Some(Region::West))
            .unwrap();
        assert_eq!(
            (west.value, west.file.as_str()),
            (Decimal::from_str("2.5").unwrap(), "what-if")
        );
        let east = p
            .regional("village_exit_max_incidence_pct", Some(Region::East))
            .unwrap();
        assert_eq!(
            (east.value, east.file.as_str()),
            (Decimal::from(2), "national")
        );
        assert_eq!(
            p.county_exit("max_missed_pct").unwrap().value,
            Decimal::from(2)
        );

        // With an area prefix, the file applies under it only.
        let region = PolicySet::layered(
            "name = \"r\"\narea_prefix = \"52\"\n[monitoring_line]\n2024 = 8800\n",
            "r.toml",
        )
        .unwrap();
        let inside = region.for_area("520102001001");
        assert_eq!(
            inside.monitoring_line(d(2024, 5, 1)).unwrap().value,
            Decimal::from(8800)
        );
        assert_eq!(
            inside.poverty_line(d(2019, 1, 1)).unwrap().value,
            Decimal::from(3747)
        );
        let outside = region.for_area("110000000000");
        assert_eq!(outside.name(), "national");
        assert_eq!(
            outside.monitoring_line(d(2024, 5, 1)).unwrap().value,
            Decimal::from(7100)
        );
    }

    #[test]
    fn bad_files_name_the_key() {
        let cases = [
            ("name = \"x\"\npovety_line = 1", "povety_line"),
            ("name = \"x\"\n[poverty_line]\nabc = 1", "poverty_line"),
            ("name = \"x\"\n[poverty_line]\n2019 = -1", "poverty_line"),
            (
                "name = \"x\"\ncompulsory_school_age = [15, 6]",
                "compulsory_school_age",
            ),
            (
                "name = \"x\"\n[village_exit_max_incidence_pct]\nnorth = 2",
                "village_exit_max_incidence_pct",
            ),
            ("[poverty_line]\n2019 = 1", "name"),
        ];
        for (text, key) in cases {
            match PolicyFile::parse(text, "f.toml") {
                Err(PolicyError::Invalid { key: Some(k), .. }) => assert_eq!(k, key, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(matches!(
            PolicyFile::parse("name = ", "f.toml"),
            Err(PolicyError::Invalid { key: None, .. })
        ));
    }

    #[test]
    fn fractional_and_string_values_are_exact() {
        let f = PolicyFile::parse(
            "name = \"x\"\n[poverty_line]\n2019 = 3747.5\n2020 = \"4000.10\"\n",
            "f",
        )
        .unwrap();
        let set = PolicySet {
            base: None,
            regions: Vec::new(),
            overlay: Some(f),
        };
        let p = set.for_area("");
        assert_eq!(
            p.poverty_line(d(2019, 3, 1)).unwrap().value,
            Decimal::from_str("3747.5").unwrap()
        );
        assert_eq!(
            p.poverty_line(d(2020, 3, 1)).unwrap().value,
            Decimal::from_str("4000.10").unwrap()
        );
    }
}
