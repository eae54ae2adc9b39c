//! Field limits: values a `VARCHAR(255)` column holds are stored, longer ones and NULs are
//! refused with `InvalidInput` naming the field before anything is written.

mod common;

use common::*;
use nextauth_adapter::limits::StringLimit;
use nextauth_adapter::{Adapter, Capabilities, FieldLimits, Method, NewAccount, NewUser, User};

/// An address of exactly `n` characters.
fn email_of_len(n: usize) -> String {
    let domain = "@example.com";
    format!("{}{domain}", "a".repeat(n - domain.len()))
}

#[tokio::test]
async fn a_255_character_email_is_stored() {
    let f = fixture();
    let email = email_of_len(255);
    assert_eq!(email.chars().count(), 255);
    let u = f.adapter.create_user(with_email(&email)).await.unwrap();
    assert_eq!(u.email.as_deref(), Some(email.as_str()));
    assert_eq!(
        f.adapter.get_user_by_email(Some(&email)).await.unwrap(),
        Some(u)
    );
}

#[tokio::test]
async fn a_256_character_email_is_invalid_input_and_nothing_is_stored() {
    let f = fixture();
    let err = f
        .adapter
        .create_user(with_email(&email_of_len(256)))
        .await
        .unwrap_err();
    assert_invalid(&err, Method::CreateUser, "email");
    assert_eq!(
        err.to_string(),
        "create_user: invalid input for email: 256 characters, the column holds 255"
    );
    assert!(f.adapter.snapshot().users.is_empty());
}

#[tokio::test]
async fn limits_count_characters_not_bytes() {
    let f = fixture();
    let emoji_255 = "😀".repeat(255);
    assert_eq!(emoji_255.len(), 4 * 255);
    let u = f
        .adapter
        .create_user(NewUser {
            name: Some(emoji_255.clone()),
            email: Some(emoji_255.clone()),
            image: Some(emoji_255.clone()),
            email_verified: None,
        })
        .await
        .unwrap();
    assert_eq!(u.name.as_deref(), Some(emoji_255.as_str()));
    assert_eq!(f.adapter.snapshot().users, vec![u]);

    let emoji_256 = "😀".repeat(256);
    let err = f
        .adapter
        .create_user(NewUser {
            name: Some(emoji_256),
            ..NewUser::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&err, Method::CreateUser, "name");
    assert_eq!(f.adapter.snapshot().users.len(), 1);
}

#[tokio::test]
async fn create_user_refuses_each_overlong_field_by_name() {
    let f = fixture();
    let long = "x".repeat(256);
    let cases = [
        (
            NewUser {
                name: Some(long.clone()),
                ..alice()
            },
            "name",
        ),
        (
            NewUser {
                image: Some(long.clone()),
                ..alice()
            },
            "image",
        ),
    ];
    for (profile, field) in cases {
        let err = f.adapter.create_user(profile).await.unwrap_err();
        assert_invalid(&err, Method::CreateUser, field);
    }
    assert!(f.adapter.snapshot().users.is_empty());
}

#[tokio::test]
async fn nul_characters_are_invalid_input_everywhere() {
    let f = fixture();
    for (profile, field) in [
        (with_email("a\0b@example.com"), "email"),
        (
            NewUser {
                name: Some("A\0".to_owned()),
                ..alice()
            },
            "name",
        ),
        (
            NewUser {
                image: Some("\0".to_owned()),
                ..alice()
            },
            "image",
        ),
    ] {
        let err = f.adapter.create_user(profile).await.unwrap_err();
        assert_invalid(&err, Method::CreateUser, field);
    }
    assert!(f.adapter.snapshot().users.is_empty());

    let u = f.adapter.create_user(alice()).await.unwrap();
    let err = f
        .adapter
        .update_user(&User {
            name: Some("x\0y".to_owned()),
            ..u.clone()
        })
        .await
        .unwrap_err();
    assert_invalid(&err, Method::UpdateUser, "name");
    assert_eq!(f.adapter.snapshot().users, vec![u.clone()]);

    for (account, field) in [
        (oauth_account(&u.id, "git\0hub", "1"), "provider_id"),
        (oauth_account(&u.id, "github", "1\0"), "provider_account_id"),
        (
            NewAccount {
                access_token: Some("tok\0en".to_owned()),
                ..oauth_account(&u.id, "github", "1")
            },
            "access_token",
        ),
    ] {
        let err = f.adapter.link_account(account).await.unwrap_err();
        assert_invalid(&err, Method::LinkAccount, field);
    }
    assert!(f.adapter.snapshot().accounts.is_empty());

    let (sender, provider) = email_provider();
    let err = f
        .adapter
        .create_verification_request("a\0@example.com", "url", "tok", SECRET, &provider)
        .await
        .unwrap_err();
    assert_invalid(&err, Method::CreateVerificationRequest, "identifier");
    assert!(f.adapter.snapshot().verification_requests.is_empty());
    assert!(sender.sent().is_empty());
}

#[tokio::test]
async fn update_user_with_an_overlong_email_changes_nothing() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    let err = f
        .adapter
        .update_user(&User {
            email: Some(email_of_len(256)),
            ..u.clone()
        })
        .await
        .unwrap_err();
    assert_invalid(&err, Method::UpdateUser, "email");
    assert_eq!(f.adapter.snapshot().users, vec![u]);
}

