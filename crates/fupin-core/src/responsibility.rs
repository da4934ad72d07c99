//! The responsibility network (帮扶责任体系, DOMAIN.md §11): units, cadres and their pairings with
//! households, village work teams, enterprise–village pairings, visits with their issues; and the
//! pure coverage `check` of `fupin responsibility check`, which names every gap by code.
//!
//! Every threshold is a policy key (`pairing_term_years`, `pairing_ends_at_exit`,
//! `work_team_term_years`, `first_secretary_min_poor_households`, `work_team_min_poor_households`,
//! `[pairing_quota]`), looked up under the policy of the record's area.

use crate::codes::{code_list, CodeList, HouseholdStatus, MonitoringCategory};
use crate::policy::{PolicyError, PolicySet};
use chrono::{Months, NaiveDate};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

#[cfg(test)]
mod tests;

code_list!(
    /// 帮扶单位类别: the kind of a unit.
    UnitKind, "unit_kind", {
    PartyGovernment => ("party_government", "党政机关", "party or government body"),
    Enterprise => ("enterprise", "企业", "enterprise"),
    Institution => ("institution", "事业单位", "public institution"),
    Social => ("social", "社会组织", "social organisation"),
});

code_list!(
    /// 干部职级: a cadre's rank, which sets its pairing quota (`[pairing_quota]`).
    Rank, "rank", {
    CountyLeader => ("county_leader", "县级领导", "county-level leader"),
    SectionChief => ("section_chief", "正科级实职领导干部", "section chief"),
    LeadershipMember => ("leadership_member", "班子成员", "leadership team member"),
    SectionLevel => ("section_level", "其他科级干部", "other section-level cadre"),
    Staff => ("staff", "一般干部", "staff"),
});

code_list!(
    /// 驻村工作队职务: a member's role in a work team.
    TeamRole, "team_role", {
    Leader => ("leader", "队长", "team leader"),
    FirstSecretary => ("first_secretary", "第一书记", "first secretary"),
    Member => ("member", "队员", "member"),
});

/// 帮扶单位.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
}

/// 帮扶干部.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cadre {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub rank: Rank,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// 结对: a cadre paired with a household from `start` until `end` (exclusive; open when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pairing {
    pub cadre: String,
    pub household: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
}

/// A member of a work team; a leader may also be the village's first secretary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub cadre: String,
    pub role: TeamRole,
    pub first_secretary: bool,
}

impl TeamMember {
    /// The member serves as the village's first secretary (第一书记).
    pub fn is_first_secretary(&self) -> bool {
        self.role == TeamRole::FirstSecretary || self.first_secretary
    }
}

/// 驻村工作队.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkTeam {
    pub id: String,
    pub village: String,
    pub unit: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub members: Vec<TeamMember>,
}

/// 企业–村结对.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnterprisePairing {
    pub unit: String,
    pub village: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// 问题: an issue a visit found; closed when its measure is recorded done (`closed_on`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitIssue {
    pub id: String,
    pub text: String,
    pub measure: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

/// 走访.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub date: NaiveDate,
    pub cadre: String,
    pub household: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<String>,
    pub issues: Vec<VisitIssue>,
}

/// What the check needs of a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdFacts {
    pub number: String,
    pub area_code: String,
    pub status: HouseholdStatus,
    pub monitoring: Option<MonitoringCategory>,
}

impl HouseholdFacts {
    /// Poor at the date: `poor` or `returned` (counts toward a village's poor households).
    pub fn is_poor(&self) -> bool {
        matches!(
            self.status,
            HouseholdStatus::Poor | HouseholdStatus::Returned
        )
    }

    /// Needs a paired cadre: poor, or a monitoring object ([`PAIRED_MONITORING`]).
    pub fn needs_pairing(&self) -> bool {
        self.is_poor()
            || self
                .monitoring
                .is_some_and(|m| PAIRED_MONITORING.contains(&m))
    }
}

/// The monitoring categories whose households need a paired cadre (with every poor household).
pub const PAIRED_MONITORING: [MonitoringCategory; 3] = [
    MonitoringCategory::Unstable,
    MonitoringCategory::Marginal,
    MonitoringCategory::SuddenHardship,
];

