//! The web application's side of the store, as one trait object: [`Directory`] is every small
//! trait of the kinds of data the web application uses — [`Accounts`], [`Sessions`], [`Pairings`],
//! [`Applications`], [`Areas`], [`Listing`], [`Proposals`] — each implemented once on [`SqlStore`] in its own
//! module. Every write goes to the audit log with its actor.

use crate::error::StoreError;
use crate::store::SqlStore;
use std::sync::Arc;

pub use crate::accounts::{Accounts, User};
pub use crate::applications::{Application, Applications, StepRecord};
pub use crate::areas::Areas;
pub use crate::assistance::Assistance;
pub use crate::funds::Funds;
pub use crate::listing::{
    Count, Figures, HouseholdRow, ListFilter, Listing, Page, SubArea, TrailEntry,
};
pub use crate::monitoring::Monitoring;
pub use crate::pairing::{Pairing, Pairings};
pub use crate::proposals::{Proposal, Proposals};
pub use crate::responsibility::Responsibility;
pub use crate::sessions::{Sessions, StoredSession};
pub use fupin_core::registry::Area;

/// Accounts, sessions, pairings, applications, areas, lists, figures and proposals.
pub trait Directory:
    Accounts
    + Sessions
    + Pairings
    + Applications
    + Areas
    + Listing
    + Proposals
    + Responsibility
    + Assistance
    + Monitoring
    + Funds
{
}

impl<
        T: Accounts
            + Sessions
            + Pairings
            + Applications
            + Areas
            + Listing
            + Proposals
            + Responsibility
            + Assistance
            + Monitoring
            + Funds
            + ?Sized,
    > Directory for T
{
}

/// Opens the registry and the directory on one database URL: one [`SqlStore`] (one pool, migrated
/// once) behind both traits.
pub async fn open_both(
    url: &str,
) -> Result<(Arc<dyn crate::Repository>, Arc<dyn Directory>), StoreError> {
    let store = Arc::new(SqlStore::open(url).await?);
    Ok((store.clone(), store))
}

/// Opens the directory in an existing PostgreSQL schema (tests run side by side): the schema the
/// registry was opened in with [`crate::open_postgres_fresh_schema`], which stays as it is (not
/// dropped), so both see the same data.
pub async fn open_pg_schema(url: &str, schema: &str) -> Result<Arc<dyn Directory>, StoreError> {
    Ok(Arc::new(SqlStore::open_existing_schema(url, schema).await?))
}
