//! Sessions: `create_session`, `get_session`, `update_session` (rolling expiry) and
//! `delete_session`, with every expiry boundary hit exactly by stepping the clock
//! (contract-v3 §3.9–§3.12, §10 G6, G7, G20).

mod common;

use chrono::Duration;
use common::*;
use nextauth_adapter::{
    Adapter, AdapterError, Entity, ErrorKind, Method, Session, SessionPolicy, User, formulas,
};

const DAY: i64 = 24 * 60 * 60;

async fn user(f: &Fixture) -> User {
    f.adapter.create_user(alice()).await.unwrap()
}

#[tokio::test]
async fn create_session_expires_max_age_from_now_with_fresh_tokens() {
    let f = fixture();
    let u = user(&f).await;
    f.at(Duration::seconds(5));
    let s = f.adapter.create_session(&u).await.unwrap();
    assert_eq!(s.id, "1");
    assert_eq!(s.user_id, u.id);
    assert_eq!(s.expires, t0() + Duration::seconds(5) + Duration::days(30));
    assert_eq!(s.created_at, t0() + Duration::seconds(5));
    assert_eq!(s.updated_at, t0() + Duration::seconds(5));
    assert!(
        formulas::is_token_shaped(&s.session_token),
        "{}",
        s.session_token
    );
    assert!(
        formulas::is_token_shaped(&s.access_token),
        "{}",
        s.access_token
    );
    assert_ne!(s.session_token, s.access_token);
    assert_eq!(f.adapter.snapshot().sessions, vec![s]);
}

#[tokio::test]
async fn create_session_follows_the_configured_max_age() {
    let f =
        fixture_with_policy(SessionPolicy::new(Duration::hours(1), Duration::minutes(5)).unwrap());
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    assert_eq!(s.expires, t0() + Duration::hours(1));
}

#[tokio::test]
async fn session_tokens_are_64_hex_and_distinct() {
    let f = fixture();
    let u = user(&f).await;
    let mut tokens = Vec::new();
    for _ in 0..50 {
        let s = f.adapter.create_session(&u).await.unwrap();
        assert!(formulas::is_token_shaped(&s.session_token));
        assert!(formulas::is_token_shaped(&s.access_token));
        tokens.push(s.session_token);
        tokens.push(s.access_token);
    }
    let n = tokens.len();
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), n);
    assert_eq!(f.adapter.snapshot().sessions.len(), 50);
}

#[tokio::test]
async fn get_session_finds_by_token() {
    let f = fixture();
    let u = user(&f).await;
    let s1 = f.adapter.create_session(&u).await.unwrap();
    let s2 = f.adapter.create_session(&u).await.unwrap();
    assert_eq!(
        f.adapter
            .get_session(Some(&s1.session_token))
            .await
            .unwrap(),
        Some(s1.clone())
    );
    assert_eq!(
        f.adapter
            .get_session(Some(&s2.session_token))
            .await
            .unwrap(),
        Some(s2)
    );
    // The session's access token is not a session token.
    assert_eq!(
        f.adapter.get_session(Some(&s1.access_token)).await.unwrap(),
        None
    );
    assert_eq!(
        f.adapter
            .get_session(Some(&s1.session_token.to_uppercase()))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn get_session_of_non_tokens_is_none() {
    let f = fixture();
    let u = user(&f).await;
    f.adapter.create_session(&u).await.unwrap();
    let jwt = format!(
        "eyJhbGciOiJIUzUxMiJ9.{}.c2lnbmF0dXJl",
        "eyJzdWIiOiIxIn0".repeat(30)
    );
    assert!(jwt.len() > 255);
    assert_eq!(f.adapter.get_session(None).await.unwrap(), None);
    assert_eq!(f.adapter.get_session(Some("")).await.unwrap(), None);
    assert_eq!(f.adapter.get_session(Some(&jwt)).await.unwrap(), None);
    assert_eq!(
        f.adapter.get_session(Some(&"0".repeat(64))).await.unwrap(),
        None
    );
    assert_eq!(f.adapter.snapshot().sessions.len(), 1);
}

#[tokio::test]
async fn session_expiring_exactly_now_is_valid() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    f.clock.set(s.expires);
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        Some(s.clone())
    );
    assert_eq!(f.adapter.snapshot().sessions, vec![s]);
}

