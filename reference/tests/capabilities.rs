//! The capability switches: e-mail matching, expired-session handling, `delete_user`,
//! `unlink_account` and timestamp precision, each checked in every setting
//! (contract-v3 §3.3, §3.6, §3.8, §3.10, §10 G1, G6, G8, §11).

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use nextauth_adapter::{
    Adapter, Capabilities, DeleteUserSupport, EmailMatching, ExpiredSessionHandling, Method,
    NewAccount, NewUser, TimestampPrecision, UniqueKey, UnlinkAccountSupport, User,
};

fn caps(f: impl FnOnce(&mut Capabilities)) -> Capabilities {
    let mut c = Capabilities::HARDENED;
    f(&mut c);
    c
}

#[tokio::test]
async fn the_adapter_declares_what_it_was_configured_with() {
    let f = fixture();
    assert_eq!(f.adapter.display_name(), "reference");
    assert_eq!(f.adapter.capabilities(), Capabilities::HARDENED);
    let g = fixture_with(Capabilities::V3_TYPEORM);
    assert_eq!(g.adapter.capabilities(), Capabilities::V3_TYPEORM);
}

// ---- e-mail matching -------------------------------------------------------------------

#[tokio::test]
async fn exact_matching_distinguishes_case() {
    let f = fixture_with(caps(|c| c.email_matching = EmailMatching::Exact));
    let upper = f
        .adapter
        .create_user(with_email("Foo@X.com"))
        .await
        .unwrap();
    assert_eq!(
        f.adapter
            .get_user_by_email(Some("foo@x.com"))
            .await
            .unwrap(),
        None
    );
    // A differently cased address is another key.
    let lower = f
        .adapter
        .create_user(with_email("foo@x.com"))
        .await
        .unwrap();
    assert_eq!(
        f.adapter
            .get_user_by_email(Some("Foo@X.com"))
            .await
            .unwrap(),
        Some(upper)
    );
    assert_eq!(
        f.adapter
            .get_user_by_email(Some("foo@x.com"))
            .await
            .unwrap(),
        Some(lower)
    );
    assert_eq!(f.adapter.snapshot().users.len(), 2);
}

#[tokio::test]
async fn case_insensitive_matching_finds_and_conflicts_across_case() {
    let f = fixture_with(caps(|c| c.email_matching = EmailMatching::CaseInsensitive));
    let u = f
        .adapter
        .create_user(with_email("Foo@X.com"))
        .await
        .unwrap();
    // Stored as given, never lowercased.
    assert_eq!(u.email.as_deref(), Some("Foo@X.com"));
    for probe in ["foo@x.com", "FOO@X.COM", "Foo@X.com"] {
        assert_eq!(
            f.adapter.get_user_by_email(Some(probe)).await.unwrap(),
            Some(u.clone()),
            "{probe}"
        );
    }
    let err = f
        .adapter
        .create_user(with_email("foo@x.com"))
        .await
        .unwrap_err();
    assert_conflict(&err, Method::CreateUser, UniqueKey::UserEmail);
    assert_eq!(f.adapter.snapshot().users, vec![u.clone()]);

    // A user may change the case of its own address; another user may not take it.
    let recased = f
        .adapter
        .update_user(&User {
            email: Some("FOO@x.com".to_owned()),
            ..u.clone()
        })
        .await
        .unwrap();
    assert_eq!(recased.email.as_deref(), Some("FOO@x.com"));
    let b = f.adapter.create_user(bob()).await.unwrap();
    let err = f
        .adapter
        .update_user(&User {
            email: Some("foo@X.COM".to_owned()),
            ..b
        })
        .await
        .unwrap_err();
    assert_conflict(&err, Method::UpdateUser, UniqueKey::UserEmail);
}

// ---- expired sessions ------------------------------------------------------------------

#[tokio::test]
async fn expired_session_delete_on_read_removes_the_row() {
    let f = fixture_with(caps(|c| {
        c.expired_session = ExpiredSessionHandling::DeleteOnRead;
    }));
    let u = f.adapter.create_user(alice()).await.unwrap();
    let s = f.adapter.create_session(&u).await.unwrap();
    f.clock.set(s.expires + us1());
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        None
    );
    assert!(f.adapter.snapshot().sessions.is_empty());
}

#[tokio::test]
async fn expired_session_keep_row_leaves_the_row() {
    let f = fixture_with(caps(|c| {
        c.expired_session = ExpiredSessionHandling::KeepRow
    }));
    let u = f.adapter.create_user(alice()).await.unwrap();
    let s = f.adapter.create_session(&u).await.unwrap();
    f.clock.set(s.expires + us1());
    for _ in 0..2 {
        assert_eq!(
            f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
            None
        );
    }
    assert_eq!(f.adapter.snapshot().sessions, vec![s.clone()]);
    // Still valid when read at its expiry instant.
    f.clock.set(s.expires);
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        Some(s)
    );
}

// ---- delete_user -----------------------------------------------------------------------

