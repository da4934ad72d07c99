//! A batch assessment: households (exit check, monitoring, 低保), villages and counties (exit),
//! under the policy of each one's area. The input and output are the JSON of `fupin assess`
//! (docs/assess.md); invalid records are reported by field and left out, the rest assessed.

use crate::codes::{Check, CodeList, MonitoringCategory, Region, VillageIndicator};
use crate::input::{self, FieldError};
use crate::model::Household;
use crate::money::Decimal;
use crate::money::{fmt2, fmt_plain};
use crate::policy::{Policy, PolicyError, PolicySet};
use crate::rules;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: NaiveDate,
    pub policy: String,
    pub households: Vec<HouseholdResult>,
    pub villages: Vec<VillageResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counties: Vec<CountyResult>,
    pub errors: Vec<FieldError>,
}

/// The village exit decision (贫困村退出, DOMAIN.md §6) under the policy in force for a village:
/// the incidence threshold of its region and the indicators the policy requires, with their
/// values. The one place that reads these from a policy, for `fupin assess`, `fupin report
/// villages` and the web's village page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageExit {
    /// The village exits only with an incidence strictly below this, in percent.
    pub max_incidence_pct: Decimal,
    /// Each required indicator, in policy order, and whether it holds.
    pub indicators: Vec<(VillageIndicator, bool)>,
}

impl VillageExit {
    /// The incidence threshold for a village of `region` (`village_exit_max_incidence_pct`).
    pub fn threshold(policy: &Policy<'_>, region: Option<Region>) -> Result<Decimal, PolicyError> {
        Ok(policy
            .regional("village_exit_max_incidence_pct", region)?
            .value)
    }

    /// The decision for a village of `region` whose indicators are recorded as `(code, holds)`
    /// pairs; a required indicator not recorded does not hold.
    pub fn under(
        policy: &Policy<'_>,
        region: Option<Region>,
        recorded: &[(String, bool)],
    ) -> Result<VillageExit, PolicyError> {
        let max_incidence_pct = Self::threshold(policy, region)?;
        let indicators = policy
            .village_indicators()?
            .value
            .iter()
            .map(|i| {
                let holds = recorded
                    .iter()
                    .find(|(k, _)| k == i.code())
                    .is_some_and(|(_, ok)| *ok);
                (*i, holds)
            })
            .collect();
        Ok(VillageExit {
            max_incidence_pct,
            indicators,
        })
    }

    /// The failed checks of a village with `poor` people in poor and returned households out of a
    /// rural population of `rural` (empty: the village may exit).
    pub fn failed(&self, poor: u64, rural: u64) -> Vec<rules::VillageCheck> {
        rules::village_exit(poor, rural, self.max_incidence_pct, &self.indicators)
    }

    /// A poor village (贫困村): its incidence is not below the threshold.
    pub fn is_poor(&self, poor: u64, rural: u64) -> bool {
        !rules::village_exit(poor, rural, self.max_incidence_pct, &[]).is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome<C> {
    pub meets_standard: bool,
    pub failed: Vec<C>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HouseholdResult {
    pub id: String,
    /// The policy file that decided (the region's, or `national`).
    pub policy: String,
    pub status: &'static str,
    pub members: usize,
    pub per_capita_income: String,
    pub poverty_line: String,
    pub exit: Outcome<&'static str>,
    pub monitoring: Option<MonitoringResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dibao: Option<DibaoResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonitoringResult {
    pub category: &'static str,
    pub reasons: Vec<&'static str>,
    pub monitoring_line: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DibaoResult {
    pub eligible: bool,
    pub monthly_top_up: String,
    pub standard: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VillageResult {
    pub area_code: String,
    pub poor_population: u64,
    pub rural_population: u64,
    pub incidence_pct: String,
    pub max_incidence_pct: String,
    pub exit: Outcome<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyResult {
    pub area_code: String,
    pub poor_population: u64,
    pub rural_population: u64,
    pub incidence_pct: String,
    pub exit: Outcome<&'static str>,
}

/// A problem with the input as a whole (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The list under `key` of an input document (absent or null: empty).
pub(crate) fn list<'a>(input: &'a Value, key: &str) -> Result<&'a [Value], InputError> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(InputError(format!(
            "`{key}` 应为列表 / `{key}` must be a list"
        ))),
    }
}

fn policy_error(e: PolicyError, field: &str) -> FieldError {
    FieldError::new(field, e.code(), e.to_string())
}

/// Reads the assessment date: `as_of_override` (from `--as-of`) wins over the input's `as_of`.
pub fn as_of_date(
    input: &Value,
    as_of_override: Option<NaiveDate>,
) -> Result<NaiveDate, InputError> {
    if let Some(d) = as_of_override {
        return Ok(d);
    }
    match input.get("as_of") {
        Some(Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            InputError(format!(
                "as_of 应为 YYYY-MM-DD 日期 / as_of must be a date YYYY-MM-DD, not {s:?}"
            ))
        }),
        Some(_) => Err(InputError(
            "as_of 应为 YYYY-MM-DD 日期 / as_of must be a date YYYY-MM-DD".into(),
        )),
        None => Err(InputError(
            "缺少 as_of(或 --as-of)/ as_of is missing (give it in the file or with --as-of)".into(),
        )),
    }
}

