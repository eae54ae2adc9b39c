//! Rules that drive the adapter through v3 core's call sequences (contract-v3 §5).

use super::body;
use crate::context::{Ctx, SECRET};
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::v3core::{Core, OAuthProfile, SessionMode, SessionRead, SignInError, SignedIn};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::NewUser;

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Flows;
    vec![
        Rule::must(
            A,
            "flow.oauth.first-sign-in",
            "§5.1",
            "a first OAuth sign-in creates the user, links the account and starts a session",
            body!(oauth_first),
        ),
        Rule::must(
            A,
            "flow.oauth.returning-user",
            "§5.2; G18",
            "a returning OAuth user gets a new session and nothing else is written",
            body!(oauth_returning),
        ),
        Rule::must(
            A,
            "flow.oauth.link-while-signed-in",
            "§5.3",
            "signed in, an OAuth sign-in with a new provider account links it to the current user",
            body!(oauth_link),
        ),
        Rule::must(
            A,
            "flow.oauth.already-linked-no-writes",
            "§5.3",
            "signed in, signing in with one's own linked account writes nothing",
            body!(oauth_already_linked),
        ),
        Rule::must(
            A,
            "flow.oauth.linked-to-other-user",
            "§5.3; G2",
            "signed in, an account linked to another user is OAuthAccountNotLinked",
            body!(oauth_other_user),
        ),
        Rule::must(
            A,
            "flow.oauth.email-clash-not-linked",
            "§5.1; G2; next-auth#519",
            "an OAuth e-mail that belongs to an existing user is OAuthAccountNotLinked, with no writes",
            body!(oauth_email_clash),
        ),
        Rule::must(
            A,
            "flow.oauth.no-email-profile",
            "§5.1; G9",
            "an OAuth profile without an e-mail signs in (no e-mail lookup)",
            body!(oauth_no_email),
        ),
        Rule::must(
            A,
            "flow.email.new-user",
            "§5.4",
            "an e-mail sign-in of a new address creates a verified user and a session, and consumes the link",
            body!(email_new_user),
        ),
        Rule::must(
            A,
            "flow.email.existing-user",
            "§5.4; G19",
            "an e-mail sign-in of a known address refreshes email_verified and starts a session",
            body!(email_existing_user),
        ),
        Rule::must(
            A,
            "flow.email.link-used-twice",
            "§5.4b; G5",
            "a sign-in link works once: the second click is a Verification error",
            body!(email_link_twice),
        ),
        Rule::must(
            A,
            "flow.email.expired-link",
            "§5.4b; §3.14",
            "a link clicked after max_age is a Verification error",
            body!(email_expired_link),
        ),
        Rule::must(
            A,
            "flow.email.other-address-in-link",
            "§5.4b; G4",
            "a link edited to another address is a Verification error and signs nobody in",
            body!(email_other_address),
        ),
        Rule::must(
            A,
            "flow.email.callback-case-as-declared",
            "§5.0; G1",
            "a link whose address differs in case verifies as the adapter's declared matching says",
            body!(email_callback_case),
        ),
        Rule::must(
            A,
            "flow.email.switch-user-deletes-old-session",
            "§5.4b step 9; G17",
            "signed in as A, an e-mail sign-in as B deletes A's session",
            body!(email_switch_user),
        ),
        Rule::must(
            A,
            "flow.session.read-rolls-expiry",
            "§5.5; G7",
            "reading the session over days extends it once per update_age, and the client sees the new expiry",
            body!(session_read_rolls),
        ),
        Rule::must(
            A,
            "flow.session.expired-cookie-cleared",
            "§5.5",
            "reading an expired session clears the cookie",
            body!(session_read_expired),
        ),
        Rule::must(
            A,
            "flow.signout.with-cookie",
            "§5.6",
            "sign-out deletes the session; a later read clears the cookie",
            body!(signout_with_cookie),
        ),
        Rule::must(
            A,
            "flow.signout.without-cookie",
            "§5.6; G14; adapters#187",
            "sign-out without a cookie raises no adapter error and deletes nothing",
            body!(signout_without_cookie),
        ),
        Rule::must(
            A,
            "flow.signout.stale-cookie",
            "§5.6; G14; next-auth#4495",
            "sign-out with an already deleted session raises no adapter error",
            body!(signout_stale),
        ),
        Rule::must(
            A,
            "flow.jwt.oauth-link-with-string-sub",
            "§5.7; G11; next-auth#1644",
            "in JWT mode, linking works with the user id as a string, and the JWT given to get_session finds nothing",
            body!(jwt_link),
        ),
        Rule::must(
            A,
            "flow.session.deleted-user-leaves-no-session",
            "§5.5; G8; cap:delete-user",
            "declared cascading, after delete_user the user's cookie no longer reads as a session",
            body!(session_deleted_user),
        )
        .requires(Requires::DeleteUserCascade),
        Rule::must(
            A,
            "flow.oauth.sign-in-after-user-deleted",
            "G8; cap:delete-user",
            "declared cascading, after delete_user the same OAuth account can sign up again",
            body!(oauth_after_delete),
        )
        .requires(Requires::DeleteUserCascade),
    ]
}

