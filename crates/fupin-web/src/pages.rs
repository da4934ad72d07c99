//! Server-rendered pages (minijinja templates, htmx for partial updates). Chinese by default, English
//! with the `fupin_lang` cookie. Every page goes through the same scope checks as the API.

use crate::api::{self, ListQuery};
use crate::{check_csrf, cookie, i18n, lang, ApiError, AppState, Session, PRE_COOKIE};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use fupin_core::codes::{CodeList, HouseholdStatus};
use fupin_core::identification::{Exclusion, Step};
use minijinja::{context, Environment, Value as JValue};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

type St = State<Arc<AppState>>;
type FormMap = Form<HashMap<String, String>>;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    (
        "households.html",
        include_str!("../templates/households.html"),
    ),
    (
        "households_table.html",
        include_str!("../templates/households_table.html"),
    ),
    (
        "household.html",
        include_str!("../templates/household.html"),
    ),
    ("village.html", include_str!("../templates/village.html")),
    ("notice.html", include_str!("../templates/notice.html")),
    (
        "applications.html",
        include_str!("../templates/applications.html"),
    ),
    (
        "application.html",
        include_str!("../templates/application.html"),
    ),
    ("users.html", include_str!("../templates/users.html")),
    ("password.html", include_str!("../templates/password.html")),
    ("error.html", include_str!("../templates/error.html")),
];

fn lang_of(state: &minijinja::State) -> String {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "zh".into())
}

/// The options of a code list as a template value, built once per language and list.
fn options_value(lang: &str, list: &str) -> JValue {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<(String, String), JValue>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (lang.to_string(), list.to_string());
    if let Some(v) = cache.lock().expect("options").get(&key) {
        return v.clone();
    }
    let v = JValue::from_serialize(i18n::options(lang, list));
    cache.lock().expect("options").insert(key, v.clone());
    v
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            env.add_template(name, src).expect("template");
        }
        env.add_function("t", |state: &minijinja::State, key: &str| {
            i18n::t(&lang_of(state), key)
        });
        env.add_function(
            "label",
            |state: &minijinja::State, list: &str, code: JValue| {
                code.as_str()
                    .map(|c| i18n::code_label(&lang_of(state), list, c))
                    .unwrap_or_default()
            },
        );
        env.add_function("options", |state: &minijinja::State, list: &str| {
            options_value(&lang_of(state), list)
        });
        env.add_function("mask", |id: &str| {
            fupin_core::ResidentId::parse(id)
                .map(|i| i.masked())
                .unwrap_or_else(|_| "******".into())
        });
        env
    })
}

/// Renders a template with the common context (language, user, CSRF token).
fn render(headers: &HeaderMap, s: Option<&Session>, name: &str, ctx: JValue) -> Response {
    let common = context! {
        lang => lang(headers),
        user => s.map(|s| s.user.clone()),
        role => s.map(|s| s.scope.role.code()),
        user_area => s.map(|s| s.scope.area.clone()),
        csrf => s.map(|s| s.csrf.clone()),
        is_admin => s.is_some_and(|s| s.scope.is_admin()),
    };
    let ctx = context! { ..ctx, ..common };
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("template {name}: {e:#}"),
        )
            .into_response(),
    }
}

fn error_page(headers: &HeaderMap, s: Option<&Session>, e: ApiError) -> Response {
    let status = e.status;
    let mut r = render(
        headers,
        s,
        "error.html",
        context! { status => status.as_u16(), code => e.code, message => e.message },
    );
    *r.status_mut() = status;
    r
}

/// The session of a page, or a redirect to the login page.
macro_rules! session_or_login {
    ($st:expr, $headers:expr) => {
        match $st.session(&$headers) {
            Some(s) => s,
            None => return Redirect::to("/login").into_response(),
        }
    };
}

/// Refuses a posted form without the session's CSRF token (field `_csrf`) with an error page.
macro_rules! form_csrf_or_page {
    ($st:expr, $s:expr, $headers:expr, $form:expr) => {
        if let Err(e) = check_csrf(
            &$st,
            &$s,
            &HeaderMap::new(),
            $form.get("_csrf").map(String::as_str),
        ) {
            return error_page(&$headers, Some(&$s), e);
        }
    };
}