/// Assesses one household under its area's policy.
pub fn assess_household(
    h: &Household,
    policies: &PolicySet,
    as_of: NaiveDate,
) -> Result<HouseholdResult, FieldError> {
    let p = policies.for_area(h.area.as_str());
    let tag = |e: FieldError| e.in_household(&h.id);
    let line = p
        .poverty_line(as_of)
        .map_err(|e| tag(policy_error(e, "poverty_line")))?;
    let ages = p
        .compulsory_school_age()
        .map_err(|e| tag(policy_error(e, "compulsory_school_age")))?
        .value;
    let exit = rules::household_exit(h, line.value, ages, as_of);
    let monitoring = p.monitoring_line(as_of).map(|m| {
        let out = rules::monitoring(h, m.value, ages, as_of);
        MonitoringResult {
            category: out.category.code(),
            reasons: out.reasons.iter().map(|c| c.code()).collect(),
            monitoring_line: fmt_plain(m.value),
        }
    });
    let dibao = p.dibao_standard(as_of).map(|s| {
        let out = rules::dibao(h.income.net(), h.members.len(), s.value);
        DibaoResult {
            eligible: out.eligible,
            monthly_top_up: fmt2(out.monthly_top_up),
            standard: fmt_plain(s.value),
        }
    });
    Ok(HouseholdResult {
        id: h.id.clone(),
        policy: p.name().to_string(),
        status: h.status.code(),
        members: h.members.len(),
        per_capita_income: fmt2(exit.per_capita_income),
        poverty_line: fmt_plain(line.value),
        exit: Outcome {
            meets_standard: exit.meets_standard(),
            failed: exit.failed.iter().map(|c| c.code()).collect(),
        },
        monitoring,
        dibao,
    })
}

