//! The responsibility network's operations, scoped and authorised through [`crate::authz`]: the
//! county manages units, cadres, teams and pairings of its area; every role but the cadre reads
//! them and the coverage; a cadre account reads and records only its own households and visits
//! (as the cadre linked to it, `resp_cadre.account`).

use super::{
    BulkPairingEnd, BulkPairingIn, CadreIn, EnterprisePairingIn, IssueIn, LetterIn, PairingEnd,
    PairingIn, TeamIn, UnitIn, VisitIn,
};
use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::registry::service::{date_of, today};
use crate::session::Session;
use crate::AppState;
use chrono::{Datelike, NaiveDate};
use fupin_core::codes::CodeList;
use fupin_core::responsibility::{
    self as core, Cadre, Pairing, Rank, Report, TeamMember, TeamRole, Unit, UnitKind, Visit,
    VisitFigures, VisitIssue, WorkTeam,
};
use fupin_store::responsibility::{Batch, StoredCadre, StoredPairing, StoredUnit, StoredVisit};
use fupin_store::HouseholdRecord;
use serde_json::{json, Value};

/// Field errors collected while reading a form or body; answered together as 422.
#[derive(Default)]
struct Fields(Vec<Value>);

impl Fields {
    fn fail(&mut self, field: &str, code: &str, message: String) {
        self.0
            .push(json!({"field": field, "code": code, "message": message}));
    }

    /// A required text of at most 100 characters.
    fn text(&mut self, field: &str, v: &Option<String>) -> String {
        let t = v.as_deref().map(str::trim).unwrap_or("");
        if t.is_empty() {
            self.fail(
                field,
                "required",
                format!("缺少 {field} / {field} is required"),
            );
        } else if t.chars().count() > 100 || t.chars().any(char::is_control) {
            self.fail(
                field,
                "text_invalid",
                format!(
                    "{field} 过长或含控制字符 / {field} is too long or holds control characters"
                ),
            );
        }
        t.to_string()
    }

    fn opt_text(&mut self, field: &str, v: &Option<String>) -> Option<String> {
        let t = v.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        if t.chars().count() > 500 || t.chars().any(|c| c.is_control() && c != '\n') {
            self.fail(
                field,
                "text_invalid",
                format!(
                    "{field} 过长或含控制字符 / {field} is too long or holds control characters"
                ),
            );
        }
        Some(t.to_string())
    }

    fn code<C: CodeList>(&mut self, field: &str, v: &Option<String>) -> Option<C> {
        let t = v.as_deref().map(str::trim).unwrap_or("");
        let c = C::parse(t);
        if c.is_none() {
            let known: Vec<&str> = C::all().iter().map(|c| c.code()).collect();
            self.fail(
                field,
                &format!("{}_unknown", C::LIST),
                format!(
                    "{field} 应为 / {field} must be one of: {}",
                    known.join(", ")
                ),
            );
        }
        c
    }

    fn date(&mut self, field: &str, v: &Option<String>) -> NaiveDate {
        match date_of(v.as_deref()) {
            Ok(d) => d,
            Err(_) => {
                self.fail(
                    field,
                    "date_invalid",
                    format!("{field} 应为 YYYY-MM-DD / {field} must be a date YYYY-MM-DD"),
                );
                today()
            }
        }
    }

    fn opt_date(&mut self, field: &str, v: &Option<String>) -> Option<NaiveDate> {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| self.date(field, &Some(t.to_string())))
    }

    fn village(&mut self, field: &str, v: &str) {
        if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
            self.fail(
                field,
                "area_code",
                format!("{field} 应为12位村级区划代码 / {field} must be a 12-digit village code"),
            );
        }
    }

    fn done(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid("输入有误 / invalid input", self.0))
        }
    }
}

fn unknown(field: &str, what: &str, v: &str) -> ApiError {
    ApiError::invalid(
        "输入有误 / invalid input",
        vec![json!({"field": field, "code": format!("unknown_{what}"),
                    "message": format!("未知的 {field} / unknown {field}: {v}")})],
    )
}

