//! Reading households and villages from JSON values (the `fupin assess` input format), with a
//! precise error for every bad field: which household, which member (1-based), which field, a stable
//! code and a message in Chinese and English. Shared by `fupin assess`, import and the HTTP API.

use crate::area::{AreaCode, AreaLevel};
use crate::codes::{CodeList, Region, VillageIndicator};
use crate::model::Household;
use crate::money::Decimal;
use crate::registry::HouseholdRecord;
use crate::validate::{self, Check, Fields, HouseholdError, Invalid, Source};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One bad field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub village: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    /// An error of `field` with a stable `code`; place it with the `in_*` methods.
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            household: None,
            member: None,
            village: None,
            county: None,
            field: field.to_string(),
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// The error of the validator, as the JSON reports it.
    pub fn from_household(e: HouseholdError) -> FieldError {
        let mut f = FieldError::new(&e.field, e.code, e.message());
        f.member = e.member;
        f
    }

    pub fn in_household(mut self, id: &str) -> FieldError {
        self.household = Some(id.to_string());
        self
    }

    pub fn in_village(mut self, code: &str) -> FieldError {
        self.village = Some(code.to_string());
        self
    }

    pub fn in_county(mut self, code: &str) -> FieldError {
        self.county = Some(code.to_string());
        self
    }
}

const INCOME_PARTS: &[&str] = &["wage", "business", "property", "transfer", "business_cost"];
const RIGID_PARTS: &[&str] = &["medical", "education", "disaster", "other"];

/// The label of a household in errors: its `id`, or `#N` (1-based position) when it has none.
pub fn household_label(v: &Value, index: usize) -> String {
    match v.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => format!("#{}", index + 1),
    }
}

/// Where a field of the validator (keyed as the member sheet) stands in the JSON: its group
/// (`income`, `rigid_expense`) and its name; `None` for the sheet's own columns.
fn json_place(key: &str) -> Option<(Option<&'static str>, &'static str)> {
    Some(match key {
        "household_number" => (None, "id"),
        "wage" => (Some("income"), "wage"),
        "business" => (Some("income"), "business"),
        "property" => (Some("income"), "property"),
        "transfer" => (Some("income"), "transfer"),
        "business_cost" => (Some("income"), "business_cost"),
        "medical_expense" => (Some("rigid_expense"), "medical"),
        "education_expense" => (Some("rigid_expense"), "education"),
        "disaster_loss" => (Some("rigid_expense"), "disaster"),
        "other_expense" => (Some("rigid_expense"), "other"),
        "medical_insurance" => (None, "medical_insured"),
        "pension_insurance" => (None, "pension_insured"),
        "join_reason" | "leave_reason" | "status_reason" => return None,
        _ => (None, static_key(key)?),
    })
}

/// The keys the validator reads that the JSON names as the sheet does.
fn static_key(key: &str) -> Option<&'static str> {
    const SAME: &[&str] = &[
        "area_code",
        "village_group",
        "status",
        "attribute",
        "main_cause",
        "secondary_causes",
        "monitoring",
        "housing_grade",
        "food",
        "clothing",
        "water",
        "income_year",
        "phone",
        "bank_account",
        "id_number",
        "name",
        "relation",
        "labor",
        "health",
        "disability_grade",
        "school_status",
        "work_place",
        "work_months",
    ];
    SAME.iter().copied().find(|k| *k == key)
}

/// The path of a validator's field in the JSON (`income.wage`); other fields as they are.
pub fn json_path(field: &str) -> String {
    match json_place(field) {
        Some((Some(group), name)) => format!("{group}.{name}"),
        Some((None, name)) => name.to_string(),
        None => field.to_string(),
    }
}

/// A JSON household or member, as fields for the validator.
struct JsonFields<'a>(&'a Map<String, Value>);

impl Fields for JsonFields<'_> {
    fn source(&self) -> Source {
        Source::Json
    }

    fn get(&self, key: &'static str) -> Option<validate::Value<'_>> {
        let (group, name) = json_place(key)?;
        let obj = match group {
            Some(g) => self.0.get(g)?.as_object()?,
            None => self.0,
        };
        match obj.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(validate::Value::Json(v)),
        }
    }

    fn name(&self, key: &'static str) -> &'static str {
        json_place(key).map_or(key, |(_, name)| name)
    }

    fn shape(&self, group: &'static str) -> Vec<HouseholdError> {
        let known = if group == "income" {
            INCOME_PARTS
        } else {
            RIGID_PARTS
        };
        validate::json_group_shape(self.0.get(group), group, known)
    }
}

/// A JSON object (a village, a county, their indicators), as fields named as their keys.
struct JsonObject<'a>(&'a Map<String, Value>);

