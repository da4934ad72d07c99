//! What every page shows a person, without a browser: one language per page (no Chinese left in
//! the English pages but the names of people and places, no English words of the interface in the
//! Chinese ones), area names rather than codes, no inline script, static files hashed, compressed
//! and cached, the font fallback served, and the page wanted after login.

use crate::common::{call, file_application, get, login, sqlite_app};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use fupin_core::registry::Area;
use std::collections::BTreeSet;
use tower::ServiceExt;

/// The text a person reads on a page: the text between tags (not in scripts or styles), the title,
/// and the attributes shown as text (placeholder, title, aria-label, the confirmation asked).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        rest = &rest[i..];
        let end = rest.find('>').map_or(rest.len(), |j| j + 1);
        let tag = &rest[..end];
        for attr in [
            "placeholder=\"",
            "title=\"",
            "aria-label=\"",
            "data-confirm=\"",
        ] {
            if let Some(k) = tag.find(attr) {
                let v = &tag[k + attr.len()..];
                out.push_str(&v[..v.find('"').unwrap_or(v.len())]);
                out.push(' ');
            }
        }
        rest = &rest[end..];
        let lower = tag.to_ascii_lowercase();
        for skip in ["script", "style"] {
            if lower.starts_with(&format!("<{skip}")) {
                let close = format!("</{skip}>");
                rest = rest.find(&close).map_or("", |j| &rest[j + close.len()..]);
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
}

fn is_han(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c)
}

/// A GET with the session and the interface language.
async fn page(app: &Router, uri: &str, cookie: &str, lang: &str) -> String {
    let cookie = format!("{cookie}; fupin_lang={lang}");
    let r = get(app, uri, &cookie).await;
    assert!(
        r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND,
        "GET {uri} ({lang}): {} {}",
        r.status,
        r.text
    );
    r.text
}

/// The names of people, places and what users typed (data, not interface) in the demo county,
/// longest first: what the English pages may show in Chinese.
async fn data_names(app: &Router, cookie: &str, state: &fupin_web::AppState) -> Vec<String> {
    let mut names = BTreeSet::new();
    let mut todo = vec!["140525".to_string()];
    for code in ["14", "1405", "140525"] {
        if let Some(a) = state.dir.area(code).await.unwrap() {
            names.insert(a.name);
        }
    }
    while let Some(code) = todo.pop() {
        for a in state.dir.children(&code).await.unwrap() {
            names.insert(a.name.clone());
            if a.level != fupin_core::AreaLevel::Village {
                todo.push(a.code[..a.level.prefix_len()].to_string());
            }
        }
    }
    let mut n = 1;
    loop {
        let r = get(app, &format!("/api/v1/households?page={n}"), cookie).await;
        let rows = r.json["rows"].as_array().cloned().unwrap_or_default();
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let number = row["number"].as_str().unwrap().to_string();
            let h = state.repo.household(&number).await.unwrap().unwrap();
            for m in &h.members {
                names.insert(m.name.clone());
            }
            if let Some(g) = &h.village_group {
                names.insert(g.clone());
            }
        }
        n += 1;
    }
    names.extend(crate::funds::data_names(app, cookie).await);
    let history = get(app, "/api/v1/households/140525100201001/history", cookie).await;
    for e in history.json["events"].as_array().unwrap() {
        if let Some(r) = e["reason"].as_str() {
            names.insert(r.to_string());
        }
    }
    names.extend(crate::responsibility::data_names(app, cookie).await);
    // The application filed by the test (applicant and reason as typed).
    names.extend(["田大壮".to_string(), "因病".to_string()]);
    let mut v: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
    v.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    v
}

/// The pages a county office works in.
fn main_pages(application: &str) -> Vec<String> {
    vec![
        "/".into(),
        "/?area=140525100".into(),
        "/households".into(),
        "/households?area=140525100201".into(),
        "/households?q=nobody-has-this-name".into(),
        "/households/140525100201001".into(),
        "/villages/140525100201".into(),
        "/villages/140525100201/notice".into(),
        "/applications".into(),
        format!("/applications/{application}"),
        "/account/password".into(),
        "/households/140525999999001".into(),
        "/responsibility".into(),
        "/responsibility/coverage".into(),
        "/responsibility/pairings/bulk?area=140525100201".into(),
    ]
    .into_iter()
    .chain(crate::funds::pages())
    .collect()
}

