//! Races: many tasks on a multi-threaded runtime, released together by a barrier, hitting
//! one unique key or one single-use verification request (contract-v3 §10 G5, G9).

mod common;

use common::*;
use nextauth_adapter::{Adapter, Capabilities, Method, UniqueKey, VerificationConsumption};
use std::sync::Arc;
use tokio::sync::Barrier;

const EMAIL: &str = "race@example.com";
const TOKEN: &str = "race-token";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_create_user_with_one_email_store_one_user() {
    let f = fixture();
    let barrier = Arc::new(Barrier::new(64));
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let adapter = f.adapter.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                adapter
                    .create_user(nextauth_adapter::NewUser {
                        name: Some(format!("racer {i}")),
                        ..with_email(EMAIL)
                    })
                    .await
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(user) => winners.push(user),
            Err(err) => {
                assert_conflict(&err, Method::CreateUser, UniqueKey::UserEmail);
                conflicts += 1;
            }
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(conflicts, 63);
    let users = f.adapter.snapshot().users;
    assert_eq!(users, winners);
    assert_eq!(users[0].email.as_deref(), Some(EMAIL));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_link_account_of_one_provider_account_links_once() {
    let f = fixture();
    let mut ids = Vec::new();
    for i in 0..32 {
        let user = f
            .adapter
            .create_user(nextauth_adapter::NewUser {
                email: Some(format!("u{i}@example.com")),
                ..nextauth_adapter::NewUser::default()
            })
            .await
            .unwrap();
        ids.push(user.id);
    }
    let barrier = Arc::new(Barrier::new(32));
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let adapter = f.adapter.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                adapter
                    .link_account(oauth_account(&id, "github", "42"))
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(err) => assert_conflict(&err, Method::LinkAccount, UniqueKey::AccountCompoundId),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(f.adapter.snapshot().accounts.len(), 1);
}

async fn race_redemptions(consumption: VerificationConsumption) -> (usize, usize) {
    let f = fixture_with(Capabilities {
        verification_consumption: consumption,
        ..Capabilities::HARDENED
    });
    let (_, provider) = email_provider();
    f.adapter
        .create_verification_request(EMAIL, "url", TOKEN, SECRET, &provider)
        .await
        .unwrap();
    let provider = Arc::new(provider);
    let barrier = Arc::new(Barrier::new(32));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let adapter = f.adapter.clone();
            let barrier = barrier.clone();
            let provider = provider.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                adapter
                    .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
                    .await
            })
        })
        .collect();
    let mut some = 0;
    for task in tasks {
        let got = task.await.unwrap();
        if let Some(request) = got.expect("get_verification_request failed") {
            assert_eq!(request.identifier, EMAIL);
            some += 1;
        }
    }
    (some, f.adapter.snapshot().verification_requests.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_get_consumption_lets_exactly_one_of_32_concurrent_redemptions_through() {
    let (some, left) = race_redemptions(VerificationConsumption::OnGet).await;
    assert_eq!(some, 1);
    assert_eq!(left, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_delete_consumption_lets_every_concurrent_redemption_through() {
    // v3's built-in behaviour, contract-v3 §10 G5: the hazard OnGet exists to remove.
    let (some, left) = race_redemptions(VerificationConsumption::OnDelete).await;
    assert_eq!(some, 32);
    assert_eq!(left, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sessions_get_distinct_tokens() {
    let f = fixture();
    let u = f.adapter.create_user(alice()).await.unwrap();
    let barrier = Arc::new(Barrier::new(32));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let adapter = f.adapter.clone();
            let barrier = barrier.clone();
            let u = u.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                adapter.create_session(&u).await
            })
        })
        .collect();
    for task in tasks {
        let s = task.await.unwrap().unwrap();
        assert_eq!(s.expires, t0() + chrono::Duration::days(30));
    }
    let sessions = f.adapter.snapshot().sessions;
    assert_eq!(sessions.len(), 32);
    let mut tokens: Vec<_> = sessions.iter().map(|s| s.session_token.clone()).collect();
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 32);
    let mut ids: Vec<_> = sessions.iter().map(|s| s.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 32);
    assert!(sessions.iter().all(|s| s.user_id == u.id));
}