impl Fields for JsonObject<'_> {
    fn source(&self) -> Source {
        Source::Json
    }

    fn get(&self, key: &'static str) -> Option<validate::Value<'_>> {
        self.0
            .get(key)
            .filter(|v| !v.is_null())
            .map(validate::Value::Json)
    }
}

/// The errors of the validator, as the JSON reports them.
fn field_errors(errors: Vec<HouseholdError>) -> Vec<FieldError> {
    errors.into_iter().map(FieldError::from_household).collect()
}

/// A JSON household, validated: the registry's record with its members, or the errors (fields as
/// the JSON names them: `income.wage`; members 1-based).
pub fn household_record(
    v: &Value,
    as_of: NaiveDate,
) -> Result<HouseholdRecord, Vec<HouseholdError>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![validate::not_an_object("household")]);
    };
    let (mut record, mut errors) = match validate::household(&JsonFields(obj), as_of) {
        Ok(r) => (Some(r), Vec::new()),
        Err(e) => (None, e),
    };
    let mut members = Vec::new();
    match obj.get("members") {
        Some(Value::Array(list)) if !list.is_empty() => {
            for (i, m) in list.iter().enumerate() {
                let read = match m.as_object() {
                    Some(m) => validate::member(&JsonFields(m), Some(as_of)),
                    None => Err(vec![validate::not_an_object("member")]),
                };
                match read {
                    Ok(m) => members.push(m.member),
                    Err(e) => errors.extend(e.into_iter().map(|mut e| {
                        e.member = Some(i + 1);
                        e
                    })),
                }
            }
        }
        Some(Value::Array(_)) => errors.push(HouseholdError::new(
            "members",
            "no_members",
            "户至少应有一名成员",
            "a household has at least one member",
        )),
        None | Some(Value::Null) => errors.push(HouseholdError::new(
            "members",
            "missing_field",
            "缺少必填字段 members",
            "required field members is missing",
        )),
        Some(_) => errors.push(HouseholdError::new(
            "members",
            "invalid_type",
            "members 应为列表",
            "members must be a list",
        )),
    }
    for e in &mut errors {
        e.field = json_path(&e.field);
    }
    match record.as_mut() {
        Some(r) if errors.is_empty() => {
            r.members = members;
            Ok(record.expect("checked"))
        }
        _ => Err(errors),
    }
}

/// Reads one household. `as_of` is used to refuse members born after the assessment date.
pub fn parse_household(
    v: &Value,
    index: usize,
    as_of: NaiveDate,
) -> Result<Household, Vec<FieldError>> {
    let label = household_label(v, index);
    let record = household_record(v, as_of).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| FieldError::from_household(e).in_household(&label))
            .collect::<Vec<_>>()
    })?;
    Ok(record.to_core().expect("validated"))
}

/// Finds people (by ID number) in more than one household, or twice in one: for each household
/// involved, a `duplicate_person` error naming the member and the other household.
pub fn duplicate_people(households: &[&Household]) -> Vec<FieldError> {
    let mut seen: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (h, hh) in households.iter().enumerate() {
        for (m, mem) in hh.members.iter().enumerate() {
            seen.entry(mem.id_number.as_str()).or_default().push((h, m));
        }
    }
    let mut errors = Vec::new();
    for places in seen.values().filter(|p| p.len() > 1) {
        for &(h, m) in places {
            let others: Vec<&str> = places
                .iter()
                .filter(|&&p| p != (h, m))
                .map(|&(oh, _)| households[oh].id.as_str())
                .collect();
            let mut e = FieldError::new(
                "id_number",
                "duplicate_person",
                format!(
                    "同一人登记在多处:{} / the same person is registered more than once (households {})",
                    others.join("、"),
                    others.join(", ")
                ),
            );
            e.household = Some(households[h].id.clone());
            e.member = Some(m + 1);
            errors.push(e);
        }
    }
    errors.sort_by(|a, b| (&a.household, a.member).cmp(&(&b.household, b.member)));
    errors
}

/// A village of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageInput {
    pub area: AreaCode,
    pub region: Option<Region>,
    pub rural_population: u64,
    /// Indicator values as given (missing ones are absent).
    pub indicators: Vec<(VillageIndicator, bool)>,
}

/// A village or a county of the input: what its errors are tagged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Village,
    County,
}

/// A village or county of the input by its label (its `area_code`, else `#n`).
struct Labelled {
    item: Item,
    label: String,
}

impl Labelled {
    /// Tags errors with the label.
    fn tag(&self, mut errors: Vec<FieldError>) -> Vec<FieldError> {
        for e in &mut errors {
            let slot = match self.item {
                Item::Village => &mut e.village,
                Item::County => &mut e.county,
            };
            *slot = Some(self.label.clone());
        }
        errors
    }
}

