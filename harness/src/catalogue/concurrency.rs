//! Rules that race many calls at once: unique keys and single use must hold under
//! concurrency, not just in sequence (specification G5, G9, G14; H9).
//!
//! Every race runs [`ROUNDS`] rounds of [`RACERS`] tasks released together by a barrier, on a
//! runtime of its own ([`crate::execute::RACE_WORKER_THREADS`] workers, one race at a time),
//! and fails at the first round that breaks the rule: an adapter with a check-then-write gap
//! loses some rounds, and twenty rounds make losing none a practical impossibility.

use super::body;
use crate::context::{Ctx, SECRET};
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::{NewUser, UniqueKey, User};
use std::sync::Arc;
use tokio::sync::Barrier;

/// How many tasks each round starts.
pub const RACERS: usize = 32;

/// How many rounds each race runs (fewer when a round already broke the rule).
pub const ROUNDS: usize = 20;

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Concurrency;
    vec![
        Rule::must(A, "concurrency.create-user.one-email", "§2; G9; H9", "in each of 20 rounds, of 32 concurrent create_user calls with one email exactly one succeeds; the others are Conflicts", body!(create_user_race)).race(),
        Rule::must(A, "concurrency.link-account.one-account", "§2; G9; H9", "in each of 20 rounds, of 32 concurrent links of one provider account exactly one succeeds", body!(link_race)).race(),
        Rule::must(A, "concurrency.create-session.distinct-tokens", "§2; §3.9; H9", "in each of 20 rounds, 32 concurrent create_session calls give 32 sessions with distinct tokens", body!(session_race)).race(),
        Rule::must(A, "concurrency.get-session.expired-reads", "§3.10; G14; H9", "in each of 20 rounds, 32 concurrent reads of one expired session all give none, without errors", body!(expired_reads)).race(),
        Rule::must(A, "concurrency.delete-session.same-token", "§3.12; G14; H9", "in each of 20 rounds, 32 concurrent deletes of one session all succeed", body!(delete_race)).race(),
        Rule::must(A, "concurrency.update-user.email-race", "§2; H9", "in each of 20 rounds, 32 users switching to one email concurrently: at most one succeeds and the email stays unique", body!(update_email_race)).race(),
        Rule::must(A, "concurrency.verification.redeemed-once", "G5; §5.4b; H7; H9; cap:verification-consumption", "declared consumed on get, in each of 20 rounds 32 concurrent redemptions of one link the way core does it (get, then delete) sign in exactly once", body!(redeem_race)).race().requires(Requires::VerificationConsumedOnGet),
        // Consumed on delete is a declaration v3 allows and next-auth@3's adapters make; with
        // v3 core, which reads, then deletes, and signs in whatever the delete did, it lets
        // one link sign in twice. A finding of the adapter with core: SHOULD.
        Rule::should(A, "concurrency.verification.redeemed-once-with-core", "G5; §5.4b; H7; H9; cap:verification-consumption", "declared consumed on delete, in each of 20 rounds 32 concurrent redemptions of one link the way core does it (get, then delete) sign in exactly once: only a read that consumes can hold that", body!(redeem_race)).race().requires(Requires::VerificationConsumedOnDelete),
    ]
}

/// Runs [`RACERS`] copies of `f` at once, released together by a barrier.
pub(crate) async fn race<T, F, Fut>(f: F) -> Result<Vec<T>, Failure>
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

/// Prefixes a failure with the round it happened in.
pub(crate) fn in_round(round: usize) -> impl Fn(Failure) -> Failure {
    move |f| Failure {
        message: format!("round {} of {ROUNDS}: {}", round + 1, f.message),
        ..f
    }
}

async fn create_user_race(c: Ctx) -> RuleResult {
    for round in 0..ROUNDS {
        create_user_round(&c, round)
            .await
            .map_err(in_round(round))?;
    }
    Ok(())
}