/// A village as the check sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageFacts {
    pub area_code: String,
    pub poor_village: bool,
}

/// The whole network at hand: what the check reads.
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub villages: Vec<VillageFacts>,
    pub households: Vec<HouseholdFacts>,
    pub units: Vec<Unit>,
    pub cadres: Vec<Cadre>,
    pub pairings: Vec<Pairing>,
    pub teams: Vec<WorkTeam>,
    pub enterprise_pairings: Vec<EnterprisePairing>,
    pub visits: Vec<Visit>,
    /// The area whose policy judges the whole, when the households are not all of the area's but
    /// only those the check needs (the store's read for the check, `check_network`); `None`: the
    /// longest area prefix shared by every village and household.
    pub area: Option<String>,
}

/// Active at `date`: started on or before it and not ended on or before it.
pub fn active(start: NaiveDate, end: Option<NaiveDate>, date: NaiveDate) -> bool {
    start <= date && end.is_none_or(|e| e > date)
}

/// Over its term at `date`: on or after the anniversary of `start` `years` years on.
pub fn over_term(start: NaiveDate, years: u32, date: NaiveDate) -> bool {
    start
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .is_some_and(|anniversary| date >= anniversary)
}

/// A coverage gap, by its stable code (DOMAIN.md §11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Gap {
    CadreBelowQuota {
        cadre: String,
        pairings: u32,
        quota: u32,
    },
    HouseholdUnpaired {
        household: String,
    },
    PairingAfterExit {
        cadre: String,
        household: String,
    },
    PairingOverTerm {
        cadre: String,
        household: String,
    },
    TeamOverTerm {
        team: String,
    },
    UnitSpread {
        unit: String,
        villages: Vec<String>,
    },
    VillageNeedsFirstSecretary {
        village: String,
        poor_households: u32,
    },
    VillageNeedsTeam {
        village: String,
        poor_households: u32,
    },
}

/// Every gap code, in output order.
pub const GAP_CODES: &[&str] = &[
    "cadre_below_quota",
    "household_unpaired",
    "pairing_after_exit",
    "pairing_over_term",
    "team_over_term",
    "unit_spread",
    "village_needs_first_secretary",
    "village_needs_team",
];

impl Gap {
    pub fn code(&self) -> &'static str {
        match self {
            Gap::CadreBelowQuota { .. } => "cadre_below_quota",
            Gap::HouseholdUnpaired { .. } => "household_unpaired",
            Gap::PairingAfterExit { .. } => "pairing_after_exit",
            Gap::PairingOverTerm { .. } => "pairing_over_term",
            Gap::TeamOverTerm { .. } => "team_over_term",
            Gap::UnitSpread { .. } => "unit_spread",
            Gap::VillageNeedsFirstSecretary { .. } => "village_needs_first_secretary",
            Gap::VillageNeedsTeam { .. } => "village_needs_team",
        }
    }

    /// The record keys the gaps of one code sort by.
    fn keys(&self) -> Vec<&str> {
        match self {
            Gap::CadreBelowQuota { cadre, .. } => vec![cadre],
            Gap::HouseholdUnpaired { household } => vec![household],
            Gap::PairingAfterExit { cadre, household }
            | Gap::PairingOverTerm { cadre, household } => {
                vec![cadre, household]
            }
            Gap::TeamOverTerm { team } => vec![team],
            Gap::UnitSpread { unit, .. } => vec![unit],
            Gap::VillageNeedsFirstSecretary { village, .. }
            | Gap::VillageNeedsTeam { village, .. } => {
                vec![village]
            }
        }
    }

    /// The area the gap belongs to, when it has one (a household's or village's code).
    pub fn subject(&self) -> &str {
        match self {
            Gap::CadreBelowQuota { cadre, .. } => cadre,
            Gap::HouseholdUnpaired { household }
            | Gap::PairingAfterExit { household, .. }
            | Gap::PairingOverTerm { household, .. } => household,
            Gap::TeamOverTerm { team } => team,
            Gap::UnitSpread { unit, .. } => unit,
            Gap::VillageNeedsFirstSecretary { village, .. }
            | Gap::VillageNeedsTeam { village, .. } => village,
        }
    }

    /// Chinese and English text of a gap code.
    pub fn label(code: &str) -> (&'static str, &'static str) {
        match code {
            "cadre_below_quota" => ("干部结对户数不足", "cadre below its pairing quota"),
            "household_unpaired" => ("户未结对帮扶", "household without a paired cadre"),
            "pairing_after_exit" => ("脱贫后未解约", "pairing still active after exit"),
            "pairing_over_term" => ("结对超期", "pairing over its term"),
            "team_over_term" => ("工作队超期", "work team over its term"),
            "unit_spread" => ("同一单位分散多村", "unit's pairings spread over villages"),
            "village_needs_first_secretary" => ("村缺第一书记", "village needs a first secretary"),
            "village_needs_team" => ("村缺驻村工作队", "village needs a work team"),
            _ => ("", ""),
        }
    }
}

