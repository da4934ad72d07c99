//! The responsibility workbook (sheets 单位, 干部, 结对, 工作队, 走访) turned into one [`Batch`]: read
//! by fupin-sheet, checked by fupin-core's one parser against the registry's households, units
//! and cadres, every error placed at its sheet, row and column. Shared by `fupin responsibility
//! import` and the management page's upload; within an area (the web's county) every record must
//! lie in it, and a key the workbook shares with another area's record is refused rather than
//! moved.

use fupin_core::error::RowError;
use fupin_core::responsibility::{self as core, RecordError};
use fupin_sheet::responsibility::Workbook;
use fupin_store::responsibility::{
    Batch, Responsibility, StoredCadre, StoredPairing, StoredUnit, StoredVisit,
};
use fupin_store::{Repository, StoreError};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

/// Why a workbook was not planned: the store failed, or the document is not the network's.
#[derive(Debug)]
pub enum PlanError {
    Store(StoreError),
    Input(String),
}

impl From<StoreError> for PlanError {
    fn from(e: StoreError) -> PlanError {
        PlanError::Store(e)
    }
}

/// The records to write, or the errors that keep all of them out (sorted by sheet, then row).
pub struct Plan {
    pub batch: Batch,
    pub errors: Vec<RowError>,
}

fn placed(wb: &Workbook, field: String, code: &str, zh: &str, en: &str) -> Option<RowError> {
    wb.row_error(&RecordError::new(field, code, format!("{zh} / {en}")))
}

