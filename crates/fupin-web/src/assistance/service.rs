//! The operations of household assistance, scoped and authorised through [`crate::authz`]: both
//! the JSON API and the pages call them.

use super::{EntitledReceived, GapReport, HouseholdAssistance, MeasureReport, NewMeasure, NewPlan};
use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::registry::service::{date_of, today};
use crate::session::Session;
use crate::AppState;
use chrono::{Datelike, NaiveDate};
use fupin_core::assistance::{self as rules, Invalid, Measure, MeasureKind, Plan};
use fupin_core::money::fmt2;
use fupin_core::CodeList;
use fupin_store::assistance::{Owner, StoredMeasure};
use fupin_store::HouseholdRecord;
use serde_json::{json, Value};

fn owner(h: &HouseholdRecord) -> Owner<'_> {
    Owner {
        area_code: &h.area_code,
        number: &h.number,
    }
}

fn field(name: &str, e: &Invalid) -> Value {
    json!({"field": name, "code": e.code, "message": e.message()})
}

/// A household the session may record assistance for (its area, its role; a cadre its paired
/// households).
async fn writable(st: &AppState, s: &Session, number: &str) -> Result<HouseholdRecord, ApiError> {
    let h = st.household_for(s, number, false).await?;
    let paired = st.paired(s, number).await?;
    let area = h.area_code.as_str();
    authz::check(&s.scope, Action::RecordAssistance { area, paired })?;
    Ok(h)
}

/// The year a page or card shows by default: the latest year with a plan or a measure, else this
/// year.
pub fn latest_year(plans: &[Plan], measures: &[StoredMeasure]) -> i32 {
    plans
        .iter()
        .map(|p| p.year)
        .chain(measures.iter().map(|m| m.measure.date.year()))
        .max()
        .unwrap_or_else(|| today().year())
}

/// A household's assistance in `year` (its gaps at the end of the year, or today in this year).
async fn of_record(
    st: &AppState,
    h: &HouseholdRecord,
    year: Option<i32>,
) -> Result<HouseholdAssistance, ApiError> {
    let plans = st.dir.plans(owner(h)).await?;
    let measures = st.dir.measures(owner(h)).await?;
    let year = year.unwrap_or_else(|| latest_year(&plans, &measures));
    let now = today();
    let date = if year == now.year() {
        now
    } else {
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(now)
    };
    let policy = st.policies.for_area(&h.area_code);
    let received = |kind: MeasureKind| {
        measures
            .iter()
            .filter(|m| m.measure.kind == kind && m.measure.date.year() == year)
            .map(|m| m.measure.amount)
            .sum::<fupin_core::Decimal>()
    };
    let entitlements = rules::entitlements(h, &policy, date)
        .into_iter()
        .map(|e| EntitledReceived {
            received: fmt2(received(e.kind)),
            entitlement: e,
        })
        .collect();
    let subject = rules::Subject::of(h);
    let p: Vec<&Plan> = plans.iter().collect();
    let m: Vec<&Measure> = measures.iter().map(|m| &m.measure).collect();
    let gaps = rules::gaps(&subject, &p, &m, date);
    Ok(HouseholdAssistance {
        number: h.number.clone(),
        monitoring_code: fupin_core::household_code::monitoring_code(&h.number),
        year,
        plans,
        measures,
        entitlements,
        gaps,
    })
}

/// A household's plans, measures, entitlements and gaps (personal data by need).
pub async fn household(
    st: &AppState,
    s: &Session,
    number: &str,
    year: Option<i32>,
) -> Result<Value, ApiError> {
    let h = st.household_for(s, number, false).await?;
    let a = of_record(st, &h, year).await?;
    Ok(crate::privacy::for_session(s, &a))
}

/// Records the plan of a household and year (replacing that year's).
pub async fn save_plan(
    st: &AppState,
    s: &Session,
    number: &str,
    year: i64,
    b: &NewPlan,
) -> Result<Plan, ApiError> {
    let h = writable(st, s, number).await?;
    let mut fields = Vec::new();
    let year = rules::plan_year(year).unwrap_or_else(|e| {
        fields.push(field("year", &e));
        0
    });
    let mut paths = Vec::new();
    for (i, p) in b.paths.iter().filter(|p| !p.trim().is_empty()).enumerate() {
        match rules::plan_path(p) {
            Ok(p) if !paths.contains(&p) => paths.push(p),
            Ok(_) => {}
            Err(e) => fields.push(field(&format!("paths[{i}]"), &e)),
        }
    }
    let target = rules::text(b.target.as_deref().unwrap_or("")).unwrap_or_else(|e| {
        fields.push(field("target", &e));
        String::new()
    });
    if !fields.is_empty() {
        return Err(ApiError::invalid("计划有误 / the plan is invalid", fields));
    }
    let plan = Plan {
        household: h.number.clone(),
        year,
        paths,
        target,
    };
    st.dir.save_plan(owner(&h), &plan, &s.user).await?;
    Ok(plan)
}