/// Alice and Bob, each with an account and a session.
async fn two_users_with_rows(f: &Fixture) -> (User, User) {
    let a = f.adapter.create_user(alice()).await.unwrap();
    let b = f.adapter.create_user(bob()).await.unwrap();
    for (u, pid) in [(&a, "1"), (&b, "2")] {
        f.adapter
            .link_account(oauth_account(&u.id, "github", pid))
            .await
            .unwrap();
        f.adapter.create_session(u).await.unwrap();
    }
    (a, b)
}

#[tokio::test]
async fn delete_user_unsupported_is_an_error_and_changes_nothing() {
    let f = fixture_with(caps(|c| c.delete_user = DeleteUserSupport::Unsupported));
    let (a, _) = two_users_with_rows(&f).await;
    let before = f.adapter.snapshot();
    for id in [a.id.as_str(), "999"] {
        let err = f.adapter.delete_user(id).await.unwrap_err();
        assert_unsupported(&err, Method::DeleteUser);
        assert_eq!(f.adapter.snapshot(), before);
    }
}

#[tokio::test]
async fn delete_user_user_only_leaves_orphan_accounts_and_sessions() {
    let f = fixture_with(caps(|c| c.delete_user = DeleteUserSupport::UserOnly));
    let (a, b) = two_users_with_rows(&f).await;
    let before = f.adapter.snapshot();
    f.adapter.delete_user(&a.id).await.unwrap();
    let after = f.adapter.snapshot();
    assert_eq!(after.users, vec![b.clone()]);
    assert_eq!(after.accounts, before.accounts);
    assert_eq!(after.sessions, before.sessions);
    assert_eq!(f.adapter.get_user(&a.id).await.unwrap(), None);
    // The orphan account leads to no user (contract-v3 §10 G8).
    assert_eq!(
        f.adapter
            .get_user_by_provider_account_id("github", "1")
            .await
            .unwrap(),
        None
    );
    // ...and still blocks relinking the provider account.
    let err = f
        .adapter
        .link_account(oauth_account(&b.id, "github", "1"))
        .await
        .unwrap_err();
    assert_conflict(&err, Method::LinkAccount, UniqueKey::AccountCompoundId);
    assert_eq!(
        f.adapter
            .get_user_by_provider_account_id("github", "2")
            .await
            .unwrap(),
        Some(b)
    );
}