/// The area a record of the network goes to: the given one (within the user's), else the user's.
fn record_area(st: &AppState, s: &Session, given: &Option<String>) -> Result<String, ApiError> {
    let area = st.area_for(s, given.as_deref())?;
    authz::check(&s.scope, Action::ManageNetwork(&area))?;
    Ok(area)
}

/// The area a read of the network covers (404 outside, and for cadres).
pub fn read_area(st: &AppState, s: &Session, given: Option<&str>) -> Result<String, ApiError> {
    let area = st.area_for(s, given)?;
    authz::check(&s.scope, Action::ReadNetwork(&area))?;
    Ok(area)
}

async fn save(st: &AppState, s: &Session, b: Batch) -> Result<(), ApiError> {
    st.dir.save_network(&b, &s.user).await?;
    Ok(())
}

pub async fn units(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Vec<StoredUnit>, ApiError> {
    let area = read_area(st, s, area)?;
    Ok(st.dir.units(&area).await?)
}

pub async fn save_unit(st: &AppState, s: &Session, b: &UnitIn) -> Result<StoredUnit, ApiError> {
    let area = record_area(st, s, &b.area)?;
    let mut f = Fields::default();
    let code = f.text("code", &b.code);
    let name = f.text("name", &b.name);
    let kind = f.code::<UnitKind>("kind", &b.kind);
    f.done()?;
    let u = StoredUnit {
        area,
        unit: Unit {
            code,
            name,
            kind: kind.expect("checked"),
        },
    };
    save(
        st,
        s,
        Batch {
            units: vec![u.clone()],
            ..Batch::default()
        },
    )
    .await?;
    Ok(u)
}

pub async fn cadres(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Vec<StoredCadre>, ApiError> {
    let area = read_area(st, s, area)?;
    Ok(st.dir.cadres(&area).await?)
}

pub async fn save_cadre(st: &AppState, s: &Session, b: &CadreIn) -> Result<StoredCadre, ApiError> {
    let area = record_area(st, s, &b.area)?;
    let mut f = Fields::default();
    let id = f.text("id", &b.id);
    let name = f.text("name", &b.name);
    let unit = f.text("unit", &b.unit);
    let rank = f.code::<Rank>("rank", &b.rank);
    let phone = f.opt_text("phone", &b.phone);
    let account = f.opt_text("account", &b.account);
    f.done()?;
    if !st
        .dir
        .units(&area)
        .await?
        .iter()
        .any(|u| u.unit.code == unit)
        && !st
            .dir
            .units("")
            .await?
            .iter()
            .any(|u| u.unit.code == unit && area.starts_with(&u.area))
    {
        return Err(unknown("unit", "unit", &unit));
    }
    if let Some(a) = &account {
        let linked = st.dir.user(a).await?;
        if !linked.is_some_and(|u| u.role == fupin_core::access::Role::Cadre) {
            return Err(ApiError::invalid(
                "输入有误 / invalid input",
                vec![json!({"field": "account", "code": "not_a_cadre_account",
                    "message": format!("账号 {a} 不存在或不是帮扶干部账号 / account {a} is no cadre account")})],
            ));
        }
    }
    let c = StoredCadre {
        area,
        cadre: Cadre {
            id,
            name,
            unit,
            rank: rank.expect("checked"),
            phone,
        },
        account,
    };
    save(
        st,
        s,
        Batch {
            cadres: vec![c.clone()],
            ..Batch::default()
        },
    )
    .await?;
    Ok(c)
}

/// A cadre of the network that the session may manage (its area within the user's).
async fn cadre_in_area(st: &AppState, s: &Session, id: &str) -> Result<StoredCadre, ApiError> {
    let c = st
        .dir
        .cadre(id)
        .await?
        .ok_or_else(|| unknown("cadre", "cadre", id))?;
    if !s.scope.can_read_area(&c.area) && !c.area.is_empty() && !s.scope.area.starts_with(&c.area) {
        return Err(unknown("cadre", "cadre", id));
    }
    Ok(c)
}

pub async fn pairings(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Vec<StoredPairing>, ApiError> {
    let area = read_area(st, s, area)?;
    Ok(st.dir.pairings(&area).await?)
}

pub async fn pair(st: &AppState, s: &Session, b: &PairingIn) -> Result<StoredPairing, ApiError> {
    let mut f = Fields::default();
    let cadre = f.text("cadre", &b.cadre);
    let number = f.text("household", &b.household);
    let start = f.date("start", &b.start);
    f.done()?;
    let h = st.household_for(s, &number, false).await?;
    authz::check(&s.scope, Action::ManageNetwork(&h.area_code))?;
    cadre_in_area(st, s, &cadre).await?;
    let p = StoredPairing {
        area_code: h.area_code.clone(),
        pairing: Pairing {
            cadre,
            household: number,
            start,
            end: None,
            end_reason: None,
        },
    };
    save(
        st,
        s,
        Batch {
            pairings: vec![p.clone()],
            ..Batch::default()
        },
    )
    .await?;
    Ok(p)
}

pub async fn end_pairing(st: &AppState, s: &Session, b: &PairingEnd) -> Result<(), ApiError> {
    let mut f = Fields::default();
    let cadre = f.text("cadre", &b.cadre);
    let number = f.text("household", &b.household);
    let end = f.date("end", &b.end);
    let reason = f.text("reason", &b.reason);
    f.done()?;
    let h = st.household_for(s, &number, false).await?;
    authz::check(&s.scope, Action::ManageNetwork(&h.area_code))?;
    if !st
        .dir
        .end_pairing(&cadre, &number, end, &reason, &s.user)
        .await?
    {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "no_active_pairing",
            "没有进行中的结对 / no active pairing of this cadre and household",
        ));
    }
    Ok(())
}

/// A household of a bulk form that the session may pair: 422 naming it when unknown or outside
/// the user's area (the same answer for both, which tells nothing of other areas).
async fn bulk_household(
    st: &AppState,
    s: &Session,
    i: usize,
    number: &str,
) -> Result<HouseholdRecord, ApiError> {
    let h = match st.household_for(s, number, false).await {
        Ok(h) if authz::may(&s.scope, Action::ManageNetwork(&h.area_code)) => Some(h),
        Ok(_) => None,
        Err(e) if e.status == axum::http::StatusCode::NOT_FOUND => None,
        Err(e) => return Err(e),
    };
    h.ok_or_else(|| {
        ApiError::invalid(
            "输入有误 / invalid input",
            vec![json!({"field": format!("households[{i}]"), "code": "out_of_scope",
                "message": format!("户 {number} 不存在或不在您的辖区 / household {number} is unknown or outside your area")})],
        )
    })
}

/// Pairs one cadre with several households from one date, in one transaction: a household
/// already paired (an open pairing), unknown or outside the user's area is refused by name and
/// nothing is written. The village account may not pair (403).
pub async fn pair_in_bulk(
    st: &AppState,
    s: &Session,
    b: &BulkPairingIn,
) -> Result<Vec<StoredPairing>, ApiError> {
    authz::check(&s.scope, Action::ManageNetwork(&s.scope.area))?;
    let mut f = Fields::default();
    let cadre = f.text("cadre", &b.cadre);
    let start = f.date("start", &b.start);
    if b.households.is_empty() {
        f.fail(
            "households",
            "required",
            "请勾选要结对的户 / check the households to pair".into(),
        );
    }
    f.done()?;
    cadre_in_area(st, s, &cadre).await?;
    let mut out = Vec::new();
    for (i, n) in b.households.iter().enumerate() {
        let h = bulk_household(st, s, i, n.trim()).await?;
        out.push(StoredPairing {
            area_code: h.area_code,
            pairing: Pairing {
                cadre: cadre.clone(),
                household: h.number,
                start,
                end: None,
                end_reason: None,
            },
        });
    }
    st.dir.pair_households(&out, &s.user).await?;
    Ok(out)
}

/// Ends several open pairings on one date with one reason, in one transaction (a pair without an
/// open pairing, or a household outside the user's area, is refused by name; nothing written).
pub async fn end_in_bulk(
    st: &AppState,
    s: &Session,
    b: &BulkPairingEnd,
) -> Result<usize, ApiError> {
    authz::check(&s.scope, Action::ManageNetwork(&s.scope.area))?;
    let mut f = Fields::default();
    let end = f.date("end", &b.end);
    let reason = f.text("reason", &b.reason);
    let mut pairs = Vec::new();
    for (i, k) in b.pairings.iter().enumerate() {
        let cadre = f.text(&format!("pairings[{i}].cadre"), &k.cadre);
        let household = f.text(&format!("pairings[{i}].household"), &k.household);
        pairs.push((cadre, household));
    }
    if pairs.is_empty() {
        f.fail(
            "pairings",
            "required",
            "请勾选要解除的结对 / check the pairings to end".into(),
        );
    }
    f.done()?;
    for (i, (_, n)) in pairs.iter().enumerate() {
        bulk_household(st, s, i, n).await?;
    }
    st.dir.end_pairings(&pairs, end, &reason, &s.user).await?;
    Ok(pairs.len())
}

/// The bulk pairing page of a township or village: its households needing a cadre with no open
/// pairing (with their heads), its open pairings, and the county's cadres with their unit, rank,
/// open pairings and quota (`full` at or over it).
pub async fn bulk_page(
    st: &AppState,
    s: &Session,
    given: Option<&str>,
) -> Result<(String, Value), ApiError> {
    let area = st.area_for(s, given)?;
    authz::check(&s.scope, Action::ManageNetwork(&area))?;
    let area = area.as_str();
    let county = fupin_core::area::county_of(area);
    let units: std::collections::HashMap<String, String> = st
        .dir
        .units(county)
        .await?
        .into_iter()
        .map(|u| (u.unit.code, u.unit.name))
        .collect();
    let counts = st.dir.open_pairing_counts(county).await?;
    let policy = st.policies.for_area(area);
    let mut cadres = Vec::new();
    for c in st.dir.cadres(county).await? {
        let n = counts.get(&c.cadre.id).copied().unwrap_or(0);
        let quota = policy.pairing_quota(c.cadre.rank.code()).map(|q| q.value);
        cadres.push(json!({
            "id": c.cadre.id,
            "name": c.cadre.name,
            "unit": units.get(&c.cadre.unit).cloned().unwrap_or(c.cadre.unit.clone()),
            "rank": c.cadre.rank.code(),
            "pairings": n,
            "quota": quota,
            "full": quota.is_some_and(|q| n >= u64::from(q)),
        }));
    }
    // A county or more holds too many households for one page of checkboxes.
    let listed = area.len() >= 9;
    let (households, open) = if listed {
        let names: std::collections::HashMap<String, String> = cadres
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap_or("").to_string(),
                    c["name"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let open: Vec<Value> = st
            .dir
            .pairings(area)
            .await?
            .into_iter()
            .filter(|p| p.pairing.end.is_none())
            .map(|p| {
                let name = names
                    .get(&p.pairing.cadre)
                    .cloned()
                    .unwrap_or_else(|| p.pairing.cadre.clone());
                json!({"cadre": p.pairing.cadre, "name": name, "household": p.pairing.household,
                    "area_code": p.area_code, "start": p.pairing.start})
            })
            .collect();
        (st.dir.unpaired_households(area).await?, open)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok((
        area.to_string(),
        json!({"cadres": cadres, "households": households, "open": open, "listed": listed}),
    ))
}

pub async fn teams(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Vec<WorkTeam>, ApiError> {
    let area = read_area(st, s, area)?;
    Ok(st.dir.teams(&area).await?)
}

pub async fn save_team(st: &AppState, s: &Session, b: &TeamIn) -> Result<WorkTeam, ApiError> {
    let mut f = Fields::default();
    let id = f.text("id", &b.id);
    let village = f.text("village", &b.village);
    f.village("village", &village);
    let unit = f.text("unit", &b.unit);
    let start = f.date("start", &b.start);
    let end = f.opt_date("end", &b.end);
    let mut members = Vec::new();
    for (i, m) in b.members.iter().enumerate() {
        let cadre = f.text(&format!("members[{i}].cadre"), &m.cadre);
        let role = f.code::<TeamRole>(&format!("members[{i}].role"), &m.role);
        if let Some(role) = role {
            members.push(TeamMember {
                cadre,
                role,
                first_secretary: m.first_secretary,
            });
        }
    }
    f.done()?;
    authz::check(&s.scope, Action::ManageNetwork(&village))?;
    for m in &members {
        cadre_in_area(st, s, &m.cadre).await?;
    }
    let t = WorkTeam {
        id,
        village,
        unit,
        start,
        end,
        members,
    };
    save(
        st,
        s,
        Batch {
            teams: vec![t.clone()],
            ..Batch::default()
        },
    )
    .await?;
    Ok(t)
}

pub async fn enterprise_pairings(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Vec<fupin_core::responsibility::EnterprisePairing>, ApiError> {
    let area = read_area(st, s, area)?;
    Ok(st.dir.enterprise_pairings(&area).await?)
}

pub async fn save_enterprise_pairing(
    st: &AppState,
    s: &Session,
    b: &EnterprisePairingIn,
) -> Result<fupin_core::responsibility::EnterprisePairing, ApiError> {
    let mut f = Fields::default();
    let unit = f.text("unit", &b.unit);
    let village = f.text("village", &b.village);
    f.village("village", &village);
    let start = f.date("start", &b.start);
    let end = f.opt_date("end", &b.end);
    f.done()?;
    authz::check(&s.scope, Action::ManageNetwork(&village))?;
    let known = st.dir.units("").await?;
    match known.iter().find(|u| u.unit.code == unit) {
        Some(u) if u.unit.kind == UnitKind::Enterprise => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "输入有误 / invalid input",
                vec![json!({"field": "unit", "code": "not_enterprise",
                    "message": format!("单位 {unit} 不是企业 / unit {unit} is not an enterprise")})],
            ))
        }
        None => return Err(unknown("unit", "unit", &unit)),
    }
    let p = fupin_core::responsibility::EnterprisePairing {
        unit,
        village,
        start,
        end,
    };
    let b = Batch {
        enterprise_pairings: vec![p.clone()],
        ..Batch::default()
    };
    save(st, s, b).await?;
    Ok(p)
}

pub async fn letters(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Vec<fupin_store::responsibility::Letter>, ApiError> {
    let area = read_area(st, s, area)?;
    Ok(st.dir.letters(&area).await?)
}

pub async fn save_letter(
    st: &AppState,
    s: &Session,
    b: &LetterIn,
) -> Result<fupin_store::responsibility::Letter, ApiError> {
    let area = record_area(st, s, &b.area)?;
    let mut f = Fields::default();
    let id = f.text("id", &b.id);
    let signer = f.text("signer", &b.signer);
    let level = f.text("level", &b.level);
    let signed_on = f.date("signed_on", &b.signed_on);
    f.done()?;
    let l = fupin_store::responsibility::Letter {
        id,
        area,
        signer,
        level,
        signed_on,
    };
    let b = Batch {
        letters: vec![l.clone()],
        ..Batch::default()
    };
    save(st, s, b).await?;
    Ok(l)
}

/// The coverage check of an area at a date, over the registry.
pub async fn coverage(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
    as_of: Option<&str>,
) -> Result<(String, Report), ApiError> {
    let area = read_area(st, s, area)?;
    let as_of = date_of(as_of)?;
    let net = st.dir.check_network(&area, as_of).await?;
    let since = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(as_of);
    let visits = st
        .dir
        .visit_figures(&area, 0, since, as_of)
        .await?
        .into_iter()
        .next()
        .map(|(_, f)| f)
        .unwrap_or_default();
    let (policy, gaps, _) = core::check(&net, &st.policies, as_of).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            e.code(),
            e.to_string(),
        )
    })?;
    Ok((
        area,
        Report {
            as_of,
            policy,
            gaps,
            visits,
            errors: Vec::new(),
        },
    ))
}

