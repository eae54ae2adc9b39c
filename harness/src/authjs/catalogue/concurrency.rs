//! Races: single use of a verification token and the unique keys, under [`RACERS`] concurrent
//! calls, round after round (the v3 races' machinery, [`crate::catalogue::concurrency`]).

use crate::authjs::Ctx;
use crate::catalogue::body;
use crate::catalogue::concurrency::{RACERS, ROUNDS, in_round, race};
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check, check_eq};
use nextauth_adapter::authjs::{Account, NewUser, Session};
use nextauth_adapter::{Method, UniqueKey};
use std::sync::Arc;

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Concurrency;
    let email = super::needs_only(&[
        Method::CreateVerificationToken,
        Method::UseVerificationToken,
    ]);
    vec![
        Rule::authjs_must(A, "authjs.concurrency.verification.used-once", "§14.7; §15.6; AJS#14", "in each of 20 rounds, of 32 concurrent uses of one verification token exactly one returns it", body!(used_once)).race().requires(email),
        Rule::authjs_must(A, "authjs.concurrency.create-user.one-email", "§14.4; §15.9", "in each of 20 rounds, of 32 concurrent create_user calls with one address exactly one succeeds; the others are Conflicts", body!(one_email)).race(),
        Rule::authjs_must(A, "authjs.concurrency.link-account.one-account", "§14.5; §15.9", "in each of 20 rounds, of 32 concurrent links of one provider account exactly one succeeds", body!(one_account)).race(),
        Rule::authjs_must(A, "authjs.concurrency.create-session.one-token", "§14.6; §15.9", "in each of 20 rounds, of 32 concurrent create_session calls with one token exactly one succeeds", body!(one_token)).race(),
    ]
}

async fn rounds<F, Fut>(c: Ctx, round: F) -> RuleResult
where
    F: Fn(Arc<Ctx>, usize) -> Fut,
    Fut: std::future::Future<Output = RuleResult>,
{
    let c = Arc::new(c);
    for r in 0..ROUNDS {
        round(Arc::clone(&c), r).await.map_err(in_round(r))?;
    }
    Ok(())
}

async fn used_once(c: Ctx) -> RuleResult {
    rounds(c, |c, r| async move {
        let token = c.token(&format!("race{r}@example.com")).await?;
        let key = Ctx::key_of(&token);
        let adapter = Arc::clone(&c.adapter);
        let uses = race(|_| {
            let (adapter, key) = (Arc::clone(&adapter), key.clone());
            async move { adapter.use_verification_token(&key).await }
        })
        .await?;
        let mut returned = 0;
        for used in uses {
            if used
                .map_err(|e| Failure::new(format!("a concurrent use failed: {e}")))?
                .is_some()
            {
                returned += 1;
            }
        }
        check_eq!(
            returned,
            1,
            "uses of one token that returned it, of {RACERS}"
        );
        Ok(())
    })
    .await
}

async fn one_email(c: Ctx) -> RuleResult {
    rounds(c, |c, r| async move {
        let email = format!("race{r}@example.com");
        let adapter = Arc::clone(&c.adapter);
        let users: Vec<NewUser> = (0..RACERS)
            .map(|_| NewUser {
                email: Some(email.clone()),
                ..c.new_user()
            })
            .collect();
        let results = race(|i| {
            let (adapter, user) = (Arc::clone(&adapter), users[i].clone());
            async move { adapter.create_user(user).await }
        })
        .await?;
        let mut created = 0;
        for result in results {
            match result {
                Ok(_) => created += 1,
                Err(e) => check!(
                    e.conflict_key() == Some(UniqueKey::UserEmail),
                    "a losing create_user failed with {e}, not a Conflict on users.email"
                ),
            }
        }
        check_eq!(created, 1, "users created with one address, of {RACERS}");
        let stored = c.stored().await?;
        let holders = stored
            .users
            .iter()
            .filter(|u| u.email.as_deref() == Some(email.as_str()))
            .count();
        check_eq!(holders, 1, "stored users with the address");
        Ok(())
    })
    .await
}

async fn one_account(c: Ctx) -> RuleResult {
    rounds(c, |c, _| async move {
        let user = c.user().await?;
        let account = c.new_account(&user, "github");
        let adapter = Arc::clone(&c.adapter);
        let results = race(|_| {
            let (adapter, account) = (Arc::clone(&adapter), Account::clone(&account));
            async move { adapter.link_account(account).await }
        })
        .await?;
        let mut linked = 0;
        for result in results {
            match result {
                Ok(_) => linked += 1,
                Err(e) => check!(
                    e.conflict_key() == Some(UniqueKey::AccountProvider),
                    "a losing link_account failed with {e}, not a Conflict"
                ),
            }
        }
        check_eq!(linked, 1, "links of one provider account, of {RACERS}");
        let rows = c
            .stored()
            .await?
            .accounts
            .iter()
            .filter(|a| a.key() == account.key())
            .count();
        check_eq!(rows, 1, "stored rows of the account");
        Ok(())
    })
    .await
}

async fn one_token(c: Ctx) -> RuleResult {
    rounds(c, |c, _| async move {
        let user = c.user().await?;
        let session = c.new_session(&user);
        let adapter = Arc::clone(&c.adapter);
        let results = race(|_| {
            let (adapter, session) = (Arc::clone(&adapter), Session::clone(&session));
            async move { adapter.create_session(session).await }
        })
        .await?;
        let mut created = 0;
        for result in results {
            match result {
                Ok(_) => created += 1,
                Err(e) => check!(
                    e.conflict_key() == Some(UniqueKey::SessionToken),
                    "a losing create_session failed with {e}, not a Conflict"
                ),
            }
        }
        check_eq!(created, 1, "sessions created with one token, of {RACERS}");
        Ok(())
    })
    .await
}
