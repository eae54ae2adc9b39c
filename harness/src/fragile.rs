//! Deliberately fragile adapters: a real adapter on a live server with one way of handling
//! faults broken. They prove that the `fault.*` rules can fail, as [`crate::broken`]'s
//! defects prove the rest of the catalogue; they wrap a live adapter because the reference
//! has no connection to kill. The SQL backends' live tests run the fault rules against each
//! one (`nextauth_adapter_testkit::scenarios::fragile_adapters_are_caught`).

use async_trait::async_trait;
use nextauth_adapter::{
    Account, Adapter, AdapterError, Capabilities, EmailProvider, Entity, ErrorKind, Method,
    NewAccount, NewUser, Result, Session, SharedAdapter, User, VerificationRequest,
};
use std::collections::HashMap;
use std::future::Future;
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
        Arc::new(FragileAdapter {
            inner,
            fragility: self,
            poisoned: AtomicBool::new(false),
            busy: Semaphore::new(BUSY_PERMITS),
            sessions: Mutex::default(),
        })
    }
}

/// How many calls `fails-when-busy` lets through at once.
const BUSY_PERMITS: usize = 4;

/// A live adapter with one [`Fragility`].
struct FragileAdapter {
    inner: SharedAdapter,
    fragility: Fragility,
    poisoned: AtomicBool,
    busy: Semaphore,
    /// `cascade-in-steps`: the session tokens created per user id.
    sessions: Mutex<HashMap<String, Vec<String>>>,
}

impl FragileAdapter {
    fn is(&self, name: &str) -> bool {
        self.fragility.name == name
    }

    /// Runs `call` with the generic fragilities applied.
    async fn guard<T>(&self, method: Method, call: impl Future<Output = Result<T>>) -> Result<T> {
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
        let result = call.await;
        match result {
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
impl Adapter for FragileAdapter {
    fn display_name(&self) -> &str {
        self.inner.display_name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        self.guard(Method::CreateUser, self.inner.create_user(profile))
            .await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        self.guard(Method::GetUser, self.inner.get_user(id)).await
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        self.guard(Method::GetUserByEmail, self.inner.get_user_by_email(email))
            .await
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        self.guard(
            Method::GetUserByProviderAccountId,
            self.inner
                .get_user_by_provider_account_id(provider_id, provider_account_id),
        )
        .await
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        let result = self
            .guard(Method::UpdateUser, self.inner.update_user(user))
            .await;
        self.swallowed(result, || user.clone())
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        if self.is("cascade-in-steps") {
            let tokens = self
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(user_id)
                .unwrap_or_default();
            for token in tokens {
                self.inner.delete_session(Some(&token)).await?;
            }
        }
        let result = self
            .guard(Method::DeleteUser, self.inner.delete_user(user_id))
            .await;
        self.swallowed(result, || ())
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        let result = self
            .guard(
                Method::LinkAccount,
                self.inner.link_account(account.clone()),
            )
            .await;
        self.swallowed(result, || {
            let now = chrono::Utc::now();
            Account {
                id: "0".to_owned(),
                compound_id: nextauth_adapter::formulas::compound_id(
                    &account.provider_id,
                    &account.provider_account_id,
                ),
                user_id: account.user_id,
                provider_type: account.provider_type,
                provider_id: account.provider_id,
                provider_account_id: account.provider_account_id,
                refresh_token: account.refresh_token,
                access_token: account.access_token,
                access_token_expires: account.access_token_expires,
                created_at: now,
                updated_at: now,
            }
        })
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        self.guard(
            Method::UnlinkAccount,
            self.inner
                .unlink_account(user_id, provider_id, provider_account_id),
        )
        .await
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        let session = self
            .guard(Method::CreateSession, self.inner.create_session(user))
            .await?;
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(user.id.clone())
            .or_default()
            .push(session.session_token.clone());
        Ok(session)
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        self.guard(Method::GetSession, self.inner.get_session(session_token))
            .await
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        self.guard(
            Method::UpdateSession,
            self.inner.update_session(session, force),
        )
        .await
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        self.guard(
            Method::DeleteSession,
            self.inner.delete_session(session_token),
        )
        .await
    }

    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        self.guard(
            Method::CreateVerificationRequest,
            self.inner
                .create_verification_request(identifier, url, token, secret, provider),
        )
        .await
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        self.guard(
            Method::GetVerificationRequest,
            self.inner
                .get_verification_request(identifier, token, secret, provider),
        )
        .await
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        self.guard(
            Method::DeleteVerificationRequest,
            self.inner
                .delete_verification_request(identifier, token, secret, provider),
        )
        .await
    }
}
