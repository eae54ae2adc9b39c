//! What an Auth.js rule's body works with: its own adapter and inspector, and what core would
//! compute (ids, session tokens, hashed verification tokens, expiries) from a fixed instant.

use super::backend::Inspector;
use crate::context::{SECRET, start_instant};
use crate::rule::{Failure, RuleResult};
use crate::{check, check_eq};
use chrono::{DateTime, Duration, Utc};
use nextauth_adapter::authjs::{
    Account, AccountType, Authenticator, Capabilities, NewUser, Session, SharedAdapter, User,
    VerificationKey, VerificationToken,
};
use nextauth_adapter::{AdapterError, ErrorKind, UniqueKey, formulas};
use nextauth_adapter_reference::authjs::Stored;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Core's default session lifetime, `maxAge`: 30 days.
pub const MAX_AGE: Duration = Duration::days(30);

/// Core's default session update interval, `updateAge`: one day.
pub const UPDATE_AGE: Duration = Duration::days(1);

/// Core's default verification-token lifetime: one day.
pub const TOKEN_AGE: Duration = Duration::days(1);

/// The error a refused write must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A Conflict on this key.
    Conflict(UniqueKey),
    /// NotFound.
    NotFound,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Conflict(key) => write!(f, "a Conflict on {key}"),
            Refusal::NotFound => f.write_str("NotFound"),
        }
    }
}

/// One Auth.js rule's world: a fresh adapter over an empty namespace and the inspector of
/// that namespace. Core's clock is not the adapter's (an Auth.js adapter reads none): rules
/// compute expiries from [`now`](Ctx::now), a fixed instant, so failures replay exactly.
pub struct Ctx {
    /// The adapter under test.
    pub adapter: SharedAdapter,
    /// Raw reads of the adapter's namespace.
    pub inspector: Arc<dyn Inspector>,
    /// What the adapter declares.
    pub caps: Capabilities,
    counter: AtomicU32,
}

impl Ctx {
    /// A context over an opened adapter.
    pub fn new(adapter: SharedAdapter, inspector: Arc<dyn Inspector>, caps: Capabilities) -> Self {
        Ctx {
            adapter,
            inspector,
            caps,
            counter: AtomicU32::new(0),
        }
    }

    /// Core's "now": the instant every expiry of the rule is computed from.
    pub fn now(&self) -> DateTime<Utc> {
        start_instant()
    }

