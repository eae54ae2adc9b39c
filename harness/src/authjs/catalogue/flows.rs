//! Core's call sequences (specification §14.9), run against the adapter as core runs them.

use super::needs;
use crate::authjs::Ctx;
use crate::authjs::context::{MAX_AGE, UPDATE_AGE};
use crate::authjs::core::{self, SignIn};
use crate::catalogue::body;
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::Method;
use nextauth_adapter::authjs::{MethodSet, NewUser, Session, User};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Flows;
    let email = needs(&[
        Method::CreateVerificationToken,
        Method::UseVerificationToken,
    ]);
    let passkeys = crate::rule::Requires::Implements(MethodSet::CORE.union(MethodSet::WEBAUTHN));
    vec![
        Rule::authjs_must(A, "authjs.flows.oauth.first-sign-in", "§14.9a", "a first OAuth sign-in creates the user, links the account and starts a session that reads back with the user", body!(oauth_first)),
        Rule::authjs_must(A, "authjs.flows.oauth.returning-user", "§14.9a", "a returning OAuth sign-in finds the user by its account and starts a new session, creating nothing else", body!(oauth_returning)),
        Rule::authjs_must(A, "authjs.flows.oauth.linking-while-signed-in", "§14.9a", "signed in, a second provider's account is linked to the same user, and both accounts find it", body!(oauth_linking)),
        Rule::authjs_must(A, "authjs.flows.oauth.same-email-refused", "§14.9a", "a new provider account whose address another user has is refused (OAuthAccountNotLinked) and writes nothing", body!(oauth_same_email)),
        Rule::authjs_must(A, "authjs.flows.email.first-sign-in", "§14.9b", "an e-mail sign-in creates the verified user with core's id and a session; the same link fails a second time", body!(email_first)).requires(email),
        Rule::authjs_must(A, "authjs.flows.email.existing-user-verified", "§14.9b", "an e-mail sign-in of an existing user sets emailVerified and keeps name and image", body!(email_existing)).requires(email),
        Rule::authjs_must(A, "authjs.flows.email.expired-link-refused", "§14.9b; §15.5", "a link used one step after its expiry is refused (Verification) and gone", body!(email_expired)).requires(email),
        Rule::authjs_must(A, "authjs.flows.session.rolling-extension", "§14.9c", "a session read once due (expires − maxAge + updateAge ≤ now) is extended to now + maxAge; read before, it is not", body!(rolling)),
        Rule::authjs_must(A, "authjs.flows.session.expired-deleted", "§14.9c; §15.5", "a session read one step after its expiry gives none and core's delete removes it", body!(session_expired)),
        Rule::authjs_must(A, "authjs.flows.sign-out", "§14.9d", "sign-out deletes the session; the cookie reads no session afterwards", body!(sign_out)),
        Rule::authjs_must(A, "authjs.flows.webauthn.register-and-authenticate", "§14.9e", "a WebAuthn registration (user without core's id, webauthn account, session, credential) then an authentication (counter raised) sign the same user in", body!(webauthn)).requires(passkeys),
    ]
}

fn signed_in(outcome: SignIn, what: &str) -> Result<(Session, User, bool), Failure> {
    match outcome {
        SignIn::Session {
            session,
            user,
            is_new_user,
        } => Ok((session, user, is_new_user)),
        other => Err(Failure::new(format!(
            "{what}: expected a new session, core ended with {other:?}"
        ))),
    }
}

async fn oauth_first(c: Ctx) -> RuleResult {
    let profile = c.new_user();
    let placeholder = profile.clone().into_user(String::new());
    let account = c.new_account(&placeholder, "github");
    let token = c.uuid();
    let outcome = core::oauth_callback(
        &*c.adapter,
        c.now(),
        None,
        profile.clone(),
        account.clone(),
        false,
        token.clone(),
    )
    .await?;
    let (session, user, is_new) = signed_in(outcome, "first OAuth sign-in")?;
    check!(is_new, "core did not see a new user");
    check_eq!(user.email, profile.email, "the new user's address");
    let read = core::session_read(&*c.adapter, c.now(), &token).await?;
    check_eq!(
        read.map(|r| r.user),
        Some(user.clone()),
        "the session's user"
    );
    check_eq!(session.session_token, token, "the session token core chose");
    let s = c.stored().await?;
    check_eq!(s.users.len(), 1, "users stored");
    check_eq!(s.accounts.len(), 1, "accounts stored");
    check_eq!(s.accounts[0].user_id, user.id, "the account's user");
    Ok(())
}

