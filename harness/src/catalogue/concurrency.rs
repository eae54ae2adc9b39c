//! Rules that race many calls at once: unique keys and single use must hold under
//! concurrency, not just in sequence (contract-v3 §10 G5, G9, G14).

use super::body;
use crate::context::{Ctx, SECRET};
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::{NewUser, UniqueKey, User};
use std::sync::Arc;
use tokio::sync::Barrier;

/// How many tasks each race starts.
pub const RACERS: usize = 32;

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Concurrency;
    vec![
        Rule::must(A, "concurrency.create-user.one-email", "§2; G9", "of 32 concurrent create_user calls with one email exactly one succeeds; the others are Conflicts", body!(create_user_race)),
        Rule::must(A, "concurrency.link-account.one-account", "§2; G9", "of 32 concurrent links of one provider account exactly one succeeds", body!(link_race)),
        Rule::must(A, "concurrency.create-session.distinct-tokens", "§2; §3.9", "32 concurrent create_session calls give 32 sessions with distinct tokens", body!(session_race)),
        Rule::must(A, "concurrency.get-session.expired-reads", "§3.10; G14", "32 concurrent reads of one expired session all give none, without errors", body!(expired_reads)),
        Rule::must(A, "concurrency.delete-session.same-token", "§3.12; G14", "32 concurrent deletes of one session all succeed", body!(delete_race)),
        Rule::must(A, "concurrency.update-user.email-race", "§2", "32 users switching to one email concurrently: at most one succeeds and the email stays unique", body!(update_email_race)),
        Rule::should(A, "concurrency.verification.redeemed-once", "G5; §5.4b; anchors §0.2", "32 concurrent redemptions of one link the way core does it (get, then delete): exactly one succeeds", body!(redeem_race)).requires(Requires::VerificationConsumedOnGet),
    ]
}

/// Runs `RACERS` copies of `f` at once, released together by a barrier.
async fn race<T, F, Fut>(f: F) -> Result<Vec<T>, Failure>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut handles = Vec::with_capacity(RACERS);
    for i in 0..RACERS {
        let barrier = Arc::clone(&barrier);
        let fut = f(i);
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            fut.await
        }));
    }
    let mut out = Vec::with_capacity(RACERS);
    for h in handles {
        out.push(
            h.await
                .map_err(|e| Failure::new(format!("a racing task panicked: {e}")))?,
        );
    }
    Ok(out)
}

async fn create_user_race(c: Ctx) -> RuleResult {
    let results = race(|i| {
        let a = Arc::clone(&c.adapter);
        async move {
            a.create_user(NewUser {
                email: Some("race@example.com".into()),
                name: Some(format!("racer {i}")),
                ..NewUser::default()
            })
            .await
        }
    })
    .await?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    check_eq!(ok, 1, "successful create_user calls out of {RACERS}");
    for r in &results {
        if let Err(e) = r {
            check_eq!(
                e.conflict_key(),
                Some(UniqueKey::UserEmail),
                "a losing racer's error ({e})"
            );
        }
    }
    check_eq!(c.stored().await?.users.len(), 1, "users stored");
    Ok(())
}

async fn link_race(c: Ctx) -> RuleResult {
    let mut users = Vec::new();
    for _ in 0..RACERS {
        users.push(c.user().await?);
    }
    let users = Arc::new(users);
    let results = race(|i| {
        let (a, users) = (Arc::clone(&c.adapter), Arc::clone(&users));
        let new = nextauth_adapter::NewAccount {
            provider_account_id: "777".into(),
            ..c.new_account(&users[i], "github")
        };
        async move { a.link_account(new).await }
    })
    .await?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    check_eq!(ok, 1, "successful link_account calls out of {RACERS}");
    check_eq!(c.stored().await?.accounts.len(), 1, "accounts stored");
    Ok(())
}

async fn session_race(c: Ctx) -> RuleResult {
    let user = Arc::new(c.user().await?);
    let results = race(|_| {
        let (a, u) = (Arc::clone(&c.adapter), Arc::clone(&user));
        async move { a.create_session(&u).await }
    })
    .await?;
    let mut tokens = Vec::new();
    for r in results {
        let s = r?;
        tokens.push(s.session_token);
        tokens.push(s.access_token);
    }
    tokens.sort();
    tokens.dedup();
    check_eq!(tokens.len(), 2 * RACERS, "distinct tokens");
    check_eq!(c.stored().await?.sessions.len(), RACERS, "sessions stored");
    Ok(())
}

async fn expired_reads(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    c.set_now(s.expires + Duration::seconds(1));
    let token = Arc::new(s.session_token);
    let results = race(|_| {
        let (a, t) = (Arc::clone(&c.adapter), Arc::clone(&token));
        async move { a.get_session(Some(&t)).await }
    })
    .await?;
    for r in results {
        match r {
            Ok(None) => {}
            other => {
                return Err(Failure::new(format!(
                    "a concurrent read of an expired session gave {other:?}"
                )));
            }
        }
    }
    Ok(())
}

async fn delete_race(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    let token = Arc::new(s.session_token);
    let results = race(|_| {
        let (a, t) = (Arc::clone(&c.adapter), Arc::clone(&token));
        async move { a.delete_session(Some(&t)).await }
    })
    .await?;
    for r in results {
        r.map_err(|e| Failure::new(format!("a concurrent delete_session failed: {e}")))?;
    }
    check_eq!(c.stored().await?.sessions.len(), 0, "sessions left");
    Ok(())
}

async fn update_email_race(c: Ctx) -> RuleResult {
    let mut users: Vec<User> = Vec::new();
    for _ in 0..RACERS {
        users.push(c.user().await?);
    }
    let users = Arc::new(users);
    let results = race(|i| {
        let (a, users) = (Arc::clone(&c.adapter), Arc::clone(&users));
        async move {
            let u = User {
                email: Some("wanted@example.com".into()),
                ..users[i].clone()
            };
            a.update_user(&u).await
        }
    })
    .await?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    check!(ok <= 1, "{ok} users took the same email");
    let holders = c
        .stored()
        .await?
        .users
        .into_iter()
        .filter(|u| u.email.as_deref() == Some("wanted@example.com"))
        .count();
    check_eq!(holders, ok, "stored users holding the contested email");
    Ok(())
}

async fn redeem_race(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("click@example.com").await?;
    let token = Arc::new(token);
    let provider = Arc::new(c.provider.clone());
    let results = race(|_| {
        let (a, t, p) = (
            Arc::clone(&c.adapter),
            Arc::clone(&token),
            Arc::clone(&provider),
        );
        async move {
            // Core's callback: get, and if found, delete, then sign in.
            let found = a
                .get_verification_request("click@example.com", &t, SECRET, &p)
                .await?;
            if found.is_some() {
                a.delete_verification_request("click@example.com", &t, SECRET, &p)
                    .await?;
            }
            Ok::<bool, nextauth_adapter::AdapterError>(found.is_some())
        }
    })
    .await?;
    let mut redeemed = 0;
    for r in results {
        if r? {
            redeemed += 1;
        }
    }
    check_eq!(
        redeemed,
        1,
        "sign-ins from {RACERS} concurrent clicks on one link"
    );
    Ok(())
}