/// Reads a measure of a household: every field checked, each error by field and code.
fn read_measure(h: &HouseholdRecord, b: &NewMeasure) -> Result<Measure, ApiError> {
    let mut fields = Vec::new();
    let person = match b.person.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => match rules::person(p, h.members.iter().map(|m| m.id_number.as_str())) {
            Ok(p) => Some(p),
            Err(e) => {
                fields.push(field("person", &e));
                None
            }
        },
    };
    let kind = match b.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => {
            fields.push(json!({"field": "kind", "code": "missing_field",
                "message": "缺少措施类型 / the measure kind is missing"}));
            None
        }
        Some(k) => rules::measure_kind(k)
            .map_err(|e| fields.push(field("kind", &e)))
            .ok(),
    };
    let date = match b.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => Some(today()),
        Some(d) => rules::measure_date(d)
            .map_err(|e| fields.push(field("date", &e)))
            .ok(),
    };
    let amount = match &b.amount {
        None | Some(Value::Null) => fupin_core::Decimal::ZERO,
        Some(Value::String(s)) if s.trim().is_empty() => fupin_core::Decimal::ZERO,
        Some(Value::String(s)) => rules::amount(s).unwrap_or_else(|e| {
            fields.push(field("amount", &e));
            fupin_core::Decimal::ZERO
        }),
        Some(Value::Number(n)) => rules::amount(&n.to_string()).unwrap_or_else(|e| {
            fields.push(field("amount", &e));
            fupin_core::Decimal::ZERO
        }),
        Some(_) => {
            fields.push(json!({"field": "amount", "code": "money_format",
                "message": "金额应为数字 / money must be a decimal number"}));
            fupin_core::Decimal::ZERO
        }
    };
    let mut text = |name: &str, v: &Option<String>| {
        rules::text(v.as_deref().unwrap_or(""))
            .map_err(|e| fields.push(field(name, &e)))
            .unwrap_or_default()
    };
    let provider = text("provider", &b.provider);
    let fund = Some(text("fund", &b.fund)).filter(|f| !f.is_empty());
    match (kind, date) {
        (Some(kind), Some(date)) if fields.is_empty() => Ok(Measure {
            household: h.number.clone(),
            person,
            kind,
            date,
            amount,
            provider,
            fund,
        }),
        _ => Err(ApiError::invalid(
            "措施有误 / the measure is invalid",
            fields,
        )),
    }
}

/// Records a measure of a household.
pub async fn add_measure(
    st: &AppState,
    s: &Session,
    number: &str,
    b: &NewMeasure,
) -> Result<StoredMeasure, ApiError> {
    let h = writable(st, s, number).await?;
    let m = read_measure(&h, b)?;
    let id = st.dir.add_measure(owner(&h), &m, &s.user).await?;
    Ok(StoredMeasure {
        id,
        measure: m,
        recorded_by: s.user.clone(),
    })
}

/// Removes a measure recorded in error.
pub async fn remove_measure(
    st: &AppState,
    s: &Session,
    number: &str,
    id: i64,
) -> Result<(), ApiError> {
    let h = writable(st, s, number).await?;
    if st.dir.remove_measure(owner(&h), id, &s.user).await? {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// The gaps of an area the session may read at a date (a cadre: its paired households only).
pub async fn gaps(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
    as_of: Option<&str>,
    code: Option<&str>,
) -> Result<GapReport, ApiError> {
    let area = st.area_for(s, area)?;
    let as_of = date_of(as_of)?;
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(rules::Gap::parse(c).ok_or_else(|| {
            ApiError::bad_request("code", format!("未知的缺口代码 / unknown gap code: {c}"))
        })?),
    };
    let mut outcome = st.dir.assistance_check(&area, as_of).await?;
    if authz::by_pairing(&s.scope) {
        let mut mine = Vec::new();
        for h in outcome.households {
            if st.paired(s, &h.id).await? {
                mine.push(h);
            }
        }
        outcome.households = mine;
    }
    if let Some(c) = code {
        outcome
            .households
            .retain(|h| h.gaps.iter().any(|g| g.code == c));
    }
    Ok(GapReport {
        area,
        as_of,
        outcome,
    })
}

/// Measures by kind in a period under an area the session may read.
pub async fn measures(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<MeasureReport, ApiError> {
    let area = st.area_for(s, area)?;
    let to = date_of(to)?;
    let from = match from.filter(|f| !f.is_empty()) {
        Some(f) => date_of(Some(f))?,
        None => NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to),
    };
    let measures = st.dir.measures_by_kind(&area, from, to).await?;
    Ok(MeasureReport {
        area,
        from,
        to,
        measures,
    })
}

/// Labels of a measure, gap and plan path in the page's language.
fn kind_label(lang: &str, k: MeasureKind) -> &'static str {
    if lang == "en" {
        k.en()
    } else {
        k.zh()
    }
}

