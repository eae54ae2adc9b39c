//! Database sessions: stored as core chose them, read with their user, extended partially,
//! deleted. The adapter decides no expiry: core does, from what the adapter returns.

use crate::authjs::Ctx;
use crate::authjs::context::MAX_AGE;
use crate::authjs::context::Refusal;
use crate::catalogue::body;
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::UniqueKey;
use nextauth_adapter::authjs::{Session, SessionAndUser, SessionPatch};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Sessions;
    vec![
        Rule::authjs_must(
            A,
            "authjs.sessions.create.stored-as-given",
            "§14.6; AJS#5",
            "create_session stores the session core chose and returns it",
            body!(stored_as_given),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.create.token-unique",
            "§14.6; §15.9",
            "create_session with a token another session has is a Conflict and writes nothing",
            body!(token_unique),
        ),
        Rule::authjs_should(
            A,
            "authjs.sessions.create.missing-user-refused",
            "§14.6",
            "create_session for a user nobody has is NotFound and leaves no orphan session",
            body!(missing_user_refused),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.get.with-user",
            "§14.6; AJS#6",
            "get_session_and_user gives the session and its user, and none for an unknown token",
            body!(get_with_user),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.get.expired-returned",
            "§14.6; §15.5",
            "get_session_and_user returns an expired session as stored: core decides expiry and deletes it",
            body!(expired_returned),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.expires.boundary-kept",
            "§14.6; §15.5",
            "a session expiring one declared step after core's now is returned not expired under core's strict check",
            body!(boundary_kept),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.update.expires",
            "§14.6; AJS#8",
            "update_session with a new expiry stores it; what it returns, if anything, is what it stored",
            body!(update_expires),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.update.keeps-absent-fields",
            "§14.6; §15.3",
            "update_session of the expiry alone (core's rolling extension) keeps the session's user",
            body!(update_keeps_user),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.update.missing-inserts-nothing",
            "§14.6",
            "update_session of an unknown token inserts nothing (none or NotFound, never an upsert)",
            body!(update_missing),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.delete.removes-that-session",
            "§14.6; AJS#11",
            "delete_session removes that session and no other, the user's other sessions included",
            body!(delete_removes),
        ),
        Rule::authjs_must(
            A,
            "authjs.sessions.delete.missing-is-harmless",
            "§14.6",
            "delete_session of an unknown token changes nothing (success or NotFound)",
            body!(delete_missing),
        ),
    ]
}

async fn stored_as_given(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.new_session(&user);
    let returned = c.adapter.create_session(session.clone()).await?;
    let expected = Session {
        expires: c.stored_instant(session.expires),
        ..session
    };
    check_eq!(returned, expected, "create_session's return");
    check_eq!(
        c.stored().await?.sessions,
        vec![expected],
        "the stored sessions"
    );
    Ok(())
}

async fn token_unique(c: Ctx) -> RuleResult {
    let ann = c.user().await?;
    let bob = c.user().await?;
    let first = c.session(&ann).await?;
    let before = c.stored().await?;
    let again = Session {
        user_id: bob.id.clone(),
        ..first.clone()
    };
    let result = c.adapter.create_session(again).await;
    c.refused(
        result,
        Refusal::Conflict(UniqueKey::SessionToken),
        &before,
        "create_session",
    )
    .await?;
    Ok(())
}

async fn missing_user_refused(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let orphan = Session {
        user_id: c.unknown_user_id(&user.id),
        ..c.new_session(&user)
    };
    let before = c.stored().await?;
    let result = c.adapter.create_session(orphan).await;
    c.refused(
        result,
        Refusal::NotFound,
        &before,
        "create_session for a user nobody has",
    )
    .await
}

async fn get_with_user(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.session(&user).await?;
    check_eq!(
        c.adapter.get_session_and_user("invalid-token").await?,
        None,
        "get_session_and_user of an unknown token"
    );
    check_eq!(
        c.adapter
            .get_session_and_user(&session.session_token)
            .await?,
        Some(SessionAndUser { session, user }),
        "get_session_and_user"
    );
    Ok(())
}

async fn expired_returned(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let expired = Session {
        expires: c.now() - Duration::days(2),
        ..c.new_session(&user)
    };
    let stored = c.adapter.create_session(expired.clone()).await?;
    let found = c
        .adapter
        .get_session_and_user(&expired.session_token)
        .await?;
    check_eq!(
        found.map(|f| f.session),
        Some(stored),
        "get_session_and_user of an expired session"
    );
    Ok(())
}

async fn boundary_kept(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let now = c.now() + Duration::milliseconds(250);
    let session = Session {
        expires: now + c.tick(),
        ..c.new_session(&user)
    };
    c.adapter.create_session(session.clone()).await?;
    let Some(found) = c
        .adapter
        .get_session_and_user(&session.session_token)
        .await?
    else {
        return Err(Failure::new("the session was not found"));
    };
    // Core: `expires.valueOf() < Date.now()` means expired.
    check!(
        found.session.expires >= now,
        "a session expiring at {:?} came back as {:?}, which core at {now:?} takes for expired",
        session.expires,
        found.session.expires
    );
    Ok(())
}

async fn update_expires(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.session(&user).await?;
    let expires = c.now() + MAX_AGE + Duration::days(3);
    let returned = c
        .adapter
        .update_session(SessionPatch {
            session_token: session.session_token.clone(),
            user_id: None,
            expires: Some(expires),
        })
        .await?;
    let expected = Session {
        expires: c.stored_instant(expires),
        ..session
    };
    if let Some(returned) = returned {
        check_eq!(returned, expected, "update_session's return");
    }
    check_eq!(
        c.stored().await?.sessions,
        vec![expected],
        "the stored sessions"
    );
    Ok(())
}

async fn update_keeps_user(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.session(&user).await?;
    let other = c.user().await?;
    c.session(&other).await?;
    c.adapter
        .update_session(SessionPatch {
            session_token: session.session_token.clone(),
            user_id: None,
            expires: Some(c.now() + MAX_AGE),
        })
        .await?;
    let stored = c.stored().await?;
    let Some(after) = stored.session(&session.session_token) else {
        return Err(Failure::new("the session is gone after update_session"));
    };
    check_eq!(
        after.user_id,
        user.id,
        "the session's user after update_session of its expiry"
    );
    Ok(())
}

async fn update_missing(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    c.session(&user).await?;
    let before = c.stored().await?;
    let patch = SessionPatch {
        session_token: c.uuid(),
        user_id: Some(user.id.clone()),
        expires: Some(c.now() + MAX_AGE),
    };
    let result = c.adapter.update_session(patch).await;
    if let Ok(Some(s)) = &result {
        return Err(Failure::new(format!(
            "update_session of an unknown token returned {s:?}"
        )));
    }
    c.harmless(result, &before, "update_session of an unknown token")
        .await
}

async fn delete_removes(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let first = c.session(&user).await?;
    let second = c.session(&user).await?;
    c.adapter.delete_session(&first.session_token).await?;
    check_eq!(
        c.stored().await?.sessions,
        vec![second],
        "the sessions after delete_session"
    );
    check_eq!(
        c.adapter.get_session_and_user(&first.session_token).await?,
        None,
        "get_session_and_user after delete_session"
    );
    Ok(())
}

async fn delete_missing(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    c.session(&user).await?;
    let before = c.stored().await?;
    let result = c.adapter.delete_session("no-such-session").await;
    c.harmless(result, &before, "delete_session of an unknown token")
        .await?;
    Ok(())
}
