//! Verification tokens: stored as core hashed them, used once by identifier and token together.

use crate::authjs::Ctx;
use crate::catalogue::body;
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::authjs::{VerificationKey, VerificationToken};
use nextauth_adapter::{ErrorKind, Method};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Verification;
    let needs = super::needs_only(&[
        Method::CreateVerificationToken,
        Method::UseVerificationToken,
    ]);
    vec![
        Rule::authjs_must(A, "authjs.verification.create.stored-as-given", "§14.7; AJS#13", "create_verification_token stores identifier, hashed token and expiry exactly as core passed them", body!(stored_as_given)).requires(needs),
        Rule::authjs_must(A, "authjs.verification.use.returns-once", "§14.7; AJS#14", "use_verification_token returns the token and removes it: the second use gives none", body!(returns_once)).requires(needs),
        Rule::authjs_must(A, "authjs.verification.use.wrong-identifier", "§14.7; AJS#14; §15.6", "use_verification_token with another identifier gives none and does not consume the token", body!(wrong_identifier)).requires(needs),
        Rule::authjs_must(A, "authjs.verification.use.wrong-token", "§14.7; §15.6", "use_verification_token with another token of the same identifier gives none and consumes nothing", body!(wrong_token)).requires(needs),
        Rule::authjs_must(A, "authjs.verification.use.removes-only-that-token", "§14.7", "of two links sent to one address, using one leaves the other usable", body!(removes_only_that)).requires(needs),
        Rule::authjs_must(A, "authjs.verification.use.expired-returned-and-removed", "§14.7; §15.5", "an expired token is returned as stored (core decides, and shows the expiry) and removed", body!(expired_returned)).requires(needs),
        Rule::authjs_must(A, "authjs.verification.expires.boundary-kept", "§14.7; §15.5", "a token expiring one declared step after core's now comes back not expired under core's strict check", body!(boundary_kept)).requires(needs),
        Rule::authjs_must(A, "authjs.verification.create.duplicate-used-once", "§14.7; §15.6", "one (identifier, token) created twice (refused or not) can still be used only once", body!(duplicate_used_once)).requires(needs),
    ]
}

fn expected(c: &Ctx, token: &VerificationToken) -> VerificationToken {
    VerificationToken {
        expires: c.stored_instant(token.expires),
        ..token.clone()
    }
}

async fn stored_as_given(c: Ctx) -> RuleResult {
    let (_, token) = c.new_token("info@example.com");
    let returned = c.adapter.create_verification_token(token.clone()).await?;
    if let Some(returned) = returned {
        check_eq!(
            returned,
            expected(&c, &token),
            "create_verification_token's return"
        );
    }
    check_eq!(
        c.stored().await?.verification_tokens,
        vec![expected(&c, &token)],
        "the stored tokens"
    );
    Ok(())
}

async fn returns_once(c: Ctx) -> RuleResult {
    let token = c.token("info@example.com").await?;
    let key = Ctx::key_of(&token);
    check_eq!(
        c.adapter.use_verification_token(&key).await?,
        Some(expected(&c, &token)),
        "the first use"
    );
    check_eq!(
        c.adapter.use_verification_token(&key).await?,
        None,
        "the second use"
    );
    check!(
        c.stored().await?.verification_tokens.is_empty(),
        "the used token is still stored"
    );
    Ok(())
}

async fn wrong_identifier(c: Ctx) -> RuleResult {
    let token = c.token("info@example.com").await?;
    let wrong = VerificationKey {
        identifier: "invalid@identifier.com".to_owned(),
        token: token.token.clone(),
    };
    check_eq!(
        c.adapter.use_verification_token(&wrong).await?,
        None,
        "a use with another identifier"
    );
    check_eq!(
        c.adapter
            .use_verification_token(&Ctx::key_of(&token))
            .await?,
        Some(expected(&c, &token)),
        "the rightful use after a use with another identifier"
    );
    Ok(())
}

async fn wrong_token(c: Ctx) -> RuleResult {
    let token = c.token("info@example.com").await?;
    let (_, other) = c.new_token("info@example.com");
    check_eq!(
        c.adapter
            .use_verification_token(&Ctx::key_of(&other))
            .await?,
        None,
        "a use with a token never sent"
    );
    // A wrong use that returns none but removes the right token spends the user's link: the
    // collateral cause (core refuses the wrong link and the real one is gone), not a match.
    let stored = c.stored().await?.verification_tokens;
    let want = vec![expected(&c, &token)];
    if stored != want {
        return Err(crate::rule::mismatch(
            "the stored tokens after a use with a token never sent".to_owned(),
            &format!("{want:?}"),
            &format!("{stored:?}"),
        )
        .or_because("collateral"));
    }
    Ok(())
}

async fn removes_only_that(c: Ctx) -> RuleResult {
    let first = c.token("info@example.com").await?;
    let second = c.token("info@example.com").await?;
    c.adapter
        .use_verification_token(&Ctx::key_of(&first))
        .await?;
    check_eq!(
        c.stored().await?.verification_tokens,
        vec![expected(&c, &second)],
        "the tokens after using the first"
    );
    check_eq!(
        c.adapter
            .use_verification_token(&Ctx::key_of(&second))
            .await?,
        Some(expected(&c, &second)),
        "the second link's use"
    );
    Ok(())
}

async fn expired_returned(c: Ctx) -> RuleResult {
    let (_, token) = c.new_token("info@example.com");
    let token = VerificationToken {
        expires: c.now() - Duration::hours(1),
        ..token
    };
    c.adapter.create_verification_token(token.clone()).await?;
    check_eq!(
        c.adapter
            .use_verification_token(&Ctx::key_of(&token))
            .await?,
        Some(expected(&c, &token)),
        "the use of an expired token"
    );
    check!(
        c.stored().await?.verification_tokens.is_empty(),
        "the expired token is still stored after its use"
    );
    Ok(())
}

async fn boundary_kept(c: Ctx) -> RuleResult {
    let now = c.now() + Duration::milliseconds(250);
    let (_, token) = c.new_token("info@example.com");
    let token = VerificationToken {
        expires: now + c.tick(),
        ..token
    };
    c.adapter.create_verification_token(token.clone()).await?;
    let Some(used) = c
        .adapter
        .use_verification_token(&Ctx::key_of(&token))
        .await?
    else {
        return Err(Failure::new("the token was not returned"));
    };
    check!(
        used.expires >= now,
        "a token expiring at {:?} came back as {:?}, which core at {now:?} takes for expired",
        token.expires,
        used.expires
    );
    Ok(())
}

async fn duplicate_used_once(c: Ctx) -> RuleResult {
    let token = c.token("info@example.com").await?;
    if let Err(e) = c.adapter.create_verification_token(token.clone()).await {
        check!(
            e.kind() == ErrorKind::Conflict,
            "expected success or a Conflict, got {e}"
        );
    }
    let key = Ctx::key_of(&token);
    let first = c.adapter.use_verification_token(&key).await?;
    let second = c.adapter.use_verification_token(&key).await?;
    check!(first.is_some(), "the first use gave none");
    check_eq!(second, None, "the second use of a token created twice");
    Ok(())
}
