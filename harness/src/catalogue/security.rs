//! Rules on what an attacker would exploit: how tokens are stored and how exactly lookups match.

use super::body;
use crate::context::{Ctx, SECRET};
use crate::rule::{Area, Rule, RuleResult};
use crate::{check, check_eq};

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
        Rule::should(
            A,
            "security.session.token-case-exact",
            "§3.10",
            "a session token in upper case finds nothing",
            body!(session_case),
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

async fn session_case(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    check_eq!(
        c.adapter
            .get_session(Some(&s.session_token.to_uppercase()))
            .await?,
        None,
        "the token in upper case"
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
