//! Static files compiled into the binary. Each is served under a name carrying a hash of its
//! content (`/static/app.3f2a9c01.css`), cached for a year as immutable; pages link to it through
//! the templates' `asset('app.css')`. The plain name (`/static/app.css`) still answers, revalidated
//! on every use. Compression (gzip, brotli) is the application's layer (see [`crate::app`]).

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::OnceLock;

/// (name, content type, body) of every shipped file.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/htmx.min.js"),
    ),
    (
        "echarts.common.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/echarts.common.min.js"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "dashboard.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/dashboard.js"),
    ),
    (
        "funds.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/funds.js"),
    ),
    (
        "apidoc.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/apidoc.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../assets/favicon.svg"),
    ),
    (
        "noto-sans-sc-ui.woff2",
        "font/woff2",
        include_bytes!("../assets/noto-sans-sc-ui.woff2"),
    ),
    (
        "noto-sans-sc-subset.woff2",
        "font/woff2",
        include_bytes!("../assets/noto-sans-sc-subset.woff2"),
    ),
];

/// Brotli copies (quality 11, made by `scripts/compress-assets.py`) of the large vendor files,
/// served as they are to browsers that accept br.
const BROTLI: &[(&str, &[u8])] = &[
    (
        "echarts.common.min.js",
        include_bytes!("../assets/echarts.common.min.js.br"),
    ),
    ("htmx.min.js", include_bytes!("../assets/htmx.min.js.br")),
];

/// A file as served: its plain name, the name with its content hash, type, body and brotli copy.
struct Asset {
    name: &'static str,
    hashed: String,
    mime: &'static str,
    body: Vec<u8>,
    br: Option<&'static [u8]>,
}

/// 64-bit FNV-1a: a stable content hash (the URL changes whenever the content does).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `app.css` → `app.1a2b3c4d.css` (the hash before the last extension).
fn hashed_name(name: &str, body: &[u8]) -> String {
    let h = format!("{:08x}", fnv(body) >> 32);
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{h}.{ext}"),
        None => format!("{name}.{h}"),
    }
}

/// Every file with its hashed name; the stylesheet (`fonts.css` and `app.css`) refers to the
/// fonts by their hashed URLs (so its own hash changes with theirs).
fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let mut out: Vec<Asset> = FILES
            .iter()
            .filter(|(n, _, _)| *n != "app.css")
            .map(|(name, mime, body)| Asset {
                name,
                hashed: hashed_name(name, body),
                mime,
                body: body.to_vec(),
                br: BROTLI.iter().find(|(n, _)| n == name).map(|(_, b)| *b),
            })
            .collect();
        let (name, mime, css) = FILES
            .iter()
            .find(|(n, _, _)| *n == "app.css")
            .expect("app.css");
        // The @font-face rules (made by scripts/font-subset.py) come first.
        let fonts = include_str!("../assets/fonts.css");
        let mut css = format!("{fonts}{}", String::from_utf8_lossy(css));
        for a in &out {
            css = css.replace(
                &format!("/static/{}\"", a.name),
                &format!("/static/{}\"", a.hashed),
            );
        }
        out.push(Asset {
            name,
            hashed: hashed_name(name, css.as_bytes()),
            mime,
            body: css.into_bytes(),
            br: None,
        });
        out
    })
}

/// The URL of a shipped file with its content hash (`/static/app.1a2b3c4d.css`); the plain path
/// for a name that is not shipped.
pub fn url(name: &str) -> String {
    match assets().iter().find(|a| a.name == name) {
        Some(a) => format!("/static/{}", a.hashed),
        None => format!("/static/{name}"),
    }
}

/// `GET /static/{name}`: a hashed name is immutable for a year; a plain name is revalidated. A file
/// with a brotli copy answers with it when the browser accepts br (the compression layer leaves an
/// answer with a `Content-Encoding` as it is).
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let (asset, cache) = match assets().iter().find(|a| a.hashed == name) {
        Some(a) => (a, "public, max-age=31536000, immutable"),
        None => match assets().iter().find(|a| a.name == name) {
            Some(a) => (a, "public, no-cache"),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let accepts_br = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.split(';').next() == Some("br") || e.trim().starts_with("br"))
        });
    let head = [
        (header::CONTENT_TYPE, asset.mime),
        (header::CACHE_CONTROL, cache),
        (header::VARY, "accept-encoding"),
    ];
    match asset.br.filter(|_| accepts_br) {
        Some(br) => (head, [(header::CONTENT_ENCODING, "br")], br).into_response(),
        None => (head, asset.body.clone()).into_response(),
    }
}

/// `GET /favicon.ico`: the icon, for browsers that ask before reading the page.
pub async fn favicon() -> Response {
    Redirect::permanent(&url("favicon.svg")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_a_hashed_url_and_the_css_names_the_hashed_fonts() {
        let css = url("app.css");
        assert!(css.starts_with("/static/app.") && css.ends_with(".css") && css.len() == 24);
        assert_eq!(url("nothing.js"), "/static/nothing.js");
        let body = &assets().iter().find(|a| a.name == "app.css").unwrap().body;
        let body = String::from_utf8_lossy(body);
        assert!(body.contains(&url("noto-sans-sc-ui.woff2")), "{body}");
        assert!(body.contains(&url("noto-sans-sc-subset.woff2")));
        assert!(!body.contains("/static/noto-sans-sc-ui.woff2\""));
    }

    #[test]
    fn each_brotli_copy_is_its_file() {
        for (name, br) in BROTLI {
            let file = FILES.iter().find(|(n, _, _)| n == name).expect(name).2;
            let mut out = Vec::new();
            brotli::BrotliDecompress(&mut &br[..], &mut out).expect("brotli");
            assert!(
                out == file,
                "{name}.br is stale: run scripts/compress-assets.py"
            );
        }
    }
}
