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

/// Removes personal detail from a JSON answer, in place (see the module's text).
pub fn redact(v: &mut Value) {
    match v {
        Value::String(text) if is_id(text) => *text = mask_id(text),
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::Object(map) => {
            let old = std::mem::take(map);
            let mut out = Map::new();
            for (k, mut x) in old {
                if HIDDEN.contains(&k.as_str()) {
                    continue;
                }
                redact(&mut x);
                let key = if is_id(&k) { mask_id(&k) } else { k };
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
    }
}
