//! fupin-demo: deterministic synthetic registries (same seed, same data) with valid ID numbers,
//! area codes down to village groups, plausible households and a dated history 2014-2020.
//!
//! - [`profile`]: the profiles (`county` = Zezhou 2017, `city` = Jincheng mid-2020, `province`,
//!   `nation`, or a number of people), each a list of counties with cohorts of exact sizes;
//! - [`gen`]: one county at a time: areas, households, members, and batches of dated writes;
//! - [`web_county`]: the small county of `fupin serve --demo` and the web tests (one account per role);
//! - [`write`]: through the store's `Repository` and `Directory`, or as import CSV files.
//!
//! See `docs/demo.md`.

#![forbid(unsafe_code)]

pub mod assistance;
pub mod funds;
pub mod gen;
pub mod monitoring;
pub mod profile;
pub mod responsibility;
pub mod rng;
pub mod web_county;
pub mod write;

pub use profile::{by_name, scaled, Profile};