#[tokio::test]
async fn session_one_microsecond_past_expiry_is_none_and_deleted() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    let other = f.adapter.create_session(&u).await.unwrap();
    assert_eq!(s.expires, t0() + Duration::days(30));
    f.clock.set(s.expires + us1());
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        None
    );
    // Hardened default: deleted on read; the other (equally expired, unread) row stays.
    assert_eq!(f.adapter.snapshot().sessions, vec![other]);
    // Stepping back does not resurrect it.
    f.clock.set(t0());
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn update_session_not_due_without_force_is_none_and_writes_nothing() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    f.at(Duration::hours(1));
    let before = f.adapter.snapshot();
    let mut arg = s.clone();
    assert_eq!(
        f.adapter.update_session(&mut arg, false).await.unwrap(),
        None
    );
    assert_eq!(arg, s, "the argument is untouched");
    assert_eq!(f.adapter.snapshot(), before);
}

#[tokio::test]
async fn update_session_exactly_at_the_due_time_is_not_due() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    // due = expires − max_age + update_age = t0 + 1 day.
    f.at(Duration::seconds(DAY));
    let before = f.adapter.snapshot();
    let mut arg = s.clone();
    assert_eq!(
        f.adapter.update_session(&mut arg, false).await.unwrap(),
        None
    );
    assert_eq!(arg, s);
    assert_eq!(f.adapter.snapshot(), before);
}

#[tokio::test]
async fn update_session_one_microsecond_after_the_due_time_extends_it() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    let now = t0() + Duration::seconds(DAY) + us1();
    f.clock.set(now);
    let mut arg = s.clone();
    let returned = f.adapter.update_session(&mut arg, false).await.unwrap();
    let expected = Session {
        expires: now + Duration::days(30),
        updated_at: now,
        ..s.clone()
    };
    assert_eq!(returned, Some(expected.clone()));
    // v3 core reads the new expiry from the argument (contract-v3 §3.11).
    assert_eq!(arg, expected);
    assert_eq!(f.adapter.snapshot().sessions, vec![expected.clone()]);
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        Some(expected.clone())
    );

    // The next extension is due one day after this one, not before.
    f.clock.set(now + Duration::seconds(DAY));
    let mut again = expected.clone();
    assert_eq!(
        f.adapter.update_session(&mut again, false).await.unwrap(),
        None
    );
    f.clock.set(now + Duration::seconds(DAY) + us1());
    let later = f
        .adapter
        .update_session(&mut again, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        later.expires,
        now + Duration::seconds(DAY) + us1() + Duration::days(30)
    );
}

#[tokio::test]
async fn update_session_forced_when_not_due_stores_it_unchanged() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    f.at(Duration::hours(3));
    let mut arg = s.clone();
    let returned = f
        .adapter
        .update_session(&mut arg, true)
        .await
        .unwrap()
        .expect("force returns the session");
    // Saved as it was: same id, user, tokens and expiry; only the save bumps updated_at,
    // as v3's TypeORM save does (contract-v3 §3.11).
    assert_eq!(
        returned,
        Session {
            updated_at: t0() + Duration::hours(3),
            ..s.clone()
        }
    );
    assert_eq!(
        returned.expires,
        t0() + Duration::days(30),
        "expires unchanged"
    );
    assert_eq!(arg, returned);
    let stored = f.adapter.snapshot().sessions;
    assert_eq!(stored, vec![returned]);
    assert_eq!(stored[0].expires, s.expires);
}

#[tokio::test]
async fn update_session_forced_when_due_extends_it() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    let now = t0() + Duration::days(2);
    f.clock.set(now);
    let mut arg = s.clone();
    let returned = f
        .adapter
        .update_session(&mut arg, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(returned.expires, now + Duration::days(30));
    assert_eq!(arg.expires, now + Duration::days(30));
}