fn core(c: &Ctx, mode: SessionMode) -> Core<'_> {
    Core {
        adapter: &*c.adapter,
        clock: &c.clock,
        provider: &c.provider,
        secret: SECRET,
        base_url: &c.config.base_url,
        mode,
    }
}

fn github_profile(id: &str, email: Option<&str>) -> OAuthProfile {
    OAuthProfile {
        id: id.to_owned(),
        name: Some("Octo Cat".to_owned()),
        email: email.map(str::to_owned),
        image: Some("https://avatars.example.com/u/1".to_owned()),
    }
}

/// A GitHub sign-in without a cookie, as core runs it: the result and the new session's cookie.
async fn github_sign_in(
    core: &Core<'_>,
    id: &str,
    email: Option<&str>,
) -> Result<(SignedIn, String), Failure> {
    let signed_in = ok(
        core.oauth_callback("github", &github_profile(id, email), None, None, None)
            .await,
        "GitHub sign-in",
    )?;
    let cookie = signed_in
        .session
        .as_ref()
        .map(|s| s.session_token.clone())
        .ok_or_else(|| Failure::new("the sign-in started no session"))?;
    Ok((signed_in, cookie))
}

fn ok<T>(r: Result<T, SignInError>, what: &str) -> Result<T, Failure> {
    r.map_err(|e| Failure::new(format!("{what}: core ended with {e}")))
}

async fn oauth_first(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let p = github_profile("583231", Some("octo@example.com"));
    let s = ok(
        core.oauth_callback("github", &p, Some("r"), Some("a"), None)
            .await,
        "first sign-in",
    )?;
    check!(s.is_new_user, "the first sign-in did not create a new user");
    let session = s
        .session
        .ok_or_else(|| Failure::new("no session was started"))?;
    let stored = c.stored().await?;
    check_eq!(stored.users.len(), 1, "users");
    check_eq!(stored.accounts.len(), 1, "accounts");
    check_eq!(stored.sessions.len(), 1, "sessions");
    check_eq!(stored.accounts[0].user_id, s.user.id, "account's user");
    check_eq!(session.user_id, s.user.id, "session's user");
    check_eq!(
        stored.users[0].email.as_deref(),
        Some("octo@example.com"),
        "stored email"
    );
    Ok(())
}

async fn oauth_returning(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let p = github_profile("583231", Some("octo@example.com"));
    let first = ok(
        core.oauth_callback("github", &p, Some("r"), Some("a"), None)
            .await,
        "first sign-in",
    )?;
    let before = c.stored().await?;
    c.advance(Duration::days(3));
    let changed = OAuthProfile {
        name: Some("Renamed at GitHub".into()),
        ..p
    };
    let again = ok(
        core.oauth_callback("github", &changed, Some("r2"), Some("a2"), None)
            .await,
        "returning sign-in",
    )?;
    check!(!again.is_new_user, "a returning user was reported new");
    check_eq!(again.user.id, first.user.id, "returning user's id");
    let after = c.stored().await?;
    check_eq!(
        after.users,
        before.users,
        "users (v3 does not re-sync the profile)"
    );
    check_eq!(
        after.accounts,
        before.accounts,
        "accounts (v3 does not refresh tokens)"
    );
    check_eq!(after.sessions.len(), 2, "sessions after the second sign-in");
    Ok(())
}

