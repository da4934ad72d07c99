//! Property tests over the readers (issue 15, "a fuzz run"): arbitrary bytes and mutated valid
//! files never panic, abort or hang the CSV, XLSX and JSON readers. 2,000 cases per reader by
//! default (the suite stays quick); `PROPTEST_CASES=N` for more (`scripts/fuzz.sh`).

use crate::county::*;
use fupin_sheet::{read_csv, read_json, read_xlsx_from, ExportWriter, ReadOutcome, SheetError};
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

/// 2,000 cases, or `PROPTEST_CASES`; no regression files written into the source tree.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A valid member sheet of three households, as CSV and as XLSX bytes, and the example JSON.
struct Seeds {
    csv: Vec<u8>,
    xlsx: Vec<u8>,
    json: Vec<u8>,
}

static SEEDS: LazyLock<Seeds> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let rows = county(3);
    let src = dir.path().join("seed.csv");
    write_csv(&src, &rows, true);
    let read = fupin_sheet::read_file(&src, d("2020-01-01")).unwrap();
    assert!(read.errors.is_empty());
    let out = dir.path().join("seed.xlsx");
    let mut w = ExportWriter::create(&out).unwrap();
    for h in &read.households {
        w.write(&h.record).unwrap();
    }
    w.finish().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/households.json");
    Seeds {
        csv: std::fs::read(&src).unwrap(),
        xlsx: std::fs::read(&out).unwrap(),
        json: std::fs::read(root).unwrap(),
    }
});

/// One change to a file: overwrite, insert or delete a byte at a position (taken modulo the length).
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    /// Copy a run of the file elsewhere (duplicates rows, tags, cells).
    Splice(usize, usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Set(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Insert(p, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), 1usize..200, any::<usize>()).prop_map(|(a, n, b)| Edit::Splice(a, n, b)),
    ];
    prop::collection::vec(edit, 1..8)
}

fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for e in edits {
        let len = b.len().max(1);
        match *e {
            Edit::Set(p, v) if !b.is_empty() => b[p % len] = v,
            Edit::Insert(p, v) => b.insert(p % (b.len() + 1), v),
            Edit::Delete(p) if !b.is_empty() => {
                b.remove(p % len);
            }
            Edit::Splice(a, n, to) if !b.is_empty() => {
                let a = a % len;
                let run: Vec<u8> = b[a..(a + n).min(b.len())].to_vec();
                let to = to % (b.len() + 1);
                b.splice(to..to, run);
            }
            _ => {}
        }
    }
    b
}

/// A read either succeeds with consistent counts or fails with a message; it never panics. (A
/// sheet's rows are member rows, the JSON's households: [`csv`] checks the members.)
fn sane(r: Result<ReadOutcome, SheetError>) -> Result<(), TestCaseError> {
    match r {
        Ok(out) => {
            for e in &out.errors {
                prop_assert!(!e.code.is_empty() && !e.zh.is_empty() && !e.en.is_empty());
            }
            prop_assert!(out.households.len() <= out.rows);
            for h in &out.households {
                prop_assert!(h.record.members.len() <= fupin_core::validate::MAX_MEMBERS);
            }
        }
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    Ok(())
}

fn csv(bytes: &[u8]) -> Result<ReadOutcome, SheetError> {
    let out = read_csv(Path::new("fuzz.csv"), bytes, d("2020-01-01"));
    if let Ok(o) = &out {
        let members: usize = o.households.iter().map(|h| h.record.members.len()).sum();
        assert!(members <= o.rows, "{members} members from {} rows", o.rows);
    }
    out
}

fn xlsx(bytes: &[u8]) -> Result<ReadOutcome, SheetError> {
    read_xlsx_from(
        Path::new("fuzz.xlsx"),
        std::io::Cursor::new(bytes),
        d("2020-01-01"),
    )
}

fn json(bytes: &[u8]) -> Result<ReadOutcome, SheetError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SheetError::File(e.to_string()))?;
    let v = fupin_core::input::parse_json(text).map_err(|e| SheetError::File(e.to_string()))?;
    fupin_core::input::check_document(&v).map_err(SheetError::File)?;
    Ok(read_json(&v, d("2020-01-01")))
}

/// Any JSON value, nested a few levels, with the keys the reader looks for among its keys.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let key = prop_oneof![
        Just("households".to_string()),
        Just("members".to_string()),
        Just("id".to_string()),
        Just("area_code".to_string()),
        Just("id_number".to_string()),
        Just("income".to_string()),
        Just("wage".to_string()),
        Just("status".to_string()),
        Just("villages".to_string()),
        Just("as_of".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
        "[0-9X]{17,19}".prop_map(Value::String),
        Just(Value::String("140525100201".into())),
        Just(Value::String("poor".into())),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_reader_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        sane(csv(&bytes))?;
    }

    #[test]
    fn csv_reader_survives_mutated_sheets(e in edits()) {
        sane(csv(&mutate(&SEEDS.csv, &e)))?;
    }

    #[test]
    fn xlsx_reader_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        sane(xlsx(&bytes))?;
    }

    #[test]
    fn xlsx_reader_survives_mutated_workbooks(e in edits()) {
        sane(xlsx(&mutate(&SEEDS.xlsx, &e)))?;
    }

    #[test]
    fn json_reader_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        sane(json(&bytes))?;
    }

    #[test]
    fn json_reader_survives_mutated_files(e in edits()) {
        sane(json(&mutate(&SEEDS.json, &e)))?;
    }

    #[test]
    fn json_reader_survives_arbitrary_documents(v in json_value()) {
        sane(json(v.to_string().as_bytes()))?;
    }
}
