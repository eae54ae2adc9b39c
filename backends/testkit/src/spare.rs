//! [`SpareNamespaces`]: namespaces whose fixtures are over, emptied and kept for the next
//! fixture of the same setup, so that a run creates a setup's tables a few times instead of
//! once per rule.

use crate::error::TestkitError;
use crate::namespace::{Namespace, drop_on_own_runtime};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many spare namespaces a [`SpareNamespaces`] keeps at most; the rest are dropped.
pub const MAX_SPARE_NAMESPACES: usize = 32;

/// Namespaces of one setup (one server, tables made one way) whose fixtures are over, every
/// table emptied and every id sequence restarted ([`Namespace::empty`]), for the next fixture
/// of that setup. A namespace is handed out again only after a check that it holds no row;
/// one that does is dropped. Clones share the spares; they are dropped with the last clone,
/// before its drop returns, so a run's leak check ([`verify_dropped`](crate::verify_dropped))
/// made after its factories are gone still finds nothing left.
///
/// PostgreSQL and MySQL only: elsewhere [`give_back`](Self::give_back) drops the namespace.
#[derive(Clone, Default)]
pub struct SpareNamespaces {
    inner: Arc<Spares>,
}

#[derive(Default)]
struct Spares {
    idle: Mutex<Vec<Namespace>>,
    /// Each namespace's base tables (qualified), read from the catalog the first time it was
    /// given back: a setup's tables do not change between its fixtures.
    tables: Mutex<HashMap<String, Vec<(String, String)>>>,
}

type Tables = Vec<(String, String)>;

impl SpareNamespaces {
    /// No spare yet.
    pub fn new() -> SpareNamespaces {
        SpareNamespaces::default()
    }

    /// A spare namespace that holds no row, if there is one.
    pub async fn take(&self) -> Option<Namespace> {
        loop {
            let ns = self
                .inner
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop()?;
            let tables = self.known(&ns).unwrap_or_default();
            match ns.nonempty_tables(&tables).await {
                Ok(full) if full.is_empty() => return Some(ns),
                Ok(full) => {
                    tracing::warn!(namespace = ns.name(), tables = ?full, "a spare namespace is not empty; dropping it")
                }
                Err(e) => {
                    tracing::warn!(namespace = ns.name(), error = %e, "a spare namespace cannot be checked; dropping it")
                }
            }
            if let Err(e) = ns.drop().await {
                tracing::error!(error = %e, "dropping a spare namespace");
            }
        }
    }

    /// Empties `ns` (whose fixture is over: nothing may write to it any more) and keeps it
    /// for a later [`take`](Self::take); drops it instead when it cannot be emptied or
    /// [`MAX_SPARE_NAMESPACES`] are kept already. The error is the drop's.
    pub async fn give_back(&self, ns: Namespace) -> Result<(), TestkitError> {
        let emptied = match self.known(&ns) {
            Some(tables) => ns.empty(&tables).await,
            None => match ns.base_tables().await {
                Ok(tables) => {
                    let emptied = ns.empty(&tables).await;
                    self.inner
                        .tables
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(ns.name().to_owned(), tables);
                    emptied
                }
                Err(e) => Err(e),
            },
        };
        if let Err(e) = emptied {
            if !matches!(e, TestkitError::NoReuse { .. }) {
                tracing::warn!(namespace = ns.name(), error = %e, "cannot empty a namespace for reuse; dropping it");
            }
            return ns.drop().await;
        }
        let full = {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_SPARE_NAMESPACES {
                idle.push(ns);
                None
            } else {
                Some(ns)
            }
        };
        match full {
            Some(ns) => ns.drop().await,
            None => Ok(()),
        }
    }

    /// The base tables of `ns` as read when it was first given back.
    fn known(&self, ns: &Namespace) -> Option<Tables> {
        self.inner
            .tables
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(ns.name())
            .cloned()
    }
}

impl Drop for Spares {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|p| p.into_inner()));
        drop_on_own_runtime(idle, "spare");
    }
}
