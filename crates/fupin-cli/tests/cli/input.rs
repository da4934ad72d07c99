//! Input and output at the edges: a closed pipe, a what-if policy layered over the built-in one,
//! CSV cells that a spreadsheet would take for formulas.

use super::{fupin, id, json_out, tmp};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// `n` valid poor households of two members in village 140525100201, as assess JSON.
fn households(n: u32) -> Value {
    let list: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("H{i:05}"), "area_code": "140525100201", "status": "poor",
                   "income": {"wage": 9000}, "food": true, "clothing": true, "water": true,
                   "housing_grade": "B",
                   "members": [
                       {"id_number": id(&format!("140525197001{:02}{:03}", 1 + i / 1000, i % 1000)),
                        "name": "户主", "relation": "head", "medical_insured": true}]})
        })
        .collect();
    json!({"as_of": "2020-06-30", "households": list})
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_zero() {
    // Well over a pipe's buffer (64 KiB) of output, read one line of it and close the pipe, as
    // `fupin assess ... | head -1` does.
    let input = tmp("pipe.json", &households(1500).to_string());
    for format in ["json", "table"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fupin"))
            .args([
                "assess",
                "--input",
                input.to_str().unwrap(),
                "--format",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run fupin");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reading end is closed here (dropped with the reader).
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.is_empty(), "{format}: {stderr}");
    }
    // Read whole, the same file is assessed without error (the households are valid).
    let o = fupin(&["assess", "--input", input.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(json_out(&o)["households"].as_array().unwrap().len(), 1500);
}
