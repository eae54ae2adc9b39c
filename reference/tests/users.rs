//! Users: `create_user`, `get_user`, `get_user_by_email`, `update_user` and the missing-row
//! case of `delete_user` (contract-v3 §3.1–§3.6).

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use nextauth_adapter::{
    Adapter, AdapterError, Entity, ErrorKind, Method, NewUser, UniqueKey, User,
};

#[tokio::test]
async fn create_user_stores_the_profile_as_given_and_issues_sequential_ids() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    assert_eq!(
        a,
        User {
            id: "1".to_owned(),
            name: Some("Alice Liddell".to_owned()),
            // Not lowercased: the adapter never normalises.
            email: Some("Alice@Example.com".to_owned()),
            email_verified: None,
            image: Some("https://avatars.example.test/alice.png".to_owned()),
            created_at: t0(),
            updated_at: t0(),
        }
    );
    f.at(Duration::seconds(3));
    let b = f.adapter.create_user(bob()).await.unwrap();
    assert_eq!(b.id, "2");
    assert_eq!(b.created_at, t0() + Duration::seconds(3));
    assert_eq!(b.updated_at, t0() + Duration::seconds(3));
    assert_eq!(b.image, None);
    assert_eq!(f.adapter.snapshot().users, vec![a, b]);
}