async fn oauth_link(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let first = ok(
        core.oauth_callback(
            "github",
            &github_profile("1", Some("me@example.com")),
            None,
            Some("a"),
            None,
        )
        .await,
        "sign-in with github",
    )?;
    let cookie = first.session.map(|s| s.session_token);
    let google = github_profile("g-77", Some("other-address@example.com"));
    let linked = ok(
        core.oauth_callback("google", &google, None, Some("b"), cookie.as_deref())
            .await,
        "sign-in with google while signed in",
    )?;
    check_eq!(linked.user.id, first.user.id, "linked user");
    // Read from storage, not through the adapter: the flow's adapter calls are core's alone
    // (certify/tests/real_core.rs sets them beside the real core's).
    let stored = c.stored().await?;
    check_eq!(
        stored
            .accounts
            .iter()
            .find(|a| a.provider_id == "google" && a.provider_account_id == "g-77")
            .map(|a| a.user_id.clone()),
        Some(first.user.id.clone()),
        "owner of the stored google account"
    );
    check_eq!(stored.users.len(), 1, "users (linking creates none)");
    check_eq!(
        stored
            .accounts
            .iter()
            .filter(|a| a.user_id == first.user.id)
            .map(|a| a.provider_id.as_str())
            .collect::<std::collections::BTreeSet<_>>(),
        ["github", "google"].into_iter().collect(),
        "the providers linked to the user (linking keeps the first account)"
    );
    Ok(())
}

async fn oauth_already_linked(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let p = github_profile("1", Some("me@example.com"));
    let first = ok(
        core.oauth_callback("github", &p, None, Some("a"), None)
            .await,
        "first sign-in",
    )?;
    let cookie = first.session.map(|s| s.session_token);
    let before = c.stored().await?;
    ok(
        core.oauth_callback("github", &p, None, Some("a"), cookie.as_deref())
            .await,
        "signed-in sign-in with the same account",
    )?;
    check_eq!(c.stored().await?, before, "storage");
    Ok(())
}

async fn oauth_other_user(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let alice = ok(
        core.oauth_callback(
            "github",
            &github_profile("1", Some("alice@example.com")),
            None,
            None,
            None,
        )
        .await,
        "alice",
    )?;
    ok(
        core.oauth_callback(
            "google",
            &github_profile("2", Some("bob@example.com")),
            None,
            None,
            None,
        )
        .await,
        "bob",
    )?;
    let cookie = alice.session.map(|s| s.session_token);
    match core
        .oauth_callback(
            "google",
            &github_profile("2", Some("bob@example.com")),
            None,
            None,
            cookie.as_deref(),
        )
        .await
    {
        Err(SignInError::OAuthAccountNotLinked) => Ok(()),
        other => Err(Failure::new(format!(
            "alice signing in with bob's account: expected OAuthAccountNotLinked, got {}",
            describe(&other)
        ))),
    }
}

fn describe<T>(r: &Result<T, SignInError>) -> String {
    match r {
        Ok(_) => "a successful sign-in".to_owned(),
        Err(e) => e.to_string(),
    }
}

async fn oauth_email_clash(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    c.user_with_email("taken@example.com").await?;
    let before = c.stored().await?;
    let r = core
        .oauth_callback(
            "github",
            &github_profile("9", Some("taken@example.com")),
            None,
            None,
            None,
        )
        .await;
    check!(
        matches!(r, Err(SignInError::OAuthAccountNotLinked)),
        "expected OAuthAccountNotLinked, got {}",
        describe(&r)
    );
    check_eq!(
        c.stored().await?,
        before,
        "storage after the refused sign-in"
    );
    Ok(())
}

async fn oauth_no_email(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    c.adapter
        .create_user(NewUser {
            name: Some("someone without email".into()),
            ..NewUser::default()
        })
        .await?;
    let s = ok(
        core.oauth_callback("twitter", &github_profile("t1", None), None, None, None)
            .await,
        "sign-in without e-mail",
    )?;
    check!(s.is_new_user, "no new user");
    check_eq!(s.user.email, None, "email");
    Ok(())
}

async fn email_new_user(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let token = ok(
        core.email_sign_in("New.Person@Example.com").await,
        "sign-in request",
    )?;
    check_eq!(
        c.sender.last().map(|m| m.identifier),
        Some("new.person@example.com".to_owned()),
        "the address the link was sent to"
    );
    c.advance(Duration::minutes(3));
    let s = ok(
        core.email_callback("new.person@example.com", &token, None)
            .await,
        "callback",
    )?;
    check!(s.is_new_user, "no new user");
    check_eq!(
        s.user.email.as_deref(),
        Some("new.person@example.com"),
        "email"
    );
    let v = s
        .user
        .email_verified
        .ok_or_else(|| Failure::new("email_verified not set"))?;
    c.check_instant(v, c.now(), "email_verified")?;
    check!(s.session.is_some(), "no session");
    check_eq!(
        c.stored().await?.verification_requests.len(),
        0,
        "verification requests left"
    );
    Ok(())
}

