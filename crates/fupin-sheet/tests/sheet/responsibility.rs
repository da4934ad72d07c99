//! The responsibility network's workbook: written and read back the same; a team's members and a
//! visit's issues on rows of their own; fupin-core's errors placed at sheet, row and column.

use fupin_core::responsibility::parse;
use fupin_sheet::responsibility::{read_workbook, write_workbook};
use serde_json::json;

fn doc() -> serde_json::Value {
    json!({
        "units": [{"code": "U01", "name": "县财政局", "kind": "party_government", "area": "140525"}],
        "cadres": [{"id": "C01", "name": "王强", "unit": "U01", "rank": "county_leader", "phone": "13800000001", "account": "wangqiang", "area": "140525"},
                   {"id": "C02", "name": "李娜", "unit": "U01", "rank": "staff", "area": "140525"}],
        "pairings": [{"cadre": "C01", "household": "140525100201001", "start": "2019-03-01"}],
        "teams": [{"id": "T01", "village": "140525100201", "unit": "U01", "start": "2018-03-01",
                   "members": [{"cadre": "C02", "role": "leader", "first_secretary": true},
                               {"cadre": "C01", "role": "member", "first_secretary": false}]}],
        "visits": [{"id": "V1", "date": "2020-05-10", "cadre": "C01", "household": "140525100201001", "findings": "=1+1",
                    "issues": [{"id": "I1", "text": "住房漏雨", "measure": "M1", "closed_on": "2020-05-20"},
                               {"id": "I2", "text": "上学路远"}]},
                   {"id": "V2", "date": "2020-06-01", "cadre": "C01", "household": "140525100201001", "issues": []}]
    })
}

#[test]
fn the_workbook_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("network.xlsx");
    write_workbook(&path, &doc()).unwrap();
    let wb = read_workbook(&path).unwrap();
    let mut want = doc();
    // Read back as text; `first_secretary` as yes/no; a visit without issue keeps an empty list.
    assert_eq!(wb.doc["units"], want["units"]);
    assert_eq!(wb.doc["cadres"], want["cadres"]);
    assert_eq!(wb.doc["teams"], want["teams"]);
    want["visits"][0]["findings"] = json!("=1+1");
    assert_eq!(
        wb.doc["visits"], want["visits"],
        "a formula-like text stays text"
    );
    assert_eq!((wb.count("teams"), wb.count("visits")), (1, 2));
    // The template: the five sheets' headers and nothing else.
    let t = dir.path().join("template.xlsx");
    write_workbook(&t, &json!({})).unwrap();
    let wb = read_workbook(&t).unwrap();
    assert_eq!(wb.doc["units"], json!([]));
    assert_eq!(wb.doc["visits"], json!([]));
}

#[test]
fn errors_are_placed_at_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsx");
    let mut d = doc();
    d["cadres"][1]["rank"] = json!("mayor");
    d["teams"][0]["members"][1]["role"] = json!("captain");
    d["visits"][0]["issues"][1]["closed_on"] = json!("2020-13-01");
    write_workbook(&path, &d).unwrap();
    let wb = read_workbook(&path).unwrap();
    let mut input = wb.doc.clone();
    input["households"] =
        json!([{"number": "140525100201001", "area_code": "140525100201", "status": "poor"}]);
    let (_, errors) = parse(&input).unwrap();
    let placed: Vec<(usize, String, String)> = errors
        .iter()
        .map(|e| wb.row_error(e).unwrap())
        .map(|e| (e.row, e.column, e.code))
        .collect();
    assert_eq!(
        placed,
        [
            (3, "干部!职级".to_string(), "rank_unknown".to_string()),
            (
                3,
                "工作队!职务".to_string(),
                "team_role_unknown".to_string()
            ),
            (
                3,
                "走访!整改完成日期".to_string(),
                "date_invalid".to_string()
            ),
        ]
    );
}