#[test]
fn english_pages_have_no_chinese_and_chinese_pages_no_english() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state.clone());
        let (cookie, csrf) = login(&app, "zezhou").await;
        let created = file_application(&app, &cookie, &csrf).await;
        let id = created.json["id"].as_str().unwrap().to_string();
        let names = data_names(&app, &cookie, &state).await;
        let vocabulary: Vec<String> = fupin_web::i18n::english_words()
            .into_iter()
            .chain(
                [
                    "status",
                    "cause",
                    "attribute",
                    "monitoring",
                    "relation",
                    "labor",
                    "health",
                    "school_status",
                    "housing_grade",
                ]
                .iter()
                .flat_map(|l| fupin_web::i18n::options("en", l))
                .flat_map(|(_, en)| {
                    en.split(|c: char| !c.is_ascii_alphabetic())
                        .filter(|w| w.len() >= 4)
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                }),
            )
            .map(|w| w.to_lowercase())
            // Words a Chinese page has on purpose: the switch to English, the file format.
            .filter(|w| !["english", "excel", "fupin"].contains(&w.as_str()))
            .collect();
        let mut pages = main_pages(&id);
        pages.push("/login".into());
        for uri in &pages {
            // English: no Han character but in the data and the switch back to Chinese (中文).
            let html = if uri == "/login" {
                let r = call(&app, Method::GET, uri, None, None, None).await;
                let r2 = Request::builder()
                    .uri(uri)
                    .header(header::COOKIE, "fupin_lang=en")
                    .body(Body::empty())
                    .unwrap();
                let resp = app.clone().oneshot(r2).await.unwrap();
                let b = axum::body::to_bytes(resp.into_body(), 1 << 24)
                    .await
                    .unwrap();
                assert!(r.text.contains("登录"));
                String::from_utf8(b.to_vec()).unwrap()
            } else {
                page(&app, uri, &cookie, "en").await
            };
            let mut text = visible_text(&html);
            for n in &names {
                text = text.replace(n.as_str(), " ");
            }
            text = text.replace("中文", " ");
            let han: String = text.chars().filter(|c| is_han(*c)).collect();
            assert!(
                han.is_empty(),
                "GET {uri} in English shows Chinese {han:?} in: {}",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            // Chinese: no English word of the interface.
            if uri == "/login" {
                continue;
            }
            let text = visible_text(&page(&app, uri, &cookie, "zh").await);
            // Codes (`not_found`, `exit_income`) are no words.
            let words: BTreeSet<String> = text
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .filter(|w| !w.contains('_'))
                .map(str::to_lowercase)
                .filter(|w| vocabulary.contains(w))
                .collect();
            assert!(
                words.is_empty(),
                "GET {uri} in Chinese shows English {words:?} in: {}",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
    });
}

