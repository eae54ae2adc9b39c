//! The adapter: five maps keyed as an SQL schema keys its tables.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::authjs::{
    Account, AccountKey, Adapter, Capabilities, IdSource, MethodSet, NewUser, Session,
    SessionAndUser, SessionPatch, User, UserPatch, VerificationKey, VerificationToken,
};
use nextauth_adapter::{
    AdapterError, EmailMatching, Entity, Method, Result, TimestampPrecision, UniqueKey,
};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// The rows, keyed by their primary keys.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    pub(crate) users: BTreeMap<u64, User>,
    pub(crate) accounts: BTreeMap<(String, String), Account>,
    pub(crate) sessions: BTreeMap<String, Session>,
    pub(crate) tokens: BTreeMap<(String, String), VerificationToken>,
    next_user: u64,
}

impl Tables {
    fn user_key(id: &str) -> Option<u64> {
        id.strip_prefix('u')?.parse().ok()
    }

    fn user(&self, id: &str) -> Option<&User> {
        Self::user_key(id).and_then(|k| self.users.get(&k))
    }

    fn email_taken(&self, email: &str, except: Option<&str>) -> bool {
        self.users
            .values()
            .any(|u| u.email.as_deref() == Some(email) && Some(u.id.as_str()) != except)
    }
}

/// An in-memory Auth.js adapter.
#[derive(Debug, Default)]
pub struct MemoryAdapter {
    tables: Mutex<Tables>,
}

fn ms(t: DateTime<Utc>) -> DateTime<Utc> {
    TimestampPrecision::Millisecond.apply(t)
}

impl MemoryAdapter {
    /// What this adapter declares.
    pub const CAPABILITIES: Capabilities = Capabilities {
        methods: MethodSet::ALL.without(MethodSet::WEBAUTHN),
        user_id: IdSource::Adapter,
        email_matching: EmailMatching::Exact,
        timestamp_precision: TimestampPrecision::Millisecond,
    };

    /// An empty adapter.
    pub fn new() -> Self {
        MemoryAdapter::default()
    }

    /// Runs `f` on the tables under the lock: every method is one atomic step.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Tables) -> T) -> T {
        // A panic under the lock happens before any write (every check precedes its write),
        // so a poisoned lock still holds consistent tables.
        let mut guard: MutexGuard<'_, Tables> =
            self.tables.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

fn missing_user(method: Method, id: &str) -> AdapterError {
    AdapterError::NotFound {
        method,
        entity: Entity::User,
        id: id.to_owned(),
    }
}

#[async_trait]
impl Adapter for MemoryAdapter {
    fn display_name(&self) -> &str {
        "authjs-memory-example"
    }

    fn capabilities(&self) -> Capabilities {
        Self::CAPABILITIES
    }

    async fn create_user(&self, user: NewUser) -> Result<User> {
        self.with(|t| {
            if let Some(email) = &user.email
                && t.email_taken(email, None)
            {
                return Err(AdapterError::Conflict {
                    method: Method::CreateUser,
                    key: UniqueKey::UserEmail,
                });
            }
            t.next_user += 1;
            let key = t.next_user;
            let mut stored = user.into_user(format!("u{key}"));
            stored.email_verified = stored.email_verified.map(ms);
            t.users.insert(key, stored.clone());
            Ok(stored)
        })
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        Ok(self.with(|t| t.user(id).cloned()))
    }

    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(self.with(|t| {
            t.users
                .values()
                .find(|u| u.email.as_deref() == Some(email))
                .cloned()
        }))
    }

    async fn get_user_by_account(&self, key: &AccountKey) -> Result<Option<User>> {
        Ok(self.with(|t| {
            let account = t
                .accounts
                .get(&(key.provider.clone(), key.provider_account_id.clone()))?;
            t.user(&account.user_id).cloned()
        }))
    }

