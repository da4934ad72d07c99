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

/// The bounds of every reader of input files (CSV, XLSX, JSON), so that no file, however made,
/// costs more than its bound in memory or time; each is refused with an error naming the bound.
/// Members per household: [`validate::MAX_MEMBERS`].
pub mod limits {
    /// A CSV file is read whole: at most 2 GiB (a province's member sheet is about 1 GiB).
    pub const MAX_CSV_BYTES: u64 = 2 << 30;
    /// A JSON file is read whole: at most 512 MiB.
    pub const MAX_JSON_BYTES: u64 = 512 << 20;
    /// An XLSX file (compressed) at most 256 MiB, and its parts at most 2 GiB uncompressed (a
    /// "zip bomb" is refused before it is inflated).
    pub const MAX_XLSX_BYTES: u64 = 256 << 20;
    pub const MAX_XLSX_UNPACKED_BYTES: u64 = 2 << 30;
    /// Rows of a sheet: an XLSX sheet has at most 1,048,576; a CSV file at most 20 million.
    pub const MAX_ROWS: u64 = 20_000_000;
    /// Columns of a sheet (the member sheet has 38; others are ignored).
    pub const MAX_COLUMNS: usize = 256;
    /// Non-empty cells of one XLSX sheet: about 260,000 member rows of 38 columns. A larger
    /// registry goes through CSV (streamed row by row) or several files.
    pub const MAX_XLSX_CELLS: u64 = 10_000_000;
    /// Characters of one cell.
    pub const MAX_CELL_CHARS: usize = 32_767;
}

/// Parses the text of a JSON input file; a UTF-8 byte-order mark at its start (as Windows
/// editors write) is skipped.
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The top of a JSON input file: an object holding `households`, `villages` or `counties`. `null`,
/// `[]`, `{}` or an object of other keys is refused (rather than imported as an empty file).
pub fn check_document(v: &Value) -> Result<(), String> {
    let Some(obj) = v.as_object() else {
        let what = match v {
            Value::Null => "null",
            Value::Array(_) => "a list",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "true/false",
            Value::Object(_) => "an object",
        };
        return Err(format!(
            "文件应为 JSON 对象 {{\"households\": [...]}} / the file must be a JSON object {{\"households\": [...]}}, not {what}"
        ));
    };
    if ["households", "villages", "counties"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        return Ok(());
    }
    Err(
        "文件中没有 households、villages 或 counties / the file has no households, villages or counties"
            .into(),
    )
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
        Some(Value::Array(list)) if list.len() > validate::MAX_MEMBERS => {
            errors.push(validate::too_many_members(list.len()))
        }
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
    // Each error names at most a few of the other places, so that a person repeated 50,000 times
    // costs linear time (and a readable report), not 50,000 × 50,000.
    const NAMED: usize = 3;
    let mut errors = Vec::new();
    for places in seen.values().filter(|p| p.len() > 1) {
        for &(h, m) in places {
            let others: Vec<&str> = places
                .iter()
                .filter(|&&p| p != (h, m))
                .take(NAMED)
                .map(|&(oh, _)| households[oh].id.as_str())
                .collect();
            let more = places.len() - 1 - others.len();
            let (more_zh, more_en) = if more > 0 {
                (format!(" 等另 {more} 处"), format!(" and {more} more"))
            } else {
                (String::new(), String::new())
            };
            let mut e = FieldError::new(
                "id_number",
                "duplicate_person",
                format!(
                    "同一人登记在多处:{}{more_zh} / the same person is registered more than once (households {}{more_en})",
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn household_with(id: &str, members: usize, person: &str) -> Value {
        let m = json!({"id_number": person, "name": "张三", "medical_insured": true});
        json!({"id": id, "area_code": "140525100201", "status": "poor", "food": true,
               "clothing": true, "water": true, "housing_grade": "B",
               "members": vec![m; members]})
    }

    fn person() -> String {
        let first17 = "14052519800101001";
        format!("{first17}{}", crate::id::check_char(first17.as_bytes()))
    }

    #[test]
    fn a_household_of_more_than_50_members_is_refused_before_its_members_are_read() {
        let d = NaiveDate::from_ymd_opt(2020, 6, 30).unwrap();
        let e = household_record(&household_with("H1", 8_000, &person()), d).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].field.as_str(), e[0].code),
            ("members", "too_many_members")
        );
        assert!(
            e[0].en.contains("at most 50 members; this one has 8000"),
            "{}",
            e[0].en
        );
        assert!(household_record(&household_with("H1", 50, &person()), d).is_ok());
    }

    #[test]
    fn one_person_in_50000_households_is_reported_in_linear_time() {
        let d = NaiveDate::from_ymd_opt(2020, 6, 30).unwrap();
        let h = parse_household(&household_with("H0", 1, &person()), 0, d).unwrap();
        let many: Vec<Household> = (0..50_000)
            .map(|i| Household {
                id: format!("H{i}"),
                ..h.clone()
            })
            .collect();
        let refs: Vec<&Household> = many.iter().collect();
        let errors = duplicate_people(&refs);
        assert_eq!(errors.len(), 50_000);
        // Each names three other households and counts the rest.
        let e = errors
            .iter()
            .find(|e| e.household.as_deref() == Some("H0"))
            .unwrap();
        assert!(
            e.message.contains("H1、H2、H3 等另 49996 处")
                && e.message.contains("(households H1, H2, H3 and 49996 more)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn json_documents_that_hold_nothing_are_refused() {
        for v in [
            json!(null),
            json!([]),
            json!({}),
            json!({"as_of": "2020-01-01"}),
            json!(3),
        ] {
            assert!(check_document(&v).is_err(), "{v}");
        }
        assert!(check_document(&json!({"households": []})).is_ok());
        let v = parse_json("\u{feff}{\"households\": []}").unwrap();
        assert_eq!(v, json!({"households": []}));
    }
}
