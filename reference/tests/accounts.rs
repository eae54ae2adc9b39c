//! Accounts: `link_account`, `get_user_by_provider_account_id` and `unlink_account` under the
//! default (supported) capability (contract-v3 §3.4, §3.7, §3.8, §4).

mod common;

use chrono::Duration;
use common::*;
use nextauth_adapter::{Account, Adapter, Method, NewAccount, UniqueKey, formulas};

#[tokio::test]
async fn link_account_stores_the_account_under_its_compound_id() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    f.at(Duration::seconds(30));
    let stored = f
        .adapter
        .link_account(oauth_account(&u.id, "github", "12345"))
        .await
        .unwrap();
    let expected = Account {
        id: "1".to_owned(),
        // contract-v3 §4 test vector.
        compound_id: "2db75fb4d7a8e3005aca09c643b4e6f40142ddcfc18c675509988c1b111d0dcf".to_owned(),
        user_id: u.id.clone(),
        provider_type: "oauth".to_owned(),
        provider_id: "github".to_owned(),
        provider_account_id: "12345".to_owned(),
        refresh_token: Some("refresh-github-12345".to_owned()),
        access_token: Some("access-github-12345".to_owned()),
        access_token_expires: None,
        created_at: t0() + Duration::seconds(30),
        updated_at: t0() + Duration::seconds(30),
    };
    assert_eq!(stored, expected);
    assert_eq!(stored.compound_id, formulas::compound_id("github", "12345"));
    assert_eq!(f.adapter.snapshot().accounts, vec![expected]);
}

#[tokio::test]
async fn compound_id_of_every_stored_account_matches_the_formula() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    let pairs = [
        ("google", "109876543210"),
        ("github", "1"),
        ("twitter", "ünïcödé"),
        ("email", "a@b.c"),
    ];
    for (p, a) in pairs {
        f.adapter
            .link_account(oauth_account(&u.id, p, a))
            .await
            .unwrap();
    }
    let accounts = f.adapter.snapshot().accounts;
    assert_eq!(accounts.len(), pairs.len());
    for (acc, (p, a)) in accounts.iter().zip(pairs) {
        assert_eq!(acc.compound_id, formulas::compound_id(p, a));
    }
    assert_eq!(
        accounts[0].compound_id,
        "366309513cae601b6b9ee21827d4c84286f186adc34cf3bd92e81851976f04aa"
    );
}

#[tokio::test]
async fn link_account_keeps_access_token_expires_and_long_tokens() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    let jwt = "x".repeat(64 * 1024);
    let stored = f
        .adapter
        .link_account(NewAccount {
            access_token: Some(jwt.clone()),
            refresh_token: None,
            access_token_expires: Some(t0() + Duration::hours(1)),
            ..oauth_account(&u.id, "google", "7")
        })
        .await
        .unwrap();
    assert_eq!(stored.access_token.as_deref(), Some(jwt.as_str()));
    assert_eq!(stored.refresh_token, None);
    assert_eq!(stored.access_token_expires, Some(t0() + Duration::hours(1)));
    assert_eq!(f.adapter.snapshot().accounts, vec![stored]);
}

#[tokio::test]
async fn get_user_by_provider_account_id_finds_the_owner() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    let b = f.adapter.create_user(bob()).await.unwrap();
    f.adapter
        .link_account(oauth_account(&a.id, "github", "1"))
        .await
        .unwrap();
    f.adapter
        .link_account(oauth_account(&b.id, "github", "2"))
        .await
        .unwrap();
    f.adapter
        .link_account(oauth_account(&b.id, "google", "1"))
        .await
        .unwrap();
    let get = |p: &'static str, id: &'static str| {
        let adapter = f.adapter.clone();
        async move {
            adapter
                .get_user_by_provider_account_id(p, id)
                .await
                .unwrap()
        }
    };
    assert_eq!(get("github", "1").await, Some(a.clone()));
    assert_eq!(get("github", "2").await, Some(b.clone()));
    assert_eq!(get("google", "1").await, Some(b));
    assert_eq!(get("google", "2").await, None);
    assert_eq!(get("github", "3").await, None);
    assert_eq!(get("1", "github").await, None);
    assert_eq!(get("GitHub", "1").await, None);
    assert_eq!(get("", "").await, None);
}

