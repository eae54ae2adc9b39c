//! What the adapter declares about itself: the methods it implements, proven both ways.

use crate::authjs::Ctx;
use crate::catalogue::body;
use crate::check;
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use nextauth_adapter::authjs::{
    AccountKey, MethodSet, SessionPatch, User, UserPatch, VerificationKey,
};
use nextauth_adapter::{AdapterError, ErrorKind, Method};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Adapter;
    vec![
        Rule::authjs_must(A, "authjs.adapter.capabilities.match-declaration", "§14.3; cap:declaration", "the adapter's own capabilities() equal what its factory declares, which every other rule is judged by", body!(match_declaration)).requires(Requires::Nothing),
        Rule::authjs_must(A, "authjs.adapter.methods.core-declared", "§14.2; AJS#1", "the adapter declares the ten methods core needs for database sessions and OAuth", body!(core_declared)).requires(Requires::Nothing),
        Rule::authjs_should(A, "authjs.adapter.methods.verification-declared", "§14.2; AJS#12", "the adapter declares the two verification-token methods core needs for e-mail sign-in", body!(verification_declared)).requires(Requires::Nothing),
        Rule::authjs_should(A, "authjs.adapter.methods.deletion-declared", "§14.2; AJS#15", "the adapter declares delete_user and unlink_account, which Auth.js requires of official adapters", body!(deletion_declared)).requires(Requires::Nothing),
        Rule::authjs_must(A, "authjs.adapter.methods.declared-implemented", "§14.2", "every method declared implemented answers a harmless call without Unsupported", body!(declared_implemented)).requires(Requires::Nothing),
        Rule::authjs_must(A, "authjs.adapter.methods.undeclared-unsupported", "§14.2", "every method declared missing answers Unsupported naming itself, and writes nothing", body!(undeclared_unsupported)).requires(Requires::Nothing),
    ]
}

async fn match_declaration(c: Ctx) -> RuleResult {
    let own = c.adapter.capabilities();
    check!(
        own == c.caps,
        "the adapter's capabilities() say {own:?}, its factory declares {:?}",
        c.caps
    );
    Ok(())
}

fn missing(c: &Ctx, wanted: MethodSet) -> RuleResult {
    let absent: Vec<_> = wanted
        .without(c.caps.methods)
        .iter()
        .map(Method::js_name)
        .collect();
    check!(
        absent.is_empty(),
        "the adapter does not declare {}",
        absent.join(", ")
    );
    Ok(())
}

async fn core_declared(c: Ctx) -> RuleResult {
    missing(&c, MethodSet::CORE)
}

async fn verification_declared(c: Ctx) -> RuleResult {
    missing(&c, MethodSet::VERIFICATION)
}

async fn deletion_declared(c: Ctx) -> RuleResult {
    missing(&c, MethodSet::DELETION)
}

/// A stored user to attach rows to, or, when the adapter cannot create one, a user it does not
/// have (the call is then expected to answer NotFound or Unsupported).
async fn some_user(c: &Ctx) -> User {
    match c.user().await {
        Ok(user) => user,
        Err(_) => c
            .new_user()
            .into_user("5f0c6a1e-eeee-4eee-8eee-eeeeeeeeeeee".to_owned()),
    }
}