/// Reads the records of a workbook into a batch. Units and cadres without `所属区划` go to
/// `default_area`. With `within`, the households outside it are not looked up (so that they are
/// unknown), and a unit, cadre, team or visit outside it, or whose key belongs to another area's
/// record, is an error (`area_scope`).
pub async fn plan<R, N>(
    repo: &R,
    net: &N,
    wb: &Workbook,
    default_area: &str,
    within: Option<&str>,
) -> Result<Plan, PlanError>
where
    R: Repository + ?Sized,
    N: Responsibility + ?Sized,
{
    let mut doc = wb.doc.clone();
    let inside = |area: &str| within.is_none_or(|w| area.starts_with(w));
    // The registry's records the workbook refers to: households, and units and cadres not in it.
    let mut numbers = BTreeSet::new();
    for list in ["pairings", "visits"] {
        for r in doc[list].as_array().into_iter().flatten() {
            numbers.extend(r["household"].as_str().map(str::to_string));
        }
    }
    let mut households = Vec::new();
    let mut areas = HashMap::new();
    for n in &numbers {
        if let Some(h) = repo.household(n).await? {
            if !inside(&h.area_code) {
                continue;
            }
            areas.insert(n.clone(), h.area_code.clone());
            households.push(json!({"number": h.number, "area_code": h.area_code,
                "status": h.status.to_string(), "monitoring": h.monitoring.map(|m| m.to_string())}));
        }
    }
    doc["households"] = Value::Array(households);
    let known_units = net.units("").await?;
    let known_cadres = net.cadres("").await?;
    let has = |doc: &Value, list: &str, key: &str, id: &str| {
        doc[list]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r[key] == id)
    };
    for u in &known_units {
        if !has(&doc, "units", "code", &u.unit.code) {
            doc["units"]
                .as_array_mut()
                .expect("a list")
                .push(json!(u.unit));
        }
    }
    for c in &known_cadres {
        if !has(&doc, "cadres", "id", &c.cadre.id) {
            doc["cadres"]
                .as_array_mut()
                .expect("a list")
                .push(json!(c.cadre));
        }
    }
    let (parsed, errors) = core::parse(&doc).map_err(|e| PlanError::Input(e.0))?;
    let mut row_errors: Vec<_> = errors.iter().filter_map(|e| wb.row_error(e)).collect();
    let area_of = |r: &Value| {
        r["area"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| default_area.to_string())
    };
    let elsewhere = |key: &str| {
        (
            format!("{key} 已属于其他地区的记录"),
            format!("{key} belongs to a record of another area"),
        )
    };
    let records = |list: &str| -> Vec<Value> {
        doc[list]
            .as_array()
            .into_iter()
            .flatten()
            .take(wb.count(list))
            .cloned()
            .collect()
    };
    let owned: HashMap<&str, &str> = known_units
        .iter()
        .map(|u| (u.unit.code.as_str(), u.area.as_str()))
        .chain(
            known_cadres
                .iter()
                .map(|c| (c.cadre.id.as_str(), c.area.as_str())),
        )
        .collect();
    for (list, key) in [("units", "code"), ("cadres", "id")] {
        for (i, r) in records(list).iter().enumerate() {
            let area = area_of(r);
            if area.is_empty() || !fupin_core::area::is_area_prefix(&area) {
                row_errors.extend(placed(
                    wb,
                    format!("{list}[{i}].area"),
                    "area_code",
                    "所属区划应为区划代码前缀",
                    "the area must be an area-code prefix",
                ));
            } else if !inside(&area) {
                row_errors.extend(placed(
                    wb,
                    format!("{list}[{i}].area"),
                    "area_scope",
                    &format!("所属区划 {area} 不在您的辖区"),
                    &format!("the area {area} is outside yours"),
                ));
            }
            let id = r[key].as_str().unwrap_or("");
            if owned.get(id).is_some_and(|a| !inside(a)) {
                let (zh, en) = elsewhere(id);
                row_errors.extend(placed(
                    wb,
                    format!("{list}[{i}].{key}"),
                    "area_scope",
                    &zh,
                    &en,
                ));
            }
        }
    }
    if within.is_some() {
        let teams: HashMap<String, String> = net
            .teams("")
            .await?
            .into_iter()
            .map(|t| (t.id, t.village))
            .collect();
        for (i, r) in records("teams").iter().enumerate() {
            let village = r["village"].as_str().unwrap_or("");
            if !village.is_empty() && !inside(village) {
                row_errors.extend(placed(
                    wb,
                    format!("teams[{i}].village"),
                    "area_scope",
                    &format!("村 {village} 不在您的辖区"),
                    &format!("village {village} is outside your area"),
                ));
            }
            let id = r["id"].as_str().unwrap_or("");
            if teams.get(id).is_some_and(|v| !inside(v)) {
                let (zh, en) = elsewhere(id);
                row_errors.extend(placed(wb, format!("teams[{i}].id"), "area_scope", &zh, &en));
            }
        }
        for (i, r) in records("visits").iter().enumerate() {
            let Some(id) = r["id"].as_str() else { continue };
            if net.visit_area(id).await?.is_some_and(|a| !inside(&a)) {
                let (zh, en) = elsewhere(id);
                row_errors.extend(placed(
                    wb,
                    format!("visits[{i}].id"),
                    "area_scope",
                    &zh,
                    &en,
                ));
            }
        }
    }
    row_errors.sort_by(|x, y| {
        (x.column.split('!').next(), x.row).cmp(&(y.column.split('!').next(), y.row))
    });
    let units = records("units");
    let cadres = records("cadres");
    let visits = doc["visits"].as_array().cloned().unwrap_or_default();
    let batch = Batch {
        units: parsed
            .units
            .iter()
            .zip(&units)
            .map(|(u, r)| StoredUnit {
                area: area_of(r),
                unit: u.clone(),
            })
            .collect(),
        cadres: parsed
            .cadres
            .iter()
            .zip(&cadres)
            .map(|(c, r)| StoredCadre {
                area: area_of(r),
                cadre: c.clone(),
                account: r["account"].as_str().map(str::to_string),
            })
            .collect(),
        pairings: parsed
            .pairings
            .iter()
            .map(|p| StoredPairing {
                area_code: areas.get(&p.household).cloned().unwrap_or_default(),
                pairing: p.clone(),
            })
            .collect(),
        teams: parsed.teams.clone(),
        enterprise_pairings: parsed.enterprise_pairings.clone(),
        letters: Vec::new(),
        visits: parsed
            .visits
            .iter()
            .zip(&visits)
            .map(|(v, r)| StoredVisit {
                id: r["id"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("V{}-{}", v.household, v.date)),
                area_code: areas.get(&v.household).cloned().unwrap_or_default(),
                visit: v.clone(),
            })
            .collect(),
    };
    Ok(Plan {
        batch,
        errors: row_errors,
    })
}
