//! Personal information by need (PIPL: ID numbers and health are sensitive). A session that may
//! not see it ([`crate::authz::sees_personal`]: the viewer role) gets every answer with personal
//! data through [`redact`]: ID numbers masked (first 6 and last 4 characters, wherever they stand,
//! as a value or as a key: the audit trail keys members by ID number), and no phone, bank account or
//! health detail (`health`, `disability_grade`, the medical rigid expense). Pages, API answers,
//! exports and the audit API all pass here.

use crate::authz;
use crate::session::Session;
use fupin_core::ResidentId;
use serde::Serialize;
use serde_json::{Map, Value};

/// The fields left out for a session without [`authz::sees_personal`].
const HIDDEN: &[&str] = &[
    "phone",
    "bank_account",
    "health",
    "disability_grade",
    "medical",
    "medical_expense",
];

/// An ID number as shown without the right to see it: first 6 and last 4 characters.
pub fn mask_id(id: &str) -> String {
    ResidentId::parse(id)
        .map(|i| i.masked())
        .unwrap_or_else(|_| "******".into())
}

/// Whether a text is a resident ID number (so that it is masked wherever it stands).
fn is_id(text: &str) -> bool {
    text.len() == 18 && ResidentId::parse(text).is_ok()
}

/// A text with every resident ID number in it masked (`member:1405…` in an event's detail).
pub fn mask_in_text(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let candidate = b.get(i..i + 18).filter(|w| {
            w[..17].iter().all(u8::is_ascii_digit)
                && (w[17].is_ascii_digit() || w[17] == b'X' || w[17] == b'x')
                && (i == 0 || !b[i - 1].is_ascii_digit())
                && b.get(i + 18).is_none_or(|c| !c.is_ascii_digit())
        });
        match candidate
            .and_then(|w| std::str::from_utf8(w).ok())
            .filter(|w| is_id(w))
        {
            Some(id) => {
                out.push_str(&mask_id(id));
                i += 18;
            }
            None => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// Removes personal detail from a JSON answer, in place (see the module's text).
pub fn redact(v: &mut Value) {
    match v {
        Value::String(text) => *text = mask_in_text(text),
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::Object(map) => {
            let old = std::mem::take(map);
            let mut out = Map::new();
            for (k, mut x) in old {
                if HIDDEN.contains(&k.as_str()) {
                    continue;
                }
                redact(&mut x);
                let key = mask_in_text(&k);
                out.insert(key, x);
            }
            *map = out;
        }
        _ => {}
    }
}

/// A value as the session may see it: as it is, or [`redact`]ed.
pub fn for_session<T: Serialize>(s: &Session, value: &T) -> Value {
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    if !authz::sees_personal(&s.scope) {
        redact(&mut v);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_masked_everywhere_and_contact_and_health_left_out() {
        let id = "11010519491231002X";
        let mut v = json!({
            "phone": "13800000000", "bank_account": "6228480000000000",
            "rigid_expense": {"medical": "8000", "education": "100"},
            "members": [{"id_number": id, "name": "张三", "health": "serious_illness", "disability_grade": 2}],
            "changes": {id: {"name": ["a", "b"]}},
            "detail": format!("income_year,member:{id}"),
            "note": "140525"
        });
        redact(&mut v);
        let text = v.to_string();
        assert!(!text.contains(id) && !text.contains("1949"), "{text}");
        assert!(text.contains("110105********002X"), "{text}");
        for gone in [
            "13800000000",
            "6228",
            "serious_illness",
            "disability_grade",
            "8000",
        ] {
            assert!(!text.contains(gone), "{gone}: {text}");
        }
        assert_eq!(v["rigid_expense"]["education"], "100");
        assert_eq!(v["members"][0]["name"], "张三");
        assert_eq!(v["note"], "140525");
        assert_eq!(v["detail"], "income_year,member:110105********002X");
        assert_eq!(
            mask_in_text("户 140525100201001 中"),
            "户 140525100201001 中"
        );
    }
}
