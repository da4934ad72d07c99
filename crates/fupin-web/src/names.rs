//! Areas by name on the pages: the names of codes shown in lists, the breadcrumb of an area, and the
//! area picker (a plain `<select>` of the areas below the user's, indented by level, which
//! `assets/app.js` turns into cascading selects township → village).

use crate::error::ApiError;
use crate::AppState;
use fupin_core::registry::Area;
use serde::Serialize;
use std::collections::HashMap;

/// An area as the pages show it: its code as a prefix (`140525100` for a township) and its name.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub code: String,
    pub name: String,
}

/// One option of the area picker.
#[derive(Debug, Clone, Serialize)]
pub struct PickerOption {
    /// The area's prefix (`140525`, `140525100`, `140525100201`).
    pub code: String,
    pub name: String,
    /// `county`, `township`, `village`, ...
    pub level: &'static str,
    /// The prefix of the option above it (empty for the first).
    pub parent: String,
    /// Levels below the picker's root (0 for the root).
    pub depth: usize,
    /// Ideographic spaces, one per level below the root (the plain select's indentation).
    pub indent: String,
}

/// The prefix of a stored area (its code cut to its level's digits).
fn prefix_of(a: &Area) -> String {
    a.code[..a.level.prefix_len().min(a.code.len())].to_string()
}

/// The name of an area prefix, if registered.
pub async fn name_of(st: &AppState, code: &str) -> Result<Option<String>, ApiError> {
    if code.is_empty() {
        return Ok(None);
    }
    Ok(st.dir.area(code).await?.map(|a| a.name))
}

/// The names of the areas of `codes` (village codes of a page of households, say), by code.
pub async fn names_of(
    st: &AppState,
    codes: &[String],
) -> Result<HashMap<String, String>, ApiError> {
    let mut out = HashMap::new();
    for code in codes {
        if out.contains_key(code) {
            continue;
        }
        if let Some(name) = name_of(st, code).await? {
            out.insert(code.clone(), name);
        }
    }
    Ok(out)
}

/// The areas from the user's own (`own`) down to `code`, top first, each with its name (the code
/// where it has none): the breadcrumb of a page about `code`.
pub async fn breadcrumb(st: &AppState, own: &str, code: &str) -> Result<Vec<Named>, ApiError> {
    let mut out = Vec::new();
    let levels = fupin_core::AreaLevel::ALL.map(fupin_core::AreaLevel::prefix_len);
    for n in levels {
        if n < own.len() || n > code.len() {
            continue;
        }
        let prefix = &code[..n];
        let name = name_of(st, prefix).await?.unwrap_or_else(|| prefix.into());
        out.push(Named {
            code: prefix.into(),
            name,
        });
    }
    Ok(out)
}

/// The options of the area picker under the user's area `own`: the whole tree for a county or
/// below; above a county the areas one level down and, along the path to `selected`, the children
/// of each area on it (choosing a city and filtering shows its counties next).
pub async fn picker(
    st: &AppState,
    own: &str,
    selected: Option<&str>,
    all_label: &str,
) -> Result<Vec<PickerOption>, ApiError> {
    let selected = selected.unwrap_or("");
    let root_name = match name_of(st, own).await? {
        Some(n) => n,
        None => all_label.to_string(),
    };
    let mut out = vec![PickerOption {
        code: own.to_string(),
        name: root_name,
        level: fupin_core::AreaLevel::from_prefix_len(own.len()).map_or("all", |l| l.code()),
        parent: String::new(),
        depth: 0,
        indent: String::new(),
    }];
    let whole = own.len() >= 6;
    expand(st, own, 1, whole, selected, &mut out).await?;
    Ok(out)
}

/// Adds the children of `parent` (and, where the rule of [`picker`] says so, theirs) after it.
async fn expand(
    st: &AppState,
    parent: &str,
    depth: usize,
    whole: bool,
    selected: &str,
    out: &mut Vec<PickerOption>,
) -> Result<(), ApiError> {
    if parent.len() >= 12 {
        return Ok(());
    }
    let children = st.dir.children(parent).await?;
    for c in children {
        let code = prefix_of(&c);
        out.push(PickerOption {
            code: code.clone(),
            name: c.name.clone(),
            level: c.level.code(),
            parent: parent.to_string(),
            depth,
            indent: "\u{3000}".repeat(depth),
        });
        if whole || (selected.starts_with(&code) && selected.len() > code.len()) || {
            // Above a county, the children of the area chosen.
            selected == code
        } {
            Box::pin(expand(st, &code, depth + 1, whole, selected, out)).await?;
        }
    }
    Ok(())
}

/// `s` percent-encoded for a URL's query (everything but unreserved characters).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