async fn oauth_returning(c: Ctx) -> RuleResult {
    let profile = c.new_user();
    let account = c.new_account(&profile.clone().into_user(String::new()), "github");
    let first = core::oauth_callback(
        &*c.adapter,
        c.now(),
        None,
        profile.clone(),
        account.clone(),
        false,
        c.uuid(),
    )
    .await?;
    let (_, user, _) = signed_in(first, "first OAuth sign-in")?;
    let later = c.now() + Duration::days(3);
    let again = core::oauth_callback(
        &*c.adapter,
        later,
        None,
        NewUser {
            id: Some(c.uuid()),
            ..profile
        },
        account,
        false,
        c.uuid(),
    )
    .await?;
    let (_, returning, is_new) = signed_in(again, "returning OAuth sign-in")?;
    check!(!is_new, "core created a second user");
    check_eq!(returning, user, "the returning user");
    let s = c.stored().await?;
    check_eq!(
        (s.users.len(), s.accounts.len(), s.sessions.len()),
        (1, 1, 2),
        "users, accounts and sessions stored"
    );
    Ok(())
}

async fn oauth_linking(c: Ctx) -> RuleResult {
    let profile = c.new_user();
    let github = c.new_account(&profile.clone().into_user(String::new()), "github");
    let token = c.uuid();
    let first = core::oauth_callback(
        &*c.adapter,
        c.now(),
        None,
        profile.clone(),
        github.clone(),
        false,
        token.clone(),
    )
    .await?;
    let (_, user, _) = signed_in(first, "first OAuth sign-in")?;
    let gitlab = c.new_account(&user, "gitlab");
    let linked = core::oauth_callback(
        &*c.adapter,
        c.now(),
        Some(&token),
        c.new_user(),
        gitlab.clone(),
        false,
        c.uuid(),
    )
    .await?;
    check_eq!(
        linked,
        SignIn::Linked { user: user.clone() },
        "the second provider's sign-in while signed in"
    );
    for key in [github.key(), gitlab.key()] {
        check_eq!(
            c.adapter.get_user_by_account(&key).await?,
            Some(user.clone()),
            "the owner of a linked account"
        );
    }
    Ok(())
}

async fn oauth_same_email(c: Ctx) -> RuleResult {
    let existing = c.user().await?;
    let profile = NewUser {
        email: existing.email.clone(),
        ..c.new_user()
    };
    let account = c.new_account(&existing, "gitlab");
    let before = c.stored().await?;
    let outcome = core::oauth_callback(
        &*c.adapter,
        c.now(),
        None,
        profile,
        account,
        false,
        c.uuid(),
    )
    .await?;
    check_eq!(
        outcome,
        SignIn::Refused("OAuthAccountNotLinked"),
        "a new account with a taken address"
    );
    check_eq!(c.stored().await?, before, "the store after the refusal");
    Ok(())
}

async fn email_first(c: Ctx) -> RuleResult {
    let identifier = "new.user@example.com";
    let raw = "a1".repeat(32);
    core::email_send(&*c.adapter, c.now(), identifier, &raw).await?;
    let clicked = c.now() + Duration::minutes(5);
    let core_id = c.uuid();
    let outcome = core::email_callback(
        &*c.adapter,
        clicked,
        None,
        identifier,
        &raw,
        core_id.clone(),
        c.uuid(),
    )
    .await?;
    let (_, user, is_new) = signed_in(outcome, "the e-mail sign-in")?;
    check!(is_new, "core did not see a new user");
    check_eq!(
        user.email.as_deref(),
        Some(identifier),
        "the new user's address"
    );
    check!(
        user.email_verified.is_some(),
        "the new user is not verified"
    );
    if c.caps.user_id == nextauth_adapter::authjs::IdSource::Core {
        check_eq!(
            user.id,
            core_id,
            "the new user's id (declared to keep core's)"
        );
    }
    let again = core::email_callback(
        &*c.adapter,
        clicked,
        None,
        identifier,
        &raw,
        c.uuid(),
        c.uuid(),
    )
    .await?;
    check_eq!(
        again,
        SignIn::Refused("Verification"),
        "the same link a second time"
    );
    Ok(())
}