/// The visits of an area in a period (default: this year to today).
pub async fn visits(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<StoredVisit>, ApiError> {
    let area = read_area(st, s, area)?;
    let to = date_of(to)?;
    let from = match from.filter(|x| !x.is_empty()) {
        Some(_) => date_of(from)?,
        None => NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to),
    };
    Ok(st.dir.visits(&area, from, to).await?)
}

/// The cadre a cadre account records as (403 when none is linked).
pub async fn own_cadre(st: &AppState, s: &Session) -> Result<Option<StoredCadre>, ApiError> {
    if !authz::by_pairing(&s.scope) {
        return Ok(None);
    }
    Ok(st.dir.cadre_of_account(&s.user).await?)
}

/// The visits of a household the session may read (a cadre: its own visits only).
pub async fn household_visits(
    st: &AppState,
    s: &Session,
    number: &str,
) -> Result<Vec<StoredVisit>, ApiError> {
    st.household_for(s, number, false).await?;
    let mut all = st.dir.visits_of_household(number).await?;
    if authz::by_pairing(&s.scope) {
        let own = own_cadre(st, s).await?.map(|c| c.cadre.id);
        all.retain(|v| Some(&v.visit.cadre) == own.as_ref());
    }
    Ok(all)
}

fn visit_id() -> String {
    format!(
        "V{}{}",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        &crate::auth::random_token()[..6]
    )
}

