//! The member sheet uploaded on the new-household page: the same CSV/XLSX (or assess JSON) file
//! `fupin import` reads, read by fupin-sheet with its row-and-column errors, imported all or
//! nothing (a file with any error changes nothing), and the outcome shown with every error.

use crate::authz::{self, Action};
use crate::render::Page;
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use fupin_store::ImportOptions;
use minijinja::{context, Value as JValue};
use std::sync::Arc;

/// A field of a `multipart/form-data` body: its name, file name and content.
pub(crate) struct Part<'a> {
    pub(crate) name: String,
    pub(crate) filename: Option<String>,
    pub(crate) data: &'a [u8],
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The parts of a `multipart/form-data` body (RFC 7578) with the given boundary.
pub(crate) fn parts<'a>(body: &'a [u8], boundary: &str) -> Vec<Part<'a>> {
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    let mut at = match find(body, delim.as_bytes(), 0) {
        Some(i) => i + delim.len(),
        None => return out,
    };
    while body.get(at..at + 2) == Some(b"\r\n") {
        let Some(head_end) = find(body, b"\r\n\r\n", at) else {
            break;
        };
        let head = String::from_utf8_lossy(&body[at + 2..head_end]);
        let start = head_end + 4;
        let Some(end) = find(body, format!("\r\n{delim}").as_bytes(), start) else {
            break;
        };
        let attr = |key: &str| {
            let k = format!("{key}=\"");
            head.find(&k).map(|i| {
                let rest = &head[i + k.len()..];
                rest[..rest.find('"').unwrap_or(rest.len())].to_string()
            })
        };
        out.push(Part {
            name: attr(" name").or_else(|| attr("name")).unwrap_or_default(),
            filename: attr("filename"),
            data: &body[start..end],
        });
        at = end + 2 + delim.len();
    }
    out
}

/// The largest upload the app takes (a member sheet, the responsibility workbook), set on each
/// upload route as its body limit.
pub(crate) const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The fields of an uploaded form of a page's session (`multipart/form-data`; a url-encoded form,
/// which carries no file, is read too), once its CSRF token
/// (field `_csrf`) is checked.
pub(crate) fn form_parts<'a>(
    st: &AppState,
    p: &Page,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Result<Vec<Part<'a>>, ApiError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parts = if kind.starts_with("application/x-www-form-urlencoded") {
        body.split(|b| *b == b'&')
            .filter_map(|kv| {
                let mut it = kv.splitn(2, |b| *b == b'=');
                let (k, v) = (it.next()?, it.next().unwrap_or_default());
                Some(Part {
                    name: String::from_utf8_lossy(k).to_string(),
                    filename: None,
                    data: v,
                })
            })
            .collect()
    } else {
        let boundary = kind
            .split(';')
            .find_map(|x| x.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_string())
            .unwrap_or_default();
        parts(body, &boundary)
    };
    let csrf = parts
        .iter()
        .find(|x| x.name == "_csrf")
        .map(|x| String::from_utf8_lossy(x.data).to_string());
    crate::session::check_csrf(st, &p.session, csrf.as_deref())?;
    Ok(parts)
}

/// Reads an uploaded file by its path (fupin-sheet reads files): written to a private temporary
/// directory with the extension `ext`, read, and removed.
pub(crate) fn read_upload<T, E: std::fmt::Display>(
    ext: &str,
    data: &[u8],
    read: impl FnOnce(&std::path::Path) -> Result<T, E>,
) -> Result<T, String> {
    let dir = std::env::temp_dir().join(format!("fupin-upload-{}", crate::auth::random_token()));
    let path = dir.join(format!("upload.{ext}"));
    let written = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, data));
    let out = written
        .map_err(|e| e.to_string())
        .and_then(|_| read(&path).map_err(|e| e.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// `POST /households/import`: the uploaded member sheet, all or nothing.
pub async fn upload(
    State(st): State<Arc<AppState>>,
    p: Page,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let parts = form_parts(&st, &p, &headers, &body).map_err(|e| p.error(e))?;
    let field = |n: &str| parts.iter().find(|x| x.name == n);
    let Some(file) = field("file").filter(|f| !f.data.is_empty()) else {
        let e = ApiError::bad_request("file", "请选择要导入的文件 / choose a file to import");
        return Err(p.error(e));
    };
    let name = file.filename.clone().unwrap_or_default();
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    if !["csv", "xlsx", "json"].contains(&ext.as_str()) {
        let e = ApiError::bad_request(
            "file",
            "文件应为 CSV、XLSX 或 JSON / the file must be CSV, XLSX or JSON",
        );
        return Err(p.error(e));
    }
    let today = super::service::today();
    let read = read_upload(&ext, file.data, |path| fupin_sheet::read_file(path, today));
    let read = read.map_err(|e| {
        p.error(ApiError::bad_request(
            "file",
            format!("无法读取文件 / the file cannot be read: {e}"),
        ))
    })?;
    // Every village of the file must be one the session may register households in.
    let mut villages: Vec<&str> = read
        .households
        .iter()
        .map(|h| h.record.area_code.as_str())
        .collect();
    villages.sort_unstable();
    villages.dedup();
    for area in villages {
        authz::check(&p.session.scope, Action::CreateHousehold { area }).map_err(|e| p.error(e))?;
    }
    let rows = read.rows;
    let date = read.as_of.unwrap_or(today);
    let opts = ImportOptions::new(date, &p.session.user, Arc::new(st.policies.clone()));
    let (households, areas, file_errors) = read.into_import(false);
    let mut run = opts.clone();
    run.dry_run |= file_errors.blocks();
    let mut out = st
        .repo
        .import_with_areas(households, areas, &run)
        .await
        .map_err(|e| p.error(e))?;
    file_errors.merge_into(&mut out.errors, &mut out.skipped, &mut out.committed);
    let status = if out.committed {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let ctx = context! {
        file => name,
        rows => rows,
        committed => out.committed,
        created => out.created,
        updated => out.updated,
        unchanged => out.unchanged,
        error_count => out.error_count(),
        errors => JValue::from_serialize(&out.errors),
    };
    Ok(p.render_as(status, "registry/household_import.html", ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_body_splits_into_its_fields() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nx,y\r\n1,2\r\n--XyZ--\r\n";
        let p = parts(body, "XyZ");
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].name.as_str(), p[0].data), ("_csrf", &b"abc"[..]));
        assert_eq!(p[1].name, "file");
        assert_eq!(p[1].filename.as_deref(), Some("a.csv"));
        assert_eq!(p[1].data, b"x,y\r\n1,2");
    }
}