/// The object of the `index`th village or county of the input, with its label; not an object, the
/// labelled error.
fn item_object(
    v: &Value,
    index: usize,
    item: Item,
) -> Result<(&Map<String, Value>, Labelled), Vec<FieldError>> {
    let label = v
        .get("area_code")
        .and_then(Value::as_str)
        .map_or_else(|| format!("#{}", index + 1), str::to_string);
    let labelled = Labelled { item, label };
    let name = match item {
        Item::Village => "village",
        Item::County => "county",
    };
    match v.as_object() {
        Some(obj) => Ok((obj, labelled)),
        None => Err(labelled.tag(field_errors(vec![validate::not_an_object(name)]))),
    }
}

/// Reads one village; `required` lists the indicators the policy requires (each must be given).
pub fn parse_village(
    v: &Value,
    index: usize,
    required: &[VillageIndicator],
) -> Result<VillageInput, Vec<FieldError>> {
    let (obj, item) = item_object(v, index, Item::Village)?;
    let fields = JsonObject(obj);
    let mut c = Check::new(&fields);
    let area = c
        .text("area_code", true)
        .and_then(|s| match AreaCode::parse(&s) {
            Ok(a) if a.level() == AreaLevel::Village => Some(a),
            other => {
                let e = match other {
                    Ok(_) => Invalid {
                        code: "area_code",
                        zh: "村的区划代码应为12位村级代码".into(),
                        en: "a village needs a 12-digit village code".into(),
                    },
                    Err(e) => e.into(),
                };
                c.invalid("area_code", e, &s);
                None
            }
        });
    let region = c.code::<Region>("region", false);
    let rural = c.count("rural_population");
    let mut errors = c.errors;
    let mut indicators = Vec::new();
    let given = obj.get("indicators").filter(|v| !v.is_null());
    let known: Vec<&str> = VillageIndicator::all().iter().map(|i| i.code()).collect();
    errors.extend(validate::json_group_shape(given, "indicators", &known));
    match given.and_then(Value::as_object) {
        Some(values) => {
            let fields = JsonObject(values);
            let mut ic = Check::new(&fields);
            for &ind in VillageIndicator::all() {
                let is_required = required.contains(&ind);
                if let Some(b) = ic.boolean(ind.code(), is_required) {
                    if is_required {
                        indicators.push((ind, b));
                    }
                }
            }
            indicators.sort_by_key(|(i, _)| required.iter().position(|x| x == i));
            errors.extend(ic.errors.into_iter().map(|mut e| {
                e.field = format!("indicators.{}", e.field);
                e
            }));
        }
        None if !required.is_empty() => errors.push(HouseholdError::new(
            "indicators",
            "missing_field",
            "缺少村指标",
            "required field indicators is missing",
        )),
        None => {}
    }
    if !errors.is_empty() {
        return Err(item.tag(field_errors(errors)));
    }
    Ok(VillageInput {
        area: area.expect("checked"),
        region,
        rural_population: rural.expect("checked"),
        indicators,
    })
}

/// A county of the input (for the county exit check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyInput {
    /// The 6-digit county prefix.
    pub prefix: String,
    pub region: Option<Region>,
    pub rural_population: u64,
    pub wrong_exit_pct: Decimal,
    pub missed_pct: Decimal,
    pub satisfaction_pct: Decimal,
}

/// Reads one county.
pub fn parse_county(v: &Value, index: usize) -> Result<CountyInput, Vec<FieldError>> {
    let (obj, item) = item_object(v, index, Item::County)?;
    let fields = JsonObject(obj);
    let mut c = Check::new(&fields);
    let prefix = c
        .text("area_code", true)
        .and_then(|s| match AreaCode::parse(&s) {
            Ok(a) if a.level() == AreaLevel::County => Some(a.prefix().to_string()),
            _ => {
                let e = Invalid {
                    code: "area_code",
                    zh: "县级区划代码无效".into(),
                    en: "not a county code (6 or 12 digits)".into(),
                };
                c.invalid("area_code", e, &s);
                None
            }
        });
    let region = c.code::<Region>("region", false);
    let rural = c.count("rural_population");
    let mut pct = |name: &'static str| {
        let v = c.money(name, true);
        if v.is_some_and(|p| p > Decimal::from(100)) {
            c.err(
                name,
                "percent_range",
                format!("{name} 应在0到100之间"),
                format!("{name} must be from 0 to 100"),
            );
        }
        v
    };
    let wrong = pct("wrong_exit_pct");
    let missed = pct("missed_pct");
    let satisfaction = pct("satisfaction_pct");
    if !c.errors.is_empty() {
        return Err(item.tag(field_errors(c.errors)));
    }
    Ok(CountyInput {
        prefix: prefix.expect("checked"),
        region,
        rural_population: rural.expect("checked"),
        wrong_exit_pct: wrong.expect("checked"),
        missed_pct: missed.expect("checked"),
        satisfaction_pct: satisfaction.expect("checked"),
    })
}