#[test]
fn pages_name_areas_show_empty_results_and_zero_cards() {
    crate::common::run("pages_name_areas", |app| async move {
        let (cookie, _) = login(&app, "zezhou").await;
        // The list names each household's village, and its filter is a picker of names.
        let list = page(&app, "/households?area=140525100201", &cookie, "zh").await;
        assert!(list.contains(">东沟村</a>"), "{list}");
        assert!(list.contains("class=\"area-picker"), "{list}");
        assert!(
            list.contains("<option value=\"140525100201\" data-parent=\"140525100\" data-level=\"village\" selected>"),
            "the village asked for is chosen: {list}"
        );
        // Nothing found says so.
        let none = page(&app, "/households?q=nobody-has-this-name", &cookie, "zh").await;
        assert!(none.contains("id=\"no-results\""), "{none}");
        assert!(none.contains("没有符合条件的农户"));
        // A status with no household keeps its card (0): the demo's 140525101203 has no poor
        // household left.
        let dash = page(&app, "/?area=140525101203", &cookie, "zh").await;
        for code in ["poor", "exited", "returned", "removed", "non_poor"] {
            assert!(
                dash.contains(&format!("data-status=\"{code}\"")),
                "card {code}: {dash}"
            );
        }
        assert!(
            dash.contains(
                "data-status=\"poor\"><div class=\"l\">未脱贫</div><div class=\"n\">0</div>"
            ),
            "a card with 0: {dash}"
        );
        // The breadcrumb names the areas from the user's own down.
        let dash = page(&app, "/?area=140525100201", &cookie, "zh").await;
        let crumbs = &dash[dash.find("id=\"breadcrumb\"").unwrap()..];
        let crumbs = &crumbs[crumbs.find('>').unwrap() + 1..crumbs.find("</nav>").unwrap()];
        assert_eq!(
            visible_text(crumbs)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            "泽州县 › 南村镇 › 东沟村"
        );
        // The household page's title names the head.
        let h = get(&app, "/api/v1/households/140525100201001", &cookie).await;
        let head = h.json["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["relation"] == "head")
            .unwrap()["name"]
            .as_str()
            .unwrap()
            .to_string();
        let hp = page(&app, "/households/140525100201001", &cookie, "zh").await;
        assert!(
            hp.contains(&format!("<title>{head} · 140525100201001")),
            "{}",
            &hp[..600]
        );
        // A village account files an application for its own village, prefilled.
        let (vc, _) = login(&app, "dongou").await;
        let apps = page(&app, "/applications", &vc, "zh").await;
        assert!(
            apps.contains(
                "<option value=\"140525100201\" data-parent=\"\" data-level=\"village\" selected>"
            ),
            "{apps}"
        );
    });
}

#[test]
fn no_inline_script_even_with_a_hostile_village_name() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let mut village = state.dir.area("140525100201").await.unwrap().unwrap();
        village.name = "东沟村</script><script>alert(1)</script>\"'".into();
        state.dir.upsert_area(&village as &Area).await.unwrap();
        let app = fupin_web::app(state.clone());
        let (cookie, csrf) = login(&app, "zezhou").await;
        let created = file_application(&app, &cookie, &csrf).await;
        let id = created.json["id"].as_str().unwrap().to_string();
        for uri in main_pages(&id).iter().chain(["/login".to_string()].iter()) {
            let html = page(&app, uri, &cookie, "zh").await;
            let lower = html.to_lowercase();
            let mut rest = lower.as_str();
            while let Some(i) = rest.find("<script") {
                let tag = &rest[i..i + rest[i..].find('>').unwrap()];
                assert!(tag.contains(" src=\"/static/"), "GET {uri}: inline {tag}");
                let body = &rest[i + tag.len() + 1..];
                assert!(body.starts_with("</script>"), "GET {uri}: a script body");
                rest = &body[9..];
            }
            for ev in [
                " onclick=",
                " onsubmit=",
                " onload=",
                " onchange=",
                " onerror=",
            ] {
                assert!(!lower.contains(ev), "GET {uri}: {ev}");
            }
            assert!(
                !html.contains("<script>alert(1)"),
                "GET {uri}: the name broke out"
            );
        }
        // The dashboard's charts, drawn on the server, write the name as text.
        let dash = page(&app, "/?area=140525100", &cookie, "zh").await;
        let bars = &dash[dash.find("id=\"chart-areas\"").unwrap()..];
        assert!(
            bars.contains("<span class=\"lbl\">东沟村&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;</span>"),
            "{bars}"
        );
    });
}

/// A GET with headers, answered with its status, headers and body bytes.
async fn raw(
    app: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(Method::GET).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 26).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