async fn create_user_round(c: &Ctx, round: usize) -> RuleResult {
    let email = format!("race{round}@example.com");
    let results = race(|i| {
        let (a, email) = (Arc::clone(&c.adapter), email.clone());
        async move {
            a.create_user(NewUser {
                email: Some(email),
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
    let holders = c
        .stored()
        .await?
        .users
        .iter()
        .filter(|u| u.email.as_deref() == Some(email.as_str()))
        .count();
    check_eq!(holders, 1, "users stored with {email}");
    Ok(())
}

async fn link_race(c: Ctx) -> RuleResult {
    let mut users = Vec::new();
    for _ in 0..RACERS {
        users.push(c.user().await?);
    }
    let users = Arc::new(users);
    for round in 0..ROUNDS {
        link_round(&c, &users, round)
            .await
            .map_err(in_round(round))?;
    }
    Ok(())
}

async fn link_round(c: &Ctx, users: &Arc<Vec<User>>, round: usize) -> RuleResult {
    let account_id = format!("{}", 7_000 + round);
    let results = race(|i| {
        let (a, users) = (Arc::clone(&c.adapter), Arc::clone(users));
        let new = nextauth_adapter::NewAccount {
            provider_account_id: account_id.clone(),
            ..c.new_account(&users[i], "github")
        };
        async move { a.link_account(new).await }
    })
    .await?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    check_eq!(ok, 1, "successful link_account calls out of {RACERS}");
    for r in &results {
        if let Err(e) = r {
            check_eq!(
                e.conflict_key(),
                Some(UniqueKey::AccountCompoundId),
                "a losing racer's error ({e})"
            );
        }
    }
    let stored = c
        .stored()
        .await?
        .accounts
        .iter()
        .filter(|a| a.provider_account_id == account_id)
        .count();
    check_eq!(stored, 1, "accounts stored for github:{account_id}");
    Ok(())
}

async fn session_race(c: Ctx) -> RuleResult {
    let user = Arc::new(c.user().await?);
    for round in 0..ROUNDS {
        let results = race(|_| {
            let (a, u) = (Arc::clone(&c.adapter), Arc::clone(&user));
            async move { a.create_session(&u).await }
        })
        .await
        .map_err(in_round(round))?;
        let mut tokens = Vec::new();
        for r in results {
            let s = r.map_err(|e| in_round(round)(e.into()))?;
            tokens.push(s.session_token);
            tokens.push(s.access_token);
        }
        tokens.sort();
        tokens.dedup();
        if tokens.len() != 2 * RACERS {
            return Err(in_round(round)(Failure::new(format!(
                "distinct tokens: expected {}, got {}",
                2 * RACERS,
                tokens.len()
            ))));
        }
    }
    let stored = c.stored().await?.sessions;
    check_eq!(stored.len(), RACERS * ROUNDS, "sessions stored");
    let mut all: Vec<&str> = stored
        .iter()
        .flat_map(|s| [s.session_token.as_str(), s.access_token.as_str()])
        .collect();
    all.sort_unstable();
    all.dedup();
    check_eq!(all.len(), 2 * RACERS * ROUNDS, "distinct stored tokens");
    Ok(())
}

async fn expired_reads(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    for round in 0..ROUNDS {
        let s = c.session(&user).await?;
        c.set_now(s.expires + Duration::seconds(1));
        let token = Arc::new(s.session_token);
        let results = race(|_| {
            let (a, t) = (Arc::clone(&c.adapter), Arc::clone(&token));
            async move { a.get_session(Some(&t)).await }
        })
        .await
        .map_err(in_round(round))?;
        for r in results {
            match r {
                Ok(None) => {}
                // An error accepts nothing: core's session route catches it and signs the
                // user out, so it is the contract's error finding, not an accepted session.
                Err(e) => {
                    return Err(in_round(round)(
                        Failure::new(format!(
                            "a concurrent read of an expired session failed: {e}"
                        ))
                        .because("errors"),
                    ));
                }
                other => {
                    return Err(in_round(round)(Failure::new(format!(
                        "a concurrent read of an expired session gave {other:?}"
                    ))));
                }
            }
        }
    }
    Ok(())
}

async fn delete_race(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    for round in 0..ROUNDS {
        let s = c.session(&user).await?;
        let token = Arc::new(s.session_token);
        let results = race(|_| {
            let (a, t) = (Arc::clone(&c.adapter), Arc::clone(&token));
            async move { a.delete_session(Some(&t)).await }
        })
        .await
        .map_err(in_round(round))?;
        for r in results {
            // An error changes no row: the contract's error finding (the count below judges
            // what was deleted).
            r.map_err(|e| {
                in_round(round)(
                    Failure::new(format!("a concurrent delete_session failed: {e}"))
                        .because("errors"),
                )
            })?;
        }
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
    for round in 0..ROUNDS {
        update_email_round(&c, &users, round)
            .await
            .map_err(in_round(round))?;
    }
    Ok(())
}

async fn update_email_round(c: &Ctx, users: &Arc<Vec<User>>, round: usize) -> RuleResult {
    let wanted = format!("wanted{round}@example.com");
    let results = race(|i| {
        let (a, users, wanted) = (Arc::clone(&c.adapter), Arc::clone(users), wanted.clone());
        async move {
            // Each racer holds the user as first read; its e-mail may have changed in an
            // earlier round, which update_user overwrites.
            let u = User {
                email: Some(wanted),
                ..users[i].clone()
            };
            a.update_user(&u).await
        }
    })
    .await?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    check!(ok <= 1, "{ok} users took the email {wanted}");
    let holders = c
        .stored()
        .await?
        .users
        .into_iter()
        .filter(|u| u.email.as_deref() == Some(wanted.as_str()))
        .count();
    check_eq!(holders, ok, "stored users holding {wanted}");
    Ok(())
}

async fn redeem_race(c: Ctx) -> RuleResult {
    let provider = Arc::new(c.provider.clone());
    for round in 0..ROUNDS {
        let identifier = Arc::new(format!("click{round}@example.com"));
        let (token, _) = c.verification(&identifier).await?;
        let token = Arc::new(token);
        let results = race(|_| {
            let (a, t, p, id) = (
                Arc::clone(&c.adapter),
                Arc::clone(&token),
                Arc::clone(&provider),
                Arc::clone(&identifier),
            );
            async move {
                // Core's callback: get, and if found, delete, then sign in. Between the two
                // calls core does other work; the yield lets the other clicks run there, as
                // they do on a busy server.
                let found = a.get_verification_request(&id, &t, SECRET, &p).await?;
                tokio::task::yield_now().await;
                if found.is_some() {
                    a.delete_verification_request(&id, &t, SECRET, &p).await?;
                }
                Ok::<bool, nextauth_adapter::AdapterError>(found.is_some())
            }
        })
        .await
        .map_err(in_round(round))?;
        let mut redeemed = 0;
        for r in results {
            if r.map_err(|e| in_round(round)(e.into()))? {
                redeemed += 1;
            }
        }
        if redeemed != 1 {
            return Err(in_round(round)(Failure::new(format!(
                "sign-ins from {RACERS} concurrent clicks on one link: expected 1, got {redeemed}"
            ))));
        }
    }
    Ok(())
}