/// Records a visit to a household: a cadre account as its own cadre, to its paired households
/// only; the village, township or county naming the cadre.
pub async fn record_visit(
    st: &AppState,
    s: &Session,
    number: &str,
    b: &VisitIn,
) -> Result<StoredVisit, ApiError> {
    let h = st.household_for(s, number, false).await?;
    let paired = st.paired(s, number).await?;
    authz::check(
        &s.scope,
        Action::RecordVisit {
            area: &h.area_code,
            paired,
        },
    )?;
    let cadre = match own_cadre(st, s).await? {
        Some(c) => c.cadre.id,
        None if authz::by_pairing(&s.scope) => {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "no_linked_cadre",
                "此账号未关联帮扶干部 / this account is linked to no cadre",
            ))
        }
        None => {
            let mut f = Fields::default();
            let id = f.text("cadre", &b.cadre);
            f.done()?;
            cadre_in_area(st, s, &id).await?.cadre.id
        }
    };
    let mut f = Fields::default();
    let date = f.date("date", &b.date);
    if date > today() {
        f.fail(
            "date",
            "date_future",
            "走访日期不能晚于今天 / the visit date is after today".into(),
        );
    }
    let findings = f.opt_text("findings", &b.findings);
    let id = visit_id();
    let mut issues = Vec::new();
    for (i, x) in b.issues.iter().enumerate() {
        let IssueIn {
            text,
            measure,
            closed,
        } = x;
        let text = match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(_) => f.text(&format!("issues[{i}].text"), text),
            None => continue,
        };
        let measure = f.opt_text(&format!("issues[{i}].measure"), measure);
        if *closed && measure.is_none() {
            f.fail(
                &format!("issues[{i}].measure"),
                "closed_without_measure",
                "关闭问题须填写整改措施 / a closed issue needs its measure".into(),
            );
        }
        issues.push(VisitIssue {
            id: format!("{id}-{}", i + 1),
            text,
            measure,
            closed_on: closed.then_some(date),
        });
    }
    f.done()?;
    let v = StoredVisit {
        id,
        area_code: h.area_code.clone(),
        visit: Visit {
            date,
            cadre,
            household: number.to_string(),
            findings,
            issues,
        },
    };
    save(
        st,
        s,
        Batch {
            visits: vec![v.clone()],
            ..Batch::default()
        },
    )
    .await?;
    Ok(v)
}