#[test]
fn static_files_are_hashed_compressed_cached_and_the_font_is_served() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let (cookie, _) = login(&app, "zezhou").await;
        let html = page(&app, "/", &cookie, "zh").await;
        let css = fupin_web::assets::url("app.css");
        assert!(html.contains(&format!("href=\"{css}\"")), "{html}");
        assert!(html.contains(&fupin_web::assets::url("favicon.svg")));
        // Hashed: immutable for a year; brotli or gzip as accepted.
        let (status, h, body) = raw(&app, &css, &[("accept-encoding", "br")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h[header::CONTENT_ENCODING], "br");
        assert_eq!(
            h[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let (_, plain_h, plain) = raw(&app, &css, &[]).await;
        assert!(plain_h.get(header::CONTENT_ENCODING).is_none());
        assert!(
            body.len() * 2 < plain.len(),
            "{} of {}",
            body.len(),
            plain.len()
        );
        let htmx = fupin_web::assets::url("htmx.min.js");
        let (_, h, gz) = raw(&app, &htmx, &[("accept-encoding", "gzip")]).await;
        assert_eq!(h[header::CONTENT_ENCODING], "gzip");
        assert!(gz.len() < 25_000, "htmx gzipped: {}", gz.len());
        // Its brotli copy (quality 11), made once, for browsers that accept br.
        let (_, h, br) = raw(&app, &htmx, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(h[header::CONTENT_ENCODING], "br");
        assert!(
            br.len() < gz.len() && br.len() < 20_000,
            "htmx br: {}",
            br.len()
        );
        // Pages are compressed too.
        let req = [("accept-encoding", "gzip"), ("cookie", cookie.as_str())];
        let (_, h, _) = raw(&app, "/households", &req).await;
        assert_eq!(h[header::CONTENT_ENCODING], "gzip");
        // The stylesheet names the hashed fonts; both answer as fonts, the plain name too.
        let css_text = String::from_utf8(plain).unwrap();
        for font in ["noto-sans-sc-ui.woff2", "noto-sans-sc-subset.woff2"] {
            let url = fupin_web::assets::url(font);
            assert!(css_text.contains(&url), "{font} in the stylesheet");
            let (status, h, body) = raw(&app, &url, &[("accept-encoding", "gzip, br")]).await;
            assert_eq!(status, StatusCode::OK, "{url}");
            assert_eq!(h[header::CONTENT_TYPE], "font/woff2");
            assert!(
                h.get(header::CONTENT_ENCODING).is_none(),
                "woff2 is compressed"
            );
            assert_eq!(&body[..4], b"wOF2", "{url}");
        }
        let (status, h, _) = raw(&app, "/static/noto-sans-sc-subset.woff2", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h[header::CONTENT_TYPE], "font/woff2");
        let (status, h, _) = raw(&app, "/favicon.ico", &[]).await;
        assert!(status.is_redirection());
        assert_eq!(
            h[header::LOCATION],
            fupin_web::assets::url("favicon.svg").as_str()
        );
        let (status, _, _) = raw(&app, "/static/app.00000000.css", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn after_login_the_page_wanted_and_never_another_site() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let (status, h, _) = raw(&app, "/households?status=poor&area=140525100", &[]).await;
        assert!(status.is_redirection());
        let to = h[header::LOCATION].to_str().unwrap().to_string();
        assert_eq!(
            to,
            "/login?next=%2Fhouseholds%3Fstatus%3Dpoor%26area%3D140525100"
        );
        for (next, lands) in [
            (
                "/households?status=poor&area=140525100",
                "/households?status=poor&area=140525100",
            ),
            ("//evil.example/", "/"),
            ("https://evil.example/", "/"),
        ] {
            let (_, h, body) = raw(
                &app,
                &format!("/login?next={}", fupin_web::names::urlencode(next)),
                &[],
            )
            .await;
            let pre = h[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let body = String::from_utf8(body).unwrap();
            let token = pre.split('=').nth(1).unwrap();
            assert!(body.contains(token));
            let form = format!(
                "_csrf={token}&username=zezhou&password={}&next={}",
                crate::common::PASSWORD,
                fupin_web::names::urlencode(next)
            );
            let req = Request::builder()
                .method(Method::POST)
                .uri("/login")
                .header(header::COOKIE, &pre)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap();
            let resp = app.clone().oneshot(req).await.unwrap();
            assert!(resp.status().is_redirection(), "{next}");
            assert_eq!(resp.headers()[header::LOCATION], lands, "{next}");
        }
    });
}

#[test]
fn a_form_with_errors_lists_them_at_its_top_in_the_page_language() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let (cookie, csrf) = login(&app, "zezhou").await;
        let form = format!("_csrf={csrf}&area_code=1&applicant_name=&members=0");
        for (lang, want, not) in [
            ("zh", "请更正", "please correct"),
            ("en", "please correct", "请更正"),
        ] {
            let c = format!("{cookie}; fupin_lang={lang}");
            let r = crate::common::post_form(&app, "/applications", &c, &form).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
            let summary = &r.text[r.text.find("id=\"error-summary\"").expect("a summary")..];
            let summary = &summary[..summary.find("</div>").unwrap()];
            assert!(summary.contains(want), "{lang}: {summary}");
            assert!(!summary.contains(not), "{lang}: {summary}");
            assert!(
                summary.contains("href=\"#f-"),
                "each error links to its field: {summary}"
            );
            if lang == "en" {
                let text = visible_text(summary);
                assert!(!text.chars().any(is_han), "{text}");
                assert!(summary.matches("<li>").count() >= 2, "{summary}");
            }
        }
    });
}