macro_rules! ok_or_page {
    ($headers:expr, $s:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return error_page(&$headers, Some(&$s), ApiError::from(e)),
        }
    };
}

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/login", get(login_page).post(login_post))
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(set_lang))
        .route("/", get(dashboard))
        .route("/households", get(households))
        .route("/households/export.xlsx", get(export_xlsx))
        .route("/households/{number}", get(household).post(household_edit))
        .route("/households/{number}/action", post(household_action))
        .route("/villages/{code}", get(village))
        .route("/villages/{code}/notice", get(notice))
        .route("/applications", get(applications).post(application_create))
        .route("/applications/{id}", get(application))
        .route("/applications/{id}/steps", post(application_step))
        .route("/admin/users", get(users).post(user_create))
        .route("/account/password", get(password_page).post(password_post))
}

async fn login_page(headers: HeaderMap) -> Response {
    let token = crate::auth::random_token();
    let mut r = render(
        &headers,
        None,
        "login.html",
        context! { login_csrf => token.clone(), error => JValue::from(()) },
    );
    r.headers_mut().insert(
        header::SET_COOKIE,
        format!("{PRE_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict")
            .parse()
            .expect("cookie"),
    );
    r
}

async fn login_post(State(st): St, headers: HeaderMap, Form(f): FormMap) -> Response {
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or("");
    let given = f.get("_csrf").map(String::as_str).unwrap_or("");
    if pre.is_empty() || !crate::auth::same_token(pre, given) {
        return error_page(&headers, None, ApiError::csrf());
    }
    let user = f.get("username").cloned().unwrap_or_default();
    match st
        .login(&user, f.get("password").map(String::as_str).unwrap_or(""))
        .await
    {
        Ok(s) => (
            [(header::SET_COOKIE, st.session_cookie(&s.token))],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => {
            let token = crate::auth::random_token();
            let mut r = render(
                &headers,
                None,
                "login.html",
                context! { login_csrf => token.clone(), error => e.message, username => user },
            );
            *r.status_mut() = e.status;
            r.headers_mut().insert(
                header::SET_COOKIE,
                format!("{PRE_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict")
                    .parse()
                    .expect("cookie"),
            );
            r
        }
    }
}

async fn logout(State(st): St, headers: HeaderMap, Form(f): FormMap) -> Response {
    let s = session_or_login!(st, headers);
    form_csrf_or_page!(st, s, headers, f);
    st.logout(&s.token);
    (
        [(
            header::SET_COOKIE,
            format!(
                "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                crate::SESSION_COOKIE
            ),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

async fn set_lang(Path(l): Path<String>, headers: HeaderMap) -> Response {
    let l = if l == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    (
        [(
            header::SET_COOKIE,
            format!(
                "{}={l}; Path=/; SameSite=Lax; Max-Age=31536000",
                crate::LANG_COOKIE
            ),
        )],
        Redirect::to(&back),
    )
        .into_response()
}

fn area_label(code: &str, name: &str) -> String {
    if name.is_empty() {
        code.to_string()
    } else {
        format!("{name} {code}")
    }
}

async fn dashboard(State(st): St, headers: HeaderMap, Query(q): Query<api::AreaParam>) -> Response {
    let s = session_or_login!(st, headers);
    let area = match st.area_for(&s, q.area.as_deref()) {
        Ok(a) => a,
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    let d = match st.dashboard(&area, q.year).await {
        Ok(d) => d,
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    let (figures, year, changes) = (&d.figures, d.year, &d.changes);
    let info = ok_or_page!(headers, s, st.dir.area(&area).await);
    let l = lang(&headers);
    let chart = json!({
        "status": figures.status.iter().map(|(k, c)| json!({"label": i18n::code_label(l, "status", k), "people": c.people, "households": c.households})).collect::<Vec<_>>(),
        "areas": figures.sub_areas.iter().map(|a| {
            let incidence = a.rural_population.filter(|r| *r > 0).map(|r| (a.poor_people as f64) * 100.0 / (r as f64)).unwrap_or(0.0);
            let href = if a.code.len() >= 12 { format!("/villages/{}", a.code) } else { format!("/?area={}", a.code) };
            json!({"label": area_label(&a.code, &a.name), "incidence": (incidence * 100.0).round() / 100.0, "href": href})
        }).collect::<Vec<_>>(),
        "causes": figures.causes.iter().map(|(k, n)| json!({"label": i18n::code_label(l, "cause", k), "value": n})).collect::<Vec<_>>(),
        "monitoring": figures.monitoring.iter().map(|(k, c)| json!({"label": i18n::code_label(l, "monitoring", k), "households": c.households})).collect::<Vec<_>>(),
    });
    let poor_people: i64 = figures
        .status
        .iter()
        .filter(|(k, _)| k == "poor" || k == "returned")
        .map(|(_, c)| c.people)
        .sum();
    let incidence = figures
        .rural_population
        .filter(|r| *r > 0)
        .and_then(|r| fupin_core::rules::incidence_pct(poor_people as u64, r as u64).ok())
        .map(fupin_core::money::fmt2);
    let parent = if area.len() > s.scope.area.len() {
        let n = match area.len() {
            12 => 9,
            9 => 6,
            6 => 4,
            4 => 2,
            _ => 0,
        };
        Some(area[..n.max(s.scope.area.len())].to_string())
    } else {
        None
    };
    let ctx = context! {
        area => area.clone(),
        year => year,
        area_name => info.map(|a| a.name).unwrap_or_default(),
        parent => parent,
        figures => JValue::from_serialize(figures),
        changes => JValue::from_serialize(changes),
        chart_json => chart.to_string().replace("</", "<\\/"),
        incidence => incidence,
        poor_people => poor_people,
    };
    render(&headers, Some(&s), "dashboard.html", ctx)
}

async fn households(State(st): St, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    let s = session_or_login!(st, headers);
    let f = match api::list_filter(&st, &s, &q) {
        Ok(f) => f,
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    let page = ok_or_page!(headers, s, st.dir.list_households(&f).await);
    let pages = page.total.div_ceil(u64::from(page.per_page)).max(1);
    let query = |p: u32| {
        let mut parts = vec![format!("page={p}")];
        for (k, v) in [
            ("area", &q.area),
            ("status", &q.status),
            ("cause", &q.cause),
            ("attribute", &q.attribute),
            ("monitoring", &q.monitoring),
            ("q", &q.q),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        }
        parts.join("&")
    };
    let ctx = context! {
        page => JValue::from_serialize(&page),
        pages => pages,
        q => JValue::from_serialize(json!({"area": q.area, "status": q.status, "cause": q.cause, "attribute": q.attribute, "monitoring": q.monitoring, "q": q.q})),
        prev_query => (page.page > 1).then(|| query(page.page - 1)),
        next_query => (u64::from(page.page) < pages).then(|| query(page.page + 1)),
        export_query => query(1),
    };
    let partial = headers.contains_key("hx-request") && !headers.contains_key("hx-boosted");
    render(
        &headers,
        Some(&s),
        if partial {
            "households_table.html"
        } else {
            "households.html"
        },
        ctx,
    )
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn export_xlsx(
    State(st): St,
    headers: HeaderMap,
    Query(mut q): Query<ListQuery>,
) -> Response {
    let s = session_or_login!(st, headers);
    q.page = Some(1);
    q.per_page = Some(500);
    let mut f = match api::list_filter(&st, &s, &q) {
        Ok(f) => f,
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    let l = lang(&headers);
    let mut table = fupin_sheet::XlsxTable::new();
    let heads = [
        "number",
        "area",
        "head",
        "people",
        "status",
        "monitoring",
        "cause",
        "attribute",
    ];
    let _ = table.row(&heads.map(|h| i18n::t(l, h)));
    loop {
        let page = ok_or_page!(headers, s, st.dir.list_households(&f).await);
        for h in &page.rows {
            let cells = [
                h.number.clone(),
                h.area_code.clone(),
                h.head.clone().unwrap_or_default(),
                h.people.to_string(),
                i18n::code_label(l, "status", &h.status),
                h.monitoring
                    .as_deref()
                    .map(|m| i18n::code_label(l, "monitoring", m))
                    .unwrap_or_default(),
                h.main_cause
                    .as_deref()
                    .map(|m| i18n::code_label(l, "cause", m))
                    .unwrap_or_default(),
                h.attribute
                    .as_deref()
                    .map(|m| i18n::code_label(l, "attribute", m))
                    .unwrap_or_default(),
            ];
            let _ = table.row(&cells);
        }
        if u64::from(page.page) * u64::from(page.per_page) >= page.total {
            break;
        }
        f.page += 1;
    }
    match table.finish() {
        Ok(buf) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"households.xlsx\"",
                ),
            ],
            buf,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Renders the household page, with the edit form's values and errors when given.
async fn household_page(
    st: &AppState,
    s: &Session,
    headers: &HeaderMap,
    number: &str,
    form: Option<(Value, HashMap<String, String>)>,
    flash: Option<String>,
) -> Response {
    let h = match st.household_for(s, number, false).await {
        Ok(h) => h,
        Err(e) => return error_page(headers, Some(s), e),
    };
    let today = chrono::Local::now().date_naive();
    let assessment = api::assess_record(st, &h, today).ok();
    let history = ok_or_page!(headers, s, st.repo.history(number, None).await);
    let audit = ok_or_page!(headers, s, st.dir.audit_trail(&h.area_code, number).await);
    let paired = s.scope.role == fupin_core::access::Role::Cadre
        && st.dir.is_paired(&s.user, number).await.unwrap_or(false);
    let can_write = s.scope.can_write_household(&h.area_code, paired);
    let (values, errors) = form.unwrap_or_else(|| (api::household_json(&h), HashMap::new()));
    let ctx = context! {
        h => JValue::from_serialize(&h),
        a => JValue::from_serialize(&assessment),
        history => JValue::from_serialize(&history),
        // Only what the trail shows: not the before/after copies of the household.
        audit => JValue::from_serialize(&audit),
        v => JValue::from_serialize(&values),
        errors => errors,
        can_write => can_write,
        flash => flash,
        today => today.to_string(),
        village => h.area_code.clone(),
    };
    render(headers, Some(s), "household.html", ctx)
}

async fn household(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = session_or_login!(st, headers);
    let flash = q.get("saved").map(|_| i18n::t(lang(&headers), "saved"));
    household_page(&st, &s, &headers, &number, None, flash).await
}

/// Turns the edit form into the JSON household format.
fn form_to_json(f: &HashMap<String, String>, number: &str) -> Value {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    let money = |k: &str| {
        let v = get(k);
        if v.is_empty() {
            json!("0")
        } else {
            json!(v)
        }
    };
    let mut members = Vec::new();
    for i in 0..50 {
        let p = format!("m{i}_");
        if !f.contains_key(&format!("{p}id_number")) {
            break;
        }
        if get(&format!("{p}delete")) == "on"
            || (get(&format!("{p}id_number")).is_empty() && get(&format!("{p}name")).is_empty())
        {
            continue;
        }
        members.push(json!({
            "id_number": get(&format!("{p}id_number")),
            "name": get(&format!("{p}name")),
            "relation": opt(&format!("{p}relation")),
            "school_status": opt(&format!("{p}school_status")),
            "medical_insured": f.contains_key(&format!("{p}medical_insured")),
            "labor": opt(&format!("{p}labor")),
            "health": opt(&format!("{p}health")),
        }));
    }
    json!({
        "id": number,
        "area_code": get("area_code"),
        "attribute": opt("attribute"),
        "main_cause": opt("main_cause"),
        "housing_grade": opt("housing_grade"),
        "food": f.contains_key("food"), "clothing": f.contains_key("clothing"), "water": f.contains_key("water"),
        "income": {"wage": money("income_wage"), "business": money("income_business"), "property": money("income_property"),
                   "transfer": money("income_transfer"), "business_cost": money("income_business_cost")},
        "rigid_expense": {"medical": money("rigid_medical"), "education": money("rigid_education"),
                          "disaster": money("rigid_disaster"), "other": money("rigid_other")},
        "phone": opt("phone"), "bank_account": opt("bank_account"),
        "members": members,
    })
}

/// Maps a field error of the JSON format to the edit form's input name.
fn form_field(e: &Value) -> String {
    let field = e["field"]
        .as_str()
        .unwrap_or("")
        .replace("income.", "income_")
        .replace("rigid_expense.", "rigid_");
    match e["member"].as_u64() {
        Some(m) => format!("m{}_{field}", m - 1),
        None => field,
    }
}

async fn household_edit(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(f): FormMap,
) -> Response {
    let s = session_or_login!(st, headers);
    form_csrf_or_page!(st, s, headers, f);
    let current = match st.household_for(&s, &number, true).await {
        Ok(h) => h,
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    let mut doc = form_to_json(&f, &number);
    let version: i64 = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let result = match api::record_from_json(&doc, Some(&current)) {
        Ok(mut record) if s.scope.can_write_household(&record.area_code, true) => {
            record.version = current.version;
            let today = chrono::Local::now().date_naive();
            st.repo
                .save(
                    fupin_store::Incoming::new(record),
                    version,
                    today,
                    &s.user,
                    &st.policies,
                )
                .await
                .map_err(ApiError::from)
        }
        Ok(_) => Err(ApiError::forbidden()),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/households/{number}?saved=1")).into_response(),
        Err(e) => {
            let mut errors: HashMap<String, String> = e
                .fields
                .iter()
                .map(|x| {
                    (
                        form_field(x),
                        x["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            if errors.is_empty() {
                errors.insert("_form".into(), e.message.clone());
            }
            // Keep the member rows as typed, with the household's other values.
            doc["status"] = json!(current.status.code());
            let mut r = household_page(&st, &s, &headers, &number, Some((doc, errors)), None).await;
            *r.status_mut() = if e.status == StatusCode::CONFLICT {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            r
        }
    }
}

async fn household_action(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(f): FormMap,
) -> Response {
    let s = session_or_login!(st, headers);
    form_csrf_or_page!(st, s, headers, f);
    let to = match f.get("action").map(String::as_str) {
        Some("exit") => HouseholdStatus::Exited,
        Some("return") => HouseholdStatus::Returned,
        Some("remove") => HouseholdStatus::Removed,
        _ => {
            return error_page(
                &headers,
                Some(&s),
                ApiError::bad_request("action", "未知操作 / unknown action"),
            )
        }
    };
    let body = json!({
        "version": f.get("version").and_then(|v| v.parse::<i64>().ok()),
        "reason": f.get("reason"),
        "date": f.get("date").filter(|d| !d.is_empty()),
    });
    match api::lifecycle(&st, &s, &number, to, &body).await {
        Ok(_) => Redirect::to(&format!("/households/{number}?saved=1")).into_response(),
        Err(e) => {
            let mut errors = HashMap::new();
            errors.insert("_action".to_string(), e.message.clone());
            let page = household_page(&st, &s, &headers, &number, None, None).await;
            if page.status() != StatusCode::OK {
                return page;
            }
            let mut r = household_page(
                &st,
                &s,
                &headers,
                &number,
                Some((
                    api::household_json(&st.household_for(&s, &number, false).await.expect("read")),
                    errors,
                )),
                None,
            )
            .await;
            *r.status_mut() = e.status;
            r
        }
    }
}

async fn village(State(st): St, headers: HeaderMap, Path(code): Path<String>) -> Response {
    let s = session_or_login!(st, headers);
    let v = match api::village_figures(&st, &s, &code).await {
        Ok(v) => v,
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    render(
        &headers,
        Some(&s),
        "village.html",
        context! { v => JValue::from_serialize(&v) },
    )
}

async fn notice(State(st): St, headers: HeaderMap, Path(code): Path<String>) -> Response {
    let s = session_or_login!(st, headers);
    let area = match st.area_for(&s, Some(&code)) {
        Ok(a) if a.len() == 12 => a,
        Ok(_) => return error_page(&headers, Some(&s), ApiError::not_found()),
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    let apps = ok_or_page!(headers, s, st.dir.applications(&area).await);
    let in_notice: Vec<_> = apps
        .into_iter()
        .filter(|a| {
            !a.rejected
                && Step::parse(&a.step).is_some_and(|x| {
                    x.is_notice() || x == Step::VillageCheck || x == Step::TownshipReview
                })
        })
        .collect();
    let info = ok_or_page!(headers, s, st.dir.area(&area).await);
    // Only what a public notice may show: name, masked ID number, household size and cause.
    let rows: Vec<Value> = in_notice
        .iter()
        .map(|a| json!({"name": a.applicant_name, "id": fupin_core::ResidentId::parse(&a.applicant_id_number).map(|i| i.masked()).unwrap_or_default(), "members": a.members, "reason": a.reason, "step": a.step}))
        .collect();
    let today = chrono::Local::now().date_naive().to_string();
    render(
        &headers,
        Some(&s),
        "notice.html",
        context! { rows => rows, area => area, name => info.map(|a| a.name).unwrap_or_default(), today => today },
    )
}

async fn applications(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<api::AreaParam>,
) -> Response {
    let s = session_or_login!(st, headers);
    let area = match st.area_for(&s, q.area.as_deref()) {
        Ok(a) => a,
        Err(e) => return error_page(&headers, Some(&s), e),
    };
    let apps = ok_or_page!(headers, s, st.dir.applications(&area).await);
    let steps: Vec<Value> = Step::ALL
        .iter()
        .map(|x| json!({"code": x.code(), "zh": x.zh(), "en": x.en()}))
        .collect();
    render(
        &headers,
        Some(&s),
        "applications.html",
        context! { apps => JValue::from_serialize(&apps), steps => steps, errors => HashMap::<String, String>::new(), v => JValue::from(()) },
    )
}

async fn application_create(State(st): St, headers: HeaderMap, Form(f): FormMap) -> Response {
    let s = session_or_login!(st, headers);
    form_csrf_or_page!(st, s, headers, f);
    let body = json!({"area_code": f.get("area_code"), "applicant_name": f.get("applicant_name"), "applicant_id_number": f.get("applicant_id_number"), "members": f.get("members"), "reason": f.get("reason")});
    match api::new_application(&st, &s, &body).await {
        Ok(a) => Redirect::to(&format!("/applications/{}", a.id)).into_response(),
        Err(e) => {
            let apps = st.dir.applications(&s.scope.area).await.unwrap_or_default();
            let errors: HashMap<String, String> = e
                .fields
                .iter()
                .map(|x| {
                    (
                        x["field"].as_str().unwrap_or("").to_string(),
                        x["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let steps: Vec<Value> = Step::ALL
                .iter()
                .map(|x| json!({"code": x.code(), "zh": x.zh(), "en": x.en()}))
                .collect();
            let mut r = render(
                &headers,
                Some(&s),
                "applications.html",
                context! { apps => JValue::from_serialize(&apps), steps => steps, errors => errors, v => JValue::from_serialize(&body), message => e.message },
            );
            *r.status_mut() = e.status;
            r
        }
    }
}

fn application_ctx(a: &fupin_store::directory::Application, error: Option<String>) -> JValue {
    let current = Step::parse(&a.step).unwrap_or(Step::Application);
    let next = if a.rejected { None } else { current.next() };
    let steps: Vec<Value> = Step::ALL
        .iter()
        .map(|x| {
            let rec = a.steps.iter().find(|r| r.step == x.code());
            json!({"code": x.code(), "zh": x.zh(), "en": x.en(), "done": rec})
        })
        .collect();
    let exclusions: Vec<Value> = Exclusion::ALL
        .iter()
        .map(|e| json!({"code": e.code(), "zh": e.zh()}))
        .collect();
    context! {
        app => JValue::from_serialize(a),
        steps => steps,
        next => next.map(|n| json!({"code": n.code(), "zh": n.zh(), "en": n.en(), "county": n == Step::CountyReview})),
        exclusions => exclusions,
        error => error,
    }
}

async fn application(State(st): St, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let s = session_or_login!(st, headers);
    match api::application_for(&st, &s, &id).await {
        Ok(a) => render(
            &headers,
            Some(&s),
            "application.html",
            application_ctx(&a, None),
        ),
        Err(e) => error_page(&headers, Some(&s), e),
    }
}

async fn application_step(
    State(st): St,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): FormMap,
) -> Response {
    let s = session_or_login!(st, headers);
    form_csrf_or_page!(st, s, headers, f);
    let exclusions: Vec<&str> = Exclusion::ALL
        .iter()
        .map(|e| e.code())
        .filter(|c| f.contains_key(&format!("ex_{c}")))
        .collect();
    let body = json!({"step": f.get("step"), "outcome": f.get("outcome"), "note": f.get("note"), "exclusions": exclusions});
    match api::advance_application(&st, &s, &id, &body).await {
        Ok(_) => Redirect::to(&format!("/applications/{id}")).into_response(),
        Err(e) => match api::application_for(&st, &s, &id).await {
            Ok(a) => {
                let mut r = render(
                    &headers,
                    Some(&s),
                    "application.html",
                    application_ctx(&a, Some(e.message)),
                );
                *r.status_mut() = e.status;
                r
            }
            Err(e) => error_page(&headers, Some(&s), e),
        },
    }
}

async fn users(State(st): St, headers: HeaderMap) -> Response {
    let s = session_or_login!(st, headers);
    if !s.scope.is_admin() {
        return error_page(&headers, Some(&s), ApiError::forbidden());
    }
    let list = ok_or_page!(headers, s, st.dir.users().await);
    render(
        &headers,
        Some(&s),
        "users.html",
        context! { users => JValue::from_serialize(&list), error => JValue::from(()) },
    )
}

async fn user_create(State(st): St, headers: HeaderMap, Form(f): FormMap) -> Response {
    let s = session_or_login!(st, headers);
    form_csrf_or_page!(st, s, headers, f);
    let g = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    match api::create_user(&st, &s, g("name"), g("role"), g("area"), g("password")).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => {
            let list = st.dir.users().await.unwrap_or_default();
            let mut r = render(
                &headers,
                Some(&s),
                "users.html",
                context! { users => JValue::from_serialize(&list), error => e.message },
            );
            *r.status_mut() = e.status;
            r
        }
    }
}

async fn password_page(State(st): St, headers: HeaderMap) -> Response {
    let s = session_or_login!(st, headers);
    render(
        &headers,
        Some(&s),
        "password.html",
        context! { error => JValue::from(()), done => false },
    )
}

async fn password_post(State(st): St, headers: HeaderMap, Form(f): FormMap) -> Response {
    let s = session_or_login!(st, headers);
    form_csrf_or_page!(st, s, headers, f);
    let g = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    match api::change_password(&st, &s, g("old_password"), g("new_password")).await {
        Ok(()) => render(
            &headers,
            Some(&s),
            "password.html",
            context! { error => JValue::from(()), done => true },
        ),
        Err(e) => {
            let mut r = render(
                &headers,
                Some(&s),
                "password.html",
                context! { error => e.message, done => false },
            );
            *r.status_mut() = e.status;
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            env()
                .get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn form_errors_map_to_inputs() {
        assert_eq!(
            form_field(&json!({"field": "id_number", "member": 2})),
            "m1_id_number"
        );
        assert_eq!(form_field(&json!({"field": "income.wage"})), "income_wage");
        assert_eq!(
            form_field(&json!({"field": "rigid_expense.medical"})),
            "rigid_medical"
        );
    }
}