/// Closes an issue of a visit the session may record on.
pub async fn close_issue(
    st: &AppState,
    s: &Session,
    number: &str,
    issue: &str,
    b: &super::IssueClose,
) -> Result<(), ApiError> {
    let visits = household_visits(st, s, number).await?;
    let h = st.household_for(s, number, false).await?;
    let paired = st.paired(s, number).await?;
    authz::check(
        &s.scope,
        Action::RecordVisit {
            area: &h.area_code,
            paired,
        },
    )?;
    if !visits
        .iter()
        .any(|v| v.visit.issues.iter().any(|i| i.id == issue))
    {
        return Err(ApiError::not_found());
    }
    let mut f = Fields::default();
    let measure = f.text("measure", &b.measure);
    let closed_on = f.date("closed_on", &b.closed_on);
    f.done()?;
    if !st
        .dir
        .close_issue(issue, &measure, closed_on, &s.user)
        .await?
    {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "issue_closed",
            "问题已关闭 / the issue is closed already",
        ));
    }
    Ok(())
}

/// "我的帮扶户": the households of the cadre linked to the account, active pairings first, each
/// with its last visit.
pub async fn my_households(st: &AppState, s: &Session) -> Result<Vec<Value>, ApiError> {
    let Some(c) = own_cadre(st, s).await? else {
        return Ok(Vec::new());
    };
    let day = today();
    let mut out = Vec::new();
    for p in st.dir.pairings_of_cadre(&c.cadre.id).await? {
        if !core::active(p.pairing.start, p.pairing.end, day) {
            continue;
        }
        let Some(h) = st.repo.household(&p.pairing.household).await? else {
            continue;
        };
        let visits = st.dir.visits_of_household(&h.number).await?;
        let mine: Vec<&StoredVisit> = visits
            .iter()
            .filter(|v| v.visit.cadre == c.cadre.id)
            .collect();
        let open: usize = mine
            .iter()
            .flat_map(|v| v.visit.issues.iter())
            .filter(|i| i.closed_on.is_none())
            .count();
        out.push(json!({
            "number": h.number,
            "head": head_name(&h),
            "area_code": h.area_code,
            "status": h.status.code(),
            "since": p.pairing.start,
            "last_visit": mine.first().map(|v| v.visit.date),
            "visits": mine.len(),
            "open_issues": open,
        }));
    }
    Ok(out)
}

