//! Setup shared by the reference adapter's tests: a clock standing at a fixed instant, an
//! adapter with chosen capabilities reading it, sample profiles and accounts, and e-mail
//! providers whose senders the tests can inspect.
//!
//! Every test file compiles this module separately and uses only part of it.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use nextauth_adapter::{
    AdapterConfig, AdapterError, Capabilities, EmailProvider, ErrorKind, ManualClock, Method,
    NewAccount, NewUser, RecordingSender, SessionPolicy, UniqueKey, VerificationSender,
};
use nextauth_adapter_reference::ReferenceAdapter;
use std::sync::Arc;

/// The instant every test starts at: 2026-01-01T00:00:00Z.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// One microsecond: the smallest step the reference adapter distinguishes by default.
pub fn us1() -> Duration {
    Duration::microseconds(1)
}

/// The base URL the fixtures configure (not v3's default, so that tests see it is passed on).
pub const BASE_URL: &str = "https://app.example.test";

/// The secret the verification tests hash with.
pub const SECRET: &str = "VERY SECRET";

/// A clock the test steps and the adapter reads.
pub struct Fixture {
    /// Steps the time the adapter sees.
    pub clock: ManualClock,
    /// The adapter under test.
    pub adapter: Arc<ReferenceAdapter>,
}

impl Fixture {
    /// Moves the clock to `t0() + offset`.
    pub fn at(&self, offset: Duration) {
        self.clock.set(t0() + offset);
    }
}

/// The hardened reference adapter with v3's default session policy, at `t0()`.
pub fn fixture() -> Fixture {
    fixture_with(Capabilities::HARDENED)
}

/// A reference adapter with `capabilities` and v3's default session policy, at `t0()`.
pub fn fixture_with(capabilities: Capabilities) -> Fixture {
    fixture_full(capabilities, SessionPolicy::default())
}

/// A hardened reference adapter with the given session policy, at `t0()`.
pub fn fixture_with_policy(policy: SessionPolicy) -> Fixture {
    fixture_full(Capabilities::HARDENED, policy)
}

/// A reference adapter with everything chosen, at `t0()`.
pub fn fixture_full(capabilities: Capabilities, session: SessionPolicy) -> Fixture {
    let clock = ManualClock::new(t0());
    let config = AdapterConfig {
        clock: clock.shared(),
        session,
        base_url: BASE_URL.to_owned(),
    };
    Fixture {
        clock,
        adapter: Arc::new(ReferenceAdapter::with_capabilities(config, capabilities)),
    }
}

/// An OAuth profile with every field set; the e-mail is mixed-case on purpose (the adapter
/// must store it as given).
pub fn alice() -> NewUser {
    NewUser {
        name: Some("Alice Liddell".to_owned()),
        email: Some("Alice@Example.com".to_owned()),
        image: Some("https://avatars.example.test/alice.png".to_owned()),
        email_verified: None,
    }
}

/// A second, unrelated profile.
pub fn bob() -> NewUser {
    NewUser {
        name: Some("Bob".to_owned()),
        email: Some("bob@example.com".to_owned()),
        image: None,
        email_verified: None,
    }
}

/// A profile with only an e-mail address, as the e-mail flow builds it.
pub fn with_email(email: &str) -> NewUser {
    NewUser {
        email: Some(email.to_owned()),
        ..NewUser::default()
    }
}

/// A profile without an e-mail address (e.g. a Twitter sign-in).
pub fn without_email(name: &str) -> NewUser {
    NewUser {
        name: Some(name.to_owned()),
        ..NewUser::default()
    }
}

/// An OAuth account as v3 core links it: `access_token_expires` is always `None`.
pub fn oauth_account(user_id: &str, provider_id: &str, provider_account_id: &str) -> NewAccount {
    NewAccount {
        user_id: user_id.to_owned(),
        provider_id: provider_id.to_owned(),
        provider_type: "oauth".to_owned(),
        provider_account_id: provider_account_id.to_owned(),
        refresh_token: Some(format!("refresh-{provider_id}-{provider_account_id}")),
        access_token: Some(format!("access-{provider_id}-{provider_account_id}")),
        access_token_expires: None,
    }
}

/// An e-mail provider with id `"email"`, v3's 24-hour link lifetime and a recording sender.
pub fn email_provider() -> (RecordingSender, EmailProvider) {
    let sender = RecordingSender::new();
    let provider = EmailProvider::new(Arc::new(sender.clone()));
    (sender, provider)
}

/// An e-mail provider with v3's defaults and the given sender.
pub fn provider_with(sender: Arc<dyn VerificationSender>) -> EmailProvider {
    EmailProvider::new(sender)
}

/// Asserts that `err` is a conflict of `method` on `key`.
#[track_caller]
pub fn assert_conflict(err: &AdapterError, method: Method, key: UniqueKey) {
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert_eq!(err.method(), method, "{err}");
    assert_eq!(err.conflict_key(), Some(key), "{err}");
}

/// Asserts that `err` is invalid input to `method`, naming `field`.
#[track_caller]
pub fn assert_invalid(err: &AdapterError, method: Method, field: &str) {
    match err {
        AdapterError::InvalidInput {
            method: m,
            field: f,
            ..
        } => {
            assert_eq!(*m, method, "{err}");
            assert_eq!(f, field, "{err}");
        }
        other => panic!("expected InvalidInput naming {field}, got {other:?}"),
    }
}

/// Asserts that `err` is `method`'s NotFound of the user `id`.
#[track_caller]
pub fn assert_user_not_found(err: &AdapterError, method: Method, id: &str) {
    match err {
        AdapterError::NotFound {
            method: m,
            entity: nextauth_adapter::Entity::User,
            id: i,
        } => {
            assert_eq!(*m, method, "{err}");
            assert_eq!(i, id, "{err}");
        }
        other => panic!("expected NotFound of user {id}, got {other:?}"),
    }
}

/// Asserts that `err` says `method` is not supported.
#[track_caller]
pub fn assert_unsupported(err: &AdapterError, method: Method) {
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert_eq!(err.method(), method, "{err}");
}