/// The household page's assistance section: plans and measures by year, entitled against
/// received, the gaps, and the forms (for those who may record).
pub async fn household_section(
    st: &AppState,
    s: &Session,
    lang: &str,
    h: &HouseholdRecord,
) -> Result<minijinja::Value, ApiError> {
    let a = of_record(st, h, None).await?;
    let paired = st.paired(s, &h.number).await?;
    let can_record = authz::may(
        &s.scope,
        Action::RecordAssistance {
            area: &h.area_code,
            paired,
        },
    );
    let mut years: Vec<i32> = a
        .plans
        .iter()
        .map(|p| p.year)
        .chain(a.measures.iter().map(|m| m.measure.date.year()))
        .collect();
    years.sort_unstable_by(|x, y| y.cmp(x));
    years.dedup();
    let by_year: Vec<Value> = years
        .iter()
        .map(|y| {
            let plan = a.plans.iter().find(|p| p.year == *y);
            let ms: Vec<Value> = a
                .measures
                .iter()
                .filter(|m| m.measure.date.year() == *y)
                .map(|m| {
                    let person = m.measure.person.as_ref().map(|p| {
                        h.members
                            .iter()
                            .find(|x| &x.id_number == p)
                            .map_or(p.clone(), |x| x.name.clone())
                    });
                    json!({"id": m.id, "date": m.measure.date.to_string(), "kind": m.measure.kind.code(),
                           "kind_label": kind_label(lang, m.measure.kind), "person": person,
                           "amount": fmt2(m.measure.amount), "provider": m.measure.provider,
                           "fund": m.measure.fund, "recorded_by": m.recorded_by})
                })
                .collect();
            let total: fupin_core::Decimal = a
                .measures
                .iter()
                .filter(|m| m.measure.date.year() == *y)
                .map(|m| m.measure.amount)
                .sum();
            json!({"year": y, "plan": plan.map(|p| json!({
                    "paths": p.paths.iter().map(|x| if lang == "en" { x.en() } else { x.zh() }).collect::<Vec<_>>(),
                    "path_codes": p.paths.iter().map(|x| x.code()).collect::<Vec<_>>(),
                    "target": p.target})),
                   "measures": ms, "total": fmt2(total)})
        })
        .collect();
    let entitled: Vec<Value> = a
        .entitlements
        .iter()
        .map(|e| {
            json!({"kind": e.entitlement.kind.code(), "label": kind_label(lang, e.entitlement.kind),
                   "yearly": fmt2(e.entitlement.yearly), "received": e.received,
                   "basis": crate::i18n::pick(lang, &e.entitlement.basis), "source": e.entitlement.source})
        })
        .collect();
    let gaps: Vec<Value> = a
        .gaps
        .iter()
        .map(|g| {
            let person = g.person.as_ref().map(|p| {
                h.members
                    .iter()
                    .find(|x| &x.id_number == p)
                    .map_or(p.clone(), |x| x.name.clone())
            });
            json!({"code": g.code.code(), "label": if lang == "en" { g.code.en() } else { g.code.zh() }, "person": person})
        })
        .collect();
    let members: Vec<Value> = h
        .members
        .iter()
        .map(|m| json!({"id_number": m.id_number, "name": m.name}))
        .collect();
    let doc = json!({
        "year": a.year,
        "this_year": today().year(),
        "today": today().to_string(),
        "years": by_year,
        "entitled": entitled,
        "gaps": gaps,
        "can_record": can_record,
        "members": members,
        "kinds": MeasureKind::all().iter().map(|k| json!([k.code(), kind_label(lang, *k)])).collect::<Vec<_>>(),
        "paths": rules::PlanPath::all().iter().map(|p| json!([p.code(), if lang == "en" { p.en() } else { p.zh() }])).collect::<Vec<_>>(),
    });
    Ok(minijinja::Value::from_serialize(
        crate::privacy::for_session(s, &doc),
    ))
}

/// The dashboard's assistance section: measures by kind of the year (households, people, amount)
/// and the gap counts at the year's end (or today), with links to the gaps page.
pub async fn dashboard_section(
    st: &AppState,
    lang: &str,
    area: &str,
    year: i32,
) -> Result<minijinja::Value, ApiError> {
    let now = today();
    let to = if year >= now.year() {
        now
    } else {
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(now)
    };
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(to);
    let kinds = st.dir.measures_by_kind(area, from, to).await?;
    let check = st.dir.assistance_check(area, to).await?;
    let measures: Vec<Value> = kinds
        .iter()
        .map(|(k, s)| {
            json!({"kind": k.code(), "label": kind_label(lang, *k), "households": s.households,
                   "people": s.people, "count": s.count, "amount": fmt2(s.amount)})
        })
        .collect();
    let gaps: Vec<Value> = rules::Gap::all()
        .iter()
        .map(|g| {
            json!({"code": g.code(), "label": if lang == "en" { g.en() } else { g.zh() },
                   "count": check.summary.gaps.get(g).copied().unwrap_or(0),
                   "href": format!("/assistance/gaps?area={area}&as_of={to}&code={}", g.code())})
        })
        .collect();
    Ok(minijinja::Value::from_serialize(json!({
        "year": year,
        "as_of": to.to_string(),
        "measures": measures,
        "gaps": gaps,
        "households": check.summary.households,
        "with_gaps": check.summary.with_gaps,
    })))
}