#[tokio::test]
async fn link_account_refuses_overlong_provider_columns() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    let long = "9".repeat(256);
    for (account, field) in [
        (oauth_account(&u.id, &long, "1"), "provider_id"),
        (oauth_account(&u.id, "github", &long), "provider_account_id"),
        (
            NewAccount {
                provider_type: long.clone(),
                ..oauth_account(&u.id, "github", "1")
            },
            "provider_type",
        ),
    ] {
        let err = f.adapter.link_account(account).await.unwrap_err();
        assert_invalid(&err, Method::LinkAccount, field);
    }
    assert!(f.adapter.snapshot().accounts.is_empty());
    // 255 fits.
    f.adapter
        .link_account(oauth_account(&u.id, "github", &"9".repeat(255)))
        .await
        .unwrap();
}

#[tokio::test]
async fn create_verification_request_refuses_an_overlong_identifier_before_sending() {
    let f = fixture();
    let (sender, provider) = email_provider();
    let err = f
        .adapter
        .create_verification_request(&email_of_len(256), "url", "tok", SECRET, &provider)
        .await
        .unwrap_err();
    assert_invalid(&err, Method::CreateVerificationRequest, "identifier");
    assert!(f.adapter.snapshot().verification_requests.is_empty());
    assert!(sender.sent().is_empty());
    f.adapter
        .create_verification_request(&email_of_len(255), "url", "tok", SECRET, &provider)
        .await
        .unwrap();
    assert_eq!(sender.sent().len(), 1);
}

#[tokio::test]
async fn declared_limits_are_the_ones_enforced() {
    // PostgreSQL's documented schema holds the image in TEXT; MySQL's TEXT holds 65,535 bytes.
    let limits = FieldLimits {
        image: StringLimit::UNLIMITED,
        text: StringLimit::bytes(65_535),
        ..FieldLimits::DOCUMENTED
    };
    let f = fixture_with(Capabilities {
        limits,
        ..Capabilities::HARDENED
    });
    let image = format!("data:image/png;base64,{}", "A".repeat(10_000));
    let u = f
        .adapter
        .create_user(NewUser {
            image: Some(image.clone()),
            ..alice()
        })
        .await
        .unwrap();
    assert_eq!(u.image, Some(image));

    let jwt = "j".repeat(65_536);
    let err = f
        .adapter
        .link_account(NewAccount {
            access_token: Some(jwt),
            ..oauth_account(&u.id, "google", "1")
        })
        .await
        .unwrap_err();
    assert_invalid(&err, Method::LinkAccount, "access_token");
    let err = f
        .adapter
        .link_account(NewAccount {
            refresh_token: Some("r".repeat(65_536)),
            ..oauth_account(&u.id, "google", "1")
        })
        .await
        .unwrap_err();
    assert_invalid(&err, Method::LinkAccount, "refresh_token");
    assert!(f.adapter.snapshot().accounts.is_empty());
    f.adapter
        .link_account(NewAccount {
            access_token: Some("j".repeat(65_535)),
            ..oauth_account(&u.id, "google", "1")
        })
        .await
        .unwrap();
}
