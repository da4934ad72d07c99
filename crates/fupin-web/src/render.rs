//! Page rendering: the minijinja templates (embedded with `include_str!`), the common context,
//! error pages, and the page extractors [`Page`] (logged in, else a redirect to the login page) and
//! [`FormWrite`] (a posted form carrying the session's CSRF token in `_csrf`, else an error page).

use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::session::{check_csrf, lang, Session};
use crate::{i18n, AppState};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Environment, Value as JValue};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// Every template, by name (`<capability>/<page>.html`; `base.html` and `error.html` are shared).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    (
        "accounts/login.html",
        include_str!("../templates/accounts/login.html"),
    ),
    (
        "accounts/users.html",
        include_str!("../templates/accounts/users.html"),
    ),
    (
        "accounts/password.html",
        include_str!("../templates/accounts/password.html"),
    ),
    (
        "registry/dashboard.html",
        include_str!("../templates/registry/dashboard.html"),
    ),
    (
        "registry/households.html",
        include_str!("../templates/registry/households.html"),
    ),
    (
        "registry/households_table.html",
        include_str!("../templates/registry/households_table.html"),
    ),
    (
        "registry/household.html",
        include_str!("../templates/registry/household.html"),
    ),
    (
        "registry/household_new.html",
        include_str!("../templates/registry/household_new.html"),
    ),
    (
        "registry/household_import.html",
        include_str!("../templates/registry/household_import.html"),
    ),
    (
        "registry/village.html",
        include_str!("../templates/registry/village.html"),
    ),
    (
        "applications/notice.html",
        include_str!("../templates/applications/notice.html"),
    ),
    (
        "applications/applications.html",
        include_str!("../templates/applications/applications.html"),
    ),
    (
        "applications/application.html",
        include_str!("../templates/applications/application.html"),
    ),
    (
        "proposals/proposals.html",
        include_str!("../templates/proposals/proposals.html"),
    ),
    (
        "proposals/household.html",
        include_str!("../templates/proposals/household.html"),
    ),
    (
        "assistance/household_section.html",
        include_str!("../templates/assistance/household_section.html"),
    ),
    (
        "assistance/dashboard_section.html",
        include_str!("../templates/assistance/dashboard_section.html"),
    ),
    (
        "assistance/gaps.html",
        include_str!("../templates/assistance/gaps.html"),
    ),
    (
        "assistance/cards.html",
        include_str!("../templates/assistance/cards.html"),
    ),
    (
        "funds/funds.html",
        include_str!("../templates/funds/funds.html"),
    ),
    (
        "funds/projects.html",
        include_str!("../templates/funds/projects.html"),
    ),
    (
        "funds/project.html",
        include_str!("../templates/funds/project.html"),
    ),
    (
        "funds/loans.html",
        include_str!("../templates/funds/loans.html"),
    ),
    (
        "funds/asset.html",
        include_str!("../templates/funds/asset.html"),
    ),
    (
        "funds/import.html",
        include_str!("../templates/funds/import.html"),
    ),
    (
        "funds/household_section.html",
        include_str!("../templates/funds/household_section.html"),
    ),
    (
        "responsibility/network.html",
        include_str!("../templates/responsibility/network.html"),
    ),
    (
        "responsibility/coverage.html",
        include_str!("../templates/responsibility/coverage.html"),
    ),
    (
        "responsibility/my.html",
        include_str!("../templates/responsibility/my.html"),
    ),
    (
        "responsibility/bulk.html",
        include_str!("../templates/responsibility/bulk.html"),
    ),
    (
        "responsibility/household_section.html",
        include_str!("../templates/responsibility/household_section.html"),
    ),
    (
        "responsibility/dashboard_section.html",
        include_str!("../templates/responsibility/dashboard_section.html"),
    ),
    (
        "monitoring/monitoring.html",
        include_str!("../templates/monitoring/monitoring.html"),
    ),
    (
        "monitoring/case.html",
        include_str!("../templates/monitoring/case.html"),
    ),
    (
        "monitoring/compare.html",
        include_str!("../templates/monitoring/compare.html"),
    ),
    (
        "monitoring/elimination.html",
        include_str!("../templates/monitoring/elimination.html"),
    ),
    (
        "monitoring/report.html",
        include_str!("../templates/monitoring/report.html"),
    ),
    (
        "monitoring/report_qr.html",
        include_str!("../templates/monitoring/report_qr.html"),
    ),
    (
        "monitoring/household_section.html",
        include_str!("../templates/monitoring/household_section.html"),
    ),
];