#[tokio::test]
async fn create_user_keeps_whitespace_in_the_email() {
    let f = fixture();
    let u = f
        .adapter
        .create_user(with_email(" spaced@example.com "))
        .await
        .unwrap();
    assert_eq!(u.email.as_deref(), Some(" spaced@example.com "));
    assert_eq!(
        f.adapter
            .get_user_by_email(Some("spaced@example.com"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn create_user_email_verified_stores_the_clock_not_the_value_passed() {
    let f = fixture();
    f.at(Duration::minutes(7));
    let passed = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap();
    let u = f
        .adapter
        .create_user(NewUser {
            email_verified: Some(passed),
            ..with_email("v@example.com")
        })
        .await
        .unwrap();
    assert_eq!(u.email_verified, Some(t0() + Duration::minutes(7)));
    assert_eq!(
        f.adapter.snapshot().users[0].email_verified,
        Some(t0() + Duration::minutes(7))
    );
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_and_stores_one_user() {
    let f = fixture();
    let first = f.adapter.create_user(alice()).await.unwrap();
    let err = f
        .adapter
        .create_user(NewUser {
            name: Some("Impostor".to_owned()),
            ..with_email("Alice@Example.com")
        })
        .await
        .unwrap_err();
    assert_conflict(&err, Method::CreateUser, UniqueKey::UserEmail);
    assert_eq!(f.adapter.snapshot().users, vec![first]);
}

#[tokio::test]
async fn several_users_without_email_are_allowed() {
    let f = fixture();
    let a = f.adapter.create_user(without_email("one")).await.unwrap();
    let b = f.adapter.create_user(without_email("two")).await.unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(a.email, None);
    assert_eq!(b.email, None);
    assert_eq!(f.adapter.snapshot().users, vec![a, b]);
}

#[tokio::test]
async fn get_user_finds_by_id() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    let b = f.adapter.create_user(bob()).await.unwrap();
    assert_eq!(f.adapter.get_user(&a.id).await.unwrap(), Some(a));
    assert_eq!(f.adapter.get_user(&b.id).await.unwrap(), Some(b));
}

#[tokio::test]
async fn get_user_of_an_id_never_issued_is_none() {
    let f = fixture();
    f.adapter.create_user(alice()).await.unwrap();
    // "1" exists; none of these name it, and none is an error.
    for id in ["999", "abc", "01", "", " 1", "1 ", "+1", "-1", "0", "1.0"] {
        assert_eq!(f.adapter.get_user(id).await.unwrap(), None, "id {id:?}");
    }
}

#[tokio::test]
async fn get_user_by_email_matches_exactly() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    f.adapter.create_user(bob()).await.unwrap();
    assert_eq!(
        f.adapter
            .get_user_by_email(Some("Alice@Example.com"))
            .await
            .unwrap(),
        Some(a)
    );
    assert_eq!(
        f.adapter
            .get_user_by_email(Some("nobody@example.com"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn get_user_by_email_none_and_empty_are_none() {
    let f = fixture();
    f.adapter
        .create_user(without_email("no email"))
        .await
        .unwrap();
    // Even a user stored with an empty address is not found by "".
    f.adapter.create_user(with_email("")).await.unwrap();
    assert_eq!(f.adapter.snapshot().users.len(), 2);
    assert_eq!(f.adapter.get_user_by_email(None).await.unwrap(), None);
    assert_eq!(f.adapter.get_user_by_email(Some("")).await.unwrap(), None);
}

#[tokio::test]
async fn update_user_writes_fields_bumps_updated_at_and_returns_stored_values() {
    let f = fixture();
    let created = f.adapter.create_user(alice()).await.unwrap();
    f.at(Duration::hours(2));
    let verified_at = t0() + Duration::hours(1);
    let changed = User {
        name: Some("Alice L.".to_owned()),
        email: Some("alice@new.example".to_owned()),
        email_verified: Some(verified_at),
        image: None,
        // The caller cannot rewrite the row's timestamps.
        created_at: t0() + Duration::days(100),
        updated_at: t0() - Duration::days(100),
        ..created.clone()
    };
    let returned = f.adapter.update_user(&changed).await.unwrap();
    let expected = User {
        id: "1".to_owned(),
        name: Some("Alice L.".to_owned()),
        email: Some("alice@new.example".to_owned()),
        email_verified: Some(verified_at),
        image: None,
        created_at: t0(),
        updated_at: t0() + Duration::hours(2),
    };
    assert_eq!(returned, expected);
    assert_eq!(f.adapter.snapshot().users, vec![expected.clone()]);
    assert_eq!(f.adapter.get_user("1").await.unwrap(), Some(expected));
    assert_eq!(
        f.adapter
            .get_user_by_email(Some("Alice@Example.com"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn update_user_keeping_its_own_email_is_not_a_conflict() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    f.at(Duration::seconds(1));
    let returned = f
        .adapter
        .update_user(&User {
            email_verified: Some(t0()),
            ..u.clone()
        })
        .await
        .unwrap();
    assert_eq!(returned.email, u.email);
    assert_eq!(returned.email_verified, Some(t0()));
    assert_eq!(returned.updated_at, t0() + Duration::seconds(1));
}

#[tokio::test]
async fn update_user_none_email_verified_clears_it() {
    let f = fixture();
    let u = f
        .adapter
        .create_user(NewUser {
            email_verified: Some(t0()),
            ..alice()
        })
        .await
        .unwrap();
    assert_eq!(u.email_verified, Some(t0()));
    let returned = f
        .adapter
        .update_user(&User {
            email_verified: None,
            ..u
        })
        .await
        .unwrap();
    assert_eq!(returned.email_verified, None);
    assert_eq!(f.adapter.snapshot().users[0].email_verified, None);
}

#[tokio::test]
async fn update_user_of_a_missing_id_is_not_found_and_inserts_nothing() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    for id in ["42", "abc", ""] {
        let ghost = User {
            id: id.to_owned(),
            email: Some("ghost@example.com".to_owned()),
            ..a.clone()
        };
        let err = f.adapter.update_user(&ghost).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        match &err {
            AdapterError::NotFound {
                method,
                entity,
                id: missing,
            } => {
                assert_eq!(*method, Method::UpdateUser);
                assert_eq!(*entity, Entity::User);
                assert_eq!(missing, id);
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert_eq!(f.adapter.snapshot().users, vec![a.clone()]);
        assert_eq!(
            f.adapter
                .get_user_by_email(Some("ghost@example.com"))
                .await
                .unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn update_user_to_another_users_email_is_a_conflict_and_changes_nothing() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    let b = f.adapter.create_user(bob()).await.unwrap();
    f.at(Duration::seconds(9));
    let err = f
        .adapter
        .update_user(&User {
            name: Some("Bob renamed".to_owned()),
            email: a.email.clone(),
            ..b.clone()
        })
        .await
        .unwrap_err();
    assert_conflict(&err, Method::UpdateUser, UniqueKey::UserEmail);
    assert_eq!(f.adapter.snapshot().users, vec![a, b]);
}

#[tokio::test]
async fn delete_user_of_a_missing_id_is_ok_and_changes_nothing() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    let before = f.adapter.snapshot();
    for id in ["2", "999", "abc", "01", ""] {
        f.adapter.delete_user(id).await.unwrap();
        assert_eq!(f.adapter.snapshot(), before, "id {id:?}");
    }
    assert_eq!(f.adapter.get_user(&a.id).await.unwrap(), Some(a));
}

#[tokio::test]
async fn ids_are_never_reused_after_a_delete() {
    let f = fixture();
    f.adapter.create_user(alice()).await.unwrap();
    let b = f.adapter.create_user(bob()).await.unwrap();
    f.adapter.delete_user(&b.id).await.unwrap();
    let c = f
        .adapter
        .create_user(with_email("c@example.com"))
        .await
        .unwrap();
    assert_eq!(c.id, "3");
    assert_eq!(f.adapter.get_user("2").await.unwrap(), None);
}