/// Assesses a whole input document.
pub fn assess(
    input: &Value,
    policies: &PolicySet,
    as_of_override: Option<NaiveDate>,
) -> Result<Report, InputError> {
    input::check_document(input).map_err(InputError)?;
    let as_of = as_of_date(input, as_of_override)?;
    let raw_households = list(input, "households")?;
    let raw_villages = list(input, "villages")?;
    let raw_counties = list(input, "counties")?;
    let mut errors = Vec::new();

    // Read every household; then refuse people registered twice.
    let mut parsed: Vec<Option<Household>> = Vec::with_capacity(raw_households.len());
    let mut ids = std::collections::HashMap::new();
    for (i, v) in raw_households.iter().enumerate() {
        match input::parse_household(v, i, as_of) {
            Ok(h) => {
                if let Some(first) = ids.insert(h.id.clone(), i) {
                    errors.push(
                        FieldError::new(
                            "id",
                            "duplicate_household",
                            format!(
                                "户编号重复(第{}户与第{}户)/ household id used twice (#{} and #{})",
                                first + 1,
                                i + 1,
                                first + 1,
                                i + 1
                            ),
                        )
                        .in_household(&h.id),
                    );
                    parsed.push(None);
                } else {
                    parsed.push(Some(h));
                }
            }
            Err(e) => {
                errors.extend(e);
                parsed.push(None);
            }
        }
    }
    let valid: Vec<&Household> = parsed.iter().flatten().collect();
    let dups = input::duplicate_people(&valid);
    let dup_households: std::collections::HashSet<String> =
        dups.iter().filter_map(|e| e.household.clone()).collect();
    errors.extend(dups);
    let valid: Vec<&Household> = valid
        .into_iter()
        .filter(|h| !dup_households.contains(&h.id))
        .collect();

    let mut households = Vec::with_capacity(valid.len());
    for h in &valid {
        match assess_household(h, policies, as_of) {
            Ok(r) => households.push(r),
            Err(e) => errors.push(e),
        }
    }
    let poor_in = |prefix: &str| -> u64 {
        valid
            .iter()
            .filter(|h| h.status.is_poor() && h.area.as_str().starts_with(prefix))
            .map(|h| h.members.len() as u64)
            .sum()
    };

    let mut villages = Vec::new();
    for (i, v) in raw_villages.iter().enumerate() {
        let code = v.get("area_code").and_then(Value::as_str).unwrap_or("");
        let p = policies.for_area(code);
        let required = match p.village_indicators() {
            Ok(s) => s.value,
            Err(e) => {
                errors.push(policy_error(e, "village_indicators").in_village(code));
                continue;
            }
        };
        let village = match input::parse_village(v, i, &required) {
            Ok(v) => v,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let label = village.area.as_str().to_string();
        let verr = |field: &str, code: &str, message: String| {
            FieldError::new(field, code, message).in_village(&label)
        };
        let max = match VillageExit::threshold(&p, village.region) {
            Ok(m) => m,
            Err(e) => {
                errors.push(verr(
                    "village_exit_max_incidence_pct",
                    e.code(),
                    e.to_string(),
                ));
                continue;
            }
        };
        let poor = poor_in(village.area.as_str());
        match rules::incidence_pct(poor, village.rural_population) {
            Ok(pct) => {
                let rule = VillageExit {
                    max_incidence_pct: max,
                    indicators: village.indicators.clone(),
                };
                let failed = rule.failed(poor, village.rural_population);
                villages.push(VillageResult {
                    area_code: label.clone(),
                    poor_population: poor,
                    rural_population: village.rural_population,
                    incidence_pct: fmt2(pct),
                    max_incidence_pct: fmt_plain(max),
                    exit: Outcome {
                        meets_standard: failed.is_empty(),
                        failed: failed.iter().map(|c| c.code()).collect(),
                    },
                });
            }
            Err(e) => errors.push(verr(
                "rural_population",
                "rural_population",
                format!("{} ({poor} > {})", e.message(), village.rural_population),
            )),
        }
    }

    let mut counties = Vec::new();
    for (i, v) in raw_counties.iter().enumerate() {
        let c = match input::parse_county(v, i) {
            Ok(c) => c,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let p = policies.for_area(&c.prefix);
        let cerr = |field: &str, code: &str, message: String| {
            FieldError::new(field, code, message).in_county(&c.prefix)
        };
        let thresholds = (|| {
            Ok::<_, PolicyError>(rules::CountyThresholds {
                max_incidence_pct: p.regional("county_exit_max_incidence_pct", c.region)?.value,
                max_wrong_exit_pct: p.county_exit("max_wrong_exit_pct")?.value,
                max_missed_pct: p.county_exit("max_missed_pct")?.value,
                min_satisfaction_pct: p.county_exit("min_satisfaction_pct")?.value,
            })
        })();
        let t = match thresholds {
            Ok(t) => t,
            Err(e) => {
                errors.push(cerr("county_exit", e.code(), e.to_string()));
                continue;
            }
        };
        let poor = poor_in(&c.prefix);
        match rules::incidence_pct(poor, c.rural_population) {
            Ok(pct) => {
                let figures = rules::CountyFigures {
                    poor_population: poor,
                    rural_population: c.rural_population,
                    wrong_exit_pct: c.wrong_exit_pct,
                    missed_pct: c.missed_pct,
                    satisfaction_pct: c.satisfaction_pct,
                };
                let failed: Vec<Check> = rules::county_exit(&figures, &t);
                counties.push(CountyResult {
                    area_code: c.prefix.clone(),
                    poor_population: poor,
                    rural_population: c.rural_population,
                    incidence_pct: fmt2(pct),
                    exit: Outcome {
                        meets_standard: failed.is_empty(),
                        failed: failed.iter().map(|c| c.code()).collect(),
                    },
                });
            }
            Err(e) => errors.push(cerr(
                "rural_population",
                "rural_population",
                e.message().to_string(),
            )),
        }
    }

    Ok(Report {
        as_of,
        policy: policies.name().to_string(),
        households,
        villages,
        counties,
        errors,
    })
}

/// The category text of a monitoring code, for display.
pub fn category_label(code: &str) -> Option<(&'static str, &'static str)> {
    MonitoringCategory::parse(code).map(|c| (c.zh(), c.en()))
}

/// The label of a failed check code (a household, county or village check), for display.
pub fn check_label(code: &str) -> Option<(&'static str, &'static str)> {
    Check::parse(code)
        .map(|c| (c.zh(), c.en()))
        .or_else(|| crate::codes::VillageIndicator::parse(code).map(|i| (i.zh(), i.en())))
}

#[cfg(test)]
mod tests;
