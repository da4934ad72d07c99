//! Reading households and villages from JSON values (the `fupin assess` input format), with a
//! precise error for every bad field: which household, which member (1-based), which field, a stable
//! code and a message in Chinese and English. Shared by `fupin assess`, import and the HTTP API.

use crate::area::{AreaCode, AreaLevel};
use crate::codes::{
    Attribute, Cause, CodeList, Health, HouseholdStatus, HousingGrade, Labor, Region, Relation,
    SchoolStatus, VillageIndicator,
};
use crate::id::ResidentId;
use crate::model::{Household, Income, Member, RigidExpense};
use crate::money::{check_money, Decimal};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::str::FromStr;

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

/// Collects the errors of one record while reading its fields.
struct Reader<'a> {
    obj: &'a Map<String, Value>,
    prefix: &'static str,
    errors: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    fn new(v: &'a Value, prefix: &'static str, what: &str) -> Result<Reader<'a>, FieldError> {
        match v.as_object() {
            Some(obj) => Ok(Reader {
                obj,
                prefix,
                errors: Vec::new(),
            }),
            None => Err(FieldError::new(
                what,
                "invalid_type",
                format!("{what} 应为对象 / {what} must be an object"),
            )),
        }
    }

    fn field(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn err(&mut self, name: &str, code: &str, message: String) {
        let f = self.field(name);
        self.errors.push(FieldError::new(&f, code, message));
    }

    fn get(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        match self.obj.get(name) {
            None | Some(Value::Null) if required => {
                self.err(
                    name,
                    "missing_field",
                    format!("缺少必填字段 {name} / required field {name} is missing"),
                );
                None
            }
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.get(name, required)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::String(_) if !required => None,
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.err(
                    name,
                    "invalid_type",
                    format!("{name} 应为文字 / {name} must be a non-empty string"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, name: &str, required: bool) -> Option<bool> {
        match self.get(name, required)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.err(
                    name,
                    "invalid_type",
                    format!("{name} 应为 true 或 false / {name} must be true or false"),
                );
                None
            }
        }
    }

    fn code<T: CodeList>(&mut self, name: &str, required: bool) -> Option<T> {
        let s = self.string(name, required)?;
        let v = T::parse(&s);
        if v.is_none() {
            let known: Vec<_> = T::all().iter().map(|c| c.code()).collect();
            self.err(
                name,
                "unknown_code",
                format!(
                    "未知代码 {s:?} / unknown {} code {s:?}; known: {}",
                    T::LIST,
                    known.join(", ")
                ),
            );
        }
        v
    }

    fn codes<T: CodeList>(&mut self, name: &str) -> Vec<T> {
        let Some(v) = self.get(name, false) else {
            return Vec::new();
        };
        let Some(list) = v.as_array() else {
            self.err(
                name,
                "invalid_type",
                format!("{name} 应为列表 / {name} must be a list"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for x in list {
            match x.as_str().and_then(T::parse) {
                Some(c) => out.push(c),
                None => self.err(
                    name,
                    "unknown_code",
                    format!("未知代码 {x} / unknown {} code {x}", T::LIST),
                ),
            }
        }
        out
    }

    fn count(&mut self, name: &str) -> Option<u64> {
        match self.get(name, true)? {
            Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
            _ => {
                self.err(
                    name,
                    "invalid_type",
                    format!("{name} 应为非负整数 / {name} must be a whole number ≥ 0"),
                );
                None
            }
        }
    }

    /// A non-negative amount: a number or a decimal string; missing is 0 when not required.
    fn money(&mut self, name: &str, required: bool) -> Option<Decimal> {
        let Some(v) = self.get(name, required) else {
            return (!required).then_some(Decimal::ZERO);
        };
        let text = match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().replace(',', ""),
            _ => String::new(),
        };
        let parsed = Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&text))
            .map_err(|_| crate::money::MoneyError::NotANumber)
            .and_then(check_money);
        match parsed {
            Ok(d) => Some(d),
            Err(e) => {
                let shown = v.to_string();
                self.err(name, e.code(), format!("{} ({shown})", e.message()));
                None
            }
        }
    }

    /// Reports keys not in `known` (a typo in a money part would otherwise count as 0).
    fn only(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .obj
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in unknown {
            self.err(
                &k,
                "unknown_field",
                format!(
                    "未知字段 {k} / unknown field {k}; known: {}",
                    known.join(", ")
                ),
            );
        }
    }

    fn nested(&mut self, name: &str, prefix: &'static str) -> Option<Reader<'a>> {
        let v = self.get(name, false)?;
        match Reader::new(v, prefix, name) {
            Ok(r) => Some(r),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    fn absorb(&mut self, other: Reader<'a>) {
        self.errors.extend(other.errors);
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

/// Reads one household. `as_of` is used to refuse members born after the assessment date.
pub fn parse_household(
    v: &Value,
    index: usize,
    as_of: NaiveDate,
) -> Result<Household, Vec<FieldError>> {
    let label = household_label(v, index);
    let tag = |mut errors: Vec<FieldError>| {
        for e in &mut errors {
            e.household = Some(label.clone());
        }
        errors
    };
    let mut r = Reader::new(v, "", "household").map_err(|e| tag(vec![e]))?;
    let id = r.string("id", true);
    let area = r.string("area_code", true).and_then(|s| match AreaCode::parse(&s) {
        Ok(a) if a.level() == AreaLevel::Village => Some(a),
        Ok(_) => {
            r.err("area_code", "area_code", format!("户的区划代码应到村级(12位) / a household's area code must be a village (12 digits): {s}"));
            None
        }
        Err(e) => {
            r.err("area_code", "area_code", format!("{e}: {s}"));
            None
        }
    });
    let status = r.code::<HouseholdStatus>("status", true);
    let attribute = r.code::<Attribute>("attribute", false);
    let main_cause = r.code::<Cause>("main_cause", false);
    let _secondary: Vec<Cause> = r.codes("secondary_causes");
    let mut income = Income::default();
    if let Some(mut ir) = r.nested("income", "income.") {
        ir.only(INCOME_PARTS);
        income = Income {
            wage: ir.money("wage", false).unwrap_or_default(),
            business: ir.money("business", false).unwrap_or_default(),
            property: ir.money("property", false).unwrap_or_default(),
            transfer: ir.money("transfer", false).unwrap_or_default(),
            business_cost: ir.money("business_cost", false).unwrap_or_default(),
        };
        r.absorb(ir);
    }
    let mut rigid_expense = RigidExpense::default();
    if let Some(mut rr) = r.nested("rigid_expense", "rigid_expense.") {
        rr.only(RIGID_PARTS);
        rigid_expense = RigidExpense {
            medical: rr.money("medical", false).unwrap_or_default(),
            education: rr.money("education", false).unwrap_or_default(),
            disaster: rr.money("disaster", false).unwrap_or_default(),
            other: rr.money("other", false).unwrap_or_default(),
        };
        r.absorb(rr);
    }
    let food = r.boolean("food", true);
    let clothing = r.boolean("clothing", true);
    let water = r.boolean("water", true);
    let housing_grade = r.code::<HousingGrade>("housing_grade", true);
    let mut members = Vec::new();
    match r.get("members", true) {
        Some(Value::Array(list)) if !list.is_empty() => {
            for (i, m) in list.iter().enumerate() {
                match parse_member(m, as_of) {
                    Ok(m) => members.push(m),
                    Err(errors) => r.errors.extend(errors.into_iter().map(|mut e| {
                        e.member = Some(i + 1);
                        e
                    })),
                }
            }
        }
        Some(Value::Array(_)) => r.err(
            "members",
            "no_members",
            "户至少应有一名成员 / a household has at least one member".into(),
        ),
        Some(_) => r.err(
            "members",
            "invalid_type",
            "members 应为列表 / members must be a list".into(),
        ),
        None => {}
    }
    if !r.errors.is_empty() {
        return Err(tag(r.errors));
    }
    Ok(Household {
        id: id.expect("checked"),
        area: area.expect("checked"),
        status: status.expect("checked"),
        attribute,
        main_cause,
        income,
        rigid_expense,
        food: food.expect("checked"),
        clothing: clothing.expect("checked"),
        water: water.expect("checked"),
        housing_grade: housing_grade.expect("checked"),
        members,
    })
}

fn parse_member(v: &Value, as_of: NaiveDate) -> Result<Member, Vec<FieldError>> {
    let mut r = Reader::new(v, "", "member").map_err(|e| vec![e])?;
    let id_number = r
        .string("id_number", true)
        .and_then(|s| match ResidentId::parse(&s) {
            Ok(id) if id.birth_date() > as_of => {
                r.err(
                    "id_number",
                    "id_birth_date",
                    format!(
                        "出生日期 {} 晚于评估日期 {as_of} / born after the assessment date",
                        id.birth_date()
                    ),
                );
                None
            }
            Ok(id) => Some(id),
            Err(e) => {
                r.err(
                    "id_number",
                    e.code(),
                    format!("{} / {}: {s}", e.zh(), e.en()),
                );
                None
            }
        });
    let name = r.string("name", true);
    let relation = r
        .code::<Relation>("relation", false)
        .unwrap_or(Relation::Other);
    let school_status = r
        .code::<SchoolStatus>("school_status", false)
        .unwrap_or(SchoolStatus::NotInSchool);
    let medical_insured = r.boolean("medical_insured", true);
    let labor = r.code::<Labor>("labor", false);
    let health = r.code::<Health>("health", false);
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    Ok(Member {
        id_number: id_number.expect("checked"),
        name: name.expect("checked"),
        relation,
        school_status,
        medical_insured: medical_insured.expect("checked"),
        labor,
        health,
    })
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

/// Reads one village; `required` lists the indicators the policy requires (each must be given).
pub fn parse_village(
    v: &Value,
    index: usize,
    required: &[VillageIndicator],
) -> Result<VillageInput, Vec<FieldError>> {
    let label = v
        .get("area_code")
        .and_then(Value::as_str)
        .map_or_else(|| format!("#{}", index + 1), str::to_string);
    let tag = |mut errors: Vec<FieldError>| {
        for e in &mut errors {
            e.village = Some(label.clone());
        }
        errors
    };
    let mut r = Reader::new(v, "", "village").map_err(|e| tag(vec![e]))?;
    let area = r.string("area_code", true).and_then(|s| match AreaCode::parse(&s) {
        Ok(a) if a.level() == AreaLevel::Village => Some(a),
        Ok(_) => {
            r.err("area_code", "area_code", format!("村的区划代码应为12位村级代码 / a village needs a 12-digit village code: {s}"));
            None
        }
        Err(e) => {
            r.err("area_code", "area_code", format!("{e}: {s}"));
            None
        }
    });
    let region = r.code::<Region>("region", false);
    let rural = r.count("rural_population");
    let mut indicators = Vec::new();
    match r.nested("indicators", "indicators.") {
        Some(mut ir) => {
            let known: Vec<&str> = VillageIndicator::all().iter().map(|i| i.code()).collect();
            ir.only(&known);
            for &ind in VillageIndicator::all() {
                let is_required = required.contains(&ind);
                if let Some(b) = ir.boolean(ind.code(), is_required) {
                    if is_required {
                        indicators.push((ind, b));
                    }
                }
            }
            indicators.sort_by_key(|(i, _)| required.iter().position(|x| x == i));
            r.absorb(ir);
        }
        None if !required.is_empty() => {
            r.err(
                "indicators",
                "missing_field",
                "缺少村指标 / required field indicators is missing".into(),
            );
        }
        None => {}
    }
    if !r.errors.is_empty() {
        return Err(tag(r.errors));
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
    let label = v
        .get("area_code")
        .and_then(Value::as_str)
        .map_or_else(|| format!("#{}", index + 1), str::to_string);
    let tag = |mut errors: Vec<FieldError>| {
        for e in &mut errors {
            e.county = Some(label.clone());
        }
        errors
    };
    let mut r = Reader::new(v, "", "county").map_err(|e| tag(vec![e]))?;
    let prefix = r
        .string("area_code", true)
        .and_then(|s| match AreaCode::parse(&s) {
            Ok(a) if a.level() == AreaLevel::County => Some(a.prefix().to_string()),
            _ => {
                r.err(
                    "area_code",
                    "area_code",
                    format!("县级区划代码无效 / not a county code (6 or 12 digits): {s}"),
                );
                None
            }
        });
    let region = r.code::<Region>("region", false);
    let rural = r.count("rural_population");
    let mut pct = |name: &str| {
        let v = r.money(name, true);
        if v.is_some_and(|p| p > Decimal::from(100)) {
            r.err(
                name,
                "percent_range",
                format!("{name} 应在0到100之间 / {name} must be from 0 to 100"),
            );
        }
        v
    };
    let wrong = pct("wrong_exit_pct");
    let missed = pct("missed_pct");
    let satisfaction = pct("satisfaction_pct");
    if !r.errors.is_empty() {
        return Err(tag(r.errors));
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
