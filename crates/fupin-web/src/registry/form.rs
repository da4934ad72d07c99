//! The household edit form of the pages, read into the API's [`Household`], and the mapping of
//! field errors back to the form's inputs.

use super::service::MemberChanges;
use super::{Household, Income, Member, Numeric, RigidExpense};
use std::collections::HashMap;

/// Turns the edit form into the API's household (the form's `version` is read by the caller).
pub fn household(f: &HashMap<String, String>, number: &str) -> Household {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    let money = |k: &str| {
        let v = get(k);
        Some(Numeric(if v.is_empty() { "0".into() } else { v }))
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
        members.push(Member {
            id_number: Some(get(&format!("{p}id_number"))),
            name: Some(get(&format!("{p}name"))),
            relation: opt(&format!("{p}relation")),
            school_status: opt(&format!("{p}school_status")),
            medical_insurance: Some(f.contains_key(&format!("{p}medical_insured"))),
            labor: opt(&format!("{p}labor")),
            health: opt(&format!("{p}health")),
            ..Member::default()
        });
    }
    Household {
        id: Some(number.to_string()),
        area_code: Some(get("area_code")),
        attribute: opt("attribute"),
        main_cause: opt("main_cause"),
        housing_grade: opt("housing_grade"),
        food: Some(f.contains_key("food")),
        clothing: Some(f.contains_key("clothing")),
        water: Some(f.contains_key("water")),
        income: Some(Income {
            wage: money("income_wage"),
            business: money("income_business"),
            property: money("income_property"),
            transfer: money("income_transfer"),
            business_cost: money("income_business_cost"),
        }),
        rigid_expense: Some(RigidExpense {
            medical: money("rigid_medical"),
            education: money("rigid_education"),
            disaster: money("rigid_disaster"),
            other: money("rigid_other"),
        }),
        phone: opt("phone"),
        bank_account: opt("bank_account"),
        // A year that is no number is reported as out of range (0).
        income_year: opt("income_year").map(|y| y.parse().unwrap_or(0)),
        members: Some(members),
        ..Household::default()
    }
}

/// The member changes of the edit form against the stored members (`stored`, by ID number): a
/// stored member whose row names a leave reason (`m{i}_leave_reason`) leaves, a row with a new ID
/// number joins with its `m{i}_join_reason`; each needs its reason, and any change needs the date
/// (`member_date`), which becomes the date of the edit. Errors by input name.
pub fn member_changes(
    f: &HashMap<String, String>,
    stored: &[&str],
    today: chrono::NaiveDate,
) -> Result<(MemberChanges, Option<chrono::NaiveDate>), HashMap<String, String>> {
    use fupin_core::validate::{change_date, join_reason, leave_reason};
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let text = |e: fupin_core::validate::Invalid| format!("{} / {}", e.zh, e.en);
    let mut changes = MemberChanges::default();
    let mut errors = HashMap::new();
    for i in 0..50 {
        let p = format!("m{i}_");
        if !f.contains_key(&format!("{p}id_number")) {
            break;
        }
        let id = get(&format!("{p}id_number"));
        let leave = get(&format!("{p}leave_reason"));
        if stored.contains(&id.as_str()) {
            if !leave.is_empty() {
                match leave_reason(&leave) {
                    Ok(r) => changes.leaves.push((id, r)),
                    Err(e) => {
                        errors.insert(format!("{p}leave_reason"), text(e));
                    }
                }
            }
        } else if !id.is_empty() || !get(&format!("{p}name")).is_empty() {
            match join_reason(&get(&format!("{p}join_reason"))) {
                Ok(r) => {
                    changes.joins.insert(id, r);
                }
                Err(e) => {
                    errors.insert(format!("{p}join_reason"), text(e));
                }
            }
        }
    }
    let changed = !changes.joins.is_empty() || !changes.leaves.is_empty() || !errors.is_empty();
    let date = if changed {
        match change_date(&get("member_date"), today) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.insert("member_date".into(), text(e));
                None
            }
        }
    } else {
        None
    };
    if errors.is_empty() {
        Ok((changes, date))
    } else {
        Err(errors)
    }
}

/// Maps a field error of the JSON format to the edit form's input name.
pub fn field_name(e: &serde_json::Value) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_errors_map_to_inputs() {
        assert_eq!(
            field_name(&json!({"field": "id_number", "member": 2})),
            "m1_id_number"
        );
        assert_eq!(field_name(&json!({"field": "income.wage"})), "income_wage");
        assert_eq!(
            field_name(&json!({"field": "rigid_expense.medical"})),
            "rigid_medical"
        );
    }

    #[test]
    fn the_form_reads_members_and_money() {
        let f: HashMap<String, String> = [
            ("area_code", "140525100201"),
            ("m0_id_number", "11010519491231002X"),
            ("m0_name", "测试"),
            ("m0_medical_insured", "on"),
            ("m1_id_number", ""),
            ("m1_name", ""),
            ("income_wage", "12.5"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let h = household(&f, "140525100201001");
        let members = h.members.unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].medical_insurance, Some(true));
        let income = h.income.unwrap();
        assert_eq!(income.wage, Some(Numeric("12.5".into())));
        assert_eq!(income.business, Some(Numeric("0".into())));
    }
}
