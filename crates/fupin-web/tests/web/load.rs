//! The load test of issue 15 (concurrent writes): the real server on 127.0.0.1, 20 writers each
//! editing its own household through the JSON API (logged in, with the CSRF token, as the browser's
//! scripts do) and readers of the dashboard, the household list and a household page, for
//! `FUPIN_LOAD_SECONDS` (default 5; `scripts/load-test.sh` runs 60), on SQLite and on PostgreSQL.
//!
//! Asserts: no 5xx at all; every write answered 200 is stored with its values (the household's
//! last acknowledged wage is its wage, and its audit trail holds exactly the acknowledged values);
//! every refused write is absent; a write carrying a stale version is 409. Prints the figures
//! (requests, 200s, 409s, 5xx, p50/p95) that docs/SECURITY.md keeps.

use crate::api::as_input;
use crate::common::{postgres_app, sqlite_app, PASSWORD};
use fupin_web::AppState;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WRITERS: usize = 20;
const READERS: usize = 4;

/// Every 5th write of a writer (the 2nd, 7th, ...) carries the version before the current one: a
/// 409, never stored.
const STALE_EVERY: u64 = 5;

#[test]
fn twenty_writers_and_readers_get_no_5xx_and_every_acknowledged_write_is_stored() {
    let seconds: u64 = std::env::var("FUPIN_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    // The server's runtime: four workers (more than the tests' two), as the figures in
    // docs/SECURITY.md were measured.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let (state, _guard) = rt.block_on(sqlite_app());
    load(&rt, state, "SQLite", seconds);
    if let Some(state) = rt.block_on(postgres_app("load")) {
        load(&rt, state, "PostgreSQL", seconds);
    }
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    /// By status code.
    statuses: BTreeMap<u16, u64>,
    /// The first few 5xx answers, for the failure message.
    errors: Vec<String>,
    write_ms: Vec<f64>,
    read_ms: Vec<f64>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        for (s, n) in other.statuses {
            *self.statuses.entry(s).or_default() += n;
        }
        self.errors.extend(other.errors);
        self.write_ms.extend(other.write_ms);
        self.read_ms.extend(other.read_ms);
    }

    fn count(&self, f: impl Fn(u16) -> bool) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| f(**s))
            .map(|(_, n)| n)
            .sum()
    }
}

/// One writer's household and what became of its writes: wages answered 200, and refused.
struct Writes {
    number: String,
    acknowledged: Vec<String>,
    refused: Vec<String>,
}

/// A minimal browser-like client: the session cookie and CSRF token of one login.
struct Client {
    agent: ureq::Agent,
    base: String,
    cookie: String,
    csrf: String,
}

/// (status, body) of an answer, whatever its status.
fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match r {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
        Err(e) => panic!("transport error: {e}"),
    }
}

impl Client {
    fn login(base: &str, user: &str) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        let r = agent
            .post(&format!("{base}/api/v1/session"))
            .send_json(json!({"username": user, "password": PASSWORD}))
            .expect("login");
        let cookie = r.header("set-cookie").expect("cookie").to_string();
        let cookie = cookie.split(';').next().unwrap().to_string();
        let body: Value = r.into_json().unwrap();
        Client {
            agent,
            base: base.to_string(),
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .agent
            .get(&format!("{}{path}", self.base))
            .set("cookie", &self.cookie)
            .call();
        answer(r)
    }

    fn put(&self, path: &str, body: &Value) -> (u16, String) {
        let r = self
            .agent
            .put(&format!("{}{path}", self.base))
            .set("cookie", &self.cookie)
            .set("x-csrf-token", &self.csrf)
            .send_json(body.clone());
        answer(r)
    }
}

fn record(t: &mut Tally, status: u16, body: &str, what: &str) {
    *t.statuses.entry(status).or_default() += 1;
    if status >= 500 && t.errors.len() < 5 {
        t.errors.push(format!("{what}: {status} {body}"));
    }
}

/// One writer: edits `number` (its own) until `stop`, changing the wage to a new value each time.
fn writer(c: &Client, number: &str, stop: &AtomicBool) -> (Tally, Writes) {
    let mut t = Tally::default();
    let mut w = Writes {
        number: number.to_string(),
        acknowledged: Vec::new(),
        refused: Vec::new(),
    };
    let uri = format!("/api/v1/households/{number}");
    let mut k = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let (status, text) = c.get(&uri);
        record(&mut t, status, &text, &format!("GET {uri}"));
        t.read_ms.push(started.elapsed().as_secs_f64() * 1e3);
        if status != 200 {
            continue;
        }
        let rec: Value = serde_json::from_str(&text).unwrap();
        let mut body = as_input(&rec);
        k += 1;
        let wage = format!("{}.{:02}", 20_000 + k / 100, k % 100);
        body["income"]["wage"] = json!(wage);
        let stale = k % STALE_EVERY == 2;
        if stale {
            body["version"] = json!(rec["version"].as_i64().unwrap() - 1);
        }
        let started = Instant::now();
        let (status, text) = c.put(&uri, &body);
        t.write_ms.push(started.elapsed().as_secs_f64() * 1e3);
        record(&mut t, status, &text, &format!("PUT {uri}"));
        if stale {
            assert_eq!(status, 409, "a stale version: {text}");
        }
        if status == 200 {
            w.acknowledged.push(wage);
        } else {
            w.refused.push(wage);
        }
    }
    (t, w)
}

