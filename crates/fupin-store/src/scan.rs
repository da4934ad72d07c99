//! Whole-registry reads for the whole-registry commands (`fupin assess --all`, `fupin simulate`):
//! every area with its name and rural population in one query. The households themselves stream
//! through [`crate::Repository::export`] in constant memory.

use crate::directory::AreaRow;
use crate::error::StoreError;
use sqlx::Row;
use std::str::FromStr;

const AREAS: &str =
    "SELECT code, name, level, parent, region, rural_population FROM area ORDER BY code";

/// Every area of the registry at `url` (`sqlite:PATH` or `postgres://...`), by code.
pub async fn all_areas(url: &str) -> Result<Vec<AreaRow>, StoreError> {
    macro_rules! read {
        ($pool:expr) => {{
            let pool = $pool;
            let rows = sqlx::query(AREAS).fetch_all(&pool).await?;
            pool.close().await;
            rows.iter()
                .map(|r| {
                    Ok(AreaRow {
                        code: r.try_get("code")?,
                        name: r.try_get("name")?,
                        level: r.try_get("level")?,
                        parent: r.try_get("parent")?,
                        region: r.try_get("region")?,
                        rural_population: r.try_get("rural_population")?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()
        }};
    }
    if url.starts_with("sqlite:") {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .map_err(|_| StoreError::Url(url.to_string()))?
            .read_only(true);
        read!(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(opts)
                .await?
        )
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        read!(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await?
        )
    } else {
        Err(StoreError::Url(url.to_string()))
    }
}

/// The household columns the rules read, then the latest year's income and rigid expenses (fen).
const HOUSEHOLDS: &str = "SELECT h.county, h.number, h.area_code, h.status, h.housing_grade, h.food, h.clothing, \
     h.water, i.wage, i.business, i.property, i.transfer, i.business_cost, i.medical_expense, \
     i.education_expense, i.disaster_loss, i.other_expense FROM household h \
     LEFT JOIN household_income i ON i.county = h.county AND i.household_number = h.number \
     AND i.year = (SELECT MAX(x.year) FROM household_income x WHERE x.county = h.county AND x.household_number = h.number) \
     WHERE h.area_code BETWEEN $1 AND $2 ORDER BY h.county, h.number";

/// The current members' columns the rules read, in the households' order.
const MEMBERS_ALL: &str =
    "SELECT m.county, m.household_number, m.id_number, m.school_status, m.medical_insurance \
     FROM member m WHERE m.left_on IS NULL ORDER BY m.county, m.household_number, m.seq";
const MEMBERS_IN: &str = "SELECT m.county, m.household_number, m.id_number, m.school_status, m.medical_insurance \
     FROM member m JOIN household h ON h.county = m.county AND h.number = m.household_number \
     WHERE h.area_code BETWEEN $1 AND $2 AND m.left_on IS NULL ORDER BY m.county, m.household_number, m.seq";

fn code<T: fupin_core::CodeList>(v: &str) -> Result<T, StoreError> {
    T::parse(v).ok_or_else(|| {
        StoreError::File(format!(
            "数据库中的值无效 / bad stored value for {}: {v:?}",
            T::LIST
        ))
    })
}

/// Streams every household under the area prefix `area` ("" for all) as the rules see it, with its
/// current members, to `sink`, in constant memory: two ordered scans (households with their latest
/// income; members) merged by key, reading only the columns the exit check and monitoring use (no
/// names, phones or accounts). Members whose ID number does not parse are left out, as in
/// [`crate::HouseholdRecord::to_core`]. Returns the number of households.
pub async fn households(
    url: &str,
    area: &str,
    sink: &mut dyn FnMut(fupin_core::model::Household) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    use fupin_core::model::{Household, Income, Member, RigidExpense};
    use futures_util::TryStreamExt;
    let (lo, hi) = (format!("{area:0<12}"), format!("{area:9<12}"));
    let members_sql = if area.is_empty() {
        MEMBERS_ALL
    } else {
        MEMBERS_IN
    };
    macro_rules! run {
        ($pool:expr) => {{
            let pool = $pool;
            let mut hs = sqlx::query(HOUSEHOLDS).bind(&lo).bind(&hi).fetch(&pool);
            let mut ms = sqlx::query(members_sql).bind(&lo).bind(&hi).fetch(&pool);
            let mut next_member = ms.try_next().await?;
            let mut n = 0u64;
            while let Some(r) = hs.try_next().await? {
                let county: &str = r.try_get(0)?;
                let number: &str = r.try_get(1)?;
                let area_code: &str = r.try_get(2)?;
                let fen = |i: usize| -> Result<fupin_core::Decimal, StoreError> {
                    Ok(crate::model::from_fen(
                        r.try_get::<Option<i64>, _>(i)?.unwrap_or(0),
                    ))
                };
                let mut members = Vec::new();
                while let Some(m) = &next_member {
                    let (mc, mh): (&str, &str) = (m.try_get(0)?, m.try_get(1)?);
                    if mc != county || mh != number {
                        break;
                    }
                    if let Ok(id) = fupin_core::ResidentId::parse(m.try_get::<&str, _>(2)?) {
                        members.push(Member {
                            id_number: id,
                            name: String::new(),
                            relation: fupin_core::codes::Relation::Other,
                            school_status: code(m.try_get::<&str, _>(3)?)?,
                            medical_insured: m.try_get(4)?,
                            labor: None,
                            health: None,
                        });
                    }
                    next_member = ms.try_next().await?;
                }
                let Ok(area) = fupin_core::AreaCode::parse(area_code) else {
                    continue;
                };
                let h = Household {
                    id: number.to_string(),
                    area,
                    status: code(r.try_get::<&str, _>(3)?)?,
                    attribute: None,
                    main_cause: None,
                    income: Income {
                        wage: fen(8)?,
                        business: fen(9)?,
                        property: fen(10)?,
                        transfer: fen(11)?,
                        business_cost: fen(12)?,
                    },
                    rigid_expense: RigidExpense {
                        medical: fen(13)?,
                        education: fen(14)?,
                        disaster: fen(15)?,
                        other: fen(16)?,
                    },
                    food: r.try_get(5)?,
                    clothing: r.try_get(6)?,
                    water: r.try_get(7)?,
                    housing_grade: code(r.try_get::<&str, _>(4)?)?,
                    members,
                };
                sink(h)?;
                n += 1;
            }
            drop(hs);
            drop(ms);
            pool.close().await;
            Ok(n)
        }};
    }
    if url.starts_with("sqlite:") {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .map_err(|_| StoreError::Url(url.to_string()))?
            .read_only(true);
        run!(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(opts)
                .await?
        )
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        run!(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(2)
                .connect(url)
                .await?
        )
    } else {
        Err(StoreError::Url(url.to_string()))
    }
}