    /// A number unique within this rule, for distinct sample values.
    pub fn next_n(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// An id as core makes one (`crypto.randomUUID()`), deterministic per rule.
    pub fn uuid(&self) -> String {
        format!("5f0c6a1e-0000-4000-8000-{:012x}", self.next_n())
    }

    /// A user id nobody has, of the kind the adapter issued as `issued` (see
    /// [`unknown_id_like`]), deterministic per rule.
    pub fn unknown_user_id(&self, issued: &str) -> String {
        unknown_id_like(issued, self.next_n())
    }

    /// The smallest step the adapter is sure to keep at its declared precision.
    pub fn tick(&self) -> Duration {
        self.caps.timestamp_precision.step()
    }

    /// `t` as the adapter stores it, at its declared precision.
    pub fn stored_instant(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.caps.timestamp_precision.apply(t)
    }

    /// A user as core's OAuth flow passes it to `create_user`: core's id, a unique lower-case
    /// address, name and image, not verified.
    pub fn new_user(&self) -> NewUser {
        let n = self.next_n();
        NewUser {
            id: Some(self.uuid()),
            email: Some(format!("user{n}@example.com")),
            email_verified: None,
            name: Some(format!("User {n}")),
            image: Some(format!("https://example.com/avatar/{n}.png")),
        }
    }

    /// Creates a user from [`new_user`](Self::new_user).
    pub async fn user(&self) -> Result<User, Failure> {
        Ok(self.adapter.create_user(self.new_user()).await?)
    }

    /// An OAuth account of `provider` for `user`, with every token field core may pass.
    pub fn new_account(&self, user: &User, provider: &str) -> Account {
        let n = self.next_n();
        Account {
            user_id: user.id.clone(),
            account_type: AccountType::Oauth,
            provider: provider.to_owned(),
            provider_account_id: format!("{}", 700_000 + n),
            refresh_token: Some(format!("refresh-{n}")),
            access_token: Some(format!("access-{n}")),
            expires_at: Some(self.now().timestamp() + 3600),
            token_type: Some("bearer".to_owned()),
            scope: Some("read:user user:email".to_owned()),
            id_token: Some(format!("id-token-{n}")),
            session_state: Some(format!("state-{n}")),
        }
    }

    /// Links a fresh account of `provider` to `user`; returns what was passed.
    pub async fn account(&self, user: &User, provider: &str) -> Result<Account, Failure> {
        let account = self.new_account(user, provider);
        self.adapter.link_account(account.clone()).await?;
        Ok(account)
    }

    /// A session for `user` as core creates one: a fresh token, expiring `maxAge` from now.
    pub fn new_session(&self, user: &User) -> Session {
        Session {
            session_token: self.uuid(),
            user_id: user.id.clone(),
            expires: self.now() + MAX_AGE,
        }
    }

    /// Creates a session for `user`; returns what the adapter returned.
    pub async fn session(&self, user: &User) -> Result<Session, Failure> {
        Ok(self.adapter.create_session(self.new_session(user)).await?)
    }

    /// A verification token for `identifier` as core stores it: the hash of a fresh raw token
    /// with the app's secret, expiring a day from now. Returns the raw token too.
    pub fn new_token(&self, identifier: &str) -> (String, VerificationToken) {
        let raw = format!("{:064x}", u64::from(self.next_n()) * 0x9E37_79B9);
        let token = VerificationToken {
            identifier: identifier.to_owned(),
            token: formulas::hash_token(&raw, SECRET),
            expires: self.now() + TOKEN_AGE,
        };
        (raw, token)
    }

    /// Stores a fresh verification token for `identifier`; returns what was passed.
    pub async fn token(&self, identifier: &str) -> Result<VerificationToken, Failure> {
        let (_, token) = self.new_token(identifier);
        self.adapter
            .create_verification_token(token.clone())
            .await?;
        Ok(token)
    }

    /// The key `use_verification_token` takes for `token`.
    pub fn key_of(token: &VerificationToken) -> VerificationKey {
        VerificationKey {
            identifier: token.identifier.clone(),
            token: token.token.clone(),
        }
    }

    /// A WebAuthn credential of `user` as core stores it after a registration.
    pub fn new_authenticator(&self, user: &User) -> Authenticator {
        let n = self.next_n();
        let credential_id = format!("Y3JlZGVudGlhbC0{n:04}");
        Authenticator {
            credential_id: credential_id.clone(),
            user_id: user.id.clone(),
            provider_account_id: credential_id,
            counter: u64::from(n) * 7,
            credential_backed_up: n.is_multiple_of(2),
            credential_public_key: format!("pQECAyYgASFYIK{n:08}"),
            transports: Some("usb,ble,nfc".to_owned()),
            credential_device_type: "multiDevice".to_owned(),
        }
    }

    /// The `webauthn` account core links for `authenticator`.
    pub fn webauthn_account(&self, authenticator: &Authenticator) -> Account {
        super::core::webauthn_account(&authenticator.user_id, &authenticator.provider_account_id)
    }

    /// Links the WebAuthn account of a fresh credential of `user` and stores the credential;
    /// returns what was passed.
    pub async fn authenticator(&self, user: &User) -> Result<Authenticator, Failure> {
        let authenticator = self.new_authenticator(user);
        self.adapter
            .link_account(self.webauthn_account(&authenticator))
            .await?;
        self.adapter
            .create_authenticator(authenticator.clone())
            .await?;
        Ok(authenticator)
    }

    /// Everything stored, read through the inspector.
    pub async fn stored(&self) -> Result<Stored, Failure> {
        Ok(self.inspector.stored().await?)
    }

    /// Fails unless `result` is the error `expected` and the store is still `before`:
    /// a refused write writes nothing. `what` names the call.
    pub async fn refused<T: std::fmt::Debug>(
        &self,
        result: Result<T, AdapterError>,
        expected: Refusal,
        before: &Stored,
        what: &str,
    ) -> RuleResult {
        let matches = |e: &AdapterError| match expected {
            Refusal::Conflict(key) => e.conflict_key() == Some(key),
            Refusal::NotFound => e.kind() == ErrorKind::NotFound,
        };
        match result {
            Err(e) if matches(&e) => {}
            Err(e) => {
                return Err(Failure::new(format!(
                    "{what}: expected {expected}, got {e}"
                )));
            }
            Ok(v) => {
                return Err(Failure::new(format!(
                    "{what}: expected {expected}, it succeeded with {v:?}"
                )));
            }
        }
        self.unchanged(before, what).await
    }

    /// Fails unless `result` is a success or `NotFound` (both allowed for a write naming a
    /// missing row) and the store is still `before`.
    pub async fn harmless<T>(
        &self,
        result: Result<T, AdapterError>,
        before: &Stored,
        what: &str,
    ) -> RuleResult {
        if let Err(e) = result {
            check!(
                e.kind() == ErrorKind::NotFound,
                "{what}: expected success or NotFound, got {e}"
            );
        }
        self.unchanged(before, what).await
    }

    /// Fails unless the store is still `before` after `what`.
    pub async fn unchanged(&self, before: &Stored, what: &str) -> RuleResult {
        let after = self.stored().await?;
        check_eq!(after, *before, "the store after {what}");
        Ok(())
    }

    /// `user` as the adapter should hold it: its instants at the declared precision.
    pub fn as_stored(&self, user: &User) -> User {
        User {
            email_verified: user.email_verified.map(|t| self.stored_instant(t)),
            ..user.clone()
        }
    }
}

/// An id nobody has, shaped like `issued`, an id the adapter gave (`n` tells several apart).
/// Core only ever hands an adapter back ids it issued, so "a user nobody has" is asked with
/// one it could have issued: for an adapter of serial integer ids (`"7"`), an integer far
/// past any it gave in a rule; otherwise a UUID, as core's `crypto.randomUUID()`. Asking a
/// serial-id adapter for `"5f0c6a1e-…"` would report the database's refusal to compare it
/// with an integer column, which no application meets.
pub fn unknown_id_like(issued: &str, n: u32) -> String {
    if !issued.is_empty() && issued.len() < 10 && issued.bytes().all(|b| b.is_ascii_digit()) {
        (2_000_000_000 + u64::from(n)).to_string()
    } else {
        format!("5f0c6a1e-dddd-4ddd-8ddd-{n:012x}")
    }
}