#[tokio::test]
async fn update_age_zero_extends_on_every_read_after_creation() {
    let f = fixture_with_policy(SessionPolicy::new(Duration::hours(1), Duration::zero()).unwrap());
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    let mut arg = s.clone();
    // At the creation instant itself it is not yet due (strict >).
    assert_eq!(
        f.adapter.update_session(&mut arg, false).await.unwrap(),
        None
    );
    f.clock.set(t0() + us1());
    let r = f
        .adapter
        .update_session(&mut arg, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.expires, t0() + us1() + Duration::hours(1));
}

#[tokio::test]
async fn update_age_beyond_max_age_never_rolls() {
    let f =
        fixture_with_policy(SessionPolicy::new(Duration::hours(1), Duration::hours(2)).unwrap());
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    f.clock.set(s.expires);
    let mut arg = s.clone();
    assert_eq!(
        f.adapter.update_session(&mut arg, false).await.unwrap(),
        None
    );
    assert_eq!(f.adapter.snapshot().sessions, vec![s]);
}

#[tokio::test]
async fn update_session_of_a_deleted_session_is_not_found_and_not_resurrected() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    f.adapter
        .delete_session(Some(&s.session_token))
        .await
        .unwrap();
    assert!(f.adapter.snapshot().sessions.is_empty());
    f.at(Duration::days(2));
    for force in [false, true] {
        let mut arg = s.clone();
        let err = f.adapter.update_session(&mut arg, force).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        match &err {
            AdapterError::NotFound { method, entity, id } => {
                assert_eq!(*method, Method::UpdateSession);
                assert_eq!(*entity, Entity::Session);
                assert_eq!(id, &s.id);
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert_eq!(arg, s, "the argument is untouched on error");
        assert!(f.adapter.snapshot().sessions.is_empty(), "not resurrected");
    }
    assert_eq!(
        f.adapter.get_session(Some(&s.session_token)).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn delete_session_removes_only_that_session() {
    let f = fixture();
    let u = user(&f).await;
    let s1 = f.adapter.create_session(&u).await.unwrap();
    let s2 = f.adapter.create_session(&u).await.unwrap();
    f.adapter
        .delete_session(Some(&s1.session_token))
        .await
        .unwrap();
    assert_eq!(f.adapter.snapshot().sessions, vec![s2.clone()]);
    assert_eq!(
        f.adapter
            .get_session(Some(&s1.session_token))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        f.adapter
            .get_session(Some(&s2.session_token))
            .await
            .unwrap(),
        Some(s2)
    );
}

#[tokio::test]
async fn delete_session_of_a_missing_token_is_ok_and_changes_nothing() {
    let f = fixture();
    let u = user(&f).await;
    let s = f.adapter.create_session(&u).await.unwrap();
    let before = f.adapter.snapshot();
    f.adapter.delete_session(None).await.unwrap();
    f.adapter.delete_session(Some("")).await.unwrap();
    f.adapter
        .delete_session(Some(&"f".repeat(64)))
        .await
        .unwrap();
    // The access token is not a session token.
    f.adapter
        .delete_session(Some(&s.access_token))
        .await
        .unwrap();
    assert_eq!(f.adapter.snapshot(), before);
    // Deleting twice is fine too.
    f.adapter
        .delete_session(Some(&s.session_token))
        .await
        .unwrap();
    f.adapter
        .delete_session(Some(&s.session_token))
        .await
        .unwrap();
    assert!(f.adapter.snapshot().sessions.is_empty());
}

#[tokio::test]
async fn create_session_refuses_a_user_id_the_adapter_could_not_have_issued() {
    // An integer-keyed store cannot hold a non-numeric id: the reference models that as
    // InvalidInput, before it looks for the user.
    let f = fixture();
    let ghost = User {
        id: "abc".to_owned(),
        ..user(&f).await
    };
    let err = f.adapter.create_session(&ghost).await.unwrap_err();
    assert_invalid(&err, Method::CreateSession, "user.id");
    assert!(f.adapter.snapshot().sessions.is_empty());
    // A well-formed id of no user is NotFound, nothing written (v3 did not check:
    // session.create.missing-user-refused).
    let orphan = User {
        id: "999".to_owned(),
        ..ghost
    };
    let err = f.adapter.create_session(&orphan).await.unwrap_err();
    assert_user_not_found(&err, Method::CreateSession, "999");
    assert!(f.adapter.snapshot().sessions.is_empty());
}