/// Visit figures (走访): visits on or before the date (and on or after a start when given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VisitFigures {
    pub visits: u64,
    pub households_visited: u64,
    pub issues: u64,
    pub issues_closed: u64,
    pub measures: u64,
    /// Closed issues ÷ issues × 100, two places; `None` with no issue.
    pub completion_pct: Option<String>,
}

impl VisitFigures {
    /// The figures of the visits dated from `from` (when given) to `to`, both inclusive; an issue
    /// counts closed when closed on or before `to`; measures are distinct measure ids.
    pub fn of<'a>(
        visits: impl IntoIterator<Item = &'a Visit>,
        from: Option<NaiveDate>,
        to: NaiveDate,
    ) -> VisitFigures {
        let mut acc = VisitAccumulator::default();
        for v in visits {
            if v.date <= to && from.is_none_or(|f| v.date >= f) {
                acc.add(v, to);
            }
        }
        acc.finish()
    }
}

/// Visit figures built one visit at a time (for a store streaming visits).
#[derive(Debug, Default)]
pub struct VisitAccumulator {
    visits: u64,
    households: HashSet<String>,
    issues: u64,
    closed: u64,
    measures: HashSet<String>,
}

impl VisitAccumulator {
    /// Counts one visit, its issues closed on or before `to`.
    pub fn add(&mut self, v: &Visit, to: NaiveDate) {
        self.visits += 1;
        if !self.households.contains(&v.household) {
            self.households.insert(v.household.clone());
        }
        for i in &v.issues {
            self.issues += 1;
            if i.closed_on.is_some_and(|c| c <= to) {
                self.closed += 1;
            }
            if let Some(m) = &i.measure {
                if !self.measures.contains(m) {
                    self.measures.insert(m.clone());
                }
            }
        }
    }

    pub fn finish(self) -> VisitFigures {
        VisitFigures {
            visits: self.visits,
            households_visited: self.households.len() as u64,
            issues: self.issues,
            issues_closed: self.closed,
            measures: self.measures.len() as u64,
            completion_pct: completion_pct(self.closed, self.issues),
        }
    }
}

/// Closed ÷ issues × 100 to two places (half away from zero); `None` with no issue.
pub fn completion_pct(closed: u64, issues: u64) -> Option<String> {
    if issues == 0 {
        return None;
    }
    let pct = crate::money::Decimal::from(closed) * crate::money::Decimal::from(100)
        / crate::money::Decimal::from(issues);
    Some(crate::money::fmt2(pct))
}

/// An invalid record: where (`field`, a JSON path such as `pairings[2].cadre`), a stable code and a
/// message in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl RecordError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> RecordError {
        RecordError {
            field: field.into(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// The output of `fupin responsibility check`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: NaiveDate,
    pub policy: String,
    pub gaps: Vec<Gap>,
    pub visits: VisitFigures,
    pub errors: Vec<RecordError>,
}

impl Report {
    /// The number of gaps of each code (codes without a gap left out).
    pub fn by_code(&self) -> BTreeMap<&'static str, u64> {
        let mut m = BTreeMap::new();
        for g in &self.gaps {
            *m.entry(g.code()).or_insert(0) += 1;
        }
        m
    }
}

