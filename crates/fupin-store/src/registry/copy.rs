//! The rows of a write, put either as the bound values of a multi-row statement ([`Query`]) or as
//! the lines of PostgreSQL's `COPY ... FROM STDIN` in its text format ([`CopyRows`]): one list of
//! a table's values ([`super::write`]) for both. New households on PostgreSQL go in by `COPY`
//! (issue 16): a statement of 21,000 bound values is parsed and planned for each 1,000 households,
//! `COPY` streams them.

use crate::sql::{Bind, Query};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::value::RawValue;
use serde_json::Value;
use sqlx::postgres::PgConnection;
use sqlx::types::Json;
use std::fmt::Write as _;

/// Where the values of rows go, one after another, a row at a time.
pub(super) trait Put<'q> {
    fn put<T: Bind<'q> + CopyText>(&mut self, value: T);
    /// The end of a row.
    fn end(&mut self) {}
}

impl<'q> Put<'q> for Query<'q> {
    fn put<T: Bind<'q> + CopyText>(&mut self, value: T) {
        self.push(value);
    }
}

/// A value as `COPY`'s text format writes it (`\N` for null; backslash, tab, newline and carriage
/// return escaped).
pub(super) trait CopyText {
    fn copy_text(&self, out: &mut String);
}

impl CopyText for str {
    fn copy_text(&self, out: &mut String) {
        for c in self.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    }
}

impl CopyText for String {
    fn copy_text(&self, out: &mut String) {
        self.as_str().copy_text(out);
    }
}

impl<T: CopyText + ?Sized> CopyText for &T {
    fn copy_text(&self, out: &mut String) {
        (**self).copy_text(out);
    }
}

impl<T: CopyText> CopyText for Option<T> {
    fn copy_text(&self, out: &mut String) {
        match self {
            Some(v) => v.copy_text(out),
            None => out.push_str("\\N"),
        }
    }
}

impl CopyText for bool {
    fn copy_text(&self, out: &mut String) {
        out.push(if *self { 't' } else { 'f' });
    }
}

impl CopyText for i64 {
    fn copy_text(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl CopyText for NaiveDate {
    fn copy_text(&self, out: &mut String) {
        let _ = write!(out, "{}", self.format("%Y-%m-%d"));
    }
}

impl CopyText for DateTime<Utc> {
    fn copy_text(&self, out: &mut String) {
        // Microseconds, as PostgreSQL keeps them (and as a bound value is sent).
        let _ = write!(out, "{}+00", self.format("%Y-%m-%d %H:%M:%S%.6f"));
    }
}

impl CopyText for Json<Value> {
    fn copy_text(&self, out: &mut String) {
        self.0.to_string().copy_text(out);
    }
}

impl CopyText for Json<&RawValue> {
    fn copy_text(&self, out: &mut String) {
        self.0.get().copy_text(out);
    }
}

/// The lines of one `COPY ... FROM STDIN` (text format).
#[derive(Default)]
pub(super) struct CopyRows {
    text: String,
    /// Whether the current line has a value yet (the next one is preceded by a tab).
    started: bool,
}

impl<'q> Put<'q> for CopyRows {
    fn put<T: Bind<'q> + CopyText>(&mut self, value: T) {
        if self.started {
            self.text.push('\t');
        }
        self.started = true;
        value.copy_text(&mut self.text);
    }

    fn end(&mut self) {
        self.text.push('\n');
        self.started = false;
    }
}

impl CopyRows {
    /// Sends the rows by `statement` (`COPY table (columns) FROM STDIN`); nothing when there are
    /// none.
    pub(super) async fn send(self, conn: &mut PgConnection, statement: &str) -> sqlx::Result<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let mut copy = conn.copy_in_raw(statement).await?;
        copy.send(self.text.into_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }
}

/// `INSERT INTO t (columns) ` as `COPY t (columns) FROM STDIN`.
pub(super) fn copy_statement(insert: &str) -> String {
    let columns = insert.trim().trim_start_matches("INSERT INTO ");
    format!("COPY {columns} FROM STDIN")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_copy_text_format() {
        let mut rows = CopyRows::default();
        rows.put("a\tb\\c\nd");
        rows.put(None::<&str>);
        rows.put(Some(7i64));
        rows.put(true);
        rows.put(NaiveDate::from_ymd_opt(2019, 12, 31).unwrap());
        rows.end();
        rows.put(Json(serde_json::json!({"name": "张三\t"})));
        rows.end();
        assert_eq!(
            rows.text,
            "a\\tb\\\\c\\nd\t\\N\t7\tt\t2019-12-31\n{\"name\":\"张三\\\\t\"}\n"
        );
        assert_eq!(
            copy_statement("INSERT INTO event (county, kind) "),
            "COPY event (county, kind) FROM STDIN"
        );
    }
}