/// The templates a page template pulls in (`extends` and `include`), whose variables it needs too.
fn parts_of(name: &str) -> Vec<&'static str> {
    match name {
        "registry/households_table.html" => vec![],
        "registry/households.html" => {
            vec!["base.html", "macros.html", "registry/households_table.html"]
        }
        "registry/household.html" => vec![
            "base.html",
            "macros.html",
            "proposals/household.html",
            "funds/household_section.html",
            "responsibility/household_section.html",
            "monitoring/household_section.html",
        ],
        "registry/dashboard.html" => vec![
            "base.html",
            "macros.html",
            "responsibility/dashboard_section.html",
        ],
        "proposals/household.html"
        | "funds/household_section.html"
        | "responsibility/household_section.html"
        | "responsibility/dashboard_section.html"
        | "monitoring/household_section.html" => vec![],
        "macros.html" => vec![],
        "base.html" => vec![],
        _ => vec!["base.html", "macros.html"],
    }
}

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

pub(crate) fn env() -> &'static Environment<'static> {
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
        env.add_function(
            "event_detail",
            |state: &minijinja::State, kind: &str, detail: JValue| {
                detail
                    .as_str()
                    .map(|d| i18n::event_detail(&lang_of(state), kind, d))
                    .unwrap_or_default()
            },
        );
        env.add_function("options", |state: &minijinja::State, list: &str| {
            options_value(&lang_of(state), list)
        });
        env.add_filter("bi", |state: &minijinja::State, msg: JValue| {
            msg.as_str()
                .map(|m| i18n::pick(&lang_of(state), m))
                .unwrap_or_default()
        });
        env.add_function("asset", |name: &str| {
            JValue::from_safe_string(crate::assets::url(name))
        });
        env.add_filter("localtime", |at: JValue| match at.as_str() {
            Some(s) => local_time(s),
            None => String::new(),
        });
        env.add_function("mask", |id: &str| {
            fupin_core::ResidentId::parse(id)
                .map(|i| i.masked())
                .unwrap_or_else(|_| "******".into())
        });
        env
    })
}

/// China Standard Time (UTC+8, no daylight saving since 1991): the time zone of every timestamp
/// shown.
pub fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("offset")
}

/// A stored timestamp (RFC 3339, or `YYYY-MM-DD HH:MM:SS[.f][+zz:zz]`, UTC when it names no offset)
/// as local time in Asia/Shanghai, `YYYY-MM-DD HH:MM`; anything else as given.
pub fn local_time(at: &str) -> String {
    use chrono::{DateTime, NaiveDateTime};
    let at = at.trim();
    let parsed = DateTime::parse_from_rfc3339(at)
        .or_else(|_| DateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S%.f"))
                .or_else(|_| NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M"))
                .map(|t| t.and_utc())
        });
    match parsed {
        Ok(t) => t
            .with_timezone(&china())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

/// The variables a template (with the templates it pulls in) looks up that the environment does
/// not define: each must be in the context a handler renders it with.
pub fn variables_of(name: &str) -> HashSet<String> {
    let env = env();
    let globals: HashSet<&str> = env.globals().map(|(k, _)| k).collect();
    let mut names = parts_of(name);
    names.push(name);
    names
        .iter()
        .filter_map(|n| env.get_template(n).ok())
        .flat_map(|t| t.undeclared_variables(false))
        .filter(|v| !globals.contains(v.as_str()))
        .collect()
}

/// The variables of a template that the context leaves undefined (empty when it renders with every
/// variable it names defined).
pub fn missing_variables(name: &str, ctx: &JValue) -> Vec<String> {
    let mut missing: Vec<String> = variables_of(name)
        .into_iter()
        .filter(|v| ctx.get_attr(v).map_or(true, |x| x.is_undefined()))
        .collect();
    missing.sort();
    missing
}

/// Renders a template with the common context (language, user, CSRF token). In debug builds (and
/// so in every test) a template naming a variable the context does not define answers 500.
pub fn render(lang: &str, s: Option<&Session>, name: &str, ctx: JValue) -> Response {
    let common = context! {
        lang => lang,
        user => s.map(|s| s.user.clone()),
        role => s.map(|s| s.scope.role.code()),
        user_area => s.map(|s| s.scope.area.clone()),
        csrf => s.map(|s| s.csrf.clone()),
        // The name of the user's area (a page extracted as [`Page`] gives it).
        user_area_name => None::<String>,
        is_admin => s.is_some_and(|s| authz::may(&s.scope, Action::ManageUsers)),
        // Whether the session may file applications and record their steps.
        can_file => s.is_some_and(|s| authz::may(&s.scope, Action::WriteApplications)),
    };
    let ctx = context! { ..ctx, ..common };
    if cfg!(debug_assertions) {
        let missing = missing_variables(name, &ctx);
        if !missing.is_empty() {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("template {name}: undefined variables {missing:?}"),
            )
                .into_response();
        }
    }
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("template {name}: {e:#}"),
        )
            .into_response(),
    }
}