/// A problem with the input as a whole (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest area prefix shared by every village and household (the policy of the whole).
fn common_area(net: &Network) -> String {
    let mut codes = net
        .villages
        .iter()
        .map(|v| v.area_code.as_str())
        .chain(net.households.iter().map(|h| h.area_code.as_str()));
    let Some(first) = codes.next() else {
        return String::new();
    };
    let mut len = first.len();
    for c in codes {
        len = first
            .bytes()
            .zip(c.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    first[..len].to_string()
}

/// The village (12-digit code) of a household's area code.
fn village_of(area: &str) -> &str {
    &area[..area.len().min(12)]
}

/// The coverage check at `as_of`: every gap of the network, sorted by code and then by the record
/// keys, and the visit figures up to the date. Records must be consistent (every reference known);
/// [`parse`] guarantees that for a JSON input, and the store for the registry.
pub fn check(
    net: &Network,
    policies: &PolicySet,
    as_of: NaiveDate,
) -> Result<(String, Vec<Gap>, VisitFigures), PolicyError> {
    let area = net.area.clone().unwrap_or_else(|| common_area(net));
    let whole = policies.for_area(&area);
    let policy_name = whole.name().to_string();
    let households: HashMap<&str, &HouseholdFacts> = net
        .households
        .iter()
        .map(|h| (h.number.as_str(), h))
        .collect();
    let cadres: HashMap<&str, &Cadre> = net.cadres.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut gaps = Vec::new();

    // Pairings: per household, per cadre, per unit; over term, after exit.
    let mut paired: HashSet<&str> = HashSet::new();
    let mut load: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut unit_villages: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut terms: HashMap<String, (u32, bool)> = HashMap::new();
    for p in &net.pairings {
        if !active(p.start, p.end, as_of) {
            continue;
        }
        let Some(h) = households.get(p.household.as_str()) else {
            continue;
        };
        paired.insert(&p.household);
        load.entry(&p.cadre).or_default().insert(&p.household);
        if let Some(c) = cadres.get(p.cadre.as_str()) {
            unit_villages
                .entry(&c.unit)
                .or_default()
                .insert(village_of(&h.area_code));
        }
        let county = crate::area::county_of(&h.area_code).to_string();
        let (term, ends_at_exit) = match terms.get(&county) {
            Some(t) => *t,
            None => {
                let pol = policies.for_area(&county);
                let t = (
                    pol.count("pairing_term_years")?.value,
                    pol.flag("pairing_ends_at_exit")?.value,
                );
                terms.insert(county, t);
                t
            }
        };
        if over_term(p.start, term, as_of) {
            gaps.push(Gap::PairingOverTerm {
                cadre: p.cadre.clone(),
                household: p.household.clone(),
            });
        }
        if ends_at_exit && h.status == HouseholdStatus::Exited {
            gaps.push(Gap::PairingAfterExit {
                cadre: p.cadre.clone(),
                household: p.household.clone(),
            });
        }
    }
    for h in &net.households {
        if h.needs_pairing() && !paired.contains(h.number.as_str()) {
            gaps.push(Gap::HouseholdUnpaired {
                household: h.number.clone(),
            });
        }
    }
    for c in &net.cadres {
        let Some(quota) = whole.pairing_quota(c.rank.code()) else {
            continue;
        };
        let n = load.get(c.id.as_str()).map_or(0, |s| s.len()) as u32;
        if n < quota.value {
            gaps.push(Gap::CadreBelowQuota {
                cadre: c.id.clone(),
                pairings: n,
                quota: quota.value,
            });
        }
    }
    for (unit, villages) in unit_villages {
        if villages.len() > 1 {
            gaps.push(Gap::UnitSpread {
                unit: unit.to_string(),
                villages: villages.into_iter().map(str::to_string).collect(),
            });
        }
    }

    // Villages: poor households, teams, first secretaries.
    let mut villages: BTreeMap<&str, (u32, bool)> = BTreeMap::new();
    for v in &net.villages {
        villages.entry(&v.area_code).or_default().1 |= v.poor_village;
    }
    for h in &net.households {
        let e = villages.entry(village_of(&h.area_code)).or_default();
        if h.is_poor() {
            e.0 += 1;
        }
    }
    let mut teamed: HashSet<&str> = HashSet::new();
    let mut secretaries: HashSet<&str> = HashSet::new();
    for t in &net.teams {
        if !active(t.start, t.end, as_of) {
            continue;
        }
        teamed.insert(&t.village);
        if t.members.iter().any(TeamMember::is_first_secretary) {
            secretaries.insert(&t.village);
        }
        let term = policies
            .for_area(&t.village)
            .count("work_team_term_years")?
            .value;
        if over_term(t.start, term, as_of) {
            gaps.push(Gap::TeamOverTerm { team: t.id.clone() });
        }
    }
    for (village, (poor, poor_village)) in villages {
        let pol = policies.for_area(village);
        let min_secretary = pol.count("first_secretary_min_poor_households")?.value;
        let min_team = pol.count("work_team_min_poor_households")?.value;
        if poor >= min_secretary && !secretaries.contains(village) {
            gaps.push(Gap::VillageNeedsFirstSecretary {
                village: village.to_string(),
                poor_households: poor,
            });
        }
        if (poor >= min_team || poor_village) && !teamed.contains(village) {
            gaps.push(Gap::VillageNeedsTeam {
                village: village.to_string(),
                poor_households: poor,
            });
        }
    }
    sort_gaps(&mut gaps);
    let figures = VisitFigures::of(&net.visits, None, as_of);
    Ok((policy_name, gaps, figures))
}

/// Sorts gaps by code, then by their record keys.
pub fn sort_gaps(gaps: &mut [Gap]) {
    gaps.sort_by(|a, b| a.code().cmp(b.code()).then_with(|| a.keys().cmp(&b.keys())));
}

/// Reads the check date: `as_of_override` (from `--as-of`) wins over the input's `as_of`.
pub fn as_of_date(
    input: &Value,
    as_of_override: Option<NaiveDate>,
) -> Result<NaiveDate, InputError> {
    crate::assess::as_of_date(input, as_of_override).map_err(|e| InputError(e.0))
}

/// `fupin responsibility check` over a JSON document: parse (invalid records to `errors`, left
/// out), then [`check`].
pub fn run(
    input: &Value,
    policies: &PolicySet,
    as_of_override: Option<NaiveDate>,
) -> Result<Report, InputError> {
    if !input.is_object() {
        return Err(InputError(
            "输入应为 JSON 对象 / the input must be a JSON object".into(),
        ));
    }
    let as_of = as_of_date(input, as_of_override)?;
    let (net, errors) = parse(input)?;
    let (policy, gaps, visits) =
        check(&net, policies, as_of).map_err(|e| InputError(e.to_string()))?;
    Ok(Report {
        as_of,
        policy,
        gaps,
        visits,
        errors,
    })
}

struct Reader<'a> {
    errors: &'a mut Vec<RecordError>,
    path: String,
    value: &'a Value,
    ok: bool,
}

impl<'a> Reader<'a> {
    fn fail(&mut self, key: &str, code: &str, message: String) {
        self.ok = false;
        self.errors.push(RecordError::new(
            format!("{}.{key}", self.path),
            code,
            message,
        ));
    }

    fn opt_text(&mut self, key: &str) -> Option<String> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s))
                if s.chars().count() > 200 || s.chars().any(char::is_control) =>
            {
                self.fail(
                    key,
                    "text_invalid",
                    format!("{key} 过长或含控制字符 / {key} is longer than 200 characters or holds control characters"),
                );
                None
            }
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                self.fail(
                    key,
                    "not_text",
                    format!("{key} 应为文本 / {key} must be text"),
                );
                None
            }
        }
    }

    fn text(&mut self, key: &str) -> String {
        let before = self.errors.len();
        let v = self.opt_text(key);
        if v.is_none() && self.errors.len() == before {
            self.fail(key, "required", format!("缺少 {key} / {key} is required"));
        }
        v.unwrap_or_default()
    }

    fn opt_date(&mut self, key: &str) -> Option<NaiveDate> {
        let s = self.opt_text(key)?;
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.fail(
                    key,
                    "date_invalid",
                    format!("{key} 应为 YYYY-MM-DD 日期,不是 {s:?} / {key} must be a date YYYY-MM-DD, not {s:?}"),
                );
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> NaiveDate {
        let before = self.errors.len();
        let d = self.opt_date(key);
        if d.is_none() && self.errors.len() == before {
            self.fail(key, "required", format!("缺少 {key} / {key} is required"));
        }
        d.unwrap_or_default()
    }

    fn code<C: CodeList>(&mut self, key: &str, required: bool) -> Option<C> {
        let s = match self.opt_text(key) {
            Some(s) => s,
            None => {
                if required {
                    self.fail(key, "required", format!("缺少 {key} / {key} is required"));
                }
                return None;
            }
        };
        let c = C::parse(&s);
        if c.is_none() {
            let known: Vec<&str> = C::all().iter().map(|c| c.code()).collect();
            self.fail(
                key,
                &format!("{}_unknown", C::LIST),
                format!(
                    "未知的{key} {s:?} / unknown {key} {s:?}; known: {}",
                    known.join(", ")
                ),
            );
        }
        c
    }

    fn flag(&mut self, key: &str) -> bool {
        match self.value.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.fail(
                    key,
                    "not_bool",
                    format!("{key} 应为 true 或 false / {key} must be true or false"),
                );
                false
            }
        }
    }

    fn period(&mut self) -> (NaiveDate, Option<NaiveDate>) {
        let start = self.date("start");
        let end = self.opt_date("end");
        if self.ok && end.is_some_and(|e| e < start) {
            self.fail(
                "end",
                "end_before_start",
                "结束日期早于开始日期 / end is before start".into(),
            );
        }
        (start, end)
    }

    fn reference(&mut self, key: &str, id: &str, known: &HashSet<String>, code: &str, what: &str) {
        if !id.is_empty() && !known.contains(id) {
            self.fail(
                key,
                code,
                format!("未知的{what} {id:?} / unknown {key} {id:?}"),
            );
        }
    }
}

