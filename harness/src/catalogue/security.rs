//! Rules on what an attacker would exploit: how tokens are made and stored, and how exactly
//! lookups match.

use super::body;
use crate::context::{Ctx, SECRET};
use crate::randomness::{self, Kind, SAMPLE};
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::{Session, UniqueKey, formulas};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Security;
    vec![
        Rule::must(
            A,
            "security.verification.raw-token-never-stored",
            "§3.13; §4",
            "no stored column holds the raw verification token",
            body!(raw_token_not_stored),
        ),
        Rule::must(
            A,
            "security.session.prefix-does-not-match",
            "§3.10",
            "a prefix of a session token finds nothing",
            body!(session_prefix),
        ),
        Rule::must(
            A,
            "security.session.access-token-is-not-session-token",
            "§2",
            "the session's access token does not open the session",
            body!(access_token_not_session),
        ),
        Rule::must(
            A,
            "security.email.wildcards-are-literal",
            "§3.3 (exact match)",
            "`%` and `_` in a looked-up address match only themselves",
            body!(email_wildcards),
        ),
        Rule::must(
            A,
            "security.verification.token-prefix-does-not-match",
            "§3.14",
            "a prefix of a valid verification token finds nothing",
            body!(verification_prefix),
        ),
        Rule::must(
            A,
            "security.session.tokens-unpredictable",
            "§3.9; §4; H12",
            "512 sessions created one after another, the clock moving between them: their session and access tokens show no pattern of a counter, a clock or a small seed (no run of 16 hex digits twice, even digit counts overall and at every position, no repeated step from one token to the next or from a session token to its access token)",
            body!(tokens_unpredictable),
        )
        // 512 sessions in a row, where an ordinary rule makes a few dozen calls: through a
        // bridged adapter on a loaded machine they can outlast the ordinary limit.
        .long(8),
        Rule::should(
            A,
            "security.verification.identifier-wildcards-literal",
            "G4",
            "`%` as identifier does not redeem another address's token",
            body!(identifier_wildcard),
        ),
    ]
}

async fn raw_token_not_stored(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("info@example.com").await?;
    let stored = c.stored().await?;
    let debug = format!("{stored:?}");
    check!(
        !debug.contains(&token),
        "the raw verification token {token} appears in stored data"
    );
    Ok(())
}

async fn session_prefix(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    check_eq!(
        c.adapter.get_session(Some(&s.session_token[..32])).await?,
        None,
        "a 32-character prefix"
    );
    Ok(())
}

async fn access_token_not_session(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    check_eq!(
        c.adapter.get_session(Some(&s.access_token)).await?,
        None,
        "get_session with the access token"
    );
    Ok(())
}

async fn email_wildcards(c: Ctx) -> RuleResult {
    c.user_with_email("alice@example.com").await?;
    for pattern in [
        "%",
        "%@example.com",
        "alic_@example.com",
        "_lice@example.com",
    ] {
        check_eq!(
            c.adapter.get_user_by_email(Some(pattern)).await?,
            None,
            "get_user_by_email({pattern:?})"
        );
    }
    Ok(())
}

async fn verification_prefix(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("info@example.com").await?;
    check_eq!(
        c.adapter
            .get_verification_request("info@example.com", &token[..16], SECRET, &c.provider)
            .await?,
        None,
        "a 16-character prefix of the token"
    );
    Ok(())
}

async fn identifier_wildcard(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("victim@example.com").await?;
    check_eq!(
        c.adapter
            .get_verification_request("%", &token, SECRET, &c.provider)
            .await?,
        None,
        "identifier \"%\""
    );
    Ok(())
}

/// How far the clock moves before the `i`th session of the sample: 1 to 2 ms, never the same
/// twice in a row, as sign-ins arrive; so a token made from the clock changes with it as it
/// would in production, neither frozen nor in even steps.
fn sign_in_gap(i: usize) -> Duration {
    Duration::microseconds(1000 + (i * 7919 % 997) as i64)
}

/// One session of the sample, or the failure its creation shows: a `Conflict` on a token is the
/// adapter drawing a token it had issued before.
async fn sample_session(
    c: &Ctx,
    user: &nextauth_adapter::User,
    i: usize,
) -> Result<Session, Failure> {
    let session = match c.adapter.create_session(user).await {
        Ok(s) => s,
        Err(e) => {
            return Err(match e.conflict_key() {
                Some(key @ (UniqueKey::SessionToken | UniqueKey::SessionAccessToken)) => {
                    Failure::new(format!(
                        "create_session {} of {SAMPLE} was refused as a Conflict on {key:?}: the adapter drew a token it had already issued, which a generator of 256 random bits does in this sample with a chance below 10⁻⁷⁰ ({e})",
                        i + 1
                    ))
                }
                _ => e.into(),
            });
        }
    };
    for token in [&session.session_token, &session.access_token] {
        if !formulas::is_token_shaped(token) {
            // The shape is session.create.tokens-are-64-hex's to judge, under its cause.
            return Err(Failure::new(format!(
                "create_session {} returned {token:?}, not 64 lowercase hex: its randomness cannot be judged",
                i + 1
            ))
            .because("weak-tokens"));
        }
    }
    Ok(session)
}

async fn tokens_unpredictable(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let mut session_tokens = Vec::with_capacity(SAMPLE);
    let mut access_tokens = Vec::with_capacity(SAMPLE);
    for i in 0..SAMPLE {
        c.advance(sign_in_gap(i));
        let s = sample_session(&c, &user, i).await?;
        session_tokens.push(s.session_token);
        access_tokens.push(s.access_token);
    }
    let problems = randomness::judge(&[
        Kind {
            name: "session token",
            tokens: &session_tokens,
        },
        Kind {
            name: "access token",
            tokens: &access_tokens,
        },
    ]);
    check!(
        problems.is_empty(),
        "{SAMPLE} sessions created in a row (session tokens {}, {}, {}, …): {}; a cryptographic generator shows any of this with a chance below 10⁻⁹ (specification H12)",
        session_tokens[0],
        session_tokens[1],
        session_tokens[2],
        first_few(&problems)
    );
    Ok(())
}

/// The first four problems, and how many more there are.
fn first_few(problems: &[String]) -> String {
    const SHOWN: usize = 4;
    let mut text = problems[..problems.len().min(SHOWN)].join("; ");
    if problems.len() > SHOWN {
        text.push_str(&format!("; and {} more", problems.len() - SHOWN));
    }
    text
}
