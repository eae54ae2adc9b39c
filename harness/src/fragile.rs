//! Deliberately fragile adapters: a real adapter on a live server with one way of handling
//! faults broken. They prove that the `fault.*` rules can fail, as [`crate::broken`]'s
//! defects prove the rest of the catalogue; they wrap a live adapter because the reference
//! has no connection to kill. The SQL backends' live tests run the fault rules against each
//! one (`nextauth_adapter_testkit::scenarios::fragile_adapters_are_caught`).

use crate::layer::{Layer, Layered};
use async_trait::async_trait;
use futures::future::BoxFuture;
use nextauth_adapter::{
    Account, Adapter, AdapterError, Entity, ErrorKind, Method, NewAccount, Result, Session,
    SharedAdapter, User,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// One way of handling faults broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragility {
    /// The name in test output, e.g. `cascade-in-steps`.
    pub name: &'static str,
    /// What is broken.
    pub summary: &'static str,
    /// The fault rules that must fail against it.
    pub caught_by: &'static [&'static str],
}

/// Every deliberately fragile adapter.
pub const FRAGILITIES: &[Fragility] = &[
    Fragility {
        name: "errors-swallowed",
        summary: "a failed update_user, delete_user or link_account reports success (a catch-all that logs and returns the argument)",
        caught_by: &[
            "fault.kill.during-update",
            "fault.kill.during-create",
            "fault.kill.inside-cascade",
        ],
    },
    Fragility {
        name: "errors-mistyped",
        summary: "a lost connection is reported as NotFound, so core treats it as a missing row",
        caught_by: &["fault.kill.during-update", "fault.statement.cancelled"],
    },
    Fragility {
        name: "cascade-in-steps",
        summary: "delete_user deletes the user's sessions one call at a time, each committed, and then the user with its accounts: a fault in between leaves the user without sessions",
        caught_by: &["fault.kill.inside-cascade"],
    },
    Fragility {
        name: "poisoned-after-error",
        summary: "after one Backend error every later call fails too, as an adapter on a single connection that is never replaced",
        caught_by: &[
            "fault.kill.during-update",
            "fault.kill.during-create",
            "fault.statement.cancelled",
        ],
    },
    Fragility {
        name: "fails-when-busy",
        summary: "a call that finds every connection busy fails at once instead of waiting for one",
        caught_by: &["fault.pool.exhausted"],
    },
];

impl Fragility {
    /// The fragility named `name`.
    pub fn named(name: &str) -> Option<Fragility> {
        FRAGILITIES.iter().copied().find(|f| f.name == name)
    }

    /// `inner` with this fragility.
    pub fn wrap(self, inner: SharedAdapter) -> SharedAdapter {
        Arc::new(Layered {
            inner,
            layer: Fragile {
                fragility: self,
                poisoned: AtomicBool::new(false),
                busy: Semaphore::new(BUSY_PERMITS),
                sessions: Mutex::default(),
            },
        })
    }
}

/// How many calls `fails-when-busy` lets through at once.
const BUSY_PERMITS: usize = 4;

/// A live adapter's calls with one [`Fragility`] (a [`Layer`] over it).
struct Fragile {
    fragility: Fragility,
    poisoned: AtomicBool,
    busy: Semaphore,
    /// `cascade-in-steps`: the session tokens created per user id.
    sessions: Mutex<HashMap<String, Vec<String>>>,
}

impl Fragile {
    fn is(&self, name: &str) -> bool {
        self.fragility.name == name
    }

    /// `Ok(fallback)` instead of a `Backend` error, under `errors-swallowed`.
    fn swallowed<T>(&self, result: Result<T>, fallback: impl FnOnce() -> T) -> Result<T> {
        match result {
            Err(e) if self.is("errors-swallowed") && e.kind() == ErrorKind::Backend => {
                tracing::warn!(error = %e, "swallowed");
                Ok(fallback())
            }
            other => other,
        }
    }
}

#[async_trait]
impl Layer for Fragile {
    /// The fragilities of every call: poisoned, busy, mistyped.
    async fn around<'a, T: Send + 'a>(
        &'a self,
        method: Method,
        call: BoxFuture<'a, Result<T>>,
    ) -> Result<T> {
        let fragile = |source: &str| AdapterError::backend(method, "fragile", source.to_owned());
        if self.is("poisoned-after-error") && self.poisoned.load(Ordering::SeqCst) {
            return Err(fragile(
                "the connection was lost earlier and never replaced",
            ));
        }
        let _permit = if self.is("fails-when-busy") {
            Some(
                self.busy
                    .try_acquire()
                    .map_err(|_| fragile("every connection is busy"))?,
            )
        } else {
            None
        };
        match call.await {
            Err(e) if e.kind() == ErrorKind::Backend => {
                self.poisoned.store(true, Ordering::SeqCst);
                if self.is("errors-mistyped") {
                    return Err(AdapterError::NotFound {
                        method,
                        entity: Entity::User,
                        id: String::new(),
                    });
                }
                Err(e)
            }
            other => other,
        }
    }

    async fn update_user(&self, inner: &dyn Adapter, user: &User) -> Result<User> {
        let result = self
            .around(Method::UpdateUser, inner.update_user(user))
            .await;
        self.swallowed(result, || user.clone())
    }

    async fn delete_user(&self, inner: &dyn Adapter, user_id: &str) -> Result<()> {
        if self.is("cascade-in-steps") {
            let tokens = self
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(user_id)
                .unwrap_or_default();
            for token in tokens {
                inner.delete_session(Some(&token)).await?;
            }
        }
        let result = self
            .around(Method::DeleteUser, inner.delete_user(user_id))
            .await;
        self.swallowed(result, || ())
    }

    async fn link_account(&self, inner: &dyn Adapter, account: NewAccount) -> Result<Account> {
        let result = self
            .around(Method::LinkAccount, inner.link_account(account.clone()))
            .await;
        self.swallowed(result, || {
            account.into_account("0".to_owned(), chrono::Utc::now())
        })
    }

    async fn create_session(&self, inner: &dyn Adapter, user: &User) -> Result<Session> {
        let session = self
            .around(Method::CreateSession, inner.create_session(user))
            .await?;
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(user.id.clone())
            .or_default()
            .push(session.session_token.clone());
        Ok(session)
    }
}