async fn email_existing(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let identifier = user.email.clone().unwrap_or_default();
    let raw = "b2".repeat(32);
    core::email_send(&*c.adapter, c.now(), &identifier, &raw).await?;
    let clicked = c.now() + Duration::minutes(1);
    let outcome = core::email_callback(
        &*c.adapter,
        clicked,
        None,
        &identifier,
        &raw,
        c.uuid(),
        c.uuid(),
    )
    .await?;
    let (_, signed, is_new) = signed_in(outcome, "the e-mail sign-in")?;
    check!(!is_new, "core created a second user");
    let expected = c.as_stored(&User {
        email_verified: Some(clicked),
        ..user
    });
    check_eq!(signed, expected, "the user after the e-mail sign-in");
    check_eq!(c.stored().await?.users, vec![expected], "the stored users");
    Ok(())
}

async fn email_expired(c: Ctx) -> RuleResult {
    let identifier = "late@example.com";
    let raw = "c3".repeat(32);
    let token = core::email_send(&*c.adapter, c.now(), identifier, &raw).await?;
    let late = token.expires + c.tick();
    let outcome = core::email_callback(
        &*c.adapter,
        late,
        None,
        identifier,
        &raw,
        c.uuid(),
        c.uuid(),
    )
    .await?;
    check_eq!(
        outcome,
        SignIn::Refused("Verification"),
        "a link used after its expiry"
    );
    let s = c.stored().await?;
    check!(
        s.verification_tokens.is_empty(),
        "the expired token is still stored"
    );
    check!(
        s.users.is_empty() && s.sessions.is_empty(),
        "an expired link signed someone in"
    );
    Ok(())
}

async fn rolling(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.session(&user).await?;
    let due = session.expires - MAX_AGE + UPDATE_AGE;
    // Just before it is due: nothing changes.
    let early = due - c.tick();
    core::session_read(&*c.adapter, early, &session.session_token).await?;
    let s = c.stored().await?;
    check_eq!(
        s.session(&session.session_token).map(|x| x.expires),
        Some(session.expires),
        "the expiry after a read before the update is due"
    );
    // Due: extended to now + maxAge.
    core::session_read(&*c.adapter, due, &session.session_token).await?;
    let s = c.stored().await?;
    check_eq!(
        s.session(&session.session_token).map(|x| x.expires),
        Some(c.stored_instant(due + MAX_AGE)),
        "the expiry after a read when the update is due"
    );
    Ok(())
}

async fn session_expired(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.session(&user).await?;
    let late = session.expires + c.tick();
    check_eq!(
        core::session_read(&*c.adapter, late, &session.session_token).await?,
        None,
        "a read one step after the expiry"
    );
    check!(
        c.stored().await?.sessions.is_empty(),
        "the expired session is still stored"
    );
    let on_time = c.session(&user).await?;
    let read = core::session_read(&*c.adapter, on_time.expires, &on_time.session_token).await?;
    check!(
        read.is_some(),
        "a read exactly at the expiry gave none (core's check is strict)"
    );
    Ok(())
}

async fn sign_out(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.session(&user).await?;
    let other = c.session(&user).await?;
    core::sign_out(&*c.adapter, &session.session_token).await?;
    check_eq!(
        core::session_read(&*c.adapter, c.now(), &session.session_token).await?,
        None,
        "the session after sign-out"
    );
    check!(
        core::session_read(&*c.adapter, c.now(), &other.session_token)
            .await?
            .is_some(),
        "signing out of one browser signed the other out too"
    );
    Ok(())
}

async fn webauthn(c: Ctx) -> RuleResult {
    let placeholder = c.new_user().into_user("pending".to_owned());
    let authenticator = c.new_authenticator(&placeholder);
    let outcome = core::webauthn_register(
        &*c.adapter,
        c.now(),
        "passkey@example.com",
        authenticator.clone(),
        c.uuid(),
    )
    .await?;
    let (_, user, _) = signed_in(outcome, "the WebAuthn registration")?;
    check!(!user.id.is_empty(), "the registered user has an empty id");
    let counter = authenticator.counter + 1;
    let later = c.now() + Duration::days(2);
    let outcome = core::webauthn_authenticate(
        &*c.adapter,
        later,
        &authenticator.credential_id,
        counter,
        c.uuid(),
    )
    .await?;
    let (_, again, _) = signed_in(outcome, "the WebAuthn authentication")?;
    check_eq!(again, user, "the authenticated user");
    let stored = c.stored().await?;
    check_eq!(
        stored
            .authenticator(&authenticator.credential_id)
            .map(|a| a.counter),
        Some(counter),
        "the stored counter"
    );
    Ok(())
}