async fn email_existing_user(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let u = c.user_with_email("known@example.com").await?;
    let token = ok(
        core.email_sign_in("known@example.com").await,
        "sign-in request",
    )?;
    c.advance(Duration::minutes(10));
    let s = ok(
        core.email_callback("known@example.com", &token, None).await,
        "callback",
    )?;
    check!(!s.is_new_user, "a known user was reported new");
    check_eq!(s.user.id, u.id, "user");
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .ok_or_else(|| Failure::new("user gone"))?;
    let v = stored
        .email_verified
        .ok_or_else(|| Failure::new("email_verified not stored"))?;
    c.check_instant(v, c.now(), "stored email_verified")?;
    check_eq!(c.stored().await?.users.len(), 1, "users");
    Ok(())
}

async fn email_link_twice(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let token = ok(
        core.email_sign_in("me@example.com").await,
        "sign-in request",
    )?;
    ok(
        core.email_callback("me@example.com", &token, None).await,
        "first click",
    )?;
    let second = core.email_callback("me@example.com", &token, None).await;
    check!(
        matches!(second, Err(SignInError::Verification)),
        "second click: expected Verification, got {}",
        describe(&second)
    );
    check_eq!(c.stored().await?.sessions.len(), 1, "sessions");
    Ok(())
}

async fn email_expired_link(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let token = ok(
        core.email_sign_in("me@example.com").await,
        "sign-in request",
    )?;
    c.advance(c.provider.max_age + Duration::seconds(1));
    let r = core.email_callback("me@example.com", &token, None).await;
    check!(
        matches!(r, Err(SignInError::Verification)),
        "expected Verification, got {}",
        describe(&r)
    );
    check_eq!(c.stored().await?.users.len(), 0, "users");
    Ok(())
}

async fn email_other_address(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let victim = c.user_with_email("victim@example.com").await?;
    let token = ok(
        core.email_sign_in("attacker@example.com").await,
        "attacker's sign-in request",
    )?;
    let r = core
        .email_callback("victim@example.com", &token, None)
        .await;
    check!(
        matches!(r, Err(SignInError::Verification)),
        "the attacker's link with the victim's address: expected Verification, got {}",
        describe(&r)
    );
    let sessions = c.stored().await?.sessions;
    check!(
        sessions.iter().all(|s| s.user_id != victim.id),
        "a session was started for the victim"
    );
    Ok(())
}

async fn email_callback_case(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let token = ok(
        core.email_sign_in("me@example.com").await,
        "sign-in request",
    )?;
    let r = core.email_callback("ME@example.com", &token, None).await;
    let matching = c.caps.email_matching;
    if matching.same("me@example.com", "ME@example.com") {
        check!(
            r.is_ok(),
            "{matching:?} matching declared, under which ME@example.com is me@example.com: the link gave {}",
            describe(&r)
        );
    } else {
        check!(
            matches!(r, Err(SignInError::Verification)),
            "{matching:?} matching declared: a link with ME@example.com gave {}",
            describe(&r)
        );
    }
    Ok(())
}

async fn email_switch_user(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let a = ok(
        core.oauth_callback(
            "github",
            &github_profile("1", Some("a@example.com")),
            None,
            None,
            None,
        )
        .await,
        "A signs in",
    )?;
    c.user_with_email("b@example.com").await?;
    let a_cookie = a
        .session
        .map(|s| s.session_token)
        .ok_or_else(|| Failure::new("A has no session"))?;
    let token = ok(
        core.email_sign_in("b@example.com").await,
        "B's sign-in request",
    )?;
    let b = ok(
        core.email_callback("b@example.com", &token, Some(&a_cookie))
            .await,
        "B's callback with A's cookie",
    )?;
    check!(b.user.id != a.user.id, "signed in as A instead of B");
    check_eq!(
        c.inspector.session(&a_cookie).await?,
        None,
        "A's session after B signed in over it"
    );
    Ok(())
}