fn list<'a>(input: &'a Value, key: &str) -> Result<&'a [Value], InputError> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(InputError(format!(
            "`{key}` 应为列表 / `{key}` must be a list"
        ))),
    }
}

/// Reads a network from the JSON of `fupin responsibility check` (docs/responsibility.md): every
/// invalid record (a bad date or code, an unknown reference, a duplicate id) is reported by field
/// and left out; a record that refers to a record left out is left out quietly.
pub fn parse(input: &Value) -> Result<(Network, Vec<RecordError>), InputError> {
    let mut errors = Vec::new();
    let mut net = Network::default();
    // Ids present (valid or not) and valid: a reference to an invalid record is not "unknown".
    fn seen(
        errors: &mut Vec<RecordError>,
        ids: &mut HashSet<String>,
        path: &str,
        key: &str,
        id: &str,
    ) -> bool {
        if !id.is_empty() && !ids.insert(id.to_string()) {
            errors.push(RecordError::new(
                format!("{path}.{key}"),
                "duplicate",
                format!("{key} {id:?} 重复 / {key} {id:?} appears twice"),
            ));
            return false;
        }
        true
    }
    macro_rules! reader {
        ($v:expr, $path:expr) => {
            Reader {
                errors: &mut errors,
                path: $path,
                value: $v,
                ok: $v.is_object(),
            }
        };
    }
    fn not_object(errors: &mut Vec<RecordError>, path: &str) {
        errors.push(RecordError::new(
            path,
            "not_object",
            "应为 JSON 对象 / must be a JSON object",
        ));
    }

    let mut village_ids = HashSet::new();
    for (i, v) in list(input, "villages")?.iter().enumerate() {
        let path = format!("villages[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path.clone());
        let area_code = r.text("area_code");
        if r.ok
            && crate::area::AreaCode::parse(&area_code).map(|a| a.level())
                != Ok(crate::AreaLevel::Village)
        {
            r.fail("area_code", "area_code", format!("{area_code:?} 不是12位村级区划代码 / {area_code:?} is not a 12-digit village code"));
        }
        let poor_village = r.flag("poor_village");
        let ok = r.ok;
        if ok
            && seen(
                &mut errors,
                &mut village_ids,
                &path,
                "area_code",
                &area_code,
            )
        {
            net.villages.push(VillageFacts {
                area_code,
                poor_village,
            });
        }
    }

    let (mut household_ids, mut households_ok) = (HashSet::new(), HashSet::new());
    for (i, v) in list(input, "households")?.iter().enumerate() {
        let path = format!("households[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path.clone());
        let number = r.text("number");
        let area_code = r.text("area_code");
        if !area_code.is_empty()
            && crate::area::AreaCode::parse(&area_code).map(|a| a.level())
                != Ok(crate::AreaLevel::Village)
        {
            r.fail("area_code", "area_code", format!("{area_code:?} 不是12位村级区划代码 / {area_code:?} is not a 12-digit village code"));
        }
        let status = r.code::<HouseholdStatus>("status", true);
        let monitoring = r.code::<MonitoringCategory>("monitoring", false);
        let ok = r.ok;
        if seen(&mut errors, &mut household_ids, &path, "number", &number) && ok {
            households_ok.insert(number.clone());
            net.households.push(HouseholdFacts {
                number,
                area_code,
                status: status.expect("checked"),
                monitoring,
            });
        }
    }

    let (mut unit_ids, mut units_ok) = (HashSet::new(), HashSet::new());
    let mut unit_kinds = HashMap::new();
    for (i, v) in list(input, "units")?.iter().enumerate() {
        let path = format!("units[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path.clone());
        let code = r.text("code");
        let name = r.text("name");
        let kind = r.code::<UnitKind>("kind", true);
        let ok = r.ok;
        if seen(&mut errors, &mut unit_ids, &path, "code", &code) && ok {
            units_ok.insert(code.clone());
            unit_kinds.insert(code.clone(), kind.expect("checked"));
            net.units.push(Unit {
                code,
                name,
                kind: kind.expect("checked"),
            });
        }
    }

    let (mut cadre_ids, mut cadres_ok) = (HashSet::new(), HashSet::new());
    for (i, v) in list(input, "cadres")?.iter().enumerate() {
        let path = format!("cadres[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path.clone());
        let id = r.text("id");
        let name = r.text("name");
        let unit = r.text("unit");
        r.reference("unit", &unit, &unit_ids, "unknown_unit", "单位");
        let rank = r.code::<Rank>("rank", true);
        let phone = r.opt_text("phone");
        let ok = r.ok && units_ok.contains(&unit);
        if seen(&mut errors, &mut cadre_ids, &path, "id", &id) && ok {
            cadres_ok.insert(id.clone());
            net.cadres.push(Cadre {
                id,
                name,
                unit,
                rank: rank.expect("checked"),
                phone,
            });
        }
    }

    for (i, v) in list(input, "pairings")?.iter().enumerate() {
        let path = format!("pairings[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path);
        let cadre = r.text("cadre");
        r.reference("cadre", &cadre, &cadre_ids, "unknown_cadre", "干部");
        let household = r.text("household");
        r.reference(
            "household",
            &household,
            &household_ids,
            "unknown_household",
            "户",
        );
        let (start, end) = r.period();
        let end_reason = r.opt_text("end_reason");
        if r.ok && cadres_ok.contains(&cadre) && households_ok.contains(&household) {
            net.pairings.push(Pairing {
                cadre,
                household,
                start,
                end,
                end_reason,
            });
        }
    }

    let mut team_ids = HashSet::new();
    for (i, v) in list(input, "teams")?.iter().enumerate() {
        let path = format!("teams[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path.clone());
        let id = r.text("id");
        let village = r.text("village");
        if !village.is_empty()
            && crate::area::AreaCode::parse(&village).map(|a| a.level())
                != Ok(crate::AreaLevel::Village)
        {
            r.fail(
                "village",
                "area_code",
                format!(
                    "{village:?} 不是12位村级区划代码 / {village:?} is not a 12-digit village code"
                ),
            );
        }
        let unit = r.text("unit");
        r.reference("unit", &unit, &unit_ids, "unknown_unit", "单位");
        let (start, end) = r.period();
        let mut ok = r.ok && units_ok.contains(&unit);
        let mut members = Vec::new();
        let raw = match v.get("members") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a,
            Some(_) => {
                r.fail(
                    "members",
                    "not_list",
                    "members 应为列表 / members must be a list".into(),
                );
                ok = false;
                &[][..]
            }
        };
        for (j, m) in raw.iter().enumerate() {
            let mpath = format!("{path}.members[{j}]");
            if !m.is_object() {
                not_object(&mut errors, &mpath);
                ok = false;
                continue;
            }
            let mut r = reader!(m, mpath);
            let cadre = r.text("cadre");
            r.reference("cadre", &cadre, &cadre_ids, "unknown_cadre", "干部");
            let role = r.code::<TeamRole>("role", true);
            let first_secretary = r.flag("first_secretary");
            if r.ok && cadres_ok.contains(&cadre) {
                members.push(TeamMember {
                    cadre,
                    role: role.expect("checked"),
                    first_secretary,
                });
            } else {
                ok = false;
            }
        }
        if seen(&mut errors, &mut team_ids, &path, "id", &id) && ok {
            net.teams.push(WorkTeam {
                id,
                village,
                unit,
                start,
                end,
                members,
            });
        }
    }

    for (i, v) in list(input, "enterprise_pairings")?.iter().enumerate() {
        let path = format!("enterprise_pairings[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path);
        let unit = r.text("unit");
        r.reference("unit", &unit, &unit_ids, "unknown_unit", "单位");
        if r.ok
            && unit_kinds
                .get(&unit)
                .is_some_and(|k| *k != UnitKind::Enterprise)
        {
            r.fail(
                "unit",
                "not_enterprise",
                format!("单位 {unit:?} 不是企业 / unit {unit:?} is not an enterprise"),
            );
        }
        let village = r.text("village");
        if !village.is_empty()
            && crate::area::AreaCode::parse(&village).map(|a| a.level())
                != Ok(crate::AreaLevel::Village)
        {
            r.fail(
                "village",
                "area_code",
                format!(
                    "{village:?} 不是12位村级区划代码 / {village:?} is not a 12-digit village code"
                ),
            );
        }
        let (start, end) = r.period();
        if r.ok && units_ok.contains(&unit) {
            net.enterprise_pairings.push(EnterprisePairing {
                unit,
                village,
                start,
                end,
            });
        }
    }

    let mut issue_ids = HashSet::new();
    for (i, v) in list(input, "visits")?.iter().enumerate() {
        let path = format!("visits[{i}]");
        if !v.is_object() {
            not_object(&mut errors, &path);
            continue;
        }
        let mut r = reader!(v, path.clone());
        let date = r.date("date");
        let cadre = r.text("cadre");
        r.reference("cadre", &cadre, &cadre_ids, "unknown_cadre", "干部");
        let household = r.text("household");
        r.reference(
            "household",
            &household,
            &household_ids,
            "unknown_household",
            "户",
        );
        let findings = r.opt_text("findings");
        let mut ok = r.ok && cadres_ok.contains(&cadre) && households_ok.contains(&household);
        let raw = match v.get("issues") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a,
            Some(_) => {
                r.fail(
                    "issues",
                    "not_list",
                    "issues 应为列表 / issues must be a list".into(),
                );
                ok = false;
                &[][..]
            }
        };
        let mut issues = Vec::new();
        for (j, x) in raw.iter().enumerate() {
            let ipath = format!("{path}.issues[{j}]");
            if !x.is_object() {
                not_object(&mut errors, &ipath);
                ok = false;
                continue;
            }
            let mut r = reader!(x, ipath.clone());
            let id = r.text("id");
            let text = r.text("text");
            let measure = r.opt_text("measure");
            let closed_on = r.opt_date("closed_on");
            if r.ok && closed_on.is_some() && measure.is_none() {
                r.fail(
                    "measure",
                    "closed_without_measure",
                    "问题已关闭但未记录整改措施 / the issue is closed but no measure is recorded"
                        .into(),
                );
            }
            if r.ok && closed_on.is_some_and(|c| c < date) {
                r.fail(
                    "closed_on",
                    "closed_before_visit",
                    "关闭日期早于走访日期 / closed before the visit".into(),
                );
            }
            let iok = r.ok;
            if seen(&mut errors, &mut issue_ids, &ipath, "id", &id) && iok {
                issues.push(VisitIssue {
                    id,
                    text,
                    measure,
                    closed_on,
                });
            } else {
                ok = false;
            }
        }
        if ok {
            net.visits.push(Visit {
                date,
                cadre,
                household,
                findings,
                issues,
            });
        }
    }
    Ok((net, errors))
}