#[tokio::test]
async fn delete_user_cascade_removes_its_accounts_and_sessions_only() {
    let f = fixture_with(caps(|c| c.delete_user = DeleteUserSupport::Cascade));
    let (a, b) = two_users_with_rows(&f).await;
    let before = f.adapter.snapshot();
    let a_session = before
        .sessions
        .iter()
        .find(|s| s.user_id == a.id)
        .unwrap()
        .clone();
    f.adapter.delete_user(&a.id).await.unwrap();
    let after = f.adapter.snapshot();
    assert_eq!(after.users, vec![b.clone()]);
    let b_accounts: Vec<_> = before
        .accounts
        .iter()
        .filter(|x| x.user_id == b.id)
        .cloned()
        .collect();
    let b_sessions: Vec<_> = before
        .sessions
        .iter()
        .filter(|x| x.user_id == b.id)
        .cloned()
        .collect();
    assert_eq!(b_accounts.len(), 1);
    assert_eq!(b_sessions.len(), 1);
    assert_eq!(after.accounts, b_accounts);
    assert_eq!(after.sessions, b_sessions);
    assert_eq!(
        f.adapter
            .get_session(Some(&a_session.session_token))
            .await
            .unwrap(),
        None
    );
    // The provider account is free again.
    f.adapter
        .link_account(oauth_account(&b.id, "github", "1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_user_cascade_of_a_missing_user_changes_nothing() {
    // Another user's rows are not this call's business (no orphan can be made to point at
    // the missing id: link_account refuses a user nobody has).
    let f = fixture_with(caps(|c| c.delete_user = DeleteUserSupport::Cascade));
    let u = f.adapter.create_user(alice()).await.unwrap();
    f.adapter
        .link_account(oauth_account(&u.id, "github", "1"))
        .await
        .unwrap();
    f.adapter.create_session(&u).await.unwrap();
    let before = f.adapter.snapshot();
    f.adapter.delete_user("5").await.unwrap();
    assert_eq!(f.adapter.snapshot(), before);
}

// ---- unlink_account --------------------------------------------------------------------

#[tokio::test]
async fn unlink_account_unsupported_is_an_error_and_changes_nothing() {
    let f = fixture_with(caps(|c| {
        c.unlink_account = UnlinkAccountSupport::Unsupported
    }));
    let (a, _) = two_users_with_rows(&f).await;
    let before = f.adapter.snapshot();
    let err = f
        .adapter
        .unlink_account(&a.id, "github", "1")
        .await
        .unwrap_err();
    assert_unsupported(&err, Method::UnlinkAccount);
    let err = f
        .adapter
        .unlink_account("999", "nothing", "here")
        .await
        .unwrap_err();
    assert_unsupported(&err, Method::UnlinkAccount);
    assert_eq!(f.adapter.snapshot(), before);
}

#[tokio::test]
async fn unlink_account_supported_removes_only_the_given_users_account() {
    let f = fixture_with(caps(|c| c.unlink_account = UnlinkAccountSupport::Supported));
    let (a, b) = two_users_with_rows(&f).await;
    let before = f.adapter.snapshot();
    f.adapter
        .unlink_account(&b.id, "github", "1")
        .await
        .unwrap();
    assert_eq!(f.adapter.snapshot(), before, "another user's id leaves it");
    f.adapter
        .unlink_account(&a.id, "github", "1")
        .await
        .unwrap();
    let after = f.adapter.snapshot();
    assert_eq!(after.accounts.len(), 1);
    assert_eq!(after.accounts[0].user_id, b.id);
    assert_eq!(after.users, before.users);
    assert_eq!(after.sessions, before.sessions);
}

// ---- timestamp precision ---------------------------------------------------------------

/// `t0` plus 1.234567891 seconds: digits at every precision.
fn ragged() -> DateTime<Utc> {
    t0() + Duration::nanoseconds(1_234_567_891)
}

async fn every_timestamp(precision: TimestampPrecision) -> Vec<(String, DateTime<Utc>)> {
    let f = fixture_with(caps(|c| c.timestamp_precision = precision));
    f.clock.set(ragged());
    let u = f
        .adapter
        .create_user(NewUser {
            email_verified: Some(t0()),
            ..alice()
        })
        .await
        .unwrap();
    let updated = f
        .adapter
        .update_user(&User {
            email_verified: Some(ragged() + Duration::nanoseconds(1)),
            ..u.clone()
        })
        .await
        .unwrap();
    let acc = f
        .adapter
        .link_account(NewAccount {
            access_token_expires: Some(ragged()),
            ..oauth_account(&u.id, "github", "1")
        })
        .await
        .unwrap();
    let s = f.adapter.create_session(&u).await.unwrap();
    let (_, provider) = email_provider();
    let v = f
        .adapter
        .create_verification_request("a@x.com", "url", "tok", SECRET, &provider)
        .await
        .unwrap();
    let snap = f.adapter.snapshot();
    assert_eq!(snap.users, vec![updated.clone()]);
    assert_eq!(snap.accounts, vec![acc.clone()]);
    assert_eq!(snap.sessions, vec![s.clone()]);
    assert_eq!(snap.verification_requests, vec![v.clone()]);
    vec![
        ("user.created_at".into(), u.created_at),
        (
            "user.email_verified (create)".into(),
            u.email_verified.unwrap(),
        ),
        ("user.updated_at".into(), updated.updated_at),
        (
            "user.email_verified (update)".into(),
            updated.email_verified.unwrap(),
        ),
        ("account.created_at".into(), acc.created_at),
        (
            "account.access_token_expires".into(),
            acc.access_token_expires.unwrap(),
        ),
        ("session.created_at".into(), s.created_at),
        (
            "session.expires (− 30 days)".into(),
            s.expires - Duration::days(30),
        ),
        ("verification.created_at".into(), v.created_at),
        (
            "verification.expires (− 24 h)".into(),
            v.expires - Duration::hours(24),
        ),
    ]
}

#[tokio::test]
async fn second_precision_truncates_every_stored_instant() {
    for (what, t) in every_timestamp(TimestampPrecision::Second).await {
        assert_eq!(t, t0() + Duration::seconds(1), "{what}");
    }
}

#[tokio::test]
async fn millisecond_precision_truncates_every_stored_instant() {
    for (what, t) in every_timestamp(TimestampPrecision::Millisecond).await {
        assert_eq!(t, t0() + Duration::milliseconds(1_234), "{what}");
    }
}

#[tokio::test]
async fn microsecond_precision_truncates_every_stored_instant() {
    for (what, t) in every_timestamp(TimestampPrecision::Microsecond).await {
        assert_eq!(t, t0() + Duration::microseconds(1_234_567), "{what}");
    }
}

#[tokio::test]
async fn expiry_decisions_compare_the_clock_with_the_stored_instant() {
    // At second precision a session created at t0+0.5s expires at t0+30d (truncated), so it
    // is already expired half a second before "now + max_age".
    let f = fixture_with(caps(|c| c.timestamp_precision = TimestampPrecision::Second));
    f.clock.set(t0() + Duration::milliseconds(500));
    let u = f.adapter.create_user(alice()).await.unwrap();
    let s = f.adapter.create_session(&u).await.unwrap();
    assert_eq!(s.expires, t0() + Duration::days(30));
    f.clock.set(t0() + Duration::days(30));
    assert!(
        f.adapter
            .get_session(Some(&s.session_token))
            .await
            .unwrap()
            .is_some()
    );
    // The adapter reads its clock at its declared precision (whole seconds): a microsecond
    // past the expiry is still the expiry's second, one second past it is expired.
    f.clock.set(t0() + Duration::days(30) + us1());
    assert!(
        f.adapter
            .get_session(Some(&s.session_token))
            .await
            .unwrap()
            .is_some()
    );
    f.clock
        .set(t0() + Duration::days(30) + Duration::seconds(1));
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        None
    );
}
