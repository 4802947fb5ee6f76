//! The engine: the stages put together, once, for every caller. Commands, the dashboard and
//! token refresh all come through here; none of them reads the cache, loads layers, plans or
//! writes by itself.
//!
//! - [`org`]: open an org (key, URL, document, layer stack) once.
//! - [`plan`]: plan each client's files and commit them in one transaction; the reports.
//! - [`sync`]: `login` and `sync`, discover → authenticate → translate → plan → apply.
//! - [`inspect`]: the read-only views, what `status` and `clients` print and the dashboard
//!   shows.

pub mod inspect;
pub mod org;
pub mod plan;
pub mod sync;