async fn session_read_rolls(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let (_, cookie) = github_sign_in(&core, "1", Some("me@example.com")).await?;
    let max_age = c.config.session.max_age();
    let mut extended_at = c.now();
    for hours in [6, 12, 25, 30, 49, 50, 75] {
        c.set_now(crate::context::start_instant() + Duration::hours(hours));
        let read = core.read_session(Some(&cookie)).await;
        let SessionRead::Active { expires, .. } = read else {
            return Err(Failure::new(format!("read at +{hours}h gave {read:?}")));
        };
        if c.now() > extended_at + c.config.session.update_age() {
            extended_at = c.now();
        }
        c.check_instant(
            expires,
            extended_at + max_age,
            &format!("expiry the client sees at +{hours}h"),
        )?;
        let stored = c
            .inspector
            .session(&cookie)
            .await?
            .ok_or_else(|| Failure::new("session row gone"))?;
        c.check_instant(
            stored.expires,
            extended_at + max_age,
            &format!("stored expiry at +{hours}h"),
        )?;
    }
    Ok(())
}

async fn session_read_expired(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let s = ok(
        core.oauth_callback("github", &github_profile("1", None), None, None, None)
            .await,
        "sign-in",
    )?;
    let session = s.session.ok_or_else(|| Failure::new("no session"))?;
    c.set_now(session.expires + Duration::seconds(1));
    check_eq!(
        core.read_session(Some(&session.session_token)).await,
        SessionRead::Cleared,
        "reading an expired session"
    );
    check_eq!(
        core.read_session(None).await,
        SessionRead::NoCookie,
        "reading without a cookie"
    );
    Ok(())
}

async fn signout_with_cookie(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let (_, cookie) = github_sign_in(&core, "1", None).await?;
    let errors = core.sign_out(Some(&cookie)).await;
    check!(errors.is_empty(), "sign-out logged {errors:?}");
    check_eq!(
        c.stored().await?.sessions.len(),
        0,
        "sessions after sign-out"
    );
    check_eq!(
        core.read_session(Some(&cookie)).await,
        SessionRead::Cleared,
        "reading after sign-out"
    );
    Ok(())
}

async fn signout_without_cookie(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    ok(
        core.oauth_callback("github", &github_profile("1", None), None, None, None)
            .await,
        "sign-in",
    )?;
    let before = c.stored().await?;
    let errors = core.sign_out(None).await;
    check!(
        errors.is_empty(),
        "sign-out without a cookie logged {errors:?}"
    );
    check_eq!(
        c.stored().await?,
        before,
        "storage after sign-out without a cookie"
    );
    Ok(())
}

async fn signout_stale(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let (_, cookie) = github_sign_in(&core, "1", None).await?;
    core.sign_out(Some(&cookie)).await;
    let errors = core.sign_out(Some(&cookie)).await;
    check!(
        errors.is_empty(),
        "a second sign-out with the stale cookie logged {errors:?}"
    );
    Ok(())
}

async fn jwt_link(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Jwt);
    let first = ok(
        core.oauth_callback(
            "github",
            &github_profile("1", Some("me@example.com")),
            None,
            None,
            None,
        )
        .await,
        "JWT-mode sign-in",
    )?;
    check!(
        first.session.is_none(),
        "JWT mode started a database session"
    );
    check_eq!(c.stored().await?.sessions.len(), 0, "sessions in JWT mode");
    let sub = first.user.id.clone();
    let linked = ok(
        core.oauth_callback(
            "google",
            &github_profile("g1", Some("x@example.com")),
            None,
            None,
            Some(&sub),
        )
        .await,
        "JWT-mode linking with sub",
    )?;
    check_eq!(linked.user.id, sub, "linked user");
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("google", "g1")
            .await?
            .map(|u| u.id),
        Some(sub.clone()),
        "owner of the linked account"
    );
    Ok(())
}

async fn session_deleted_user(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let (s, cookie) = github_sign_in(&core, "1", None).await?;
    c.adapter.delete_user(&s.user.id).await?;
    check_eq!(
        core.read_session(Some(&cookie)).await,
        SessionRead::Cleared,
        "reading the deleted user's session"
    );
    Ok(())
}

async fn oauth_after_delete(c: Ctx) -> RuleResult {
    let core = core(&c, SessionMode::Database);
    let p = github_profile("1", Some("me@example.com"));
    let s = ok(
        core.oauth_callback("github", &p, None, None, None).await,
        "sign-in",
    )?;
    c.adapter.delete_user(&s.user.id).await?;
    let again = ok(
        core.oauth_callback("github", &p, None, None, None).await,
        "sign-in after deletion",
    )?;
    check!(again.is_new_user, "no new user after deletion");
    Ok(())
}