/// One reader: the dashboard, the household list and a household page, in turn, until `stop`.
fn reader(c: &Client, numbers: &[String], stop: &AtomicBool) -> Tally {
    let mut t = Tally::default();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let path = match i % 4 {
            0 => "/".to_string(),
            1 => "/households".to_string(),
            2 => "/api/v1/dashboard".to_string(),
            _ => format!("/households/{}", numbers[i % numbers.len()]),
        };
        let started = Instant::now();
        let (status, text) = c.get(&path);
        t.read_ms.push(started.elapsed().as_secs_f64() * 1e3);
        record(&mut t, status, &text, &format!("GET {path}"));
        assert!(
            status == 200 || status >= 500,
            "GET {path}: {status} {}",
            &text[..text.len().min(300)]
        );
        i += 1;
    }
    t
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
}

/// A money value as the audit log writes it, in fen.
fn fen(v: &Value) -> Option<i64> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let x: f64 = s.parse().ok()?;
    Some((x * 100.0).round() as i64)
}

fn load(rt: &tokio::runtime::Runtime, state: Arc<AppState>, backend: &str, seconds: u64) {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = rt.spawn(fupin_web::serve_on(state.clone(), listener));

    // The writers' households: 20 households of the county, one each.
    let admin = Client::login(&base, "zezhou");
    let (status, text) = admin.get("/api/v1/households?area=140525&per_page=300");
    assert_eq!(status, 200, "{text}");
    let list: Value = serde_json::from_str(&text).unwrap();
    let numbers: Vec<String> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_str().unwrap().to_string())
        .step_by(13)
        .take(WRITERS)
        .collect();
    assert_eq!(numbers.len(), WRITERS);

    let stop = Arc::new(AtomicBool::new(false));
    let totals = Arc::new(Mutex::new(Tally::default()));
    let writes = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<Client> = (0..WRITERS + READERS)
        .map(|_| Client::login(&base, "zezhou"))
        .collect();
    let started = Instant::now();
    std::thread::scope(|s| {
        for (i, c) in clients.iter().enumerate() {
            let (stop, totals, writes, numbers) = (&stop, &totals, &writes, &numbers);
            s.spawn(move || {
                if i < WRITERS {
                    let (t, w) = writer(c, &numbers[i], stop);
                    totals.lock().unwrap().add(t);
                    writes.lock().unwrap().push(w);
                } else {
                    let t = reader(c, numbers, stop);
                    totals.lock().unwrap().add(t);
                }
            });
        }
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = started.elapsed().as_secs_f64();
    server.abort();

    let mut t = std::mem::take(&mut *totals.lock().unwrap());
    let requests = t.count(|_| true);
    let (ok, conflict, server_errors) = (
        t.count(|s| s == 200),
        t.count(|s| s == 409),
        t.count(|s| s >= 500),
    );
    let writes_done = t.write_ms.len();
    eprintln!(
        "load {backend}: {seconds} s ({elapsed:.1} s), {WRITERS} writers + {READERS} readers: \
         {requests} requests ({:.0}/s), {ok} × 200, {conflict} × 409, {server_errors} × 5xx, \
         statuses {:?}; writes {writes_done}: p50 {:.1} ms, p95 {:.1} ms; reads {}: p50 {:.1} ms, \
         p95 {:.1} ms",
        requests as f64 / elapsed,
        t.statuses,
        percentile(&mut t.write_ms, 0.5),
        percentile(&mut t.write_ms, 0.95),
        t.read_ms.len(),
        percentile(&mut t.read_ms, 0.5),
        percentile(&mut t.read_ms, 0.95),
    );
    assert_eq!(server_errors, 0, "5xx answers: {:#?}", t.errors);
    assert!(writes_done >= WRITERS, "too few writes to mean anything");

    // Every acknowledged write is stored, every refused one is not.
    let writes = std::mem::take(&mut *writes.lock().unwrap());
    rt.block_on(async {
        for w in &writes {
            let h = state.repo.household(&w.number).await.unwrap().unwrap();
            if let Some(last) = w.acknowledged.last() {
                let stored = serde_json::to_value(&h).unwrap();
                assert_eq!(
                    fen(&stored["income"]["wage"]),
                    fen(&json!(last)),
                    "{}: the last acknowledged wage",
                    w.number
                );
            }
            let audited: BTreeSet<i64> = state
                .repo
                .audit(&w.number)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.action == "update" && e.actor == "zezhou")
                .filter_map(|e| fen(&e.after.as_ref()?["income"]["wage"]))
                .collect();
            let acknowledged: BTreeSet<i64> = w
                .acknowledged
                .iter()
                .filter_map(|v| fen(&json!(v)))
                .collect();
            assert_eq!(
                audited, acknowledged,
                "{}: the writes stored are exactly those answered 200",
                w.number
            );
            for v in &w.refused {
                assert!(!audited.contains(&fen(&json!(v)).unwrap()));
            }
        }
    });
}