#[tokio::test]
async fn duplicate_account_is_a_conflict_even_for_another_user() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    let b = f.adapter.create_user(bob()).await.unwrap();
    let first = f
        .adapter
        .link_account(oauth_account(&a.id, "github", "12345"))
        .await
        .unwrap();
    for user in [&a, &b] {
        let err = f
            .adapter
            .link_account(oauth_account(&user.id, "github", "12345"))
            .await
            .unwrap_err();
        assert_conflict(&err, Method::LinkAccount, UniqueKey::AccountCompoundId);
    }
    assert_eq!(f.adapter.snapshot().accounts, vec![first]);
    assert_eq!(
        f.adapter
            .get_user_by_provider_account_id("github", "12345")
            .await
            .unwrap(),
        Some(a)
    );
}

#[tokio::test]
async fn compound_id_collision_is_inherited_from_v3() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    f.adapter
        .link_account(oauth_account(&u.id, "a:b", "c"))
        .await
        .unwrap();
    let err = f
        .adapter
        .link_account(oauth_account(&u.id, "a", "b:c"))
        .await
        .unwrap_err();
    assert_conflict(&err, Method::LinkAccount, UniqueKey::AccountCompoundId);
    assert_eq!(f.adapter.snapshot().accounts.len(), 1);
}

#[tokio::test]
async fn link_account_for_a_user_nobody_has_is_not_found_and_writes_nothing() {
    // v3 did not check (no foreign key); the reference does (account.link.missing-user-refused).
    let f = fixture();
    let err = f
        .adapter
        .link_account(oauth_account("77", "github", "9"))
        .await
        .unwrap_err();
    assert_user_not_found(&err, Method::LinkAccount, "77");
    assert!(f.adapter.snapshot().users.is_empty());
    assert!(f.adapter.snapshot().accounts.is_empty());
    assert_eq!(
        f.adapter
            .get_user_by_provider_account_id("github", "9")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn unlink_account_removes_only_the_given_users_account() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    let b = f.adapter.create_user(bob()).await.unwrap();
    f.adapter
        .link_account(oauth_account(&a.id, "github", "1"))
        .await
        .unwrap();
    let a_google = f
        .adapter
        .link_account(oauth_account(&a.id, "google", "1"))
        .await
        .unwrap();
    let b_github = f
        .adapter
        .link_account(oauth_account(&b.id, "github", "2"))
        .await
        .unwrap();

    // Another user's id leaves the account alone.
    let before = f.adapter.snapshot();
    f.adapter
        .unlink_account(&b.id, "github", "1")
        .await
        .unwrap();
    assert_eq!(f.adapter.snapshot(), before);

    f.adapter
        .unlink_account(&a.id, "github", "1")
        .await
        .unwrap();
    assert_eq!(f.adapter.snapshot().accounts, vec![a_google, b_github]);
    assert_eq!(
        f.adapter
            .get_user_by_provider_account_id("github", "1")
            .await
            .unwrap(),
        None
    );
    // The user itself stays.
    assert_eq!(f.adapter.get_user(&a.id).await.unwrap(), Some(a.clone()));

    // The provider account can now be linked again, to anyone.
    f.adapter
        .link_account(oauth_account(&b.id, "github", "1"))
        .await
        .unwrap();
    assert_eq!(
        f.adapter
            .get_user_by_provider_account_id("github", "1")
            .await
            .unwrap(),
        Some(b)
    );
}

#[tokio::test]
async fn unlink_account_of_a_missing_account_is_ok_and_changes_nothing() {
    let f = fixture();
    let a = f.adapter.create_user(alice()).await.unwrap();
    f.adapter
        .link_account(oauth_account(&a.id, "github", "1"))
        .await
        .unwrap();
    let before = f.adapter.snapshot();
    f.adapter
        .unlink_account(&a.id, "github", "2")
        .await
        .unwrap();
    f.adapter
        .unlink_account(&a.id, "gitlab", "1")
        .await
        .unwrap();
    f.adapter
        .unlink_account("999", "github", "1")
        .await
        .unwrap();
    f.adapter.unlink_account("", "", "").await.unwrap();
    assert_eq!(f.adapter.snapshot(), before);
}

#[tokio::test]
async fn link_account_refuses_a_user_id_the_adapter_could_not_have_issued() {
    let f = fixture();
    for id in ["abc", "", "01"] {
        let err = f
            .adapter
            .link_account(oauth_account(id, "github", "1"))
            .await
            .unwrap_err();
        assert_invalid(&err, Method::LinkAccount, "user_id");
    }
    assert!(f.adapter.snapshot().accounts.is_empty());
}
