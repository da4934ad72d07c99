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
