//! What a rule's body works with: its own adapter, inspector, clock and e-mail provider.

use crate::inspector::{Inspector, Stored};
use crate::rule::{Failure, RuleResult};
use chrono::{DateTime, Duration, TimeZone, Utc};
use nextauth_adapter::{
    Account, AdapterConfig, Capabilities, EmailProvider, ManualClock, NewAccount, NewUser,
    RecordingSender, Session, SharedAdapter, User, VerificationRequest, formulas,
};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// The instant every rule's clock starts at: fixed, so failures replay exactly, and well
/// inside every backend's timestamp range.
pub fn start_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 10, 30, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// The secret rules pass to the verification methods (`appOptions.secret`).
pub const SECRET: &str = "conformance-secret";

/// One rule's world: a fresh adapter over an empty namespace, the inspector of that
/// namespace, the manual clock the adapter reads, and an e-mail provider whose sender records.
pub struct Ctx {
    /// The adapter under test.
    pub adapter: SharedAdapter,
    /// Raw reads of the adapter's namespace.
    pub inspector: Arc<dyn Inspector>,
    /// The clock the adapter reads; rules step it.
    pub clock: ManualClock,
    /// The configuration the adapter was built with.
    pub config: AdapterConfig,
    /// What the backend declares.
    pub caps: Capabilities,
    /// Records every message the provider sends.
    pub sender: RecordingSender,
    /// The e-mail provider passed to the verification methods.
    pub provider: EmailProvider,
    counter: AtomicU32,
    raw_tokens: Arc<Mutex<Vec<String>>>,
}

impl Ctx {
    /// A context over an opened adapter.
    pub fn new(
        adapter: SharedAdapter,
        inspector: Arc<dyn Inspector>,
        clock: ManualClock,
        config: AdapterConfig,
        caps: Capabilities,
    ) -> Self {
        let sender = RecordingSender::new();
        let provider = EmailProvider::new(Arc::new(sender.clone()));
        Ctx {
            adapter,
            inspector,
            clock,
            config,
            caps,
            sender,
            provider,
            counter: AtomicU32::new(0),
            raw_tokens: Arc::default(),
        }
    }

    /// Records a raw verification token the rule hands to the adapter, so that a failure can
    /// be diagnosed as the token stored raw ([`raw_token_stored`](Self::raw_token_stored)).
    /// [`verification`](Self::verification) records its own.
    pub fn note_raw_token(&self, token: &str) {
        self.raw_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(token.to_owned());
    }

    /// The raw verification tokens this rule handed to the adapter, shared with the runner.
    pub fn raw_tokens(&self) -> Arc<Mutex<Vec<String>>> {
        Arc::clone(&self.raw_tokens)
    }

    /// Whether a raw token of `issued` is stored as a verification request's token.
    pub async fn raw_token_stored(inspector: &dyn Inspector, issued: &Mutex<Vec<String>>) -> bool {
        let issued = issued.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if issued.is_empty() {
            return false;
        }
        inspector.stored().await.is_ok_and(|s| {
            s.verification_requests
                .iter()
                .any(|v| issued.contains(&v.token))
        })
    }

    /// The adapter's current time.
    pub fn now(&self) -> DateTime<Utc> {
        use nextauth_adapter::Clock;
        self.clock.now()
    }

    /// Steps the adapter's clock.
    pub fn advance(&self, step: Duration) {
        self.clock.advance(step);
    }

    /// Sets the adapter's clock.
    pub fn set_now(&self, instant: DateTime<Utc>) {
        self.clock.set(instant);
    }

    /// The smallest clock step the adapter is sure to observe at its declared precision:
    /// rules check "just past a boundary" at the boundary plus this.
    pub fn tick(&self) -> Duration {
        self.caps.timestamp_precision.step()
    }

    /// `t` as the backend stores it, at its declared precision.
    pub fn stored_instant(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.caps.timestamp_precision.apply(t)
    }

