//! The dynamic-management report (动态管理): the flows of a period and the stock at its end, from the
//! events; a calendar year's from the roll-ups ([`crate::rollup`]) when the area has them.

use crate::error::StoreError;
use crate::model::{kind, ChangeReport, EndStock, HouseholdFlows, PeopleFlows};
use crate::store::SqlStore;
use chrono::NaiveDate;
use fupin_core::area::code_range;

/// The period's events by kind and detail, each with the household's members on its day.
const FLOWS: &str = "SELECT e.kind, e.detail, COUNT(*) AS households, \
     CAST(SUM((SELECT COUNT(*) FROM member m \
     WHERE m.county = e.county AND m.household_number = e.household_number \
     AND m.joined_on <= e.effective_date \
     AND (m.left_on IS NULL OR m.left_on > e.effective_date))) AS BIGINT) AS people \
     FROM event e JOIN household h ON h.county = e.county AND h.number = e.household_number \
     WHERE h.area_code BETWEEN $1 AND $2 AND e.effective_date BETWEEN $3 AND $4 \
     AND e.kind IN ('identified', 'exited', 'returned', 'removed', 'member_joined', 'member_left') \
     GROUP BY e.kind, e.detail";

/// The stock at the end: each household under its last status on or before `$3`.
const END_STOCK: &str = "SELECT s.status, COUNT(*) AS households, \
     CAST(SUM(s.people) AS BIGINT) AS people FROM (\
     SELECT (SELECT e.detail FROM event e \
     WHERE e.county = h.county AND e.household_number = h.number \
     AND e.kind IN ('identified', 'recorded', 'exited', 'returned', 'removed') \
     AND e.effective_date <= $3 \
     ORDER BY e.effective_date DESC, e.id DESC LIMIT 1) AS status, \
     (SELECT COUNT(*) FROM member m WHERE m.county = h.county AND m.household_number = h.number \
     AND m.joined_on <= $3 AND (m.left_on IS NULL OR m.left_on > $3)) AS people \
     FROM household h WHERE h.area_code BETWEEN $1 AND $2) s GROUP BY s.status";

impl SqlStore {
    /// The change report of a period for an area prefix, computed from the events.
    pub(super) async fn change_report_of(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        area: &str,
    ) -> Result<ChangeReport, StoreError> {
        let mut pooled = self.db.acquire().await?;
        let mut conn = pooled.conn();
        let (lo, hi) = code_range(area);
        let mut report = ChangeReport {
            from,
            to,
            area: area.to_string(),
            households: HouseholdFlows::default(),
            people: PeopleFlows::default(),
            end: EndStock::default(),
        };
        let flows: Vec<(String, Option<String>, i64, Option<i64>)> = conn
            .query(FLOWS)
            .bind(&lo)
            .bind(&hi)
            .bind(from)
            .bind(to)
            .fetch_all_as(&mut conn)
            .await?;
        for (k, detail, households, people) in flows {
            let n = households as u64;
            let people = people.unwrap_or(0) as u64;
            let (hf, pf) = (&mut report.households, &mut report.people);
            let (h, p) = match (k.as_str(), detail.as_deref()) {
                (kind::IDENTIFIED, _) => (&mut hf.identified, &mut pf.identified),
                (kind::EXITED, _) => (&mut hf.exited, &mut pf.exited),
                (kind::RETURNED, _) => (&mut hf.returned, &mut pf.returned),
                (kind::REMOVED, _) => (&mut hf.removed, &mut pf.removed),
                (kind::MEMBER_JOINED, Some("birth")) => {
                    pf.natural_increase += n;
                    continue;
                }
                (kind::MEMBER_LEFT, Some("death")) => {
                    pf.natural_decrease += n;
                    continue;
                }
                _ => continue,
            };
            *h += n;
            *p += people;
        }
        let stock: Vec<(Option<String>, i64, Option<i64>)> = conn
            .query(END_STOCK)
            .bind(&lo)
            .bind(&hi)
            .bind(to)
            .fetch_all_as(&mut conn)
            .await?;
        for (status, households, people) in stock {
            let stock = match status.as_deref() {
                Some("poor") => &mut report.end.poor,
                Some("exited") => &mut report.end.exited,
                Some("returned") => &mut report.end.returned,
                Some("removed") => &mut report.end.removed,
                _ => continue,
            };
            stock.households = households as u64;
            stock.people = people.unwrap_or(0) as u64;
        }
        Ok(report)
    }

    /// The change report of one calendar year: from the roll-ups when the area has them, else
    /// from the events.
    pub(super) async fn year_report_of(
        &self,
        year: i32,
        area: &str,
    ) -> Result<ChangeReport, StoreError> {
        if crate::rollup::DEPTHS.contains(&area.len()) && year > 0 {
            let mut pooled = self.db.acquire().await?;
            let rows = crate::rollup::year_rows(&mut pooled.conn(), area, i64::from(year)).await?;
            return Ok(crate::rollup::year_report(year, area, &rows));
        }
        let bad_year = || StoreError::File(format!("year {year}"));
        let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad_year)?;
        let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad_year)?;
        self.change_report_of(from, to, area).await
    }
}
