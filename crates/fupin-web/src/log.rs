//! The server's log: a small `tracing` subscriber that writes one line per event to standard
//! error (`fupin serve` installs it with [`init`]), and the capture the tests read ([`Capture`]).
//! Events carry no personal data: the access log names the matched route (`/households/{number}`),
//! never the path or query as sent, and the login log the user name and outcome only.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Where lines go: standard error, or a buffer (tests).
#[derive(Clone)]
enum Sink {
    Stderr,
    Buffer(Arc<Mutex<Vec<String>>>),
}

/// A subscriber of `fupin` events at INFO and above (other crates: WARN and above).
pub struct Lines {
    sink: Sink,
    next_span: AtomicU64,
}

/// The lines a test captured (see [`Capture::subscriber`]).
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<String>>>);

impl Capture {
    /// A subscriber writing into this capture (use with `tracing::subscriber::with_default`).
    pub fn subscriber(&self) -> Lines {
        Lines {
            sink: Sink::Buffer(self.0.clone()),
            next_span: AtomicU64::new(1),
        }
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// Installs the standard-error log as the process's subscriber (once; later calls do nothing).
pub fn init() {
    let lines = Lines {
        sink: Sink::Stderr,
        next_span: AtomicU64::new(1),
    };
    let _ = tracing::subscriber::set_global_default(lines);
}

struct Fields(String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for Lines {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        if m.target().starts_with("fupin") {
            *m.level() <= Level::INFO
        } else {
            *m.level() <= Level::WARN
        }
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, e: &Event<'_>) {
        let m = e.metadata();
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut f = Fields(format!("{at} {} {}:", m.level(), m.target()));
        e.record(&mut f);
        match &self.sink {
            Sink::Stderr => eprintln!("{}", f.0),
            Sink::Buffer(b) => {
                if let Ok(mut b) = b.lock() {
                    b.push(f.0);
                }
            }
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