    /// Fails unless `actual` is `expected` within the declared timestamp precision.
    pub fn check_instant(
        &self,
        actual: DateTime<Utc>,
        expected: DateTime<Utc>,
        what: &str,
    ) -> RuleResult {
        let tolerance = self.caps.timestamp_precision.tolerance();
        if (actual - expected).abs() > tolerance {
            return Err(Failure::new(format!(
                "{what}: expected {expected:?} (± {tolerance}), got {actual:?}"
            )));
        }
        Ok(())
    }

    /// A number unique within this rule, for distinct sample values.
    pub fn next_n(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A profile with a unique e-mail address, as v3 core builds it (lowercased address).
    pub fn profile(&self) -> NewUser {
        let n = self.next_n();
        NewUser {
            name: Some(format!("User {n}")),
            email: Some(format!("user{n}@example.com")),
            image: Some(format!("https://example.com/avatar/{n}.png")),
            email_verified: None,
        }
    }

    /// Creates a user from a fresh [`profile`](Self::profile).
    pub async fn user(&self) -> Result<User, Failure> {
        Ok(self.adapter.create_user(self.profile()).await?)
    }

    /// Creates a user with only an e-mail address, as v3's e-mail flow does.
    pub async fn user_with_email(&self, email: &str) -> Result<User, Failure> {
        let profile = NewUser {
            email: Some(email.to_owned()),
            ..NewUser::default()
        };
        Ok(self.adapter.create_user(profile).await?)
    }

    /// The arguments of a `link_account` of a fresh provider account to `user`, as v3 core
    /// passes them for an OAuth2 provider.
    pub fn new_account(&self, user: &User, provider_id: &str) -> NewAccount {
        let n = self.next_n();
        NewAccount {
            user_id: user.id.clone(),
            provider_id: provider_id.to_owned(),
            provider_type: "oauth".to_owned(),
            provider_account_id: format!("{}", 100_000 + n),
            refresh_token: Some(format!("refresh-{n}")),
            access_token: Some(format!("access-{n}")),
            access_token_expires: None,
        }
    }

    /// A user id nobody has, of the kind the adapter issued as `issued`: core hands an adapter
    /// back only ids it issued, so "a user nobody has" is asked with one of that shape (an
    /// integer past `issued` for serial ids, `issued` with its last hex digit changed for
    /// ObjectIds and UUIDs, `issued` with a suffix otherwise).
    pub fn unknown_user_id(&self, issued: &str) -> String {
        if let Ok(n) = issued.parse::<u64>() {
            return (n + 1000).to_string();
        }
        match issued.chars().last() {
            Some(c) if c.is_ascii_hexdigit() => {
                let other = if c == '0' { '1' } else { '0' };
                format!("{}{other}", &issued[..issued.len() - 1])
            }
            _ => format!("{issued}-nobody"),
        }
    }

    /// Links a fresh provider account of `provider_id` to `user`.
    pub async fn account(&self, user: &User, provider_id: &str) -> Result<Account, Failure> {
        Ok(self
            .adapter
            .link_account(self.new_account(user, provider_id))
            .await?)
    }

    /// Starts a session for `user`.
    pub async fn session(&self, user: &User) -> Result<Session, Failure> {
        Ok(self.adapter.create_session(user).await?)
    }

    /// Creates a verification request for `identifier` with a fresh random token; returns the
    /// raw token and the stored request.
    pub async fn verification(
        &self,
        identifier: &str,
    ) -> Result<(String, VerificationRequest), Failure> {
        let token = formulas::random_token();
        self.note_raw_token(&token);
        let url = formulas::verification_url(
            &self.config.base_url,
            "/api/auth",
            &self.provider.id,
            identifier,
            &token,
        );
        let request = self
            .adapter
            .create_verification_request(identifier, &url, &token, SECRET, &self.provider)
            .await?;
        Ok((token, request))
    }

    /// Everything stored, read through the inspector.
    pub async fn stored(&self) -> Result<Stored, Failure> {
        Ok(self.inspector.stored().await?)
    }
}
