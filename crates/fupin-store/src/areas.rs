//! Areas (province … village) as registered, their children, and the village indicators (road,
//! electricity, …) of village exit. The one area type is the core's [`Area`]; the level and region
//! are stored as their codes.

use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::sql::Db;
use crate::store::SqlStore;
use fupin_core::area::{county_of, full_code};
use fupin_core::codes::{CodeList, Region};
use fupin_core::registry::Area;
use fupin_core::AreaLevel;

/// Areas and village indicators.
pub trait Areas: Send + Sync {
    /// Creates or replaces an area (a village's rural population reaches the roll-ups on the next
    /// read).
    fn upsert_area<'a>(&'a self, area: &'a Area) -> BoxFut<'a, ()>;
    /// The area of a code or prefix (padded with zeros to 12 digits).
    fn area<'a>(&'a self, code: &'a str) -> BoxFut<'a, Option<Area>>;
    /// Areas directly below the area `prefix` (its children).
    fn children<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<Area>>;
    /// Sets the village indicators (road, electricity, ...) of a village.
    fn set_indicators<'a>(&'a self, code: &'a str, values: &'a [(String, bool)]) -> BoxFut<'a, ()>;
    /// The recorded indicators of a village.
    fn indicators<'a>(&'a self, code: &'a str) -> BoxFut<'a, Vec<(String, bool)>>;
}

impl Areas for SqlStore {
    fn upsert_area<'a>(&'a self, area: &'a Area) -> BoxFut<'a, ()> {
        Box::pin(upsert(&self.db, area))
    }

    fn area<'a>(&'a self, code: &'a str) -> BoxFut<'a, Option<Area>> {
        Box::pin(async move {
            let found = select(&self.db, "code = $1", code).await?;
            Ok(found.into_iter().next())
        })
    }

    fn children<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<Area>> {
        Box::pin(select(&self.db, "parent = $1 ORDER BY code", prefix))
    }

    fn set_indicators<'a>(&'a self, code: &'a str, values: &'a [(String, bool)]) -> BoxFut<'a, ()> {
        Box::pin(set_indicators(&self.db, code, values))
    }

    fn indicators<'a>(&'a self, code: &'a str) -> BoxFut<'a, Vec<(String, bool)>> {
        Box::pin(async move {
            Ok(self
                .db
                .query(
                    "SELECT indicator, ok FROM village_indicator \
                     WHERE county = $1 AND area_code = $2",
                )
                .bind(county_of(code))
                .bind(code)
                .fetch_all_as(&self.db)
                .await?)
        })
    }
}

/// The columns of an area, in the order of [`AreaColumns`].
pub(crate) const SELECT: &str =
    "SELECT code, name, level, parent, region, rural_population FROM area";

/// An area as read: code, name, level, parent, region, rural population.
pub(crate) type AreaColumns = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The area of a row of [`SELECT`].
pub(crate) fn area_of(row: AreaColumns) -> Result<Area, StoreError> {
    let (code, name, level, parent, region, rural_population) = row;
    let region = match region.as_deref() {
        None | Some("") => None,
        Some(r) => Some(Region::parse(r).ok_or_else(|| bad_value(Region::LIST, r))?),
    };
    Ok(Area {
        code,
        name,
        level: parse_level(&level)?,
        parent,
        region,
        rural_population,
    })
}

/// A stored level code.
pub(crate) fn parse_level(level: &str) -> Result<AreaLevel, StoreError> {
    AreaLevel::parse(level).ok_or_else(|| bad_value("level", level))
}

fn bad_value(what: &str, v: &str) -> StoreError {
    StoreError::File(format!(
        "数据库中的值无效 / bad stored value for {what}: {v:?}"
    ))
}

/// The areas matching `cond` on the 12-digit code of `prefix` (padded with zeros).
async fn select(db: &Db, cond: &str, prefix: &str) -> Result<Vec<Area>, StoreError> {
    let sql = format!("{SELECT} WHERE {cond}");
    let rows = db
        .query(&sql)
        .bind(full_code(prefix))
        .fetch_all_as(db)
        .await?;
    rows.into_iter().map(area_of).collect()
}

async fn upsert(db: &Db, a: &Area) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    tx.query(
        "INSERT INTO area (code, name, level, parent, region, rural_population) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
         parent = excluded.parent, region = excluded.region, \
         rural_population = excluded.rural_population",
    )
    .bind(a.code.as_str())
    .bind(a.name.as_str())
    .bind(a.level.code())
    .bind(a.parent.as_deref())
    .bind(a.region.map(|r| r.code()))
    .bind(a.rural_population)
    .execute(&mut tx)
    .await?;
    if a.level == AreaLevel::Village {
        // Its rural population is in the roll-ups: refreshed with the write.
        let codes = std::collections::BTreeSet::from([a.code.clone()]);
        crate::rollup::mark(&mut tx.conn(), &codes).await?;
        crate::rollup::refresh(&mut tx.conn()).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn set_indicators(db: &Db, code: &str, values: &[(String, bool)]) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    for (indicator, ok) in values {
        tx.query(
            "INSERT INTO village_indicator (county, area_code, indicator, ok) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (county, area_code, indicator) DO UPDATE SET ok = excluded.ok",
        )
        .bind(county_of(code))
        .bind(code)
        .bind(indicator.as_str())
        .bind(*ok)
        .execute(&mut tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