/// Calls `method` with arguments that change nothing in an empty store; returns the error
/// kind, if any.
async fn probe(c: &Ctx, method: Method) -> Result<Option<(ErrorKind, Method)>, Failure> {
    let a = &c.adapter;
    let missing = "5f0c6a1e-ffff-4fff-8fff-ffffffffffff";
    let key = AccountKey::new("github", "no-such-account");
    let err = |e: AdapterError| Some((e.kind(), e.method()));
    Ok(match method {
        Method::CreateUser => {
            // A real write; the rule's store is its own and empty.
            a.create_user(c.new_user())
                .await
                .err()
                .map(|e| (e.kind(), e.method()))
        }
        Method::GetUser => a.get_user(missing).await.err().and_then(err),
        Method::GetUserByEmail => a
            .get_user_by_email("nobody@example.com")
            .await
            .err()
            .and_then(err),
        Method::GetUserByAccount => a.get_user_by_account(&key).await.err().and_then(err),
        Method::UpdateUser => match a.update_user(UserPatch::of(missing)).await {
            Err(e) if e.kind() != ErrorKind::NotFound => err(e),
            _ => None,
        },
        Method::DeleteUser => match a.delete_user(missing).await {
            Err(e) if e.kind() != ErrorKind::NotFound => err(e),
            _ => None,
        },
        Method::LinkAccount => {
            let user = some_user(c).await;
            match a.link_account(c.new_account(&user, "github")).await {
                Err(e) if e.kind() != ErrorKind::NotFound => err(e),
                _ => None,
            }
        }
        Method::UnlinkAccount => match a.unlink_account(&key).await {
            Err(e) if e.kind() != ErrorKind::NotFound => err(e),
            _ => None,
        },
        Method::CreateSession => {
            let user = some_user(c).await;
            match a.create_session(c.new_session(&user)).await {
                Err(e) if e.kind() != ErrorKind::NotFound => err(e),
                _ => None,
            }
        }
        Method::GetSessionAndUser => a
            .get_session_and_user("no-such-session")
            .await
            .err()
            .and_then(err),
        Method::UpdateSession => {
            let patch = SessionPatch {
                session_token: "no-such-session".to_owned(),
                user_id: None,
                expires: Some(c.now()),
            };
            match a.update_session(patch).await {
                Err(e) if e.kind() != ErrorKind::NotFound => err(e),
                _ => None,
            }
        }
        Method::DeleteSession => match a.delete_session("no-such-session").await {
            Err(e) if e.kind() != ErrorKind::NotFound => err(e),
            _ => None,
        },
        Method::CreateVerificationToken => {
            let (_, token) = c.new_token("probe@example.com");
            a.create_verification_token(token).await.err().and_then(err)
        }
        Method::UseVerificationToken => {
            let key = VerificationKey {
                identifier: "probe@example.com".to_owned(),
                token: "0".repeat(64),
            };
            a.use_verification_token(&key).await.err().and_then(err)
        }
        Method::GetAccount => a
            .get_account("no-such-account", "github")
            .await
            .err()
            .and_then(err),
        Method::GetAuthenticator => a
            .get_authenticator("no-such-credential")
            .await
            .err()
            .and_then(err),
        Method::CreateAuthenticator => {
            let user = some_user(c).await;
            match a.create_authenticator(c.new_authenticator(&user)).await {
                Err(e) if e.kind() != ErrorKind::NotFound => err(e),
                _ => None,
            }
        }
        Method::ListAuthenticatorsByUserId => a
            .list_authenticators_by_user_id(missing)
            .await
            .err()
            .and_then(err),
        Method::UpdateAuthenticatorCounter => match a
            .update_authenticator_counter("no-such-credential", 1)
            .await
        {
            Err(e) if e.kind() != ErrorKind::NotFound => err(e),
            _ => None,
        },
        other => return Err(Failure::new(format!("{other} is not an Auth.js method"))),
    })
}

async fn declared_implemented(c: Ctx) -> RuleResult {
    for method in c.caps.methods.iter() {
        if let Some((kind, named)) = probe(&c, method).await? {
            check!(
                kind != ErrorKind::Unsupported,
                "{} is declared implemented, but answered Unsupported (naming {named})",
                method.js_name()
            );
        }
    }
    Ok(())
}

async fn undeclared_unsupported(c: Ctx) -> RuleResult {
    for method in MethodSet::ALL.without(c.caps.methods).iter() {
        let before = c.stored().await?;
        let answer = probe(&c, method).await?;
        check!(
            answer == Some((ErrorKind::Unsupported, method)),
            "{} is declared missing, but answered {answer:?} instead of Unsupported naming it",
            method.js_name()
        );
        let after = c.stored().await?;
        // Probes of create_session and link_account create a user first, through a method
        // that may be implemented: compare everything else.
        check!(
            after.sessions == before.sessions
                && after.accounts == before.accounts
                && after.verification_tokens == before.verification_tokens
                && after.authenticators == before.authenticators,
            "{} is declared missing, but the call wrote a row",
            method.js_name()
        );
    }
    Ok(())
}