/// The error page of an [`ApiError`], with its status.
pub fn error_page(lang: &str, s: Option<&Session>, e: ApiError) -> Response {
    let status = e.status;
    let ctx = context! { status => status.as_u16(), code => e.code, message => e.message };
    with_status(render(lang, s, "error.html", ctx), status)
}

/// A response with its status replaced.
pub fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// A logged-in page request: the session and the interface language. Without a session, a
/// redirect to the login page.
pub struct Page {
    pub session: Session,
    pub lang: &'static str,
    /// The name of the session's area, shown in the header.
    pub area_name: Option<String>,
}

impl FromRequestParts<Arc<AppState>> for Page {
    type Rejection = Response;

    async fn from_request_parts(p: &mut Parts, st: &Arc<AppState>) -> Result<Self, Response> {
        match st.session(&p.headers).await {
            Ok(Some(session)) => {
                // The access log's user.
                crate::middleware::note_user(&p.extensions, &session.user);
                let area_name = crate::names::name_of(st, &session.scope.area)
                    .await
                    .ok()
                    .flatten();
                Ok(Page {
                    session,
                    lang: lang(&p.headers),
                    area_name,
                })
            }
            Ok(None) => Err(login_redirect(p)),
            Err(e) => Err(error_page(lang(&p.headers), None, e)),
        }
    }
}

/// The redirect to the login page of a request without a session: the page asked for comes back
/// as `next` (a GET's path and query; the login page goes there afterwards).
fn login_redirect(p: &Parts) -> Response {
    let wanted = p.uri.path_and_query().map(|x| x.as_str()).unwrap_or("/");
    if p.method != axum::http::Method::GET || wanted == "/" || !safe_next(wanted) {
        return Redirect::to("/login").into_response();
    }
    Redirect::to(&format!("/login?next={}", crate::names::urlencode(wanted))).into_response()
}

/// Whether `next` is a path of this site (`/households?q=…`), never another site
/// (`//evil.example`, `/\\evil`, `https://…`) or a script.
pub fn safe_next(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && !next.starts_with("/login")
}

impl Page {
    pub fn render(&self, name: &str, ctx: JValue) -> Response {
        let ctx = context! { user_area_name => self.area_name.clone(), ..ctx };
        render(self.lang, Some(&self.session), name, ctx)
    }

    /// Renders with a status other than 200.
    pub fn render_as(&self, status: StatusCode, name: &str, ctx: JValue) -> Response {
        with_status(self.render(name, ctx), status)
    }

    pub fn error(&self, e: impl Into<ApiError>) -> Response {
        error_page(self.lang, Some(&self.session), e.into())
    }
}

/// A posted form of a logged-in page that carries the session's CSRF token (field `_csrf`).
pub struct FormWrite {
    pub page: Page,
    pub form: HashMap<String, String>,
}

impl FromRequest<Arc<AppState>> for FormWrite {
    type Rejection = Response;

    async fn from_request(req: Request, st: &Arc<AppState>) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let page = Page::from_request_parts(&mut parts, st).await?;
        let req = Request::from_parts(parts, body);
        let Form(form) = Form::<HashMap<String, String>>::from_request(req, st)
            .await
            .map_err(IntoResponse::into_response)?;
        check_csrf(st, &page.session, form.get("_csrf").map(String::as_str))
            .map_err(|e| page.error(e))?;
        Ok(FormWrite { page, form })
    }
}

impl FormWrite {
    /// A field of the form, empty when absent.
    pub fn get(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_names_its_variables() {
        for (name, _) in TEMPLATES {
            env()
                .get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
        let page = variables_of("registry/households.html");
        assert!(page.contains("page") && page.contains("csrf"), "{page:?}");
        assert!(!page.contains("t"), "functions are not variables");
        let ctx = context! { lang => "zh" };
        assert!(missing_variables("error.html", &ctx).contains(&"message".to_string()));
    }

    #[test]
    fn only_paths_of_this_site_come_back_after_login() {
        assert!(safe_next("/households?status=poor&q=%E5%BC%A0"));
        assert!(safe_next("/villages/140525100201"));
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "",
            "/login?next=/",
            "/\t/x",
        ] {
            assert!(!safe_next(bad), "{bad}");
        }
    }

    #[test]
    fn timestamps_show_in_china_time() {
        assert_eq!(local_time("2026-11-29T19:21:05Z"), "2026-11-30 03:21");
        assert_eq!(
            local_time("2026-11-29 16:00:00.123456+00:00"),
            "2026-11-30 00:00"
        );
        assert_eq!(local_time("2026-11-29 16:00:00.5+00"), "2026-11-30 00:00");
        assert_eq!(local_time("2026-11-29 01:02:03"), "2026-11-29 09:02");
        assert_eq!(local_time("2026-11-29 20:02"), "2026-11-30 04:02");
        assert_eq!(local_time("2020-06-30"), "2020-06-30");
    }
}