fn head_name(h: &HouseholdRecord) -> String {
    h.members
        .first()
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

/// The household page's section: its pairings (with the cadres' names), its visits (a cadre:
/// its own), and what the session may do (pair, record a visit).
pub async fn household_section(st: &AppState, s: &Session, h: &HouseholdRecord) -> Value {
    let area = h.area_code.as_str();
    let can_manage = authz::may(&s.scope, Action::ManageNetwork(area));
    let paired = st.paired(s, &h.number).await.unwrap_or(false);
    let can_visit = authz::may(&s.scope, Action::RecordVisit { area, paired });
    let mut pairings = Vec::new();
    for p in st
        .dir
        .pairings_of_household(&h.number)
        .await
        .unwrap_or_default()
    {
        let name = match st.dir.cadre(&p.pairing.cadre).await {
            Ok(Some(c)) => c.cadre.name,
            _ => p.pairing.cadre.clone(),
        };
        pairings.push(
            json!({"cadre": p.pairing.cadre, "name": name, "start": p.pairing.start,
            "end": p.pairing.end, "end_reason": p.pairing.end_reason,
            "active": core::active(p.pairing.start, p.pairing.end, today())}),
        );
    }
    let visits = household_visits(st, s, &h.number).await.unwrap_or_default();
    let cadres = if can_manage {
        st.dir
            .cadres(fupin_core::area::county_of(area))
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    json!({
        "pairings": pairings,
        "visits": visits.iter().take(10).collect::<Vec<_>>(),
        "can_manage": can_manage,
        "can_visit": can_visit && (!authz::by_pairing(&s.scope) || paired),
        "names_cadre": can_visit && !authz::by_pairing(&s.scope),
        "cadres": cadres.iter().map(|c| json!({"id": c.cadre.id, "name": c.cadre.name})).collect::<Vec<_>>(),
    })
}

/// The dashboard's section: the work teams of the area active at the end of the dashboard's year
/// (or today) and that year's visit figures (none for a cadre, who reads its own page).
pub async fn dashboard_section(st: &AppState, s: &Session, area: &str, year: i32) -> Value {
    if !authz::may(&s.scope, Action::ReadNetwork(area)) {
        return Value::Null;
    }
    let day = NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or_else(today)
        .min(today());
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(day);
    let figures: VisitFigures = st
        .dir
        .visit_figures(area, 0, from, day)
        .await
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|(_, f)| f)
        .unwrap_or_default();
    let teams = st.dir.teams(area).await.unwrap_or_default();
    let active_teams = teams
        .iter()
        .filter(|t| core::active(t.start, t.end, day))
        .count();
    json!({
        "area": area,
        "year": year,
        "visits": figures,
        "teams": active_teams,
        "members": teams.iter().filter(|t| core::active(t.start, t.end, day)).map(|t| t.members.len()).sum::<usize>(),
    })
}