    async fn update_user(&self, patch: UserPatch) -> Result<User> {
        self.with(|t| {
            let key = Tables::user_key(&patch.id)
                .filter(|k| t.users.contains_key(k))
                .ok_or_else(|| missing_user(Method::UpdateUser, &patch.id))?;
            if let nextauth_adapter::authjs::Patch::Set(email) = &patch.email
                && t.email_taken(email, Some(&patch.id))
            {
                return Err(AdapterError::Conflict {
                    method: Method::UpdateUser,
                    key: UniqueKey::UserEmail,
                });
            }
            let user = t
                .users
                .get_mut(&key)
                .ok_or_else(|| missing_user(Method::UpdateUser, &patch.id))?;
            let mut updated = patch.apply(user);
            updated.email_verified = updated.email_verified.map(ms);
            *user = updated.clone();
            Ok(updated)
        })
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        self.with(|t| {
            if let Some(key) = Tables::user_key(id) {
                t.users.remove(&key);
            }
            t.accounts.retain(|_, a| a.user_id != id);
            t.sessions.retain(|_, s| s.user_id != id);
        });
        Ok(())
    }

    async fn link_account(&self, account: Account) -> Result<Option<Account>> {
        self.with(|t| {
            if t.user(&account.user_id).is_none() {
                return Err(missing_user(Method::LinkAccount, &account.user_id));
            }
            let key = (
                account.provider.clone(),
                account.provider_account_id.clone(),
            );
            if t.accounts.contains_key(&key) {
                return Err(AdapterError::Conflict {
                    method: Method::LinkAccount,
                    key: UniqueKey::AccountProvider,
                });
            }
            t.accounts.insert(key, account.clone());
            Ok(Some(account))
        })
    }

    async fn unlink_account(&self, key: &AccountKey) -> Result<()> {
        self.with(|t| {
            t.accounts
                .remove(&(key.provider.clone(), key.provider_account_id.clone()))
        });
        Ok(())
    }

    async fn create_session(&self, session: Session) -> Result<Session> {
        self.with(|t| {
            if t.user(&session.user_id).is_none() {
                return Err(missing_user(Method::CreateSession, &session.user_id));
            }
            if t.sessions.contains_key(&session.session_token) {
                return Err(AdapterError::Conflict {
                    method: Method::CreateSession,
                    key: UniqueKey::SessionToken,
                });
            }
            let stored = Session {
                expires: ms(session.expires),
                ..session
            };
            t.sessions
                .insert(stored.session_token.clone(), stored.clone());
            Ok(stored)
        })
    }

    async fn get_session_and_user(&self, session_token: &str) -> Result<Option<SessionAndUser>> {
        Ok(self.with(|t| {
            let session = t.sessions.get(session_token)?;
            let user = t.user(&session.user_id)?;
            Some(SessionAndUser {
                session: session.clone(),
                user: user.clone(),
            })
        }))
    }

    async fn update_session(&self, patch: SessionPatch) -> Result<Option<Session>> {
        self.with(|t| {
            if let Some(user_id) = &patch.user_id
                && t.user(user_id).is_none()
            {
                return Err(missing_user(Method::UpdateSession, user_id));
            }
            let Some(session) = t.sessions.get_mut(&patch.session_token) else {
                return Ok(None);
            };
            let mut updated = patch.apply(session);
            updated.expires = ms(updated.expires);
            *session = updated.clone();
            Ok(Some(updated))
        })
    }

    async fn delete_session(&self, session_token: &str) -> Result<()> {
        self.with(|t| t.sessions.remove(session_token));
        Ok(())
    }

    async fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> Result<Option<VerificationToken>> {
        self.with(|t| {
            let key = (token.identifier.clone(), token.token.clone());
            if t.tokens.contains_key(&key) {
                return Err(AdapterError::Conflict {
                    method: Method::CreateVerificationToken,
                    key: UniqueKey::VerificationIdentifierToken,
                });
            }
            let stored = VerificationToken {
                expires: ms(token.expires),
                ..token
            };
            t.tokens.insert(key, stored.clone());
            Ok(Some(stored))
        })
    }

    async fn use_verification_token(
        &self,
        key: &VerificationKey,
    ) -> Result<Option<VerificationToken>> {
        // Found and removed under one lock: single use, however many calls race.
        Ok(self.with(|t| {
            t.tokens
                .remove(&(key.identifier.clone(), key.token.clone()))
        }))
    }
}
